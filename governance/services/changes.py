"""Writes for change requests and their budget lines, and the approval that applies them.

The project team (PROJECT_EDITORS) drafts, edits, submits and withdraws a request; the program
manager (CHANGE_APPROVERS — the views and API check who) approves or rejects it. `cost_impact` is
derived from the lines (see ChangeRequest)."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from budgets.models import BudgetLine, CostCategory, Currency, FiscalPeriod
from budgets.selectors import fiscal_calendar_for
from budgets.services import budget_line_create, budget_line_update
from budgets.services._common import currency_or_base
from core import events
from core.services import create_audited, delete_audited, versioned_update
from portfolio.models import Program
from projects.models import Baseline, Project
from projects.services.schedule import baseline_set

from ..models import ChangeRequest, ChangeRequestLine
from ._common import locked, log_decision, refuse, save_transition, touch

NOT_DRAFT = "Only a draft change request can be changed; this one is {status}."
NOT_SUBMITTED = "Only a submitted change request can be decided; this one is {status}."
NOT_WITHDRAWABLE = "Only a draft or submitted change request can be withdrawn; this one is {status}."
LINE_CURRENCY = "Every line is in the change request's currency ({currency})."
PERIOD_OTHER_PORTFOLIO = "This fiscal period belongs to another portfolio's calendar."
PERIOD_OTHER_CALENDAR = "This fiscal period is not in the project's fiscal calendar ({calendar})."
DELTA_ZERO = "A line moves the budget: give a non-zero amount."
LINE_DUPLICATE = "This change request already has a line for that category and period."
BELOW_ZERO = "The current budget of {category} in {period} would fall below zero ({amount}); nothing was applied."
BUDGET_CURRENCY = "The current budget of {category} in {period} is in {budget}, the change in {change}."
NO_FREE_BASELINE = "All 11 schedule baselines (0-10) are in use; clear one before re-baselining."
REASON_REQUIRED = "Say why the change request is rejected."


def _check_draft(change_request: ChangeRequest) -> None:
    if change_request.status != ChangeRequest.Status.DRAFT:
        refuse("status", NOT_DRAFT.format(status=change_request.get_status_display().lower()))


def _cost_impact_recompute(change_request: ChangeRequest) -> None:
    """Keep `cost_impact` equal to the sum of the lines (a new version of the request)."""
    total = change_request.lines.aggregate(total=Coalesce(Sum("amount_delta"), Decimal(0)))["total"]
    ChangeRequest.objects.filter(pk=change_request.pk).update(
        cost_impact=total, version=F("version") + 1, updated_at=timezone.now()
    )
    change_request.refresh_from_db()


def change_request_next_number(*, program_id: int) -> int:
    """The next free change-request number of a program: one more than the highest in use."""
    last = ChangeRequest.objects.filter(program_id=program_id).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


@transaction.atomic
def change_request_create(
    *,
    actor,
    project: Project,
    title: str,
    description: str = "",
    reason: str = "",
    scope_impact: str = "",
    schedule_impact_days: int = 0,
    rebaseline: bool = False,
    currency=None,
    lines: list[dict] | None = None,
) -> ChangeRequest:
    """Draft a change request with the program's next number (CR-001, CR-002…: one series per
    program, so a reference names one request on the program's pages). `lines` are dicts of
    category, period, amount_delta (and optional notes)."""
    # Lock the program: two projects of one program drafting at once must not take one number.
    Program.objects.select_for_update().filter(pk=project.program_id).get()
    change_request = ChangeRequest(
        project=project,
        program_id=project.program_id,
        number=change_request_next_number(program_id=project.program_id),
        title=title,
        description=description,
        reason=reason,
        scope_impact=scope_impact,
        schedule_impact_days=schedule_impact_days,
        rebaseline=rebaseline,
        currency=currency_or_base(currency, project.program.portfolio),
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    create_audited(actor=actor, obj=change_request, fields=["project", "number", "title", "rebaseline"])
    for index, line in enumerate(lines or []):
        try:
            change_request_line_create(actor=actor, change_request=change_request, **line)
        except ValidationError as error:  # name the line: `lines[1].period`, not a bare `period`
            raise ValidationError(
                {f"lines[{index}].{name}": messages for name, messages in error.message_dict.items()}
            ) from error
    if lines:
        change_request.refresh_from_db()
    touch(change_request)
    return change_request


@transaction.atomic
def change_request_update(
    *, actor, change_request: ChangeRequest, data: dict[str, Any], expected_version: int | None = None
) -> ChangeRequest:
    """Edit a draft's text, impacts or `rebaseline` (not its project, number or currency once it has lines)."""
    _check_draft(locked(change_request, expected_version))
    data = {k: v for k, v in data.items() if k not in ("project", "number")}
    if "currency" in data:
        data["currency"] = currency_or_base(data["currency"], change_request.project.program.portfolio)
        if data["currency"].pk != change_request.currency_id and change_request.lines.exists():
            refuse("currency", LINE_CURRENCY.format(currency=change_request.currency_id))
    change_request = versioned_update(
        instance=change_request, data=data, actor=actor, expected_version=expected_version
    )
    touch(change_request)
    return change_request


