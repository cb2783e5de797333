"""Reading tabular files row by row, without loading them: CSV through the csv module,
XLSX through openpyxl's read-only mode. Each `rows()` call streams the file again from the
start, so an import can read it twice (validate, then write) in constant memory.

Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2. Wholly
empty rows are skipped (their numbers are not reused).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"

UNSUPPORTED_TYPE = "Only CSV (.csv) and Excel (.xlsx) files can be imported, not “{suffix}”."
EMPTY_FILE = "The file is empty: it needs a header row and at least one row of data."
NO_HEADER = "The first row must name the columns."
UNREADABLE_XLSX = "This is not an Excel .xlsx workbook that can be read: {reason}"
BAD_ENCODING = "Row {row} is not UTF-8 or Windows-1252 text."

Cell = str | int | float | dt.date | dt.datetime | None


class ImportFileError(ValidationError):
    """A file that cannot be read at all: a validation error on the `file` field."""

    def __init__(self, message: str):
        super().__init__({"file": message})
        self.reason = message


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _headers(values: list[Cell]) -> list[str]:
    """Header texts, unique and never empty ("Column C" for a blank one, "Amount (2)" for a
    repeated one), so a mapping can name any column."""
    names: list[str] = []
    for index, value in enumerate(values):
        text = str(value).strip() if value is not None else ""
        name = text or f"Column {_column_letter(index)}"
        candidate, count = name, 1
        while candidate in names:
            count += 1
            candidate = f"{name} ({count})"
        names.append(candidate)
    return names


def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


class TabularFile:
    """A CSV or XLSX file on disk. `headers` is read on opening; `rows()` yields
    `(row_number, values)` for each data row, values padded or cut to the headers' length."""

    def __init__(self, path: str | Path, *, filename: str | None = None):
        self.path = Path(path)
        suffix = Path(filename or self.path.name).suffix.lower()
        if suffix in CSV_SUFFIXES:
            self.format = "csv"
        elif suffix in XLSX_SUFFIXES:
            self.format = "xlsx"
        else:
            raise ImportFileError(UNSUPPORTED_TYPE.format(suffix=suffix or "no extension"))
        self._encoding, self._delimiter = None, ","
        if self.format == "csv":
            self._sniff()
        first = next(self._raw_rows(), None)
        if first is None:
            raise ImportFileError(EMPTY_FILE)
        values = list(first[1])
        # Trailing blank header cells (an XLSX sheet's formatted but empty columns) are not columns.
        while values and (values[-1] is None or (isinstance(values[-1], str) and not values[-1].strip())):
            values.pop()
        if not values:
            raise ImportFileError(NO_HEADER)
        self.headers = _headers(values)

    # -- CSV ---------------------------------------------------------------------------------

    def _sniff(self) -> None:
        with self.path.open("rb") as handle:
            sample = handle.read(SNIFF_BYTES)
        if not sample.strip():
            raise ImportFileError(EMPTY_FILE)
        try:
            codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
            self._encoding = "utf-8-sig"
        except UnicodeDecodeError:
            # Excel's "CSV" on Windows writes the ANSI code page.
            self._encoding = "cp1252"
        header = sample.decode(self._encoding, errors="ignore").split("\n", 1)[0]
        # The header's most frequent candidate separates the columns (";" from European Excel).
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        self._delimiter = best if counts[best] else ","

    def _csv_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        with self.path.open(encoding=self._encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self._delimiter, quotechar='"', doublequote=True)
            number = 0
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except UnicodeDecodeError:
                    raise ImportFileError(BAD_ENCODING.format(row=number + 1)) from None
                except csv.Error as error:
                    raise ImportFileError(f"Row {number + 1}: {error}") from None
                # A record is a row, even when a quoted value spans several lines.
                number += 1
                yield number, values

    # -- XLSX ------------------------------------------------------------------------------

    def _xlsx_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a bad file
            raise ImportFileError(UNREADABLE_XLSX.format(reason=error)) from None
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        finally:
            workbook.close()

    # -- both ------------------------------------------------------------------------------

    def _raw_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        return self._csv_rows() if self.format == "csv" else self._xlsx_rows()

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        width = len(self.headers)
        rows = self._raw_rows()
        next(rows, None)  # the header
        for number, values in rows:
            if _is_blank(values):
                continue
            if len(values) < width:
                values = [*values, *([None] * (width - len(values)))]
            yield number, values[:width]

    def estimate_rows(self) -> int | None:
        """How many data rows the file holds, cheaply: counted for CSV (a fast pass without
        parsing values), the sheet's stated size for XLSX (None when it does not say)."""
        if self.format == "csv":
            with self.path.open(encoding=self._encoding, newline="", errors="replace") as handle:
                return max(sum(1 for _ in csv.reader(handle, delimiter=self._delimiter)) - 1, 0)
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            rows = workbook.worksheets[0].max_row
        finally:
            workbook.close()
        return max(rows - 1, 0) if rows else None
