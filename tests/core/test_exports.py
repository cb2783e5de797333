"""core.exports: the CSV and XLSX writers every list download uses."""

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from core import exports
from core.exports import Column, attr, display, export_response

COLUMNS = [
    Column("Name", attr("name")),
    Column("Budget", attr("budget"), "money"),
    Column("Count", attr("count"), "int"),
    Column("Due", attr("due"), "date"),
    Column("Active", attr("active"), "bool"),
]


def _row(name, budget=Decimal("1234.50"), count=3, due=dt.date(2026, 5, 1), active=True):
    return SimpleNamespace(name=name, budget=budget, count=count, due=due, active=active)


def _csv(rows, columns=COLUMNS) -> str:
    return "".join(exports.csv_lines(rows, columns))


def test_csv_starts_with_a_byte_order_mark_and_the_header():
    text = _csv([_row("Alpha")])
    assert text.startswith("\ufeffName,Budget,Count,Due,Active\r\n")
    assert text.endswith("Alpha,1234.50,3,2026-05-01,yes\r\n")


def test_csv_quotes_commas_quotes_and_newlines():
    text = _csv([_row('He said "go", then\nleft')])
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1][0] == 'He said "go", then\nleft'


@pytest.mark.parametrize("dangerous", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x")'])
def test_csv_neutralises_text_that_a_spreadsheet_would_run_as_a_formula(dangerous):
    text = _csv([_row(dangerous)])
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1][0] == "'" + dangerous


def test_csv_leaves_negative_numbers_alone():
    text = _csv([_row("Loss", budget=Decimal("-50.00"), count=-2)])
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1][1:3] == ["-50.00", "-2"]


def test_csv_writes_empty_cells_for_none():
    text = _csv([_row("Empty", budget=None, count=None, due=None, active=None)])
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1] == ["Empty", "", "", "", ""]


def test_xlsx_keeps_numbers_dates_and_money_typed():
    data = exports.xlsx_bytes([_row("Alpha")], COLUMNS, title="Things")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Things"
    assert [c.value for c in sheet[1]] == ["Name", "Budget", "Count", "Due", "Active"]
    name, budget, count, due, active = sheet[2]
    assert name.value == "Alpha"
    assert budget.value == pytest.approx(1234.5)
    assert budget.data_type == "n"
    assert budget.number_format == exports.KINDS["money"]
    assert count.value == 3
    assert count.data_type == "n"
    assert due.value == dt.datetime(2026, 5, 1)
    assert due.is_date
    assert active.value == "yes"


def test_xlsx_stores_formula_like_text_as_text():
    data = exports.xlsx_bytes([_row("=1+1")], COLUMNS)
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    assert cell.value == "=1+1"
    assert cell.data_type == "s"


def test_xlsx_writes_aware_datetimes_in_local_time():
    moment = dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.UTC)
    columns = [Column("At", attr("at"), "datetime")]
    data = exports.xlsx_bytes([SimpleNamespace(at=moment)], columns)
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    assert cell.is_date
    assert cell.value.tzinfo is None


def test_attr_reads_through_links_and_stops_at_none():
    row = SimpleNamespace(program=SimpleNamespace(code="MOD"), project=None)
    assert attr("program.code")(row) == "MOD"
    assert attr("project.code")(row) is None


def test_display_reads_the_choice_label():
    row = SimpleNamespace(get_status_display=lambda: "Active")
    assert display("status")(row) == "Active"


def test_no_export_parameter_means_no_download():
    request = RequestFactory().get("/things/")
    assert export_response(request, rows=[], columns=COLUMNS, filename="things") is None


def test_unknown_export_format_is_a_400_naming_export():
    request = RequestFactory().get("/things/", {"export": "pdf"})
    response = export_response(request, rows=[], columns=COLUMNS, filename="things")
    assert response.status_code == 400
    assert "export" in response.content.decode()


def test_csv_download_is_streamed_as_an_attachment():
    request = RequestFactory().get("/things/", {"export": "csv"})
    response = export_response(request, rows=[_row("Alpha")], columns=COLUMNS, filename="My things")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="my-things-' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).decode("utf-8").count("\r\n") == 2
