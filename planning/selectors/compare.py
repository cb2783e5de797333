"""Two to four scenarios side by side: the read behind the compare page, its PDF and its Excel
workbook (planning/exports.py), which all print these figures and nothing else.

`compare_scenarios(views)` takes the scenarios as `scenario_view` reads them
(planning/selectors/scenario.py) and issues no query of its own: every figure is either one of
the view's own (cost by fiscal year, caps, demand, supply, totals, objective coverage) or a
regrouping of them, so a figure on the compare page always equals the one the scenario's own
page shows (tests/planning/test_views.py checks it).

The scenarios are lettered A to D in the order given; the charts and tables use the letters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..charts import HeatCell, heat_cells

ZERO = Decimal(0)
LETTERS = "ABCD"
MIN_SCENARIOS, MAX_SCENARIOS = 2, 4
WRONG_COUNT = "Choose two to four scenarios to compare."
MIXED_PORTFOLIOS = "Scenarios of different portfolios cannot be compared."

# How a project's place in a scenario reads in the tables.
CHANGE_LABELS = {
    "added": "Added",
    "dropped": "Dropped",
    "shifted": "Shifted",
    "budget": "Budget or demand changed",
    "unchanged": "Unchanged",
}


@dataclass(frozen=True, slots=True)
class ScenarioFigures:
    """One scenario's column: its headline figures and its changes against the live portfolio."""

    letter: str
    view: object  # ScenarioView
    name: str
    total_cost: Decimal
    total_score: Decimal
    total_benefits: Decimal
    total_risk_exposure: Decimal
    included: int
    added: list  # ScenarioRow
    dropped: list
    shifted: list
    over_cap: dict[str, Decimal]  # fiscal year → amount above its cap
    over_capacity_cells: int  # role-months where demand passes supply

    @property
    def scenario(self):
        return self.view.scenario


@dataclass(frozen=True, slots=True)
class CostCell:
    cost: Decimal
    cap: Decimal | None

    @property
    def over(self) -> Decimal | None:
        """The amount above the cap, None when within it or uncapped."""
        if self.cap is None or self.cost <= self.cap:
            return None
        return self.cost - self.cap

    @property
    def headroom(self) -> Decimal | None:
        return None if self.cap is None else self.cap - self.cost


@dataclass(frozen=True, slots=True)
class CostLine:
    fiscal_year: str
    cells: list[CostCell]  # one per scenario


@dataclass(frozen=True, slots=True)
class HeatMap:
    """One scenario's demand against supply: roles down, months across (the union of every
    compared scenario's, so the maps line up)."""

    letter: str
    name: str
    roles: list[str]
    months: list[dt.date]
    cells: list[list[HeatCell]]


