"""The governance pages: who sees and does what, and that the forms show errors on their fields."""

from decimal import Decimal

import pytest
from django.urls import reverse

from governance import services
from governance.models import Benefit, ChangeRequest, GateCriterion, OperatingLevelAgreement, StageGate
from tests.factories.governance import BenefitFactory, BenefitMeasurementFactory, OperatingLevelAgreementFactory


@pytest.fixture
def start(project):
    project.phase = "initiation"
    project.save()
    return project


@pytest.fixture
def gate(start, owner):
    return services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=["Case", "Sponsor"])


def test_project_governance_page_shows_stepper_and_gates(gate, start, member, client_for):
    response = client_for(member).get(f"/projects/{start.code}/governance/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-current="step"' in body
    assert gate.name in body
    assert "Record decision" not in body
    assert "Add a criterion" not in body


def test_program_manager_sees_decide_form(gate, start, owner, client_for):
    body = client_for(owner).get(f"/projects/{start.code}/governance/").content.decode()
    assert "Record decision" in body


def test_outsider_gets_404_on_every_governance_page(gate, start, program, outsider, client_for):
    client = client_for(outsider)
    benefit = BenefitFactory(program=program)
    for url in [
        f"/projects/{start.code}/governance/",
        f"/projects/{start.code}/gates/{gate.pk}/",
        f"/projects/{start.code}/change-requests/new/",
        f"/programs/{program.code}/governance/",
        f"/programs/{program.code}/decisions/",
        f"/programs/{program.code}/olas/",
        f"/programs/{program.code}/benefits/{benefit.pk}/",
    ]:
        assert client.get(url).status_code == 404, url


def test_member_gets_403_on_writes(gate, start, program, member, client_for):
    client = client_for(member)
    assert client.get(f"/projects/{start.code}/change-requests/new/").status_code == 403
    assert client.get(f"/projects/{start.code}/gates/new/").status_code == 403
    criterion = gate.criteria.first()
    assert client.post(f"/projects/{start.code}/criteria/{criterion.pk}/tick/", {"met": "1"}).status_code == 403
    assert client.post(f"/projects/{start.code}/gates/{gate.pk}/decide/", {"decision": "defer"}).status_code == 403


def test_project_manager_ticks_with_htmx_but_cannot_decide(gate, start, project_manager, client_for):
    client = client_for(project_manager)
    criterion = gate.criteria.first()
    response = client.post(
        f"/projects/{start.code}/criteria/{criterion.pk}/tick/", {"met": "1", "evidence": "doc"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'id="criterion-{criterion.pk}"' in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.met
    assert criterion.evidence == "doc"
    assert criterion.checked_by == project_manager
    assert client.post(f"/projects/{start.code}/gates/{gate.pk}/decide/", {"decision": "approve"}).status_code == 403


def test_program_manager_approves_gate_from_the_page(gate, start, owner, client_for):
    GateCriterion.objects.filter(gate=gate).update(met=True)
    client = client_for(owner)
    response = client.post(f"/projects/{start.code}/gates/{gate.pk}/decide/", {"decision": "approve", "confirm": "1"})
    assert response.status_code == 302
    gate.refresh_from_db()
    assert gate.decision == StageGate.Decision.APPROVED
    start.refresh_from_db()
    assert start.phase == "planning"


def test_decide_form_has_no_decision_preselected(gate, start, owner, client_for):
    body = client_for(owner).get(f"/projects/{start.code}/gates/{gate.pk}/").content.decode()
    radios = [line for line in body.splitlines() if 'name="decision"' in line]
    assert len(radios) == 3
    assert not any("checked" in line for line in radios)


def test_choosing_approve_shows_confirmation_and_records_nothing(gate, start, owner, client_for):
    GateCriterion.objects.filter(gate=gate).update(met=True)
    response = client_for(owner).post(f"/projects/{start.code}/gates/{gate.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Approving moves {start.code} from Initiation into Planning." in body
    assert 'name="confirm" value="1"' in body
    assert "Confirm: approve the gate" in body
    gate.refresh_from_db()
    start.refresh_from_db()
    assert gate.decision == StageGate.Decision.PENDING
    assert start.phase == "initiation"


def test_choosing_reject_shows_confirmation_then_confirm_records_it(gate, start, owner, client_for):
    client = client_for(owner)
    url = f"/projects/{start.code}/gates/{gate.pk}/decide/"
    response = client.post(url, {"decision": "reject", "notes": "No sponsor"})
    assert response.status_code == 200
    assert f"Rejecting closes this gate for good; {start.code} stays in Initiation." in response.content.decode()
    assert StageGate.objects.get(pk=gate.pk).decision == StageGate.Decision.PENDING
    assert client.post(url, {"decision": "reject", "notes": "No sponsor", "confirm": "1"}).status_code == 302
    assert StageGate.objects.get(pk=gate.pk).decision == StageGate.Decision.REJECTED


def test_decide_without_a_decision_is_refused_naming_it(gate, start, owner, client_for):
    GateCriterion.objects.filter(gate=gate).update(met=True)
    client = client_for(owner)
    url = f"/projects/{start.code}/gates/{gate.pk}/decide/"
    response = client.post(url, {"notes": "", "confirm": "1"}, follow=True)
    assert services.DECISION_REQUIRED in response.content.decode()
    assert StageGate.objects.get(pk=gate.pk).decision == StageGate.Decision.PENDING


def test_confirmation_refuses_unmet_criteria_before_asking(gate, start, owner, client_for):
    response = client_for(owner).post(
        f"/projects/{start.code}/gates/{gate.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert "Every criterion must be met" in response.content.decode()
    assert "Confirm: approve" not in response.content.decode()


def test_gate_form_creates_gate(start, project_manager, client_for):
    response = client_for(project_manager).post(
        f"/projects/{start.code}/gates/new/", {"to_phase": "planning", "name": "", "criteria": "One\nTwo"}
    )
    assert response.status_code == 302
    gate = StageGate.objects.get(project=start)
    assert list(gate.criteria.values_list("text", flat=True)) == ["One", "Two"]


def test_change_request_flow_in_html(start, ref, owner, project_manager, client_for):
    pm = client_for(project_manager)
    response = pm.post(
        f"/projects/{start.code}/change-requests/new/",
        {"title": "More scope", "schedule_impact_days": "5", "description": "", "reason": "", "scope_impact": ""},
    )
    assert response.status_code == 302
    cr = ChangeRequest.objects.get(project=start)
    line = {"category": ref.labour.pk, "period": ref.period(2026, 2).pk, "amount_delta": "300", "notes": ""}
    assert pm.post(f"/projects/{start.code}/change-requests/{cr.pk}/lines/", line).status_code == 302
    page = pm.get(f"/projects/{start.code}/change-requests/{cr.pk}/")
    assert page.status_code == 200
    assert "Submit for approval" in page.content.decode()
    assert pm.post(f"/projects/{start.code}/change-requests/{cr.pk}/submit/").status_code == 302
    assert pm.post(f"/projects/{start.code}/change-requests/{cr.pk}/approve/").status_code == 403
    assert client_for(owner).post(f"/projects/{start.code}/change-requests/{cr.pk}/approve/").status_code == 302
    cr.refresh_from_db()
    assert cr.status == "approved"
    assert cr.cost_impact == Decimal("300.00")


def test_program_governance_page_lists_everything(gate, start, program, owner, ref, client_for):
    cr = services.change_request_create(actor=owner, project=start, title="Awaiting", currency=ref.eur)
    services.change_request_submit(actor=owner, change_request=cr)
    benefit = BenefitFactory(program=program, name="Fewer tickets")
    BenefitMeasurementFactory(benefit=benefit, value=Decimal("8"))
    OperatingLevelAgreementFactory(program=program, service="Payroll hosting")
    response = client_for(owner).get(f"/programs/{program.code}/governance/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in [gate.name, "Awaiting", "Fewer tickets", "50%", "Payroll hosting", "<svg", "Approve"]:
        assert text in body, text


def test_benefit_detail_records_measurement_and_refuses_negative(program, owner, client_for):
    benefit = BenefitFactory(program=program)
    client = client_for(owner)
    url = f"/programs/{program.code}/benefits/{benefit.pk}/"
    bad = client.post(url, {"measured_on": "2026-01-10", "value": "-1"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["value"] == [services.NEGATIVE_VALUE]
    assert client.post(url, {"measured_on": "2026-01-10", "value": "8"}).status_code == 302
    assert benefit.measurements.get().value == Decimal("8")


def test_benefit_form_refuses_target_equal_to_baseline(program, owner, client_for):
    response = client_for(owner).post(
        f"/programs/{program.code}/benefits/new/",
        {
            "name": "B",
            "kpi": "K",
            "baseline_value": "5",
            "target_value": "5",
            "status": "planned",
            "non_negative": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["target_value"] == [services.TARGET_IS_BASELINE]
    assert not Benefit.objects.exists()


def test_ola_form_review_before_start_is_refused_on_review_date(program, owner, client_for):
    data = {"service": "Email", "start_date": "2026-05-01", "review_date": "2026-04-01", "status": "draft"}
    response = client_for(owner).post(f"/programs/{program.code}/olas/new/", {**data, "targets_text": ""})
    assert response.status_code == 200
    assert "review_date" in response.context["form"].errors
    ok = client_for(owner).post(
        f"/programs/{program.code}/olas/new/",
        {**data, "review_date": "2026-11-01", "targets_text": "Availability | >= | 99.9 | %"},
    )
    assert ok.status_code == 302
    assert str(OperatingLevelAgreement.objects.get().targets.get()) == "Availability at least 99.9000 %"


def test_member_of_project_cannot_write_program_registers(program, member, client_for):
    client = client_for(member)
    assert client.get(f"/programs/{program.code}/governance/").status_code == 200
    assert client.get(f"/programs/{program.code}/benefits/new/").status_code == 403
    assert client.get(f"/programs/{program.code}/decisions/new/").status_code == 403
    assert client.get(f"/programs/{program.code}/olas/new/").status_code == 403


def test_decision_list_and_form(program, owner, client_for):
    client = client_for(owner)
    response = client.post(
        f"/programs/{program.code}/decisions/new/",
        {"title": "Adopt cloud ERP", "status": "decided", "decision": "Go", "context": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/programs/{program.code}/decisions/")
    assert "Adopt cloud ERP" in page.content.decode()


def test_program_summary_card_renders(gate, program, owner, ref):
    import datetime as dt

    from django.template.loader import render_to_string

    from governance.selectors import program_governance_summary

    gate.planned_date = dt.date.today()
    gate.save()
    summary = program_governance_summary(program=program, user=owner)
    html = render_to_string("governance/_program_summary.html", {"governance": summary})
    assert "1</strong> gate due" in html
    assert f"/programs/{program.code}/governance/" in html
    assert gate.name in html


def test_ola_edit_on_an_outdated_form_is_409_and_keeps_the_other_save(program, owner, client_for):
    from core.services import STALE_VERSION
    from governance.models import OperatingLevelAgreement
    from tests.factories.governance import OperatingLevelAgreementFactory

    ola = OperatingLevelAgreementFactory(program=program, service="Email")
    url = reverse("governance:ola-edit", args=[program.code, ola.pk])
    data = {"start_date": "2026-01-01", "review_date": "2026-06-01", "status": "active", "targets_text": ""}
    client = client_for(owner)
    first = client.post(url, {**data, "service": "Email and calendar", "version": ola.version})
    assert first.status_code == 302
    stale = client.post(url, {**data, "service": "Mail", "version": ola.version})
    assert stale.status_code == 409
    assert STALE_VERSION in stale.context["form"].non_field_errors()
    assert OperatingLevelAgreement.objects.get(pk=ola.pk).service == "Email and calendar"
