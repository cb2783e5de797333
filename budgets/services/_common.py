"""Helpers shared by the budgets services (the audited create/update/delete helpers live in
core.services)."""

from django.core.exceptions import ValidationError

from ..models import Currency

UNKNOWN_CURRENCY = "{code} is not a currency Keel knows; add it first."


def currency_or_base(currency, portfolio) -> Currency:
    """`currency` (a Currency or an ISO code), or the portfolio's base currency when None."""
    if isinstance(currency, Currency):
        return currency
    code = currency or portfolio.base_currency
    found = Currency.objects.filter(pk=code).first()
    if found is None:
        raise ValidationError({"currency": UNKNOWN_CURRENCY.format(code=code)})
    return found