@dataclass(frozen=True, slots=True)
class ObjectiveLine:
    code: str
    title: str
    shares: list[Decimal | None]  # included weight / total weight, 0 to 1, per scenario
    projects: list[tuple[int, int]]  # (included, total) per scenario

    @property
    def pairs(self) -> list[tuple[Decimal | None, tuple[int, int]]]:
        """(coverage in percent or None, (included, total)) per scenario, for the tables."""
        return [
            (None if share is None else share * 100, projects)
            for share, projects in zip(self.shares, self.projects, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class ProjectCell:
    included: bool
    change: str
    start: dt.date | None
    finish: dt.date | None
    shift_months: int

    @property
    def change_label(self) -> str:
        return CHANGE_LABELS.get(self.change, self.change)


@dataclass(frozen=True, slots=True)
class ProjectLine:
    """A project that differs somewhere: against the live portfolio in at least one scenario,
    or between the scenarios (included in one and not another, or a different start)."""

    key: str
    label: str
    program: str
    live_included: bool
    live_start: dt.date | None
    cells: list[ProjectCell]
    differs_between: bool


@dataclass(frozen=True, slots=True)
class Comparison:
    currency: str
    scenarios: list[ScenarioFigures]
    fiscal_years: list[str]
    cost_lines: list[CostLine]
    months: list[dt.date]
    roles: list[str]
    heat_maps: list[HeatMap]
    objective_lines: list[ObjectiveLine]
    project_lines: list[ProjectLine]
    unchanged_projects: int = 0  # projects the same in every scenario and live (not listed)
    notes: list[str] = field(default_factory=list)

    @property
    def letters(self) -> list[str]:
        return [s.letter for s in self.scenarios]


def _ordered_union(groups) -> list:
    return list(dict.fromkeys(item for group in groups for item in group))


def compare_scenarios(views: list) -> Comparison:
    """The comparison of 2 to 4 ScenarioViews of one portfolio (ValueError otherwise, with
    WRONG_COUNT or MIXED_PORTFOLIOS). No query."""
    if not MIN_SCENARIOS <= len(views) <= MAX_SCENARIOS:
        raise ValueError(WRONG_COUNT)
    if len({v.scenario.portfolio_id for v in views}) != 1:
        raise ValueError(MIXED_PORTFOLIOS)
    letters = LETTERS[: len(views)]
    figures = []
    for letter, view in zip(letters, views, strict=True):
        included = [r for r in view.rows if r.included]
        over_capacity = view.over_capacity()
        figures.append(
            ScenarioFigures(
                letter=letter,
                view=view,
                name=view.scenario.name,
                total_cost=sum(view.cost_by_fy.values(), ZERO),
                total_score=view.total_score,
                total_benefits=view.total_benefits,
                total_risk_exposure=view.total_risk_exposure,
                included=len(included),
                added=[r for r in view.rows if r.change == "added"],
                dropped=[r for r in view.rows if r.change == "dropped"],
                shifted=[r for r in view.rows if r.change == "shifted"],
                over_cap=view.over_cap(),
                over_capacity_cells=sum(len(cells) for cells in over_capacity.values()),
            )
        )
    fiscal_years = _ordered_union(v.fiscal_years for v in views)
    cost_lines = [
        CostLine(
            fiscal_year=fy,
            cells=[CostCell(v.cost_by_fy.get(fy, ZERO), v.budget_cap_by_fy.get(fy)) for v in views],
        )
        for fy in fiscal_years
    ]
    months = sorted(_ordered_union(v.months for v in views))
    roles = sorted(_ordered_union([*v.demand.keys(), *v.supply.keys()] for v in views))
    heat_maps = [
        HeatMap(
            letter=letter,
            name=view.scenario.name,
            roles=roles,
            months=months,
            cells=heat_cells(roles, months, view.demand, view.supply),
        )
        for letter, view in zip(letters, views, strict=True)
    ]
    codes = _ordered_union(v.objective_coverage.keys() for v in views)
    objective_lines = []
    for code in codes:
        coverages = [v.objective_coverage.get(code) for v in views]
        title = next(c.title for c in coverages if c is not None)
        objective_lines.append(
            ObjectiveLine(
                code=code,
                title=title,
                shares=[c.share if c is not None else None for c in coverages],
                projects=[(c.projects_included, c.projects_total) if c is not None else (0, 0) for c in coverages],
            )
        )
    project_lines, unchanged = _project_lines(views)
    return Comparison(
        currency=views[0].currency,
        scenarios=figures,
        fiscal_years=fiscal_years,
        cost_lines=cost_lines,
        months=months,
        roles=roles,
        heat_maps=heat_maps,
        objective_lines=objective_lines,
        project_lines=project_lines,
        unchanged_projects=unchanged,
    )


def _project_lines(views: list) -> tuple[list[ProjectLine], int]:
    by_key = [{r.key: r for r in v.rows} for v in views]
    keys = _ordered_union([r.key for r in v.rows] for v in views)
    lines, unchanged = [], 0
    for key in keys:
        rows = [rows_of.get(key) for rows_of in by_key]
        first = next(r for r in rows if r is not None)
        cells = [
            ProjectCell(r.included, r.change, r.start, r.finish, r.shift_months)
            if r is not None
            else ProjectCell(first.live_included, "unchanged", first.live_start, first.live_finish, 0)
            for r in rows
        ]
        placed = {(c.included, c.start if c.included else None) for c in cells}
        differs_between = len(placed) > 1
        if not differs_between and all(c.change == "unchanged" for c in cells):
            unchanged += 1
            continue
        lines.append(
            ProjectLine(
                key=key,
                label=first.label,
                program=first.program,
                live_included=first.live_included,
                live_start=first.live_start,
                cells=cells,
                differs_between=differs_between,
            )
        )
    return lines, unchanged
