"""Planning models: every bounded value refused by its validators and by a named database check
constraint (even written past validation), and who sees which rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core import bounds
from planning.models import (
    BudgetCap,
    CriterionValue,
    PairwiseJudgement,
    Scenario,
    ScenarioBudget,
    ScenarioDemand,
    ScenarioProject,
    ScoringCriterion,
)
from tests.factories.budgets import FiscalPeriodFactory
from tests.factories.planning import (
    BudgetCapFactory,
    CriterionValueFactory,
    PairwiseJudgementFactory,
    ScenarioBudgetFactory,
    ScenarioDemandFactory,
    ScenarioFactory,
    ScenarioProjectFactory,
    ScoringCriterionFactory,
)

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
DAY = dt.timedelta(days=1)


def make(model):
    return {
        Scenario: lambda: ScenarioFactory(),
        ScenarioProject: lambda: ScenarioProjectFactory(),
        ScenarioBudget: lambda: ScenarioBudgetFactory(period=FiscalPeriodFactory()),
        ScenarioDemand: lambda: ScenarioDemandFactory(),
        BudgetCap: lambda: BudgetCapFactory(),
        ScoringCriterion: lambda: ScoringCriterionFactory(),
        PairwiseJudgement: lambda: PairwiseJudgementFactory(),
        CriterionValue: lambda: CriterionValueFactory(),
    }[model]()


# (model, field, a value just outside, a value just inside, the constraint's name). A criterion
# value's range is its column's precision (16 digits, 4 places): the database cannot hold more.
OUTSIDE = [
    (Scenario, "horizon_start", bounds.DATE_MAX + DAY, bounds.DATE_MAX, "planning_scenario_horizon_start_in_range"),
    (Scenario, "horizon_months", 61, 60, "planning_scenario_horizon_months_range"),
    (Scenario, "horizon_months", 0, 1, "planning_scenario_horizon_months_range"),
    (Scenario, "delay_max_months", 61, 60, "planning_scenario_delay_max_months_range"),
    (ScenarioProject, "start", bounds.DATE_MIN - DAY, bounds.DATE_MIN, "planning_scenarioproject_start_in_range"),
    (ScenarioProject, "delay_max_months", 61, 60, "planning_scenarioproject_delay_max_months_range"),
    (ScenarioBudget, "amount", -CENT, Decimal(0), "planning_scenariobudget_amount_in_range"),
    (ScenarioBudget, "amount", bounds.MONEY_MAX + CENT, bounds.MONEY_MAX, "planning_scenariobudget_amount_in_range"),
    (ScenarioDemand, "fte", Decimal("-0.01"), Decimal(0), "planning_scenariodemand_fte_range"),
    (ScenarioDemand, "fte", Decimal("1000.01"), Decimal(1000), "planning_scenariodemand_fte_range"),
    (ScenarioDemand, "month", bounds.DATE_MAX + DAY, bounds.DATE_MAX, "planning_scenariodemand_month_in_range"),
    (BudgetCap, "amount", -CENT, Decimal(0), "planning_budgetcap_amount_in_range"),
    (BudgetCap, "fiscal_year", 2201, 2200, "planning_budgetcap_fiscal_year_range"),
    (ScoringCriterion, "weight", Decimal("100.01"), Decimal(100), "planning_scoringcriterion_weight_in_range"),
    (ScoringCriterion, "weight", -CENT, Decimal(0), "planning_scoringcriterion_weight_in_range"),
    (PairwiseJudgement, "value", Decimal("9.0001"), Decimal(9), "planning_pairwisejudgement_value_range"),
    (PairwiseJudgement, "value", Decimal("0.1110"), Decimal("0.1111"), "planning_pairwisejudgement_value_range"),
]


@pytest.mark.parametrize(
    ("model", "field", "outside", "inside", "constraint"),
    OUTSIDE,
    ids=[f"{m.__name__}.{f}={o}" for m, f, o, _i, _c in OUTSIDE],
)
def test_bounded_value_is_refused_by_validation_and_the_database(model, field, outside, inside, constraint):
    row = make(model)
    setattr(row, field, outside)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field in error.value.message_dict
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: outside})
    model.objects.filter(pk=row.pk).update(**{field: inside})


def test_a_judgement_is_stored_with_the_lower_id_first():
    judgement = PairwiseJudgementFactory()
    with pytest.raises(IntegrityError, match="planning_pairwisejudgement_pair_ordered"), transaction.atomic():
        PairwiseJudgement.objects.filter(pk=judgement.pk).update(
            criterion_a=judgement.criterion_b, criterion_b=judgement.criterion_a
        )


def test_a_committed_scenario_has_its_commit_time():
    scenario = ScenarioFactory()
    with pytest.raises(IntegrityError, match="planning_scenario_committed_has_time"), transaction.atomic():
        Scenario.objects.filter(pk=scenario.pk).update(status=Scenario.Status.COMMITTED)


class TestVisibility:
    def test_portfolio_admin_and_executive_see_the_portfolio_rows_others_do_not(
        self, portfolio, portfolio_admin, executive, owner, member, outsider
    ):
        scenario = ScenarioFactory(portfolio=portfolio)
        criterion = ScoringCriterionFactory(portfolio=portfolio)
        cap = BudgetCapFactory(scenario=scenario)
        for user in (portfolio_admin, executive):
            assert list(Scenario.objects.visible_to(user)) == [scenario]
            assert list(ScoringCriterion.objects.visible_to(user)) == [criterion]
            assert list(BudgetCap.objects.visible_to(user)) == [cap]
        # A role on one program or project of the portfolio does not show its scenarios.
        for user in (owner, member, outsider):
            assert not Scenario.objects.visible_to(user).exists()
            assert not ScoringCriterion.objects.visible_to(user).exists()

    def test_only_portfolio_admins_edit(self, portfolio, portfolio_admin, executive):
        scenario = ScenarioFactory(portfolio=portfolio)
        assert list(Scenario.objects.editable_by(portfolio_admin)) == [scenario]
        assert not Scenario.objects.editable_by(executive).exists()
