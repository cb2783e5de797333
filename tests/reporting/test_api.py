"""The project, program and portfolio resources carry `computed_health` (beside the reported
`health`) and the `rollup` figures; program and portfolio totals only for those who oversee them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import changes
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.reporting import (
    PortfolioRollupFactory,
    ProgramRollupFactory,
    ProjectRollupFactory,
    program_figures,
    red_inside,
)

PROJECTS = "/api/v1/projects/"
PROGRAMS = "/api/v1/programs/"
PORTFOLIOS = "/api/v1/portfolios/"


def get(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
class TestProjects:
    def test_computed_health_beside_reported_with_reasons_and_figures(self, client_for, member, project):
        red_inside(project)
        body = get(client_for(member), f"{PROJECTS}{project.pk}/")
        assert body["health"] == "green"  # reported, as before
        health = body["computed_health"]
        assert health["computed"] is True
        assert health["overall"] == "red"
        assert health["reason"] == "CPI 0.82 < 0.90"
        dimensions = {d["key"]: (d["health"], d["reason"]) for d in health["dimensions"]}
        assert dimensions["cost"] == ("red", "CPI 0.82 < 0.90")
        assert health["reported_rag"] == "green"
        assert health["disagrees"] is True
        assert health["stale"] is False
        assert health["computed_at"]
        assert body["rollup"]["cpi"] == "0.8200"
        assert body["rollup"]["eac"] == "1250000.00"

    def test_stale_and_never_computed(self, client_for, owner, program, project):
        red_inside(project)
        changes.inputs_changed(projects=[project])
        fresh = ProjectFactory(program=program, code="MOD-NEW")
        rows = {r["code"]: r for r in get(client_for(owner), PROJECTS)["results"]}
        assert rows["MOD-ERP"]["computed_health"]["stale"] is True
        assert rows["MOD-ERP"]["rollup"]["cpi"] == "0.8200"  # the older figures, still given
        assert rows[fresh.code]["computed_health"]["computed"] is False
        assert rows[fresh.code]["computed_health"]["overall"] == ""
        assert rows[fresh.code]["rollup"] is None

    def test_filter_by_computed_health_and_refuse_a_bad_value(self, client_for, owner, program, project):
        red_inside(project)
        ProjectRollupFactory(project=ProjectFactory(program=program, code="MOD-OK"), health_overall="green")
        client = client_for(owner)
        assert [r["code"] for r in get(client, PROJECTS, {"computed_health": "red"})["results"]] == ["MOD-ERP"]
        response = client.get(PROJECTS, {"computed_health": "purple"})
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == ["computed_health"]

    def test_outsider_gets_404(self, client_for, outsider, project):
        red_inside(project)
        assert client_for(outsider).get(f"{PROJECTS}{project.pk}/").status_code == 404

    def test_list_query_count_does_not_grow_with_projects(self, client_for, owner, program):
        client = client_for(owner)

        def count():
            with CaptureQueriesContext(connection) as queries:
                get(client, PROJECTS)
            return len(queries)

        for _ in range(2):
            red_inside(ProjectFactory(program=program))
        small = count()
        for _ in range(8):
            red_inside(ProjectFactory(program=program))
        assert count() == small


@pytest.mark.django_db
class TestPrograms:
    def test_overseer_gets_the_program_figures(self, client_for, owner, program, project):
        program_figures(program)
        body = get(client_for(owner), f"{PROGRAMS}{program.pk}/")
        assert body["computed_health"]["overall"] == "red"
        assert body["computed_health"]["disagrees"] is True
        assert body["rollup"]["eac"] == "1219512.20"
        assert body["rollup"]["change_requests_waiting"] == 3

    def test_project_member_gets_health_but_no_program_money(self, client_for, member, program, project):
        program_figures(program)
        body = get(client_for(member), f"{PROGRAMS}{program.pk}/")
        assert body["computed_health"]["overall"] == "red"
        assert body["computed_health"]["reason"] == ""  # the rules quote program-wide figures
        assert {d["reason"] for d in body["computed_health"]["dimensions"]} == {""}
        assert body["rollup"] is None
        [row] = get(client_for(member), PROGRAMS)["results"]
        assert row["rollup"] is None

    def test_outsider_gets_404(self, client_for, outsider, program):
        program_figures(program)
        assert client_for(outsider).get(f"{PROGRAMS}{program.pk}/").status_code == 404

    def test_list_query_count_does_not_grow_with_programs(self, client_for, executive, portfolio):
        client = client_for(executive)

        def count():
            with CaptureQueriesContext(connection) as queries:
                rows = get(client, PROGRAMS)["results"]
            assert all(row["rollup"]["cpi"] == "0.8200" for row in rows)
            return len(queries)

        for _ in range(2):
            program_figures(ProgramFactory(portfolio=portfolio))
        small = count()
        for _ in range(8):
            program_figures(ProgramFactory(portfolio=portfolio))
        assert count() == small


@pytest.mark.django_db
class TestPortfolios:
    def test_portfolio_role_gets_the_figures_others_only_health(self, client_for, executive, member, portfolio):
        PortfolioRollupFactory(portfolio=portfolio, health_overall="amber", emv=Decimal("10.00"))
        body = get(client_for(executive), f"{PORTFOLIOS}{portfolio.pk}/")
        assert body["computed_health"]["overall"] == "amber"
        assert body["rollup"]["emv"] == "10.00"
        body = get(client_for(member), f"{PORTFOLIOS}{portfolio.pk}/")
        assert body["computed_health"]["overall"] == "amber"
        assert body["rollup"] is None

    def test_program_rows_written_through_the_api_answer_with_health(self, client_for, owner, program):
        ProgramRollupFactory(program=program, health_overall="green")
        response = client_for(owner).patch(
            f"{PROGRAMS}{program.pk}/",
            data='{"name": "Renamed"}',
            content_type="application/json",
            headers={"If-Match": program.etag},
        )
        assert response.status_code == 200, response.content
        assert response.json()["computed_health"]["overall"] == "green"
