"""One FilterSet per listable model, shared by the HTML lists and the API viewsets."""

import django_filters
from django.db.models import Q

from .models import Project, Rag, StatusReport


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    phase = django_filters.MultipleChoiceFilter(choices=Project.Phase.choices)
    status = django_filters.MultipleChoiceFilter(choices=Project.Status.choices)
    health = django_filters.ChoiceFilter(
        choices=Rag.choices, field_name="latest_status_report__overall_rag", label="Latest RAG"
    )
    starts_after = django_filters.DateFilter(field_name="planned_start", lookup_expr="gte")
    finishes_before = django_filters.DateFilter(field_name="planned_finish", lookup_expr="lte")
    portfolio = django_filters.NumberFilter(field_name="program__portfolio")

    class Meta:
        model = Project
        fields = ["program", "manager", "phase", "status", "priority"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class StatusReportFilterSet(django_filters.FilterSet):
    period_after = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_before = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")
    program = django_filters.NumberFilter(field_name="project__program")

    class Meta:
        model = StatusReport
        fields = ["project", "overall_rag", "submitted_by"]
