"""Reading tabular files row by row, without loading them: CSV through the csv module,
XLSX through openpyxl's read-only mode. Each `rows()` call streams the file again from the
start, so an import can read it twice (validate, then write) in constant memory.

Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2. Wholly
empty rows are skipped (their numbers are not reused).

Limits (ImportLimits, from the KEEL_IMPORT_* settings) are checked while streaming, so a hostile
file stops early instead of exhausting the worker: the length of a CSV line (read before the csv
module parses it), the number of columns, the rows, the characters in a cell, and the time one
pass over the file may take. An XLSX file is a zip: before openpyxl opens it, the members'
declared sizes (the zip bomb limit), the size of sharedStrings.xml and its stated count of
strings are checked, since openpyxl loads all shared strings into memory at once.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
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
TOO_MANY_COLUMNS = "Row {row} has more than {limit:,} columns."
TOO_MANY_ROWS = "The file has more than {limit:,} rows; split it, or import it with manage.py."
CELL_TOO_LONG = "Row {row}, column {column}: a cell holds more than {limit:,} characters."
LINE_TOO_LONG = "Row {row} is longer than {limit:,} characters."
TOO_SLOW = "Reading the file took longer than {limit:,} seconds; split it into smaller files."
XLSX_TOO_LARGE = "The workbook unpacks to more than {limit:,} bytes (its zip member {member} alone is {size:,})."
XLSX_TOTAL_TOO_LARGE = "The workbook unpacks to more than {limit:,} bytes."
TOO_MANY_SHARED_STRINGS = "The workbook holds more than {limit:,} distinct texts (shared strings)."
SHARED_STRINGS_TOO_LARGE = "The workbook's texts (shared strings) take more than {limit:,} bytes."
CONTENT_TYPES_MAX_BYTES = 1024 * 1024
# How many rows may pass between two looks at the clock.
CLOCK_EVERY = 256
SHARED_STRINGS_MEMBER = re.compile(r"(^|/)sharedStrings\.xml$", re.IGNORECASE)
SST_COUNT = re.compile(rb"<(?:\w+:)?sst\b[^>]*?\buniqueCount=\"(\d+)\"|<(?:\w+:)?sst\b[^>]*?\bcount=\"(\d+)\"")

Cell = str | int | float | dt.date | dt.datetime | None


@dataclasses.dataclass(frozen=True)
class ImportLimits:
    """What one file may hold; `from_settings()` reads the KEEL_IMPORT_* settings."""

    max_columns: int = 200
    max_rows: int = 2_000_000
    max_cell_chars: int = 10_000
    max_shared_strings: int = 1_000_000
    max_shared_strings_bytes: int = 64 * 1024 * 1024
    max_unzipped_bytes: int = 512 * 1024 * 1024
    max_parse_seconds: int = 1800

    @property
    def max_line_chars(self) -> int:
        # Every cell at its longest, quoted, with its separator.
        return self.max_columns * (self.max_cell_chars + 3)

    @classmethod
    def from_settings(cls) -> ImportLimits:
        return cls(
            max_columns=settings.KEEL_IMPORT_MAX_COLUMNS,
            max_rows=settings.KEEL_IMPORT_MAX_ROWS,
            max_cell_chars=settings.KEEL_IMPORT_MAX_CELL_CHARS,
            max_shared_strings=settings.KEEL_IMPORT_MAX_SHARED_STRINGS,
            max_shared_strings_bytes=settings.KEEL_IMPORT_MAX_SHARED_STRINGS_BYTES,
            max_unzipped_bytes=settings.KEEL_IMPORT_MAX_UNZIPPED_BYTES,
            max_parse_seconds=settings.KEEL_IMPORT_MAX_PARSE_SECONDS,
        )


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


def _headers(values: list[Cell], *, probes: list[int] | None = None) -> list[str]:
    """Header texts, unique and never empty ("Column C" for a blank one, "Amount (2)" for a
    repeated one), so a mapping can name any column.

    Linear: the names taken are a set, and each name remembers the last suffix it tried, so
    no suffix is tried twice for one name; a taken candidate is passed over at most once per
    name. Each candidate tried is counted in `probes[0]` when given (the tests' proof)."""
    names: list[str] = []
    taken: set[str] = set()
    last_suffix: dict[str, int] = {}
    for index, value in enumerate(values):
        text = str(value).strip() if value is not None else ""
        name = text or f"Column {_column_letter(index)}"
        count = last_suffix.get(name, 1)
        candidate = name if count == 1 else f"{name} ({count})"
        if probes is not None:
            probes[0] += 1
        while candidate in taken:
            count += 1
            candidate = f"{name} ({count})"
            if probes is not None:
                probes[0] += 1
        last_suffix[name] = count
        taken.add(candidate)
        names.append(candidate)
    return names


def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _shared_strings_parts(archive: zipfile.ZipFile) -> set[str]:
    """The members holding shared strings: the usual name, and whatever part
    [Content_Types].xml declares as shared strings (which is where openpyxl looks)."""
    present = set(archive.namelist())
    names = {name for name in present if SHARED_STRINGS_MEMBER.search(name)}
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return names
    if info.file_size > CONTENT_TYPES_MAX_BYTES:
        raise ImportFileError(UNREADABLE_XLSX.format(reason="its [Content_Types].xml is implausibly large"))
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    try:
        manifest = Manifest.from_tree(fromstring(archive.read(info)))
    except Exception:
        return names
    for override in manifest.Override:
        if override.ContentType == SHARED_STRINGS and override.PartName.lstrip("/") in present:
            names.add(override.PartName.lstrip("/"))
    return names


class TabularFile:
    """A CSV or XLSX file on disk. `headers` is read on opening; `rows()` yields
    `(row_number, values)` for each data row, values padded or cut to the headers' length."""

    def __init__(
        self,
        path: str | Path,
        *,
        filename: str | None = None,
        limits: ImportLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.path = Path(path)
        self.limits = limits or ImportLimits.from_settings()
        self._clock = clock
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
        else:
            self._check_xlsx_archive()
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

    def _csv_lines(self, handle) -> Iterator[str]:
        """The file's lines, each refused when longer than a row may be (before the csv module
        holds it whole); a line is read in bounded pieces, so a file without line breaks is
        stopped after max_line_chars characters."""
        limit = self.limits.max_line_chars
        number = 0
        while True:
            line = handle.readline(limit + 1)
            if not line:
                return
            number += 1
            if len(line) > limit:
                raise ImportFileError(LINE_TOO_LONG.format(row=number, limit=limit))
            yield line

    def _csv_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        with self.path.open(encoding=self._encoding, newline="") as handle:
            lines = self._csv_lines(handle)
            reader = csv.reader(lines, delimiter=self._delimiter, quotechar='"', doublequote=True)
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
            # The sheet's stated size may claim 16,384 columns and a million rows: ignore it, so
            # rows are not padded to it (the real cells are checked against the limits instead).
            sheet.reset_dimensions()
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        finally:
            workbook.close()

    def _check_xlsx_archive(self) -> None:
        """Refuse a zip bomb and a flood of shared strings before openpyxl reads anything."""
        limits = self.limits
        try:
            archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as error:
            raise ImportFileError(UNREADABLE_XLSX.format(reason=error)) from None
        with archive:
            total = 0
            for member in archive.infolist():
                if member.file_size > limits.max_unzipped_bytes:
                    message = XLSX_TOO_LARGE.format(
                        limit=limits.max_unzipped_bytes, member=member.filename, size=member.file_size
                    )
                    raise ImportFileError(message)
                total += member.file_size
                if total > limits.max_unzipped_bytes:
                    raise ImportFileError(XLSX_TOTAL_TOO_LARGE.format(limit=limits.max_unzipped_bytes))
            for name in _shared_strings_parts(archive):
                self._check_shared_strings(archive, archive.getinfo(name))

    def _check_shared_strings(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
        limits = self.limits
        if member.file_size > limits.max_shared_strings_bytes:
            raise ImportFileError(SHARED_STRINGS_TOO_LARGE.format(limit=limits.max_shared_strings_bytes))
        # The <sst> element states how many strings follow (uniqueCount, else count); a file that
        # does not say is still bounded by the size above.
        with archive.open(member) as handle:
            head = handle.read(4096)
        match = SST_COUNT.search(head)
        if match:
            stated = int(match.group(1) or match.group(2))
            if stated > limits.max_shared_strings:
                raise ImportFileError(TOO_MANY_SHARED_STRINGS.format(limit=limits.max_shared_strings))

    # -- both ------------------------------------------------------------------------------

    def _raw_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        """The file's rows as read, each checked against the limits as it arrives."""
        limits = self.limits
        rows = self._csv_rows() if self.format == "csv" else self._xlsx_rows()
        deadline = self._clock() + limits.max_parse_seconds
        for number, values in rows:
            if number > limits.max_rows + 1:  # the header is row 1
                raise ImportFileError(TOO_MANY_ROWS.format(limit=limits.max_rows))
            if number % CLOCK_EVERY == 1 and self._clock() > deadline:
                raise ImportFileError(TOO_SLOW.format(limit=limits.max_parse_seconds))
            if len(values) > limits.max_columns:
                # Trailing empty cells (formatted but blank XLSX columns) do not count.
                while len(values) > limits.max_columns and values[-1] in (None, ""):
                    values.pop()
                if len(values) > limits.max_columns:
                    raise ImportFileError(TOO_MANY_COLUMNS.format(row=number, limit=limits.max_columns))
            for index, value in enumerate(values):
                if isinstance(value, str) and len(value) > limits.max_cell_chars:
                    raise ImportFileError(
                        CELL_TOO_LONG.format(row=number, column=_column_letter(index), limit=limits.max_cell_chars)
                    )
            yield number, values

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
                rows = sum(1 for _ in csv.reader(self._csv_lines(handle), delimiter=self._delimiter))
            return min(max(rows - 1, 0), self.limits.max_rows + 1)
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            rows = workbook.worksheets[0].max_row
        finally:
            workbook.close()
        return max(rows - 1, 0) if rows else None
