"""Excel (XLSX) exports of the money tables, written with openpyxl.

Each sheet has one bold header row, frozen beneath it, then the rows: money as numbers with a
thousands-separated money format, dates as dates, indices and percentages as numbers with their own formats, and "n/a"
where a figure is not defined. Workbooks are write-only, so a long cost-entry list streams
through in constant memory.

Money stays Decimal up to openpyxl, which writes it with 16 significant digits — how Excel
stores any number — so amounts up to tens of billions keep their cents exactly.

Text is always written as text (a cell typed "s", illegal control characters removed): a
description, title, vendor or project name starting with "=" never becomes a live formula.

The builders take what the selectors return (no queries of their own, except that
`cost_entries_workbook` iterates its queryset in chunks).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
INDEX_FORMAT = "0.000"
PERCENT_FORMAT = '0.0"%"'  # the values are already percentages (42.5 means 42.5 %)
DAYS_FORMAT = "0.0"
NOT_DEFINED = "n/a"

FORMATS = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "index": INDEX_FORMAT, "percent": PERCENT_FORMAT}
UNDEFINED_SHOWN = {"money", "index", "percent", "days"}  # a missing date or text is left blank
WIDTHS = {"money": 16, "date": 12, "index": 10, "percent": 10, "days": 10, "text": 18, "int": 10}


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    kind: str = "text"  # money, date, index, percent, days, int, text
    width: int | None = None


def _text(sheet, value: str, *, bold: bool = False) -> WriteOnlyCell:
    """A text cell that stays text: openpyxl would take a string starting with "=" as a formula."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _cell(sheet, value, kind: str):
    if value is None:
        value = NOT_DEFINED if kind in UNDEFINED_SHOWN else None
    if isinstance(value, str):
        return _text(sheet, value)
    cell = WriteOnlyCell(sheet, value=value)
    if kind in FORMATS and not isinstance(value, str):
        cell.number_format = FORMATS[kind]
    elif kind == "days" and not isinstance(value, str):
        cell.number_format = DAYS_FORMAT
    return cell


