"""Earned value from the database for a project, or a program (the sum of its projects), as of
any day, in the portfolio's base currency.

Where each measure comes from:

- PV and BAC: the CURRENT budget lines, each spread evenly over the calendar days of its fiscal
  period. A project with no current budget lines uses its baseline 0 instead: each leaf task's
  baseline cost spread evenly over the calendar days from its baseline start to its baseline
  finish (dates in the project's time zone; a milestone's cost lands on its day). Calendar
  days, not working time: a documented simplification.
- EV: Σ task budget x percent complete over leaf tasks, the task budget being its baseline 0
  cost, else Task.cost. Percent complete has no history, so EV *before* the progress was
  recorded (the project's status date, else today) is an estimate: each task's earned value is
  spread evenly from its actual start (else baseline start, else scheduled start) to its actual
  finish (else the status date). The report says so with an `ev_estimated` warning.
- AC: cost entries dated on or before the day. ETC (bottom-up EAC): forecasts still ahead of the
  day, spread over their periods, plus the labour forecast seam (labour_forecast_by_period) —
  of the project, or of every project of the program, so a program's ETC is the sum of its
  projects'.

Conversion: budget lines and forecasts at the rate of their period's first day, cost entries at
their own date's rate; task and baseline costs are already in the base currency. A missing rate
raises MissingExchangeRate naming the currency and the day.

Cost: a fixed number of queries whatever the number of rows (see EVM_QUERIES). Sums are done in
SQL and come back grouped — by period and currency, by currency and day, by a task's dates —
so Python never loops over cost entries, only over those groups.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import format_money
from portfolio.models import Program
from projects.models import BaselineTask, Project, Task

from .. import evm
from ..models import BudgetLine, CostEntry, FiscalCalendar, Forecast, PeriodSpan
from .rates import RateTable
from .timephase import Segment, cumulative_at, cumulative_curve

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PMB_BASELINE = 0  # the baseline number that stands in for a budget
# Queries per call (program: program_evm and project_evms) whatever the number of rows and projects,
# the labour seam's included (its allocations and schedule assignments): three more when allocations
# or assignments lie ahead, one more when a foreign currency is involved (another when an allocation's
# cost rate is foreign), one fewer for a program without projects.
EVM_QUERIES = {"project": 10, "program": 11}

TASK_BUDGETS_DIFFER = "task_budgets_differ"
EV_ESTIMATED = "ev_estimated"
UNDATED_BASELINE_COST = "undated_baseline_cost"
MESSAGES = {
    TASK_BUDGETS_DIFFER: "Task budgets add up to {tasks}, not the budget at completion {bac}, so earned value "
    "and planned value are measured against different totals.",
    EV_ESTIMATED: "Progress is recorded up to {status}; earned value on {as_of} is estimated by spreading each "
    "task's earned value over its actual dates.",
    UNDATED_BASELINE_COST: "Baseline costs of {amount} have no baseline dates and are left out of planned value.",
}

_MONEY = DecimalField(max_digits=30, decimal_places=2)
_EARNED = DecimalField(max_digits=32, decimal_places=4)


def _warn(code: str, **values) -> evm.EvmWarning:
    return evm.EvmWarning(code, MESSAGES[code].format(**values))


@dataclass(frozen=True)
class MoneyScope:
    """A project, or every project of a program, and the currency its money is summed in."""

    program: Program
    project: Project | None = None

    @property
    def currency(self) -> str:
        return self.program.portfolio.base_currency

    def q(self, path: str = "project") -> Q:
        """Rows whose `path` is the project, or a project of the program."""
        if self.project is not None:
            return Q(**{path: self.project.pk})
        return Q(**{f"{path}__program": self.program.pk})


def money_scope(*, project: Project | None = None, program: Program | None = None) -> MoneyScope:
    """Exactly one of `project` / `program`, reloaded with its program and portfolio (one query);
    a program comes annotated with `latest_status_date` (its projects' newest status date) for
    default_as_of."""
    if (project is None) == (program is None):
        raise TypeError("Pass either a project or a program.")
    if project is not None:
        project = Project.objects.select_related("program__portfolio").get(pk=project.pk)
        return MoneyScope(program=project.program, project=project)
    return MoneyScope(
        program=Program.objects.select_related("portfolio")
        .annotate(latest_status_date=Max("projects__status_date"))
        .get(pk=program.pk)
    )


def default_as_of(scope: MoneyScope) -> dt.date:
    """The status date earned value is measured at when the caller names none: ONE rule for a
    project and a program, shared by project_evm, program_evm, project_evms, evm_s_curve and so by
    the cost pages, their Excel exports and the API.

    The rule: the newest schedule status date (Project.status_date, the day progress was last
    recorded) among the projects in scope, else today. For a project that is its own status date;
    for a program the newest of its projects' — so a program and its most recently updated project
    open on the same day. A later day would only spread estimated progress (the `ev_estimated`
    warning). No query: money_scope loaded what it needs."""
    if scope.project is not None:
        latest = scope.project.status_date
    else:
        latest = getattr(scope.program, "latest_status_date", None)
    return latest or timezone.localdate()


def fiscal_calendar_for(*, portfolio) -> FiscalCalendar:
    """The portfolio's own fiscal calendar, else the shared default, else an unsaved calendar-year
    calendar (January start) — so charts always have periods (one query)."""
    found = (
        FiscalCalendar.objects.filter(Q(portfolio=portfolio) | Q(portfolio__isnull=True, is_default=True))
        .order_by(F("portfolio").asc(nulls_last=True))
        .first()
    )
    return found or FiscalCalendar(name="Calendar year", start_month=1)


# Each project's allocation-derived labour cost ahead: `labour_forecasts(projects, calendar)` →
# {project id: an object whose `.amounts` maps PeriodSpan → Decimal}. That is
# staffing.selectors.labour_forecasts; budgets never imports staffing (staffing imports budgets),
# so a caller above both (reporting: the cost pages, their exports, the money API and the
# roll-ups) passes it in. None leaves labour out.
LabourForecasts = Callable[[list[Project], FiscalCalendar], Mapping[int, Any]]


def labour_forecast_by_period(
    project: Project, calendar: FiscalCalendar, labour_forecasts: LabourForecasts | None = None
) -> dict[PeriodSpan, Decimal]:
    """The labour cost still expected on `project`, by fiscal period of `calendar`, in the
    portfolio's base currency, as `labour_forecasts` computes it (staffing.selectors.labour_forecasts:
    Σ allocation hours x the person's effective hourly rate, else the role's standard rate, from
    the day after the project's status date, else today, on; its docstring has the rules).
    Empty when `labour_forecasts` is None.

    - Past periods are actual costs, never forecasts: the period holding the first forecast day
      comes back as a PeriodSpan clipped to start on that day, so the ETC of project_evm /
      evm_s_curve (which subtracts what lies before the status date) counts it whole, and
      budget_by_period still places it in its period.
    - Double counting with manual forecasts: a period overlapped by a manual Forecast of the
      project in a labour-kind cost category keeps the manual figure; the allocation-derived
      amount of that period is left out.
    - Programs: labour_forecast_by_project gives every project of a program its own figures in
      one batched call; program-level reads (program_evm, project_evms, evm_s_curve and
      budget_by_period of a program) add them, so a program's ETC is the sum of its projects'.

    With staffing's function: one query when the project has no allocations ahead, four
    otherwise (a fifth for exchange rates). `project` must be loaded with program__portfolio."""
    if labour_forecasts is None:
        return {}
    return dict(labour_forecasts([project], calendar)[project.pk].amounts)


def labour_forecast_by_project(
    program: Program, calendar: FiscalCalendar, labour_forecasts: LabourForecasts | None = None, *, project_ids=None
) -> dict[int, dict[PeriodSpan, Decimal]]:
    """labour_forecast_by_period of each project of `program` (of those among `project_ids` when
    given), by project id, every project present: the same rules, each project forecast from
    the day after its own status date. Empty amounts everywhere (and no query) when
    `labour_forecasts` is None.

    With staffing's function: two queries when no allocations lie ahead of those projects (the
    projects, with their status dates; their allocations), five otherwise (a sixth for exchange
    rates); one when there is no project."""
    if labour_forecasts is None:
        return {pk: {} for pk in (project_ids or ())}
    projects = Project.objects.filter(program=program.pk).select_related("program__portfolio").order_by()
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    return {pk: dict(forecast.amounts) for pk, forecast in labour_forecasts(list(projects), calendar).items()}


def _labour_segments(amounts: dict[PeriodSpan, Decimal]) -> list[Segment]:
    return [(p.start, p.end, amount) for p, amount in amounts.items()]


def _local_day(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.date | None:
    return value.astimezone(zone).date() if value is not None else None


@dataclass
class Measures:
    """The time-phased money of a scope, already in its base currency."""

    scope: MoneyScope
    as_of: dt.date
    pv_segments: list[Segment]
    bac: Decimal
    undated_baseline: Decimal
    ev_segments: list[Segment]
    task_budget: Decimal
    percent_range: tuple[Decimal, ...]
    ac_by_day: list[tuple[dt.date | None, Decimal]]  # day None: a lump, already ≤ as_of
    etc_segments: list[Segment] | None  # None: no forecast at all
    warnings: list[evm.EvmWarning] = field(default_factory=list)

    @property
    def ac(self) -> Decimal:
        return sum((amount for _, amount in self.ac_by_day), ZERO)

    def ev_at(self, day: dt.date) -> Decimal:
        return cumulative_at(self.ev_segments, [day])[day]


def _task_budget():
    """A leaf task's budget: its baseline 0 cost, else its cost."""
    b0 = BaselineTask.objects.filter(task=OuterRef("pk"), baseline__number=PMB_BASELINE)
    return Coalesce(Subquery(b0.values("cost")[:1]), F("cost"))


