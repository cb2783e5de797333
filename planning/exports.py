"""The scenario comparison as an Excel workbook and a PDF: the same Comparison
(planning.selectors.compare) the compare page shows, and for the PDF the same chart markup
(planning.charts.comparison_charts), so a figure shown twice is computed once.

The workbook is written with budgets.exports' writer: text cells stay text (a scenario or project
named "=HYPERLINK(…)" is never a live formula), money is a number with a money format, months and
starts are dates.

The PDF is laid out by WeasyPrint from templates/planning/pdf/compare.html; its charts are data:
URLs, and the fetcher allows nothing else, so printing reads no file and no URL.
"""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from django.utils import timezone

from budgets.exports import Column, add_sheet, new_workbook

from .charts import comparison_charts

HUNDRED = 100
# The FTE, score and percentage columns reuse budgets.exports' number formats: "days" is a
# number with one decimal place, "index" one with three.
FTE = "days"
SCORE = "index"

NO_PANGO = (
    "PDF exports are not available on this server: WeasyPrint needs Pango and a font from the operating "
    "system (on Debian or Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
    "fonts-dejavu-core). Every figure is on the compare page and in the Excel export."
)


def _percent(share):
    return None if share is None else share * HUNDRED


def comparison_workbook(comparison):
    """Sheets: Summary, Cost by fiscal year, Capacity (one row per role and month), Objectives,
    Projects (those that differ from the live portfolio or between the scenarios)."""
    c = comparison.currency
    workbook = new_workbook()
    add_sheet(
        workbook,
        "Summary",
        [
            Column("Letter"),
            Column("Scenario", width=32),
            Column("Status"),
            Column("Projects included", "int"),
            Column(f"Cost in the horizon ({c})", "money"),
            Column("Total score", SCORE),
            Column("Benefits", SCORE),
            Column(f"Risk exposure ({c})", "money"),
            Column("Fiscal years over the cap", "int"),
            Column("Role-months over capacity", "int"),
            Column("Added", "int"),
            Column("Dropped", "int"),
            Column("Shifted", "int"),
        ],
        [
            (
                s.letter,
                s.name,
                s.scenario.get_status_display() if hasattr(s.scenario, "get_status_display") else "",
                s.included,
                s.total_cost,
                s.total_score,
                s.total_benefits,
                s.total_risk_exposure,
                len(s.over_cap),
                s.over_capacity_cells,
                len(s.added),
                len(s.dropped),
                len(s.shifted),
            )
            for s in comparison.scenarios
        ],
    )
    cost_columns = [Column("Fiscal year")]
    for s in comparison.scenarios:
        cost_columns += [
            Column(f"{s.letter} cost ({c})", "money"),
            Column(f"{s.letter} cap ({c})", "money"),
            Column(f"{s.letter} over the cap ({c})", "money"),
        ]
    add_sheet(
        workbook,
        "Cost by fiscal year",
        cost_columns,
        [
            (line.fiscal_year, *[v for cell in line.cells for v in (cell.cost, cell.cap, cell.over)])
            for line in comparison.cost_lines
        ],
    )
    capacity_columns = [Column("Role", width=24), Column("Month", "date")]
    for s in comparison.scenarios:
        capacity_columns += [
            Column(f"{s.letter} demand (FTE)", FTE),
            Column(f"{s.letter} supply (FTE)", FTE),
            Column(f"{s.letter} % of supply", "percent"),
        ]
    capacity_rows = []
    for role_index, role in enumerate(comparison.roles):
        for month_index, month in enumerate(comparison.months):
            cells = [heat.cells[role_index][month_index] for heat in comparison.heat_maps]
            capacity_rows.append(
                (role, month, *[v for cell in cells for v in (cell.demand, cell.supply, cell.percent)])
            )
    add_sheet(workbook, "Capacity", capacity_columns, capacity_rows)
    objective_columns = [Column("Objective"), Column("Title", width=32)]
    for s in comparison.scenarios:
        objective_columns += [
            Column(f"{s.letter} coverage (% of weight)", "percent"),
            Column(f"{s.letter} projects included", "int"),
            Column(f"{s.letter} projects contributing", "int"),
        ]
    add_sheet(
        workbook,
        "Objectives",
        objective_columns,
        [
            (
                line.code,
                line.title,
                *[
                    v
                    for share, (included, total) in zip(line.shares, line.projects, strict=True)
                    for v in (_percent(share), included, total)
                ],
            )
            for line in comparison.objective_lines
        ],
    )
    project_columns = [
        Column("Project", width=32),
        Column("Program", width=24),
        Column("Live"),
        Column("Live start", "date"),
    ]
    for s in comparison.scenarios:
        project_columns += [
            Column(f"{s.letter} change"),
            Column(f"{s.letter} start", "date"),
            Column(f"{s.letter} finish", "date"),
            Column(f"{s.letter} shift (months)", "int"),
        ]
    project_columns.append(Column("Differs between scenarios"))
    add_sheet(
        workbook,
        "Projects",
        project_columns,
        [
            (
                line.label,
                line.program,
                "Included" if line.live_included else "Not included",
                line.live_start,
                *[
                    v
                    for cell in line.cells
                    for v in (
                        cell.change_label if cell.included or cell.change == "dropped" else "Not included",
                        cell.start if cell.included else None,
                        cell.finish if cell.included else None,
                        cell.shift_months if cell.included else None,
                    )
                ],
                "Yes" if line.differs_between else "No",
            )
            for line in comparison.project_lines
        ],
    )
    return workbook


def _image(svg: str) -> str:
    """A chart as a data: URL for an <img>: WeasyPrint lays it out as one image."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def comparison_html(comparison, *, portfolio, charts: dict | None = None) -> str:
    """The PDF's HTML: the compare page's figures and charts (drawn by comparison_charts)."""
    charts = charts or comparison_charts(comparison)
    return render_to_string(
        "planning/pdf/compare.html",
        {
            "comparison": comparison,
            "portfolio": portfolio,
            "generated_at": timezone.now(),
            "cost_chart": _image(charts["cost"]),
            "heat_maps": [(heat, _image(svg)) for heat, svg in charts["heat_maps"]],
        },
    )


def comparison_pdf(comparison, *, portfolio, base_url: str) -> bytes:
    """The comparison as PDF bytes. Raises OSError when the system lacks Pango (the view
    answers 503 with NO_PANGO). WeasyPrint is imported here: it loads Pango when imported."""
    import weasyprint

    html = comparison_html(comparison, portfolio=portfolio)
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
