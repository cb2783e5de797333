"""HTML: the program timeline — projects as bars, milestones beneath, cross-project links."""

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Dependency
from projects.services.schedule import dependency_create, schedule_recompute, task_create
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.users import UserFactory

DAY = 480
TIMELINE = reverse("portfolio:program-timeline", args=["MOD"])
HTMX = {"HTTP_HX_REQUEST": "true"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def linked(project, owner, program):
    """MOD-ERP: Build → Go-live (milestone); MOD-CRM: Cut-over → CRM live (milestone), with
    Go-live → Cut-over across the two projects. Both start Monday 2026-03-02."""
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    crm = ProjectFactory(program=program, code="MOD-CRM", name="CRM", planned_start=dt.date(2026, 3, 2))
    build = task_create(actor=owner, project=project, name="Build", duration_minutes=5 * DAY)
    live = task_create(actor=owner, project=project, name="Go-live", duration_minutes=0, is_milestone=True)
    cutover = task_create(actor=owner, project=crm, name="Cut-over", duration_minutes=2 * DAY)
    crm_live = task_create(actor=owner, project=crm, name="CRM live", duration_minutes=0, is_milestone=True)
    task_create(actor=owner, project=crm, name="Unlinked work", duration_minutes=DAY)
    dependency_create(actor=owner, predecessor=build, successor=live)
    dependency_create(actor=owner, predecessor=cutover, successor=crm_live)
    dependency_create(actor=owner, predecessor=live, successor=cutover)
    return crm


def classes_of(response) -> list[str]:
    root = ET.fromstring(str(response.context["chart"]))
    return [el.get("class", "") for el in root.iter()]


def labels_of(response) -> list[str]:
    """The row labels, in order (each label's <title> holds it in full)."""
    root = ET.fromstring(str(response.context["chart"]))
    return [el.find(f"{SVG}title").text for el in root.iter(f"{SVG}text") if el.get("class") == "gantt-label"]


@pytest.mark.django_db
class TestAccess:
    def test_anonymous_is_sent_to_login(self, program):
        response = Client().get(TIMELINE)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_outsider_gets_404(self, client_for, outsider, linked):
        assert client_for(outsider).get(TIMELINE).status_code == 404

    def test_executive_and_program_manager_see_every_project(self, client_for, executive, owner, linked):
        for user in (executive, owner):
            response = client_for(user).get(TIMELINE)
            assert [p.code for p in response.context["timeline"].projects] == ["MOD-CRM", "MOD-ERP"]

    def test_team_member_sees_only_their_project_and_no_link_to_the_other(self, client_for, member, linked):
        response = client_for(member).get(TIMELINE)
        assert response.status_code == 200
        timeline = response.context["timeline"]
        assert [p.code for p in timeline.projects] == ["MOD-ERP"]
        assert timeline.links == []
        assert "Cut-over" not in response.content.decode()


@pytest.mark.django_db
class TestTimeline:
    def test_projects_milestones_and_cross_project_links(self, client_for, executive, linked):
        response = client_for(executive).get(TIMELINE)
        classes = classes_of(response)
        assert sum(c.startswith("gantt-summary") for c in classes) == 2  # one bar per project
        assert sum(c.startswith("gantt-milestone") for c in classes) == 2
        assert sum(c.startswith("gantt-link") for c in classes) == 1  # only the cross-project link
        assert classes.count("gantt-bar critical") == 1  # Cut-over, the linked task
        labels = labels_of(response)
        assert labels == ["MOD-CRM CRM", "Cut-over", "CRM live", "MOD-ERP ERP replacement", "Go-live"]
        body = response.content.decode()
        assert reverse("projects:schedule", args=["MOD-ERP"]) in body
        assert "2 projects · 2 milestones · 1 cross-project link" in body

    def test_project_bar_spans_its_tasks(self, client_for, executive, linked):
        response = client_for(executive).get(TIMELINE)
        erp = next(p for p in response.context["timeline"].projects if p.code == "MOD-ERP")
        assert erp.task_start == dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
        assert erp.task_finish == dt.datetime(2026, 3, 6, 17, tzinfo=dt.UTC)

    def test_project_without_tasks_shows_its_planned_dates(self, client_for, executive, program, linked):
        ProjectFactory(program=program, code="MOD-NEW", name="New", planned_start=dt.date(2026, 6, 1))
        response = client_for(executive).get(TIMELINE)
        assert "MOD-NEW New" in labels_of(response)
        assert sum(c.startswith("gantt-summary") for c in classes_of(response)) == 3

    @pytest.mark.parametrize("zoom", ["week", "month", "quarter"])
    def test_each_zoom(self, client_for, executive, linked, zoom):
        response = client_for(executive).get(TIMELINE, {"zoom": zoom})
        assert response.context["zoom"] == zoom
        assert f'aria-current="true">{zoom.capitalize()}</a>' in response.content.decode()
        assert classes_of(response)

    def test_zoom_over_htmx_returns_the_chart_alone(self, client_for, executive, linked):
        response = client_for(executive).get(TIMELINE, {"zoom": "month"}, **HTMX)
        body = response.content.decode()
        assert body.lstrip().startswith('<div id="timeline-chart"')
        assert "<html" not in body

    def test_empty_program(self, client_for, owner, program):
        response = client_for(owner).get(TIMELINE)
        assert response.status_code == 200
        assert "No projects you can see in this program yet." in response.content.decode()


def add_projects(program, owner, count, tasks_each):
    """`count` projects of `tasks_each` chained tasks (the last a milestone), each linked to the
    previous project's milestone, scheduled by the service."""
    previous = None
    for _ in range(count):
        project = ProjectFactory(program=program, planned_start=dt.date(2026, 3, 2), manager=UserFactory())
        tasks = [TaskFactory(project=project, duration_minutes=DAY) for _ in range(tasks_each - 1)]
        tasks.append(TaskFactory(project=project, duration_minutes=0, is_milestone=True))
        links = [Dependency(predecessor=a, successor=b) for a, b in itertools.pairwise(tasks)]
        if previous is not None:
            links.append(Dependency(predecessor=previous, successor=tasks[0]))
        Dependency.objects.bulk_create(links)
        previous = tasks[-1]
        schedule_recompute(project=project)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_projects_tasks_and_links(client_for, program, owner):
    client = client_for(owner)
    add_projects(program, owner, 2, 5)
    with CaptureQueriesContext(connection) as small:
        client.get(TIMELINE)
    add_projects(program, owner, 8, 50)
    with CaptureQueriesContext(connection) as large:
        response = client.get(TIMELINE)
    assert len(response.context["timeline"].projects) == 10
    assert len(response.context["timeline"].links) == 1 + 7  # links inside each batch of projects
    assert len(small) == len(large)
    print(f"\nQUERIES program timeline: {len(large)}")
