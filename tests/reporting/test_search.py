"""The global search (reporting:search, ?q=): by code or name, grouped, scoped by visible_to,
bounded per group; bad `q` is 400 naming it; the box in the top bar works without JavaScript."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.models import Membership
from reporting import homes
from tests.factories.portfolio import MembershipFactory, ProgramFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.risks import RiskFactory
from tests.factories.staffing import PersonFactory
from tests.factories.users import UserFactory

SEARCH = reverse("reporting:search")

pytestmark = pytest.mark.django_db


def found(response) -> dict[str, list]:
    assert response.status_code == 200
    return {group.key: group.found.items for group in response.context["groups"]}


@pytest.fixture
def estate(program, project, portfolio):
    risk = RiskFactory(project=project, title="Ledger vendor insolvency")
    task = TaskFactory(project=project, name="Ledger migration dry run", wbs="1.4")
    person = PersonFactory(portfolio=portfolio, name="Ingrid Ledgerwood")
    return {"risk": risk, "task": task, "person": person}


def test_finds_project_and_program_by_code(client_for, executive, estate, project, program):
    groups = found(client_for(executive).get(SEARCH, {"q": "mod-erp"}))
    assert groups["projects"] == [project]
    groups = found(client_for(executive).get(SEARCH, {"q": "MOD"}))
    assert program in groups["programs"]
    assert project in groups["projects"]


def test_finds_each_kind_by_name(client_for, executive, estate, project):
    response = client_for(executive).get(SEARCH, {"q": "ledger"})
    groups = found(response)
    assert groups["risks"] == [estate["risk"]]
    assert groups["tasks"] == [estate["task"]]
    assert groups["people"] == [estate["person"]]
    body = response.content.decode()
    assert reverse("risks:risk-detail", args=[estate["risk"].pk]) in body
    assert reverse("projects:schedule", args=["MOD-ERP"]) in body
    assert reverse("staffing:person-detail", args=[estate["person"].pk]) in body
    assert "3 results" in body


def test_finds_a_risk_by_its_reference(client_for, executive, estate):
    reference = estate["risk"].reference  # e.g. "MOD-R001"
    assert found(client_for(executive).get(SEARCH, {"q": reference.lower()}))["risks"] == [estate["risk"]]


def test_outsider_finds_nothing(client_for, outsider, estate):
    response = client_for(outsider).get(SEARCH, {"q": "ledger"})
    assert all(items == [] for items in found(response).values())
    assert b"Nothing you can see matches" in response.content
    assert found(client_for(outsider).get(SEARCH, {"q": "MOD"}))["projects"] == []


def test_team_member_sees_only_their_project(client_for, member, program, estate):
    hidden = ProjectFactory(program=program, code="MOD-HIDDEN", name="Ledger hidden")
    groups = found(client_for(member).get(SEARCH, {"q": "MOD"}))
    assert hidden not in groups["projects"]
    assert [p.code for p in groups["projects"]] == ["MOD-ERP"]


@pytest.mark.parametrize("q", [None, "", "a", " b ", "x" * 101])
def test_bad_q_is_400_naming_q(client_for, executive, q):
    response = client_for(executive).get(SEARCH, {} if q is None else {"q": q})
    assert response.status_code == 400
    assert "q:" in response.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(SEARCH, {"q": "MOD"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_groups_are_bounded_with_a_link_to_the_filtered_list(client_for, executive, program):
    for n in range(homes.SEARCH_GROUP_SIZE + 4):
        ProjectFactory(program=program, code=f"MOD-P{n:02d}")
    response = client_for(executive).get(SEARCH, {"q": "MOD-P"})
    [projects] = [g for g in response.context["groups"] if g.key == "projects"]
    assert (len(projects.found.items), projects.found.total) == (homes.SEARCH_GROUP_SIZE, homes.SEARCH_GROUP_SIZE + 4)
    assert f"{reverse('projects:project-list')}?q=MOD-P" in response.content.decode()


def test_query_count_does_not_grow_with_matches(client_for, executive, portfolio, program):
    def add(n):
        for _ in range(n):
            project = ProjectFactory(program=program, name="Ledger work")
            RiskFactory(project=project, title="Ledger risk")
            TaskFactory(project=project, name="Ledger task")
            PersonFactory(portfolio=portfolio, name="Ledger person")
            ProgramFactory(portfolio=portfolio, name="Ledger program")

    client = client_for(executive)
    add(2)
    with CaptureQueriesContext(connection) as small:
        client.get(SEARCH, {"q": "ledger"})
    add(8)
    with CaptureQueriesContext(connection) as large:
        response = client.get(SEARCH, {"q": "ledger"})
    assert response.context["found"] == 50
    assert len(small) == len(large)
    print(f"\nQUERIES search: {len(large)}")


def test_top_bar_has_a_labelled_search_form(client_for, member, project):
    body = client_for(member).get(reverse("portfolio:home")).content.decode()
    assert f'action="{SEARCH}" role="search" aria-label="Search Keel"' in body
    assert '<input type="search" name="q" aria-label="' in body


def test_search_box_answers_a_plain_get(client_for, project_manager, project):
    # The box is a plain GET form: the URL it submits is the page, no script involved.
    response = client_for(project_manager).get(f"{SEARCH}?q=ERP")
    assert found(response)["projects"] == [project]
    assert 'value="ERP"' in response.content.decode()


def test_program_manager_finds_projects_of_their_program(client_for, owner, program, project):
    other = UserFactory()
    MembershipFactory(user=other, role=Membership.Role.PROGRAM_MANAGER, program=ProgramFactory(code="ZZZ"))
    assert found(client_for(owner).get(SEARCH, {"q": "ERP"}))["projects"] == [project]
    assert found(client_for(other).get(SEARCH, {"q": "ERP"}))["projects"] == []
