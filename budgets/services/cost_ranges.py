"""Writes for cost ranges (budgets.models.cost_ranges): a three-point range on one cost
category of a project's budget, for the quantitative risk analysis. Nothing else moves when
one changes; only the next analysis reads it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.services import create_audited, versioned_delete, versioned_update
from projects.models.uncertainty import DISTRIBUTION_VALUES

from ..models import CostCategory
from ..models.cost_ranges import CostRange

COST_RANGE_TAKEN = "This category already has a range for the project: edit that one."
LOW_ABOVE_HIGH = "The low amount cannot be above the high amount."
LIKELY_OUTSIDE = "The most likely amount must lie between the low and the high amounts."
AMOUNT_NEGATIVE = "An amount cannot be negative."
UNKNOWN_DISTRIBUTION = "Choose triangular, PERT or uniform."

FIELDS = ("category", "low_amount", "likely_amount", "high_amount", "distribution")


def _check(rng: CostRange) -> None:
    errors = {}
    for name in ("low_amount", "likely_amount", "high_amount"):
        value = getattr(rng, name)
        if value is not None and Decimal(value) < 0:
            errors[name] = AMOUNT_NEGATIVE
    low, likely, high = rng.low_amount, rng.likely_amount, rng.high_amount
    if not errors and low is not None and high is not None:
        if low > high:
            errors["high_amount"] = LOW_ABOVE_HIGH
        elif likely is not None and not (low <= likely <= high):
            errors["likely_amount"] = LIKELY_OUTSIDE
    if rng.distribution not in DISTRIBUTION_VALUES:
        errors["distribution"] = UNKNOWN_DISTRIBUTION
    if (
        rng.category_id
        and CostRange.objects.filter(project_id=rng.project_id, category_id=rng.category_id).exclude(pk=rng.pk).exists()
    ):
        errors["category"] = COST_RANGE_TAKEN
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cost_range_create(
    *,
    actor,
    project,
    category: CostCategory,
    low_amount: Decimal,
    high_amount: Decimal,
    likely_amount: Decimal | None = None,
    distribution: str = "triangular",
) -> CostRange:
    """The project's cost in `category` may run from `low_amount` to `high_amount`, most likely
    `likely_amount` (the category's current budget when None)."""
    rng = CostRange(
        project=project,
        category=category,
        low_amount=low_amount,
        likely_amount=likely_amount,
        high_amount=high_amount,
        distribution=distribution,
    )
    _check(rng)
    return create_audited(actor=actor, obj=rng, fields=["project", *FIELDS])


@transaction.atomic
def cost_range_update(
    *, actor, cost_range: CostRange, data: dict[str, Any], expected_version: int | None = None
) -> CostRange:
    data = {k: v for k, v in data.items() if k in FIELDS}
    candidate = CostRange.objects.get(pk=cost_range.pk)
    for name, value in data.items():
        setattr(candidate, name, value)
    _check(candidate)
    return versioned_update(instance=cost_range, data=data, actor=actor, expected_version=expected_version)


@transaction.atomic
def cost_range_delete(*, actor, cost_range: CostRange, expected_version: int | None = None) -> None:
    versioned_delete(instance=cost_range, actor=actor, expected_version=expected_version)
