"""A figure shown in two places is computed once, and two figures that rightly differ are
labelled so a reader sees why (issue 9, item 7): one default status date for project and program
earned value; the EVM API's `as_of` is the status date (no `status_date` repeating it); earned
schedule's forecast finish beside the CPM schedule's; the program page's contingency figures."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from budgets.selectors import evm_s_curve, program_evm, project_evm, project_evms
from budgets.services import reserve_drawdown
from projects.models import Project
from risks.selectors import portfolio_exposure, program_exposure, program_risk_summary
from tests.conftest import recompute_rollups
from tests.factories.projects import ProjectFactory

from .test_views_support import *  # noqa: F403
from .test_views_support import D

PROJECT_COSTS = reverse("budgets:project-costs", args=["MOD-ERP"])
PROGRAM_COSTS = reverse("budgets:program-costs", args=["MOD"])
PROGRAM = reverse("portfolio:program-detail", args=["MOD"])
STATUS = dt.date(2026, 2, 14)  # the money fixture's status date

pytestmark = pytest.mark.django_db


@pytest.fixture
def sibling(program):
    """A second project of the program whose progress was recorded earlier."""
    return ProjectFactory(program=program, code="MOD-HR", status_date=dt.date(2026, 1, 31))


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def figure(body: str, name: str) -> str:
    """The text of the <dd data-figure="name"> on a page."""
    match = re.search(rf'data-figure="{name}"[^>]*>(.*?)</(?:dd|span)>', body, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --- one default status date ----------------------------------------------------------------


def test_project_and_program_evm_default_to_the_same_status_date(money, sibling, program):
    assert project_evm(project=money).as_of == STATUS
    assert program_evm(program=program).as_of == STATUS  # the newest of its projects', not today
    assert evm_s_curve(program=program).as_of == STATUS
    assert evm_s_curve(project=money).as_of == STATUS
    rows = project_evms(program=program, projects=[money, sibling])
    assert {report.as_of for report in rows.values()} == {STATUS}


def test_a_program_without_status_dates_defaults_like_a_project_without_one(program, project):
    assert program_evm(program=program).as_of == project_evm(project=project).as_of


def test_project_and_program_cost_pages_open_on_the_same_status_date(client_for, owner, money, sibling):
    client = client_for(owner)
    project_page = client.get(PROJECT_COSTS).context["evm"]
    program_page = client.get(PROGRAM_COSTS).context["evm"]
    assert project_page.as_of == program_page.as_of == STATUS


def test_evm_api_gives_as_of_once_and_the_same_default_for_project_and_program(owner, money, sibling, program):
    client = api(owner)
    project_body = client.get(f"/api/v1/projects/{money.pk}/evm/").json()
    program_body = client.get(f"/api/v1/programs/{program.pk}/evm/").json()
    assert project_body["as_of"] == program_body["as_of"] == STATUS.isoformat()
    assert "status_date" not in project_body
    assert "status_date" not in program_body


def test_evm_schema_documents_as_of_and_no_status_date(client_for, owner):
    schema = client_for(owner).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    properties = schema["components"]["schemas"]["EvmReport"]["properties"]
    assert "status_date" not in properties
    assert "status date" in properties["as_of"]["description"]
    assert "CPM" in properties["forecast_finish"]["description"]


# --- two forecast finishes, labelled --------------------------------------------------------


def test_cost_page_shows_both_forecast_finishes_labelled_and_the_cpm_one_as_the_schedule_does(
    client_for, member, money
):
    # 22:30 UTC on 30 June is 1 July in Paris: every page shows the project's own day.
    Project.objects.filter(pk=money.pk).update(
        forecast_finish=dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC), time_zone="Europe/Paris"
    )
    client = client_for(member)
    response = client.get(PROJECT_COSTS)
    body = response.content.decode()
    assert response.context["cpm_finish"] == dt.date(2026, 7, 1)
    assert "Forecast finish (earned schedule)" in body
    assert "Forecast finish (CPM schedule)" in body
    assert "01 Jul 2026" in body
    assert "projects the pace so far" in body  # the explanation of why they differ
    detail = client.get(reverse("projects:project-detail", args=["MOD-ERP"])).content.decode()
    assert "Forecast finish (CPM schedule)" in detail
    assert "1 Jul 2026" in detail
    schedule = client.get(reverse("projects:schedule", args=["MOD-ERP"])).content.decode()
    assert "Forecast finish (CPM schedule)" in schedule
    assert figure(schedule, "forecast-finish") == "Wed 1 Jul 2026"


def test_program_cost_page_labels_its_forecast_finish_as_earned_schedule(client_for, owner, money):
    body = client_for(owner).get(PROGRAM_COSTS).content.decode()
    assert "Forecast finish (earned schedule)" in body
    assert "Forecast finish (CPM schedule)" not in body  # a program has no CPM finish of its own


# --- contingency: budgeted, drawn down, left --------------------------------------------------


@pytest.fixture
def drawn(money, program):
    program.contingency_reserve = D("100000")
    program.save()
    reserve_drawdown(actor=None, project=money, reserve="contingency", amount=D("1200"), reason="Data fix")
    reserve_drawdown(actor=None, program=program, reserve="contingency", amount=D("3000"), reason="Vendor claim")
    return program


def test_program_page_labels_both_contingency_figures_and_shows_the_drawdowns(client_for, owner, drawn):
    # The program page reads the program's roll-up, which takes contingency left from the same
    # exposure selector (budgeted and drawn are checked there: the page shows what is left).
    total = program_risk_summary(program=drawn, user=owner).exposure.total
    assert (total.reserves.contingency, total.reserves.contingency_drawn) == (D("105000"), D("4200"))
    assert total.contingency_remaining == D("100800")
    recompute_rollups()
    response = client_for(owner).get(PROGRAM)
    body = response.content.decode()
    assert "Program contingency, budgeted" in body
    assert "the program's own, before drawdowns" in body
    assert figure(body, "program-contingency-budgeted") == "EUR\u00a0100,000.00"
    assert "Reserves of the program and its projects together; what is left is the budget less drawdowns." in body
    assert figure(body, "contingency-left") == "EUR\u00a0100,800.00"
    assert response.context["dashboard"].state.rollup.reserve_remaining == total.contingency_remaining


def test_contingency_left_on_the_program_page_is_what_the_cost_pages_show_remaining(client_for, owner, drawn):
    client = client_for(owner)
    recompute_rollups()
    left = client.get(PROGRAM).context["dashboard"].state.rollup.reserve_remaining
    project_page = client.get(PROJECT_COSTS)
    program_page = client.get(PROGRAM_COSTS)
    assert project_page.context["reserves"].contingency_remaining == D("3800")
    assert program_page.context["reserves"].contingency_remaining == D("97000")
    assert left == project_page.context["reserves"].contingency_remaining + (
        program_page.context["reserves"].contingency_remaining
    )
    assert "Program-level reserves" in program_page.content.decode()  # so 97,000 is not read as the total


def test_reported_and_earned_percent_complete_are_labelled_apart(client_for, owner, money):
    """The status report's percent complete and EV / BAC differ by source and day: each says which."""
    client = client_for(owner)
    assert "% complete (earned)" in client.get(PROJECT_COSTS).content.decode()
    assert "Complete (reported)" in client.get(PROGRAM).content.decode()
    assert "Complete (reported)" in client.get(reverse("projects:project-list")).content.decode()


def test_portfolio_exposure_gives_a_program_the_reserves_its_program_page_shows(drawn, portfolio, executive):
    [row] = portfolio_exposure(portfolio=portfolio, user=executive).rows
    assert row.reserves == program_exposure(program=drawn).total.reserves
    assert row.contingency_remaining == D("100800")
