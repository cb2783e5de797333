"""One FilterSet per listable money model, shared by the HTML lists and the API viewsets.

Related objects filter by id (`project=12`); where people think in codes there is a code
filter beside it (`project_code=MOD-ERP`, `category_code=LAB`). Date ranges are inclusive.
"""

import django_filters
from django.db.models import Q

from .models import (
    BudgetLine,
    Contract,
    CostCategory,
    CostEntry,
    Currency,
    ExchangeRate,
    FiscalCalendar,
    FiscalPeriod,
    Forecast,
    ImportJob,
    LifecycleCostEstimate,
    LifecycleCostLine,
    ReserveTransaction,
    Vendor,
)


class CurrencyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Currency
        fields = ["decimal_places"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class ExchangeRateFilterSet(django_filters.FilterSet):
    """Rates by either side of the pair (`currency` matches both) and validity date."""

    from_currency = django_filters.CharFilter(field_name="from_currency")
    to_currency = django_filters.CharFilter(field_name="to_currency")
    currency = django_filters.CharFilter(method="either_side", label="Either currency")
    valid_after = django_filters.DateFilter(field_name="valid_on", lookup_expr="gte")
    valid_before = django_filters.DateFilter(field_name="valid_on", lookup_expr="lte")

    class Meta:
        model = ExchangeRate
        fields = ["source"]

    def either_side(self, queryset, name, value):
        return queryset.filter(Q(from_currency=value) | Q(to_currency=value))


class CostCategoryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    expense_type = django_filters.MultipleChoiceFilter(choices=CostCategory.ExpenseType.choices)
    kind = django_filters.MultipleChoiceFilter(choices=CostCategory.Kind.choices)

    class Meta:
        model = CostCategory
        fields = ["code"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class FiscalCalendarFilterSet(django_filters.FilterSet):
    """Calendars of a portfolio; `shared` for those not owned by one."""

    portfolio = django_filters.NumberFilter(field_name="portfolio")
    shared = django_filters.BooleanFilter(field_name="portfolio", lookup_expr="isnull")

    class Meta:
        model = FiscalCalendar
        fields = ["is_default", "start_month", "year_label"]


class FiscalPeriodFilterSet(django_filters.FilterSet):
    """Stored periods by calendar and fiscal year; `contains` finds the period holding a day."""

    calendar = django_filters.NumberFilter(field_name="calendar")
    contains = django_filters.DateFilter(method="containing", label="Contains the day")

    class Meta:
        model = FiscalPeriod
        fields = ["fiscal_year", "number"]

    def containing(self, queryset, name, value):
        return queryset.filter(start__lte=value, end__gte=value)


class _ProjectMoneyFilterSet(django_filters.FilterSet):
    """Filters every project-owned money row shares."""

    project = django_filters.NumberFilter(field_name="project")
    project_code = django_filters.CharFilter(field_name="project__code")
    program = django_filters.NumberFilter(field_name="project__program")
    portfolio = django_filters.NumberFilter(field_name="project__program__portfolio")
    category = django_filters.NumberFilter(field_name="category")
    category_code = django_filters.CharFilter(field_name="category__code")
    currency = django_filters.CharFilter(field_name="currency")


class _PeriodFilters(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period")
    fiscal_year = django_filters.NumberFilter(field_name="period__fiscal_year")
    period_after = django_filters.DateFilter(
        field_name="period__end", lookup_expr="gte", label="Periods ending on or after"
    )
    period_before = django_filters.DateFilter(
        field_name="period__start", lookup_expr="lte", label="Periods starting on or before"
    )


class BudgetLineFilterSet(_ProjectMoneyFilterSet, _PeriodFilters):
    budget_version = django_filters.ChoiceFilter(choices=BudgetLine.Version.choices)

    class Meta:
        model = BudgetLine
        fields = []


class CostEntryFilterSet(_ProjectMoneyFilterSet):
    """Actual costs by project, category, source, supplier and date; `q` searches the
    description and external reference."""

    q = django_filters.CharFilter(method="search", label="Search")
    task = django_filters.NumberFilter(field_name="task")
    source = django_filters.MultipleChoiceFilter(choices=CostEntry.Source.choices)
    vendor = django_filters.NumberFilter(field_name="vendor")
    contract = django_filters.NumberFilter(field_name="contract")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte")
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte")

    class Meta:
        model = CostEntry
        fields = ["external_ref"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(description__icontains=value) | Q(external_ref__icontains=value))


class ForecastFilterSet(_ProjectMoneyFilterSet, _PeriodFilters):
    class Meta:
        model = Forecast
        fields = []


class ReserveTransactionFilterSet(django_filters.FilterSet):
    """Drawdowns by scope and owner. `program` matches the program's own drawdowns and those of
    its projects; `project` only the project's."""

    project = django_filters.NumberFilter(field_name="project")
    program = django_filters.NumberFilter(method="of_program", label="Program (and its projects)")
    reserve = django_filters.ChoiceFilter(choices=ReserveTransaction.Reserve.choices)
    scope = django_filters.ChoiceFilter(choices=ReserveTransaction.Scope.choices)
    at_after = django_filters.DateFilter(field_name="at__date", lookup_expr="gte")
    at_before = django_filters.DateFilter(field_name="at__date", lookup_expr="lte")

    class Meta:
        model = ReserveTransaction
        fields = ["actor"]

    def of_program(self, queryset, name, value):
        return queryset.filter(Q(program=value) | Q(project__program=value))


class LifecycleCostEstimateFilterSet(django_filters.FilterSet):
    program = django_filters.NumberFilter(field_name="program")
    status = django_filters.ChoiceFilter(choices=LifecycleCostEstimate.Status.choices)

    class Meta:
        model = LifecycleCostEstimate
        fields = ["number", "based_on"]


class LifecycleCostLineFilterSet(django_filters.FilterSet):
    estimate = django_filters.NumberFilter(field_name="estimate")
    program = django_filters.NumberFilter(field_name="estimate__program")
    phase = django_filters.MultipleChoiceFilter(choices=LifecycleCostLine.Phase.choices)
    category = django_filters.NumberFilter(field_name="category")
    category_code = django_filters.CharFilter(field_name="category__code")

    class Meta:
        model = LifecycleCostLine
        fields = ["fiscal_year", "currency"]


class VendorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    risk_rating = django_filters.MultipleChoiceFilter(choices=Vendor.RiskRating.choices)

    class Meta:
        model = Vendor
        fields = []


class ContractFilterSet(django_filters.FilterSet):
    """Contracts by program, vendor, type and the projects they serve; `active_on` keeps those
    whose period of performance includes the day."""

    q = django_filters.CharFilter(method="search", label="Search")
    program = django_filters.NumberFilter(field_name="program")
    vendor = django_filters.NumberFilter(field_name="vendor")
    project = django_filters.NumberFilter(field_name="projects", distinct=True)
    type = django_filters.MultipleChoiceFilter(choices=Contract.Type.choices)
    active_on = django_filters.DateFilter(method="active", label="Active on")

    class Meta:
        model = Contract
        fields = ["number", "currency"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))

    def active(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)


class ImportJobFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ImportJob.Kind.choices)
    status = django_filters.MultipleChoiceFilter(choices=ImportJob.Status.choices)

    class Meta:
        model = ImportJob
        fields = []
