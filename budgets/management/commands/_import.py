"""What import_actuals and import_budget share: options, the mapping, progress and the report."""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from budgets.imports import FIELDS_BY_KIND, importer_for, open_table, propose_mapping

SHOWN_ERRORS = 50


class ImportCommand(BaseCommand):
    kind: str

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a .csv or .xlsx file; the first row names the columns")
        parser.add_argument(
            "--mapping",
            help='JSON object (or a path to a .json file) from field to column, e.g. {"date": "Posting date"}; '
            "default: proposed from the headers",
        )
        parser.add_argument("--user", help="import as this user, with their access (default: the system, anywhere)")
        parser.add_argument(
            "--date-format", default="", help='strptime format of text dates, e.g. "%%d/%%m/%%Y" (default ISO)'
        )
        parser.add_argument("--quiet-progress", action="store_true", help="do not print progress")

    def importer(self, options, **extra):
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"--user {options['user']}: no such user")
        try:
            table = open_table(path)
            mapping = self._mapping(options["mapping"], table.headers)
            return table, importer_for(
                self.kind, table, mapping, actor=actor, date_format=options["date_format"], **extra
            )
        except ValidationError as error:
            raise CommandError(self._messages(error)) from None

    def _mapping(self, value: str | None, headers: list[str]) -> dict:
        if not value:
            mapping = propose_mapping(headers, FIELDS_BY_KIND[self.kind])
            self.stderr.write(f"Mapping (proposed from the headers): {json.dumps(mapping)}")
            return mapping
        text = value if value.lstrip().startswith("{") else Path(value).read_text()
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(f"--mapping is not JSON: {error}") from None

    @staticmethod
    def _messages(error: ValidationError) -> str:
        if hasattr(error, "error_dict"):
            return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
        return " ".join(error.messages)

    def progress(self, quiet: bool):
        shown = {"at": 0}

        def report(phase: str, processed: int, total: int | None) -> None:
            # Every 100,000 rows, and at the end of each phase.
            if quiet or (processed - shown["at"] < 100_000 and processed != total):
                return
            shown["at"] = 0 if processed == total else processed
            of = f" of {total:,}" if total else ""
            self.stderr.write(f"{phase}: {processed:,}{of} rows")
            sys.stderr.flush()

        return report

    def run_import(self, options, **extra):
        table, importer = self.importer(options, **extra)
        estimate = table.estimate_rows() if table.format == "csv" else None
        try:
            report = importer.run(
                progress=self.progress(options["quiet_progress"]), estimate=estimate, label=options["path"].name
            )
        except ValidationError as error:
            raise CommandError(self._messages(error)) from None
        if not report.ok:
            for error in report.errors[:SHOWN_ERRORS]:
                self.stderr.write(str(error))
            more = report.error_count - min(len(report.errors), SHOWN_ERRORS)
            if more:
                self.stderr.write(f"… and {more:,} more.")
            raise CommandError(
                f"{report.error_count:,} problem(s) in {report.total_rows:,} rows; nothing was imported."
            )
        updated = f", {report.updated:,} updated" if self.kind == "budget" else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{options['path'].name}: {report.total_rows:,} rows, {report.created:,} created{updated}, "
                f"{report.skipped:,} skipped in {report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)."
            )
        )
        return report
