"""Currencies and dated exchange rates."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core import bounds
from core.models import TimeStampedModel, VersionedModel
from portfolio.models import currency_validator

from ..querysets import ReferenceDataQuerySet

RATE_MAX_DIGITS = 18
RATE_DECIMAL_PLACES = 8
MIN_RATE = Decimal("0.00000001")
SAME_CURRENCY = "A rate converts between two different currencies."


class Currency(TimeStampedModel):
    """An ISO 4217 currency, keyed by its code so amounts read `currency_id == "EUR"` without a
    join. Amounts are stored at the project's money precision whatever `decimal_places` says;
    `decimal_places` is how the currency is displayed."""

    code = models.CharField(max_length=3, primary_key=True, validators=[currency_validator])
    name = models.CharField(max_length=100)
    decimal_places = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(4)])

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{3}$"), name="%(app_label)s_%(class)s_code_iso"),
            models.CheckConstraint(condition=Q(decimal_places__lte=4), name="%(app_label)s_%(class)s_places_range"),
        ]

    def __str__(self) -> str:
        return self.code


class ExchangeRate(VersionedModel):
    """One unit of `from_currency` is worth `rate` units of `to_currency` from `valid_on` until
    the next rate of the pair. A conversion on a date uses the newest rate on or before it, read
    in either direction (the inverse pair's rate is used as 1 / rate); see
    budgets.selectors.rates."""

    from_currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates_from")
    to_currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates_to")
    rate = models.DecimalField(
        max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMAL_PLACES, validators=[MinValueValidator(MIN_RATE)]
    )
    valid_on = bounds.BoundedDateField()
    source = models.CharField(max_length=100, blank=True, help_text="Where the rate came from, e.g. ECB.")

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["from_currency", "to_currency", "-valid_on"]
        constraints = [
            *bounds.checks(dates=("valid_on",)),
            models.UniqueConstraint(
                fields=["from_currency", "to_currency", "valid_on"], name="%(app_label)s_%(class)s_unique_per_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="%(app_label)s_%(class)s_rate_positive"),
            models.CheckConstraint(
                condition=~Q(from_currency=F("to_currency")), name="%(app_label)s_%(class)s_distinct_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_currency_id}→{self.to_currency_id} {self.rate} on {self.valid_on}"

    def clean(self) -> None:
        if self.from_currency_id and self.from_currency_id == self.to_currency_id:
            raise ValidationError({"to_currency": SAME_CURRENCY})
