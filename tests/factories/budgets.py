import datetime
from decimal import Decimal

import factory

from budgets.models import (
    BudgetLine,
    Contract,
    CostCategory,
    CostEntry,
    Currency,
    ExchangeRate,
    FiscalCalendar,
    FiscalPeriod,
    Forecast,
    LifecycleCostEstimate,
    LifecycleCostLine,
    Vendor,
)

from .portfolio import ProgramFactory
from .projects import ProjectFactory


class CurrencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Currency
        django_get_or_create = ("code",)

    code = "EUR"
    name = factory.LazyAttribute(
        lambda c: {"EUR": "Euro", "USD": "US dollar", "GBP": "Pound sterling"}.get(c.code, c.code)
    )
    decimal_places = 2


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    from_currency = factory.SubFactory(CurrencyFactory, code="USD")
    to_currency = factory.SubFactory(CurrencyFactory, code="EUR")
    rate = Decimal("0.90000000")
    valid_on = datetime.date(2026, 1, 1)


class FiscalCalendarFactory(factory.django.DjangoModelFactory):
    """A calendar-year fiscal calendar (January start) unless told otherwise."""

    class Meta:
        model = FiscalCalendar

    name = factory.Sequence(lambda n: f"Fiscal calendar {n}")
    start_month = 1


class FiscalPeriodFactory(factory.django.DjangoModelFactory):
    """A stored period whose dates follow its calendar (use fiscal_periods_generate for many)."""

    class Meta:
        model = FiscalPeriod

    calendar = factory.SubFactory(FiscalCalendarFactory)
    fiscal_year = 2026
    number = 1
    start = factory.LazyAttribute(lambda p: p.calendar.period_bounds(p.fiscal_year, p.number)[0])
    end = factory.LazyAttribute(lambda p: p.calendar.period_bounds(p.fiscal_year, p.number)[1])


class CostCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CAT{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    expense_type = CostCategory.ExpenseType.OPEX
    kind = CostCategory.Kind.OTHER


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory)
    category = factory.SubFactory(CostCategoryFactory)
    period = factory.SubFactory(FiscalPeriodFactory)
    budget_version = BudgetLine.Version.CURRENT
    amount = Decimal("1000.00")
    currency = factory.SubFactory(CurrencyFactory)


class CostEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostEntry

    project = factory.SubFactory(ProjectFactory)
    category = factory.SubFactory(CostCategoryFactory)
    date = datetime.date(2026, 1, 15)
    amount = Decimal("100.00")
    currency = factory.SubFactory(CurrencyFactory)
    source = CostEntry.Source.LEDGER
    external_ref = factory.Sequence(lambda n: f"GL-{n}")


class ForecastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forecast

    project = factory.SubFactory(ProjectFactory)
    category = factory.SubFactory(CostCategoryFactory)
    period = factory.SubFactory(FiscalPeriodFactory)
    amount = Decimal("500.00")
    currency = factory.SubFactory(CurrencyFactory)


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"Vendor {n}")
    risk_rating = Vendor.RiskRating.LOW


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    program = factory.SubFactory(ProgramFactory)
    vendor = factory.SubFactory(VendorFactory)
    number = factory.Sequence(lambda n: f"C-{n:05d}")
    title = factory.Sequence(lambda n: f"Contract {n}")
    type = Contract.Type.FFP
    ceiling = Decimal("100000.00")
    obligated = Decimal("50000.00")
    currency = factory.SubFactory(CurrencyFactory)
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 12, 31)


class LifecycleCostEstimateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifecycleCostEstimate

    program = factory.SubFactory(ProgramFactory)
    number = factory.Sequence(lambda n: n + 1)


class LifecycleCostLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifecycleCostLine

    estimate = factory.SubFactory(LifecycleCostEstimateFactory)
    phase = LifecycleCostLine.Phase.ACQUISITION
    fiscal_year = 2026
    category = factory.SubFactory(CostCategoryFactory)
    amount = Decimal("10000.00")
    currency = factory.SubFactory(CurrencyFactory)
