"""The optimiser on a scenario: candidates and limits from the view, a run, applying its plan."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from planning.models import OptimisationRun
from planning.selectors.scenario import scenario_view
from planning.services import budget_cap_set, plan_apply, scenario_optimise, scenario_project_set
from planning.services.optimise import optimisation_inputs

D = Decimal


@pytest.fixture
def optimise_now(django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            run = scenario_optimise(**kwargs)
        run.refresh_from_db()
        return run

    return run


class TestInputs:
    def test_candidates_carry_cost_demand_and_start_window(self, world, scenario):
        candidates, limits = optimisation_inputs(scenario_view(scenario))
        by_key = {c.key: c for c in candidates}
        active, proposed = by_key[f"p{world.active.pk}"], by_key[f"p{world.proposed.pk}"]
        # Under way at the horizon's start: fixed at month 0.
        assert active.starts == (0,)
        assert active.cost == (D("10000.00"),) * 6
        assert active.demand == {"Developer": (D(1), D(1), D(1))}
        # Starts in March (index 2) and may move up to the scenario's six months later.
        assert proposed.starts == tuple(range(2, 9))
        assert proposed.current_start == 2
        assert limits.month_fiscal_year == ("FY2027",) * 12
        assert limits.capacity == {"Developer": (D(1),) * 12}
        assert limits.budget_cap == {}

    def test_requirements_and_groups_reach_the_candidates(self, world, scenario, portfolio_admin):
        scenario_project_set(
            actor=portfolio_admin,
            scenario=scenario,
            project=world.proposed,
            requires=[world.second],
            exclusive_group="ERP",
            mandatory=True,
        )
        candidates, _limits = optimisation_inputs(scenario_view(scenario))
        proposed = next(c for c in candidates if c.key == f"p{world.proposed.pk}")
        assert proposed.requires == (f"p{world.second.pk}",)
        assert proposed.exclusive == "ERP"
        assert proposed.mandatory


class TestRun:
    def test_capacity_bound_plan_shifts_rather_than_drops(self, world, scenario, portfolio_admin, optimise_now):
        # The one Developer is busy on the active project until March; the proposed one needs
        # them March to May: the optimiser starts it in April instead of leaving it out.
        run = optimise_now(user=portfolio_admin, scenario=scenario, time_limit_s=10)
        assert run.status == OptimisationRun.Status.SUCCEEDED, run.error
        plan = run.plan
        assert plan["status"] == "optimal"
        assert plan["starts"][f"p{world.proposed.pk}"] == 3
        assert plan["excluded"] == {}
        assert plan["start_months"][f"p{world.proposed.pk}"] == "2027-04-01"

        scenario = plan_apply(actor=portfolio_admin, run=run)
        row = scenario_view(scenario).row(world.proposed.pk)
        assert row.included
        assert row.start == dt.date(2027, 4, 1)
        assert row.change == "added"
        assert scenario_view(scenario).over_capacity() == {}

    def test_budget_cap_leaves_a_project_out_with_a_reason(self, world, scenario, portfolio_admin, optimise_now):
        budget_cap_set(actor=portfolio_admin, scenario=scenario, fiscal_year=2027, amount=D("100000"))
        run = optimise_now(user=portfolio_admin, scenario=scenario, time_limit_s=10)
        plan = run.plan
        # 60,000 + 15,000 fit under 100,000; the proposed 120,000 does not.
        assert set(plan["starts"]) == {f"p{world.active.pk}", f"p{world.second.pk}"}
        assert f"p{world.proposed.pk}" in plan["excluded"]
        assert plan["excluded"][f"p{world.proposed.pk}"]

    def test_executive_may_not_optimise(self, world, scenario, executive):
        with pytest.raises(PermissionDenied):
            scenario_optimise(user=executive, scenario=scenario)

    def test_time_limit_is_bounded(self, world, scenario, portfolio_admin):
        with pytest.raises(ValidationError) as error:
            scenario_optimise(user=portfolio_admin, scenario=scenario, time_limit_s=0)
        assert "time_limit_s" in error.value.message_dict

    def test_unfinished_run_cannot_be_applied(self, world, scenario, portfolio_admin):
        run = scenario_optimise(user=portfolio_admin, scenario=scenario)  # on_commit not run: queued
        with pytest.raises(ValidationError) as error:
            plan_apply(actor=portfolio_admin, run=run)
        assert "run" in error.value.message_dict
