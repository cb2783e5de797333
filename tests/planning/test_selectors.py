"""scenario_view: the live portfolio seen through a scenario's overlay."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import BudgetLine
from planning.selectors.scenario import scenario_view
from planning.services import (
    budget_cap_set,
    scenario_budget_set,
    scenario_demand_set,
    scenario_project_set,
)
from projects.models import Project, Task
from tests.factories.budgets import BudgetLineFactory
from tests.factories.governance import BenefitFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.risks import RiskFactory
from tests.factories.staffing import StaffingRequestFactory

D = Decimal


def jan(day=1):
    return dt.date(2027, 1, day)


class TestLiveFigures:
    def test_active_projects_are_in_and_proposed_out(self, world, scenario):
        view = scenario_view(scenario)
        by_code = {r.project.code: r for r in view.rows}
        assert by_code["P-ACT"].included
        assert by_code["P-TWO"].included
        assert not by_code["P-NEW"].included
        assert {r.change for r in view.rows} == {"unchanged"}

    def test_cost_by_fiscal_year_sums_included_budgets(self, world, scenario):
        view = scenario_view(scenario)
        assert view.fiscal_years == ["FY2027"]
        assert view.cost_by_fy == {"FY2027": D("75000.00")}  # 6 x 10,000 + 3 x 5,000
        assert view.row(world.proposed.pk).cost_by_fy == {"FY2027": D("120000.00")}

    def test_demand_and_supply_by_role_and_month(self, world, scenario):
        view = scenario_view(scenario)
        assert view.demand["Developer"][jan()] == D(1)
        assert view.demand["Developer"][dt.date(2027, 4, 1)] == D(0)
        assert view.supply["Developer"][jan()] == D(1)
        assert view.row(world.proposed.pk).demand["Developer"][dt.date(2027, 3, 1)] == D(1)

    def test_benefits_risks_and_objectives_come_from_the_domains(self, world, scenario, program):
        BenefitFactory(program=program)
        RiskFactory(project=world.active, program=program, probability_percent=D(50), cost_impact=D("1000.00"))
        view = scenario_view(scenario)
        row = view.row(world.active.pk)
        assert row.risk_exposure == D("500.00")
        assert row.benefits == D(1) / 3  # one benefit shared by the program's three projects
        assert view.total_risk_exposure == D("500.00")

    def test_budget_cap_per_fiscal_year(self, world, scenario, portfolio_admin):
        budget_cap_set(actor=portfolio_admin, scenario=scenario, fiscal_year=2027, amount=D("70000"))
        view = scenario_view(scenario)
        assert view.budget_cap_by_fy == {"FY2027": D("70000.00")}
        assert view.over_cap() == {"FY2027": D("5000.00")}


class TestOverlay:
    def test_including_a_proposed_project_adds_its_cost_and_demand(self, world, scenario, portfolio_admin):
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.proposed, included=True)
        view = scenario_view(scenario)
        assert view.row(world.proposed.pk).change == "added"
        assert view.cost_by_fy["FY2027"] == D("195000.00")
        assert view.demand["Developer"][dt.date(2027, 3, 1)] == D(2)
        assert view.over_capacity() == {"Developer": {dt.date(2027, 3, 1): D(1)}}

    def test_dropping_an_active_project(self, world, scenario, portfolio_admin):
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.second, included=False)
        view = scenario_view(scenario)
        assert view.row(world.second.pk).change == "dropped"
        assert view.cost_by_fy["FY2027"] == D("60000.00")

    def test_shifted_start_moves_cost_demand_and_the_cpm_finish(self, world, scenario, portfolio_admin):
        live = scenario_view(scenario).row(world.active.pk)
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.active, shift_months=2)
        row = scenario_view(scenario).row(world.active.pk)
        assert row.change == "shifted"
        assert row.shift_months == 2
        assert row.start == dt.date(2027, 3, 4)
        assert sorted(row.cost_by_month) == [dt.date(2027, m, 1) for m in range(3, 9)]
        assert row.demand["Developer"][dt.date(2027, 3, 1)] == D(1)
        assert jan() not in row.demand["Developer"]
        # 40 working days of tasks from Thursday 4 March 2027: the engine's finish, not a guess.
        assert live.finish == dt.date(2027, 2, 26)
        assert row.finish == dt.date(2027, 4, 28)

    def test_scenario_budget_replaces_the_period_budget(self, world, scenario, portfolio_admin):
        scenario_budget_set(
            actor=portfolio_admin,
            scenario=scenario,
            project=world.second,
            period=world.period(2027, 3),
            amount=D("12000.00"),
        )
        view = scenario_view(scenario)
        row = view.row(world.second.pk)
        assert row.change == "budget"
        assert row.cost_by_month[dt.date(2027, 3, 1)] == D("12000.00")
        assert view.cost_by_fy["FY2027"] == D("82000.00")

    def test_scenario_demand_replaces_the_month_demand(self, world, scenario, portfolio_admin):
        scenario_demand_set(
            actor=portfolio_admin, scenario=scenario, project=world.second, role=world.role, month=jan(), fte=D("2.5")
        )
        view = scenario_view(scenario)
        assert view.demand["Developer"][jan()] == D("3.5")

    def test_overlay_changes_nothing_live(self, world, scenario, portfolio_admin):
        before = (
            list(Project.objects.order_by("pk").values_list("status", "planned_start", "forecast_finish")),
            list(BudgetLine.objects.order_by("pk").values_list("amount", "period_id")),
            list(Task.objects.order_by("pk").values_list("start", "finish")),
        )
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.active, shift_months=3)
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.proposed, included=True)
        scenario_budget_set(
            actor=portfolio_admin, scenario=scenario, project=world.second, period=world.period(2027, 2), amount=D(1)
        )
        scenario_view(scenario)
        after = (
            list(Project.objects.order_by("pk").values_list("status", "planned_start", "forecast_finish")),
            list(BudgetLine.objects.order_by("pk").values_list("amount", "period_id")),
            list(Task.objects.order_by("pk").values_list("start", "finish")),
        )
        assert after == before


class TestQueries:
    def test_query_count_does_not_grow_with_projects(self, world, scenario, portfolio_admin, program):
        def count():
            with CaptureQueriesContext(connection) as ctx:
                scenario_view(scenario)
            return len(ctx.captured_queries)

        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.active, shift_months=1)
        few = count()
        for i in range(6):
            extra = ProjectFactory(
                program=program, code=f"X{i}", planned_start=dt.date(2027, 2, 1), planned_finish=dt.date(2027, 6, 30)
            )
            TaskFactory(project=extra)
            StaffingRequestFactory(project=extra, role=world.role, start=jan(), end=dt.date(2027, 2, 26))
            BudgetLineFactory(project=extra, category=world.category, period=world.period(2027, 2))
            scenario_project_set(actor=portfolio_admin, scenario=scenario, project=extra, shift_months=1)
        assert count() == few
