"""Helpers shared by the budgets services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.models import AuditEntry
from core.services import audit_record, model_changes

from ..models import Currency

UNKNOWN_CURRENCY = "{code} is not a currency Keel knows; add it first."


def _as_text(value: Any) -> str | None:
    # As core.services renders audit values: a row by its pk, anything else as str.
    if value is None:
        return None
    return str(value.pk) if isinstance(value, models.Model) else str(value)


def create_audited(*, actor, obj: models.Model, fields: list[str]) -> models.Model:
    """Validate (fields, clean(), constraints), save and audit a new row."""
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=obj, changes=model_changes(obj, fields))
    return obj


@transaction.atomic
def update_audited(*, actor, obj: models.Model, data: dict[str, Any]) -> models.Model:
    """Apply `data` to a row that has no optimistic-concurrency version, validate, save, audit."""
    changes = {}
    for name, value in data.items():
        old = getattr(obj, name)
        if _as_text(old) != _as_text(value):
            changes[name] = [_as_text(old), _as_text(value)]
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=obj, changes=changes)
    return obj


def delete_audited(*, actor, obj: models.Model) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=obj)
    obj.delete()


def currency_or_base(currency, portfolio) -> Currency:
    """`currency` (a Currency or an ISO code), or the portfolio's base currency when None."""
    if isinstance(currency, Currency):
        return currency
    code = currency or portfolio.base_currency
    found = Currency.objects.filter(pk=code).first()
    if found is None:
        raise ValidationError({"currency": UNKNOWN_CURRENCY.format(code=code)})
    return found
