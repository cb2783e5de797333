"""One FilterSet per listable model, shared by the HTML lists and the API viewsets."""

import django_filters
from django.db.models import Q

from projects.filters import COMPUTED_HEALTH_CHOICES, filter_computed_health
from projects.models import Rag, open_projects_q

from .models import Membership, Portfolio, Program, StrategicObjective
from .roles import Role


class PortfolioFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Portfolio
        fields = ["code", "base_currency"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class StrategicObjectiveFilterSet(django_filters.FilterSet):
    class Meta:
        model = StrategicObjective
        fields = ["portfolio", "code"]


class ProgramFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=Program.Status.choices)
    health = django_filters.ChoiceFilter(
        choices=Rag.choices, method="filter_health", label="Has open projects reported"
    )
    computed_health = django_filters.ChoiceFilter(
        choices=COMPUTED_HEALTH_CHOICES, method="filter_computed_health", label="Computed health"
    )
    # The program's own summary (its roll-up, named by lookup as filter_computed_health does): the
    # worst RAG its open projects reported, and whether that disagrees with the computed health.
    reported = django_filters.ChoiceFilter(
        choices=Rag.choices, field_name="rollup__reported_rag", label="Reported RAG (worst open project)"
    )
    disagrees = django_filters.BooleanFilter(
        field_name="rollup__health_disagrees", label="Computed and reported disagree"
    )
    starts_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    finishes_before = django_filters.DateFilter(field_name="finish_date", lookup_expr="lte")

    class Meta:
        model = Program
        fields = ["portfolio", "manager", "sponsor", "status", "objectives"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_health(self, queryset, name, value):
        # Open projects only, as the health counts (portfolio.selectors.program_list_with_health).
        reported = Q(projects__latest_status_report__overall_rag=value) & open_projects_q("projects__")
        return queryset.filter(reported).distinct()

    def filter_computed_health(self, queryset, name, value):
        # The program's own computed health (its roll-up), not its projects'.
        return filter_computed_health(queryset, "", value)


class MembershipFilterSet(django_filters.FilterSet):
    role = django_filters.MultipleChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["user", "role", "portfolio", "program", "project"]
