"""Writes for a project's money — budget lines, actual costs, forecasts — and reserve drawdowns.
Each is atomic, validated (full_clean plus the rules below) and audited. Amounts default to
the portfolio's base currency."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from core.changes import inputs_changed
from core.models import AuditEntry
from core.services import audit_record, versioned_delete, versioned_update
from portfolio.models import Program
from projects.models import Project, Task

from ..models import BudgetLine, CostCategory, CostEntry, FiscalPeriod, Forecast, ReserveTransaction
from ._common import create_audited, currency_or_base

PERIOD_OTHER_PORTFOLIO = "This fiscal period belongs to another portfolio's calendar."
ORIGINAL_EXISTS = "This project already has an original budget; pass replace=True to re-baseline it."
NO_CURRENT_BUDGET = "This project has no current budget lines to copy."
RESERVE_EXCEEDED = "Only {remaining} of this reserve remains; the drawdown of {amount} would overdraw it."
RESERVE_SCOPE = "Draw down the reserve of exactly one project or one program."


def _touch(row) -> None:
    """Tell the roll-ups that the money of `row`'s project (or program) changed."""
    project_id = getattr(row, "project_id", None)
    inputs_changed(projects=[project_id], programs=[] if project_id else [getattr(row, "program_id", None)])


def _check_period(project: Project, period: FiscalPeriod) -> None:
    calendar = period.calendar
    if calendar.portfolio_id is not None and calendar.portfolio_id != project.program.portfolio_id:
        raise ValidationError({"period": PERIOD_OTHER_PORTFOLIO})


# -- budget lines ------------------------------------------------------------------------------


@transaction.atomic
def budget_line_create(
    *,
    actor,
    project: Project,
    category: CostCategory,
    period: FiscalPeriod,
    amount: Decimal,
    currency=None,
    budget_version: str = BudgetLine.Version.CURRENT,
    notes: str = "",
) -> BudgetLine:
    """Budget `amount` for `category` in `period`, in the CURRENT approved budget (default) or
    the ORIGINAL baseline. One line per project, category, period and budget version."""
    _check_period(project, period)
    line = BudgetLine(
        project=project,
        category=category,
        period=period,
        amount=amount,
        currency=currency_or_base(currency, project.program.portfolio),
        budget_version=budget_version,
        notes=notes,
    )
    create_audited(
        actor=actor, obj=line, fields=["project", "category", "period", "budget_version", "amount", "currency"]
    )
    _touch(line)
    return line


@transaction.atomic
def budget_line_update(
    *, actor, budget_line: BudgetLine, data: dict[str, Any], expected_version: int | None = None
) -> BudgetLine:
    if "period" in data:
        _check_period(data.get("project", budget_line.project), data["period"])
    before = budget_line.project_id
    line = versioned_update(instance=budget_line, data=data, actor=actor, expected_version=expected_version)
    inputs_changed(projects={before, line.project_id})
    return line


@transaction.atomic
def budget_line_delete(*, actor, budget_line: BudgetLine, expected_version: int | None = None) -> None:
    versioned_delete(instance=budget_line, actor=actor, expected_version=expected_version)
    _touch(budget_line)


@transaction.atomic
def budget_original_set(*, actor, project: Project, replace: bool = False) -> list[BudgetLine]:
    """Copy the project's CURRENT budget lines into its ORIGINAL baseline (the budget as first
    approved). Refused when an original exists, unless `replace` (a formal re-baseline)."""
    Project.objects.select_for_update().filter(pk=project.pk).get()
    current = list(BudgetLine.objects.filter(project=project, budget_version=BudgetLine.Version.CURRENT))
    if not current:
        raise ValidationError({"budget_version": NO_CURRENT_BUDGET})
    originals = BudgetLine.objects.filter(project=project, budget_version=BudgetLine.Version.ORIGINAL)
    if originals.exists():
        if not replace:
            raise ValidationError({"budget_version": ORIGINAL_EXISTS})
        originals.delete()
    copies = BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                project=project,
                category_id=line.category_id,
                period_id=line.period_id,
                budget_version=BudgetLine.Version.ORIGINAL,
                amount=line.amount,
                currency_id=line.currency_id,
                notes=line.notes,
            )
            for line in current
        ]
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=project,
        changes={"original_budget": [None, f"{len(copies)} lines copied from the current budget"]},
    )
    inputs_changed(projects=[project])
    return copies


# -- actual costs ------------------------------------------------------------------------------


