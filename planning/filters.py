"""One FilterSet per listable planning model, shared by the HTML lists and the API viewsets."""

import django_filters

from .models import (
    BudgetCap,
    CriterionValue,
    OptimisationRun,
    PairwiseJudgement,
    Scenario,
    ScenarioBudget,
    ScenarioDemand,
    ScenarioProject,
    ScoringCriterion,
)


class ScenarioFilterSet(django_filters.FilterSet):
    portfolio = django_filters.NumberFilter(field_name="portfolio")
    portfolio_code = django_filters.CharFilter(field_name="portfolio__code")
    status = django_filters.MultipleChoiceFilter(choices=Scenario.Status.choices)

    class Meta:
        model = Scenario
        fields = []


class _ScenarioPart(django_filters.FilterSet):
    scenario = django_filters.NumberFilter(field_name="scenario")
    project = django_filters.NumberFilter(field_name="project")


class ScenarioProjectFilterSet(_ScenarioPart):
    class Meta:
        model = ScenarioProject
        fields = []


class ScenarioBudgetFilterSet(_ScenarioPart):
    class Meta:
        model = ScenarioBudget
        fields = []


class ScenarioDemandFilterSet(_ScenarioPart):
    role = django_filters.NumberFilter(field_name="role")

    class Meta:
        model = ScenarioDemand
        fields = []


class BudgetCapFilterSet(django_filters.FilterSet):
    scenario = django_filters.NumberFilter(field_name="scenario")

    class Meta:
        model = BudgetCap
        fields = []


class ScoringCriterionFilterSet(django_filters.FilterSet):
    portfolio = django_filters.NumberFilter(field_name="portfolio")
    kind = django_filters.MultipleChoiceFilter(choices=ScoringCriterion.Kind.choices)

    class Meta:
        model = ScoringCriterion
        fields = []


class PairwiseJudgementFilterSet(django_filters.FilterSet):
    portfolio = django_filters.NumberFilter(field_name="criterion_a__portfolio")

    class Meta:
        model = PairwiseJudgement
        fields = []


class CriterionValueFilterSet(django_filters.FilterSet):
    criterion = django_filters.NumberFilter(field_name="criterion")
    project = django_filters.NumberFilter(field_name="project")
    portfolio = django_filters.NumberFilter(field_name="criterion__portfolio")

    class Meta:
        model = CriterionValue
        fields = []


class OptimisationRunFilterSet(django_filters.FilterSet):
    scenario = django_filters.NumberFilter(field_name="scenario")
    status = django_filters.MultipleChoiceFilter(choices=OptimisationRun.Status.choices)

    class Meta:
        model = OptimisationRun
        fields = []
