"""The portfolio health board: one row per program the user sees, figures read from the
programs' roll-ups (tests/factories/reporting.py), money only for programs the reader oversees;
sorting, filtering, the htmx table fragment, the Excel workbook, and a query count that does not
grow with the programs."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reporting import board
from tests.factories.portfolio import ProgramFactory, ProgramObjectiveFactory, StrategicObjectiveFactory
from tests.factories.projects import ProjectFactory
from tests.factories.reporting import (
    MetricSnapshotFactory,
    PortfolioRollupFactory,
    ProgramRollupFactory,
    program_figures,
)

D = Decimal


@pytest.fixture(autouse=True)
def plain_static(settings):
    # The manifest static storage of DEBUG=False needs collectstatic; pages render without it here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def board_url(portfolio, query: str = "") -> str:
    return reverse("reporting:portfolio-board", args=[portfolio.pk]) + query


def export_url(portfolio, query: str = "") -> str:
    return reverse("reporting:portfolio-board-export", args=[portfolio.pk]) + query


def add_programs(portfolio, count: int, start: int = 0) -> list:
    """`count` programs with roll-ups, an objective link, a project and two weekly snapshots each."""
    objective = StrategicObjectiveFactory(portfolio=portfolio, code=f"SO{start}")
    programs = []
    today = dt.date.today()
    for n in range(start, start + count):
        program = ProgramFactory(portfolio=portfolio, code=f"P{n:03d}", name=f"Program {n:03d}")
        ProjectFactory(program=program, code=f"P{n:03d}-A")
        program_figures(program, cpi=D("0.80") + D(n) / 100, ev=D(1000 * (n + 1)), bac=D(10000 * (n + 1)))
        ProgramObjectiveFactory(program=program, objective=objective, weight=D(50))
        for weeks_ago, cpi in ((3, D("0.95")), (0, D("0.85"))):
            MetricSnapshotFactory(program=program, day=today - dt.timedelta(weeks=weeks_ago), cpi=cpi, spi=D(1))
        programs.append(program)
    return programs


@pytest.fixture
def figures(program, project, portfolio):
    """MOD with red-on-cost figures, and the portfolio's roll-up."""
    ProgramRollupFactory(
        program=program,
        **{
            "health_overall": "red",
            "health_cost": "red",
            "health_reasons": {"cost": "CPI 0.82 < 0.90"},
            "reported_rag": "green",
            "health_disagrees": True,
            "bac": D("1000000.00"),
            "eac": D("1219512.20"),
            "vac": D("-219512.20"),
            "ev": D("400000.00"),
            "ac": D("487804.88"),
            "cpi": D("0.8200"),
            "spi": D("0.9700"),
            "emv": D("45000.00"),
            "reserve_remaining": D("40000.00"),
            "exposure_uncovered": D("5000.00"),
            "slip_working_days": 12,
            "forecast_finish": dt.date(2027, 6, 30),
            "milestones_late": 2,
            "milestones_due_90": 5,
            "fte_requested": D("10.00"),
            "fte_allocated": D("7.50"),
            "people_overallocated": 3,
        },
    )
    PortfolioRollupFactory(
        portfolio=portfolio,
        health_overall="amber",
        cpi=D("0.9100"),
        spi=D("0.9600"),
        bac=D("5000000.00"),
        eac=D("5400000.00"),
        vac=D("-400000.00"),
        emv=D("300000.00"),
        reserve_remaining=D("250000.00"),
        exposure_uncovered=D("50000.00"),
        projects_red=1,
        projects_amber=2,
        projects_green=3,
        milestones_late=4,
    )
    return program


def test_outsider_gets_404_for_the_board_and_its_workbook(client_for, outsider, portfolio, figures):
    client = client_for(outsider)
    assert client.get(board_url(portfolio)).status_code == 404
    assert client.get(export_url(portfolio)).status_code == 404


def test_executive_sees_program_figures_from_the_rollup(client_for, executive, portfolio, figures):
    response = client_for(executive).get(board_url(portfolio))
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.program == figures
    assert row.overseen
    assert row.rollup.cpi == D("0.8200")
    assert row.fte_gap == D("2.50")
    assert row.emv_percent_of_reserve == D(113)
    html = response.content.decode()
    assert "CPI 0.82 &lt; 0.90" in html  # the reason beside computed health
    assert 'data-figure="cpi">0.82' in html
    assert "1.22M" in html
    assert "of 1M" in html
    assert "12 working days" in html
    assert "2 late" in html
    assert "5 due in 90 days" in html
    assert "2.5 FTE short" in html
    assert "3 over-allocated" in html
    # The portfolio's headline tiles, for a reader who oversees the portfolio.
    assert response.context["headline"].rollup.cpi == D("0.9100")
    assert 'data-figure="portfolio-cpi">0.91' in html
    assert "1 red" in html
    assert "2 amber" in html
    assert "3 green" in html


