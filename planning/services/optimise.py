"""The optimiser on a scenario: build its candidates and limits from the scenario view, run it
(planning.optimiser, OR-Tools CP-SAT) with a time limit, store the plan, and write a plan back
into the scenario's overlay.

Candidates: every open project of the portfolio whose start falls before the horizon's end.
- A project already under way at the horizon's start (its start before it) is fixed at month 0
  with what it still costs and needs from there; it can be kept or left out (put on hold).
- Any other may start in its current start month or up to `delay_max_months` later (its row's,
  else the scenario's), inside the horizon. Its cost and demand move with the start.
- value = its score (0-100, planning.selectors.scores); 1 each when the portfolio has no
  criteria (the optimiser then keeps as many projects as the limits allow).
Limits: the scenario's budget caps per fiscal year and, per staffing role with people in the
pool, its supply per month (FTE) — raised to what the projects under way already need in a
month where they over-allocate the pool today.

A run is recorded queued and started on Celery after commit (`planning.optimise`), which runs
in process in the embedded default (no broker), as the risk analysis runs do.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import AuditEntry, TaskRun
from core.services import audit_record

from ..models import OptimisationRun, Scenario
from ..selectors.scenario import ScenarioRow, ScenarioView, add_months, months_between, scenario_view
from ._common import check_may_plan, locked_draft, refuse
from .scenarios import scenario_project_set, touch

log = logging.getLogger(__name__)
ZERO = Decimal(0)
ONE = Decimal(1)
RUN_NOT_DONE = "Only a finished optimisation run's plan can be applied; this one is {status}."
RUN_NO_PLAN = "The optimiser found no plan in this run ({reason})."
TIME_LIMIT_RANGE = "The time limit is 1 to {limit} seconds."


def _index(view: ScenarioView, day: dt.date | None) -> int:
    return months_between(view.months[0], day) if day else 0


def _series(series: dict[dt.date, Decimal], anchor: dt.date, last: dt.date) -> tuple[Decimal, ...]:
    """Amounts by month offset from `anchor` (earlier months added to offset 0), up to `last`."""
    if not series:
        return ()
    length = max(months_between(anchor, last) + 1, 1)
    values = [ZERO] * max(length, max(months_between(anchor, m) for m in series) + 1)
    for month, amount in series.items():
        values[max(months_between(anchor, month), 0)] += amount
    while values and values[-1] == 0:
        values.pop()
    return tuple(values)


def candidate_of(view: ScenarioView, row: ScenarioRow, *, use_scores: bool):
    """The optimiser's Candidate for `row`, or None when it starts after the horizon."""
    from planning.optimiser.model import Candidate

    horizon = len(view.months)
    first, last = view.months[0], view.months[-1]
    start = row.start or first
    current = _index(view, start)
    if current >= horizon:
        return None
    if current <= 0:
        anchor, starts, current = first, (0,), 0
    else:
        anchor = start.replace(day=1)
        latest = min(current + max(row.delay_max_months, 0), horizon - 1)
        starts = tuple(range(current, latest + 1))
    # What falls before the horizon is spent (or planned outside it) and not constrained; a
    # project starting inside it carries what it has before its start into its start month.
    cost = {m: v for m, v in row.cost_by_month.items() if first <= m <= last}
    demand = {
        role: _series({m: v for m, v in series.items() if first <= m <= last}, anchor, last)
        for role, series in row.demand.items()
    }
    return Candidate(
        key=row.key,
        label=row.label,
        value=(row.score or ZERO) if use_scores else ONE,
        cost=_series(cost, anchor, last),
        demand={role: values for role, values in demand.items() if values},
        starts=starts,
        current_start=current,
        mandatory=row.mandatory,
        requires=tuple(f"p{pk}" for pk in row.requires),
        exclusive=row.exclusive_group or None,
    )


def optimisation_inputs(view: ScenarioView):
    """(candidates, limits) for the optimiser from a scenario view."""
    from planning.optimiser.model import Limits

    use_scores = any(r.score is not None for r in view.rows)
    candidates = [c for c in (candidate_of(view, r, use_scores=use_scores) for r in view.rows) if c is not None]
    keys = {c.key for c in candidates}
    # A requirement on a project outside the candidates (started after the horizon) is dropped.
    candidates = [
        c if set(c.requires) <= keys else _replace(c, requires=tuple(k for k in c.requires if k in keys))
        for c in candidates
    ]
    # An over-allocation the projects under way already have is not the plan's to fix by
    # stopping one of them: a month's capacity is the pool's supply, or what those projects
    # need there when that is more (new projects still cannot add to it).
    running = [r for r in view.rows if r.live_included and r.live_start and r.live_start < view.months[0]]
    capacity = {}
    for role, months in view.supply.items():
        if not any(v > 0 for v in months.values()):
            continue
        under_way = [sum((r.demand.get(role, {}).get(m, ZERO) for r in running), ZERO) for m in view.months]
        capacity[role] = tuple(max(months.get(m, ZERO), need) for m, need in zip(view.months, under_way, strict=True))
    limits = Limits(
        month_fiscal_year=tuple(view.fiscal_year_of_month[m] for m in view.months),
        budget_cap={fy: cap for fy, cap in view.budget_cap_by_fy.items() if cap is not None},
        capacity=capacity,
        month_labels=tuple(f"{m:%Y-%m}" for m in view.months),
        currency=view.currency,
    )
    return candidates, limits


def _replace(candidate, **changes):
    import dataclasses

    return dataclasses.replace(candidate, **changes)


