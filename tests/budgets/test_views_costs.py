"""HTML: the project and program cost pages — charts, EVM table, warnings, reserves, contracts,
LCCE comparison — their access rules, query counts and Excel exports."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from budgets.selectors import EV_ESTIMATED, project_evm, project_evms
from budgets.services import lcce_approve, lcce_line_set, lcce_new_version
from tests.factories.budgets import (
    BudgetLineFactory,
    ContractFactory,
    CostEntryFactory,
    ForecastFactory,
    LifecycleCostEstimateFactory,
    VendorFactory,
)
from tests.factories.projects import ProjectFactory
from tests.factories.reporting import ProjectRollupFactory

from .test_views_support import *  # noqa: F403
from .test_views_support import SVG, D, count_queries, svg_classes, svg_root, svg_series

PROJECT_COSTS = reverse("budgets:project-costs", args=["MOD-ERP"])
PROGRAM_COSTS = reverse("budgets:program-costs", args=["MOD"])
PROJECT_EXPORTS = [
    reverse("budgets:project-budget-export", args=["MOD-ERP"]),
    reverse("budgets:project-evm-export", args=["MOD-ERP"]),
]
PROGRAM_EXPORTS = [
    reverse("budgets:program-budget-export", args=["MOD"]),
    reverse("budgets:program-evm-export", args=["MOD"]),
]


def workbook_of(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


# --- Access -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("url", [PROJECT_COSTS, PROGRAM_COSTS, *PROJECT_EXPORTS, *PROGRAM_EXPORTS])
    def test_anonymous_is_sent_to_login(self, url, project):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("url", [PROJECT_COSTS, PROGRAM_COSTS, *PROJECT_EXPORTS, *PROGRAM_EXPORTS])
    def test_outsider_gets_404(self, client_for, outsider, money, url):
        assert client_for(outsider).get(url).status_code == 404

    @pytest.mark.parametrize("reader", ["member", "executive"])
    def test_readers_see_the_project_page_without_edit_controls(self, client_for, request, reader, money):
        response = client_for(request.getfixturevalue(reader)).get(PROJECT_COSTS)
        assert response.status_code == 200
        assert response.context["can_edit"] is False
        assert reverse("budgets:project-drawdown", args=["MOD-ERP"]).encode() not in response.content
        assert reverse("budgets:cost-entry-add", args=["MOD-ERP"]).encode() not in response.content

    @pytest.mark.parametrize("editor", ["owner", "project_manager", "analyst"])
    def test_finance_editors_see_edit_controls(self, client_for, request, editor, money):
        response = client_for(request.getfixturevalue(editor)).get(PROJECT_COSTS)
        assert response.context["can_edit"] is True
        assert reverse("budgets:project-drawdown", args=["MOD-ERP"]).encode() in response.content

    def test_project_manager_reads_the_program_page_but_cannot_edit_program_money(
        self, client_for, project_manager, money
    ):
        response = client_for(project_manager).get(PROGRAM_COSTS)
        assert response.status_code == 200
        assert response.context["can_edit"] is False

    def test_program_page_lists_only_the_projects_the_reader_sees(self, client_for, member, money, program):
        ProjectFactory(program=program, code="MOD-HR", name="HR")
        response = client_for(member).get(PROGRAM_COSTS)
        assert [row["project"].code for row in response.context["project_rows"]] == ["MOD-ERP"]

    def test_project_and_program_pages_link_to_their_cost_pages(self, client_for, owner, project):
        client = client_for(owner)
        assert PROJECT_COSTS.encode() in client.get(reverse("projects:project-detail", args=["MOD-ERP"])).content
        assert PROGRAM_COSTS.encode() in client.get(reverse("portfolio:program-detail", args=["MOD"])).content


# --- The project page ---------------------------------------------------------------------


@pytest.mark.django_db
class TestProjectCosts:
    def test_budget_by_period_table_and_chart(self, client_for, member, money):
        response = client_for(member).get(PROJECT_COSTS)
        budget = response.context["budget"]
        assert [r.period.label for r in budget.rows] == ["FY2026 P01", "FY2026 P02", "FY2026 P03"]
        assert [r.budget for r in budget.rows] == [D(3100), D(2800), D(0)]
        assert response.context["budget_totals"]["actual"] == D(1000) + D(900) + D(2500) + D(999)
        assert {"budget", "actual", "forecast"} <= svg_series(response.context["budget_chart"])
        assert "EUR\u00a05,900.00" in response.content.decode()  # the current budget total

    def test_evm_table_at_the_status_date(self, client_for, member, money):
        response = client_for(member).get(PROJECT_COSTS)
        figures = response.context["evm"].figures
        assert response.context["evm"].as_of == dt.date(2026, 2, 14)
        assert (figures.bac, figures.pv, figures.ev, figures.ac) == (D(5900), D(4500), D(4450), D(4400))
        rows = {row["key"]: row["text"] for row in response.context["evm_rows"]}
        assert rows["BAC"] == "EUR\u00a05,900.00"
        assert rows["CPI"] == "1.011"  # 4,450 / 4,400
        assert rows["EAC (bottom-up)"] == "EUR\u00a05,400.00"  # AC 4,400 + the March forecast
        expected = {
            "SV",
            "CV",
            "SPI",
            "ETC",
            "VAC",
            "TCPI",
            "ES",
            "SPI(t)",
            "IEAC(t)",
            "Forecast finish (earned schedule)",
        }
        assert expected <= rows.keys()

    def test_undefined_figures_read_n_a(self, client_for, member, project, periods, category, eur):
        BudgetLineFactory(project=project, category=category, period=periods[6], amount=D("1000"), currency=eur)
        response = client_for(member).get(PROJECT_COSTS, {"as_of": "2026-02-01"})
        rows = {row["key"]: row["text"] for row in response.context["evm_rows"]}
        assert rows["SPI"] == "n/a"  # PV is zero before June
        assert rows["CPI"] == "n/a"  # no actual cost
        assert rows["EAC"] == "n/a"
        assert ">n/a<" in response.content.decode()

    def test_as_of_moves_the_status_date_and_lists_warnings(self, client_for, member, money):
        response = client_for(member).get(PROJECT_COSTS, {"as_of": "2026-01-31"})
        report = response.context["evm"]
        assert report.as_of == dt.date(2026, 1, 31)
        assert report.figures.pv == D(3100)
        assert EV_ESTIMATED in report.warning_codes
        body = response.content.decode()
        assert 'data-code="ev_estimated"' in body  # the code stays for scripts, out of sight
        assert "<code>ev_estimated</code>" not in body
        assert "earned value on 31 Jan 2026 is estimated" in body
        assert svg_root(response.context["s_curve_chart"]).find(f".//{SVG}g[@class='status-line']").get(
            "data-date"
        ) == ("2026-01-31")

    def test_a_bad_as_of_is_reported_and_ignored(self, client_for, member, money):
        response = client_for(member).get(PROJECT_COSTS, {"as_of": "31/01/2026"})
        assert response.status_code == 200
        assert response.context["evm"].as_of == dt.date(2026, 2, 14)
        assert "is not a date" in response.context["as_of_error"]

    def test_s_curve_has_pv_ev_ac_the_eac_projection_and_the_status_line(self, client_for, member, money):
        chart = client_for(member).get(PROJECT_COSTS).context["s_curve_chart"]
        assert {"pv", "ev", "ac", "eac", "bac"} <= svg_series(chart)
        classes = svg_classes(chart)
        assert {"status-line", "eac-projection"} <= classes
        projection = svg_root(chart).find(f".//{SVG}g[@class='series eac-projection']/{SVG}line")
        assert projection.get("stroke-dasharray")

    def test_an_empty_project_renders_empty_state_charts(self, client_for, member, project):
        response = client_for(member).get(PROJECT_COSTS)
        assert response.status_code == 200
        assert "empty-state" in svg_classes(response.context["budget_chart"])
        assert "empty-state" in svg_classes(response.context["s_curve_chart"])
        assert "empty-state" in svg_classes(response.context["contract_chart"])
        assert response.context["budget"].rows == ()

    def test_reserves_and_contract_burn(self, client_for, member, contract, money):
        from budgets.services import reserve_drawdown

        reserve_drawdown(actor=None, project=money, reserve="contingency", amount=D("1200"), reason="Data fix")
        response = client_for(member).get(PROJECT_COSTS)
        reserves = response.context["reserves"]
        assert (reserves.contingency, reserves.contingency_drawn, reserves.contingency_remaining) == (
            D(5000),
            D(1200),
            D(3800),
        )
        [burn] = response.context["burns"]
        assert (burn.contract.number, burn.invoiced, burn.obligated) == ("C-100", D(3000), D(6000))
        assert "burn-spent" in svg_classes(response.context["contract_chart"])
        assert "burn-spent" in svg_classes(response.context["reserve_chart"])

    def test_a_missing_exchange_rate_shows_the_message_instead_of_failing(
        self, client_for, member, money, category, periods
    ):
        from tests.factories.budgets import CurrencyFactory

        gbp = CurrencyFactory(code="GBP")
        CostEntryFactory(project=money, category=category, date=dt.date(2026, 2, 1), amount=D("10"), currency=gbp)
        response = client_for(member).get(PROJECT_COSTS)
        assert response.status_code == 200
        text = "No exchange rate from GBP to EUR on or before 2026-02-01"
        assert text in response.context["budget_error"]
        assert text in response.context["evm_error"]
        assert text in response.content.decode()


# --- The program page ---------------------------------------------------------------------


@pytest.mark.django_db
class TestProgramCosts:
    def test_program_totals_and_per_project_rows(self, client_for, owner, money, program, periods, category, eur):
        other = ProjectFactory(program=program, code="MOD-HR", name="HR")
        BudgetLineFactory(project=other, category=category, period=periods[1], amount=D("1000"), currency=eur)
        # The per-project rows are the projects' roll-ups (reporting), here written with each
        # project's earned value as of the same day; the program S-curve reads source rows.
        for each in (money, other):
            figures = project_evm(project=each, as_of=dt.date(2026, 2, 14)).figures
            ProjectRollupFactory(project=each, bac=figures.bac, cpi=figures.cpi)
        response = client_for(owner).get(PROGRAM_COSTS, {"as_of": "2026-02-14"})
        assert response.context["evm"].figures.bac == D(6900)
        rows = {row["project"].code: row["figures"] for row in response.context["project_rows"]}
        assert rows["MOD-ERP"]["bac"] == "5,900.00"  # the caption names the currency
        assert rows["MOD-ERP"]["cpi"] == "1.011"
        assert rows["MOD-HR"]["bac"] == "1,000.00"
        assert rows["MOD-HR"]["cpi"] == "n/a"

    def test_per_project_figures_equal_project_evm(self, money, program):
        other = ProjectFactory(program=program, code="MOD-HR", name="HR")
        reports = project_evms(program=program, projects=[money, other], as_of=dt.date(2026, 2, 14))
        alone = project_evm(project=money, as_of=dt.date(2026, 2, 14))
        assert reports[money.pk].figures == alone.figures
        assert reports[other.pk].figures.bac == D(0)

    def test_lcce_versions_side_by_side(self, client_for, owner, program, category, eur, money):
        first = LifecycleCostEstimateFactory(program=program, number=1)
        lcce_line_set(
            actor=owner, estimate=first, phase="acquisition", fiscal_year=2026, category=category, amount=D(100)
        )
        lcce_approve(actor=owner, estimate=first)
        second = lcce_new_version(actor=owner, estimate=first)
        lcce_line_set(
            actor=owner, estimate=second, phase="acquisition", fiscal_year=2026, category=category, amount=D(150)
        )
        lcce_line_set(actor=owner, estimate=second, phase="om", fiscal_year=2027, category=category, amount=D(40))
        response = client_for(owner).get(PROGRAM_COSTS)
        comparison = response.context["lcce"]
        assert (comparison.left.number, comparison.right.number) == (1, 2)
        assert (comparison.left_total, comparison.right_total, comparison.delta) == (D(100), D(190), D(90))
        assert {"left", "right"} <= svg_series(response.context["lcce_chart"])

    def test_lcce_change_is_newer_minus_older_whichever_way_round_picked(
        self, client_for, owner, program, category, eur, money
    ):
        first = LifecycleCostEstimateFactory(program=program, number=1)
        lcce_line_set(
            actor=owner, estimate=first, phase="acquisition", fiscal_year=2026, category=category, amount=D(100)
        )
        lcce_approve(actor=owner, estimate=first)
        second = lcce_new_version(actor=owner, estimate=first)
        lcce_line_set(
            actor=owner, estimate=second, phase="acquisition", fiscal_year=2026, category=category, amount=D(190)
        )
        response = client_for(owner).get(PROGRAM_COSTS, {"left": 2, "right": 1})
        swapped = response.context["lcce"]
        assert (swapped.left.number, swapped.right.number, swapped.delta) == (1, 2, D(90))
        assert "Change (v2 − v1)" in response.content.decode()

    def test_an_empty_program_renders(self, client_for, owner, program):
        response = client_for(owner).get(PROGRAM_COSTS)
        assert response.status_code == 200
        assert "empty-state" in svg_classes(response.context["s_curve_chart"])
        assert "empty-state" in svg_classes(response.context["budget_chart"])
        assert b"No lifecycle cost estimate yet." in response.content


# --- Query counts -------------------------------------------------------------------------


def grow(project, program, periods, category, eur, n: int):
    """n more of each row kind: budget lines, cost entries, forecasts, contracts, projects."""
    vendor = VendorFactory()
    for i in range(n):
        other = ProjectFactory(program=program)
        BudgetLineFactory(project=other, category=category, period=periods[i % 12 + 1], amount=D(10), currency=eur)
        CostEntryFactory(
            project=project, category=category, date=dt.date(2026, 1 + i % 12, 1), amount=D(i), currency=eur
        )
        contract = ContractFactory(program=program, vendor=vendor, currency=eur)
        contract.projects.set([project])
        CostEntryFactory(
            project=project,
            category=category,
            date=dt.date(2026, 3, 1),
            currency=eur,
            source="invoice",
            contract=contract,
        )
        ForecastFactory(project=other, category=category, period=periods[i % 12 + 1], amount=D(5), currency=eur)
        LifecycleCostEstimateFactory(program=program)


@pytest.mark.django_db
class TestQueryCounts:
    @pytest.mark.parametrize("url", [PROJECT_COSTS, PROGRAM_COSTS])
    def test_cost_pages_do_not_grow_with_the_rows(self, client_for, owner, money, program, periods, category, eur, url):
        client = client_for(owner)
        grow(money, program, periods, category, eur, 3)
        small, _ = count_queries(client, url)
        grow(money, program, periods, category, eur, 27)
        large, response = count_queries(client, url)
        assert small == large
        assert len(response.context.get("burns", [])) > 0

    @pytest.mark.parametrize("url", [*PROJECT_EXPORTS, *PROGRAM_EXPORTS])
    def test_exports_do_not_grow_with_the_rows(self, client_for, owner, money, program, periods, category, eur, url):
        client = client_for(owner)
        grow(money, program, periods, category, eur, 3)
        small, _ = count_queries(client, url)
        grow(money, program, periods, category, eur, 27)
        large, _ = count_queries(client, url)
        assert small == large


# --- Exports ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestExports:
    def test_budget_by_period_workbook(self, client_for, member, money):
        sheet = workbook_of(client_for(member).get(PROJECT_EXPORTS[0])).active
        assert [c.value for c in sheet[1]] == [
            "Period",
            "Start",
            "End",
            "Original budget (EUR)",
            "Current budget (EUR)",
            "Actual (EUR)",
            "Forecast (EUR)",
            "Variance (EUR)",
        ]
        assert sheet.freeze_panes == "A2"
        assert sheet["A2"].value == "FY2026 P01"
        assert sheet["B2"].is_date
        assert sheet["E2"].value == 3100
        assert sheet["E2"].number_format.startswith("#,##0.00")
        assert sheet["A5"].value == "Total"

    def test_evm_workbook_follows_as_of(self, client_for, member, money):
        response = client_for(member).get(PROJECT_EXPORTS[1], {"as_of": "2026-02-14"})
        assert "evm-2026-02-14" in response["Content-Disposition"]
        book = workbook_of(response)
        sheet = book["Earned value"]
        values = {row[0].value: row[2].value for row in sheet.iter_rows(min_row=2)}
        assert values["PV"] == 4500
        assert values["AC"] == 4400
        assert abs(values["CPI"] - 4450 / 4400) < 1e-9
        assert "Warnings" in book.sheetnames

    def test_program_evm_workbook_has_a_row_per_project(self, client_for, owner, money):
        book = workbook_of(client_for(owner).get(PROGRAM_EXPORTS[1], {"as_of": "2026-02-14"}))
        sheet = book["Projects"]
        assert sheet["A1"].value == "Project"
        assert sheet["A2"].value == "MOD-ERP"
        assert sheet["C2"].value == 5900

    def test_lcce_comparison_workbook(self, client_for, owner, program, category, money):
        first = LifecycleCostEstimateFactory(program=program, number=1)
        lcce_line_set(actor=owner, estimate=first, phase="rnd", fiscal_year=2026, category=category, amount=D(100))
        second = lcce_new_version(actor=owner, estimate=first)
        lcce_line_set(actor=owner, estimate=second, phase="rnd", fiscal_year=2026, category=category, amount=D(130))
        url = reverse("budgets:lcce-compare-export", args=["MOD"])
        sheet = workbook_of(client_for(owner).get(url, {"left": 1, "right": 2})).active
        assert [c.value for c in sheet[1]][4:] == ["v1 (EUR)", "v2 (EUR)", "Change v2 − v1 (EUR)"]
        assert [c.value for c in sheet[2]][4:] == [100, 130, 30]

    def test_lcce_export_needs_two_versions(self, client_for, owner, program):
        url = reverse("budgets:lcce-compare-export", args=["MOD"])
        response = client_for(owner).get(url, follow=True)
        assert b"Two versions" in response.content

    def test_export_with_a_missing_rate_explains_why(self, client_for, member, money, category):
        from tests.factories.budgets import CurrencyFactory

        CostEntryFactory(
            project=money,
            category=category,
            date=dt.date(2026, 2, 1),
            amount=D("10"),
            currency=CurrencyFactory(code="GBP"),
        )
        response = client_for(member).get(PROJECT_EXPORTS[0], follow=True)
        assert response.redirect_chain[-1][0] == PROJECT_COSTS
        assert "No exchange rate from GBP to EUR on or before 2026-02-01" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (D("-0.0001"), "index", "0.000"),
        (D("-0.00"), "money", "EUR\u00a00.00"),
        (D("1.23456"), "index", "1.235"),
        (D("-12.5"), "days", "-12.5 d"),
        (None, "money", "n/a"),
        (dt.date(2026, 3, 3), "date", "03 Mar 2026"),
    ],
)
def test_figures_display_without_negative_zero(value, kind, text):
    from budgets.views._common import display

    assert display(value, kind, "EUR") == text


@pytest.mark.django_db
class TestProgramTotalsNeedTheWholeProgram:
    """Program totals sum every project; a reader who sees the program through one project
    membership must not learn the money of the projects hidden from them."""

    def test_project_member_gets_the_page_without_program_totals(self, client_for, member, money):
        response = client_for(member).get(PROGRAM_COSTS)
        assert response.status_code == 200
        assert response.context["partial_view"] is True
        assert "evm" not in response.context
        assert "budget" not in response.context
        assert b"shown to people with a role on the whole program" in response.content

    @pytest.mark.parametrize("url", PROGRAM_EXPORTS)
    def test_project_member_gets_404_on_program_total_exports(self, client_for, member, money, url):
        assert client_for(member).get(url).status_code == 404

    @pytest.mark.parametrize("reader", ["owner", "executive"])
    def test_program_and_portfolio_roles_see_the_totals(self, client_for, request, reader, money):
        response = client_for(request.getfixturevalue(reader)).get(PROGRAM_COSTS)
        assert response.context["partial_view"] is False
        assert "evm" in response.context
