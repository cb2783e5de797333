"""Every risks page and list endpoint issues the same number of queries for a few rows as for
many. The viewer is the cast's executive (a portfolio-wide reader), so each count includes the
membership subqueries of visible_to as they run in production. The counts measured are
asserted exactly, so a change in them is noticed."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from budgets.models import ReserveTransaction
from risks import services
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.risks import IssueFactory, MitigationActionFactory, RiskFactory, RiskScoreHistoryFactory

SMALL, LARGE = 2, 8


def add_rows(count: int, *, program, project, risk, portfolio) -> None:
    """`count` more rows of everything: risks on the project and the program (escalated ones
    too), on new projects and programs of the portfolio, with actions, history, tasks, issues and
    drawdowns — and on the one `risk` the detail page shows."""
    for _ in range(count):
        other_program = ProgramFactory(portfolio=portfolio)
        other_project = ProjectFactory(program=program, contingency_reserve=Decimal("1000"))
        ReserveTransaction.objects.create(
            scope="project", project=other_project, reserve="contingency", amount=Decimal("1"), reason="x"
        )
        for where in (
            {"project": project},
            {"program": program},
            {"project": other_project},
            {"program": other_program},
        ):
            r = RiskFactory(**where, escalated_at="2026-01-01T00:00Z" if "project" in where else None)
            MitigationActionFactory(risk=r)
            RiskScoreHistoryFactory(risk=r)
            IssueFactory(**where, risk=r)
        task = TaskFactory(project=project)
        risk.tasks.add(task)
        MitigationActionFactory(risk=risk)
        RiskScoreHistoryFactory(risk=risk)


def test_risk_detail_for_an_editor_adds_only_the_owner_choices_of_the_action_form(
    setup, owner, client_for, portfolio, program, project
):
    url = reverse("risks:risk-detail", args=[setup["risk"].pk])
    add_rows(SMALL, program=program, project=project, risk=setup["risk"], portfolio=portfolio)
    few = count_queries(client_for(owner), url)
    add_rows(LARGE - SMALL, program=program, project=project, risk=setup["risk"], portfolio=portfolio)
    assert count_queries(client_for(owner), url) == few == EXPECTED["risk detail"] + 1


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(ctx.captured_queries)


@pytest.fixture
def setup(db, portfolio, program, project, executive):
    risk = services.risk_create(
        actor=None, project=project, title="Watched", category="technical", probability=3, impact=3
    )
    return {"risk": risk}


PAGES = {
    "project register": lambda s: reverse("risks:project-register", args=["MOD-ERP"]),
    "project register filtered": lambda s: (
        reverse("risks:project-register", args=["MOD-ERP"]) + "?status=open&band=medium&sort=-emv"
    ),
    "program register": lambda s: reverse("risks:program-register", args=["MOD"]),
    "program register, all, residual": lambda s: (
        reverse("risks:program-register", args=["MOD"]) + "?all=1&matrix=residual"
    ),
    "portfolio risks": lambda s: reverse("risks:portfolio-risks", args=["CORP"]),
    "risk detail": lambda s: reverse("risks:risk-detail", args=[s["risk"].pk]),
    "project issues": lambda s: reverse("risks:issue-list-project", args=["MOD-ERP"]),
    "program issues": lambda s: reverse("risks:issue-list-program", args=["MOD"]),
}
ENDPOINTS = {
    "risks": lambda s: "/api/v1/risks/",
    "risks filtered": lambda s: "/api/v1/risks/?band=medium&status=open&ordering=-emv&search=Risk",
    "mitigation-actions": lambda s: "/api/v1/mitigation-actions/",
    "issues": lambda s: "/api/v1/issues/",
    "risk-history": lambda s: "/api/v1/risk-history/",
    "heat map (program, all)": lambda s: f"/api/v1/risks/heat-map/?program={s['program'].pk}&include_projects=1",
    "heat map (portfolio)": lambda s: f"/api/v1/risks/heat-map/?portfolio={s['portfolio'].pk}",
    "exposure (project)": lambda s: f"/api/v1/risks/exposure/?project={s['project'].pk}",
    "exposure (program)": lambda s: f"/api/v1/risks/exposure/?program={s['program'].pk}",
    "exposure (portfolio)": lambda s: f"/api/v1/risks/exposure/?portfolio={s['portfolio'].pk}",
}
# Measured on SQLite; each includes the session and user reads of the request, and a page the
# notification bell's unread count (one COUNT).
# Pages include the top bar's one query for its Planning entry (planning_tags.planning_visible).
EXPECTED = {
    "project register": 13,
    "project register filtered": 13,
    "program register": 16,
    "program register, all, residual": 16,
    "portfolio risks": 12,
    "risk detail": 10,
    "project issues": 9,
    "program issues": 10,
    "risks": 5,
    "risks filtered": 5,
    "mitigation-actions": 4,
    "issues": 4,
    "risk-history": 4,
    "heat map (program, all)": 4,
    "heat map (portfolio)": 4,
    "exposure (project)": 5,
    "exposure (program)": 7,
    "exposure (portfolio)": 7,
}

# API lists whose base queryset filters on `__in_array` id sets (risks and issues: the projects
# and programs the user sees; mitigation actions and history follow their risk's subquery).
READS_ID_SETS = {"risks", "risks filtered", "issues"}


@pytest.mark.parametrize("name", list(PAGES) + list(ENDPOINTS))
def test_query_count_does_not_grow_with_rows(name, setup, executive, portfolio, program, project, client_for):
    s = {**setup, "portfolio": portfolio, "program": program, "project": project}
    if name in PAGES:
        client, url = client_for(executive), PAGES[name](s)
    else:
        client = APIClient()
        client.force_login(executive)
        url = ENDPOINTS[name](s)
    add_rows(SMALL, program=program, project=project, risk=setup["risk"], portfolio=portfolio)
    few = count_queries(client, url)
    add_rows(LARGE - SMALL, program=program, project=project, risk=setup["risk"], portfolio=portfolio)
    many = count_queries(client, url)
    assert few == many, name
    # On PostgreSQL a list whose access check uses id sets reads them once, in one query, before
    # its COUNT and page (core.pagination.KeelPagination): one more query, whatever the rows.
    expected = EXPECTED[name] + (1 if connection.vendor == "postgresql" and name in READS_ID_SETS else 0)
    assert many == expected, f"{name}: {many} queries"