def plan_json(plan, view: ScenarioView) -> dict:
    """The optimiser's Plan as JSON the run stores, with the month and project each key names."""
    by_key = {r.key: r for r in view.rows}
    return {
        "status": plan.status,
        "value": str(plan.value),
        "bound": None if plan.bound is None else str(plan.bound),
        "starts": dict(plan.starts),
        "start_months": {k: view.months[i].isoformat() for k, i in plan.starts.items()},
        "excluded": dict(plan.excluded),
        "shifted": {k: list(v) for k, v in plan.shifted.items()},
        "binding": [
            {
                "kind": b.kind,
                "key": b.key,
                "used": str(b.used),
                "limit": str(b.limit),
                "slack": str(b.slack),
                "near": b.near,
            }
            for b in plan.binding
        ],
        "infeasible_reason": plan.infeasible_reason,
        "solve_seconds": plan.solve_seconds,
        "projects": {k: {"id": r.project.pk, "label": r.label} for k, r in by_key.items()},
    }


def time_limit_default() -> float:
    return float(settings.KEEL_PLANNING_TIME_LIMIT)


@transaction.atomic
def scenario_optimise(*, user, scenario: Scenario, time_limit_s: float | None = None, seed: int = 0) -> OptimisationRun:
    """Record a queued optimisation run of a draft scenario and start it after commit (on
    Celery; in process in the embedded default). PermissionDenied unless `user` (None: the
    system) may plan the portfolio; ValidationError naming the field on bad input."""
    scenario = locked_draft(scenario)
    check_may_plan(user, scenario.portfolio)
    limit = time_limit_default() if time_limit_s is None else float(time_limit_s)
    if not 1 <= limit <= settings.KEEL_PLANNING_TIME_LIMIT_MAX:
        refuse("time_limit_s", TIME_LIMIT_RANGE.format(limit=settings.KEEL_PLANNING_TIME_LIMIT_MAX))
    from .. import tasks

    task_id = uuid.uuid4().hex
    task_run = TaskRun.objects.create(
        task_id=task_id, name=tasks.optimise.name, label=f"Optimise {scenario.name}"[:200]
    )
    run = OptimisationRun.objects.create(
        scenario=scenario,
        params={"time_limit_s": limit, "seed": int(seed), "scenario_version": scenario.version},
        created_by=user if getattr(user, "is_authenticated", False) else None,
        task_run=task_run,
    )
    TaskRun.objects.filter(pk=task_run.pk).update(args=[run.pk])
    audit_record(actor=user, action=AuditEntry.Action.CREATE, obj=run, changes={"time_limit_s": [None, str(limit)]})

    def send() -> None:
        try:
            tasks.optimise.apply_async((run.pk,), task_id=task_id)
        except Exception:
            log.exception("Could not start optimisation run %s.", run.pk)

    transaction.on_commit(send, robust=True)
    return run


def optimisation_run_execute(*, run: OptimisationRun) -> OptimisationRun:
    """Solve run `run` and store its plan (or the error). Idempotent: a finished run is left."""
    from planning.optimiser import optimise

    if run.status in (OptimisationRun.Status.SUCCEEDED, OptimisationRun.Status.FAILED):
        return run
    OptimisationRun.objects.filter(pk=run.pk).update(status=OptimisationRun.Status.RUNNING, started_at=timezone.now())
    scenario = Scenario.objects.select_related("portfolio").get(pk=run.scenario_id)
    try:
        view = scenario_view(scenario)
        candidates, limits = optimisation_inputs(view)
        plan = optimise(
            candidates,
            limits,
            time_limit_s=float(run.params.get("time_limit_s", time_limit_default())),
            seed=int(run.params.get("seed", 0)),
        )
    except (ValueError, ValidationError) as error:
        run.status, run.error = OptimisationRun.Status.FAILED, str(error)[:4000]
    else:
        run.status, run.plan = OptimisationRun.Status.SUCCEEDED, plan_json(plan, view)
        run.params = {**run.params, "candidates": len(candidates)}
    run.finished_at = timezone.now()
    OptimisationRun.objects.filter(pk=run.pk).update(
        status=run.status, plan=run.plan, error=run.error, params=run.params, finished_at=run.finished_at
    )
    return run


@transaction.atomic
def plan_apply(*, actor, run: OptimisationRun) -> Scenario:
    """Write a finished run's plan into its (draft) scenario's overlay: the projects it selects
    are included at the start it chose, the others left out. Rows that end up as live vanish."""
    run = OptimisationRun.objects.select_for_update().get(pk=run.pk)
    scenario = locked_draft(run.scenario)
    check_may_plan(actor, scenario.portfolio)
    if run.status != OptimisationRun.Status.SUCCEEDED:
        refuse("run", RUN_NOT_DONE.format(status=run.get_status_display().lower()))
    plan = run.plan
    if plan.get("status") not in ("optimal", "feasible"):
        refuse("run", RUN_NO_PLAN.format(reason=plan.get("infeasible_reason") or plan.get("status")))
    view = scenario_view(scenario)
    starts = plan.get("starts", {})
    decided = set(starts) | set(plan.get("excluded", {}))
    for row in view.rows:
        if row.key not in decided:
            continue
        included = row.key in starts
        start = None
        if included and row.live_start is not None:
            live_index, chosen = max(months_between(view.months[0], row.live_start), 0), int(starts[row.key])
            start = None if chosen == live_index else add_months(row.live_start, chosen - live_index)
        elif included:
            start = view.months[int(starts[row.key])]
        scenario_project_set(
            actor=actor,
            scenario=scenario,
            project=row.project,
            included=None if included == row.live_included else included,
            start=start,
        )
    run.applied_at = timezone.now()
    OptimisationRun.objects.filter(pk=run.pk).update(applied_at=run.applied_at)
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, obj=scenario, changes={"plan_applied": [None, str(run.pk)]}
    )
    touch(scenario)
    scenario.refresh_from_db()
    return scenario
