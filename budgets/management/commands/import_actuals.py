"""`manage.py import_actuals PATH [--mapping JSON] [--source NAME] [--user NAME]`."""

from budgets.models import CostEntry

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Import actual costs from a CSV or XLSX ledger export: every row is checked first and nothing is written "
        "unless all are good; rows already imported (same source and external reference) are skipped. Streams "
        "the file and writes in batches, so a million rows is fine. Prints rows per second at the end."
    )
    kind = "actuals"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--source",
            default=CostEntry.Source.LEDGER,
            help=f"source of rows with no source column: {', '.join(CostEntry.Source.values)} (default ledger)",
        )

    def handle(self, *args, **options):
        self.run_import(options, default_source=options["source"])