# -- lines -----------------------------------------------------------------------------------------


def _check_line(change_request: ChangeRequest, *, category, period: FiscalPeriod, amount_delta, currency, pk=None):
    if amount_delta is not None and Decimal(amount_delta) == 0:
        refuse("amount_delta", DELTA_ZERO)
    portfolio = change_request.project.program.portfolio
    calendar_portfolio = period.calendar.portfolio_id
    if calendar_portfolio is not None and calendar_portfolio != portfolio.pk:
        refuse("period", PERIOD_OTHER_PORTFOLIO)
    # The budget, its periods and the approval all read the project's calendar (the portfolio's
    # own, else the shared default): a period of another shared calendar would land in a budget
    # nobody sees.
    calendar = fiscal_calendar_for(portfolio=portfolio)
    if calendar.pk is not None and period.calendar_id != calendar.pk:
        refuse("period", PERIOD_OTHER_CALENDAR.format(calendar=calendar.name))
    if currency is not None and currency.pk != change_request.currency_id:
        refuse("currency", LINE_CURRENCY.format(currency=change_request.currency_id))
    taken = ChangeRequestLine.objects.filter(change_request=change_request, category=category, period=period)
    if pk is not None:
        taken = taken.exclude(pk=pk)
    if taken.exists():
        refuse("period", LINE_DUPLICATE)


@transaction.atomic
def change_request_line_create(
    *,
    actor,
    change_request: ChangeRequest,
    category: CostCategory,
    period: FiscalPeriod,
    amount_delta: Decimal,
    currency: Currency | str | None = None,
    notes: str = "",
) -> ChangeRequestLine:
    """Add how a draft moves the current budget of `category` in `period` (positive or negative)."""
    change_request = locked(change_request, None)
    _check_draft(change_request)
    currency = currency_or_base(currency, change_request.project.program.portfolio) if currency else None
    _check_line(change_request, category=category, period=period, amount_delta=amount_delta, currency=currency)
    line = ChangeRequestLine(
        change_request=change_request,
        category=category,
        period=period,
        amount_delta=amount_delta,
        currency_id=change_request.currency_id,
        notes=notes,
    )
    create_audited(actor=actor, obj=line, fields=["change_request", "category", "period", "amount_delta"])
    _cost_impact_recompute(change_request)
    touch(change_request)  # the pending cost impact
    return line


