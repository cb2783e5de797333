"""A risk analysis run's results as an Excel workbook (the `?export=xlsx` of the risk-analysis
page): a Summary sheet of the headline figures and what the run was given, then the finish and
cost distributions, the criticality of tasks and the drivers of the finish and the cost.

Cells go through core.exports.xlsx_cell: text is always typed as text (a task or risk named
"=HYPERLINK(…)" stays a string), dates are dates, money is a number with a money format.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.exports import xlsx_cell

from .models import AnalysisRun
from .selectors.analysis_page import Summary


def _probability(value: float | None):
    return None if value is None else round(value * 100, 1)


def _sheet(workbook, title: str, columns: list[tuple[str, str]], rows) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, (header, kind) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14 if kind != "text" else 24, len(header) + 2)
    header = []
    for name, _kind in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cell.data_type = "s"
        header.append(cell)
    sheet.append(header)
    for values in rows:
        cells = []
        for value, (_name, kind) in zip(values, columns, strict=True):
            if isinstance(value, tuple):  # (value, kind) in a figure sheet
                value, kind = value
            cells.append(xlsx_cell(sheet, value, kind))
        sheet.append(cells)


def analysis_workbook(*, run: AnalysisRun, summary: Summary, scope_name: str, currency: str) -> bytes:
    """The workbook of one succeeded run. Money is in `currency`; chances are percentages."""
    finish, cost, contingency = summary.finish, summary.cost, summary.contingency
    figures = [
        ("Scope", scope_name, "text"),
        ("Run", run.pk, "int"),
        ("Finished", run.finished_at, "datetime"),
        ("Iterations", run.iterations, "int"),
        ("Seed", str(run.seed), "text"),
        ("Basis", run.get_basis_display(), "text"),
        ("Engine version", run.engine_version, "text"),
        ("Currency", currency, "text"),
        ("P10 finish", finish.p10, "datetime"),
        ("P50 finish", finish.p50, "datetime"),
        ("P80 finish", finish.p80, "datetime"),
        ("P90 finish", finish.p90, "datetime"),
        ("Mean finish", finish.mean, "datetime"),
        ("Plan's finish (deterministic)", finish.deterministic, "datetime"),
        ("Chance of the plan's finish (%)", _probability(finish.deterministic_percentile), "percent"),
        ("Baseline finish", finish.reference, "datetime"),
        ("Chance of meeting the baseline finish (%)", _probability(finish.p_reference), "percent"),
        ("Target date", finish.target, "datetime"),
        ("Chance of meeting the target (%)", _probability(finish.p_target), "percent"),
        ("Schedule margin, plan to P80 (working days)", summary.schedule_margin_days, "number"),
        ("P10 cost", cost.p10, "money"),
        ("P50 cost", cost.p50, "money"),
        ("P80 cost", cost.p80, "money"),
        ("P90 cost", cost.p90, "money"),
        ("Mean cost", cost.mean, "money"),
        ("Plan's cost (deterministic)", cost.deterministic, "money"),
        ("Chance of the plan's cost (%)", _probability(cost.deterministic_percentile), "percent"),
        ("Budget", cost.reference, "money"),
        ("Chance of staying within budget (%)", _probability(cost.p_reference), "percent"),
        ("Contingency needed for P80", contingency.get("needed"), "money"),
        ("Contingency remaining", contingency.get("contingency_remaining"), "money"),
        ("Management reserve remaining", contingency.get("management_reserve_remaining"), "money"),
        ("Shortfall after both reserves", contingency.get("shortfall"), "money"),
    ]
    workbook = Workbook(write_only=True)
    _sheet(
        workbook,
        "Summary",
        [("Figure", "text"), ("Value", "text")],
        [[label, (value, kind)] for label, value, kind in figures],
    )
    _sheet(
        workbook,
        "Finish distribution",
        [("From", "datetime"), ("To", "datetime"), ("Iterations", "int")],
        [list(row) for row in finish.histogram],
    )
    _sheet(
        workbook,
        "Cost distribution",
        [("From", "money"), ("To", "money"), ("Iterations", "int")],
        [list(row) for row in cost.histogram],
    )
    _sheet(
        workbook,
        "Criticality",
        [("Task", "text"), ("Project", "text"), ("Critical in (% of iterations)", "percent")],
        [[c.get("name", ""), c.get("project", ""), _probability(c.get("index"))] for c in summary.criticality],
    )
    _sheet(
        workbook,
        "Finish drivers",
        [
            ("Driver", "text"),
            ("Kind", "text"),
            ("Correlation", "number"),
            ("Finish at low", "datetime"),
            ("Finish at high", "datetime"),
        ],
        [[d.label, d.kind, d.correlation, d.low, d.high] for d in summary.finish_drivers],
    )
    _sheet(
        workbook,
        "Cost drivers",
        [
            ("Driver", "text"),
            ("Kind", "text"),
            ("Correlation", "number"),
            ("Cost at low", "money"),
            ("Cost at high", "money"),
        ],
        [[d.label, d.kind, d.correlation, d.low, d.high] for d in summary.cost_drivers],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
