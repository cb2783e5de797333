"""One FilterSet per listable governance model, shared by the HTML lists and the API viewsets.
Related objects filter by id (`project=12`) with a code filter beside them (`project_code=MOD-ERP`,
`program_code=MOD`)."""

import django_filters
from django.db.models import Q

from projects.models import Project

from .models import (
    Benefit,
    BenefitMeasurement,
    ChangeRequest,
    ChangeRequestLine,
    Decision,
    GateCriterion,
    OperatingLevelAgreement,
    StageGate,
)


class _ProjectScoped(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project")
    project_code = django_filters.CharFilter(field_name="project__code")
    program = django_filters.NumberFilter(field_name="project__program")
    program_code = django_filters.CharFilter(field_name="project__program__code")


class StageGateFilterSet(_ProjectScoped):
    decision = django_filters.MultipleChoiceFilter(choices=StageGate.Decision.choices)
    to_phase = django_filters.MultipleChoiceFilter(choices=StageGate._meta.get_field("to_phase").choices)
    planned_after = django_filters.DateFilter(field_name="planned_date", lookup_expr="gte")
    planned_before = django_filters.DateFilter(field_name="planned_date", lookup_expr="lte")

    class Meta:
        model = StageGate
        fields = []


class GateCriterionFilterSet(django_filters.FilterSet):
    gate = django_filters.NumberFilter(field_name="gate")
    project = django_filters.NumberFilter(field_name="gate__project")

    class Meta:
        model = GateCriterion
        fields = ["met"]


class ChangeRequestFilterSet(_ProjectScoped):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=ChangeRequest.Status.choices)

    class Meta:
        model = ChangeRequest
        fields = ["rebaseline"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))


class ChangeRequestLineFilterSet(django_filters.FilterSet):
    change_request = django_filters.NumberFilter(field_name="change_request")
    project = django_filters.NumberFilter(field_name="change_request__project")
    category = django_filters.NumberFilter(field_name="category")
    period = django_filters.NumberFilter(field_name="period")

    class Meta:
        model = ChangeRequestLine
        fields = []


class _ProgramScoped(django_filters.FilterSet):
    program = django_filters.NumberFilter(field_name="program")
    program_code = django_filters.CharFilter(field_name="program__code")


class DecisionFilterSet(_ProgramScoped):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=Decision.Status.choices)
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all())
    decided_after = django_filters.DateFilter(field_name="decided_on", lookup_expr="gte")
    decided_before = django_filters.DateFilter(field_name="decided_on", lookup_expr="lte")
    source = django_filters.ChoiceFilter(
        method="by_source",
        choices=[("gate", "Stage gates"), ("change", "Change requests"), ("manual", "Logged by hand")],
        label="Source",
    )

    class Meta:
        model = Decision
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(decision__icontains=value) | Q(context__icontains=value))

    def by_source(self, queryset, name, value):
        if value == "gate":
            return queryset.filter(stage_gate__isnull=False)
        if value == "change":
            return queryset.filter(change_request__isnull=False)
        return queryset.filter(stage_gate__isnull=True, change_request__isnull=True)


class BenefitFilterSet(_ProgramScoped):
    status = django_filters.MultipleChoiceFilter(choices=Benefit.Status.choices)
    owner = django_filters.NumberFilter(field_name="owner")
    due_before = django_filters.DateFilter(field_name="realisation_date", lookup_expr="lte")

    class Meta:
        model = Benefit
        fields = []


class BenefitMeasurementFilterSet(django_filters.FilterSet):
    benefit = django_filters.NumberFilter(field_name="benefit")
    program = django_filters.NumberFilter(field_name="benefit__program")
    measured_after = django_filters.DateFilter(field_name="measured_on", lookup_expr="gte")
    measured_before = django_filters.DateFilter(field_name="measured_on", lookup_expr="lte")

    class Meta:
        model = BenefitMeasurement
        fields = []


class OperatingLevelAgreementFilterSet(_ProgramScoped):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=OperatingLevelAgreement.Status.choices)
    review_before = django_filters.DateFilter(field_name="review_date", lookup_expr="lte")
    review_overdue = django_filters.BooleanFilter(field_name="review_overdue", label="Review overdue")

    class Meta:
        model = OperatingLevelAgreement
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(service__icontains=value) | Q(owner_name__icontains=value))
