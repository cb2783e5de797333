"""Writes for finance reference data: currencies, exchange rates, cost categories, fiscal
calendars and their periods. Each is atomic, validated and audited."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.changes import inputs_changed
from core.models import AuditEntry
from core.services import audit_record, versioned_update
from projects.models import Project

from ..models import CostCategory, Currency, ExchangeRate, FiscalCalendar, FiscalPeriod
from ._common import create_audited, update_audited

CALENDAR_HAS_PERIODS = "This calendar already has periods; its start month and year naming can no longer change."
YEARS_ORDERED = "The last fiscal year must not be before the first."
TOO_MANY_YEARS = "Generate at most {limit} fiscal years at once."
MAX_YEARS_AT_ONCE = 50


@transaction.atomic
def currency_create(*, actor, code: str, name: str, decimal_places: int = 2) -> Currency:
    return create_audited(
        actor=actor,
        obj=Currency(code=code, name=name, decimal_places=decimal_places),
        fields=["code", "name", "decimal_places"],
    )


def currency_update(*, actor, currency: Currency, data: dict[str, Any]) -> Currency:
    """Change a currency's name or display places (its code is its identity)."""
    if "code" in data and data["code"] != currency.code:
        raise ValidationError({"code": "A currency's code cannot change."})
    return update_audited(actor=actor, obj=currency, data=data)


def _rate_touch(*rates: ExchangeRate) -> None:
    """An exchange rate is global, but only money converted into a portfolio's base currency
    moves: bump every project of each portfolio whose base currency is either side of the rate
    (one query). Their roll-ups recompute, then their programs' and portfolios' follow."""
    codes = {code for rate in rates for code in (rate.from_currency_id, rate.to_currency_id)}
    inputs_changed(
        projects=Project.objects.filter(program__portfolio__base_currency__in=codes).values_list("pk", flat=True)
    )


@transaction.atomic
def exchange_rate_create(
    *, actor, from_currency: Currency, to_currency: Currency, rate: Decimal, valid_on: dt.date, source: str = ""
) -> ExchangeRate:
    """Record that one `from_currency` is worth `rate` `to_currency` from `valid_on` on."""
    created = create_audited(
        actor=actor,
        obj=ExchangeRate(
            from_currency=from_currency, to_currency=to_currency, rate=rate, valid_on=valid_on, source=source
        ),
        fields=["from_currency", "to_currency", "rate", "valid_on", "source"],
    )
    _rate_touch(created)
    return created


@transaction.atomic
def exchange_rate_update(
    *, actor, exchange_rate: ExchangeRate, data: dict[str, Any], expected_version: int | None = None
) -> ExchangeRate:
    before = ExchangeRate(from_currency_id=exchange_rate.from_currency_id, to_currency_id=exchange_rate.to_currency_id)
    updated = versioned_update(instance=exchange_rate, data=data, actor=actor, expected_version=expected_version)
    _rate_touch(before, updated)
    return updated


@transaction.atomic
def cost_category_create(*, actor, code: str, name: str, expense_type: str, kind: str) -> CostCategory:
    return create_audited(
        actor=actor,
        obj=CostCategory(code=code, name=name, expense_type=expense_type, kind=kind),
        fields=["code", "name", "expense_type", "kind"],
    )


def cost_category_update(
    *, actor, category: CostCategory, data: dict[str, Any], expected_version: int | None = None
) -> CostCategory:
    return versioned_update(instance=category, data=data, actor=actor, expected_version=expected_version)


@transaction.atomic
def fiscal_calendar_create(
    *,
    actor,
    name: str,
    start_month: int = 1,
    year_label: str = FiscalCalendar.YearLabel.END,
    portfolio=None,
    is_default: bool = False,
) -> FiscalCalendar:
    """A shared calendar (`portfolio` None; `is_default` makes it the one used by portfolios
    without their own) or a portfolio's own calendar."""
    return create_audited(
        actor=actor,
        obj=FiscalCalendar(
            name=name, start_month=start_month, year_label=year_label, portfolio=portfolio, is_default=is_default
        ),
        fields=["name", "start_month", "year_label", "portfolio", "is_default"],
    )


@transaction.atomic
def fiscal_calendar_update(
    *, actor, calendar: FiscalCalendar, data: dict[str, Any], expected_version: int | None = None
) -> FiscalCalendar:
    """Rename or re-scope a calendar. Its start month and year naming are frozen once it has
    periods: stored periods, and the budgets on them, would silently move."""
    shifting = {
        name for name in ("start_month", "year_label") if name in data and data[name] != getattr(calendar, name)
    }
    if shifting and FiscalPeriod.objects.filter(calendar=calendar).exists():
        raise ValidationError(dict.fromkeys(shifting, CALENDAR_HAS_PERIODS))
    return versioned_update(instance=calendar, data=data, actor=actor, expected_version=expected_version)


@transaction.atomic
def fiscal_periods_generate(
    *, actor, calendar: FiscalCalendar, first_year: int, last_year: int | None = None
) -> list[FiscalPeriod]:
    """Store the twelve periods of each fiscal year from `first_year` to `last_year` (default:
    just `first_year`). Idempotent: periods that exist are kept. Returns every period of those
    years, in order."""
    last_year = first_year if last_year is None else last_year
    if last_year < first_year:
        raise ValidationError({"last_year": YEARS_ORDERED})
    if last_year - first_year + 1 > MAX_YEARS_AT_ONCE:
        raise ValidationError({"last_year": TOO_MANY_YEARS.format(limit=MAX_YEARS_AT_ONCE)})
    calendar = FiscalCalendar.objects.select_for_update().get(pk=calendar.pk)
    existing = set(
        FiscalPeriod.objects.filter(calendar=calendar, fiscal_year__range=(first_year, last_year)).values_list(
            "fiscal_year", "number"
        )
    )
    new = []
    for year in range(first_year, last_year + 1):
        for span in calendar.periods_of_year(year):
            if (span.fiscal_year, span.number) in existing:
                continue
            period = FiscalPeriod(
                calendar=calendar, fiscal_year=span.fiscal_year, number=span.number, start=span.start, end=span.end
            )
            period.full_clean(validate_unique=False, validate_constraints=False)
            new.append(period)
    FiscalPeriod.objects.bulk_create(new)
    if new:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=calendar,
            changes={"periods": [None, f"FY{first_year}–FY{last_year}: {len(new)} added"]},
        )
    return list(
        FiscalPeriod.objects.filter(calendar=calendar, fiscal_year__range=(first_year, last_year)).order_by("start")
    )
