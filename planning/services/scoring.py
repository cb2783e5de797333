"""Writes of a portfolio's scoring criteria, their pairwise judgements and entered values."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction

from core.services import create_audited, versioned_delete, versioned_update

from ..models import SAATY_MAX, SAATY_MIN, CriterionValue, PairwiseJudgement, ScoringCriterion
from ..optimiser.weights import SCALE as SAATY_STEPS
from ._common import check_may_plan, refuse

CRITERION_NAME_TAKEN = "This portfolio already has a criterion named {name!r}."
PAIR_SAME = "Compare two different criteria."
PAIR_OTHER_PORTFOLIO = "Both criteria must belong to the same portfolio."
SAATY_RANGE = "Use Saaty's scale: 1 to 9, or 1/2 to 1/9 (1 = equally important)."
VALUE_OTHER_PORTFOLIO = "The project belongs to another portfolio than the criterion."
# The default direction of each kind: less risk and less cost are better.
LOWER_BETTER_KINDS = (ScoringCriterion.Kind.RISK_EXPOSURE, ScoringCriterion.Kind.COST)


@transaction.atomic
def criterion_create(
    *,
    actor,
    portfolio,
    name: str,
    kind: str = ScoringCriterion.Kind.CUSTOM,
    direction: str | None = None,
    weight: Decimal = Decimal(0),
    description: str = "",
) -> ScoringCriterion:
    """Add a scoring criterion; `direction` defaults by kind (risk exposure and cost: lower is
    better)."""
    check_may_plan(actor, portfolio)
    name = (name or "").strip()
    if ScoringCriterion.objects.filter(portfolio=portfolio, name=name).exists():
        refuse("name", CRITERION_NAME_TAKEN.format(name=name))
    if direction is None:
        direction = (
            ScoringCriterion.Direction.LOWER_BETTER
            if kind in LOWER_BETTER_KINDS
            else ScoringCriterion.Direction.HIGHER_BETTER
        )
    criterion = ScoringCriterion(
        portfolio=portfolio, name=name, kind=kind, direction=direction, weight=weight, description=description
    )
    return create_audited(actor=actor, obj=criterion, fields=["portfolio", "name", "kind", "direction", "weight"])


@transaction.atomic
def criterion_update(
    *, actor, criterion: ScoringCriterion, data: dict[str, Any], expected_version: int | None = None
) -> ScoringCriterion:
    data = {k: v for k, v in data.items() if k in ("name", "kind", "direction", "weight", "description")}
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        taken = ScoringCriterion.objects.filter(portfolio_id=criterion.portfolio_id, name=data["name"])
        if taken.exclude(pk=criterion.pk).exists():
            refuse("name", CRITERION_NAME_TAKEN.format(name=data["name"]))
    return versioned_update(instance=criterion, data=data, actor=actor, expected_version=expected_version)


@transaction.atomic
def criterion_delete(*, actor, criterion: ScoringCriterion, expected_version: int | None = None) -> None:
    """Delete a criterion with its judgements and entered values."""
    versioned_delete(instance=criterion, actor=actor, expected_version=expected_version)


def on_saaty_scale(value) -> Fraction:
    """`value` as the step of Saaty's scale it names (1…9 or 1/2…1/9; a decimal within 0.0001 of
    a step, such as 0.3333, names it), else ValidationError on `value`."""
    try:
        given = Fraction(Decimal(value))
    except (TypeError, ValueError, ArithmeticError):
        refuse("value", SAATY_RANGE)
    nearest = min(SAATY_STEPS, key=lambda step: abs(step - given))
    if abs(nearest - given) > Fraction(1, 10_000):
        refuse("value", SAATY_RANGE)
    return nearest


@transaction.atomic
def pairwise_set(
    *, actor, criterion_a: ScoringCriterion, criterion_b: ScoringCriterion, value: Decimal | None
) -> PairwiseJudgement | None:
    """Judge how much more important `criterion_a` is than `criterion_b` (Saaty 1/9 … 9);
    stored once per pair (the lower id first, the value inverted when needed). None removes it."""
    if criterion_a.pk == criterion_b.pk:
        refuse("criterion_b", PAIR_SAME)
    if criterion_a.portfolio_id != criterion_b.portfolio_id:
        refuse("criterion_b", PAIR_OTHER_PORTFOLIO)
    if value is not None:
        value = on_saaty_scale(value)
    if criterion_a.pk > criterion_b.pk:
        criterion_a, criterion_b = criterion_b, criterion_a
        value = None if value is None else 1 / value
    row = PairwiseJudgement.objects.filter(criterion_a=criterion_a, criterion_b=criterion_b).first()
    if value is None:
        if row is not None:
            versioned_delete(instance=row, actor=actor)
        return None
    value = max(SAATY_MIN, min(SAATY_MAX, Decimal(value.numerator) / Decimal(value.denominator)))
    value = value.quantize(Decimal("0.0001"))
    if row is None:
        row = PairwiseJudgement(criterion_a=criterion_a, criterion_b=criterion_b, value=value)
        return create_audited(actor=actor, obj=row, fields=["criterion_a", "criterion_b", "value"])
    return versioned_update(instance=row, data={"value": value}, actor=actor)


@transaction.atomic
def criterion_value_set(*, actor, criterion: ScoringCriterion, project, value: Decimal | None) -> CriterionValue | None:
    """Enter `project`'s value on `criterion` (it overrides a value read from the domains); None
    removes it."""
    if project.program.portfolio_id != criterion.portfolio_id:
        refuse("project", VALUE_OTHER_PORTFOLIO)
    row = CriterionValue.objects.filter(criterion=criterion, project=project).first()
    if value is None:
        if row is not None:
            versioned_delete(instance=row, actor=actor)
        return None
    if row is None:
        row = CriterionValue(criterion=criterion, project=project, value=value)
        return create_audited(actor=actor, obj=row, fields=["criterion", "project", "value"])
    return versioned_update(instance=row, data={"value": value}, actor=actor)
