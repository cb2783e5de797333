"""Stage gates: a phase advances only through approved gates; approval needs every criterion met
and a program manager."""

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from governance import services
from governance.models import Decision, StageGate
from projects.models import Project
from projects.services import project_update


@pytest.fixture
def start(project):
    project.phase = "initiation"
    project.save()
    return project


def approved_gate(project, to_phase, actor=None):
    gate = services.stage_gate_create(actor=actor, project=project, to_phase=to_phase, criteria=["Ready"])
    services.gate_criterion_tick(actor=actor, criterion=gate.criteria.get(), met=True)
    return services.stage_gate_decide(actor=actor, gate=gate, decision="approve")


def test_advancing_without_gate_is_refused_naming_phase(start, owner):
    with pytest.raises(ValidationError) as caught:
        project_update(actor=owner, project=start, data={"phase": "planning"})
    assert "phase" in caught.value.message_dict
    assert "the gate into planning" in caught.value.message_dict["phase"][0]
    start.refresh_from_db()
    assert start.phase == "initiation"


def test_advancing_with_approved_gate_moves_phase(start, owner):
    approved_gate(start, "planning", owner)
    project_update(actor=owner, project=start, data={"phase": "planning"})
    start.refresh_from_db()
    assert start.phase == "planning"


def test_skipping_a_phase_needs_each_gate(start, owner):
    approved_gate(start, "execution", owner)
    with pytest.raises(ValidationError) as caught:
        project_update(actor=owner, project=start, data={"phase": "execution"})
    message = caught.value.message_dict["phase"][0]
    assert "the gate into planning" in message
    assert "execution" not in message.split("missing:")[1]
    approved_gate(start, "planning", owner)
    project_update(actor=owner, project=start, data={"phase": "execution"})
    start.refresh_from_db()
    assert start.phase == "execution"


def test_moving_back_needs_no_gate(project, owner):
    assert project.phase == "execution"
    project_update(actor=owner, project=project, data={"phase": "initiation"})
    project.refresh_from_db()
    assert project.phase == "initiation"


def test_pending_or_rejected_gate_does_not_open_phase(start, owner):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=[])
    with pytest.raises(ValidationError):
        project_update(actor=owner, project=start, data={"phase": "planning"})
    services.stage_gate_decide(actor=owner, gate=gate, decision="reject", notes="Business case weak")
    with pytest.raises(ValidationError):
        project_update(actor=owner, project=start, data={"phase": "planning"})


def test_approval_needs_every_criterion_met(start, owner):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=["A", "B"])
    services.gate_criterion_tick(actor=owner, criterion=gate.criteria.get(text="A"), met=True)
    with pytest.raises(ValidationError) as caught:
        services.stage_gate_decide(actor=owner, gate=gate, decision="approve")
    assert caught.value.message_dict["decision"] == [services.CRITERIA_NOT_MET.format(criteria="B")]
    gate.refresh_from_db()
    assert gate.decision == "pending"


def test_decision_is_logged_and_final(start, owner):
    gate = approved_gate(start, "planning", owner)
    entry = Decision.objects.get(stage_gate=gate)
    assert entry.program_id == start.program_id
    assert entry.status == "decided"
    assert entry.decided_by == owner
    with pytest.raises(ValidationError) as caught:
        services.stage_gate_decide(actor=owner, gate=gate, decision="reject", notes="changed my mind")
    assert "decision" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.gate_criterion_tick(actor=owner, criterion=gate.criteria.get(), met=False)


def test_reject_and_defer_need_a_reason(start, owner):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=[])
    with pytest.raises(ValidationError) as caught:
        services.stage_gate_decide(actor=owner, gate=gate, decision="defer")
    assert "decision_notes" in caught.value.message_dict


def test_gate_into_a_phase_already_entered_is_refused(project, owner):
    with pytest.raises(ValidationError) as caught:
        services.stage_gate_create(actor=owner, project=project, to_phase="planning")
    assert "to_phase" in caught.value.message_dict


def test_unknown_phase_is_refused_naming_to_phase(start, owner):
    with pytest.raises(ValidationError) as caught:
        services.stage_gate_create(actor=owner, project=start, to_phase="launch")
    assert "to_phase" in caught.value.message_dict


def test_standard_checklist_seeds_a_new_gate(start, owner):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning")
    assert list(gate.criteria.values_list("text", flat=True)) == services.DEFAULT_CRITERIA["planning"]


def test_second_pending_gate_for_a_phase_is_refused(start, owner):
    services.stage_gate_create(actor=owner, project=start, to_phase="planning")
    with pytest.raises(ValidationError) as caught:
        services.stage_gate_create(actor=owner, project=start, to_phase="planning")
    assert caught.value.message_dict["to_phase"] == [services.GATE_ALREADY_PENDING.format(phase="Planning")]


# -- over HTTP ----------------------------------------------------------------------------------


