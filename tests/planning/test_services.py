"""Planning services: overlay edits, copying, and the commit — all or nothing, and reversible."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from budgets.models import BudgetLine
from core.models import AuditEntry
from core.services import StaleVersionError
from governance.models import ChangeRequest
from planning.models import Scenario, ScenarioProject
from planning.services import (
    budget_cap_set,
    scenario_budget_set,
    scenario_commit,
    scenario_commit_preview,
    scenario_create,
    scenario_demand_set,
    scenario_project_set,
    scenario_update,
)
from planning.services import commit as commit_module
from projects.models import Project, Task
from staffing.models import Allocation, StaffingRequest
from tests.factories.staffing import AllocationFactory

D = Decimal


def new_scenario(world, actor, name="Plan 2027", **kwargs):
    return scenario_create(
        actor=actor,
        portfolio=world.portfolio,
        name=name,
        horizon_start=dt.date(2027, 1, 1),
        horizon_months=12,
        **kwargs,
    )


def live_state(world):
    """Everything a commit may change, as plain values (zero budget lines ignored)."""
    projects = Project.objects.filter(program=world.program).order_by("code")
    return {
        "projects": list(projects.values_list("code", "status", "planned_start", "planned_finish", "forecast_finish")),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "start", "finish")),
        "budget": sorted(
            (code, start, total)
            for code, start, total in BudgetLine.objects.filter(budget_version=BudgetLine.Version.CURRENT)
            .values("project__code", "period__start")
            .annotate(total=Sum("amount"))
            .values_list("project__code", "period__start", "total")
            if total
        ),
        "requests": sorted(
            StaffingRequest.objects.exclude(status=StaffingRequest.Status.CANCELLED).values_list(
                "project__code", "start", "end", "fte_percent"
            )
        ),
        "allocations": sorted(Allocation.objects.values_list("project__code", "start", "end")),
    }


class TestOverlayEdits:
    def test_row_saying_nothing_new_is_removed(self, world, portfolio_admin):
        scenario = new_scenario(world, portfolio_admin)
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.active, shift_months=1)
        assert ScenarioProject.objects.filter(scenario=scenario).count() == 1
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.active, shift_months=0)
        assert not ScenarioProject.objects.filter(scenario=scenario).exists()

    def test_each_edit_bumps_the_scenario_version_and_is_audited(self, world, portfolio_admin):
        scenario = new_scenario(world, portfolio_admin)
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.proposed, included=True)
        scenario.refresh_from_db()
        assert scenario.version == 2
        assert AuditEntry.objects.filter(object_type="planning.scenarioproject").exists()

    def test_copy_takes_the_whole_overlay(self, world, portfolio_admin):
        source = new_scenario(world, portfolio_admin)
        scenario_project_set(
            actor=portfolio_admin, scenario=source, project=world.proposed, included=True, requires=[world.active]
        )
        budget_cap_set(actor=portfolio_admin, scenario=source, fiscal_year=2027, amount=D(1000))
        scenario_budget_set(
            actor=portfolio_admin, scenario=source, project=world.second, period=world.period(2027, 2), amount=D(1)
        )
        scenario_demand_set(
            actor=portfolio_admin,
            scenario=source,
            project=world.second,
            role=world.role,
            month=dt.date(2027, 2, 1),
            fte=D(1),
        )
        copy = new_scenario(world, portfolio_admin, name="Copy", based_on=source)
        row = copy.project_rows.get()
        assert row.included is True
        assert list(row.requires.all()) == [world.active]
        assert copy.budget_caps.get().amount == D(1000)
        assert copy.budgets.count() == 1
        assert copy.demands.count() == 1

    def test_only_portfolio_admins_create(self, world, executive):
        with pytest.raises(PermissionDenied):
            new_scenario(world, executive)

    def test_duplicate_name_names_the_field(self, world, portfolio_admin):
        new_scenario(world, portfolio_admin)
        with pytest.raises(ValidationError) as error:
            new_scenario(world, portfolio_admin)
        assert "name" in error.value.message_dict

    def test_project_of_another_portfolio_is_refused(self, world, portfolio_admin):
        from tests.factories.projects import ProjectFactory

        scenario = new_scenario(world, portfolio_admin)
        with pytest.raises(ValidationError) as error:
            scenario_project_set(actor=portfolio_admin, scenario=scenario, project=ProjectFactory(), included=True)
        assert "project" in error.value.message_dict

    def test_horizon_over_60_months_is_refused(self, world, portfolio_admin):
        scenario = new_scenario(world, portfolio_admin)
        with pytest.raises(ValidationError) as error:
            scenario_update(actor=portfolio_admin, scenario=scenario, data={"horizon_months": 61})
        assert "horizon_months" in error.value.message_dict


class TestCommit:
    def build(self, world, actor, name="Plan 2027"):
        scenario = new_scenario(world, actor, name=name)
        scenario_project_set(actor=actor, scenario=scenario, project=world.proposed, included=True)
        scenario_project_set(actor=actor, scenario=scenario, project=world.second, included=False)
        scenario_project_set(actor=actor, scenario=scenario, project=world.active, shift_months=2)
        scenario_budget_set(
            actor=actor, scenario=scenario, project=world.proposed, period=world.period(2027, 3), amount=D("25000.00")
        )
        return scenario

    def test_preview_lists_every_change(self, world, portfolio_admin):
        scenario = self.build(world, portfolio_admin)
        preview = scenario_commit_preview(scenario)
        kinds = {c.project.code: c.kinds for c in preview.changes}
        assert kinds == {"P-NEW": ["approve", "budget"], "P-TWO": ["hold"], "P-ACT": ["shift", "budget"]}
        assert preview.version == Scenario.objects.get(pk=scenario.pk).version

    def test_commit_changes_the_live_portfolio_through_the_services(self, world, portfolio_admin):
        AllocationFactory(project=world.active, role=world.role, start=dt.date(2027, 1, 4), end=dt.date(2027, 1, 29))
        scenario = self.build(world, portfolio_admin)
        preview = scenario_commit_preview(scenario)
        scenario_commit(actor=portfolio_admin, scenario=scenario, expected_version=preview.version, confirm=True)
        world.active.refresh_from_db()
        world.proposed.refresh_from_db()
        world.second.refresh_from_db()
        assert world.proposed.status == Project.Status.ACTIVE
        assert world.second.status == Project.Status.ON_HOLD
        assert world.active.planned_start == dt.date(2027, 3, 4)
        # The schedule was re-run: 40 working days from Thursday 4 March 2027.
        assert world.active.forecast_finish_day == dt.date(2027, 4, 28)
        # The budget moved two months later, through approved change requests.
        months = dict(
            BudgetLine.objects.filter(project=world.active, budget_version="current", amount__gt=0).values_list(
                "period__start", "amount"
            )
        )
        assert sorted(months) == [dt.date(2027, m, 1) for m in range(3, 9)]
        march = BudgetLine.objects.get(
            project=world.proposed, budget_version="current", period__start=dt.date(2027, 3, 1)
        )
        assert march.amount == D("25000.00")
        assert ChangeRequest.objects.filter(status=ChangeRequest.Status.APPROVED).count() == 2
        # Staffing moved by the same number of days as the start (59).
        assert StaffingRequest.objects.get(project=world.active).start == dt.date(2027, 3, 1)
        assert Allocation.objects.get(project=world.active).start == dt.date(2027, 3, 4)
        scenario.refresh_from_db()
        assert scenario.status == Scenario.Status.COMMITTED
        assert scenario.committed_by == portfolio_admin

    def test_committed_scenario_is_read_only(self, world, portfolio_admin):
        scenario = self.build(world, portfolio_admin)
        scenario_commit(actor=portfolio_admin, scenario=scenario, expected_version=None, confirm=True)
        with pytest.raises(ValidationError) as error:
            scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.active, shift_months=1)
        assert "status" in error.value.message_dict

    def test_commit_needs_confirmation(self, world, portfolio_admin):
        scenario = self.build(world, portfolio_admin)
        with pytest.raises(ValidationError) as error:
            scenario_commit(actor=portfolio_admin, scenario=scenario, expected_version=None)
        assert "confirm" in error.value.message_dict

    def test_commit_of_a_changed_scenario_is_stale(self, world, portfolio_admin):
        scenario = self.build(world, portfolio_admin)
        preview = scenario_commit_preview(scenario)
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.active, shift_months=3)
        with pytest.raises(StaleVersionError):
            scenario_commit(actor=portfolio_admin, scenario=scenario, expected_version=preview.version, confirm=True)

    def test_executive_cannot_commit(self, world, portfolio_admin, executive):
        scenario = self.build(world, portfolio_admin)
        with pytest.raises(PermissionDenied):
            scenario_commit(actor=executive, scenario=scenario, expected_version=None, confirm=True)
        assert Scenario.objects.get(pk=scenario.pk).status == Scenario.Status.DRAFT

    def test_a_failure_mid_commit_changes_nothing(self, world, portfolio_admin, monkeypatch):
        scenario = self.build(world, portfolio_admin)
        before = live_state(world)
        audits = AuditEntry.objects.count()

        def broken(**kwargs):
            raise ValidationError({"lines": "injected failure"})

        # Approvals and the start shift have run by the time the budgets are moved.
        monkeypatch.setattr(commit_module, "change_request_approve", broken)
        with pytest.raises(ValidationError):
            scenario_commit(actor=portfolio_admin, scenario=scenario, expected_version=None, confirm=True)
        assert live_state(world) == before
        assert AuditEntry.objects.count() == audits
        assert not ChangeRequest.objects.exists()
        assert Scenario.objects.get(pk=scenario.pk).status == Scenario.Status.DRAFT

    def test_a_second_scenario_reverses_the_first(self, world, portfolio_admin):
        AllocationFactory(project=world.active, role=world.role, start=dt.date(2027, 1, 4), end=dt.date(2027, 1, 29))
        original = live_state(world)
        first = new_scenario(world, portfolio_admin, name="A")
        scenario_project_set(actor=portfolio_admin, scenario=first, project=world.second, included=False)
        scenario_project_set(actor=portfolio_admin, scenario=first, project=world.active, shift_months=2)
        scenario_budget_set(
            actor=portfolio_admin, scenario=first, project=world.active, period=world.period(2027, 4), amount=D(15000)
        )
        scenario_commit(actor=portfolio_admin, scenario=first, expected_version=None, confirm=True)
        assert live_state(world) != original

        # B is built from the new live state and says the opposite.
        world.active.refresh_from_db()
        second = new_scenario(world, portfolio_admin, name="B")
        scenario_project_set(actor=portfolio_admin, scenario=second, project=world.second, included=True)
        # Moved back two months, April's 15,000 would land in February: B sets February.
        scenario_budget_set(
            actor=portfolio_admin, scenario=second, project=world.active, period=world.period(2027, 2), amount=D(10000)
        )
        scenario_project_set(actor=portfolio_admin, scenario=second, project=world.active, start=dt.date(2027, 1, 4))
        scenario_commit(actor=portfolio_admin, scenario=second, expected_version=None, confirm=True)
        assert live_state(world) == original


class TestCommitDemand:
    def test_more_demand_is_requested_and_less_cancels_requests_inside_the_month(self, world, portfolio_admin):
        from tests.factories.staffing import StaffingRequestFactory

        inside = StaffingRequestFactory(
            project=world.second,
            role=world.role,
            start=dt.date(2027, 3, 1),
            end=dt.date(2027, 3, 31),
            fte_percent=D(50),
        )
        scenario = new_scenario(world, portfolio_admin)
        scenario_demand_set(
            actor=portfolio_admin,
            scenario=scenario,
            project=world.second,
            role=world.role,
            month=dt.date(2027, 2, 1),
            fte=D("2.5"),
        )
        scenario_demand_set(
            actor=portfolio_admin,
            scenario=scenario,
            project=world.second,
            role=world.role,
            month=dt.date(2027, 3, 1),
            fte=D(0),
        )
        preview = scenario_commit_preview(scenario)
        assert [c.kinds for c in preview.changes] == [["demand"]]
        assert preview.warnings == []
        scenario_commit(actor=portfolio_admin, scenario=scenario, expected_version=preview.version, confirm=True)
        february = StaffingRequest.objects.filter(project=world.second, start=dt.date(2027, 2, 1))
        assert sorted(february.values_list("fte_percent", flat=True)) == [D(50), D(100), D(100)]
        assert set(february.values_list("end", flat=True)) == {dt.date(2027, 2, 28)}
        inside.refresh_from_db()
        assert inside.status == StaffingRequest.Status.CANCELLED

    def test_a_reduction_no_request_fits_is_a_warning(self, world, portfolio_admin):
        scenario = new_scenario(world, portfolio_admin)
        # The active project's request runs January to March: it does not lie inside February.
        scenario_demand_set(
            actor=portfolio_admin,
            scenario=scenario,
            project=world.active,
            role=world.role,
            month=dt.date(2027, 2, 1),
            fte=D(0),
        )
        preview = scenario_commit_preview(scenario)
        assert preview.changes == []
        assert len(preview.warnings) == 1
        assert "P-ACT" in preview.warnings[0]


def test_commit_preview_queries_do_not_grow_with_changed_projects(world, portfolio_admin, program):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.budgets import BudgetLineFactory
    from tests.factories.projects import ProjectFactory

    scenario = new_scenario(world, portfolio_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            scenario_commit_preview(scenario)
        return len(ctx.captured_queries)

    def change_one(project):
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=project, included=True, shift_months=1)
        scenario_demand_set(
            actor=portfolio_admin,
            scenario=scenario,
            project=project,
            role=world.role,
            month=dt.date(2027, 5, 1),
            fte=D(1),
        )
        scenario_budget_set(
            actor=portfolio_admin, scenario=scenario, project=project, period=world.period(2027, 6), amount=D(5)
        )

    change_one(world.proposed)
    few = count()
    for n in range(5):
        extra = ProjectFactory(
            program=program,
            code=f"N{n}",
            status=Project.Status.PROPOSED,
            planned_start=dt.date(2027, 3, 1),
            planned_finish=dt.date(2027, 9, 30),
        )
        BudgetLineFactory(project=extra, category=world.category, period=world.period(2027, 3))
        change_one(extra)
    assert len(scenario_commit_preview(scenario).changes) == 6
    assert count() == few
