"""The home page, program page and list pages read the summary tables: computed health beside
reported health, the figures, "as of" and the stale notice; program totals only for people who
see the program whole; query counts that do not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import changes
from portfolio.models import Membership
from projects.models import Rag
from tests.factories.portfolio import MembershipFactory, ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.reporting import (
    PortfolioRollupFactory,
    ProgramRollupFactory,
    ProjectRollupFactory,
    program_figures,
    red_inside,
    report,
)
from tests.factories.users import UserFactory

# The portfolio overview; each role's own home is tested in tests/reporting/test_homes.py.
HOME = reverse("portfolio:home") + "?view=overview"
PROGRAMS = reverse("portfolio:program-list")
PROGRAM = reverse("portfolio:program-detail", args=["MOD"])
PROJECTS = reverse("projects:project-list")
STALE = "Figures are being recomputed; these are from"


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.django_db
class TestProgramPage:
    def test_overseer_sees_computed_beside_reported_with_the_rule_and_program_figures(
        self, client_for, owner, program, project
    ):
        red_inside(project)
        program_figures(program)
        body = client_for(owner).get(PROGRAM).content.decode()
        assert 'title="Computed health: Red — CPI 0.82 &lt; 0.90"' in body
        assert '<span class="health-reason">CPI 0.82 &lt; 0.90</span>' in body  # visible on the page
        assert "differs from reported" in body
        assert 'data-figure="eac">EUR\u00a01,219,512.20<' in body
        assert 'data-figure="crs-waiting">3<' in body
        assert 'data-figure="milestones-due">4 / 0<' in body
        assert "as of" in body

    def test_project_member_sees_project_health_but_no_program_totals(self, client_for, member, program, project):
        red_inside(project)
        program_figures(program)
        response = client_for(member).get(PROGRAM)
        body = response.content.decode()
        assert response.context["dashboard"].overseen is False
        # The program's colours, without its rules: they quote figures summed over every project.
        state = response.context["dashboard"].state
        assert state.health == "red"
        assert state.reason == ""
        assert all(d.reason == "" for d in state.dimensions)
        assert "EUR\u00a01,219,512.20" not in body
        assert 'data-figure="eac"' not in body
        assert "shown to people with a role on the whole program" in body
        # The row of the project they see still carries its computed health and rule.
        assert "CPI 0.82 &lt; 0.90" in body
        assert "0.82" in body

    def test_stale_summary_keeps_its_figures_with_the_notice(self, client_for, owner, program, project):
        program_figures(program)
        changes.inputs_changed(programs=[program])
        body = client_for(owner).get(PROGRAM).content.decode()
        assert STALE in body
        assert 'data-figure="eac">EUR\u00a01,219,512.20<' in body

    def test_without_summaries_the_page_says_not_computed_yet(self, client_for, owner, program, project):
        report(project, Rag.AMBER)
        body = client_for(owner).get(PROGRAM).content.decode()
        assert "Not computed yet" in body
        assert 'class="rag rag-amber"' in body  # the reported RAG still shows

    def test_outsider_gets_404(self, client_for, outsider, program):
        assert client_for(outsider).get(PROGRAM).status_code == 404

    def test_query_count_does_not_grow_with_projects(self, client_for, owner, program):
        def add(n):
            for _ in range(n):
                project = ProjectFactory(program=program, manager=UserFactory())
                red_inside(project)

        program_figures(program)
        client = client_for(owner)
        add(2)
        small, _ = count_queries(client, PROGRAM)
        add(8)
        large, response = count_queries(client, PROGRAM)
        assert len(response.context["projects"]) == 10
        assert small == large


@pytest.mark.django_db
class TestHome:
    def test_programs_and_my_projects_show_computed_health(self, client_for, project_manager, program, project):
        red_inside(project)
        program_figures(program)
        response = client_for(project_manager).get(HOME)
        body = response.content.decode()
        assert [p.code for p in response.context["my_projects"]] == ["MOD-ERP"]
        assert [p.rollup_state.health for p in response.context["my_projects"]] == ["red"]
        [row] = response.context["portfolios"][0].programs_with_health
        assert row.rollup_state.health == "red"
        assert "differs from reported" in body

    def test_portfolio_summary_only_for_portfolio_roles(self, client_for, executive, member, portfolio, program):
        PortfolioRollupFactory(portfolio=portfolio, health_overall="amber", projects_red=1, projects_amber=2)
        assert "Open projects by computed health" in client_for(executive).get(HOME).content.decode()
        assert "Open projects by computed health" not in client_for(member).get(HOME).content.decode()

    def test_query_count_does_not_grow_with_programs(self, client_for, executive, portfolio):
        def add(n):
            for _ in range(n):
                program = ProgramFactory(portfolio=portfolio)
                program_figures(program)
                red_inside(ProjectFactory(program=program))

        client = client_for(executive)
        add(2)
        small, _ = count_queries(client, HOME)
        add(8)
        large, response = count_queries(client, HOME)
        assert len(response.context["portfolios"][0].programs_with_health) == 10
        assert small == large


@pytest.mark.django_db
class TestProgramList:
    def test_computed_health_column_and_filter(self, client_for, executive, portfolio, program):
        program_figures(program)
        calm = ProgramFactory(portfolio=portfolio, code="CALM")
        ProgramRollupFactory(program=calm, health_overall="green")
        client = client_for(executive)
        body = client.get(PROGRAMS).content.decode()
        assert 'title="Computed health: Red — CPI 0.82 &lt; 0.90"' in body
        red = client.get(PROGRAMS, {"computed_health": "red"})
        assert [p.code for p in red.context["page"].object_list] == ["MOD"]
        green = client.get(PROGRAMS, {"computed_health": "green"})
        assert [p.code for p in green.context["page"].object_list] == ["CALM"]

    def test_sorts_by_computed_health_worst_first(self, client_for, executive, portfolio, program):
        ProgramRollupFactory(program=program, health_overall="green")
        ProgramRollupFactory(program=ProgramFactory(portfolio=portfolio, code="RED", name="Zed"), health_overall="red")
        ProgramFactory(portfolio=portfolio, code="NEW", name="Alpha")
        client = client_for(executive)
        rows = client.get(PROGRAMS, {"sort": "computed"}).context["page"].object_list
        assert [p.code for p in rows] == ["RED", "MOD", "NEW"]
        rows = client.get(PROGRAMS).context["page"].object_list
        assert [p.code for p in rows] == ["NEW", "MOD", "RED"]  # by name by default

    def test_query_count_does_not_grow_with_programs(self, client_for, executive, portfolio):
        def add(n):
            for _ in range(n):
                program_figures(ProgramFactory(portfolio=portfolio))

        client = client_for(executive)
        add(2)
        small, _ = count_queries(client, PROGRAMS)
        add(8)
        large, response = count_queries(client, PROGRAMS)
        assert len(response.context["page"].object_list) == 10
        assert small == large


@pytest.mark.django_db
class TestProjectList:
    def test_computed_health_sorts_worst_first_and_filters(self, client_for, owner, program, project):
        red_inside(project)
        calm = ProjectFactory(program=program, code="MOD-AAA")
        ProjectRollupFactory(project=calm, health_overall="green")
        never = ProjectFactory(program=program, code="MOD-BBB")
        client = client_for(owner)
        rows = client.get(PROJECTS, {"sort": "computed"}).context["page"].object_list
        assert [p.code for p in rows] == ["MOD-ERP", "MOD-AAA", "MOD-BBB"]
        rows = client.get(PROJECTS, {"sort": "-computed"}).context["page"].object_list
        assert [p.code for p in rows] == ["MOD-BBB", "MOD-AAA", "MOD-ERP"]
        red = client.get(PROJECTS, {"computed_health": "red"}).context["page"].object_list
        assert [p.code for p in red] == ["MOD-ERP"]
        none = client.get(PROJECTS, {"computed_health": "none"}).context["page"].object_list
        assert [p.code for p in none] == [never.code]

    def test_row_shows_computed_health_and_the_stale_notice(self, client_for, owner, project):
        red_inside(project)
        changes.inputs_changed(projects=[project])
        body = client_for(owner).get(PROJECTS).content.decode()
        assert 'title="Computed health: Red — CPI 0.82 &lt; 0.90"' in body
        assert STALE in body
        assert "differs from reported" in body

    def test_query_count_does_not_grow_with_projects(self, client_for, owner, program):
        def add(n):
            for _ in range(n):
                red_inside(ProjectFactory(program=program, manager=UserFactory()))

        client = client_for(owner)
        add(2)
        small, _ = count_queries(client, PROJECTS, {"sort": "computed"})
        add(8)
        large, response = count_queries(client, PROJECTS, {"sort": "computed"})
        assert len(response.context["page"].object_list) == 10
        assert small == large


@pytest.mark.django_db
def test_team_member_of_one_project_sees_it_on_home(client_for, program):
    project = ProjectFactory(program=program, code="MOD-X")
    user = UserFactory(username="tm")
    MembershipFactory(user=user, role=Membership.Role.TEAM_MEMBER, project=project)
    response = client_for(user).get(HOME)
    assert [p.code for p in response.context["my_projects"]] == ["MOD-X"]
    assert "Not computed yet" in response.content.decode()
