"""The demo's planning stage: a portfolio admin can build, optimise and commit on the demo data."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from demo import planning as planning_stage
from demo.seed import demo_seed
from planning.models import OptimisationRun, Scenario, ScoringCriterion
from planning.selectors.scenario import scenario_view
from planning.services import plan_apply, scenario_commit, scenario_commit_preview, scenario_optimise
from projects.models import Project
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    demo_seed(scale="small", seed=1, today=DEMO_TODAY, history=False)


def test_demo_portfolio_has_proposals_criteria_and_a_draft_scenario(seeded):
    scenario = Scenario.objects.get(name=planning_stage.SCENARIO_NAME)
    assert scenario.status == Scenario.Status.DRAFT
    assert scenario.budget_caps.count() == 2
    proposals = Project.objects.filter(code__startswith=planning_stage.CODE_PREFIX)
    assert proposals.count() == len(planning_stage.PROPOSALS)
    assert set(proposals.values_list("status", flat=True)) == {Project.Status.PROPOSED}
    assert ScoringCriterion.objects.filter(portfolio=scenario.portfolio).count() == len(planning_stage.CRITERIA)
    view = scenario_view(scenario)
    added = [r for r in view.rows if r.change == "added"]
    assert len(added) == len(planning_stage.PROPOSALS)
    assert all(r.cost_by_fy for r in added)
    assert all(r.demand for r in added)
    assert view.over_cap()  # the caps are set under what the scenario would cost
    # Every project is scored, with the pairwise weights of the five criteria.
    assert view.weights_method == "pairwise"
    assert all(r.score is not None for r in view.rows)
    assert view.consistency_ratio <= Decimal("0.1")


def test_portfolio_admin_optimises_and_commits_the_demo_scenario(seeded, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="portfolio_admin")
    scenario = Scenario.objects.get(name=planning_stage.SCENARIO_NAME)
    with django_capture_on_commit_callbacks(execute=True):
        run = scenario_optimise(user=admin, scenario=scenario, time_limit_s=20)
    run.refresh_from_db()
    assert run.status == OptimisationRun.Status.SUCCEEDED, run.error
    assert run.plan["status"] in ("optimal", "feasible")
    scenario = plan_apply(actor=admin, run=run)
    preview = scenario_commit_preview(scenario)
    assert preview.changes
    scenario_commit(actor=admin, scenario=scenario, expected_version=preview.version, confirm=True)
    assert Scenario.objects.get(pk=scenario.pk).status == Scenario.Status.COMMITTED
    # The mandatory security uplift is approved.
    assert Project.objects.get(code=f"{planning_stage.CODE_PREFIX}SEC").status == Project.Status.ACTIVE


def test_planning_stage_rebuilds_on_an_existing_demo(seeded):
    first = planning_stage.counts()
    call_command("seed_demo", "--stages", "planning", "--seed", "2", stdout=StringIO())
    assert planning_stage.counts() == first
    assert Project.objects.filter(code__startswith=planning_stage.CODE_PREFIX).count() == len(planning_stage.PROPOSALS)
