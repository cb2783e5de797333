"""The scenario comparison exported: the PDF (its text read back with pypdf) and the Excel workbook
(its cells read back with openpyxl) print the compare page's figures; text stays text."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from planning.exports import comparison_html, comparison_workbook
from planning.selectors.compare import compare_scenarios
from planning.selectors.scenario import scenario_view
from planning.services import budget_cap_set, scenario_create, scenario_project_set

D = Decimal


@pytest.fixture
def pair(world, portfolio_admin):
    """Two scenarios: the live portfolio, and one with the proposed project in, the second
    left out, a 150,000 cap on FY2027 and a name that looks like a formula."""
    base = scenario_create(
        actor=portfolio_admin,
        portfolio=world.portfolio,
        name="As planned",
        horizon_start=dt.date(2027, 1, 1),
        horizon_months=12,
    )
    growth = scenario_create(
        actor=portfolio_admin,
        portfolio=world.portfolio,
        name='=HYPERLINK("http://x.example","Growth")',
        horizon_start=dt.date(2027, 1, 1),
        horizon_months=12,
    )
    scenario_project_set(actor=portfolio_admin, scenario=growth, project=world.proposed, included=True)
    scenario_project_set(actor=portfolio_admin, scenario=growth, project=world.second, included=False)
    budget_cap_set(actor=portfolio_admin, scenario=growth, fiscal_year=2027, amount=D("150000"))
    return base, growth


def _query(pair) -> str:
    return "?" + "&".join(f"s={s.pk}" for s in pair)


def test_excel_cells_are_the_comparison_figures(client_for, portfolio_admin, world, pair):
    response = client_for(portfolio_admin).get(
        reverse("planning:compare-xlsx", args=[world.portfolio.pk]) + _query(pair)
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Cost by fiscal year", "Capacity", "Objectives", "Projects"]

    summary = list(book["Summary"].iter_rows(values_only=True))
    assert summary[0][:5] == ("Letter", "Scenario", "Status", "Projects included", "Cost in the horizon (EUR)")
    assert summary[1][:5] == ("A", "As planned", "Draft", 2, 75000)  # active 60,000 + second 15,000
    assert summary[2][:5] == ("B", '=HYPERLINK("http://x.example","Growth")', "Draft", 2, 180000)
    # The formula-looking name is a text cell, never a live formula.
    name_cell = book["Summary"]["B3"]
    assert name_cell.data_type == "s"
    assert name_cell.value.startswith("=HYPERLINK")

    cost = list(book["Cost by fiscal year"].iter_rows(values_only=True))
    assert cost[0] == (
        "Fiscal year",
        "A cost (EUR)",
        "A cap (EUR)",
        "A over the cap (EUR)",
        "B cost (EUR)",
        "B cap (EUR)",
        "B over the cap (EUR)",
    )
    assert cost[1] == ("FY2027", 75000, "n/a", "n/a", 180000, 150000, 30000)

    capacity = {(row[0], row[1].date()): row[2:] for row in book["Capacity"].iter_rows(min_row=2, values_only=True)}
    # March 2027: A needs the active project's Developer (1 FTE) of 1 FTE supply; B adds the
    # proposed project's Developer too: 2 FTE of 1, 200 %.
    assert capacity[("Developer", dt.date(2027, 3, 1))] == (
        pytest.approx(1),
        1,
        pytest.approx(100),
        pytest.approx(2),
        1,
        pytest.approx(200),
    )

    projects = list(book["Projects"].iter_rows(values_only=True))
    by_name = {row[0]: row for row in projects[1:]}
    assert by_name["P-NEW Proposed one"][2] == "Not included"
    assert by_name["P-NEW Proposed one"][4] == "Not included"  # A
    assert by_name["P-NEW Proposed one"][8] == "Added"  # B
    assert by_name["P-NEW Proposed one"][-1] == "Yes"
    assert by_name["P-TWO Second one"][8] == "Dropped"


def test_pdf_prints_the_figures_and_charts(client_for, portfolio_admin, world, pair):
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("weasyprint")
    response = client_for(portfolio_admin).get(
        reverse("planning:compare-pdf", args=[world.portfolio.pk]) + _query(pair)
    )
    if response.status_code == 503:
        pytest.skip("WeasyPrint has no Pango on this machine")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    assert "Scenario comparison" in text
    assert "A: As planned" in text
    assert "180,000.00" in text
    assert "30,000.00 over" in text
    assert "FY2027" in text
    assert "P-NEW Proposed one" in text
    assert len(reader.pages) >= 2


def test_pdf_draws_the_page_charts(world, pair):
    """The PDF's charts are the compare page's own markup (comparison_charts), as images."""
    import base64
    import re

    from planning.charts import comparison_charts

    comparison = compare_scenarios([scenario_view(s) for s in pair])
    charts = comparison_charts(comparison)
    html = comparison_html(comparison, portfolio=world.portfolio, charts=charts)
    images = [base64.b64decode(m).decode() for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]
    assert images == [charts["cost"], *[svg for _heat, svg in charts["heat_maps"]]]


def test_workbook_without_objectives_or_changes_still_has_every_sheet(world, pair):
    comparison = compare_scenarios([scenario_view(pair[0]), scenario_view(pair[0])])
    book = comparison_workbook(comparison)
    assert [sheet.title for sheet in book.worksheets] == [
        "Summary",
        "Cost by fiscal year",
        "Capacity",
        "Objectives",
        "Projects",
    ]


def test_export_of_a_bad_choice_is_400(client_for, portfolio_admin, world, pair):
    client = client_for(portfolio_admin)
    for name in ("planning:compare-pdf", "planning:compare-xlsx"):
        answer = client.get(reverse(name, args=[world.portfolio.pk]) + f"?s={pair[0].pk}")
        assert answer.status_code == 400
        assert "two to four" in answer.content.decode()
