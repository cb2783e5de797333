"""Currency conversion at dated exchange rates.

A conversion on a day uses the newest rate of the pair dated on or before that day, read in
either direction: a USD→EUR rate also converts EUR to USD as 1 / rate; when both directions
have a rate, the newer wins (the direct one on a tie). There is no triangulation through a
third currency. No rate on or before the day raises MissingExchangeRate, naming the currency
and the day — a missing rate is never a silent zero or a silent 1.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, localcontext

from django.core.exceptions import ValidationError

from ..models import ExchangeRate

MISSING_RATE = (
    "No exchange rate from {currency} to {to_currency} on or before {date}; add a rate for that pair "
    "(or its inverse) dated {date} or earlier."
)


class MissingExchangeRate(ValidationError):  # noqa: N818 - the name the Money issue gives it
    """No rate converts `currency` into `to_currency` on `date`. A ValidationError on the
    `currency` field, so the API answers 400 with the message instead of a 500."""

    def __init__(self, currency: str, to_currency: str, date: dt.date):
        self.currency, self.to_currency, self.date = currency, to_currency, date
        self.text = MISSING_RATE.format(currency=currency, to_currency=to_currency, date=date.isoformat())
        super().__init__({"currency": self.text})

    def __str__(self) -> str:
        return self.text


class RateTable:
    """The rates between a set of currencies up to a day, loaded in one query, answering
    `rate(from, to, day)` without further queries."""

    def __init__(self, rows: Iterable[tuple[str, str, dt.date, Decimal]] = ()):
        series: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = {}
        for source, target, day, rate in rows:
            series.setdefault((source, target), []).append((day, rate))
        self._days = {pair: [d for d, _ in sorted(values)] for pair, values in series.items()}
        self._rates = {pair: [r for _, r in sorted(values)] for pair, values in series.items()}

    @classmethod
    def load(cls, currencies: Iterable[str], *, until: dt.date) -> RateTable:
        """Every rate between `currencies` dated on or before `until` (one query; none when
        fewer than two currencies are involved)."""
        codes = sorted(set(currencies))
        if len(codes) < 2:
            return cls()
        rows = (
            ExchangeRate.objects.filter(from_currency_id__in=codes, to_currency_id__in=codes, valid_on__lte=until)
            .values_list("from_currency_id", "to_currency_id", "valid_on", "rate")
            .order_by()
        )
        return cls(rows)

    def _latest(self, pair: tuple[str, str], day: dt.date) -> tuple[dt.date, Decimal] | None:
        days = self._days.get(pair)
        if not days:
            return None
        index = bisect.bisect_right(days, day)
        return (days[index - 1], self._rates[pair][index - 1]) if index else None

    def _quote(self, currency: str, to_currency: str, day: dt.date) -> tuple[Decimal, bool]:
        """The stored rate that applies and whether it is the inverse pair's."""
        direct = self._latest((currency, to_currency), day)
        inverse = self._latest((to_currency, currency), day)
        if direct is not None and (inverse is None or direct[0] >= inverse[0]):
            return direct[1], False
        if inverse is not None:
            return inverse[1], True
        raise MissingExchangeRate(currency, to_currency, day)

    def rate(self, currency: str, to_currency: str, day: dt.date) -> Decimal:
        """How many `to_currency` one `currency` is worth on `day`."""
        if currency == to_currency:
            return Decimal(1)
        rate, inverted = self._quote(currency, to_currency, day)
        with localcontext(prec=28):
            return 1 / rate if inverted else rate

    def convert(self, amount: Decimal, currency: str, to_currency: str, day: dt.date) -> Decimal:
        """`amount` in `to_currency`, unrounded (an inverse rate divides, so 90 EUR at
        1 USD = 0.90 EUR is exactly 100 USD)."""
        if currency == to_currency:
            return amount
        rate, inverted = self._quote(currency, to_currency, day)
        with localcontext(prec=28):
            return amount / rate if inverted else amount * rate


def exchange_rate_on(*, currency: str, to_currency: str, day: dt.date) -> Decimal:
    """The rate converting `currency` into `to_currency` on `day` (one query).
    Raises MissingExchangeRate."""
    return RateTable.load([currency, to_currency], until=day).rate(currency, to_currency, day)


def convert(*, amount: Decimal, currency: str, to_currency: str, day: dt.date) -> Decimal:
    """`amount` of `currency` in `to_currency` at the rate of `day`, unrounded (one query)."""
    return RateTable.load([currency, to_currency], until=day).convert(amount, currency, to_currency, day)
