"""`manage.py recompute --all | --project CODE [--as-of YYYY-MM-DD]`: recompute summary rows now,
in this process (reporting.services.rollups.recompute_all), and print how many were written."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from projects.models import Project

from ...services.rollups import recompute_all

NAME_ONE = "Name --all or --project CODE."
NO_PROJECT = "No project with code {code}."
BAD_DAY = "--as-of takes a day as YYYY-MM-DD, not {value}."


class Command(BaseCommand):
    help = (
        "Recompute roll-ups from source rows, forced: every project, program and portfolio (--all), or one "
        "project and the program and portfolio above it (--project CODE)."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--all", action="store_true", help="Every project, then programs, then portfolios.")
        which.add_argument("--project", metavar="CODE", help="One project (by code) and the levels above it.")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="The day figures count from (default: today).")

    def handle(self, *args, **options):
        if not options["all"] and not options["project"]:
            raise CommandError(NAME_ONE)
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(BAD_DAY.format(value=options["as_of"])) from None
        project_ids = None
        if options["project"]:
            project = Project.objects.filter(code=options["project"]).first()
            if project is None:
                raise CommandError(NO_PROJECT.format(code=options["project"]))
            project_ids = [project.pk]
        counts = recompute_all(as_of=as_of, project_ids=project_ids)
        self.stdout.write(
            f"Recomputed {counts['projects']} projects, {counts['programs']} programs, "
            f"{counts['portfolios']} portfolios ({counts['gone']} gone)."
        )
