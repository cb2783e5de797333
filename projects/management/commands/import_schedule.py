"""`manage.py import_schedule PATH --project CODE [--program CODE] [--replace [--yes]] [--dry-run]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portfolio.models import Program
from projects.models import Project
from projects.services.schedule_import import schedule_import_preview
from projects.services.schedule_io import ScheduleFileError, schedule_import

REPLACE_NEEDS_YES = (
    "--replace would delete {removed} tasks of {code} ({progress} with progress recorded); nothing was imported. "
    "See them with --dry-run, and add --yes to go ahead."
)


class Command(BaseCommand):
    help = (
        "Import a schedule (MS Project XML natively; .mpp, Primavera .xer / P6 XML and other formats through "
        "MPXJ) into a project, creating the project when it does not exist. All or nothing. Into an existing "
        "project, --dry-run shows what would change without writing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--project", required=True, help="project code (created if missing)")
        parser.add_argument("--program", help="program code for a new project (default: a program named Imported)")
        parser.add_argument("--replace", action="store_true", help="make the file the plan: delete tasks it lacks")
        parser.add_argument("--yes", action="store_true", help="confirm that --replace deletes tasks")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")

    def handle(self, *args, path: Path, project: str, program: str | None, replace: bool, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        program_obj = None
        if program:
            program_obj = Program.objects.filter(code=program).first()
            if program_obj is None:
                raise CommandError(f"--program {program}: no program with that code")
        data = path.read_bytes()
        existing = Project.objects.filter(code=project).select_related("program").first()
        try:
            if existing is not None and (options["dry_run"] or replace):
                preview = schedule_import_preview(
                    actor=None, project=existing, data=data, filename=path.name, replace=replace
                )
                if options["dry_run"]:
                    self._show(preview)
                    return
                if preview.removed and not options["yes"]:
                    raise CommandError(
                        REPLACE_NEEDS_YES.format(
                            removed=len(preview.removed), code=project, progress=preview.removed_with_progress
                        )
                    )
            elif options["dry_run"]:
                raise CommandError(f"--dry-run needs an existing project; {project} does not exist")
            result = schedule_import(
                actor=None, data=data, filename=path.name, project_code=project, program=program_obj, replace=replace
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
        for repair in result.repairs:  # what was dropped or repaired (never a reason to refuse)
            self.stdout.write(f"  repaired {repair.text}")

    def _show(self, preview) -> None:
        write = self.stdout.write
        write(
            f"Dry run, nothing written: {len(preview.added)} tasks added, {len(preview.changed)} changed, "
            f"{len(preview.removed)} removed, {len(preview.moved)} with dates that move; links "
            f"+{len(preview.links_added)} / -{len(preview.links_removed)}."
        )
        write(
            f"Finish: {preview.finish_before:%Y-%m-%d} -> {preview.finish_after:%Y-%m-%d}"
            if preview.finish_before and preview.finish_after
            else f"Finish after: {preview.finish_after or '-'}"
        )
        for repair in preview.repairs:
            write(f"  repaired {repair.text}")
        for task in preview.removed:
            write(f"  removed  {task.outline} {task.name}")
        for change in preview.changed:
            write(
                f"  changed  {change.task.outline} {change.task.name}: "
                + "; ".join(f"{c.label} {c.old} -> {c.new}" for c in change.changes)
            )
        for task in preview.added:
            write(f"  added    {task.outline} {task.name}")
        for line in (*preview.lost, *preview.notes):
            write(line)
