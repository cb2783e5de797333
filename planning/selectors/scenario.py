"""A scenario as the people deciding it read it: the live portfolio with the scenario's overlay.

`scenario_view(scenario)` is the one read every planning page, chart, export, the optimiser
and the commit start from. It reads each domain once for all the portfolio's open projects, so
its query count does not grow with the projects (tests/planning/test_selectors.py):

- cost: the projects' CURRENT budget lines by fiscal period (budgets), converted to the
  portfolio's base currency at each period's first day; a ScenarioBudget replaces a project's
  whole budget in its period;
- demand: staffing requests (not cancelled) plus allocations made without a request, as FTE
  (40-hour weeks) per role and calendar month, prorated by working days; a ScenarioDemand
  replaces a project's demand for a role in a month;
- supply: the active people of the portfolio's pool in their primary role, weekly capacity /
  40 per month, less their absences (staffing.capacity arithmetic);
- benefits: the program's benefits (governance, not cancelled) shared equally among its open
  projects, unless a project has a value entered on a `benefits` criterion;
- risk exposure: the EMV of the project's active risks (risks);
- objectives: the program's strategic objective weights (portfolio.ProgramObjective).

A shifted start moves the project's schedule through the CPM engine on an in-memory copy (no
live write), so its finish is the engine's; its monthly cost and demand move with it by whole
months. Months are the calendar months of the horizon; fiscal years are labelled "FY2027" by
the portfolio's fiscal calendar.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum

from budgets.models import BudgetLine, FiscalCalendar
from budgets.selectors.earned_value import fiscal_calendar_for
from budgets.selectors.rates import RateTable
from portfolio.models import ProgramObjective
from projects.models import Project
from projects.models.project import open_projects_q
from risks.models import Risk
from staffing import capacity
from staffing.models import Absence, Allocation, Person, StaffingRequest

from ..models import Scenario, ScenarioProject
from .cpm import shifted_finishes
from .scores import ProjectScore, project_benefits, project_scores

ZERO = Decimal(0)
HUNDRED = Decimal(100)
WEEK_HOURS = capacity.STANDARD_WEEK_HOURS

Change = str  # "added" | "dropped" | "shifted" | "budget" | "unchanged"
CHANGE_ADDED, CHANGE_DROPPED, CHANGE_SHIFTED, CHANGE_BUDGET, CHANGE_UNCHANGED = (
    "added",
    "dropped",
    "shifted",
    "budget",
    "unchanged",
)


# -- months ------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months (clamped to the target month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, std_calendar.monthrange(year, month + 1)[1]))


def months_between(first: dt.date, second: dt.date) -> int:
    """Whole calendar months from `first`'s month to `second`'s (negative when earlier)."""
    return (second.year - first.year) * 12 + second.month - first.month


def month_end(first: dt.date) -> dt.date:
    return first.replace(day=std_calendar.monthrange(first.year, first.month)[1])


def horizon_months(scenario: Scenario) -> list[dt.date]:
    start = month_start(scenario.horizon_start)
    return [add_months(start, i) for i in range(scenario.horizon_months)]


def fy_label(calendar: FiscalCalendar, day: dt.date) -> str:
    return f"FY{calendar.fiscal_year_of(day)}"


# -- the view ----------------------------------------------------------------------------------


@dataclass
class ObjectiveCoverage:
    """How much of a strategic objective the scenario serves: its included projects whose
    program contributes to it, and the mean contribution weight (percent) over them."""

    code: str
    title: str
    projects_included: int = 0
    projects_total: int = 0
    weight_included: Decimal = ZERO  # Σ program weight % over included projects
    weight_total: Decimal = ZERO  # Σ program weight % over every open project

    @property
    def share(self) -> Decimal | None:
        """Included weight / total weight (0-1), None when nothing contributes."""
        return self.weight_included / self.weight_total if self.weight_total else None


@dataclass
class ScenarioRow:
    """One open project of the portfolio in the scenario (included or not)."""

    key: str  # "p<project id>": the optimiser's candidate key
    project: Project
    label: str
    program: str
    included: bool
    change: Change
    live_included: bool
    live_start: dt.date | None
    start: dt.date | None
    live_finish: dt.date | None
    finish: dt.date | None
    shift_months: int
    cost_by_month: dict[dt.date, Decimal]  # whole project, in the base currency, shifted
    cost_by_fy: dict[str, Decimal]  # inside the horizon only
    demand: dict[str, dict[dt.date, Decimal]]  # role name → month → FTE, shifted
    score: Decimal | None
    benefits: Decimal
    risk_exposure: Decimal
    objectives: dict[str, Decimal]  # objective code → program weight %
    mandatory: bool = False
    exclusive_group: str = ""
    requires: list[int] = field(default_factory=list)  # project ids
    delay_max_months: int = 0
    budget_changed: bool = False
    demand_changed: bool = False
    overlay: ScenarioProject | None = None

    @property
    def total_cost(self) -> Decimal:
        return sum(self.cost_by_fy.values(), ZERO)


@dataclass
class ScenarioView:
    scenario: Scenario
    currency: str
    months: list[dt.date]
    fiscal_years: list[str]
    rows: list[ScenarioRow]
    cost_by_fy: dict[str, Decimal]  # included projects, horizon months only
    budget_cap_by_fy: dict[str, Decimal | None]
    demand: dict[str, dict[dt.date, Decimal]]  # role name → month → FTE of included projects
    supply: dict[str, dict[dt.date, Decimal]]  # role name → month → FTE available
    total_score: Decimal
    total_benefits: Decimal
    total_risk_exposure: Decimal
    objective_coverage: dict[str, ObjectiveCoverage]
    fiscal_year_of_month: dict[dt.date, str] = field(default_factory=dict)
    weights_method: str = "direct"  # "direct" | "pairwise"
    consistency_ratio: Decimal | None = None

    @property
    def included(self) -> list[ScenarioRow]:
        return [r for r in self.rows if r.included]

    @property
    def changed(self) -> list[ScenarioRow]:
        return [r for r in self.rows if r.change != CHANGE_UNCHANGED]

    def row(self, project_id: int) -> ScenarioRow | None:
        return next((r for r in self.rows if r.project.pk == project_id), None)

    def over_cap(self) -> dict[str, Decimal]:
        """Fiscal year → how much the included projects cost above its cap (only years over)."""
        return {
            fy: self.cost_by_fy.get(fy, ZERO) - cap
            for fy, cap in self.budget_cap_by_fy.items()
            if cap is not None and self.cost_by_fy.get(fy, ZERO) > cap
        }

    def over_capacity(self) -> dict[str, dict[dt.date, Decimal]]:
        """Role → month → FTE demanded above supply (only the cells over)."""
        found: dict[str, dict[dt.date, Decimal]] = {}
        for role, months in self.demand.items():
            for month, fte in months.items():
                gap = fte - self.supply.get(role, {}).get(month, ZERO)
                if gap > 0:
                    found.setdefault(role, {})[month] = gap
        return found


def live_included(project: Project) -> bool:
    """In the live portfolio: active (proposed and on-hold projects wait for a decision)."""
    return project.status == Project.Status.ACTIVE


def planning_projects(portfolio):
    """The portfolio's open projects, the rows of every scenario (one query when listed)."""
    return (
        Project.objects.filter(program__portfolio=portfolio)
        .filter(open_projects_q())
        .select_related("program")
        .order_by("program__name", "code")
    )


