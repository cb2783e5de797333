"""Every list endpoint issues the same number of queries for 3 rows as for 30.

The viewer is the cast's executive (portfolio-wide reader), so each count includes the
membership subqueries of visible_to as they run in production.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.services import api_token_create
from portfolio.models import Membership, ProgramObjective
from projects.services import status_report_submit
from tests.factories.portfolio import MembershipFactory, PortfolioFactory, ProgramFactory, StrategicObjectiveFactory
from tests.factories.projects import ProjectFactory
from tests.factories.users import UserFactory

Role = Membership.Role
SMALL, LARGE = 3, 30

LIST_ENDPOINTS = {
    "portfolios": "/api/v1/portfolios/",
    "objectives": "/api/v1/objectives/",
    "programs": "/api/v1/programs/",
    "programs (filtered, ordered)": "/api/v1/programs/?status=active&ordering=-project_count",
    "projects": "/api/v1/projects/",
    "projects (filtered, searched)": "/api/v1/projects/?phase=execution&search=PRJ&ordering=-planned_start",
    "status-reports": "/api/v1/status-reports/",
    "memberships": "/api/v1/memberships/",
    "tokens": "/api/v1/tokens/",
}


def add_rows(count: int, *, viewer, portfolio, author) -> None:
    """`count` more rows in every listed resource, all visible to `viewer`, each with every
    related object the serializers show (manager, sponsor, objectives, latest report)."""
    for _ in range(count):
        MembershipFactory(user=viewer, role=Role.EXECUTIVE, portfolio=PortfolioFactory())
        program = ProgramFactory(portfolio=portfolio, sponsor=UserFactory())
        objective = StrategicObjectiveFactory(portfolio=portfolio)
        ProgramObjective.objects.create(program=program, objective=objective, weight=Decimal("60"))
        project = ProjectFactory(program=program, manager=UserFactory())
        MembershipFactory(user=UserFactory(), role=Role.TEAM_MEMBER, project=project)
        status_report_submit(
            actor=author,
            project=project,
            period_end=datetime.date(2026, 10, 31),
            overall_rag="green",
            schedule_rag="green",
            cost_rag="amber",
            scope_rag="green",
            risk_rag="green",
            percent_complete=Decimal("40"),
            summary="On track.",
        )
        api_token_create(user=viewer, name="integration")


def queries_for(client, url: str) -> tuple[int, int]:
    """(queries, rows) for one GET of `url`."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_ENDPOINTS)
def test_list_query_count_does_not_grow_with_rows(api_for, executive, owner, portfolio, name):
    url = LIST_ENDPOINTS[name]
    client = api_for(executive)
    add_rows(SMALL, viewer=executive, portfolio=portfolio, author=owner)
    client.get(url)  # warm per-process caches (content types, etc.) before counting
    small_queries, small_rows = queries_for(client, url)
    add_rows(LARGE - SMALL, viewer=executive, portfolio=portfolio, author=owner)
    large_queries, large_rows = queries_for(client, url)

    assert large_rows > small_rows >= SMALL  # the pages really did grow
    assert large_queries == small_queries, (
        f"{name}: {small_queries} queries for {small_rows} rows, {large_queries} for {large_rows}"
    )