def test_api_patch_phase_without_gate_answers_400_naming_phase(start, project_manager, api_for):
    response = api_for(project_manager).patch(f"/api/v1/projects/{start.pk}/", {"phase": "planning"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["phase"]
    assert "the gate into planning" in errors[0]["message"]


def test_api_patch_phase_with_gate_succeeds(start, owner, project_manager, api_for):
    approved_gate(start, "planning", owner)
    response = api_for(project_manager).patch(f"/api/v1/projects/{start.pk}/", {"phase": "planning"}, format="json")
    assert response.status_code == 200
    assert response.json()["phase"] == "planning"


def test_api_unknown_phase_answers_400_naming_phase(start, project_manager, api_for):
    response = api_for(project_manager).patch(f"/api/v1/projects/{start.pk}/", {"phase": "launch"}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["phase"]


def test_html_edit_form_shows_gate_error_on_phase(start, project_manager, client_for):
    client = client_for(project_manager)
    data = {"name": start.name, "phase": "planning", "status": start.status, "priority": start.priority}
    data.update(version=start.version, planned_start="2026-01-05", planned_finish="2026-12-18", manager="")
    response = client.post(f"/projects/{start.code}/edit/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "the gate into planning" in form.errors["phase"][0]
    start.refresh_from_db()
    assert start.phase == "initiation"


def test_api_project_manager_prepares_and_ticks_but_cannot_decide(start, project_manager, api_for):
    client = api_for(project_manager)
    created = client.post(
        "/api/v1/stage-gates/", {"project": start.pk, "to_phase": "planning", "criteria": ["Case"]}, format="json"
    )
    assert created.status_code == 201, created.json()
    gate_id = created.json()["id"]
    criterion = StageGate.objects.get(pk=gate_id).criteria.get()
    tick = client.patch(f"/api/v1/gate-criteria/{criterion.pk}/", {"met": True}, format="json")
    assert tick.status_code == 200
    assert tick.json()["met"] is True
    decide = client.post(f"/api/v1/stage-gates/{gate_id}/decide/", {"decision": "approve"}, format="json")
    assert decide.status_code == 403
    assert StageGate.objects.get(pk=gate_id).decision == "pending"


def test_api_program_manager_approves(start, owner, api_for):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=[])
    response = api_for(owner).post(f"/api/v1/stage-gates/{gate.pk}/decide/", {"decision": "approve"}, format="json")
    assert response.status_code == 200
    assert response.json()["decision"] == "approved"
    assert response["ETag"] == '"2"'


def test_api_approve_with_unmet_criteria_answers_400_naming_decision(start, owner, api_for):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=["X"])
    response = api_for(owner).post(f"/api/v1/stage-gates/{gate.pk}/decide/", {"decision": "approve"}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["decision"]


def test_api_gate_access(start, owner, member, outsider, api_for):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=[])
    assert api_for(outsider).get(f"/api/v1/stage-gates/{gate.pk}/").status_code == 404
    assert api_for(outsider).post(f"/api/v1/stage-gates/{gate.pk}/decide/", {"decision": "defer"}).status_code == 404
    assert api_for(member).get(f"/api/v1/stage-gates/{gate.pk}/").status_code == 200
    assert api_for(member).patch(f"/api/v1/stage-gates/{gate.pk}/", {"name": "x"}, format="json").status_code == 403
    created = api_for(member).post("/api/v1/stage-gates/", {"project": start.pk, "to_phase": "execution"})
    assert created.status_code == 403


# -- an approved gate moves the project --------------------------------------------------------


def test_approving_a_gate_moves_the_project_into_its_phase(start, owner):
    gate = approved_gate(start, "planning", owner)
    start.refresh_from_db()
    assert start.phase == "planning"
    audits = AuditEntry.objects.filter(object_type="projects.project", object_id=str(start.pk), action="update")
    audit = audits.latest("pk")
    assert audit.changes["phase"] == ["initiation", "planning"]
    assert "moved into planning" in Decision.objects.get(stage_gate=gate).decision


def test_approving_the_gate_into_closing_moves_an_executing_project(project, owner):
    assert project.phase == "execution"
    approved_gate(project, "closing", owner)
    project.refresh_from_db()
    assert project.phase == "closing"


def test_approving_a_gate_that_skips_an_unapproved_phase_keeps_the_phase(start, owner):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="execution", criteria=[])
    preview = services.stage_gate_decision_preview(gate=gate, decision="approve")
    assert preview.new_phase is None
    assert "until the gate into planning is approved" in preview.consequence
    services.stage_gate_decide(actor=owner, gate=gate, decision="approve")
    start.refresh_from_db()
    assert start.phase == "initiation"


def test_rejecting_or_deferring_keeps_the_phase(start, owner):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=[])
    services.stage_gate_decide(actor=owner, gate=gate, decision="defer", notes="Next quarter")
    start.refresh_from_db()
    assert start.phase == "initiation"


def test_preview_says_what_approval_does_and_writes_nothing(start, owner):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=[])
    preview = services.stage_gate_decision_preview(gate=gate, decision="approve")
    assert preview.consequence == f"Approving moves {start.code} from Initiation into Planning."
    assert preview.new_phase == "planning"
    assert StageGate.objects.get(pk=gate.pk).decision == StageGate.Decision.PENDING
    assert Project.objects.get(pk=start.pk).phase == "initiation"


def test_missing_decision_is_refused_naming_decision(start, owner):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=[])
    with pytest.raises(ValidationError) as caught:
        services.stage_gate_decide(actor=owner, gate=gate, decision="")
    assert caught.value.message_dict["decision"] == [services.DECISION_REQUIRED]


def test_api_decide_without_decision_answers_400_naming_it(start, owner, api_for):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=[])
    response = api_for(owner).post(f"/api/v1/stage-gates/{gate.pk}/decide/", {"notes": "x"}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["decision"]
    assert StageGate.objects.get(pk=gate.pk).decision == StageGate.Decision.PENDING


def test_api_approve_moves_the_phase(start, owner, api_for):
    gate = services.stage_gate_create(actor=owner, project=start, to_phase="planning", criteria=[])
    response = api_for(owner).post(f"/api/v1/stage-gates/{gate.pk}/decide/", {"decision": "approve"}, format="json")
    assert response.status_code == 200
    assert Project.objects.get(pk=start.pk).phase == "planning"
