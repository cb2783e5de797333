"""`manage.py import_schedule PATH --project CODE [--program CODE] [--replace]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portfolio.models import Program
from projects.services.schedule_io import ScheduleFileError, schedule_import


class Command(BaseCommand):
    help = (
        "Import a schedule (MS Project XML natively; .mpp, Primavera .xer / P6 XML and other formats through "
        "MPXJ) into a project, creating the project when it does not exist. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--project", required=True, help="project code (created if missing)")
        parser.add_argument("--program", help="program code for a new project (default: a program named Imported)")
        parser.add_argument("--replace", action="store_true", help="clear the project's schedule first")

    def handle(self, *args, path: Path, project: str, program: str | None, replace: bool, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        program_obj = None
        if program:
            program_obj = Program.objects.filter(code=program).first()
            if program_obj is None:
                raise CommandError(f"--program {program}: no program with that code")
        try:
            result = schedule_import(
                actor=None,
                data=path.read_bytes(),
                filename=path.name,
                project_code=project,
                program=program_obj,
                replace=replace,
            )
        except ScheduleFileError as error:
            raise CommandError(f"{path.name}: {error.reason} (nothing was imported)") from None
        verb = "created" if result.created_project else "updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"Project {result.project.code} {verb}: {result.tasks_created} tasks added, "
                f"{result.tasks_updated} updated, {result.tasks_removed} removed, {result.links} links, "
                f"{result.calendars} calendars, {result.baselines} baselines."
            )
        )
