"""The risks API: the permission matrix of each resource, validation naming the field, ETags,
escalation, realisation with a reserve drawdown, heat map and exposure."""

from decimal import Decimal

import pytest

from budgets.models import ReserveTransaction
from risks.models import Issue, MitigationAction, Risk, RiskScoreHistory
from tests.factories.budgets import ContractFactory, CurrencyFactory, VendorFactory
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import TaskFactory
from tests.factories.risks import IssueFactory, MitigationActionFactory, RiskFactory

D = Decimal
API = "/api/v1"


def field_errors(response) -> list:
    return [e["field"] for e in response.json()["errors"]]


def new_risk(**extra) -> dict:
    return {"title": "Supplier insolvency", "category": "supply_chain", "probability": 3, "impact": 4, **extra}


@pytest.fixture
def project_risk(project):
    return RiskFactory(project=project, title="Data migration slips", probability=4, impact=4)


@pytest.fixture
def program_risk(program):
    return RiskFactory(program=program, title="Regulatory change", probability=2, impact=5)


class TestPermissions:
    def test_outsider_gets_404_for_every_risks_resource(self, api_for, outsider, project_risk):
        action = MitigationActionFactory(risk=project_risk)
        issue = IssueFactory(project=project_risk.project)
        client = api_for(outsider)
        for url in (
            f"{API}/risks/{project_risk.pk}/",
            f"{API}/mitigation-actions/{action.pk}/",
            f"{API}/issues/{issue.pk}/",
        ):
            assert client.get(url).status_code == 404
            assert client.patch(url, {"title": "x"}, format="json").status_code == 404
        assert client.get(f"{API}/risks/").json()["count"] == 0
        assert client.get(f"{API}/risk-history/").json()["count"] == 0

    def test_member_reads_but_gets_403_on_writes(self, api_for, member, project, project_risk):
        action = MitigationActionFactory(risk=project_risk)
        issue = IssueFactory(project=project)
        client = api_for(member)
        assert client.get(f"{API}/risks/{project_risk.pk}/").status_code == 200
        assert client.patch(f"{API}/risks/{project_risk.pk}/", {"title": "x"}, format="json").status_code == 403
        assert client.post(f"{API}/risks/", new_risk(project=project.pk), format="json").status_code == 403
        assert client.patch(f"{API}/mitigation-actions/{action.pk}/", {"cost": "1"}, format="json").status_code == 403
        action_data = {"risk": project_risk.pk, "title": "Audit"}
        assert client.post(f"{API}/mitigation-actions/", action_data, format="json").status_code == 403
        assert client.patch(f"{API}/issues/{issue.pk}/", {"title": "x"}, format="json").status_code == 403
        assert client.post(f"{API}/risks/{project_risk.pk}/escalate/", {}, format="json").status_code == 403
        assert client.post(f"{API}/risks/{project_risk.pk}/realise/", {}, format="json").status_code == 403
        assert client.delete(f"{API}/risks/{project_risk.pk}/").status_code == 403

    def test_project_manager_edits_a_project_risk(self, api_for, project_manager, project, project_risk):
        client = api_for(project_manager)
        response = client.patch(f"{API}/risks/{project_risk.pk}/", {"impact": 5}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["score"] == 20
        assert response.json()["band"] == "critical"
        created = client.post(f"{API}/risks/", new_risk(project=project.pk), format="json")
        assert created.status_code == 201, created.json()
        assert created.json()["reference"] == "MOD-R002"
        assert created.json()["program"] == project.program_id

    def test_project_manager_cannot_edit_or_create_a_program_risk(
        self, api_for, project_manager, program, program_risk
    ):
        client = api_for(project_manager)
        assert client.get(f"{API}/risks/{program_risk.pk}/").status_code == 200
        assert client.patch(f"{API}/risks/{program_risk.pk}/", {"impact": 1}, format="json").status_code == 403
        assert client.post(f"{API}/risks/", new_risk(program=program.pk), format="json").status_code == 403

    def test_program_manager_edits_and_creates_program_risks(self, api_for, owner, program, program_risk):
        client = api_for(owner)
        assert client.patch(f"{API}/risks/{program_risk.pk}/", {"impact": 1}, format="json").status_code == 200
        created = client.post(f"{API}/risks/", new_risk(program=program.pk), format="json")
        assert created.status_code == 201
        assert created.json()["scope"] == "program"
        assert created.json()["project"] is None

    def test_executive_reads_everything_and_changes_nothing(self, api_for, executive, project_risk, program_risk):
        client = api_for(executive)
        assert client.get(f"{API}/risks/").json()["count"] == 2
        assert client.patch(f"{API}/risks/{program_risk.pk}/", {"impact": 1}, format="json").status_code == 403

    def test_member_of_another_project_does_not_see_this_projects_risks(self, api_for, other_project, project_risk):
        from portfolio.models import Membership
        from tests.factories.portfolio import MembershipFactory
        from tests.factories.users import UserFactory

        neighbour = UserFactory(username="neighbour")
        MembershipFactory(user=neighbour, role=Membership.Role.TEAM_MEMBER, project=other_project)
        client = api_for(neighbour)
        assert client.get(f"{API}/risks/{project_risk.pk}/").status_code == 404
        project_risk.escalated_at = project_risk.created_at
        project_risk.save()
        assert client.get(f"{API}/risks/{project_risk.pk}/").status_code == 404

    def test_history_is_read_only(self, api_for, owner, project_risk):
        client = api_for(owner)
        assert client.post(f"{API}/risk-history/", {"risk": project_risk.pk}, format="json").status_code == 405


class TestValidation:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"probability": 7}, "probability"),
            ({"impact": 0}, "impact"),
            ({"cost_impact": "-1.00"}, "cost_impact"),
            ({"probability_percent": "150"}, "probability_percent"),
            ({"probability": 1, "probability_percent": "55"}, "probability_percent"),
            ({"residual_probability": 2}, "residual_impact"),
            ({"residual_probability": 5, "residual_impact": 1}, "residual_probability"),
            ({"trigger_date": "2031-02-01", "proximity_date": "2031-01-01"}, "trigger_date"),
            ({"proximity_date": "2001-01-01"}, "proximity_date"),
            ({"status": "realised"}, "status"),
            ({"category": "weather"}, "category"),
        ],
    )
    def test_bad_risk_input_is_400_naming_the_field(self, api_for, owner, project, changes, field):
        response = api_for(owner).post(f"{API}/risks/", new_risk(project=project.pk, **changes), format="json")
        assert response.status_code == 400, response.json()
        assert field_errors(response) == [field]
        assert not Risk.objects.exists()

    def test_contract_of_another_program_is_400_on_contract(self, api_for, owner, project, portfolio):
        CurrencyFactory(code="EUR")
        other = ProgramFactory(portfolio=portfolio, code="OPS")
        from portfolio.models import Membership
        from tests.factories.portfolio import MembershipFactory

        MembershipFactory(user=owner, role=Membership.Role.PROGRAM_MANAGER, program=other)
        contract = ContractFactory(program=other, vendor=VendorFactory())
        response = api_for(owner).post(
            f"{API}/risks/", new_risk(project=project.pk, contract=contract.pk), format="json"
        )
        assert response.status_code == 400
        assert field_errors(response) == ["contract"]

    def test_contract_of_the_program_sets_the_vendor(self, api_for, owner, project, program):
        CurrencyFactory(code="EUR")
        vendor = VendorFactory(name="Acme")
        contract = ContractFactory(program=program, vendor=vendor)
        response = api_for(owner).post(
            f"{API}/risks/", new_risk(project=project.pk, contract=contract.pk), format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["vendor"] == vendor.pk

    def test_task_of_another_project_is_400_on_tasks(self, api_for, owner, project, other_project):
        task = TaskFactory(project=other_project)
        response = api_for(owner).post(f"{API}/risks/", new_risk(project=project.pk, tasks=[task.pk]), format="json")
        assert response.status_code == 400
        assert field_errors(response) == ["tasks"]

    def test_tasks_of_the_project_are_linked(self, api_for, owner, project):
        task = TaskFactory(project=project)
        response = api_for(owner).post(f"{API}/risks/", new_risk(project=project.pk, tasks=[task.pk]), format="json")
        assert response.status_code == 201
        assert response.json()["tasks"] == [task.pk]

    def test_project_of_another_program_is_400_on_project(self, api_for, owner, project, portfolio):
        from portfolio.models import Membership
        from tests.factories.portfolio import MembershipFactory

        other = ProgramFactory(portfolio=portfolio, code="OPS")
        MembershipFactory(user=owner, role=Membership.Role.PROGRAM_MANAGER, program=other)
        response = api_for(owner).post(f"{API}/risks/", new_risk(project=project.pk, program=other.pk), format="json")
        assert response.status_code == 400
        assert field_errors(response) == ["project"]

    def test_negative_mitigation_cost_is_400_on_cost(self, api_for, owner, project_risk):
        data = {"risk": project_risk.pk, "title": "Second supplier", "cost": "-5"}
        response = api_for(owner).post(f"{API}/mitigation-actions/", data, format="json")
        assert response.status_code == 400
        assert field_errors(response) == ["cost"]

    def test_completion_date_on_an_open_action_is_400(self, api_for, owner, project_risk):
        data = {"risk": project_risk.pk, "title": "Audit", "status": "planned", "completed_on": "2026-01-01"}
        response = api_for(owner).post(f"{API}/mitigation-actions/", data, format="json")
        assert response.status_code == 400
        assert field_errors(response) == ["completed_on"]

    def test_resolving_an_issue_without_resolution_is_400(self, api_for, owner, project):
        data = {"project": project.pk, "title": "Outage", "status": "resolved"}
        response = api_for(owner).post(f"{API}/issues/", data, format="json")
        assert response.status_code == 400
        assert field_errors(response) == ["resolution"]

    def test_stale_if_match_is_412(self, api_for, owner, project_risk):
        response = api_for(owner).patch(
            f"{API}/risks/{project_risk.pk}/", {"impact": 2}, format="json", HTTP_IF_MATCH='"99"'
        )
        assert response.status_code == 412


class TestEscalationAndRealisation:
    def test_escalated_risk_is_on_the_program_register_still_linked_and_counted_once(
        self, api_for, project_manager, owner, program, project, project_risk
    ):
        client = api_for(project_manager)
        response = client.post(f"{API}/risks/{project_risk.pk}/escalate/", {"note": "Beyond tolerance"}, format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["escalated"] is True
        assert body["project"] == project.pk
        assert Risk.objects.count() == 1
        on_register = Risk.objects.on_program_register(program)
        assert list(on_register) == [project_risk]
        exposure = api_for(owner).get(f"{API}/risks/exposure/?program={program.pk}").json()
        assert D(exposure["total"]["emv"]) == project_risk.emv
        again = client.post(f"{API}/risks/{project_risk.pk}/escalate/", {}, format="json")
        assert again.status_code == 400
        assert field_errors(again) == ["escalated_at"]

    def test_program_risk_cannot_be_escalated(self, api_for, owner, program_risk):
        response = api_for(owner).post(f"{API}/risks/{program_risk.pk}/escalate/", {}, format="json")
        assert response.status_code == 400
        assert field_errors(response) == ["project"]

    def test_only_program_managers_de_escalate(self, api_for, project_manager, owner, project_risk):
        api_for(project_manager).post(f"{API}/risks/{project_risk.pk}/escalate/", {}, format="json")
        assert api_for(project_manager).post(f"{API}/risks/{project_risk.pk}/de-escalate/", {}).status_code == 403
        response = api_for(owner).post(f"{API}/risks/{project_risk.pk}/de-escalate/", {}, format="json")
        assert response.status_code == 200
        assert response.json()["escalated"] is False

    def test_realising_opens_the_issue_and_draws_the_project_reserve(self, api_for, project_manager, project):
        project.contingency_reserve = D("30000")
        project.save()
        risk = RiskFactory(project=project, probability=4, impact=5)
        response = api_for(project_manager).post(
            f"{API}/risks/{risk.pk}/realise/",
            {"amount": "12000.00", "reserve": "contingency", "note": "Vendor went bust"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        issue = Issue.objects.get()
        assert response.json()["id"] == issue.pk
        assert response.json()["risk"] == risk.pk
        assert issue.severity == "critical"
        assert issue.project == project
        drawdown = ReserveTransaction.objects.get()
        assert (drawdown.scope, drawdown.project, drawdown.amount) == ("project", project, D("12000.00"))
        assert issue.reserve_transaction == drawdown
        assert "Vendor went bust" in drawdown.reason
        risk.refresh_from_db()
        assert risk.status == "realised"
        assert RiskScoreHistory.objects.filter(risk=risk).last().status == "realised"

    def test_realising_a_program_risk_draws_the_program_reserve(self, api_for, owner, program, program_risk):
        response = api_for(owner).post(
            f"{API}/risks/{program_risk.pk}/realise/", {"amount": "100.00", "reserve": "contingency"}, format="json"
        )
        assert response.status_code == 201, response.json()
        drawdown = ReserveTransaction.objects.get()
        assert (drawdown.scope, drawdown.program) == ("program", program)

    def test_overdrawing_the_reserve_is_400_and_writes_nothing(self, api_for, project_manager, project):
        risk = RiskFactory(project=project)
        response = api_for(project_manager).post(
            f"{API}/risks/{risk.pk}/realise/", {"amount": "5.00", "reserve": "management"}, format="json"
        )
        assert response.status_code == 400
        assert field_errors(response) == ["amount"]
        risk.refresh_from_db()
        assert risk.status == "open"
        assert not Issue.objects.exists()
        assert not ReserveTransaction.objects.exists()

    def test_amount_without_reserve_is_400_on_reserve(self, api_for, project_manager, project):
        risk = RiskFactory(project=project)
        response = api_for(project_manager).post(f"{API}/risks/{risk.pk}/realise/", {"amount": "5.00"}, format="json")
        assert response.status_code == 400
        assert field_errors(response) == ["reserve"]

    def test_a_realised_risk_cannot_be_realised_again(self, api_for, project_manager, project):
        risk = RiskFactory(project=project, status="realised")
        response = api_for(project_manager).post(f"{API}/risks/{risk.pk}/realise/", {}, format="json")
        assert response.status_code == 400
        assert field_errors(response) == ["status"]


class TestComputedReads:
    def test_heat_map_counts_active_risks_per_cell(self, api_for, owner, project):
        RiskFactory(project=project, probability=5, impact=5)
        RiskFactory(project=project, probability=5, impact=5)
        RiskFactory(project=project, probability=1, impact=2, residual_probability=1, residual_impact=1)
        RiskFactory(project=project, probability=5, impact=5, status="closed")
        body = api_for(owner).get(f"{API}/risks/heat-map/?project={project.pk}").json()
        assert body["rows"][0][4] == {"probability": 5, "impact": 5, "score": 25, "band": "critical", "count": 2}
        assert body["rows"][4][1]["count"] == 1
        assert body["total"] == 3
        assert body["by_band"] == {"low": 1, "medium": 0, "high": 0, "critical": 2}
        residual = api_for(owner).get(f"{API}/risks/heat-map/?project={project.pk}&residual=1").json()
        assert residual["rows"][4][0]["count"] == 1
        assert residual["unassessed"] == 2

    def test_heat_map_needs_exactly_one_scope(self, api_for, owner, project, program):
        response = api_for(owner).get(f"{API}/risks/heat-map/?project={project.pk}&program={program.pk}")
        assert response.status_code == 400
        assert field_errors(response) == ["project"]

    def test_exposure_of_a_program_is_forbidden_to_someone_seeing_one_project(self, api_for, member, program):
        response = api_for(member).get(f"{API}/risks/exposure/?program={program.pk}")
        assert response.status_code == 403

    def test_exposure_of_an_invisible_project_is_404(self, api_for, outsider, project):
        assert api_for(outsider).get(f"{API}/risks/exposure/?project={project.pk}").status_code == 404

    def test_history_lists_a_row_per_assessment_change(self, api_for, owner, project):
        created = api_for(owner).post(f"{API}/risks/", new_risk(project=project.pk), format="json").json()
        api_for(owner).patch(f"{API}/risks/{created['id']}/", {"impact": 5}, format="json")
        api_for(owner).patch(f"{API}/risks/{created['id']}/", {"title": "Renamed"}, format="json")
        rows = api_for(owner).get(f"{API}/risk-history/?risk={created['id']}").json()["results"]
        assert [r["score"] for r in rows] == [12, 15]

    def test_mitigation_action_done_gets_completion_date_and_overdue_flag(self, api_for, owner, project_risk):
        late = MitigationActionFactory(risk=project_risk, due_date="2020-01-01")
        body = api_for(owner).get(f"{API}/mitigation-actions/{late.pk}/").json()
        assert body["overdue"] is True
        done = api_for(owner).patch(f"{API}/mitigation-actions/{late.pk}/", {"status": "done"}, format="json").json()
        assert done["completed_on"] is not None
        assert done["overdue"] is False
        assert MitigationAction.objects.get().completed_on is not None


def test_program_issue_and_project_issue_numbers_run_per_program(api_for, owner, project, program):
    client = api_for(owner)
    first = client.post(f"{API}/issues/", {"project": project.pk, "title": "Outage"}, format="json")
    second = client.post(f"{API}/issues/", {"program": program.pk, "title": "Funding gap"}, format="json")
    assert first.status_code == 201, first.json()
    assert (first.json()["reference"], second.json()["reference"]) == ("MOD-I001", "MOD-I002")
    assert second.json()["project"] is None
