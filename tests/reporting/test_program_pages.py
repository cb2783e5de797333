"""The program costs, staffing and governance pages read their headline figures and per-project
tables from the summary tables: the figures shown are the roll-ups' figures, a pending
recompute is announced, the query count does not grow with the projects, and program totals
are for people who see the program whole (outsiders 404, project members get their projects
only, and 404 on program money exports and API)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.changes import inputs_changed
from core.money import format_money
from reporting.models import ProjectRollup
from tests.budgets.test_views_support import *  # noqa: F403 (the money fixtures)
from tests.factories.governance import ChangeRequestFactory, StageGateFactory
from tests.factories.projects import ProjectFactory
from tests.factories.reporting import ProgramRollupFactory, ProjectRollupFactory
from tests.factories.staffing import AllocationFactory, StaffingRequestFactory

D = Decimal
COSTS = reverse("budgets:program-costs", args=["MOD"])
STAFFING = reverse("staffing:program-staffing", args=["MOD"])
GOVERNANCE = reverse("governance:program-governance", args=["MOD"])
PAGES = [COSTS, STAFFING, GOVERNANCE]

PROGRAM_FIGURES = {
    "bac": D("1200000.00"),
    "pv": D("600000.00"),
    "ev": D("540000.00"),
    "ac": D("610000.00"),
    "eac": D("1355555.56"),
    "etc": D("745555.56"),
    "vac": D("-155555.56"),
    "cpi": D("0.8852"),
    "spi": D("0.9000"),
    "spi_t": D("0.9100"),
    "tcpi": D("1.1475"),
    "residual_emv": D("250000.00"),
    "reserve_remaining": D("100000.00"),
    "exposure_uncovered": D("150000.00"),
    "fte_requested": D("12.50"),
    "fte_allocated": D("9.75"),
    "people_overallocated": 4,
    "gates_due": 3,
    "change_requests_waiting": 7,
    "health_cost": "red",
    "health_staffing": "amber",
    "health_governance": "green",
    "health_reasons": {"cost": "CPI 0.89 < 0.90", "staffing": "4 people over-allocated ≥ 3"},
}


@pytest.fixture(autouse=True)
def plain_static(settings):
    # The manifest static storage of DEBUG=False needs collectstatic; pages render without it here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def project_figures(n: int) -> dict:
    return {
        "bac": D(1000 * n),
        "pv": D(500 * n),
        "ev": D(450 * n),
        "ac": D(400 * n),
        "eac": D(900 * n),
        "vac": D(100 * n),
        "cpi": D("1.1250"),
        "spi": D("0.9000"),
        "fte_requested": D(n),
        "fte_allocated": D(n) / 2,
        "people_overallocated": n % 2,
        "health_staffing": "amber",
    }


def add_projects(program, count: int, start: int = 0) -> list:
    """`count` projects with a roll-up each and source rows on every page: an allocation, a
    staffing request, a pending gate and a submitted change request."""
    made = []
    for n in range(start, start + count):
        project = ProjectFactory(program=program, code=f"MOD-{n:03d}", name=f"Project {n}")
        AllocationFactory(project=project, start=dt.date.today(), end=dt.date.today() + dt.timedelta(days=30))
        StaffingRequestFactory(project=project, start=dt.date.today(), end=dt.date.today() + dt.timedelta(days=30))
        StageGateFactory(project=project)
        ChangeRequestFactory(project=project, status="submitted")
        ProjectRollupFactory(project=project, **project_figures(n + 1))
        made.append(project)
    return made


def count(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries), response


@pytest.mark.django_db
class TestQueryCounts:
    @pytest.mark.parametrize("url", PAGES)
    def test_two_and_ten_projects_cost_the_same_queries(self, client_for, owner, program, url):
        ProgramRollupFactory(program=program, **PROGRAM_FIGURES)
        client = client_for(owner)
        add_projects(program, 2)
        small, _ = count(client, url)
        add_projects(program, 8, start=2)
        large, _response = count(client, url)
        assert small == large, f"{url}: {small} queries for 2 projects, {large} for 10"
        print(f"{url}: {large} queries")


@pytest.mark.django_db
class TestFiguresAreTheRollups:
    def test_costs_headline_and_rows_are_the_rollup_figures(self, client_for, owner, program):
        ProgramRollupFactory(program=program, **PROGRAM_FIGURES)
        projects = add_projects(program, 2)
        response = client_for(owner).get(COSTS)
        figures = {f["key"]: f["text"] for f in response.context["summary_evm"]}
        assert figures["bac"] == format_money(D("1200000.00"), "EUR")
        assert figures["vac"] == format_money(D("-155555.56"), "EUR")
        assert figures["cpi"] == "0.885"
        assert figures["tcpi"] == "1.148"
        exposure = {f["key"]: f["text"] for f in response.context["summary_exposure"]}
        assert exposure["exposure_uncovered"].endswith("150,000.00")
        assert response.context["cost_health"] == {"value": "red", "reason": "CPI 0.89 < 0.90"}
        rows = {row["project"].code: row["figures"] for row in response.context["project_rows"]}
        assert rows[projects[0].code]["bac"] == "1,000.00"
        assert rows[projects[1].code]["bac"] == "2,000.00"
        assert rows[projects[1].code]["cpi"] == "1.125"
        body = response.content.decode()
        assert "CPI 0.89 &lt; 0.90" in body or "CPI 0.89 < 0.90" in body

    def test_costs_rows_follow_the_rollup_when_it_changes(self, client_for, owner, program, project):
        ProjectRollupFactory(project=project, bac=D("10.00"))
        client = client_for(owner)
        assert client.get(COSTS).context["project_rows"][0]["figures"]["bac"] == "10.00"
        ProjectRollup.objects.filter(project=project).update(bac=D("25.00"))
        assert client.get(COSTS).context["project_rows"][0]["figures"]["bac"] == "25.00"

    def test_staffing_headline_and_rows_are_the_rollup_figures(self, client_for, owner, program):
        ProgramRollupFactory(program=program, **PROGRAM_FIGURES)
        projects = add_projects(program, 2)
        response = client_for(owner).get(STAFFING)
        rollup = response.context["summary"].rollup
        assert (rollup.fte_requested, rollup.fte_allocated, rollup.people_overallocated) == (D("12.50"), D("9.75"), 4)
        body = response.content.decode()
        assert "12.50" in body
        assert "9.75" in body
        assert "4 people over-allocated ≥ 3" in body
        rows = {row["project"].code: row["rollup"] for row in response.context["by_project"]}
        assert rows[projects[1].code].fte_requested == D(2)

    def test_governance_headline_is_the_rollup_figures(self, client_for, owner, program):
        ProgramRollupFactory(program=program, **PROGRAM_FIGURES)
        response = client_for(owner).get(GOVERNANCE)
        body = response.content.decode()
        assert response.context["summary"].rollup.gates_due == 3
        assert "<dt>Gates due</dt><dd>3</dd>" in body
        assert "<dt>Change requests waiting</dt><dd>7</dd>" in body
        assert response.context["governance_health"]["value"] == "green"


@pytest.mark.django_db
class TestFreshness:
    @pytest.mark.parametrize("url", PAGES)
    def test_a_pending_recompute_shows_the_old_figures_with_a_notice(self, client_for, owner, program, url):
        ProgramRollupFactory(program=program, **PROGRAM_FIGURES)
        inputs_changed(programs=[program])  # a write: the summary is now one version behind
        response = client_for(owner).get(url)
        assert response.context["summary"].stale is True
        assert "being recomputed" in response.content.decode()

    @pytest.mark.parametrize("url", PAGES)
    def test_a_current_summary_shows_as_of_without_a_notice(self, client_for, owner, program, url):
        ProgramRollupFactory(program=program, **PROGRAM_FIGURES)
        response = client_for(owner).get(url)
        assert response.context["summary"].stale is False
        body = response.content.decode()
        assert "as of " in body
        assert "being recomputed" not in body

    @pytest.mark.parametrize("url", PAGES)
    def test_no_summary_yet_says_so(self, client_for, owner, program, project, url):
        response = client_for(owner).get(url)
        assert response.status_code == 200
        assert response.context["summary"].exists is False
        assert "Not computed yet" in response.content.decode()

    def test_a_project_without_a_rollup_reads_not_computed_yet(self, client_for, owner, project):
        response = client_for(owner).get(COSTS)
        assert response.context["project_rows"][0]["figures"] is None
        assert "Not computed yet" in response.content.decode()


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("url", PAGES)
    def test_outsider_gets_404(self, client_for, outsider, program, url):
        ProgramRollupFactory(program=program, **PROGRAM_FIGURES)
        assert client_for(outsider).get(url).status_code == 404

    @pytest.mark.parametrize("url", PAGES)
    def test_team_member_gets_their_projects_without_program_totals(self, client_for, member, program, project, url):
        ProgramRollupFactory(program=program, **PROGRAM_FIGURES)
        ProjectRollupFactory(project=project, **project_figures(1))
        hidden = ProjectFactory(program=program, code="MOD-HID", name="Hidden")
        ProjectRollupFactory(project=hidden, **project_figures(7))
        response = client_for(member).get(url)
        assert response.status_code == 200
        assert response.context["partial_view"] is True
        assert response.context.get("summary") is None
        body = response.content.decode()
        assert "Program summary" not in body
        assert "MOD-HID" not in body
        assert "1,200,000.00" not in body

    @pytest.mark.parametrize(
        "url",
        [
            reverse("budgets:program-budget-export", args=["MOD"]),
            reverse("budgets:program-evm-export", args=["MOD"]),
        ],
    )
    def test_team_member_gets_404_on_program_money_exports(self, client_for, member, url):
        assert client_for(member).get(url).status_code == 404

    @pytest.mark.parametrize("path", ["evm", "s-curve", "budget-by-period"])
    def test_team_member_and_outsider_get_404_on_program_money_api(self, member, outsider, program, path):
        for user in (member, outsider):
            client = APIClient()
            client.force_authenticate(user)
            assert client.get(f"/api/v1/programs/{program.pk}/{path}/").status_code == 404

    @pytest.mark.parametrize("reader", ["owner", "executive"])
    @pytest.mark.parametrize("url", PAGES)
    def test_program_and_portfolio_roles_see_the_totals(self, client_for, request, program, reader, url):
        ProgramRollupFactory(program=program, **PROGRAM_FIGURES)
        response = client_for(request.getfixturevalue(reader)).get(url)
        assert response.context["partial_view"] is False
        assert "Program summary" in response.content.decode()


@pytest.mark.django_db
class TestAfterARealRecompute:
    """With the roll-ups recomputed from source rows (the worker's computation), the program cost
    page's per-project row shows what the project's own cost page computes, labour included."""

    def test_the_per_project_row_is_the_project_cost_page_evm(self, client_for, owner, money, rollups):
        from budgets.selectors import project_evm
        from budgets.views._common import display
        from staffing.selectors import labour_forecasts

        rollups()
        own = project_evm(project=money, labour_forecasts=labour_forecasts).figures
        row = client_for(owner).get(COSTS).context["project_rows"][0]
        assert row["project"] == money
        assert row["summary"].stale is False
        for name in ("bac", "pv", "ev", "ac", "eac", "vac"):
            assert row["figures"][name] == display(getattr(own, name), "money", ""), name
        assert row["figures"]["cpi"] == display(own.cpi, "index")
