"""A project manager writes a status report from the generated narrative, in a real browser."""

import datetime as dt

import pytest
from django.utils import timezone

from projects.models import Project, StatusReport
from reporting import narrative
from reporting.models import MetricSnapshot, ProjectRollup

pytestmark = pytest.mark.django_db(transaction=True)


def test_project_manager_submits_a_report_from_the_narrative_draft(demo, page_as):
    project = Project.objects.filter(manager__username="project_manager").order_by("code").first()
    rollup = ProjectRollup.objects.get(project=project)
    # The period started with the opposite reported RAG: the narrative has a change to tell.
    before = "green" if rollup.reported_rag != "green" else "red"
    MetricSnapshot.objects.create(
        project=project,
        day=timezone.localdate() - dt.timedelta(days=narrative.PERIOD_DAYS),
        health_overall=rollup.health_overall,
        reported_rag=before,
    )
    page = page_as("project_manager")
    page.goto(f"/projects/{project.code}/status/new/")

    draft = page.locator("#narrative-draft")
    draft.wait_for()
    assert draft.locator(".health .rag").first.is_visible()  # the computed health beside the form's RAG
    assert "reported RAG" in draft.locator(".narrative-sentences").inner_text()
    # The summary is prefilled from the last report: replacing it asks first.
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Use this draft").click()
    assert asked == ["Replace the summary you have now with the draft?"]
    summary = page.locator("#id_summary").input_value()
    assert f"{project.code}: reported RAG" in summary
    assert page.locator("[data-draft-status]").inner_text().startswith("The draft is in the summary")

    page.get_by_role("button", name="Submit report").click()
    page.wait_for_url(f"**/projects/{project.code}/")
    report = StatusReport.objects.filter(project=project).order_by("-submitted_at").first()
    assert report.summary.replace("\r\n", "\n") == summary.replace("\r\n", "\n")
    assert page.problems == []
