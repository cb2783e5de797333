"""The portfolio health board's tables as an Excel workbook (reporting:portfolio-board-export),
written with openpyxl from what reporting.board reads: the same rows, filters and order as the
board, every row. Numbers are numbers; money carries the portfolio currency in its number format.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portfolio.models import Portfolio
from projects.models import Rag

from .board import BoardRow, Headline, ObjectiveCoverage


def money_format(currency: str) -> str:
    return f'#,##0.00 "{currency}";[Red]-#,##0.00 "{currency}"'


INDEX_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
FTE_FORMAT = "0.00"

PROGRAM_COLUMNS = [
    ("Code", "text"),
    ("Program", "text"),
    ("Status", "text"),
    ("Computed health", "text"),
    ("Reason", "text"),
    ("Reported RAG", "text"),
    ("Disagree", "text"),
    ("CPI", "index"),
    ("SPI", "index"),
    ("BAC", "money"),
    ("EAC", "money"),
    ("VAC", "money"),
    ("Forecast finish", "date"),
    ("Baseline finish", "date"),
    ("Slip (working days)", "int"),
    ("Milestones late", "int"),
    ("Milestones due in 90 days", "int"),
    ("Exposure (EMV)", "money"),
    ("Reserve remaining", "money"),
    ("Exposure uncovered", "money"),
    ("FTE requested", "fte"),
    ("FTE allocated", "fte"),
    ("People over-allocated", "int"),
    ("P80 finish (simulated)", "date"),
    ("P80 cost (simulated)", "money"),
    ("Note", "text"),
]


def _program_values(row: BoardRow) -> list:
    program, state, r = row.program, row.state, row.rollup
    head = [
        program.code,
        program.name,
        program.get_status_display(),
        state.health_label,
        state.reason,
        Rag(state.reported_rag).label if state.reported_rag else "",
        "yes" if state.disagrees else "",
    ]
    if r is None:
        return [*head, *([None] * 18), row.note or "Not computed yet"]
    return [
        *head,
        r.cpi,
        r.spi,
        r.bac,
        r.eac,
        r.vac,
        r.forecast_finish,
        r.baseline_finish,
        r.slip_working_days,
        r.milestones_late,
        r.milestones_due_90,
        r.emv,
        r.reserve_remaining,
        r.exposure_uncovered,
        r.fte_requested,
        r.fte_allocated,
        r.people_overallocated,
        r.p80_finish,
        r.p80_cost,
        "",
    ]


def _sheet(workbook, title: str, columns, rows, currency: str) -> None:
    formats = {"money": money_format(currency), "index": INDEX_FORMAT, "date": DATE_FORMAT, "fte": FTE_FORMAT}
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "C2" if title == "Programs" else "A2"
    for index, (header, kind) in enumerate(columns, start=1):
        width = {"money": 18, "text": 28 if header in ("Program", "Reason", "Note", "Objective") else 16}.get(kind, 12)
        sheet.column_dimensions[get_column_letter(index)].width = max(width, min(len(header) + 2, 30))
    header_cells = []
    for header, _kind in columns:
        cell = WriteOnlyCell(sheet, value=header)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in rows:
        cells = []
        for value, (_header, kind) in zip(values, columns, strict=True):
            if kind == "figure":  # (value, kind) of a figure sheet's row
                value, kind = value
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                # openpyxl reads a string starting with "=" as a formula: text is always text here.
                cell.data_type = "s"
            elif value is not None and kind in formats:
                cell.number_format = formats[kind]
            cells.append(cell)
        sheet.append(cells)


def board_workbook(
    *, portfolio: Portfolio, rows: list[BoardRow], coverage: list[ObjectiveCoverage], headline: Headline
) -> bytes:
    """The board's tables as an .xlsx: Programs (the rows given, in their order), Objectives
    and, for readers who oversee the portfolio, Portfolio (the headline figures). Numbers are
    numbers; money carries the portfolio currency in its number format."""
    currency = portfolio.base_currency
    workbook = Workbook(write_only=True)
    _sheet(workbook, "Programs", PROGRAM_COLUMNS, (_program_values(row) for row in rows), currency)
    _sheet(
        workbook,
        "Objectives",
        [
            ("Code", "text"),
            ("Objective", "text"),
            ("Programs", "int"),
            ("Weighted programs", "fte"),
            ("Weighted BAC", "money"),
            ("Weighted AC", "money"),
            ("Programs with figures", "int"),
        ],
        (
            [
                c.objective.code,
                c.objective.title,
                len(c.programs),
                c.weighted_programs,
                c.bac,
                c.ac,
                c.programs_with_money,
            ]
            for c in coverage
        ),
        currency,
    )
    r = headline.rollup
    if r is not None:
        figures = [
            ("Computed health", headline.state.health_label, "text"),
            ("CPI", r.cpi, "index"),
            ("SPI", r.spi, "index"),
            ("BAC", r.bac, "money"),
            ("EAC", r.eac, "money"),
            ("VAC", r.vac, "money"),
            ("Exposure (EMV)", r.emv, "money"),
            ("Reserve remaining", r.reserve_remaining, "money"),
            ("Exposure uncovered", r.exposure_uncovered, "money"),
            ("Open projects red", r.projects_red, "int"),
            ("Open projects amber", r.projects_amber, "int"),
            ("Open projects green", r.projects_green, "int"),
            ("Milestones late", r.milestones_late, "int"),
        ]
        sheet_rows = [[label, (value, kind)] for label, value, kind in figures]
        _sheet(workbook, "Portfolio", [("Figure", "text"), ("Value", "figure")], sheet_rows, currency)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
