"""`manage.py export_schedule --project CODE --format mspdi --output PATH`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.models import Project
from projects.services.schedule_io import schedule_export_mspdi


class Command(BaseCommand):
    help = "Export a project's schedule as MS Project XML (MSPDI) with computed dates, slack and critical flags."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="project code")
        parser.add_argument("--format", default="mspdi", choices=["mspdi"])
        parser.add_argument("--output", required=True, type=Path, help="file to write ('-' for standard output)")

    def handle(self, *args, project: str, format: str, output: Path, **options):
        project_obj = Project.objects.filter(code=project).first()
        if project_obj is None:
            raise CommandError(f"--project {project}: no project with that code")
        data = schedule_export_mspdi(project=project_obj)
        if str(output) == "-":
            self.stdout.write(data.decode())
            return
        output.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({len(data):,} bytes)."))