@transaction.atomic
def change_request_line_update(
    *, actor, line: ChangeRequestLine, data: dict[str, Any], expected_version: int | None = None
) -> ChangeRequestLine:
    change_request = locked(line.change_request, None)
    _check_draft(change_request)
    data = {k: v for k, v in data.items() if k != "change_request"}
    if "currency" in data:
        data["currency"] = currency_or_base(data["currency"], change_request.project.program.portfolio)
    _check_line(
        change_request,
        category=data.get("category", line.category),
        period=data.get("period", line.period),
        amount_delta=data.get("amount_delta"),
        currency=data.get("currency"),
        pk=line.pk,
    )
    line = versioned_update(instance=line, data=data, actor=actor, expected_version=expected_version)
    _cost_impact_recompute(change_request)
    touch(change_request)
    return line


@transaction.atomic
def change_request_line_delete(*, actor, line: ChangeRequestLine, expected_version: int | None = None) -> None:
    change_request = locked(line.change_request, None)
    _check_draft(change_request)
    locked(line, expected_version)
    delete_audited(actor=actor, obj=line)
    _cost_impact_recompute(change_request)
    touch(change_request)


# -- the life cycle --------------------------------------------------------------------------------


@transaction.atomic
def change_request_submit(
    *, actor, change_request: ChangeRequest, expected_version: int | None = None
) -> ChangeRequest:
    """Send a draft to the program manager; it is frozen from now on."""
    current = locked(change_request, expected_version)
    _check_draft(current)
    current.status = ChangeRequest.Status.SUBMITTED
    current.submitted_at = timezone.now()
    current = save_transition(
        actor=actor, obj=current, changes={"status": ("draft", "submitted")}, fields=["status", "submitted_at"]
    )
    touch(current)  # now waiting for a decision
    return current


@transaction.atomic
def change_request_withdraw(
    *, actor, change_request: ChangeRequest, expected_version: int | None = None
) -> ChangeRequest:
    """The project team takes back a draft or submitted request (final)."""
    current = locked(change_request, expected_version)
    if current.status not in (ChangeRequest.Status.DRAFT, ChangeRequest.Status.SUBMITTED):
        refuse("status", NOT_WITHDRAWABLE.format(status=current.get_status_display().lower()))
    old = current.status
    current.status = ChangeRequest.Status.WITHDRAWN
    current = save_transition(actor=actor, obj=current, changes={"status": (old, "withdrawn")}, fields=["status"])
    touch(current)
    return current


def _check_submitted(change_request: ChangeRequest) -> None:
    if change_request.status != ChangeRequest.Status.SUBMITTED:
        refuse("status", NOT_SUBMITTED.format(status=change_request.get_status_display().lower()))


def _budget_moves(change_request: ChangeRequest) -> list[tuple[ChangeRequestLine, BudgetLine | None, Decimal]]:
    """Each line with the CURRENT budget line it moves (None: a new line) and the new amount;
    refuses the whole request when one would fall below zero or is in another currency."""
    lines = list(change_request.lines.select_related("category", "period__calendar"))
    existing = {
        (b.category_id, b.period_id): b
        for b in BudgetLine.objects.select_for_update().filter(
            project_id=change_request.project_id,
            budget_version=BudgetLine.Version.CURRENT,
            category_id__in=[line.category_id for line in lines],
            period_id__in=[line.period_id for line in lines],
        )
    }
    moves = []
    for line in lines:
        budget = existing.get((line.category_id, line.period_id))
        where = {"category": line.category.code, "period": str(line.period)}
        if budget is not None and budget.currency_id != line.currency_id:
            refuse("currency", BUDGET_CURRENCY.format(budget=budget.currency_id, change=line.currency_id, **where))
        amount = (budget.amount if budget is not None else Decimal(0)) + line.amount_delta
        if amount < 0:
            refuse("lines", BELOW_ZERO.format(amount=amount, **where))
        moves.append((line, budget, amount))
    return moves


def _next_baseline_number(project: Project) -> int:
    used = set(Baseline.objects.filter(project=project).values_list("number", flat=True))
    later = [n for n in range(0, 11) if n not in used and n > max(used, default=-1)]
    free = later or [n for n in range(0, 11) if n not in used]
    if not free:
        refuse("rebaseline", NO_FREE_BASELINE)
    return free[0]


