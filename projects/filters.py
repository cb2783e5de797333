"""One FilterSet per listable model, shared by the HTML lists and the API viewsets."""

import django_filters
from django.db.models import Q

from core.filters import DateTimeFilter

from .models import Baseline, BaselineTask, Calendar, Dependency, Project, Rag, StatusReport, Task

# Computed health as the summary tables hold it ("" is "no data"); `none` asks for projects
# without a computed colour (never summarised, or no data yet).
COMPUTED_HEALTH_CHOICES = [*Rag.choices, ("none", "Not computed / no data")]


def filter_computed_health(queryset, prefix: str, value: str):
    """Rows whose roll-up (`<prefix>rollup`, the one-to-one the reporting app's summary tables
    declare) has computed overall health `value`. A lookup by name, not an import: the domain
    stays below reporting; the summary row is read by whoever filters."""
    field = f"{prefix}rollup__health_overall"
    if value == "none":
        return queryset.filter(Q(**{f"{prefix}rollup__isnull": True}) | Q(**{field: ""}))
    return queryset.filter(**{field: value})


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    phase = django_filters.MultipleChoiceFilter(choices=Project.Phase.choices)
    status = django_filters.MultipleChoiceFilter(choices=Project.Status.choices)
    health = django_filters.ChoiceFilter(
        choices=Rag.choices, field_name="latest_status_report__overall_rag", label="Latest RAG"
    )
    computed_health = django_filters.ChoiceFilter(
        choices=COMPUTED_HEALTH_CHOICES, method="filter_computed_health", label="Computed health"
    )
    starts_after = django_filters.DateFilter(field_name="planned_start", lookup_expr="gte")
    finishes_before = django_filters.DateFilter(field_name="planned_finish", lookup_expr="lte")
    portfolio = django_filters.NumberFilter(field_name="program__portfolio")

    class Meta:
        model = Project
        fields = ["program", "manager", "phase", "status", "priority"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_computed_health(self, queryset, name, value):
        return filter_computed_health(queryset, "", value)


class StatusReportFilterSet(django_filters.FilterSet):
    period_after = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_before = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")
    program = django_filters.NumberFilter(field_name="project__program")

    class Meta:
        model = StatusReport
        fields = ["project", "overall_rag", "submitted_by"]


class TaskFilterSet(django_filters.FilterSet):
    """Tasks by project, program, place in the WBS, flags and dates."""

    q = django_filters.CharFilter(method="search", label="Search")
    project = django_filters.NumberFilter(field_name="project")
    program = django_filters.NumberFilter(field_name="project__program")
    parent = django_filters.NumberFilter(field_name="parent")
    top_level = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label="Top level only")
    calendar = django_filters.NumberFilter(field_name="calendar")
    constraint_type = django_filters.MultipleChoiceFilter(choices=Task.Constraint.choices)
    starts_after = DateTimeFilter(field_name="start", lookup_expr="gte")
    finishes_before = DateTimeFilter(field_name="finish", lookup_expr="lte")

    class Meta:
        model = Task
        fields = ["is_critical", "is_milestone", "is_summary", "is_manual", "external_ref"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(wbs__icontains=value) | Q(outline_number=value))


class DependencyFilterSet(django_filters.FilterSet):
    """Links by project or program (of the successor), by either end, or touching a task."""

    project = django_filters.NumberFilter(field_name="successor__project")
    program = django_filters.NumberFilter(field_name="successor__project__program")
    predecessor = django_filters.NumberFilter(field_name="predecessor")
    successor = django_filters.NumberFilter(field_name="successor")
    task = django_filters.NumberFilter(method="touching", label="Either end")
    type = django_filters.MultipleChoiceFilter(choices=Dependency.Type.choices)

    class Meta:
        model = Dependency
        fields = ["lag_elapsed"]

    def touching(self, queryset, name, value):
        return queryset.filter(Q(predecessor=value) | Q(successor=value))


class CalendarFilterSet(django_filters.FilterSet):
    """Calendars of a project; `shared` for those every project may use."""

    project = django_filters.NumberFilter(field_name="project")
    shared = django_filters.BooleanFilter(field_name="project", lookup_expr="isnull")
    base_calendar = django_filters.NumberFilter(field_name="base_calendar")

    class Meta:
        model = Calendar
        fields = ["external_ref"]


class BaselineFilterSet(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project")
    program = django_filters.NumberFilter(field_name="project__program")

    class Meta:
        model = Baseline
        fields = ["number"]


class BaselineTaskFilterSet(django_filters.FilterSet):
    """One task's values in baselines: pick the baseline by id, or by project and number."""

    baseline = django_filters.NumberFilter(field_name="baseline")
    project = django_filters.NumberFilter(field_name="baseline__project")
    number = django_filters.NumberFilter(field_name="baseline__number", label="Baseline number")
    task = django_filters.NumberFilter(field_name="task")

    class Meta:
        model = BaselineTask
        fields = []
