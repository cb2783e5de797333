"""`manage.py import_budget PATH [--mapping JSON] [--user NAME]`."""

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Import time-phased budget lines from an XLSX (or CSV) file: project code, category code, fiscal year and "
        "period (or a date), amount, optional currency and version (original or current). All or nothing; a line "
        "that exists (same project, category, period and version) is updated, an identical one skipped."
    )
    kind = "budget"

    def handle(self, *args, **options):
        self.run_import(options)
