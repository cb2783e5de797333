"""One FilterSet per listable staffing model, shared by the HTML lists and the API viewsets.

Related objects filter by id (`portfolio=3`, `project=12`); projects and programs also by code
(`project_code=MOD-ERP`, `program_code=MOD`). Date filters select rows overlapping a window:
`active_on` (one day) or `from` / `to` (inclusive).
"""

import django_filters
from django.db.models import Q

from portfolio.models import Portfolio

from .models import Absence, Allocation, CostRate, Person, Role, StaffingRequest


class RoleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    portfolio = django_filters.NumberFilter(field_name="portfolio")

    class Meta:
        model = Role
        fields = ["is_active", "code"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class PersonFilterSet(django_filters.FilterSet):
    """People by pool, department, role (any they hold) and login. The HTML list narrows the pool
    and role choices to what the user can see."""

    q = django_filters.CharFilter(method="search", label="Search")
    portfolio = django_filters.ModelChoiceFilter(queryset=Portfolio.objects.all(), label="Pool (portfolio)")
    department = django_filters.CharFilter(field_name="department")
    role = django_filters.ModelChoiceFilter(
        field_name="roles", queryset=Role.objects.all(), label="Role", distinct=True
    )
    user = django_filters.NumberFilter(field_name="user")

    class Meta:
        model = Person
        fields = ["is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value) | Q(department__icontains=value))


class CostRateFilterSet(django_filters.FilterSet):
    person = django_filters.NumberFilter(field_name="person")
    currency = django_filters.CharFilter(field_name="currency")
    effective_after = django_filters.DateFilter(field_name="effective_from", lookup_expr="gte")
    effective_before = django_filters.DateFilter(field_name="effective_from", lookup_expr="lte")

    class Meta:
        model = CostRate
        fields = []


class _WindowFilterSet(django_filters.FilterSet):
    """Rows overlapping `active_on`, or the window [`from`, `to`]."""

    active_on = django_filters.DateFilter(method="filter_active_on", label="Active on")
    starts_before = django_filters.DateFilter(field_name="start", lookup_expr="lte", label="Starts on or before")
    ends_after = django_filters.DateFilter(field_name="end", lookup_expr="gte", label="Ends on or after")

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start__lte=value, end__gte=value)


class AbsenceFilterSet(_WindowFilterSet):
    person = django_filters.NumberFilter(field_name="person")
    kind = django_filters.MultipleChoiceFilter(choices=Absence.Kind.choices)

    class Meta:
        model = Absence
        fields = []


class AllocationFilterSet(_WindowFilterSet):
    person = django_filters.NumberFilter(field_name="person")
    project = django_filters.NumberFilter(field_name="project")
    project_code = django_filters.CharFilter(field_name="project__code", label="Project code")
    program = django_filters.NumberFilter(field_name="project__program")
    program_code = django_filters.CharFilter(field_name="project__program__code", label="Program code")
    role = django_filters.NumberFilter(field_name="role")
    request = django_filters.NumberFilter(field_name="request")

    class Meta:
        model = Allocation
        fields = []


class StaffingRequestFilterSet(_WindowFilterSet):
    project = django_filters.NumberFilter(field_name="project")
    project_code = django_filters.CharFilter(field_name="project__code", label="Project code")
    program = django_filters.NumberFilter(field_name="project__program")
    program_code = django_filters.CharFilter(field_name="project__program__code", label="Program code")
    role = django_filters.NumberFilter(field_name="role")
    status = django_filters.MultipleChoiceFilter(choices=StaffingRequest.Status.choices)

    class Meta:
        model = StaffingRequest
        fields = []