@transaction.atomic
def change_request_approve(
    *, actor, change_request: ChangeRequest, notes: str = "", expected_version: int | None = None
) -> ChangeRequest:
    """Approve a submitted request, all or nothing: move the project's CURRENT budget by each
    line (creating a line where there is none; never below zero — then nothing is written), with
    `rebaseline` snapshot a new schedule baseline under the next free number (named after the
    request), and log the decision. The ORIGINAL budget is never touched."""
    current = locked(change_request, expected_version)
    _check_submitted(current)
    project = Project.objects.select_for_update().select_related("program__portfolio").get(pk=current.project_id)
    moves = _budget_moves(current)
    number = _next_baseline_number(project) if current.rebaseline else None
    note = f"{current.reference}: {current.title}"
    for line, budget, amount in moves:
        if budget is None:
            budget_line_create(
                actor=actor,
                project=project,
                category=line.category,
                period=line.period,
                amount=amount,
                currency=line.currency_id,
                notes=note[:1000],
            )
        else:
            budget_line_update(actor=actor, budget_line=budget, data={"amount": amount})
    if number is not None:
        current.baseline = baseline_set(actor=actor, project=project, number=number, name=note[:200], approved=True)
    current.status = ChangeRequest.Status.APPROVED
    current.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    current.decided_at = timezone.now()
    current.decision_notes = notes
    save_transition(
        actor=actor,
        obj=current,
        changes={"status": ("submitted", "approved")},
        fields=["status", "decided_by", "decided_at", "decision_notes", "baseline"],
    )
    impact = (
        f"Cost impact {current.cost_impact} {current.currency_id}; schedule impact {current.schedule_impact_days} days."
    )
    if current.baseline_id:
        impact += f" Schedule re-baselined as baseline {number}."
    log_decision(
        actor=actor,
        program=project.program,
        project=project,
        title=f"{project.code} {current.reference} approved: {current.title}",
        text=" ".join(filter(None, [notes, impact])),
        context=current.reason or current.description,
        change_request=current,
    )
    touch(current)
    _emit_decided(current)
    return current


@transaction.atomic
def change_request_reject(
    *, actor, change_request: ChangeRequest, notes: str, expected_version: int | None = None
) -> ChangeRequest:
    """Reject a submitted request (with the reason in `notes`) and log it; nothing else changes."""
    current = locked(change_request, expected_version)
    _check_submitted(current)
    if not (notes or "").strip():
        refuse("decision_notes", REASON_REQUIRED)
    current.status = ChangeRequest.Status.REJECTED
    current.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    current.decided_at = timezone.now()
    current.decision_notes = notes.strip()
    save_transition(
        actor=actor,
        obj=current,
        changes={"status": ("submitted", "rejected")},
        fields=["status", "decided_by", "decided_at", "decision_notes"],
    )
    project = current.project
    log_decision(
        actor=actor,
        program=project.program,
        project=project,
        title=f"{project.code} {current.reference} rejected: {current.title}",
        text=current.decision_notes,
        context=current.reason or current.description,
        change_request=current,
    )
    touch(current)
    _emit_decided(current)
    return current


def _emit_decided(change_request: ChangeRequest) -> None:
    project = Project.objects.select_related("program").get(pk=change_request.project_id)
    events.emit(
        events.CHANGE_REQUEST_DECIDED,
        portfolio_id=project.program.portfolio_id,
        program_id=project.program_id,
        payload={
            "project": {"id": project.pk, "code": project.code, "name": project.name},
            "change_request": {
                "id": change_request.pk,
                "reference": change_request.reference,
                "title": change_request.title,
                "status": change_request.status,
                "decided_by": getattr(change_request.decided_by, "username", None),
                "decided_at": change_request.decided_at.isoformat() if change_request.decided_at else None,
                "decision_notes": change_request.decision_notes,
                "cost_impact": str(change_request.cost_impact),
                "currency": change_request.currency_id,
                "schedule_impact_days": change_request.schedule_impact_days,
            },
        },
    )
