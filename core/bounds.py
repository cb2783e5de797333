"""The range of every kind of value Keel stores: money, durations, percentages and dates.

One place, so that a form, a serializer, an importer and the database refuse the same values.
A value outside its range is refused where it enters (a form or field error naming the field,
a 400 from the API, an import error naming the row and column) and, as the last line, by a
named database check constraint (`<app>_<model>_<field>_in_range`), so nothing out of range is
ever stored and no page has to render it.

Ranges, and why:

- **Money**: at most 999,999,999,999.99 (a trillion minus a cent) in any currency. That is far
  above any program budget, yet 15 digits: every sum of a few thousand such values still fits
  the 19-digit money columns, an EMV (probability % x cost impact) never exceeds its inputs, and
  float-based chart scales stay exact. Money is never negative except where the field means a
  change: cost-entry corrections and change-request deltas run from -MONEY_MAX to MONEY_MAX.
- **Durations** (task durations and remaining work, dependency lags, schedule impacts): at most
  DAYS_MAX = 3,650 working days (about 14 years of five-day weeks). Task durations are stored in
  working minutes; the bound is DAYS_MAX 480-minute days, the day the API and the forms use.
  Lags and a change request's schedule impact may be negative (a lead, a saving).
- **Percentages**: 0 to 100 (percent complete, probabilities, weights, FTE).
- **Dates**: 1900-01-01 to 2999-12-31, the window task dates already used. Every page shows
  four-digit years; the scheduler's wall-clock arithmetic (a date plus DAYS_MAX working days
  and lags) stays far inside what Python's datetime holds (year 9999); and fiscal years
  1900-2200, which may start or end in the neighbouring calendar year, fit inside it. Charts
  whose time axis would span this whole window clamp the axis to the data that matters.
- **Text**: a NUL character (U+0000) cannot be stored by PostgreSQL; Django form fields and
  DRF fields refuse it, and `no_nul` does the same for values that reach a query otherwise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

# -- money ------------------------------------------------------------------------------------

MONEY_MAX = Decimal("999999999999.99")
MONEY_MIN = Decimal("0")
MONEY_MIN_SIGNED = -MONEY_MAX

# -- durations --------------------------------------------------------------------------------

DAYS_MAX = 3650
MINUTES_PER_DAY = 480  # the 8-hour day in which the API and the forms count durations
DURATION_MINUTES_MAX = DAYS_MAX * MINUTES_PER_DAY

# -- percentages ------------------------------------------------------------------------------

PERCENT_MIN = Decimal("0")
PERCENT_MAX = Decimal("100")

# -- dates ------------------------------------------------------------------------------------

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2999, 12, 31)
DATE_OUT_OF_RANGE = f"Choose a date between {DATE_MIN:%d %b %Y} and {DATE_MAX:%d %b %Y}."
NUL_NOT_ALLOWED = "Null characters are not allowed."


def money_validators(*, signed: bool = False, minimum: Decimal | None = None) -> list:
    """Validators for a money field: [minimum (0, or -MONEY_MAX when signed), MONEY_MAX]."""
    low = minimum if minimum is not None else (MONEY_MIN_SIGNED if signed else MONEY_MIN)
    return [MinValueValidator(low), MaxValueValidator(MONEY_MAX)]


def days_validators(*, signed: bool = False) -> list:
    return [MinValueValidator(-DAYS_MAX if signed else 0), MaxValueValidator(DAYS_MAX)]


def minutes_validators(*, signed: bool = False) -> list:
    return [
        MinValueValidator(-DURATION_MINUTES_MAX if signed else 0),
        MaxValueValidator(DURATION_MINUTES_MAX),
    ]


def percent_validators() -> list:
    return [MinValueValidator(PERCENT_MIN), MaxValueValidator(PERCENT_MAX)]


def validate_date_in_range(value: dt.date | None) -> None:
    """Refuse a date outside [DATE_MIN, DATE_MAX] (None passes: required-ness is elsewhere)."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(DATE_OUT_OF_RANGE, code="date_out_of_range")


DATE_VALIDATORS = [validate_date_in_range]


def date_in_range(day: dt.date | None) -> bool:
    return day is None or DATE_MIN <= day <= DATE_MAX


def BoundedDateField(*args, **kwargs) -> models.DateField:  # noqa: N802 - reads like a field class
    """A DateField limited to [DATE_MIN, DATE_MAX] (pair it with `checks(dates=...)`)."""
    kwargs["validators"] = [*kwargs.get("validators", ()), validate_date_in_range]
    return models.DateField(*args, **kwargs)


def no_nul(value: str) -> str:
    """`value`, or ValidationError when it holds a NUL character (PostgreSQL cannot store one)."""
    if "\x00" in value:
        raise ValidationError(NUL_NOT_ALLOWED, code="null_characters_not_allowed")
    return value


# -- database check constraints --------------------------------------------------------------


def _in_range(field: str, low, high) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"%(app_label)s_%(class)s_{field}_in_range",
    )


def checks(
    *,
    money: tuple[str, ...] = (),
    signed_money: tuple[str, ...] = (),
    dates: tuple[str, ...] = (),
    days: tuple[str, ...] = (),
    signed_days: tuple[str, ...] = (),
    minutes: tuple[str, ...] = (),
    signed_minutes: tuple[str, ...] = (),
    percents: tuple[str, ...] = (),
) -> list[models.CheckConstraint]:
    """Named check constraints `<app>_<model>_<field>_in_range` for a model's bounded fields.

    NULL passes a check constraint, so nullable fields need nothing more. Money fields that must
    not be negative (or must be positive) keep their own constraint for that; here `money` is
    bounded to [-MONEY_MAX, MONEY_MAX] only when it is also in `signed_money`."""
    found = [_in_range(f, MONEY_MIN, MONEY_MAX) for f in money]
    found += [_in_range(f, MONEY_MIN_SIGNED, MONEY_MAX) for f in signed_money]
    found += [_in_range(f, DATE_MIN, DATE_MAX) for f in dates]
    found += [_in_range(f, 0, DAYS_MAX) for f in days]
    found += [_in_range(f, -DAYS_MAX, DAYS_MAX) for f in signed_days]
    found += [_in_range(f, 0, DURATION_MINUTES_MAX) for f in minutes]
    found += [_in_range(f, -DURATION_MINUTES_MAX, DURATION_MINUTES_MAX) for f in signed_minutes]
    found += [_in_range(f, PERCENT_MIN, PERCENT_MAX) for f in percents]
    return found
