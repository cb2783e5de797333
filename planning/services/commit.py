"""Committing a scenario: the live portfolio becomes what the scenario says, in ONE transaction,
through the domains' own services (each audited), all or nothing.

What changes, per project the scenario changes (`scenario_commit_preview` lists it first, and
the commit takes the scenario version the preview was made at, so what is confirmed is what
is applied):

- added (proposed / on hold → in): the project is approved — status active (project_update);
- dropped (active → out): the project is put on hold (project_update);
- a moved start: planned start (and planned finish, by the same number of days) moved with
  project_update, which re-runs its CPM schedule; its staffing requests and allocations move by
  the same number of days (staffing services); its CURRENT budget moves by the same number of
  whole months, category by category;
- a scenario budget in a period: the project's budget there becomes that amount, spread over
  the categories in proportion to what is there (else the project's main category);
- budget moves are made by one change request per project (governance: drafted, submitted and
  approved by the committer, so the decision log and the budget history show them);
- a scenario staffing demand above the live demand: new staffing requests for the difference in
  that month (in chunks of at most 100 % FTE); below it: the requests lying wholly inside that
  month are cancelled while they fit in the reduction — what is left over is listed in the
  preview's warnings for the resource manager.

The scenario is then marked committed (read-only). A failure anywhere rolls everything back.
Undo is a second scenario built from the new live state that says the opposite.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from budgets.models import BudgetLine, CostCategory, FiscalPeriod
from budgets.selectors.earned_value import fiscal_calendar_for
from budgets.selectors.rates import RateTable
from budgets.services import fiscal_periods_generate
from core.models import AuditEntry
from core.services import audit_record
from governance.services import change_request_approve, change_request_create, change_request_submit
from projects.models import Project
from projects.services import project_update
from staffing.models import Allocation, StaffingRequest
from staffing.services import (
    allocation_update,
    staffing_request_cancel,
    staffing_request_create,
    staffing_request_update,
)

from ..models import Scenario, ScenarioDemand
from ..selectors.scenario import (
    CHANGE_ADDED,
    CHANGE_DROPPED,
    ScenarioView,
    _live_demand,
    add_months,
    month_end,
    month_start,
    scenario_view,
)
from ._common import check_may_plan, locked_draft, refuse

ZERO = Decimal(0)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
CONFIRM_REQUIRED = "Confirm the commit: it changes the live portfolio as the preview lists."
NOTHING_TO_COMMIT = "The scenario does not differ from the live portfolio; there is nothing to commit."
MIXED_CURRENCIES = "{project}'s budget is in several currencies ({currencies}); move it by hand first."
NO_CATEGORY = "There is no cost category to budget {project} in; create one first."

KIND_APPROVE, KIND_HOLD, KIND_SHIFT, KIND_BUDGET, KIND_DEMAND = "approve", "hold", "shift", "budget", "demand"


@dataclass
class BudgetMove:
    category: CostCategory
    period_start: dt.date
    amount_delta: Decimal  # in `currency`


@dataclass
class DemandMove:
    role_id: int
    role: str
    month: dt.date
    fte_delta: Decimal  # positive: new requests; negative: cancel requests inside the month
    cancel: list[StaffingRequest] = field(default_factory=list)
    left_over: Decimal = ZERO  # a reduction no request fits


@dataclass
class ProjectChange:
    """What the commit does to one project."""

    project: Project
    label: str
    status_to: str | None = None  # "active" (approve) or "on_hold"
    start_from: dt.date | None = None
    start_to: dt.date | None = None
    finish_to: dt.date | None = None  # the engine's finish in the scenario
    currency: str = ""
    budget: list[BudgetMove] = field(default_factory=list)
    demand: list[DemandMove] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        found = []
        if self.status_to == Project.Status.ACTIVE:
            found.append(KIND_APPROVE)
        if self.status_to == Project.Status.ON_HOLD:
            found.append(KIND_HOLD)
        if self.start_to is not None:
            found.append(KIND_SHIFT)
        if self.budget:
            found.append(KIND_BUDGET)
        if self.demand:
            found.append(KIND_DEMAND)
        return found

    @property
    def shift_days(self) -> int:
        return (self.start_to - self.start_from).days if self.start_to and self.start_from else 0

    @property
    def budget_delta(self) -> Decimal:
        return sum((m.amount_delta for m in self.budget), ZERO)

    def lines(self) -> list[str]:
        """The changes in words, for the confirmation page and the API."""
        found = []
        if self.status_to == Project.Status.ACTIVE:
            found.append("Approve: status becomes active.")
        if self.status_to == Project.Status.ON_HOLD:
            found.append("Put on hold.")
        if self.start_to is not None:
            text = (
                f"Start moves from {self.start_from:%-d %b %Y} to {self.start_to:%-d %b %Y}"
                if self.start_from
                else f"Start set to {self.start_to:%-d %b %Y}"
            )
            found.append(text + (f" (finish {self.finish_to:%-d %b %Y})." if self.finish_to else "."))
        if self.budget:
            found.append(
                f"Budget moved by a change request: {len(self.budget)} line(s), "
                f"net {self.budget_delta:+,.2f} {self.currency}."
            )
        for move in self.demand:
            if move.fte_delta > 0:
                found.append(f"Request {move.fte_delta:.2f} FTE more {move.role} in {move.month:%b %Y}.")
            elif move.cancel:
                found.append(f"Cancel {len(move.cancel)} {move.role} request(s) in {move.month:%b %Y}.")
        return found


@dataclass
class CommitPreview:
    scenario: Scenario
    version: int  # commit with this as expected_version
    changes: list[ProjectChange]
    warnings: list[str]

    @property
    def is_empty(self) -> bool:
        return not self.changes


# -- working out the changes -------------------------------------------------------------------


def _q(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class _Inputs:
    """What the changes are worked out from, read once for every project (a fixed number of
    queries, whatever the number of projects the scenario changes)."""

    lines: dict[int, list[BudgetLine]]
    overrides: dict[int, dict[dt.date, Decimal]]
    demands: dict[int, list[ScenarioDemand]]
    live_demand: dict[int, dict[str, dict[dt.date, Decimal]]]
    requests: dict[int, list[StaffingRequest]]


def _inputs(view: ScenarioView) -> _Inputs:
    included = [r for r in view.rows if r.included]
    overrides: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for b in view.scenario.budgets.select_related("period").order_by():
        overrides[b.project_id][month_start(b.period.start)] = b.amount
    moved = [r.project.pk for r in included if r.shift_months or r.project.pk in overrides]
    lines: dict[int, list[BudgetLine]] = defaultdict(list)
    if moved:
        for line in BudgetLine.objects.filter(
            project_id__in=moved, budget_version=BudgetLine.Version.CURRENT
        ).select_related("category", "period"):
            lines[line.project_id].append(line)
    demands: dict[int, list[ScenarioDemand]] = defaultdict(list)
    for row in ScenarioDemand.objects.filter(scenario=view.scenario).select_related("role").order_by("month", "pk"):
        demands[row.project_id].append(row)
    ids = [r.project.pk for r in included if r.project.pk in demands]
    requests: dict[int, list[StaffingRequest]] = defaultdict(list)
    if ids:
        for r in (
            StaffingRequest.objects.filter(project_id__in=ids)
            .exclude(status=StaffingRequest.Status.CANCELLED)
            .order_by("-fte_percent", "pk")
        ):
            requests[r.project_id].append(r)
    return _Inputs(lines, overrides, demands, _live_demand(ids) if ids else {}, requests)


def _budget_moves(view: ScenarioView, change: ProjectChange, shift_months: int, inputs: _Inputs) -> None:
    """Fill `change.budget`: the CURRENT lines moved by `shift_months`, then the scenario's
    period budgets (base currency) spread over the categories there."""
    project = change.project
    overrides = inputs.overrides.get(project.pk, {})
    if not shift_months and not overrides:
        return
    lines = inputs.lines.get(project.pk, [])
    currencies = {line.currency_id for line in lines}
    if len(currencies) > 1:
        refuse("budget", MIXED_CURRENCIES.format(project=project.code, currencies=", ".join(sorted(currencies))))
    currency = currencies.pop() if currencies else view.currency
    change.currency = currency
    live: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    categories: dict[int, CostCategory] = {}
    for line in lines:
        live[(line.category_id, month_start(line.period.start))] += line.amount
        categories[line.category_id] = line.category
    target: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    for (category_id, month), amount in live.items():
        target[(category_id, add_months(month, shift_months))] += amount
    if overrides:
        rates = RateTable.load({currency, view.currency}, until=max(overrides))
        totals = defaultdict(lambda: ZERO)
        for (_category, month), amount in target.items():
            totals[month] += amount
        main = _main_category(project, lines, categories)
        for month, amount in overrides.items():
            wanted = amount if currency == view.currency else rates.convert(amount, view.currency, currency, month)
            here = {c: a for (c, m), a in target.items() if m == month and a}
            for c in here:
                target[(c, month)] = ZERO
            if not here:
                target[(main.pk, month)] = _q(wanted)
                continue
            # Spread in proportion; the last category takes the rounding so the total is exact.
            spread, ordered = ZERO, sorted(here, key=lambda c: (-here[c], c))
            for c in ordered[:-1]:
                share = _q(wanted * here[c] / totals[month])
                target[(c, month)] = share
                spread += share
            target[(ordered[-1], month)] = _q(wanted) - spread
    for key in sorted(set(live) | set(target), key=lambda k: (k[1], k[0])):
        delta = target[key] - live[key]
        if delta:
            change.budget.append(BudgetMove(category=categories[key[0]], period_start=key[1], amount_delta=delta))


def _main_category(project, lines, categories) -> CostCategory:
    totals = defaultdict(lambda: ZERO)
    for line in lines:
        totals[line.category_id] += line.amount
    if totals:
        return categories[max(totals, key=lambda c: (totals[c], -c))]
    found = CostCategory.objects.order_by("code").first()
    if found is None:
        refuse("budget", NO_CATEGORY.format(project=project.code))
    return found


def _demand_moves(change: ProjectChange, shift_months: int, inputs: _Inputs, warnings: list[str]) -> None:
    project = change.project
    rows = inputs.demands.get(project.pk, [])
    if not rows:
        return
    live = inputs.live_demand.get(project.pk, {})
    requests = inputs.requests.get(project.pk, [])
    for row in rows:
        month = month_start(row.month)
        live_month = add_months(month, -shift_months)
        now = live.get(row.role.name, {}).get(live_month, ZERO)
        delta = row.fte - now
        if not delta:
            continue
        move = DemandMove(role_id=row.role_id, role=row.role.name, month=month, fte_delta=delta)
        if delta < 0:
            left = -delta
            # A request is cancelled only when it lies wholly inside the (shifted-back) month.
            for r in requests:
                inside = r.role_id == row.role_id and r.start >= live_month and r.end <= month_end(live_month)
                fte = r.fte_percent / HUNDRED if r.fte_percent is not None else r.hours_per_week / Decimal(40)
                if inside and fte <= left:
                    move.cancel.append(r)
                    left -= fte
            move.left_over = left
            if left:
                warnings.append(
                    f"{project.code}: {left:.2f} FTE less {row.role.name} in {month:%b %Y} is not applied "
                    "(no request lies wholly in that month); shorten the requests by hand."
                )
            if not move.cancel:
                continue
        change.demand.append(move)


def _changes(view: ScenarioView) -> tuple[list[ProjectChange], list[str]]:
    changes, warnings = [], []
    inputs = _inputs(view)
    for row in view.rows:
        p = row.project
        change = ProjectChange(project=p, label=row.label)
        if row.change == CHANGE_ADDED:
            change.status_to = Project.Status.ACTIVE
        elif row.change == CHANGE_DROPPED:
            change.status_to = Project.Status.ON_HOLD
        if row.included:
            if row.start and row.start != row.live_start:
                change.start_from, change.start_to, change.finish_to = row.live_start, row.start, row.finish
            _budget_moves(view, change, row.shift_months, inputs)
            _demand_moves(change, row.shift_months, inputs, warnings)
        if change.kinds:
            changes.append(change)
    return changes, warnings


def scenario_commit_preview(scenario: Scenario) -> CommitPreview:
    """What committing `scenario` would change, project by project (nothing is written)."""
    scenario = Scenario.objects.select_related("portfolio").get(pk=scenario.pk)
    view = scenario_view(scenario)
    changes, warnings = _changes(view)
    return CommitPreview(scenario=scenario, version=scenario.version, changes=changes, warnings=warnings)


# -- applying them -----------------------------------------------------------------------------


def _periods(portfolio, months: set[dt.date], actor) -> dict[dt.date, FiscalPeriod]:
    """The portfolio calendar's stored periods starting on `months`, generating missing years."""
    calendar = fiscal_calendar_for(portfolio=portfolio)
    found = {p.start: p for p in FiscalPeriod.objects.filter(calendar=calendar, start__in=months)}
    missing = months - set(found)
    if missing and calendar.pk is not None:
        years = sorted({calendar.fiscal_year_of(m) for m in missing})
        fiscal_periods_generate(actor=actor, calendar=calendar, first_year=years[0], last_year=years[-1])
        found = {p.start: p for p in FiscalPeriod.objects.filter(calendar=calendar, start__in=months)}
    return found