def add_sheet(workbook: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> None:
    """Append a sheet: a bold, frozen header row, then `rows` (values in `columns` order)."""
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width or max(
            WIDTHS.get(column.kind, 14), len(column.header) + 2
        )
    sheet.append([_text(sheet, column.header, bold=True) for column in columns])
    for row in rows:
        sheet.append([_cell(sheet, value, column.kind) for value, column in zip(row, columns, strict=True)])


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def xlsx_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    stem = slugify(filename) or "export"
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response


# -- budget vs actual vs forecast ----------------------------------------------------------------


def budget_by_period_workbook(report, *, title: str = "Budget by period") -> Workbook:
    """budgets.selectors.BudgetByPeriod: one row per fiscal period, then a total row."""
    currency = report.currency
    columns = [
        Column("Period"),
        Column("Start", "date"),
        Column("End", "date"),
        Column(f"Original budget ({currency})", "money"),
        Column(f"Current budget ({currency})", "money"),
        Column(f"Actual ({currency})", "money"),
        Column(f"Forecast ({currency})", "money"),
        Column(f"Variance ({currency})", "money"),
    ]
    rows = [
        (r.period.label, r.period.start, r.period.end, r.original, r.budget, r.actual, r.forecast, r.variance)
        for r in report.rows
    ]
    if rows:
        rows.append(
            (
                "Total",
                None,
                None,
                report.total("original"),
                report.total("budget"),
                report.total("actual"),
                report.total("forecast"),
                report.total("budget") - report.total("actual"),
            )
        )
    workbook = new_workbook()
    add_sheet(workbook, title, columns, rows)
    return workbook


# -- earned value --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measure:
    """One line of the EVM table: its abbreviation, name, value and kind (Column kinds)."""

    key: str
    label: str
    value: object
    kind: str


def evm_measures(figures) -> list[Measure]:
    """The EVM table's lines for budgets.evm.EarnedValue, in the order the page shows them."""
    f = figures
    return [
        Measure("BAC", "Budget at completion", f.bac, "money"),
        Measure("PV", "Planned value", f.pv, "money"),
        Measure("EV", "Earned value", f.ev, "money"),
        Measure("AC", "Actual cost", f.ac, "money"),
        Measure("SV", "Schedule variance (EV − PV)", f.sv, "money"),
        Measure("CV", "Cost variance (EV − AC)", f.cv, "money"),
        Measure("SPI", "Schedule performance index (EV / PV)", f.spi, "index"),
        Measure("CPI", "Cost performance index (EV / AC)", f.cpi, "index"),
        Measure("EAC", f"Estimate at completion ({eac_method_label(f.eac_method)})", f.eac, "money"),
        Measure("EAC (CPI)", "BAC / CPI", f.eac_cpi, "money"),
        Measure("EAC (budget rate)", "AC + (BAC − EV)", f.eac_at_budget_rate, "money"),
        Measure("EAC (CPI × SPI)", "AC + (BAC − EV) / (CPI × SPI)", f.eac_cpi_spi, "money"),
        Measure("EAC (bottom-up)", "AC + ETC from the forecasts", f.eac_bottom_up, "money"),
        Measure("ETC", "Estimate to complete (EAC − AC)", f.etc, "money"),
        Measure("VAC", "Variance at completion (BAC − EAC)", f.vac, "money"),
        Measure("TCPI", "To-complete performance index, to BAC", f.tcpi, "index"),
        Measure("TCPI (EAC)", "To-complete performance index, to EAC", f.tcpi_eac, "index"),
        # Earned, not the status report's reported percent complete (the project and program pages).
        Measure("% complete (earned)", "EV / BAC", f.percent_complete, "percent"),
        Measure("% spent", "AC / BAC", f.percent_spent, "percent"),
        Measure("ES", "Earned schedule (days)", f.es, "days"),
        Measure("AT", "Actual time (days)", f.at, "days"),
        Measure("SPI(t)", "Schedule performance index, time (ES / AT)", f.spi_t, "index"),
        Measure("SV(t)", "Schedule variance, time (ES − AT, days)", f.sv_t, "days"),
        Measure("IEAC(t)", "Independent estimate at completion, time (days)", f.ieac_t, "days"),
        # Not the schedule's CPM finish (Project.forecast_finish): the pages label both.
        Measure(FORECAST_FINISH_ES, "Start + IEAC(t): the pace so far, projected", f.forecast_finish, "date"),
    ]


FORECAST_FINISH_ES = "Forecast finish (earned schedule)"
EAC_METHODS = {"bottom_up": "bottom-up: AC + ETC", "cpi": "BAC / CPI"}


def eac_method_label(method: str | None) -> str:
    return EAC_METHODS.get(method or "", "not defined")


def evm_workbook(report, *, title: str, per_project: Sequence[tuple[str, str, object]] = ()) -> Workbook:
    """budgets.selectors.EvmReport as a two-column table (measure, value), its warnings on a
    second sheet, and — for a program — one row per project on a third (`per_project`:
    (code, name, EvmReport or None) triples)."""
    workbook = new_workbook()
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for letter, width in (("A", 18), ("B", 46), ("C", 18)):
        sheet.column_dimensions[letter].width = width
    headers = ("Measure", "Definition", f"Value ({report.currency})")
    sheet.append([_text(sheet, v, bold=True) for v in headers])
    sheet.append([_text(sheet, "As of"), _text(sheet, "Status date"), _cell(sheet, report.as_of, "date")])
    for m in evm_measures(report.figures):
        sheet.append([_text(sheet, m.key), _text(sheet, m.label), _cell(sheet, m.value, m.kind)])
    add_sheet(
        workbook,
        "Warnings",
        [Column("Code", width=24), Column("Warning", width=100)],
        [(w.code, w.message) for w in report.warnings],
    )
    if per_project:
        add_sheet(workbook, "Projects", project_evm_columns(report.currency), project_evm_rows(per_project))
    return workbook


def project_evm_columns(currency: str) -> list[Column]:
    return [
        Column("Project", width=14),
        Column("Name", width=30),
        Column(f"BAC ({currency})", "money"),
        Column(f"PV ({currency})", "money"),
        Column(f"EV ({currency})", "money"),
        Column(f"AC ({currency})", "money"),
        Column("SPI", "index"),
        Column("CPI", "index"),
        Column(f"EAC ({currency})", "money"),
        Column(f"VAC ({currency})", "money"),
        Column(FORECAST_FINISH_ES, "date"),
    ]


def project_evm_rows(per_project) -> list[tuple]:
    rows = []
    for code, name, report in per_project:
        if report is None:
            rows.append((code, name, *([None] * 9)))
            continue
        f = report.figures
        rows.append((code, name, f.bac, f.pv, f.ev, f.ac, f.spi, f.cpi, f.eac, f.vac, f.forecast_finish))
    return rows


# -- cost entries ------------------------------------------------------------------------------


COST_ENTRY_COLUMNS = [
    Column("Date", "date"),
    Column("Project", width=14),
    Column("Category", width=24),
    Column("Amount", "money"),
    Column("Currency", width=10),
    Column("Source", width=16),
    Column("External reference", width=20),
    Column("Vendor", width=24),
    Column("Contract", width=16),
    Column("Task", width=24),
    Column("Description", width=40),
]


def cost_entries_workbook(entries) -> Workbook:
    """Cost entries (a queryset with project, category, vendor, contract and task loaded), in
    the order given, read in chunks."""
    rows = (
        (
            e.date,
            e.project.code,
            str(e.category),
            e.amount,
            e.currency_id,
            e.get_source_display(),
            e.external_ref,
            e.vendor.name if e.vendor_id else "",
            e.contract.number if e.contract_id else "",
            e.task.name if e.task_id else "",
            e.description,
        )
        for e in entries.iterator(chunk_size=2000)
    )
    workbook = new_workbook()
    add_sheet(workbook, "Cost entries", COST_ENTRY_COLUMNS, rows)
    return workbook


# -- contracts ---------------------------------------------------------------------------------


def contracts_workbook(burns) -> Workbook:
    """budgets.selectors.ContractBurn rows (contracts with vendor loaded, projects prefetched)."""
    columns = [
        Column("Number", width=14),
        Column("Title", width=30),
        Column("Vendor", width=24),
        Column("Type", width=22),
        Column("Currency", width=10),
        Column("Ceiling", "money"),
        Column("Obligated", "money"),
        Column("Invoiced", "money"),
        Column("Remaining obligation", "money"),
        Column("% of obligated", "percent"),
        Column("% of ceiling", "percent"),
        Column("Start", "date"),
        Column("End", "date"),
        Column("Projects", width=30),
    ]
    rows = (
        (
            b.contract.number,
            b.contract.title,
            b.contract.vendor.name,
            b.contract.get_type_display(),
            b.currency,
            b.ceiling,
            b.obligated,
            b.invoiced,
            b.remaining_obligation,
            b.percent_of_obligated,
            b.percent_of_ceiling,
            b.contract.period_start,
            b.contract.period_end,
            ", ".join(p.code for p in b.contract.projects.all()),
        )
        for b in burns
    )
    workbook = new_workbook()
    add_sheet(workbook, "Contracts", columns, rows)
    return workbook


# -- lifecycle cost estimate comparison ----------------------------------------------------------


def lcce_workbook(comparison) -> Workbook:
    """budgets.selectors.LcceComparison: one row per phase, fiscal year and category, a total."""
    currency = comparison.currency
    left, right = f"v{comparison.left.number}", f"v{comparison.right.number}"
    columns = [
        Column("Phase", width=28),
        Column("Fiscal year", "int"),
        Column("Category", width=12),
        Column("Category name", width=24),
        Column(f"{left} ({currency})", "money"),
        Column(f"{right} ({currency})", "money"),
        Column(f"Change {comparison.delta_label} ({currency})", "money"),
    ]
    rows: list[tuple] = [
        (r.phase_label, r.fiscal_year, r.category_code, r.category_name, r.left, r.right, r.delta)
        for r in comparison.rows
    ]
    rows.append(("Total", None, "", "", comparison.left_total, comparison.right_total, comparison.delta))
    workbook = new_workbook()
    add_sheet(workbook, f"LCCE {left} vs {right}", columns, rows)
    return workbook


__all__ = [
    "XLSX",
    "Column",
    "Measure",
    "add_sheet",
    "budget_by_period_workbook",
    "contracts_workbook",
    "cost_entries_workbook",
    "evm_measures",
    "evm_workbook",
    "lcce_workbook",
    "xlsx_response",
]
