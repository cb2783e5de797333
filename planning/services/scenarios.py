"""Writes of a scenario and its overlay: atomic, validated, audited.

Every overlay edit locks the scenario (refused unless it is a draft) and bumps its version, so
the version a commit preview was made at names exactly the overlay the user confirmed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from budgets.models import FiscalPeriod
from budgets.selectors.earned_value import fiscal_calendar_for
from core.models import AuditEntry
from core.services import audit_record, create_audited, delete_audited, update_audited, versioned_update

from ..models import BudgetCap, Scenario, ScenarioBudget, ScenarioDemand, ScenarioProject
from ..selectors.scenario import add_months, month_start
from ._common import (
    PERIOD_OTHER_CALENDAR,
    ROLE_OTHER_PORTFOLIO,
    check_may_plan,
    check_project,
    locked_draft,
    refuse,
)

UNSET: Any = object()
NAME_TAKEN = "This portfolio already has a scenario named {name!r}."
BASED_ON_OTHER_PORTFOLIO = "A scenario can only be copied within its portfolio."
NOT_A_DRAFT_TO_DELETE = "Only a draft scenario can be deleted; archive a committed one."
REQUIRES_ITSELF = "A project cannot require itself."
SHIFT_WITHOUT_START = "The project has no planned start to shift; give a start date instead."
START_AND_SHIFT = "Give a start date or a shift in months, not both."
OVERLAY_FIELDS = ("included", "start", "mandatory", "exclusive_group", "delay_max_months", "notes")


def default_horizon_start(today: dt.date | None = None) -> dt.date:
    """The first day of next month: plans are made for what has not started yet."""
    return add_months(month_start(today or timezone.localdate()), 1)


def touch(scenario: Scenario) -> None:
    """Bump the scenario's version (its overlay changed)."""
    Scenario.objects.filter(pk=scenario.pk).update(version=F("version") + 1, updated_at=timezone.now())


@transaction.atomic
def scenario_create(
    *,
    actor,
    portfolio,
    name: str,
    description: str = "",
    horizon_start: dt.date | None = None,
    horizon_months: int = 36,
    delay_max_months: int = 6,
    based_on: Scenario | None = None,
) -> Scenario:
    """Create a draft scenario of `portfolio`; with `based_on`, copy that scenario's overlay
    (project rows, budgets, demands, caps) into it. Raises PermissionDenied unless `actor` may
    plan the portfolio, ValidationError naming the field on bad input."""
    check_may_plan(actor, portfolio)
    if based_on is not None and based_on.portfolio_id != portfolio.pk:
        refuse("based_on", BASED_ON_OTHER_PORTFOLIO)
    name = (name or "").strip()
    if Scenario.objects.filter(portfolio=portfolio, name=name).exists():
        refuse("name", NAME_TAKEN.format(name=name))
    scenario = Scenario(
        portfolio=portfolio,
        name=name,
        description=description,
        horizon_start=month_start(horizon_start) if horizon_start else default_horizon_start(),
        horizon_months=horizon_months,
        delay_max_months=delay_max_months,
        based_on=based_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    create_audited(actor=actor, obj=scenario, fields=["portfolio", "name", "horizon_start", "horizon_months"])
    if based_on is not None:
        _copy_overlay(based_on, scenario)
    return scenario


def _copy_overlay(source: Scenario, target: Scenario) -> None:
    for row in source.project_rows.prefetch_related("requires"):
        requires = list(row.requires.all())
        row.pk, row.id, row.scenario, row.version = None, None, target, 1
        row.save()
        row.requires.set(requires)
    ScenarioBudget.objects.bulk_create(
        ScenarioBudget(scenario=target, project_id=b.project_id, period_id=b.period_id, amount=b.amount)
        for b in source.budgets.all()
    )
    ScenarioDemand.objects.bulk_create(
        ScenarioDemand(scenario=target, project_id=d.project_id, role_id=d.role_id, month=d.month, fte=d.fte)
        for d in source.demands.all()
    )
    BudgetCap.objects.bulk_create(
        BudgetCap(scenario=target, fiscal_year=c.fiscal_year, amount=c.amount) for c in source.budget_caps.all()
    )


@transaction.atomic
def scenario_update(
    *, actor, scenario: Scenario, data: dict[str, Any], expected_version: int | None = None
) -> Scenario:
    """Edit a draft's name, description, horizon or default delay window."""
    current = locked_draft(scenario, expected_version)
    data = {
        k: v
        for k, v in data.items()
        if k in ("name", "description", "horizon_start", "horizon_months", "delay_max_months")
    }
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if (
            Scenario.objects.filter(portfolio_id=current.portfolio_id, name=data["name"])
            .exclude(pk=current.pk)
            .exists()
        ):
            refuse("name", NAME_TAKEN.format(name=data["name"]))
    if data.get("horizon_start"):
        data["horizon_start"] = month_start(data["horizon_start"])
    return versioned_update(instance=current, data=data, actor=actor, expected_version=expected_version)


@transaction.atomic
def scenario_archive(*, actor, scenario: Scenario) -> Scenario:
    """Archive a scenario (draft or committed): kept for the record, read-only."""
    current = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if current.status == Scenario.Status.ARCHIVED:
        return current
    old = current.status
    Scenario.objects.filter(pk=current.pk).update(
        status=Scenario.Status.ARCHIVED, version=F("version") + 1, updated_at=timezone.now()
    )
    current.refresh_from_db()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=current, changes={"status": [old, "archived"]})
    return current


