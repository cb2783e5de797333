"""The figures of one roll-up row, from source rows, through the same domain selectors the pages
use (so a figure shown on a page and in a summary is computed once, one way).

- project_figures: schedule (the project's computed forecast finish, the approved baseline, the
  project calendar), earned value (budgets.selectors.project_evm with the labour forecast of
  staffing), exposure and reserves (risks.selectors.project_exposure), staffing gaps and
  over-allocation (staffing.selectors), governance (pending gates, submitted change requests),
  freshness, the reported RAG, then computed health (health.py).
- program_figures: its OPEN projects' roll-up rows (money summed, ratios recomputed from the
  sums, never averaged) plus the program's own risks and reserves; people over-allocated are
  counted once across projects.
- portfolio_figures: its open programs' roll-up rows, the same way.

Every function returns a dict of RollupFigures field names (without the bookkeeping fields
`input_version`, `computed_at`, `as_of`, `enqueued_at`, which the recompute sets). Money is in the
portfolio's base currency. A value the summary column cannot hold becomes None (`clamp_*`).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from budgets.models import CostEntry
from budgets.selectors import MissingExchangeRate, project_evm, reserve_status
from governance.models import ChangeRequest, StageGate
from governance.selectors.pages import DUE_WITHIN_DAYS
from portfolio.models import Portfolio, Program
from projects.models import Baseline, BaselineTask, Project, Task, open_projects_q
from projects.selectors.schedule import DAY_MINUTES, project_calendar, schedule_calendars
from projects.selectors.schedule_lists import critical_tasks
from projects.services.schedule import project_zone, to_local
from risks.models import Risk
from risks.selectors import project_exposure
from risks.selectors.analysis import latest_analysis
from staffing import capacity
from staffing.models import Allocation, Person
from staffing.selectors import conflicts, rate_blind_labour_forecasts, staffing_gaps

from ..models import Health, ProgramRollup, ProjectRollup
from . import health

log = logging.getLogger(__name__)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
RATIO_LIMIT = Decimal("99999999")  # _ratio(): max_digits 12, 4 places
MONEY_LIMIT = Decimal(10) ** 22  # _money(): max_digits 24, 2 places
FTE_LIMIT = Decimal(10) ** 7  # fte_*: max_digits 9, 2 places
OPEN_PROGRAM_STATUSES = (Program.Status.PROPOSED, Program.Status.ACTIVE, Program.Status.ON_HOLD)
MILESTONE_HORIZONS = (30, 90)  # milestones_due_30 / _90: due from as_of through as_of + N days
_RAG_RANK = {"": 0, Health.GREEN: 1, Health.AMBER: 2, Health.RED: 3}

MONEY_FIELDS = ("bac", "pv", "ev", "ac", "eac", "etc", "vac", "emv", "residual_emv", "reserve_remaining")


# -- clamping ------------------------------------------------------------------------------------


def clamp_ratio(value: Decimal | None) -> Decimal | None:
    """A ratio to four places; None when undefined or beyond ±99,999,999 (the column's range)."""
    if value is None:
        return None
    value = Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return None if abs(value) > RATIO_LIMIT else value


def clamp_money(value: Decimal | None) -> Decimal | None:
    """Money to the cent; None when undefined or too wide for the summary column."""
    if value is None:
        return None
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return None if abs(value) >= MONEY_LIMIT else value


def clamp_fte(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return None if abs(value) >= FTE_LIMIT else value


def clamp_percent(value: Decimal | None) -> Decimal | None:
    """A percentage to two places, held within 0-100 (EV may pass BAC by a rounding or an overrun)."""
    if value is None:
        return None
    return min(max(Decimal(value), ZERO), HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def divide(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def worst_rag(values) -> str:
    return max(values, key=lambda v: _RAG_RANK.get(v or "", 0), default="") or ""


# -- project -------------------------------------------------------------------------------------


def plan_of_record(baselines: list[Baseline]) -> Baseline | None:
    """The baseline slip is measured against: the newest approved baseline (the plan of record,
    Baseline.approved), else the lowest-numbered one (what the schedule page shows by default)."""
    approved = [b for b in baselines if b.approved]
    if approved:
        return max(approved, key=lambda b: b.number)
    return min(baselines, key=lambda b: b.number) if baselines else None


def _working_days(calendar, zone, start: dt.datetime | None, finish: dt.datetime | None) -> int | None:
    """Working days (of DAY_MINUTES) from `start` to `finish` in `calendar`, rounded half up;
    negative when `finish` is earlier."""
    if start is None or finish is None:
        return None
    minutes = calendar.working_minutes_between(to_local(start, zone), to_local(finish, zone))
    return int((Decimal(minutes) / DAY_MINUTES).to_integral_value(rounding=ROUND_HALF_UP))


def schedule_figures(project: Project, *, as_of: dt.date) -> dict:
    """Forecast and baseline finish, slip and critical path in working days of the project
    calendar, milestones late and due. Five to six queries whatever the number of tasks."""
    zone = project_zone(project)
    baseline = plan_of_record(list(Baseline.objects.filter(project=project).order_by("number")))
    baseline_end = None
    if baseline is not None:
        baseline_end = BaselineTask.objects.filter(baseline=baseline).aggregate(end=Max("finish"))["end"]
    calendar = project_calendar(project, schedule_calendars(project, []))
    path = critical_tasks(project=project).order_by().aggregate(first=Min("early_start"), last=Max("early_finish"))
    critical_days = _working_days(calendar, zone, path["first"], path["last"])

    counts = dict.fromkeys(MILESTONE_HORIZONS, 0)
    late = 0
    open_milestones = Task.objects.filter(
        project=project, is_milestone=True, actual_finish__isnull=True, percent_complete__lt=100
    ).exclude(finish__isnull=True)
    for finish in open_milestones.values_list("finish", flat=True).order_by():
        due = finish.astimezone(zone).date()
        if due < as_of:
            late += 1
            continue
        for horizon in MILESTONE_HORIZONS:
            if due <= as_of + dt.timedelta(days=horizon):
                counts[horizon] += 1
    return {
        "forecast_finish": project.forecast_finish_day,
        "baseline_finish": baseline_end.astimezone(zone).date() if baseline_end else None,
        "slip_working_days": _working_days(calendar, zone, baseline_end, project.forecast_finish),
        "critical_path_working_days": max(critical_days, 0) if critical_days is not None else None,
        "milestones_late": late,
        "milestones_due_30": counts[30],
        "milestones_due_90": counts[90],
    }


def evm_day(project: Project, as_of: dt.date) -> dt.date:
    """The day earned value is measured at: the project's status date (the day progress was last
    recorded, what the cost pages open on: budgets.selectors.default_as_of) when it is on or
    before `as_of`, else `as_of` — so a roll-up of today does not count a month of planned value
    against progress nobody has recorded yet."""
    if project.status_date is not None and project.status_date <= as_of:
        return project.status_date
    return as_of


def cost_figures(project: Project, *, as_of: dt.date) -> dict:
    """EVM through budgets.selectors.project_evm (labour forecast included, as on the cost page).
    All None when an exchange rate is missing (logged): the summary says "no data", not zero.

    The labour forecast is costed at the roles' standard rates, never a person's own rate: the
    summary is stored once and shown to everybody who sees the project, and a project manager
    who may not see rates could otherwise difference it (add one allocation, wait for the
    roll-up, divide the change in EAC by the hours; staffing.selectors.labour_forecasts_for)."""
    try:
        report = project_evm(
            project=project, as_of=evm_day(project, as_of), labour_forecasts=rate_blind_labour_forecasts
        )
    except MissingExchangeRate as error:
        log.warning("roll-up of %s: no cost figures: %s", project.code, error)
        return dict.fromkeys(("bac", "pv", "ev", "ac", "eac", "etc", "vac", "cpi", "spi", "spi_t", "tcpi"))
    f = report.figures
    return {
        "bac": clamp_money(f.bac),
        "pv": clamp_money(f.pv),
        "ev": clamp_money(f.ev),
        "ac": clamp_money(f.ac),
        "eac": clamp_money(f.eac),
        "etc": clamp_money(f.etc),
        "vac": clamp_money(f.vac),
        "cpi": clamp_ratio(f.cpi),
        "spi": clamp_ratio(f.spi),
        "spi_t": clamp_ratio(f.spi_t),
        "tcpi": clamp_ratio(f.tcpi),
        "percent_complete": clamp_percent(f.percent_complete),
    }


def _band_counts(risks) -> dict:
    found = risks.active().aggregate(
        high=Count("pk", filter=Q(band=Risk.Band.HIGH)), critical=Count("pk", filter=Q(band=Risk.Band.CRITICAL))
    )
    return {"risks_high": found["high"], "risks_critical": found["critical"]}


def risk_figures(project: Project) -> dict:
    """EMV and residual EMV of the open and mitigating risks of the project (an escalated risk is
    still the project's: counted here, and only here), against the project's contingency
    remaining, as the exposure page computes them (ExposureRow.uncovered). Three queries."""
    row = project_exposure(project=project).total
    return {
        "emv": clamp_money(row.emv),
        "residual_emv": clamp_money(row.residual_emv),
        "reserve_remaining": clamp_money(row.contingency_remaining),
        "exposure_uncovered": clamp_money(row.uncovered),
        **_band_counts(Risk.objects.filter(project=project)),
    }


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def people_overallocated(projects, *, as_of: dt.date) -> int:
    """People allocated to any of `projects` (a queryset) in the month of `as_of` whose load passes
    their capacity in some week of that month (all their work counted, as the program staffing
    card does); each person once. Three queries."""
    first, last = _month(as_of)
    weeks = (capacity.week_start(last) - capacity.week_start(first)).days // 7 + 1
    people = Person.objects.filter(
        pk__in=Allocation.objects.filter(project__in=projects).overlapping(first, last).values("person_id")
    ).order_by("pk")
    return len(conflicts(list(people), start=first, weeks=weeks))


def request_fte(request) -> Decimal:
    """A staffing request's FTE (1 = a 40-hour week), as RequestGap.unfilled_fte reads it."""
    if request.fte_percent is not None:
        return request.fte_percent / HUNDRED
    return request.hours_per_week / capacity.STANDARD_WEEK_HOURS


def staffing_figures(projects, *, as_of: dt.date) -> dict:
    """FTE requested by the staffing requests not yet ended (not cancelled) and the part of it
    allocations fill (staffing.selectors.staffing_gaps, as the program card), people over-allocated
    this month. None FTE when there is no request. Six queries."""
    gaps = staffing_gaps(projects, current_from=as_of)
    requested = allocated = None
    if gaps.requests:
        requested = sum((request_fte(g.request) for g in gaps.requests), ZERO)
        allocated = max(requested - gaps.unfilled_fte, ZERO)
    return {
        "fte_requested": clamp_fte(requested),
        "fte_allocated": clamp_fte(allocated),
        "people_overallocated": people_overallocated(projects, as_of=as_of),
    }


def governance_counts(projects, *, as_of: dt.date) -> dict:
    """Pending gates planned within DUE_WITHIN_DAYS of `as_of` or overdue (the program card's rule)
    and, of those, the overdue ones; change requests submitted and not yet decided. Two queries."""
    horizon = as_of + dt.timedelta(days=DUE_WITHIN_DAYS)
    gates = StageGate.objects.filter(
        project__in=projects, decision=StageGate.Decision.PENDING, planned_date__lte=horizon
    ).aggregate(due=Count("pk"), overdue=Count("pk", filter=Q(planned_date__lt=as_of)))
    waiting = ChangeRequest.objects.filter(project__in=projects, status=ChangeRequest.Status.SUBMITTED).count()
    return {"gates_due": gates["due"], "gates_overdue": gates["overdue"], "change_requests_waiting": waiting}


def project_figures(project: Project, *, as_of: dt.date) -> dict:
    """Every figure of ProjectRollup for `project` as of `as_of`, from source rows. A fixed
    number of queries (about thirty) whatever the number of tasks, costs, risks or people."""
    project = Project.objects.select_related("program__portfolio", "latest_status_report").get(pk=project.pk)
    just_this = Project.objects.filter(pk=project.pk)
    figures = {
        **schedule_figures(project, as_of=as_of),
        "percent_complete": None,
        **cost_figures(project, as_of=as_of),
        **risk_figures(project),
        **staffing_figures(just_this, as_of=as_of),
    }
    governance = governance_counts(just_this, as_of=as_of)
    gates_overdue = governance.pop("gates_overdue")
    figures.update(governance)
    report = project.latest_status_report
    figures["last_status_report_on"] = report.period_end if report else None
    figures["last_actuals_on"] = CostEntry.objects.filter(project=project, date__lte=as_of).aggregate(day=Max("date"))[
        "day"
    ]
    figures["reported_rag"] = report.overall_rag if report else ""
    figures.update(analysis_figures(project=project, zone=project_zone(project)))
    policy = health.policy_for(project.program.portfolio)
    figures.update(health.health_fields({**figures, "as_of": as_of}, policy=policy, gates_overdue=gates_overdue))
    return figures


def analysis_figures(*, project: Project | None = None, program: Program | None = None, zone=None) -> dict:
    """The P80 finish (a day in `zone`, default the site's) and P80 cost of the scope's newest
    succeeded risk analysis run, and when it finished; all None without one. One query."""
    run = latest_analysis(project=project, program=program)
    if run is None:
        return {"p80_finish": None, "p80_cost": None, "simulated_at": None}
    finish = run.p80_finish
    return {
        "p80_finish": None
        if finish is None
        else (finish.astimezone(zone) if zone else timezone.localtime(finish)).date(),
        "p80_cost": clamp_money(run.p80_cost),
        "simulated_at": run.finished_at,
    }


# -- program and portfolio -----------------------------------------------------------------------


def _sum(rows, name: str) -> Decimal | None:
    """Σ of a nullable money field over roll-up rows; None when every row's is None."""
    values = [getattr(r, name) for r in rows if getattr(r, name) is not None]
    return sum(values, ZERO) if values else None


def _counts(rows, name: str) -> int:
    return sum(getattr(r, name) or 0 for r in rows)


def combined_figures(rows, *, extra_risk: dict | None = None, extra_reserve: Decimal = ZERO) -> dict:
    """The figures of a level from its children's roll-up rows: money and counts summed (plus the
    level's own risks `extra_risk` and reserve `extra_reserve`), every ratio recomputed from the
    sums (CPI = ΣEV / ΣAC, SPI = ΣEV / ΣPV, TCPI = (ΣBAC - ΣEV) / (ΣBAC - ΣAC), VAC = ΣBAC - ΣEAC),
    never averaged. SPI(t) has no sum to recompute it from (earned schedule is per project's own
    time line): None above project level. Dates: the latest forecast and baseline finish, the
    largest slip and critical path (the level is late by its latest project); freshness: the
    OLDEST of the children's newest report / actuals (a level is as fresh as its stalest part)."""
    rows = list(rows)
    extra_risk = extra_risk or {}
    money = {name: _sum(rows, name) for name in ("bac", "pv", "ev", "ac", "eac", "etc")}
    bac, pv, ev, ac, eac = (money[k] for k in ("bac", "pv", "ev", "ac", "eac"))
    emv = (_sum(rows, "emv") or ZERO) + extra_risk.get("emv", ZERO)
    residual = (_sum(rows, "residual_emv") or ZERO) + extra_risk.get("residual_emv", ZERO)
    reserve = (_sum(rows, "reserve_remaining") or ZERO) + extra_reserve

    def latest(name):
        values = [getattr(r, name) for r in rows if getattr(r, name) is not None]
        return max(values) if values else None

    def oldest(name):
        values = [getattr(r, name) for r in rows if getattr(r, name) is not None]
        return min(values) if values else None

    return {
        "forecast_finish": latest("forecast_finish"),
        "baseline_finish": latest("baseline_finish"),
        "slip_working_days": latest("slip_working_days"),
        "critical_path_working_days": latest("critical_path_working_days"),
        "percent_complete": clamp_percent(divide(ev * HUNDRED, bac) if ev is not None else None),
        "milestones_late": _counts(rows, "milestones_late"),
        "milestones_due_30": _counts(rows, "milestones_due_30"),
        "milestones_due_90": _counts(rows, "milestones_due_90"),
        **{name: clamp_money(value) for name, value in money.items()},
        "vac": clamp_money(bac - eac if bac is not None and eac is not None else None),
        "cpi": clamp_ratio(divide(ev, ac)),
        "spi": clamp_ratio(divide(ev, pv)),
        "spi_t": None,
        "tcpi": clamp_ratio(divide(bac - ev, bac - ac) if None not in (bac, ev, ac) else None),
        "emv": clamp_money(emv),
        "residual_emv": clamp_money(residual),
        "reserve_remaining": clamp_money(reserve),
        "exposure_uncovered": clamp_money(max(emv - reserve, ZERO)),
        "risks_high": _counts(rows, "risks_high") + extra_risk.get("risks_high", 0),
        "risks_critical": _counts(rows, "risks_critical") + extra_risk.get("risks_critical", 0),
        "fte_requested": clamp_fte(_sum(rows, "fte_requested")),
        "fte_allocated": clamp_fte(_sum(rows, "fte_allocated")),
        "gates_due": _counts(rows, "gates_due"),
        "change_requests_waiting": _counts(rows, "change_requests_waiting"),
        "last_status_report_on": oldest("last_status_report_on"),
        "last_actuals_on": oldest("last_actuals_on"),
        "reported_rag": worst_rag(r.reported_rag for r in rows),
    }


def project_health_counts(rows) -> dict:
    """Open projects by computed overall health, and those whose reported RAG disagrees."""
    rows = list(rows)
    return {
        "projects_open": len(rows),
        "projects_red": sum(1 for r in rows if r.health_overall == Health.RED),
        "projects_amber": sum(1 for r in rows if r.health_overall == Health.AMBER),
        "projects_green": sum(1 for r in rows if r.health_overall == Health.GREEN),
        "projects_disagreeing": sum(1 for r in rows if r.health_disagrees),
    }


def program_risk_figures(program: Program) -> dict:
    """The program-level register's own risks (project__isnull: escalated project risks stay their
    project's and are counted there): EMV, residual EMV, high and critical counts. One query."""
    found = (
        Risk.objects.filter(program=program, project__isnull=True)
        .active()
        .aggregate(
            emv=Coalesce(Sum("emv"), ZERO),
            residual_emv=Coalesce(Sum("residual_emv"), ZERO),
            risks_high=Count("pk", filter=Q(band=Risk.Band.HIGH)),
            risks_critical=Count("pk", filter=Q(band=Risk.Band.CRITICAL)),
        )
    )
    return found


def _finish(figures: dict, *, open_projects, as_of: dt.date, portfolio: Portfolio) -> dict:
    """Recount what cannot be summed (a person over-allocated on two projects is one person;
    overdue gates), then computed health from the level's own figures."""
    figures["people_overallocated"] = people_overallocated(open_projects, as_of=as_of)
    gates = governance_counts(open_projects, as_of=as_of)
    figures["gates_due"] = gates["gates_due"]
    figures["change_requests_waiting"] = gates["change_requests_waiting"]
    policy = health.policy_for(portfolio)
    figures.update(
        health.health_fields({**figures, "as_of": as_of}, policy=policy, gates_overdue=gates["gates_overdue"])
    )
    return figures


def program_figures(program: Program, *, as_of: dt.date) -> dict:
    """Every figure of ProgramRollup for `program`: its open projects' roll-up rows (a project not
    computed yet adds nothing but its count in `projects_open`) plus the program's own risks and
    reserves."""
    program = Program.objects.select_related("portfolio").get(pk=program.pk)
    open_projects = Project.objects.filter(open_projects_q(), program=program)
    rows = list(ProjectRollup.objects.filter(project__in=open_projects))
    reserves = reserve_status(program=program)
    figures = combined_figures(
        rows, extra_risk=program_risk_figures(program), extra_reserve=reserves.contingency_remaining
    )
    figures.update(project_health_counts(rows))
    # Every open project counts as open, a roll-up row or not (a new one's may not exist yet).
    figures["projects_open"] = open_projects.count()
    figures.update(analysis_figures(program=program))
    return _finish(figures, open_projects=open_projects, as_of=as_of, portfolio=program.portfolio)


def portfolio_figures(portfolio: Portfolio, *, as_of: dt.date) -> dict:
    """Every figure of PortfolioRollup for `portfolio`, from its open programs' roll-up rows."""
    programs = Program.objects.filter(portfolio=portfolio, status__in=OPEN_PROGRAM_STATUSES)
    rows = list(ProgramRollup.objects.filter(program__in=programs))
    figures = combined_figures(rows)
    figures["programs_open"] = programs.count()
    for name in ("projects_open", "projects_red", "projects_amber", "projects_green", "projects_disagreeing"):
        figures[name] = _counts(rows, name)
    open_projects = Project.objects.filter(open_projects_q(), program__in=programs)
    return _finish(figures, open_projects=open_projects, as_of=as_of, portfolio=portfolio)
