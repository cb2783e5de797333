"""Program health covers open projects only: a closed project's final report is listed apart and
never colours the program (issue 9, item 8)."""

import datetime

import pytest
from django.urls import reverse

from projects.models import Project, Rag
from tests.factories.projects import ProjectFactory, StatusReportFactory

# The portfolio overview; each role's own home is tested in tests/reporting/test_homes.py.
HOME = reverse("portfolio:home") + "?view=overview"
PROGRAMS = reverse("portfolio:program-list")
PROGRAM = reverse("portfolio:program-detail", args=["MOD"])
PROGRAMS_API = "/api/v1/programs/"

pytestmark = pytest.mark.django_db


def report(project, rag: str, period_end=datetime.date(2026, 10, 31)):
    """A status report made the project's latest, as status_report_submit would."""
    row = StatusReportFactory(project=project, overall_rag=rag, period_end=period_end)
    Project.objects.filter(pk=project.pk).update(latest_status_report=row)
    return row


@pytest.fixture
def finished(program):
    """A project completed a year ago whose final report was red."""
    project = ProjectFactory(
        program=program,
        code="MOD-OLD",
        name="Old migration",
        status=Project.Status.COMPLETED,
        phase=Project.Phase.CLOSED,
    )
    report(project, Rag.RED, period_end=datetime.date(2025, 11, 30))
    return project


@pytest.fixture
def running(project):
    report(project, Rag.GREEN)
    return project


def test_a_closed_projects_red_final_report_does_not_turn_the_program_red(client_for, executive, finished, running):
    response = client_for(executive).get(PROGRAM)
    program = response.context["program"]
    assert program.health == Rag.GREEN
    assert (program.red_count, program.green_count, program.open_count, program.closed_count) == (0, 1, 1, 1)


def test_program_page_lists_the_closed_project_apart_with_its_final_rag(client_for, executive, finished, running):
    response = client_for(executive).get(PROGRAM)
    assert [p.code for p in response.context["projects"]] == ["MOD-ERP"]
    assert [p.code for p in response.context["closed_projects"]] == ["MOD-OLD"]
    body = response.content.decode()
    closed = body[body.index('id="closed-projects-heading"') :]
    assert "MOD-OLD" in closed
    assert 'class="rag rag-red"' in closed  # its final RAG, shown in the closed section only
    assert 'class="rag rag-red"' not in body[: body.index('id="closed-projects-heading"')]
    assert "1 closed, not counted" in body


@pytest.mark.parametrize(
    ("status", "phase"),
    [
        (Project.Status.CANCELLED, Project.Phase.EXECUTION),
        (Project.Status.ACTIVE, Project.Phase.CLOSED),
        (Project.Status.COMPLETED, Project.Phase.CLOSING),
    ],
)
def test_cancelled_and_closed_phase_projects_are_closed_too(client_for, executive, program, running, status, phase):
    report(ProjectFactory(program=program, code="MOD-X", status=status, phase=phase), Rag.RED)
    response = client_for(executive).get(PROGRAM)
    assert response.context["program"].health == Rag.GREEN
    assert [p.code for p in response.context["closed_projects"]] == ["MOD-X"]


def test_an_on_hold_projects_red_report_still_counts(client_for, executive, program, running):
    report(ProjectFactory(program=program, code="MOD-HOLD", status=Project.Status.ON_HOLD), Rag.RED)
    assert client_for(executive).get(PROGRAM).context["program"].health == Rag.RED


def test_program_list_and_home_count_open_projects_only(client_for, executive, finished, running):
    client = client_for(executive)
    [row] = client.get(PROGRAMS).context["page"].object_list
    [home_row] = client.get(HOME).context["portfolios"][0].programs_with_health
    for program in (row, home_row):
        assert program.health == Rag.GREEN
        assert (program.red_count, program.green_count, program.closed_count) == (0, 1, 1)


def test_health_filter_ignores_closed_projects(client_for, executive, finished, running):
    client = client_for(executive)
    assert list(client.get(PROGRAMS, {"health": "red"}).context["page"].object_list) == []
    assert [p.code for p in client.get(PROGRAMS, {"health": "green"}).context["page"].object_list] == ["MOD"]


def test_api_health_covers_open_projects_and_counts_closed_apart(api_for, executive, finished, running):
    [row] = api_for(executive).get(PROGRAMS_API).json()["results"]
    assert row["health"] == Rag.GREEN
    assert (row["project_count"], row["open_project_count"], row["closed_project_count"]) == (2, 1, 1)
    assert api_for(executive).get(PROGRAMS_API, {"health": "red"}).json()["results"] == []