@transaction.atomic
def scenario_delete(*, actor, scenario: Scenario, expected_version: int | None = None) -> None:
    current = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if current.status != Scenario.Status.DRAFT:
        refuse("status", NOT_A_DRAFT_TO_DELETE)
    if expected_version is not None and current.version != expected_version:
        from core.services import StaleVersionError

        raise StaleVersionError()
    delete_audited(actor=actor, obj=current)


# -- overlay rows ------------------------------------------------------------------------------


@transaction.atomic
def scenario_project_set(
    *,
    actor,
    scenario: Scenario,
    project,
    included: bool | None = UNSET,
    start: dt.date | None = UNSET,
    shift_months: int | None = None,
    mandatory: bool = UNSET,
    exclusive_group: str = UNSET,
    requires=UNSET,
    delay_max_months: int | None = UNSET,
    notes: str = UNSET,
) -> ScenarioProject | None:
    """Set how `project` differs from live in the scenario; arguments left out keep their value.
    `included` None and `start` None mean "as live"; `shift_months` moves the start from the
    live planned start by whole months (instead of `start`). A row that ends up saying nothing
    different from live is deleted (returns None)."""
    scenario = locked_draft(scenario)
    check_project(scenario, project)
    if shift_months is not None:
        if start is not UNSET:
            refuse("shift_months", START_AND_SHIFT)
        if project.planned_start is None:
            refuse("shift_months", SHIFT_WITHOUT_START)
        start = add_months(project.planned_start, int(shift_months)) if shift_months else None
    if start is not UNSET and start is not None and start == project.planned_start:
        start = None
    row = ScenarioProject.objects.filter(scenario=scenario, project=project).first()
    values = {
        name: value
        for name, value in (
            ("included", included),
            ("start", start),
            ("mandatory", mandatory),
            ("exclusive_group", (exclusive_group or "").strip() if exclusive_group is not UNSET else UNSET),
            ("delay_max_months", delay_max_months),
            ("notes", notes),
        )
        if value is not UNSET
    }
    if requires is not UNSET:
        requires = list(requires or [])
        for other in requires:
            if other.pk == project.pk:
                refuse("requires", REQUIRES_ITSELF)
            check_project(scenario, other)
    if row is None:
        row = ScenarioProject(scenario=scenario, project=project, **values)
        create_audited(actor=actor, obj=row, fields=["scenario", "project", *values])
    elif values:
        row = update_audited(actor=actor, obj=row, data=values)
    if requires is not UNSET:
        before = sorted(row.requires.values_list("pk", flat=True))
        row.requires.set(requires)
        after = sorted(p.pk for p in requires)
        if before != after:
            audit_record(
                actor=actor, action=AuditEntry.Action.UPDATE, obj=row, changes={"requires": [str(before), str(after)]}
            )
    touch(scenario)
    if _says_nothing(row):
        delete_audited(actor=actor, obj=row)
        return None
    return row


def _says_nothing(row: ScenarioProject) -> bool:
    return (
        row.included is None
        and row.start is None
        and not row.mandatory
        and not row.exclusive_group
        and row.delay_max_months is None
        and not row.notes
        and not row.requires.exists()
    )