def _live_start(project: Project) -> dt.date | None:
    return project.planned_start


def _live_finish(project: Project) -> dt.date | None:
    return project.forecast_finish_day or project.planned_finish


# -- live figures, one query each ------------------------------------------------------------


def _live_costs(project_ids: list[int], base: str) -> dict[int, dict[dt.date, Decimal]]:
    """project → month (period start) → CURRENT budget in the base currency."""
    rows = list(
        BudgetLine.objects.filter(project_id__in=project_ids, budget_version=BudgetLine.Version.CURRENT)
        .order_by()
        .values("project_id", "period__start", "currency_id")
        .annotate(total=Sum("amount"))
    )
    currencies = {r["currency_id"] for r in rows} | {base}
    rates = RateTable.load(currencies, until=max((r["period__start"] for r in rows), default=dt.date.today()))
    found: dict[int, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for r in rows:
        amount = r["total"]
        if r["currency_id"] != base:
            amount = rates.convert(amount, r["currency_id"], base, r["period__start"])
        found[r["project_id"]][month_start(r["period__start"])] += amount
    return found


def _fte_by_month(start: dt.date, end: dt.date, weekly_fte: Decimal) -> dict[dt.date, Decimal]:
    """A constant weekly FTE over [start, end] as FTE per calendar month, prorated by the
    working days of each month it covers."""
    found = {}
    month = month_start(start)
    while month <= end:
        last = month_end(month)
        covered = capacity.working_days_between(max(month, start), min(last, end))
        whole = capacity.working_days_between(month, last)
        if covered and whole:
            found[month] = weekly_fte * covered / whole
        month = add_months(month, 1)
    return found


def _live_demand(project_ids: list[int]) -> dict[int, dict[str, dict[dt.date, Decimal]]]:
    """project → role name → month → FTE from requests and allocations made without one."""
    found: dict[int, dict[str, dict[dt.date, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(lambda: ZERO))
    )
    requests = (
        StaffingRequest.objects.filter(project_id__in=project_ids)
        .exclude(status=StaffingRequest.Status.CANCELLED)
        .select_related("role")
        .order_by()
    )
    for r in requests:
        weekly = r.fte_percent / HUNDRED if r.fte_percent is not None else r.hours_per_week / WEEK_HOURS
        for month, fte in _fte_by_month(r.start, r.end, weekly).items():
            found[r.project_id][r.role.name][month] += fte
    loose = (
        Allocation.objects.filter(project_id__in=project_ids, request__isnull=True)
        .select_related("role", "person")
        .order_by()
    )
    for a in loose:
        hours = (
            a.fte_percent / HUNDRED * a.person.weekly_capacity_hours if a.fte_percent is not None else a.hours_per_week
        )
        for month, fte in _fte_by_month(a.start, a.end, hours / WEEK_HOURS).items():
            found[a.project_id][a.role.name][month] += fte
    return found


def _supply(portfolio, months: list[dt.date]) -> dict[str, dict[dt.date, Decimal]]:
    """role name → month → FTE the pool's active people bring in their primary role."""
    if not months:
        return {}
    first, last = months[0], month_end(months[-1])
    people = list(
        Person.objects.filter(portfolio=portfolio, is_active=True, primary_role__isnull=False)
        .select_related("primary_role")
        .prefetch_related(
            Prefetch("absences", queryset=Absence.objects.filter(end__gte=first, start__lte=last).order_by())
        )
        .order_by()
    )
    found: dict[str, dict[dt.date, Decimal]] = defaultdict(lambda: dict.fromkeys(months, ZERO))
    for person in people:
        weekly = person.weekly_capacity_hours / WEEK_HOURS
        away = capacity.absence_days([(a.start, a.end) for a in person.absences.all()], first, last)
        for month in months:
            whole = capacity.working_days_between(month, month_end(month))
            if not whole:
                continue
            absent = sum(1 for d in away if d.year == month.year and d.month == month.month)
            found[person.primary_role.name][month] += weekly * (whole - absent) / whole
    return dict(found)


def _exposure(project_ids: list[int]) -> dict[int, Decimal]:
    return {
        row["project_id"]: row["total"] or ZERO
        for row in Risk.objects.active()
        .filter(project_id__in=project_ids)
        .order_by()
        .values("project_id")
        .annotate(total=Sum("emv"))
    }


def _objectives(projects: list[Project]):
    """program id → {objective code: weight %}, and code → title."""
    links = ProgramObjective.objects.filter(program_id__in={p.program_id for p in projects}).select_related("objective")
    by_program: dict[int, dict[str, Decimal]] = defaultdict(dict)
    titles: dict[str, str] = {}
    for link in links:
        by_program[link.program_id][link.objective.code] = link.weight
        titles[link.objective.code] = link.objective.title
    return by_program, titles


# -- assembling --------------------------------------------------------------------------------


def _shift(series: dict[dt.date, Decimal], months: int) -> dict[dt.date, Decimal]:
    return {add_months(m, months): v for m, v in series.items()} if months else dict(series)


def scenario_view(scenario: Scenario, *, scores: dict[int, ProjectScore] | None = None) -> ScenarioView:
    """The scenario over its horizon (see the module docstring). A fixed number of queries,
    whatever the number of projects; pass `scores` (project_scores) to reuse them."""
    portfolio = scenario.portfolio
    base = portfolio.base_currency
    calendar = fiscal_calendar_for(portfolio=portfolio)
    months = horizon_months(scenario)
    fy_of = {m: fy_label(calendar, m) for m in months}
    fiscal_years = list(dict.fromkeys(fy_of.values()))
    in_horizon = set(months)

    projects = list(planning_projects(portfolio))
    ids = [p.pk for p in projects]
    overlay = {
        row.project_id: row
        for row in ScenarioProject.objects.filter(scenario=scenario).prefetch_related(
            Prefetch("requires", queryset=Project.objects.only("pk"))
        )
    }
    budgets: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for b in scenario.budgets.select_related("period").order_by():
        budgets[b.project_id][month_start(b.period.start)] = b.amount
    demands: dict[int, dict[str, dict[dt.date, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for d in scenario.demands.select_related("role").order_by():
        demands[d.project_id][d.role.name][month_start(d.month)] = d.fte
    caps = dict(scenario.budget_caps.values_list("fiscal_year", "amount"))

    costs = _live_costs(ids, base)
    live_demand = _live_demand(ids)
    exposure = _exposure(ids)
    benefits = project_benefits(projects)
    objectives, titles = _objectives(projects)
    if scores is None:
        scores = project_scores(portfolio)

    starts = {}
    for p in projects:
        row = overlay.get(p.pk)
        if row is not None and row.start is not None and row.start != p.planned_start:
            starts[p.pk] = row.start
    finishes = shifted_finishes([p for p in projects if p.pk in starts], starts)

    rows: list[ScenarioRow] = []
    for p in projects:
        o = overlay.get(p.pk)
        live_in = live_included(p)
        included = live_in if o is None or o.included is None else o.included
        live_start = _live_start(p)
        start = starts.get(p.pk, live_start)
        shift = months_between(live_start, start) if live_start and start else 0
        # The live budget moves with the start; a scenario budget is entered where it falls.
        cost = _shift(costs.get(p.pk, {}), shift)
        cost.update(budgets.get(p.pk, {}))
        demand = {role: _shift(series, shift) for role, series in live_demand.get(p.pk, {}).items()}
        for role, series in demands.get(p.pk, {}).items():
            demand.setdefault(role, {}).update(series)
        cost_by_fy: dict[str, Decimal] = {}
        for month, amount in cost.items():
            if month in in_horizon:
                cost_by_fy[fy_of[month]] = cost_by_fy.get(fy_of[month], ZERO) + amount
        live_finish = _live_finish(p)
        finish = finishes.get(p.pk) if p.pk in starts else live_finish
        if p.pk in starts and finish is None and live_finish is not None:
            finish = add_months(live_finish, shift)
        budget_changed = bool(budgets.get(p.pk))
        demand_changed = bool(demands.get(p.pk))
        if included and not live_in:
            change = CHANGE_ADDED
        elif live_in and not included:
            change = CHANGE_DROPPED
        elif included and shift:
            change = CHANGE_SHIFTED
        elif included and (budget_changed or demand_changed):
            change = CHANGE_BUDGET
        else:
            change = CHANGE_UNCHANGED
        score = scores.get(p.pk)
        delay = o.delay_max_months if o is not None and o.delay_max_months is not None else scenario.delay_max_months
        rows.append(
            ScenarioRow(
                key=f"p{p.pk}",
                project=p,
                label=f"{p.code} {p.name}",
                program=p.program.name,
                included=included,
                change=change,
                live_included=live_in,
                live_start=live_start,
                start=start,
                live_finish=live_finish,
                finish=finish,
                shift_months=shift,
                cost_by_month=cost,
                cost_by_fy=cost_by_fy,
                demand=demand,
                score=score.score if score else None,
                benefits=benefits.get(p.pk, ZERO) if score is None or score.benefits is None else score.benefits,
                risk_exposure=exposure.get(p.pk, ZERO),
                objectives=objectives.get(p.program_id, {}),
                mandatory=bool(o and o.mandatory),
                exclusive_group=o.exclusive_group if o else "",
                requires=[r.pk for r in o.requires.all()] if o else [],
                delay_max_months=delay,
                budget_changed=budget_changed,
                demand_changed=demand_changed,
                overlay=o,
            )
        )

    cost_by_fy = dict.fromkeys(fiscal_years, ZERO)
    demand: dict[str, dict[dt.date, Decimal]] = {}
    coverage = {code: ObjectiveCoverage(code=code, title=title) for code, title in sorted(titles.items())}
    for r in rows:
        for code, weight in r.objectives.items():
            coverage[code].projects_total += 1
            coverage[code].weight_total += weight
            if r.included:
                coverage[code].projects_included += 1
                coverage[code].weight_included += weight
        if not r.included:
            continue
        for fy, amount in r.cost_by_fy.items():
            cost_by_fy[fy] += amount
        for role, series in r.demand.items():
            cells = demand.setdefault(role, dict.fromkeys(months, ZERO))
            for month, fte in series.items():
                if month in in_horizon:
                    cells[month] += fte
    supply = _supply(portfolio, months)
    for role in demand:
        supply.setdefault(role, dict.fromkeys(months, ZERO))
    included = [r for r in rows if r.included]
    return ScenarioView(
        scenario=scenario,
        currency=base,
        months=months,
        fiscal_years=fiscal_years,
        rows=rows,
        cost_by_fy=cost_by_fy,
        budget_cap_by_fy={fy: caps.get(int(fy[2:])) for fy in fiscal_years},
        demand=dict(sorted(demand.items())),
        supply=dict(sorted(supply.items())),
        total_score=sum((r.score or ZERO for r in included), ZERO),
        total_benefits=sum((r.benefits for r in included), ZERO),
        total_risk_exposure=sum((r.risk_exposure for r in included), ZERO),
        objective_coverage=coverage,
        fiscal_year_of_month=fy_of,
        weights_method=getattr(scores, "method", "direct"),
        consistency_ratio=getattr(scores, "consistency_ratio", None),
    )


__all__ = [
    "ObjectiveCoverage",
    "ScenarioRow",
    "ScenarioView",
    "add_months",
    "horizon_months",
    "live_included",
    "months_between",
    "planning_projects",
    "scenario_view",
]
