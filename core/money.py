"""Money: one precision for the whole project. Money is Decimal, never float."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from core.bounds import money_validators

MONEY_MAX_DIGITS = 19
MONEY_DECIMAL_PLACES = 2
MONEY_QUANTUM = Decimal("0.01")
ZERO = Decimal("0")


def MoneyField(*, signed: bool = False, **kwargs) -> models.DecimalField:  # noqa: N802 - reads like a field class
    """A DecimalField with the project's money precision, bounded by core.bounds: at most
    MONEY_MAX, at least 0 (or -MONEY_MAX when `signed`, or the field's own MinValueValidator).
    The matching database constraint comes from `core.bounds.checks(money=...)`."""
    given = list(kwargs.get("validators", ()))
    minimum = next((v.limit_value for v in given if isinstance(v, MinValueValidator)), None)
    given = [v for v in given if not isinstance(v, MinValueValidator)]
    kwargs["validators"] = [*money_validators(signed=signed, minimum=minimum), *given]
    kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
    kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
    return models.DecimalField(**kwargs)


def quantize_money(value: Decimal) -> Decimal:
    """Round for display or storage; computations keep full precision until here."""
    return value.quantize(MONEY_QUANTUM)


def format_money(value: Decimal, currency: str = "") -> str:
    """An amount for people, as the `money` template filter shows it: the project's precision,
    thousands separators and the currency code before it ("EUR 920,550.00"; a non-breaking space
    keeps the code with its amount)."""
    text = f"{quantize_money(Decimal(value)):,}"
    return f"{currency}\u00a0{text}" if currency else text