def _earned_x100():
    return Sum(ExpressionWrapper(F("budget") * F("percent_complete"), output_field=_EARNED))


def _load_rows(scope: MoneyScope, *, as_of: dt.date, daily_ac: bool, by_project: bool) -> dict[str, list]:
    """The six grouped queries behind `measure` / `measure_by_project`. With `by_project`, each
    row starts with its project's id (the rest of the row as without it)."""
    base = scope.currency

    def key(path: str = "project_id") -> tuple[str, ...]:
        return (path,) if by_project else ()

    # 1. Current budget lines, by period and currency.
    budget = list(
        BudgetLine.objects.filter(scope.q(), budget_version=BudgetLine.Version.CURRENT)
        .values_list(*key(), "period__start", "period__end", "currency_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    # 2. Baseline 0 of the projects without budget lines, by task dates.
    has_budget = BudgetLine.objects.filter(
        project=OuterRef("baseline__project"), budget_version=BudgetLine.Version.CURRENT
    )
    baseline = list(
        BaselineTask.objects.filter(scope.q("baseline__project"), baseline__number=PMB_BASELINE, task__is_summary=False)
        .filter(~Exists(has_budget))
        .values_list(*key("baseline__project_id"), "baseline__project__time_zone", "start", "finish")
        .annotate(total=Sum("cost"))
        .order_by()
    )
    # 3. Task budgets and earned value in total; 4. earned value by progress dates.
    tasks = Task.objects.filter(scope.q(), is_summary=False)
    total_of = {
        "budget": Coalesce(Sum("task_budget"), Value(ZERO), output_field=_MONEY),
        "low": Min("percent_complete"),
        "high": Max("percent_complete"),
    }
    if by_project:
        totals = list(
            tasks.alias(task_budget=_task_budget())
            .values("project_id")
            .annotate(**total_of)
            .values_list("project_id", "budget", "low", "high")
            .order_by()
        )
    else:
        found = tasks.annotate(task_budget=_task_budget()).aggregate(**total_of)
        totals = [(found["budget"], found["low"], found["high"])]
    b0 = BaselineTask.objects.filter(task=OuterRef("pk"), baseline__number=PMB_BASELINE)
    progress = list(
        tasks.filter(percent_complete__gt=0)
        .alias(budget=_task_budget())
        .annotate(progress_from=Coalesce("actual_start", Subquery(b0.values("start")[:1]), "start"))
        .values_list(*key(), "project__time_zone", "project__status_date", "progress_from", "actual_finish")
        .annotate(earned=_earned_x100())
        .order_by()
    )
    # 5. Actual costs up to the day, by currency (and day where a rate is needed).
    entries = CostEntry.objects.filter(scope.q(), date__lte=as_of)
    if daily_ac:
        actual = list(entries.values_list(*key(), "currency_id", "date").annotate(total=Sum("amount")).order_by())
    else:
        day_when_converted = Case(When(currency_id=base, then=Value(None)), default=F("date"), output_field=DateField())
        actual = list(
            entries.annotate(day=day_when_converted)
            .values_list(*key(), "currency_id", "day")
            .annotate(total=Sum("amount"))
            .order_by()
        )
    # 6. Forecasts (ETC), by period and currency.
    forecasts = list(
        Forecast.objects.filter(scope.q())
        .values_list(*key(), "period__start", "period__end", "currency_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {
        "budget": budget,
        "baseline": baseline,
        "totals": totals,
        "progress": progress,
        "actual": actual,
        "forecasts": forecasts,
    }


def _rates_for(rows: dict[str, list], base: str) -> RateTable:
    """7. The rates the rows need (one query, none when everything is in `base`)."""
    dated = (
        [(c, s) for s, _, c, _ in rows["budget"]]
        + [(c, d) for c, d, _ in rows["actual"] if d]
        + [(c, s) for s, _, c, _ in rows["forecasts"]]
    )
    foreign = [(c, d) for c, d in dated if c != base]
    if not foreign:
        return RateTable()
    return RateTable.load({base, *(c for c, _ in foreign)}, until=max(d for _, d in foreign))


def _assemble(
    scope: MoneyScope, rows: dict[str, list], rates: RateTable, *, as_of: dt.date, labour: list[Segment]
) -> Measures:
    """Convert and time-phase one scope's rows, adding its `labour` forecast to ETC (no queries)."""
    base = scope.currency
    today = timezone.localdate()
    warnings: list[evm.EvmWarning] = []
    pv_segments = [(s, e, rates.convert(total, c, base, s)) for s, e, c, total in rows["budget"]]
    undated = ZERO
    for zone_name, start, finish, total in rows["baseline"]:
        zone = zoneinfo.ZoneInfo(zone_name or "UTC")
        first, last = _local_day(start, zone), _local_day(finish, zone)
        if first is None and last is None:
            undated += total
            continue
        pv_segments.append((first or last, last or first, total))
    if undated:
        warnings.append(_warn(UNDATED_BASELINE_COST, amount=format_money(undated, scope.currency)))
    bac = sum((amount for _, _, amount in pv_segments), ZERO) + undated

    ev_segments: list[Segment] = []
    for zone_name, status_date, progress_from, actual_finish, earned in rows["progress"]:
        zone = zoneinfo.ZoneInfo(zone_name or "UTC")
        status = status_date or today
        first = min(_local_day(progress_from, zone) or status, status)
        last = min(max(_local_day(actual_finish, zone) or status, first), status)
        ev_segments.append((first, last, earned / HUNDRED))

    ac_by_day = [(day, rates.convert(total, c, base, day) if c != base else total) for c, day, total in rows["actual"]]

    etc_segments = [(s, e, rates.convert(total, c, base, s)) for s, e, c, total in rows["forecasts"]]
    etc_segments += labour
    task_budget, low, high = rows["totals"][0] if rows["totals"] else (ZERO, None, None)
    percents = tuple(p for p in (low, high) if p is not None)
    return Measures(
        scope=scope,
        as_of=as_of,
        pv_segments=pv_segments,
        bac=bac,
        undated_baseline=undated,
        ev_segments=ev_segments,
        task_budget=task_budget,
        percent_range=percents,
        ac_by_day=ac_by_day,
        etc_segments=etc_segments or None,
        warnings=warnings,
    )


def measure(
    scope: MoneyScope,
    *,
    as_of: dt.date,
    daily_ac: bool = False,
    calendar: FiscalCalendar | None = None,
    labour_forecasts: LabourForecasts | None = None,
) -> Measures:
    """Load and convert everything earned value needs: six queries, a seventh for rates, plus the
    labour seam's when `calendar` is given (labour_forecast_by_period for a project,
    labour_forecast_by_project over all the program's projects for a program).

    `daily_ac` keeps actual costs by day (for curves); otherwise base-currency actuals come
    back as one lump. `calendar` and `labour_forecasts` are only used by the labour seam: either
    None leaves labour out."""
    rows = _load_rows(scope, as_of=as_of, daily_ac=daily_ac, by_project=False)
    if calendar is None or labour_forecasts is None:
        labour = []
    elif scope.project is not None:
        labour = _labour_segments(labour_forecast_by_period(scope.project, calendar, labour_forecasts))
    else:
        by_project = labour_forecast_by_project(scope.program, calendar, labour_forecasts)
        labour = [segment for amounts in by_project.values() for segment in _labour_segments(amounts)]
    return _assemble(scope, rows, _rates_for(rows, scope.currency), as_of=as_of, labour=labour)


def measure_by_project(
    scope: MoneyScope,
    projects,
    *,
    as_of: dt.date,
    calendar: FiscalCalendar | None = None,
    labour_forecasts: LabourForecasts | None = None,
) -> dict[int, Measures]:
    """`measure` for each of `projects` (projects of the program `scope`) in the same six
    queries (a seventh for rates), grouped by project instead of once per project; with
    `calendar` and `labour_forecasts`, each project gets its own labour forecast from one
    labour_forecast_by_project call over all of `projects`, so the rows of every project add up
    to the program's measure."""
    rows = _load_rows(scope, as_of=as_of, daily_ac=False, by_project=True)
    wanted = {p.pk for p in projects}
    split: dict[int, dict[str, list]] = {pk: {name: [] for name in rows} for pk in wanted}
    for name, found in rows.items():
        for project_id, *rest in found:
            if project_id in split:
                split[project_id][name].append(tuple(rest))
    every = {name: [row for part in split.values() for row in part[name]] for name in rows}
    rates = _rates_for(every, scope.currency)
    labour = (
        labour_forecast_by_project(scope.program, calendar, labour_forecasts, project_ids=wanted)
        if calendar is not None and labour_forecasts is not None
        else {}
    )
    return {
        p.pk: _assemble(
            MoneyScope(program=scope.program, project=p),
            split[p.pk],
            rates,
            as_of=as_of,
            labour=_labour_segments(labour.get(p.pk, {})),
        )
        for p in projects
    }


@dataclass(frozen=True)
class EvmReport:
    """Earned value of a project or program as of `as_of`, in `currency` (the portfolio's base
    currency). `figures` holds every EVM figure (budgets.evm.EarnedValue); `warnings` are its
    data-quality warnings plus those about how the figures were sourced."""

    currency: str
    as_of: dt.date
    figures: evm.EarnedValue
    pv_curve: tuple[tuple[dt.date, Decimal], ...]
    task_budget: Decimal
    warnings: tuple[evm.EvmWarning, ...]

    @property
    def warning_codes(self) -> list[str]:
        return [w.code for w in self.warnings]


def evm_from_measures(m: Measures, *, ev_curve=(), ac_curve=()) -> EvmReport:
    """The EVM figures of already-loaded measures (no queries)."""
    pv_curve = cumulative_curve(m.pv_segments)
    ev = m.ev_at(m.as_of)
    etc = None
    if m.etc_segments is not None:
        total = sum((amount for _, _, amount in m.etc_segments), ZERO)
        etc = total - cumulative_at(m.etc_segments, [m.as_of])[m.as_of]
    figures = evm.earned_value(
        bac=m.bac,
        pv_curve=pv_curve,
        ev=ev,
        ac=m.ac,
        status_date=m.as_of,
        etc=etc,
        percent_complete=m.percent_range,
        ev_curve=ev_curve,
        ac_curve=ac_curve,
        currency=m.scope.currency,
    )
    warnings = list(m.warnings)
    if m.task_budget != m.bac and (m.task_budget or ev):
        currency = m.scope.currency
        warnings.append(
            _warn(TASK_BUDGETS_DIFFER, tasks=format_money(m.task_budget, currency), bac=format_money(m.bac, currency))
        )
    progress_end = max((last for _, last, _ in m.ev_segments), default=None)
    if progress_end is not None and progress_end > m.as_of:
        warnings.append(_warn(EV_ESTIMATED, status=evm.day_text(progress_end), as_of=evm.day_text(m.as_of)))
    return EvmReport(
        currency=m.scope.currency,
        as_of=m.as_of,
        figures=figures,
        pv_curve=tuple(pv_curve),
        task_budget=m.task_budget,
        warnings=(*figures.warnings, *warnings),
    )


def project_evm(
    *, project: Project, as_of: dt.date | None = None, labour_forecasts: LabourForecasts | None = None
) -> EvmReport:
    """Earned value of `project` as of the end of `as_of` (default: default_as_of, its status date,
    else today). EVM_QUERIES["project"] queries, one more with a foreign currency. Raises
    MissingExchangeRate."""
    scope = money_scope(project=project)
    as_of = as_of or default_as_of(scope)
    calendar = fiscal_calendar_for(portfolio=scope.program.portfolio)
    return evm_from_measures(measure(scope, as_of=as_of, calendar=calendar, labour_forecasts=labour_forecasts))


def program_evm(
    *, program: Program, as_of: dt.date | None = None, labour_forecasts: LabourForecasts | None = None
) -> EvmReport:
    """Earned value of `program` — the sum over its projects, the labour forecast of each
    included — as of the end of `as_of` (default: default_as_of, the newest status date of its
    projects, else today). EVM_QUERIES["program"] queries, one more with a foreign currency.
    Raises MissingExchangeRate."""
    scope = money_scope(program=program)
    calendar = fiscal_calendar_for(portfolio=scope.program.portfolio)
    measures = measure(scope, as_of=as_of or default_as_of(scope), calendar=calendar, labour_forecasts=labour_forecasts)
    return evm_from_measures(measures)


def project_evms(
    *, program: Program, projects, as_of: dt.date | None = None, labour_forecasts: LabourForecasts | None = None
) -> dict[int, EvmReport]:
    """Earned value of each of `projects` (projects of `program`, e.g. those a user may see) as
    of the end of `as_of` (default: the program's default_as_of, so every row and program_evm
    share one day), by project id: the per-project table of a program
    page. Each includes its own labour forecast, so over all the program's projects the rows
    add up to program_evm. EVM_QUERIES["program"] queries whatever the number of projects,
    one more with a foreign currency. Raises MissingExchangeRate."""
    scope = money_scope(program=program)
    projects = list(projects)
    calendar = fiscal_calendar_for(portfolio=scope.program.portfolio)
    measures = measure_by_project(
        scope, projects, as_of=as_of or default_as_of(scope), calendar=calendar, labour_forecasts=labour_forecasts
    )
    return {pk: evm_from_measures(m) for pk, m in measures.items()}
