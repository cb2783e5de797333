"""Editing a portfolio's health thresholds (reporting.models.HealthPolicy).

A portfolio without a row uses the model's defaults; `health_policy_update` creates the row on
the first save and `health_policy_reset` deletes it (back to the defaults). Both are atomic,
audited, and mark the portfolio and every one of its projects changed (core.changes), so every
computed health of the portfolio is recomputed after commit with the new thresholds.

Validation names the field: each red threshold is checked against its amber one (for CPI and
SPI lower is worse, so red ≤ amber; for days, percentages and counts higher is worse, so
amber ≤ red) and against its range, with the messages below.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core import changes
from core.models import AuditEntry
from core.services import audit_record
from portfolio.models import Portfolio
from projects.models import Project

from ..models import HealthPolicy

# (field, label) of every threshold, in the order forms and the API show them.
INDEX_PAIRS = (("cpi_amber", "cpi_red", "CPI"), ("spi_amber", "spi_red", "SPI"))
# (amber, red, label, highest red allowed)
LIMIT_PAIRS = (
    ("slip_amber_days", "slip_red_days", "Schedule slip", 3650),
    ("exposure_amber_percent", "exposure_red_percent", "Exposure", 1000),
    ("overallocated_amber", "overallocated_red", "Over-allocated people", None),
    ("report_stale_amber_days", "report_stale_red_days", "Status report age", 3650),
    ("actuals_stale_amber_days", "actuals_stale_red_days", "Actuals age", 3650),
)
FIELDS = tuple(name for pair in INDEX_PAIRS for name in pair[:2]) + tuple(
    name for pair in LIMIT_PAIRS for name in pair[:2]
)

INDEX_RED_ABOVE_AMBER = (
    "The {label} red threshold ({red}) must be at most the amber one ({amber}): a lower {label} is worse."
)
INDEX_OUT_OF_RANGE = "Enter a {label} threshold above 0 and at most 2."
LIMIT_RED_BELOW_AMBER = (
    "The {label} red threshold ({red}) must be at least the amber one ({amber}): a higher value is worse."
)
LIMIT_TOO_HIGH = "Enter at most {limit}."
NOT_A_WHOLE_NUMBER = "Enter a whole number, 0 or more."
NOT_A_NUMBER = "Enter a number with at most two decimal places."
UNKNOWN_FIELD = "Not a health threshold."


def health_policy_for(*, portfolio: Portfolio) -> HealthPolicy:
    """The portfolio's thresholds: its saved row, else an unsaved one holding the defaults."""
    return HealthPolicy.objects.filter(portfolio=portfolio).first() or HealthPolicy(portfolio=portfolio)


def _coerce(name: str, value: Any, errors: dict) -> Any:
    if name.startswith(("cpi_", "spi_")):
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            errors[name] = [NOT_A_NUMBER]
            return None
        if not number.is_finite() or number != number.quantize(Decimal("0.01")) or abs(number) >= 100:
            errors[name] = [NOT_A_NUMBER]
            return None
        return number
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors[name] = [NOT_A_WHOLE_NUMBER]
        return None
    text = str(value).strip()
    if not text.isdigit():
        errors[name] = [NOT_A_WHOLE_NUMBER]
        return None
    return int(text)


def validate_thresholds(policy: HealthPolicy) -> None:
    """Raise ValidationError keyed by field when a threshold is out of range or out of order."""
    errors: dict[str, list[str]] = {}
    for amber_name, red_name, label in INDEX_PAIRS:
        amber, red = getattr(policy, amber_name), getattr(policy, red_name)
        for name, value in ((amber_name, amber), (red_name, red)):
            if not (Decimal(0) < value <= Decimal(2)):
                errors[name] = [INDEX_OUT_OF_RANGE.format(label=label)]
        if red_name not in errors and amber_name not in errors and red > amber:
            errors[red_name] = [INDEX_RED_ABOVE_AMBER.format(label=label, red=red, amber=amber)]
    for amber_name, red_name, label, limit in LIMIT_PAIRS:
        amber, red = getattr(policy, amber_name), getattr(policy, red_name)
        for name, value in ((amber_name, amber), (red_name, red)):
            if limit is not None and value > limit:
                errors[name] = [LIMIT_TOO_HIGH.format(limit=limit)]
        if red_name not in errors and amber_name not in errors and amber > red:
            errors[red_name] = [LIMIT_RED_BELOW_AMBER.format(label=label, red=red, amber=amber)]
    if errors:
        raise ValidationError(errors)


def _inputs_changed(portfolio: Portfolio) -> None:
    # Health reads the thresholds at every level: the projects recompute (their programs and the
    # portfolio follow), and the portfolio itself is marked in case it has no project.
    project_ids = list(Project.objects.filter(program__portfolio=portfolio).values_list("pk", flat=True))
    changes.inputs_changed(projects=project_ids, portfolios=[portfolio.pk])


def health_policy_update(*, actor, portfolio: Portfolio, data: dict[str, Any]) -> HealthPolicy:
    """Set some or all thresholds of `portfolio` (the others keep their saved or default value).
    Raises ValidationError naming the field; returns the saved row."""
    errors: dict[str, list[str]] = {}
    values = {}
    for name, value in data.items():
        if name not in FIELDS:
            errors[name] = [UNKNOWN_FIELD]
            continue
        coerced = _coerce(name, value, errors)
        if coerced is not None:
            values[name] = coerced
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy = HealthPolicy.objects.select_for_update().filter(portfolio=portfolio).first()
        created = policy is None
        if created:
            policy = HealthPolicy(portfolio=portfolio)
        before = {name: str(getattr(policy, name)) for name in FIELDS}
        for name, value in values.items():
            setattr(policy, name, value)
        validate_thresholds(policy)
        policy.full_clean(exclude=["portfolio"])
        policy.save()
        after = {name: str(getattr(policy, name)) for name in FIELDS}
        diff = {name: [before[name], after[name]] for name in FIELDS if before[name] != after[name]}
        if created:
            audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=policy, changes=diff)
        elif diff:
            audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=policy, changes=diff)
        if created or diff:
            _inputs_changed(portfolio)
    return policy


def health_policy_reset(*, actor, portfolio: Portfolio) -> HealthPolicy:
    """Back to the defaults: delete the portfolio's row (nothing to do when it has none).
    Returns the unsaved default policy."""
    with transaction.atomic():
        policy = HealthPolicy.objects.select_for_update().filter(portfolio=portfolio).first()
        if policy is not None:
            audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=policy)
            policy.delete()
            _inputs_changed(portfolio)
    return HealthPolicy(portfolio=portfolio)
