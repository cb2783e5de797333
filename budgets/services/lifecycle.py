"""Writes for lifecycle cost estimates: create, edit lines of a draft, new version, approve."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.changes import inputs_changed
from core.services import versioned_update
from portfolio.models import Program

from ..models import CostCategory, LifecycleCostEstimate, LifecycleCostLine
from ._common import create_audited, currency_or_base, delete_audited, update_audited

LCCE_APPROVED_READ_ONLY = "An approved estimate cannot change; start a new version."
LCCE_ALREADY_APPROVED = "This estimate is already approved."
LCCE_EMPTY = "An estimate with no lines cannot be approved."


def _next_number(program: Program) -> int:
    # The program row is locked first, so two new versions can never take the same number.
    Program.objects.select_for_update().filter(pk=program.pk).get()
    last = LifecycleCostEstimate.objects.filter(program=program).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


def _check_draft(estimate: LifecycleCostEstimate) -> None:
    if estimate.is_approved:
        raise ValidationError({"status": LCCE_APPROVED_READ_ONLY})


@transaction.atomic
def lcce_create(*, actor, program: Program, notes: str = "") -> LifecycleCostEstimate:
    """A new, empty draft estimate for `program`, numbered after its latest version."""
    estimate = LifecycleCostEstimate(program=program, number=_next_number(program), notes=notes)
    create_audited(actor=actor, obj=estimate, fields=["program", "number", "status"])
    inputs_changed(programs=[program])
    return estimate


@transaction.atomic
def lcce_line_set(
    *,
    actor,
    estimate: LifecycleCostEstimate,
    phase: str,
    fiscal_year: int,
    category: CostCategory,
    amount: Decimal,
    currency=None,
) -> LifecycleCostLine:
    """Set the draft's amount for (phase, fiscal year, category), adding the line if needed."""
    estimate = LifecycleCostEstimate.objects.select_related("program__portfolio").get(pk=estimate.pk)
    _check_draft(estimate)
    currency = currency_or_base(currency, estimate.program.portfolio)
    line = LifecycleCostLine.objects.filter(
        estimate=estimate, phase=phase, fiscal_year=fiscal_year, category=category
    ).first()
    if line is None:
        line = LifecycleCostLine(
            estimate=estimate, phase=phase, fiscal_year=fiscal_year, category=category, amount=amount, currency=currency
        )
        create_audited(
            actor=actor, obj=line, fields=["estimate", "phase", "fiscal_year", "category", "amount", "currency"]
        )
    else:
        update_audited(actor=actor, obj=line, data={"amount": amount, "currency": currency})
    inputs_changed(programs=[estimate.program_id])
    return line


@transaction.atomic
def lcce_line_delete(*, actor, line: LifecycleCostLine) -> None:
    _check_draft(line.estimate)
    delete_audited(actor=actor, obj=line)
    inputs_changed(programs=[line.estimate.program_id])


@transaction.atomic
def lcce_new_version(*, actor, estimate: LifecycleCostEstimate, notes: str = "") -> LifecycleCostEstimate:
    """A new draft version of `estimate`'s program, starting as a copy of `estimate`'s lines."""
    new = LifecycleCostEstimate(
        program_id=estimate.program_id,
        number=_next_number(estimate.program),
        based_on=estimate,
        notes=notes or estimate.notes,
    )
    create_audited(actor=actor, obj=new, fields=["program", "number", "based_on", "status"])
    LifecycleCostLine.objects.bulk_create(
        [
            LifecycleCostLine(
                estimate=new,
                phase=line.phase,
                fiscal_year=line.fiscal_year,
                category_id=line.category_id,
                amount=line.amount,
                currency_id=line.currency_id,
            )
            for line in LifecycleCostLine.objects.filter(estimate=estimate)
        ]
    )
    inputs_changed(programs=[new.program_id])
    return new


@transaction.atomic
def lcce_approve(
    *, actor, estimate: LifecycleCostEstimate, expected_version: int | None = None
) -> LifecycleCostEstimate:
    """Approve a draft: it is frozen from now on, with who approved it and when."""
    if LifecycleCostEstimate.objects.filter(pk=estimate.pk, status=LifecycleCostEstimate.Status.APPROVED).exists():
        raise ValidationError({"status": LCCE_ALREADY_APPROVED})
    if not LifecycleCostLine.objects.filter(estimate=estimate).exists():
        raise ValidationError({"status": LCCE_EMPTY})
    estimate = versioned_update(
        instance=estimate,
        data={
            "status": LifecycleCostEstimate.Status.APPROVED,
            "approved_by": actor if getattr(actor, "is_authenticated", False) else None,
            "approved_at": timezone.now(),
        },
        actor=actor,
        expected_version=expected_version,
    )
    inputs_changed(programs=[estimate.program_id])
    return estimate
