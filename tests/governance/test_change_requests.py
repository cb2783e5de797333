"""Change requests: the life cycle, and what approval does to the current budget and schedule."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budgets.models import BudgetLine
from governance import services
from governance.models import ChangeRequest, Decision
from projects.models import Baseline
from tests.factories.budgets import BudgetLineFactory
from tests.factories.governance import ChangeRequestFactory
from tests.factories.projects import ProjectFactory


@pytest.fixture
def budget(project, ref):
    """Current and original budget of 1000 in LAB January 2026."""
    period = ref.period(2026, 1)
    current = BudgetLineFactory(project=project, category=ref.labour, period=period, currency=ref.eur)
    original = BudgetLineFactory(
        project=project, category=ref.labour, period=period, currency=ref.eur, budget_version="original"
    )
    return current, original


def submitted(project, ref, actor, deltas, **fields):
    cr = services.change_request_create(
        actor=actor,
        project=project,
        title="Extra interface",
        currency=ref.eur,
        lines=[{"category": c, "period": p, "amount_delta": Decimal(a)} for c, p, a in deltas],
        **fields,
    )
    return services.change_request_submit(actor=actor, change_request=cr)


def test_numbers_count_per_program_across_its_projects(project, ref, project_manager, owner, program):
    first = services.change_request_create(actor=project_manager, project=project, title="A", currency=ref.eur)
    sibling = ProjectFactory(program=program, code="MOD-HR")
    second = services.change_request_create(actor=owner, project=sibling, title="B", currency=ref.eur)
    third = services.change_request_create(actor=project_manager, project=project, title="C", currency=ref.eur)
    assert (first.reference, second.reference, third.reference) == ("CR-001", "CR-002", "CR-003")
    assert (first.program, second.program) == (program, program)
    assert first.requested_by == project_manager
    elsewhere = services.change_request_create(actor=None, project=ProjectFactory(), title="D", currency=ref.eur)
    assert elsewhere.reference == "CR-001"  # another program has its own series


def test_the_database_refuses_a_second_number_in_one_program(project, program, ref):
    ChangeRequestFactory(project=project, number=2, currency=ref.eur)
    sibling = ProjectFactory(program=program, code="MOD-HR")
    with pytest.raises(IntegrityError, match="governance_changerequest_number_unique_in_program"), transaction.atomic():
        ChangeRequestFactory(project=sibling, number=2, currency=ref.eur)


def test_cost_impact_is_the_sum_of_the_lines(project, ref, project_manager):
    cr = services.change_request_create(
        actor=project_manager,
        project=project,
        title="A",
        currency=ref.eur,
        lines=[
            {"category": ref.labour, "period": ref.period(2026, 1), "amount_delta": Decimal("500")},
            {"category": ref.materials, "period": ref.period(2026, 2), "amount_delta": Decimal("-200")},
        ],
    )
    assert cr.cost_impact == Decimal("300.00")


def test_approval_moves_current_budget_and_creates_lines(project, ref, budget, owner, project_manager):
    current, original = budget
    cr = submitted(
        project,
        ref,
        project_manager,
        [(ref.labour, ref.period(2026, 1), "250"), (ref.materials, ref.period(2026, 2), "400")],
    )
    services.change_request_approve(actor=owner, change_request=cr, notes="Worth it")
    current.refresh_from_db()
    original.refresh_from_db()
    assert current.amount == Decimal("1250.00")
    assert original.amount == Decimal("1000.00")
    new = BudgetLine.objects.get(project=project, category=ref.materials, budget_version="current")
    assert new.amount == Decimal("400.00")
    cr.refresh_from_db()
    assert cr.status == "approved"
    assert cr.decided_by == owner
    entry = Decision.objects.get(change_request=cr)
    assert entry.status == "decided"
    assert entry.project == project
    assert "Worth it" in entry.decision


def test_approval_below_zero_is_refused_and_writes_nothing(project, ref, budget, owner, project_manager):
    current, _ = budget
    cr = submitted(
        project,
        ref,
        project_manager,
        [(ref.materials, ref.period(2026, 2), "400"), (ref.labour, ref.period(2026, 1), "-1500")],
    )
    with pytest.raises(ValidationError) as caught:
        services.change_request_approve(actor=owner, change_request=cr)
    assert "lines" in caught.value.message_dict
    current.refresh_from_db()
    assert current.amount == Decimal("1000.00")
    assert not BudgetLine.objects.filter(category=ref.materials).exists()
    cr.refresh_from_db()
    assert cr.status == "submitted"
    assert not Decision.objects.exists()


def test_descoping_to_exactly_zero_is_allowed(project, ref, budget, owner, project_manager):
    current, _ = budget
    cr = submitted(project, ref, project_manager, [(ref.labour, ref.period(2026, 1), "-1000")])
    services.change_request_approve(actor=owner, change_request=cr)
    current.refresh_from_db()
    assert current.amount == Decimal("0.00")


def test_rebaseline_creates_next_free_baseline_named_after_request(project, ref, owner, project_manager):
    Baseline.objects.create(project=project, number=0, name="Initial")
    cr = submitted(project, ref, project_manager, [], rebaseline=True)
    services.change_request_approve(actor=owner, change_request=cr)
    cr.refresh_from_db()
    assert cr.baseline.number == 1
    assert cr.baseline.name.startswith("CR-001")


def test_rebaseline_of_an_approved_change_is_an_approved_baseline(project, ref, owner, project_manager):
    cr = submitted(project, ref, project_manager, [], rebaseline=True)
    services.change_request_approve(actor=owner, change_request=cr)
    cr.refresh_from_db()
    assert cr.baseline.approved


def test_no_free_baseline_refuses_approval_naming_rebaseline(project, ref, owner, project_manager):
    for number in range(11):
        Baseline.objects.create(project=project, number=number)
    cr = submitted(project, ref, project_manager, [], rebaseline=True)
    with pytest.raises(ValidationError) as caught:
        services.change_request_approve(actor=owner, change_request=cr)
    assert "rebaseline" in caught.value.message_dict


def test_rejection_changes_no_budget_and_is_logged(project, ref, budget, owner, project_manager):
    current, _ = budget
    cr = submitted(project, ref, project_manager, [(ref.labour, ref.period(2026, 1), "250")])
    with pytest.raises(ValidationError):
        services.change_request_reject(actor=owner, change_request=cr, notes="")
    services.change_request_reject(actor=owner, change_request=cr, notes="No funds")
    current.refresh_from_db()
    assert current.amount == Decimal("1000.00")
    assert Decision.objects.get(change_request=cr).decision == "No funds"


def test_approving_a_draft_is_refused_naming_status(project, ref, budget, owner, project_manager):
    current, _ = budget
    cr = services.change_request_create(
        actor=project_manager,
        project=project,
        title="A",
        currency=ref.eur,
        lines=[{"category": ref.labour, "period": ref.period(2026, 1), "amount_delta": Decimal("5")}],
    )
    with pytest.raises(ValidationError) as caught:
        services.change_request_approve(actor=owner, change_request=cr)
    assert caught.value.message_dict["status"] == [services.NOT_SUBMITTED.format(status="draft")]
    current.refresh_from_db()
    assert current.amount == Decimal("1000.00")


def test_transitions(project, ref, owner, project_manager):
    cr = services.change_request_create(actor=project_manager, project=project, title="A", currency=ref.eur)
    cr = services.change_request_submit(actor=project_manager, change_request=cr)
    with pytest.raises(ValidationError) as caught:
        services.change_request_update(actor=project_manager, change_request=cr, data={"title": "B"})
    assert "status" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.change_request_submit(actor=project_manager, change_request=cr)
    cr = services.change_request_withdraw(actor=project_manager, change_request=cr)
    assert cr.status == "withdrawn"
    with pytest.raises(ValidationError):
        services.change_request_withdraw(actor=project_manager, change_request=cr)
    with pytest.raises(ValidationError):
        services.change_request_approve(actor=owner, change_request=cr)


def test_line_in_other_currency_is_refused(project, ref, project_manager):
    cr = services.change_request_create(actor=project_manager, project=project, title="A", currency=ref.eur)
    with pytest.raises(ValidationError) as caught:
        services.change_request_line_create(
            actor=project_manager,
            change_request=cr,
            category=ref.labour,
            period=ref.period(2026, 1),
            amount_delta=Decimal("5"),
            currency=ref.usd,
        )
    assert "currency" in caught.value.message_dict


# -- over HTTP ----------------------------------------------------------------------------------


def test_api_flow_pm_drafts_and_submits_program_manager_approves(project, ref, budget, owner, project_manager, api_for):
    pm = api_for(project_manager)
    created = pm.post(
        "/api/v1/change-requests/",
        {
            "project": project.pk,
            "title": "More testing",
            "schedule_impact_days": -3,
            "lines": [{"category": ref.labour.pk, "period": ref.period(2026, 1).pk, "amount_delta": "100.00"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["reference"] == "CR-001"
    assert body["cost_impact"] == "100.00"
    assert body["currency"] == "EUR"
    cr_id = body["id"]
    assert pm.post(f"/api/v1/change-requests/{cr_id}/approve/").status_code == 403
    assert pm.post(f"/api/v1/change-requests/{cr_id}/submit/").json()["status"] == "submitted"
    assert pm.post(f"/api/v1/change-requests/{cr_id}/approve/").status_code == 403
    approved = api_for(owner).post(f"/api/v1/change-requests/{cr_id}/approve/", {"notes": "ok"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    budget[0].refresh_from_db()
    assert budget[0].amount == Decimal("1100.00")


def test_api_approving_draft_answers_400_naming_status(project, ref, owner, api_for):
    cr = services.change_request_create(actor=owner, project=project, title="A", currency=ref.eur)
    response = api_for(owner).post(f"/api/v1/change-requests/{cr.pk}/approve/")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["status"]


def test_api_below_zero_answers_400_naming_lines(project, ref, budget, owner, project_manager, api_for):
    cr = submitted(project, ref, project_manager, [(ref.labour, ref.period(2026, 1), "-5000")])
    response = api_for(owner).post(f"/api/v1/change-requests/{cr.pk}/approve/")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["lines"]
    assert ChangeRequest.objects.get(pk=cr.pk).status == "submitted"


def test_api_change_request_access(project, ref, member, outsider, owner, api_for):
    cr = services.change_request_create(actor=owner, project=project, title="A", currency=ref.eur)
    assert api_for(outsider).get(f"/api/v1/change-requests/{cr.pk}/").status_code == 404
    assert api_for(outsider).post(f"/api/v1/change-requests/{cr.pk}/submit/").status_code == 404
    assert api_for(member).get(f"/api/v1/change-requests/{cr.pk}/").status_code == 200
    assert api_for(member).post(f"/api/v1/change-requests/{cr.pk}/submit/").status_code == 403
    assert api_for(member).post("/api/v1/change-requests/", {"project": project.pk, "title": "x"}).status_code == 403
    assert api_for(owner).delete(f"/api/v1/change-requests/{cr.pk}/").status_code == 405


def test_api_lines_recompute_cost_impact(project, ref, project_manager, api_for):
    cr = services.change_request_create(actor=project_manager, project=project, title="A", currency=ref.eur)
    client = api_for(project_manager)
    line = client.post(
        "/api/v1/change-request-lines/",
        {"change_request": cr.pk, "category": ref.labour.pk, "period": ref.period(2026, 3).pk, "amount_delta": "-75"},
        format="json",
    )
    assert line.status_code == 201, line.json()
    assert client.get(f"/api/v1/change-requests/{cr.pk}/").json()["cost_impact"] == "-75.00"
    assert client.delete(f"/api/v1/change-request-lines/{line.json()['id']}/").status_code == 204
    assert client.get(f"/api/v1/change-requests/{cr.pk}/").json()["cost_impact"] == "0.00"


def test_approval_is_audited_with_the_budget_lines_it_moved(project, ref, budget, owner, project_manager):
    from core.models import AuditEntry

    current, _ = budget
    cr = submitted(project, ref, project_manager, [(ref.labour, ref.period(2026, 1), "250")])
    services.change_request_approve(actor=owner, change_request=cr, notes="Worth it")
    by_owner = set(AuditEntry.objects.filter(actor=owner).values_list("object_type", "object_id", "action"))
    assert ("governance.changerequest", str(cr.pk), "update") in by_owner
    assert ("budgets.budgetline", str(current.pk), "update") in by_owner
    created = AuditEntry.objects.filter(actor=project_manager, object_type="governance.changerequest", action="create")
    assert created.filter(object_id=str(cr.pk)).exists()