def test_reader_who_does_not_oversee_gets_colours_only(client_for, member, portfolio, figures):
    response = client_for(member).get(board_url(portfolio))
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert not row.overseen
    assert row.rollup is None
    assert row.state.health == "red"
    assert row.state.reason == ""  # the rule quotes program-wide figures
    html = response.content.decode()
    assert board.NOT_OVERSEEN in html
    assert "0.82" not in html
    assert "1.22M" not in html
    assert response.context["headline"].rollup is None
    assert response.context["bubbles"] == []


def test_sort_by_cpi_orders_worst_first_and_reverses(client_for, executive, portfolio):
    add_programs(portfolio, 4)
    ProgramRollupFactory(program=ProgramFactory(portfolio=portfolio, code="NOFIG", name="No figures"))
    client = client_for(executive)
    codes = [r.program.code for r in client.get(board_url(portfolio, "?sort=cpi")).context["rows"]]
    assert codes == ["P000", "P001", "P002", "P003", "NOFIG"]  # no CPI last
    codes = [r.program.code for r in client.get(board_url(portfolio, "?sort=-cpi")).context["rows"]]
    assert codes == ["P003", "P002", "P001", "P000", "NOFIG"]


def test_sort_by_reported_rag_puts_the_worst_first(client_for, executive, portfolio):
    for code, rag in (("GRN", "green"), ("RED", "red"), ("NONE", ""), ("AMB", "amber")):
        ProgramRollupFactory(program=ProgramFactory(portfolio=portfolio, code=code, name=code), reported_rag=rag)
    rows = client_for(executive).get(board_url(portfolio, "?sort=reported")).context["rows"]
    assert [r.program.code for r in rows] == ["RED", "AMB", "GRN", "NONE"]


def test_unknown_sort_is_a_400_naming_sort(client_for, executive, portfolio, figures):
    for url in (board_url(portfolio, "?sort=colour"), export_url(portfolio, "?sort=colour")):
        response = client_for(executive).get(url)
        assert response.status_code == 400
        assert "<code>sort</code>" in response.content.decode()


def test_unknown_filter_is_refused_naming_it(client_for, executive, portfolio, figures):
    response = client_for(executive).get(board_url(portfolio, "?manager=1"))
    assert response.status_code == 400
    assert "manager" in response.content.decode()


def test_filters_by_computed_health_reported_rag_and_disagreement(client_for, executive, portfolio, figures):
    ProgramRollupFactory(program=ProgramFactory(portfolio=portfolio, code="CALM"), health_overall="green")
    client = client_for(executive)

    def codes(query):
        return [r.program.code for r in client.get(board_url(portfolio, query)).context["rows"]]

    assert codes("?computed_health=red") == ["MOD"]
    assert codes("?computed_health=green") == ["CALM"]
    assert codes("?reported=green") == ["MOD"]
    assert codes("?disagrees=true") == ["MOD"]
    assert codes("?disagrees=false") == ["CALM"]
    bad = client.get(board_url(portfolio, "?computed_health=purple"))
    assert bad.status_code == 400
    assert "computed_health" in bad.context["filter"].errors


