"""The lists of planning rows a user may read, with what their representations need joined (one
query per page, whatever the rows)."""

from ..models import (
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


def scenario_list(*, user):
    return Scenario.objects.visible_to(user).select_related("portfolio", "created_by", "committed_by")


def scenario_project_list(*, user):
    return ScenarioProject.objects.visible_to(user).select_related("project").prefetch_related("requires")


def scenario_budget_list(*, user):
    return ScenarioBudget.objects.visible_to(user).select_related("period")


def scenario_demand_list(*, user):
    return ScenarioDemand.objects.visible_to(user).select_related("role")


def budget_cap_list(*, user):
    return BudgetCap.objects.visible_to(user)


def scoring_criterion_list(*, user):
    return ScoringCriterion.objects.visible_to(user)


def pairwise_judgement_list(*, user):
    return PairwiseJudgement.objects.visible_to(user)


def criterion_value_list(*, user):
    return CriterionValue.objects.visible_to(user)


def optimisation_run_list(*, user):
    return OptimisationRun.objects.visible_to(user).select_related("created_by")