@transaction.atomic
def scenario_project_reset(*, actor, scenario: Scenario, project) -> None:
    """Forget how `project`'s row differs from live (its budgets and demands stay)."""
    scenario = locked_draft(scenario)
    for row in ScenarioProject.objects.filter(scenario=scenario, project=project):
        delete_audited(actor=actor, obj=row)
    touch(scenario)


@transaction.atomic
def scenario_project_clear(*, actor, scenario: Scenario, project) -> None:
    """Forget how `project` differs from live: its row, budgets and demands in the scenario."""
    scenario = locked_draft(scenario)
    for row in ScenarioProject.objects.filter(scenario=scenario, project=project):
        delete_audited(actor=actor, obj=row)
    for model in (ScenarioBudget, ScenarioDemand):
        for row in model.objects.filter(scenario=scenario, project=project):
            delete_audited(actor=actor, obj=row)
    touch(scenario)


@transaction.atomic
def scenario_budget_set(
    *, actor, scenario: Scenario, project, period: FiscalPeriod, amount: Decimal | None
) -> ScenarioBudget | None:
    """In the scenario, `project`'s budget in `period` is `amount` (base currency); None goes
    back to the live budget there."""
    scenario = locked_draft(scenario)
    check_project(scenario, project)
    calendar = fiscal_calendar_for(portfolio=scenario.portfolio)
    if period.calendar_id != calendar.pk:
        refuse("period", PERIOD_OTHER_CALENDAR.format(calendar=calendar.name))
    row = ScenarioBudget.objects.filter(scenario=scenario, project=project, period=period).first()
    touch(scenario)
    if amount is None:
        if row is not None:
            delete_audited(actor=actor, obj=row)
        return None
    if row is None:
        row = ScenarioBudget(scenario=scenario, project=project, period=period, amount=amount)
        return create_audited(actor=actor, obj=row, fields=["scenario", "project", "period", "amount"])
    return versioned_update(instance=row, data={"amount": amount}, actor=actor)


@transaction.atomic
def scenario_demand_set(
    *, actor, scenario: Scenario, project, role, month: dt.date, fte: Decimal | None
) -> ScenarioDemand | None:
    """In the scenario, `project` needs `fte` people in `role` during `month` (its first day is
    stored); None goes back to the live demand there."""
    scenario = locked_draft(scenario)
    check_project(scenario, project)
    if role.portfolio_id != scenario.portfolio_id:
        refuse("role", ROLE_OTHER_PORTFOLIO)
    month = month_start(month)
    row = ScenarioDemand.objects.filter(scenario=scenario, project=project, role=role, month=month).first()
    touch(scenario)
    if fte is None:
        if row is not None:
            delete_audited(actor=actor, obj=row)
        return None
    if row is None:
        row = ScenarioDemand(scenario=scenario, project=project, role=role, month=month, fte=fte)
        return create_audited(actor=actor, obj=row, fields=["scenario", "project", "role", "month", "fte"])
    return versioned_update(instance=row, data={"fte": fte}, actor=actor)


@transaction.atomic
def budget_cap_set(*, actor, scenario: Scenario, fiscal_year: int, amount: Decimal | None) -> BudgetCap | None:
    """Cap what the scenario's projects cost in `fiscal_year`; None removes the cap."""
    scenario = locked_draft(scenario)
    row = BudgetCap.objects.filter(scenario=scenario, fiscal_year=fiscal_year).first()
    touch(scenario)
    if amount is None:
        if row is not None:
            delete_audited(actor=actor, obj=row)
        return None
    if row is None:
        row = BudgetCap(scenario=scenario, fiscal_year=fiscal_year, amount=amount)
        return create_audited(actor=actor, obj=row, fields=["scenario", "fiscal_year", "amount"])
    return versioned_update(instance=row, data={"amount": amount}, actor=actor)


__all__ = [
    "UNSET",
    "budget_cap_set",
    "default_horizon_start",
    "scenario_archive",
    "scenario_budget_set",
    "scenario_create",
    "scenario_delete",
    "scenario_demand_set",
    "scenario_project_clear",
    "scenario_project_reset",
    "scenario_project_set",
    "scenario_update",
]
