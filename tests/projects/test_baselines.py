"""An approved baseline (the plan of record) is kept: a project manager cannot replace it; a
program manager can, through a confirmation that shows what changes, and the overwrite is audited."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEntry
from projects.models import Baseline
from projects.services.schedule import (
    BASELINE_OVERWRITE_DENIED,
    baseline_set,
    dependency_create,
    task_create,
    task_update,
)

DAY = 480
CODE = "MOD-ERP"
PAGE = reverse("projects:schedule", args=[CODE])
BASELINE = reverse("projects:schedule-baseline", args=[CODE])
OVERWRITE = reverse("projects:baseline-overwrite", args=[CODE, 0])
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def approved(project, owner):
    """Design 5d → Build 10d, baselined as the approved plan; then Design slips by 2 days."""
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    design = task_create(actor=owner, project=project, name="Design", duration_minutes=5 * DAY)
    build = task_create(actor=owner, project=project, name="Build", duration_minutes=10 * DAY)
    dependency_create(actor=owner, predecessor=design, successor=build)
    baseline = baseline_set(actor=owner, project=project, number=0, name="Baseline 0 (approved plan)", approved=True)
    design.refresh_from_db()
    task_update(actor=owner, task=design, data={"duration_minutes": 7 * DAY})
    return baseline


def finish_of(baseline) -> dt.datetime:
    return max(baseline.tasks.values_list("finish", flat=True))


def assert_kept(approved):
    kept = Baseline.objects.get(project=approved.project, number=0)
    assert (kept.pk, kept.approved, kept.name) == (approved.pk, True, "Baseline 0 (approved plan)")
    assert finish_of(kept) == finish_of(approved)


# -- the service -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestService:
    def test_saving_over_the_approved_plan_is_refused_naming_number_and_the_ways_out(
        self, approved, project, project_manager
    ):
        with pytest.raises(ValidationError) as caught:
            baseline_set(actor=project_manager, project=project, number=0)
        message = caught.value.message_dict["number"][0]
        assert "Baseline 0 (approved plan) is the approved plan and is kept" in message
        assert "free number (1, 2, 3" in message
        assert "change request" in message
        assert_kept(approved)

    def test_confirmed_overwrite_replaces_it_stays_approved_and_is_audited(self, approved, project, owner):
        old_finish = finish_of(approved)
        new = baseline_set(actor=owner, project=project, number=0, overwrite_approved=True, reason="Board re-plan")
        assert (new.approved, new.name) == (True, "Baseline 0 (approved plan)")
        assert finish_of(new) > old_finish
        audit = AuditEntry.objects.get(object_type="projects.baseline", object_id=str(new.pk), action="update")
        assert audit.actor == owner
        assert audit.changes["finish"] == [old_finish.isoformat(), finish_of(new).isoformat()]
        assert audit.changes["reason"] == [None, "Board re-plan"]

    def test_a_baseline_that_is_not_approved_is_still_replaced_freely(self, approved, project, project_manager):
        first = baseline_set(actor=project_manager, project=project, number=1)
        second = baseline_set(actor=project_manager, project=project, number=1, name="Again")
        assert not second.approved
        assert list(Baseline.objects.filter(project=project, number=1).values_list("pk", flat=True)) == [second.pk]
        assert first.pk != second.pk


# -- the pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestPages:
    def test_project_manager_saving_baseline_0_is_refused_on_the_field(
        self, approved, project, project_manager, client_for
    ):
        response = client_for(project_manager).post(BASELINE, {"number": "0", "name": ""}, **HTMX)
        assert response.status_code == 422
        assert "is the approved plan and is kept" in response.context["baseline_form"].errors["number"][0]
        assert_kept(approved)
        assert response.context["schedule"].finish_variance_days == "+2"

    def test_baseline_form_offers_a_free_number_and_labels_the_approved_plan(
        self, approved, project, project_manager, client_for
    ):
        form = client_for(project_manager).get(PAGE).context["baseline_form"]
        assert form["number"].value() == 1
        assert dict(form.fields["number"].choices)[0] == "Baseline 0 — approved plan, kept"

    def test_program_manager_saving_baseline_0_goes_to_the_confirmation(self, approved, project, owner, client_for):
        response = client_for(owner).post(BASELINE, {"number": "0", "name": ""}, **HTMX)
        assert response["HX-Redirect"].startswith(OVERWRITE)
        assert_kept(approved)

    def test_program_manager_plain_post_is_redirected_to_the_confirmation(self, approved, owner, client_for):
        response = client_for(owner).post(BASELINE, {"number": "0", "name": "Re-plan"})
        assert response.status_code == 302
        assert response["Location"] == OVERWRITE + "?name=Re-plan"
        assert_kept(approved)

    def test_confirmation_shows_what_changes_with_nothing_ticked(self, approved, project, owner, client_for):
        response = client_for(owner).get(OVERWRITE)
        assert response.status_code == 200
        preview = response.context["preview"]
        assert (preview.variance_before, preview.variance_after) == ("+2", "0")
        assert sorted(row.task.name for row in preview.moved) == ["Build", "Design"]
        body = response.content.decode()
        assert "<strong>+2</strong> → 0 working days" in body
        assert 'name="overwrite_approved"' in body
        assert "checked" not in body.split('name="overwrite_approved"')[1].split(">")[0]
        assert_kept(approved)

    def test_confirmation_without_the_tick_changes_nothing(self, approved, project, owner, client_for):
        response = client_for(owner).post(OVERWRITE, {"name": "", "reason": ""})
        assert response.status_code == 422
        assert "overwrite_approved" in response.context["form"].errors
        assert_kept(approved)

    def test_confirmed_overwrite_replaces_the_plan_and_zeroes_the_variance(self, approved, project, owner, client_for):
        client = client_for(owner)
        response = client.post(OVERWRITE, {"name": "", "reason": "Re-plan", "overwrite_approved": "on"})
        assert response.status_code == 302
        new = Baseline.objects.get(project=project, number=0)
        assert new.pk != approved.pk
        assert (new.approved, new.name) == (True, "Baseline 0 (approved plan)")
        assert client.get(PAGE).context["schedule"].finish_variance_days == "0"
        audits = AuditEntry.objects.filter(object_type="projects.baseline", object_id=str(new.pk), action="update")
        assert audits.exists()

    def test_project_manager_gets_403_on_the_confirmation(self, approved, project, project_manager, client_for):
        client = client_for(project_manager)
        assert client.get(OVERWRITE).status_code == 403
        assert client.post(OVERWRITE, {"overwrite_approved": "on"}).status_code == 403
        assert_kept(approved)

    def test_outsider_gets_404_on_the_confirmation(self, approved, outsider, client_for):
        assert client_for(outsider).get(OVERWRITE).status_code == 404


# -- the API -----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestApi:
    def url(self, project):
        return f"/api/v1/projects/{project.pk}/set-baseline/"

    def test_project_manager_is_400_on_number(self, approved, project, project_manager, api_for):
        response = api_for(project_manager).post(self.url(project), {"number": 0}, format="json")
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == ["number"]
        assert "change request" in errors[0]["message"]
        assert_kept(approved)

    def test_project_manager_with_the_flag_is_403(self, approved, project, project_manager, api_for):
        body = {"number": 0, "overwrite_approved": True}
        response = api_for(project_manager).post(self.url(project), body, format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == BASELINE_OVERWRITE_DENIED
        assert_kept(approved)

    def test_program_manager_without_the_flag_is_400_on_overwrite_approved(self, approved, project, owner, api_for):
        response = api_for(owner).post(self.url(project), {"number": 0}, format="json")
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == ["overwrite_approved"]
        assert_kept(approved)

    def test_program_manager_with_the_flag_replaces_it(self, approved, project, owner, api_for):
        body = {"number": 0, "overwrite_approved": True, "reason": "Re-plan"}
        response = api_for(owner).post(self.url(project), body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["approved"] is True
        assert Baseline.objects.get(project=project, number=0).pk != approved.pk