@transaction.atomic
def cost_entry_create(
    *,
    actor,
    project: Project,
    category: CostCategory,
    date: dt.date,
    amount: Decimal,
    currency=None,
    source: str = CostEntry.Source.MANUAL,
    external_ref: str = "",
    task: Task | None = None,
    vendor=None,
    contract=None,
    description: str = "",
) -> CostEntry:
    """Record one actual cost. A negative amount is a credit or reversal. `external_ref` must be
    unique within `source`. With a contract, the vendor defaults to the contract's."""
    if contract is not None and vendor is None:
        vendor = contract.vendor
    entry = CostEntry(
        project=project,
        task=task,
        category=category,
        date=date,
        amount=amount,
        currency=currency_or_base(currency, project.program.portfolio),
        source=source,
        external_ref=external_ref,
        vendor=vendor,
        contract=contract,
        description=description,
    )
    create_audited(
        actor=actor,
        obj=entry,
        fields=["project", "category", "date", "amount", "currency", "source", "external_ref", "contract"],
    )
    _touch(entry)
    return entry


@transaction.atomic
def cost_entry_update(
    *, actor, cost_entry: CostEntry, data: dict[str, Any], expected_version: int | None = None
) -> CostEntry:
    before = cost_entry.project_id
    entry = versioned_update(instance=cost_entry, data=data, actor=actor, expected_version=expected_version)
    inputs_changed(projects={before, entry.project_id})
    return entry


@transaction.atomic
def cost_entry_delete(*, actor, cost_entry: CostEntry, expected_version: int | None = None) -> None:
    """Delete a mistaken entry (a real reversal is a negative entry, which keeps the history)."""
    versioned_delete(instance=cost_entry, actor=actor, expected_version=expected_version)
    _touch(cost_entry)


# -- forecasts ---------------------------------------------------------------------------------


@transaction.atomic
def forecast_create(
    *,
    actor,
    project: Project,
    category: CostCategory,
    period: FiscalPeriod,
    amount: Decimal,
    currency=None,
    notes: str = "",
) -> Forecast:
    """The estimate to complete for `category` in `period` (one per project, category, period)."""
    _check_period(project, period)
    forecast = Forecast(
        project=project,
        category=category,
        period=period,
        amount=amount,
        currency=currency_or_base(currency, project.program.portfolio),
        notes=notes,
    )
    create_audited(actor=actor, obj=forecast, fields=["project", "category", "period", "amount", "currency"])
    _touch(forecast)
    return forecast


@transaction.atomic
def forecast_update(
    *, actor, forecast: Forecast, data: dict[str, Any], expected_version: int | None = None
) -> Forecast:
    if "period" in data:
        _check_period(data.get("project", forecast.project), data["period"])
    before = forecast.project_id
    updated = versioned_update(instance=forecast, data=data, actor=actor, expected_version=expected_version)
    inputs_changed(projects={before, updated.project_id})
    return updated


@transaction.atomic
def forecast_delete(*, actor, forecast: Forecast, expected_version: int | None = None) -> None:
    versioned_delete(instance=forecast, actor=actor, expected_version=expected_version)
    _touch(forecast)


# -- reserves ----------------------------------------------------------------------------------


@transaction.atomic
def reserve_drawdown(
    *,
    actor,
    reserve: str,
    amount: Decimal,
    reason: str,
    project: Project | None = None,
    program: Program | None = None,
) -> ReserveTransaction:
    """Draw `amount` from the contingency or management `reserve` of exactly one project or
    program, logging why and who. Refused when it would overdraw what remains (the reserve less
    every earlier drawdown). The owner's row is locked, so concurrent drawdowns queue."""
    if (project is None) == (program is None):
        raise ValidationError({"scope": RESERVE_SCOPE})
    model, owner = (Project, project) if project is not None else (Program, program)
    owner = model.objects.select_for_update().get(pk=owner.pk)
    scope = ReserveTransaction.Scope.PROJECT if project is not None else ReserveTransaction.Scope.PROGRAM
    drawdown = ReserveTransaction(
        scope=scope,
        project=owner if project is not None else None,
        program=owner if program is not None else None,
        reserve=reserve,
        amount=amount,
        reason=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    drawdown.full_clean()
    field = {
        ReserveTransaction.Reserve.CONTINGENCY: "contingency_reserve",
        ReserveTransaction.Reserve.MANAGEMENT: "management_reserve",
    }[reserve]
    drawn = owner.reserve_transactions.filter(reserve=reserve).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    remaining = getattr(owner, field) - drawn
    if amount > remaining:
        raise ValidationError({"amount": RESERVE_EXCEEDED.format(remaining=remaining, amount=amount)})
    drawdown.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=drawdown,
        changes={"reserve": [None, reserve], "amount": [None, str(amount)], "reason": [None, reason]},
    )
    _touch(drawdown)
    return drawdown
