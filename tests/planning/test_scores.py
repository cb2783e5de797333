"""Project scores: values from the domains or entered, direct or pairwise (AHP) weights."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planning.models import PairwiseJudgement, ScoringCriterion
from planning.selectors.scenario import scenario_view
from planning.selectors.scores import METHOD_DIRECT, METHOD_PAIRWISE, project_scores
from planning.services import criterion_create, criterion_value_set, pairwise_set, scenario_create
from tests.factories.portfolio import ProgramObjectiveFactory
from tests.factories.risks import RiskFactory

D = Decimal


def criterion(world, actor, name, kind, weight):
    return criterion_create(actor=actor, portfolio=world.portfolio, name=name, kind=kind, weight=D(weight))


class TestDirect:
    def test_no_criteria_no_scores(self, world):
        scores = project_scores(world.portfolio)
        assert scores == {}

    def test_entered_values_scored_min_max_with_direct_weights(self, world, portfolio_admin):
        npv = criterion(world, portfolio_admin, "NPV", ScoringCriterion.Kind.FINANCIAL_VALUE, 75)
        urgency = criterion(world, portfolio_admin, "Urgency", ScoringCriterion.Kind.URGENCY, 25)
        for project, value in ((world.active, 100), (world.proposed, 300), (world.second, 200)):
            criterion_value_set(actor=portfolio_admin, criterion=npv, project=project, value=D(value))
        criterion_value_set(actor=portfolio_admin, criterion=urgency, project=world.active, value=D(9))
        scores = project_scores(world.portfolio)
        assert scores.method == METHOD_DIRECT
        assert scores.weights == {npv.pk: D("0.75"), urgency.pk: D("0.25")}
        # NPV: 0, 100, 50 of 100; urgency: active 9 (entered), the others medium priority (2).
        assert scores[world.active.pk].score == D("25.00")
        assert scores[world.proposed.pk].score == D("75.00")
        assert scores[world.second.pk].score == D("37.50")

    def test_lower_is_better_for_risk_exposure(self, world, portfolio_admin, program):
        risk = criterion(world, portfolio_admin, "Risk", ScoringCriterion.Kind.RISK_EXPOSURE, 10)
        assert risk.direction == ScoringCriterion.Direction.LOWER_BETTER
        RiskFactory(project=world.active, program=program, probability_percent=D(50), cost_impact=D(1000))
        scores = project_scores(world.portfolio)
        assert scores[world.active.pk].values[risk.pk] == D("500.00")
        assert scores[world.active.pk].score == D("0.00")
        assert scores[world.second.pk].score == D("100.00")

    def test_all_direct_weights_zero_weigh_equally(self, world, portfolio_admin, program):
        ProgramObjectiveFactory(program=program, weight=D(60))
        criterion(world, portfolio_admin, "Alignment", ScoringCriterion.Kind.OBJECTIVE_ALIGNMENT, 0)
        criterion(world, portfolio_admin, "Cost", ScoringCriterion.Kind.COST, 0)
        scores = project_scores(world.portfolio)
        assert set(scores.weights.values()) == {D("0.5")}
        # Same alignment everywhere (one program); cheapest (second: 15,000) scores best on cost.
        assert scores[world.second.pk].score == D("100.00")


class TestPairwise:
    def test_complete_judgements_give_ahp_weights_and_a_consistency_ratio(self, world, portfolio_admin):
        a = criterion(world, portfolio_admin, "A", ScoringCriterion.Kind.CUSTOM, 10)
        b = criterion(world, portfolio_admin, "B", ScoringCriterion.Kind.CUSTOM, 10)
        c = criterion(world, portfolio_admin, "C", ScoringCriterion.Kind.CUSTOM, 10)
        pairwise_set(actor=portfolio_admin, criterion_a=a, criterion_b=b, value=D(2))
        pairwise_set(actor=portfolio_admin, criterion_a=a, criterion_b=c, value=D(4))
        # Given the other way round: stored once, as B over C = 2.
        pairwise_set(actor=portfolio_admin, criterion_a=c, criterion_b=b, value=D("0.5"))
        assert PairwiseJudgement.objects.get(criterion_a=b, criterion_b=c).value == D(2)
        scores = project_scores(world.portfolio)
        assert scores.method == METHOD_PAIRWISE
        # A perfectly consistent matrix: weights 4/7, 2/7, 1/7.
        assert scores.consistency_ratio == D(0)
        assert [round(scores.weights[x.pk], 3) for x in (a, b, c)] == [D("0.571"), D("0.286"), D("0.143")]

    def test_incomplete_judgements_fall_back_to_direct_weights(self, world, portfolio_admin):
        a = criterion(world, portfolio_admin, "A", ScoringCriterion.Kind.CUSTOM, 30)
        b = criterion(world, portfolio_admin, "B", ScoringCriterion.Kind.CUSTOM, 70)
        criterion(world, portfolio_admin, "C", ScoringCriterion.Kind.CUSTOM, 0)
        pairwise_set(actor=portfolio_admin, criterion_a=a, criterion_b=b, value=D(3))
        scores = project_scores(world.portfolio)
        assert scores.method == METHOD_DIRECT
        assert (scores.weighting.judged_pairs, scores.weighting.pairs) == (1, 3)

    @pytest.mark.parametrize("value", ["2.5", "10", "0.1", "0"])
    def test_off_scale_judgement_is_refused_on_value(self, world, portfolio_admin, value):
        a = criterion(world, portfolio_admin, "A", ScoringCriterion.Kind.CUSTOM, 10)
        b = criterion(world, portfolio_admin, "B", ScoringCriterion.Kind.CUSTOM, 10)
        with pytest.raises(ValidationError) as error:
            pairwise_set(actor=portfolio_admin, criterion_a=a, criterion_b=b, value=D(value))
        assert "value" in error.value.message_dict

    def test_a_third_is_stored_to_four_places(self, world, portfolio_admin):
        a = criterion(world, portfolio_admin, "A", ScoringCriterion.Kind.CUSTOM, 10)
        b = criterion(world, portfolio_admin, "B", ScoringCriterion.Kind.CUSTOM, 10)
        row = pairwise_set(actor=portfolio_admin, criterion_a=b, criterion_b=a, value=D(3))
        assert row.value == D("0.3333")


def test_scores_reach_the_scenario_view_in_a_fixed_number_of_queries(world, portfolio_admin, program):
    from tests.factories.projects import ProjectFactory

    npv = criterion(world, portfolio_admin, "NPV", ScoringCriterion.Kind.FINANCIAL_VALUE, 50)
    for kind in ("objective_alignment", "benefits", "risk_exposure", "cost", "urgency"):
        criterion(world, portfolio_admin, kind, kind, 10)
    criterion_value_set(actor=portfolio_admin, criterion=npv, project=world.proposed, value=D(10))
    scenario = scenario_create(actor=portfolio_admin, portfolio=world.portfolio, name="S")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            view = scenario_view(scenario)
        return len(ctx.captured_queries), view

    few, view = count()
    assert view.row(world.proposed.pk).score is not None
    for n in range(5):
        extra = ProjectFactory(program=program, code=f"S{n}")
        criterion_value_set(actor=portfolio_admin, criterion=npv, project=extra, value=D(n))
    more, _ = count()
    assert more == few