def _apply_budget(*, actor, scenario: Scenario, change: ProjectChange) -> None:
    if not change.budget:
        return
    periods = _periods(scenario.portfolio, {m.period_start for m in change.budget}, actor)
    request = change_request_create(
        actor=actor,
        project=change.project,
        title=f"Scenario “{scenario.name}”: budget"[:200],
        reason=f"Committed from the portfolio scenario “{scenario.name}”.",
        currency=change.currency,
        lines=[
            {"category": m.category, "period": periods[m.period_start], "amount_delta": m.amount_delta}
            for m in change.budget
        ],
    )
    request = change_request_submit(actor=actor, change_request=request)
    change_request_approve(actor=actor, change_request=request, notes=f"Scenario “{scenario.name}” committed.")


def _apply_shift(*, actor, change: ProjectChange) -> None:
    project = Project.objects.get(pk=change.project.pk)
    days = dt.timedelta(days=change.shift_days)
    data = {"planned_start": change.start_to}
    if project.planned_finish is not None:
        data["planned_finish"] = project.planned_finish + days
    project_update(actor=actor, project=project, data=data)
    for r in StaffingRequest.objects.filter(project=project).exclude(status=StaffingRequest.Status.CANCELLED):
        staffing_request_update(actor=actor, staffing_request=r, data={"start": r.start + days, "end": r.end + days})
    for a in Allocation.objects.filter(project=project).select_related("person", "role", "request", "project__program"):
        allocation_update(actor=actor, allocation=a, data={"start": a.start + days, "end": a.end + days})


