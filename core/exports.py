"""CSV and Excel downloads of the HTML lists: `?export=csv` or `?export=xlsx` on a list URL.

A list describes its columns once, as `Column(header, accessor, kind)`; `export_response` turns
the list's filtered, sorted queryset (not paginated) into a download:

- CSV is streamed (StreamingHttpResponse) in UTF-8 with a byte-order mark, so Excel opens it in
  the right encoding. A text cell starting with =, +, -, @ (or a tab or carriage return) gets a
  leading apostrophe, so a spreadsheet never runs it as a formula (CSV injection).
- XLSX is an openpyxl write-only workbook (constant memory): numbers as numbers, dates as dates,
  money (Decimal) as numbers with a money format, and text cells always typed as text, so
  "=HYPERLINK(…)" stays a string.

Rows are read with `.iterator(chunk_size=…)`, so the number of queries does not grow with the
rows: accessors must only touch what the queryset select_related()s or annotates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

EXPORT_PARAM = "export"
CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
BAD_EXPORT = "Unknown value for “export”: {value!r}. Use export=csv or export=xlsx."
BAD_FILTERS = "Cannot export: invalid filter value for {fields}."
CHUNK_SIZE = 2000

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Column kinds and their Excel number formats; "text" and "bool" have none.
KINDS = {
    "text": None,
    "int": "0",
    "number": "0.00",
    "percent": '0.0"%"',  # values are already percentages (42.5 means 42.5 %)
    "money": "#,##0.00;[Red]-#,##0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "bool": None,
}
WIDTHS = {"text": 24, "date": 12, "datetime": 17, "money": 16, "int": 9, "number": 10, "percent": 10, "bool": 8}


@dataclass(frozen=True, slots=True)
class Column:
    """One exported column: its header, how to read the value from a row, and its kind (a key of
    KINDS). The accessor returns None for an empty cell."""

    header: str
    accessor: Callable[[Any], Any]
    kind: str = "text"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r}")


def requested_format(request) -> str | None:
    """The `?export=` value, or None when the request does not ask for an export."""
    return request.GET.get(EXPORT_PARAM) or None


def export_response(
    request, *, rows: Iterable, columns: Sequence[Column], filename: str, title: str = "Export", filters=None
) -> HttpResponse | None:
    """The download the request asks for (`?export=csv|xlsx`), a 400 naming `export` for any other
    value, or None when it asks for none (the view renders its page). `rows` is the list's
    queryset, filtered and sorted, not paginated. `filters`: the list's FilterSet; an invalid
    value is a 400 naming its field (django-filter would skip that filter and export every row)."""
    fmt = requested_format(request)
    if fmt is None:
        return None
    if fmt not in FORMATS:
        return HttpResponseBadRequest(BAD_EXPORT.format(value=fmt), content_type="text/plain; charset=utf-8")
    if filters is not None and filters.errors:
        fields = ", ".join(f"“{name}”" for name in sorted(filters.errors))
        return HttpResponseBadRequest(BAD_FILTERS.format(fields=fields), content_type="text/plain; charset=utf-8")
    stem = _stem(filename)
    if fmt == CSV:
        response = StreamingHttpResponse(csv_lines(_iterate(rows), columns), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    else:
        response = HttpResponse(xlsx_bytes(_iterate(rows), columns, title=title), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


def _stem(filename: str) -> str:
    return f"{slugify(filename) or 'export'}-{timezone.localdate():%Y-%m-%d}"


def _iterate(rows: Iterable) -> Iterator:
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK_SIZE)
    return iter(rows)


# -- CSV -----------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def neutralise(text: str) -> str:
    """`text` made safe for a spreadsheet: a leading apostrophe when it would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_value(value: Any, kind: str) -> str:
    """A cell as CSV text: ISO dates, plain decimals, yes/no, "" for None; text neutralised."""
    if value is None:
        return ""
    if kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return _naive(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal | float) and kind != "text":
        return str(value)
    return neutralise(str(value))


def csv_lines(rows: Iterable, columns: Sequence[Column]) -> Iterator[str]:
    """The CSV text, a line at a time: the BOM and header row, then one line per row."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([neutralise(column.header) for column in columns])
    for row in rows:
        yield writer.writerow([csv_value(column.accessor(row), column.kind) for column in columns])


# -- XLSX ----------------------------------------------------------------------------------------


def _naive(value: dt.datetime) -> dt.datetime:
    """An aware datetime in the current time zone without its tzinfo (Excel has no zones)."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def xlsx_cell(sheet, value: Any, kind: str) -> WriteOnlyCell:
    if isinstance(value, dt.datetime):
        value = _naive(value)
    if kind == "bool" and value is not None:
        value = "yes" if value else "no"
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl reads a string starting with "=" as a formula: text is always text here.
        cell.data_type = "s"
    elif value is not None and KINDS[kind]:
        cell.number_format = KINDS[kind]
    return cell


def xlsx_bytes(rows: Iterable, columns: Sequence[Column], *, title: str = "Export") -> bytes:
    """A one-sheet workbook: a bold header row frozen above the rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(ILLEGAL_CHARACTERS_RE.sub("", title) or "Export")[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        width = max(WIDTHS[column.kind], len(column.header) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True)
        cell.data_type = "s"
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([xlsx_cell(sheet, column.accessor(row), column.kind) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- helpers for the lists' column definitions ----------------------------------------------------


def attr(path: str) -> Callable[[Any], Any]:
    """An accessor reading a dotted attribute path ("program.code"), None past a missing link."""
    names = path.split(".")

    def read(row):
        value = row
        for name in names:
            try:
                value = getattr(value, name)
            except AttributeError:  # includes a reverse one-to-one that does not exist
                return None
            if value is None:
                return None
        return value() if callable(value) else value

    return read


def display(path: str) -> Callable[[Any], Any]:
    """The display label of a choices field at `path` ("status" reads get_status_display())."""
    *parents, name = path.split(".")
    target = attr(".".join(parents)) if parents else (lambda row: row)

    def read(row):
        obj = target(row)
        return None if obj is None else getattr(obj, f"get_{name}_display")()

    return read


def user_name(path: str) -> Callable[[Any], Any]:
    """The full name (else username) of the user at `path`, None for nobody."""
    read = attr(path)

    def name(row):
        user = read(row)
        return None if user is None else (user.get_full_name() or user.username)

    return name