def test_htmx_request_gets_the_table_fragment_only(client_for, executive, portfolio, figures):
    response = client_for(executive).get(board_url(portfolio, "?sort=-cpi"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="board-table"' in html
    assert "<html" not in html
    assert "Strategic objective coverage" not in html
    assert "HX-Request" in response["Vary"]
    full = client_for(executive).get(board_url(portfolio)).content.decode()
    assert 'hx-target="#board-table"' in full
    assert 'hx-push-url="true"' in full


def test_workbook_opens_and_has_the_filtered_sorted_rows(client_for, executive, portfolio, figures):
    add_programs(portfolio, 3)
    response = client_for(executive).get(export_url(portfolio, "?sort=cpi&computed_health=red"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Programs", "Objectives", "Portfolio"]
    sheet = workbook["Programs"]
    header = [c.value for c in sheet[1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[0] for row in rows] == ["P000", "P001", "MOD", "P002"]  # CPI 0.80, 0.81, 0.82 (ties by name)
    mod = dict(zip(header, rows[2], strict=True))
    assert mod["CPI"] == pytest.approx(0.82)
    assert mod["EAC"] == pytest.approx(1219512.20)
    cell = sheet.cell(row=4, column=header.index("EAC") + 1)
    assert '"EUR"' in cell.number_format
    assert mod["Slip (working days)"] == 12


def test_workbook_gives_colours_only_to_a_reader_who_does_not_oversee(client_for, member, portfolio, figures):
    response = client_for(member).get(export_url(portfolio))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Programs", "Objectives"]
    header = [c.value for c in workbook["Programs"][1]]
    row = dict(zip(header, [c.value for c in workbook["Programs"][2]], strict=True))
    assert row["Computed health"] == "Red"
    assert row["CPI"] is None
    assert row["EAC"] is None
    assert row["Note"] == board.NOT_OVERSEEN


def test_objective_coverage_weights_programs_and_spend(client_for, executive, portfolio, figures):
    objective = StrategicObjectiveFactory(portfolio=portfolio, code="GROW", title="Grow")
    StrategicObjectiveFactory(portfolio=portfolio, code="IDLE", title="Nobody serves this")
    ProgramObjectiveFactory(program=figures, objective=objective, weight=D(60))
    coverage = {c.objective.code: c for c in client_for(executive).get(board_url(portfolio)).context["coverage"]}
    assert coverage["GROW"].weighted_programs == D("0.6")
    assert coverage["GROW"].bac == D("600000.00")
    assert coverage["GROW"].ac == D("292682.93")
    assert coverage["IDLE"].programs == []


def test_bubble_chart_plots_overseen_programs_with_a_text_alternative(client_for, executive, portfolio, figures):
    response = client_for(executive).get(board_url(portfolio))
    [bubble] = response.context["bubbles"]
    assert bubble.risk_percent == D("4.5")  # EMV 45,000 of BAC 1,000,000
    chart = response.context["bubble_chart"]
    assert "<title>" in chart
    assert "<desc>" in chart
    assert 'role="img"' in chart
    assert "The chart's figures as a table" in response.content.decode()


def test_trends_come_from_the_snapshots(client_for, executive, portfolio):
    add_programs(portfolio, 1)
    [row] = client_for(executive).get(board_url(portfolio)).context["rows"]
    cpi = row.trends.figures["cpi"]
    assert cpi.arrow == "↓"
    assert cpi.tone == "bad"
    assert "<svg" in cpi.sparkline
    assert "<svg" in row.trends.health_strip


def test_home_page_links_the_board(client_for, executive, portfolio, figures):
    # An executive with one portfolio lands on its board; the overview links it too.
    assert client_for(executive).get(reverse("portfolio:home")).url == board_url(portfolio)
    html = client_for(executive).get(reverse("portfolio:home") + "?view=overview").content.decode()
    assert board_url(portfolio) in html


def board_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["executive", "member"])
def test_board_query_count_does_not_grow_with_programs(client_for, request, portfolio, figures, who):
    user = request.getfixturevalue(who)
    client = client_for(user)
    add_programs(portfolio, 2, start=100)  # 3 programs
    small = board_queries(client, board_url(portfolio))
    small_export = board_queries(client, export_url(portfolio))
    add_programs(portfolio, 12, start=200)  # 15 programs
    assert board_queries(client, board_url(portfolio)) == small
    assert board_queries(client, export_url(portfolio)) == small_export


def test_pdf_report_is_linked_only_when_its_page_exists(client_for, executive, portfolio, figures, monkeypatch):
    from django.urls import NoReverseMatch

    from reporting.views import board as board_views

    try:
        expected = reverse("reporting:portfolio-report-pdf", args=[portfolio.pk])
    except NoReverseMatch:
        expected = None
    response = client_for(executive).get(board_url(portfolio))
    assert response.context["pdf_url"] == expected
    monkeypatch.setattr(board_views, "_pdf_url", lambda pk: f"/portfolios/{pk}/report.pdf")
    html = client_for(executive).get(board_url(portfolio)).content.decode()
    assert f'href="/portfolios/{portfolio.pk}/report.pdf">PDF report' in html