def _apply_demand(*, actor, scenario: Scenario, change: ProjectChange) -> None:
    roles = {}
    if change.demand:
        from staffing.models import Role

        roles = Role.objects.in_bulk([m.role_id for m in change.demand])
    for move in change.demand:
        if move.fte_delta > 0:
            left = move.fte_delta * HUNDRED
            while left > 0:
                chunk = min(left, HUNDRED)
                staffing_request_create(
                    actor=actor,
                    project=change.project,
                    role=roles[move.role_id],
                    start=move.month,
                    end=month_end(move.month),
                    fte_percent=_q(chunk),
                    notes=f"Scenario “{scenario.name}”",
                )
                left -= chunk
        for r in move.cancel:
            staffing_request_cancel(actor=actor, staffing_request=StaffingRequest.objects.get(pk=r.pk))


@transaction.atomic
def scenario_commit(*, actor, scenario: Scenario, expected_version: int | None, confirm: bool = False) -> Scenario:
    """Apply `scenario` to the live portfolio (see the module docstring) and mark it committed.

    `confirm` must be True and `expected_version` the version the preview showed (None: the
    current one — for scripts that just made the preview); StaleVersionError (412) when the
    scenario changed since. PermissionDenied unless `actor` is a portfolio admin. Any failure
    raises and rolls the whole commit back."""
    if not confirm:
        refuse("confirm", CONFIRM_REQUIRED)
    current = locked_draft(scenario, expected_version)
    check_may_plan(actor, current.portfolio)
    view = scenario_view(current)
    changes, _warnings = _changes(view)
    if not changes:
        refuse("scenario", NOTHING_TO_COMMIT)
    # Order: approvals first (a shifted or re-budgeted project is active by then), then starts
    # (the schedule moves before the budget is phased to it), budgets, staffing, holds last.
    for change in changes:
        if change.status_to == Project.Status.ACTIVE:
            project_update(
                actor=actor, project=Project.objects.get(pk=change.project.pk), data={"status": change.status_to}
            )
    for change in changes:
        if change.start_to is not None:
            _apply_shift(actor=actor, change=change)
    for change in changes:
        _apply_budget(actor=actor, scenario=current, change=change)
    for change in changes:
        _apply_demand(actor=actor, scenario=current, change=change)
    for change in changes:
        if change.status_to == Project.Status.ON_HOLD:
            project_update(
                actor=actor, project=Project.objects.get(pk=change.project.pk), data={"status": change.status_to}
            )
    now = timezone.now()
    committer = actor if getattr(actor, "is_authenticated", False) else None
    Scenario.objects.filter(pk=current.pk).update(
        status=Scenario.Status.COMMITTED,
        committed_at=now,
        committed_by=committer,
        version=F("version") + 1,
        updated_at=now,
    )
    current.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=current,
        changes={
            "status": ["draft", "committed"],
            "projects_changed": [None, ", ".join(c.project.code for c in changes)],
        },
    )
    return current


__all__ = ["CommitPreview", "ProjectChange", "scenario_commit", "scenario_commit_preview"]
