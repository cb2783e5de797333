"""manage.py prune_imports: delete abandoned import uploads (also an hourly beat job)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from budgets.imports import import_jobs_prune


class Command(BaseCommand):
    help = (
        "Delete import uploads never started for --hours (default KEEL_IMPORT_ABANDONED_HOURS) with their job, "
        "and the stored files of finished imports that old."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=None, help="age in hours (default KEEL_IMPORT_ABANDONED_HOURS)"
        )

    def handle(self, *args, hours=None, **options):
        hours = settings.KEEL_IMPORT_ABANDONED_HOURS if hours is None else hours
        deleted, files = import_jobs_prune(hours=hours)
        self.stdout.write(f"Deleted {deleted} abandoned import(s); removed {files} stored file(s).")
