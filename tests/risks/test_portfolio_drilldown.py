"""The portfolio risks page: each heat-map cell links to the page itself filtered to the cell,
which then lists the open and mitigating risks of that cell across the programs the user
oversees — sortable, paginated, through the shared RiskFilterSet — with a constant number of
queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.models import Membership
from tests.factories.portfolio import MembershipFactory, PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.risks import RiskFactory

PAGE = "risks:portfolio-risks"


def page_url(query: str = "") -> str:
    return reverse(PAGE, args=["CORP"]) + query


@pytest.fixture
def cast(portfolio, program, project, owner):
    """Risks in MOD (overseen by `owner`, its program manager) and in LOG, a second program of
    CORP that `owner` sees only through a team membership on one of its projects."""
    logistics = ProgramFactory(portfolio=portfolio, code="LOG", name="Logistics")
    warehouse = ProjectFactory(program=logistics, code="LOG-WMS", contingency_reserve=Decimal("0"))
    MembershipFactory(user=owner, role=Membership.Role.TEAM_MEMBER, project=warehouse)
    elsewhere = ProgramFactory(portfolio=PortfolioFactory(code="ELSE"), code="FAR")
    return {
        "hit project": RiskFactory(project=project, title="Hit project", probability=4, impact=5),
        "hit program": RiskFactory(program=program, title="Hit program", probability=4, impact=5, status="mitigating"),
        "closed": RiskFactory(project=project, title="Closed one", probability=4, impact=5, status="closed"),
        "other cell": RiskFactory(project=project, title="Other cell", probability=2, impact=5),
        "not overseen": RiskFactory(project=warehouse, title="Warehouse risk", probability=4, impact=5),
        "other portfolio": RiskFactory(program=elsewhere, title="Far away", probability=4, impact=5),
        "residual": RiskFactory(
            project=project, title="Reduced", probability=5, impact=5, residual_probability=2, residual_impact=3
        ),
    }


def titles(response) -> set[str]:
    return {risk.title for risk in response.context["page"].object_list}


def test_every_heat_map_cell_links_to_the_page_filtered_to_it(client_for, owner, cast):
    html = client_for(owner).get(page_url()).content.decode()
    assert f'href="{page_url("?probability=4&amp;impact=5")}"' in html
    assert f'href="{page_url("?probability=2&amp;impact=5")}"' in html


def test_residual_map_cells_link_with_the_residual_levels_and_keep_the_map(client_for, owner, cast):
    html = client_for(owner).get(page_url("?matrix=residual")).content.decode()
    assert f'href="{page_url("?matrix=residual&amp;residual_probability=2&amp;residual_impact=3")}"' in html


def test_cell_lists_only_its_active_risks_in_overseen_programs(client_for, owner, cast):
    response = client_for(owner).get(page_url("?probability=4&impact=5"))
    assert response.status_code == 200
    assert titles(response) == {"Hit project", "Hit program"}
    html = response.content.decode()
    assert "Warehouse risk" not in html
    assert "Far away" not in html
    assert "Closed one" not in html


def test_heat_map_counts_the_same_risks_as_the_cell_list(client_for, owner, cast):
    heat = client_for(owner).get(page_url()).context["heat"]
    cell = next(c for row in heat.rows for c in row if (c.probability, c.impact) == (4, 5))
    assert cell.count == 2


def test_program_seen_only_through_a_project_never_appears(client_for, owner, cast):
    client = client_for(owner)
    for query in ("?probability=4&impact=5", "?probability=4&impact=5&q=Warehouse", "?probability=4&impact=5&all=1"):
        response = client.get(page_url(query))
        assert "Warehouse risk" not in titles(response), query


def test_residual_cell_lists_by_residual_levels(client_for, owner, cast):
    response = client_for(owner).get(page_url("?matrix=residual&residual_probability=2&residual_impact=3"))
    assert titles(response) == {"Reduced"}


def test_executive_sees_every_program_of_the_portfolio_but_no_other_portfolio(client_for, executive, cast):
    response = client_for(executive).get(page_url("?probability=4&impact=5"))
    assert titles(response) == {"Hit project", "Hit program", "Warehouse risk"}


def test_cell_list_sorts_and_paginates(client_for, executive, project, cast):
    for n in range(30):
        RiskFactory(project=project, title=f"Bulk {n:02d}", probability=4, impact=5)
    client = client_for(executive)
    first = client.get(page_url("?probability=4&impact=5&sort=title"))
    assert first.context["page"].paginator.count == 33
    assert first.context["page"].object_list[0].title == "Bulk 00"
    assert first.context["sort"] == "title"
    last = client.get(page_url("?probability=4&impact=5&sort=-title&page=999999"))
    assert last.status_code == 200
    assert last.context["page"].number == last.context["page"].paginator.num_pages


@pytest.mark.parametrize(
    "query", ["?probability=abc&impact=5", "?probability=9&impact=5", "?probability=4&impact=1e999"]
)
def test_bad_cell_names_the_field_instead_of_listing(client_for, owner, cast, query):
    response = client_for(owner).get(page_url(query))
    assert response.status_code == 400
    assert "page" not in response.context
    assert "probability" in response.context["cell_errors"] or "impact" in response.context["cell_errors"]


def test_unknown_sort_falls_back_to_the_default(client_for, owner, cast):
    response = client_for(owner).get(page_url("?probability=4&impact=5&sort=nonexistent"))
    assert response.context["sort"] == "-score"
    assert titles(response) == {"Hit project", "Hit program"}


def test_page_without_a_cell_shows_no_list(client_for, owner, cast):
    response = client_for(owner).get(page_url())
    assert "page" not in response.context
    assert "cell-risks" not in response.content.decode()


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# Measured on SQLite: the portfolio page's 10 (heat map, top risks, exposure, programs, session,
# user, portfolio) plus the cell list's count and page.
CELL_PAGE_QUERIES = 14  # with the notification bell's unread count and the Planning entry's check


@pytest.mark.parametrize("viewer", ["executive", "owner"])
def test_cell_list_query_count_does_not_grow_with_rows(request, client_for, viewer, portfolio, program, project, cast):
    client = client_for(request.getfixturevalue(viewer))
    path = page_url("?probability=4&impact=5&sort=owner")

    def grow(n: int) -> None:
        for _ in range(n):
            other = ProgramFactory(portfolio=portfolio)
            RiskFactory(program=other, probability=4, impact=5)
            RiskFactory(project=ProjectFactory(program=program), probability=4, impact=5)
            RiskFactory(program=program, probability=4, impact=5)

    grow(2)
    few = _count(client, path)
    grow(8)
    many = _count(client, path)
    assert few == many
    assert many == CELL_PAGE_QUERIES
