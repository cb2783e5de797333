"""HTML: the money lists — a project's actual costs (shared FilterSet, pagination, Excel with
the same filters), a program's contracts, vendors, currencies and rates — and the query count
of every money page at two data sizes."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budgets.models import ContractSecurityRequirement, LifecycleCostEstimate, ReserveTransaction
from tests.factories.budgets import (
    BudgetLineFactory,
    ContractFactory,
    CostCategoryFactory,
    CostEntryFactory,
    CurrencyFactory,
    ExchangeRateFactory,
    ForecastFactory,
    LifecycleCostEstimateFactory,
    LifecycleCostLineFactory,
    VendorFactory,
)
from tests.factories.projects import ProjectFactory

from .test_views_support import *  # noqa: F403
from .test_views_support import D, count_queries

CODE = "MOD-ERP"
ENTRIES = reverse("budgets:cost-entry-list", args=[CODE])
ENTRIES_XLSX = reverse("budgets:cost-entry-export", args=[CODE])
CONTRACTS = reverse("budgets:contract-list", args=["MOD"])
CONTRACTS_XLSX = reverse("budgets:contract-export", args=["MOD"])
VENDORS = reverse("budgets:vendor-list")
CURRENCIES = reverse("budgets:currency-list")


def sheet_of(response):
    return load_workbook(io.BytesIO(response.content)).active


# --- Actual costs -----------------------------------------------------------------------------


@pytest.mark.django_db
class TestCostEntryList:
    def test_lists_the_projects_costs_newest_first(self, client_for, member, money):
        response = client_for(member).get(ENTRIES)
        dates = [e.date for e in response.context["page"].object_list]
        assert dates == sorted(dates, reverse=True)
        assert len(dates) == 4
        assert response.context["can_edit"] is False

    def test_outsider_gets_404(self, client_for, outsider, money):
        assert client_for(outsider).get(ENTRIES).status_code == 404
        assert client_for(outsider).get(ENTRIES_XLSX).status_code == 404

    def test_filters_by_date_range_source_and_search(self, client_for, member, money, category):
        CostEntryFactory(project=money, category=category, source="manual", external_ref="", description="Taxi fare")
        client = client_for(member)
        in_february = client.get(ENTRIES, {"date_after": "2026-02-01", "date_before": "2026-02-28"})
        assert {e.date.month for e in in_february.context["page"].object_list} == {2}
        assert in_february.context["filters_active"] is True
        manual = client.get(ENTRIES, {"source": ["manual"]}).context["page"].object_list
        assert [e.description for e in manual] == ["Taxi fare"]
        assert [e.description for e in client.get(ENTRIES, {"q": "taxi"}).context["page"].object_list] == ["Taxi fare"]

    def test_filter_form_offers_the_program_contracts_by_number(self, client_for, member, contract):
        response = client_for(member).get(ENTRIES, {"contract": contract.pk})
        assert {e.contract_id for e in response.context["page"].object_list} == {contract.pk}
        assert "C-100" in response.content.decode()

    def test_paginates(self, client_for, member, money, category, eur):
        for i in range(55):
            CostEntryFactory(project=money, category=category, date=dt.date(2025, 12, 1), amount=D(i), currency=eur)
        client = client_for(member)
        first = client.get(ENTRIES).context["page"]
        assert (first.paginator.num_pages, len(first.object_list)) == (2, 50)
        assert len(client.get(ENTRIES, {"page": 2}).context["page"].object_list) == 9

    def test_excel_export_keeps_the_filters(self, client_for, member, money):
        response = client_for(member).get(ENTRIES_XLSX, {"date_after": "2026-02-01"})
        sheet = sheet_of(response)
        assert [c.value for c in sheet[1]][:5] == ["Date", "Project", "Category", "Amount", "Currency"]
        assert sheet.freeze_panes == "A2"
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == 3
        assert rows[0][0] == dt.datetime(2026, 2, 20)
        assert rows[0][3] == 999
        assert sheet["D2"].number_format.startswith("#,##0.00")

    def test_list_links_to_the_filtered_export(self, client_for, member, money):
        response = client_for(member).get(ENTRIES, {"source": "ledger", "page": 1})
        assert f"{ENTRIES_XLSX}?source=ledger" in response.content.decode()


# --- Contracts, vendors, currencies -----------------------------------------------------------


@pytest.mark.django_db
class TestContractList:
    def test_lists_contracts_with_burn(self, client_for, member, contract):
        response = client_for(member).get(CONTRACTS)
        [burn] = response.context["burns"]
        assert (burn.contract.number, burn.invoiced) == ("C-100", D(3000))
        assert "burn-spent" in response.context["chart"]

    def test_filters_by_type_and_search(self, client_for, owner, contract, program):
        ContractFactory(program=program, number="C-900", title="Cloud hosting", type="tm")
        client = client_for(owner)
        assert [c.number for c in client.get(CONTRACTS, {"type": ["tm"]}).context["page"].object_list] == ["C-900"]
        assert [c.number for c in client.get(CONTRACTS, {"q": "licen"}).context["page"].object_list] == ["C-100"]

    def test_member_sees_no_link_to_a_served_project_they_cannot_see(self, client_for, member, contract, program):
        hidden = ProjectFactory(program=program, code="MOD-HR", name="HR system")
        contract.projects.add(hidden)
        client = client_for(member)
        detail = reverse("budgets:contract-detail", args=["MOD", contract.pk])
        hidden_costs = reverse("budgets:project-costs", args=["MOD-HR"])
        assert client.get(hidden_costs).status_code == 404
        for page in (CONTRACTS, detail):
            response = client.get(page)
            assert reverse("budgets:project-costs", args=[CODE]) in response.text
            assert hidden_costs not in response.text
            assert "MOD-HR" not in response.text

    def test_outsider_gets_404(self, client_for, outsider, contract):
        assert client_for(outsider).get(CONTRACTS).status_code == 404
        detail = reverse("budgets:contract-detail", args=["MOD", contract.pk])
        assert client_for(outsider).get(detail).status_code == 404

    def test_excel(self, client_for, member, contract):
        sheet = sheet_of(client_for(member).get(CONTRACTS_XLSX))
        assert [c.value for c in sheet[1]][:3] == ["Number", "Title", "Vendor"]
        row = next(sheet.iter_rows(min_row=2, values_only=True))
        assert row[0] == "C-100"
        assert row[7] == 3000  # invoiced
        assert row[13] == "MOD-ERP"


@pytest.mark.django_db
class TestVendorsAndCurrencies:
    def test_member_sees_the_vendors_of_contracts_they_see(self, client_for, member, contract):
        VendorFactory(name="Unrelated")
        names = [v.name for v in client_for(member).get(VENDORS).context["page"].object_list]
        assert names == ["Acme Systems"]

    def test_contract_manager_sees_every_vendor(self, client_for, owner, contract):
        VendorFactory(name="Unrelated")
        response = client_for(owner).get(VENDORS)
        assert [v.name for v in response.context["page"].object_list] == ["Acme Systems", "Unrelated"]
        assert response.context["can_edit"] is True

    def test_currencies_and_rates(self, client_for, member, money):
        response = client_for(member).get(CURRENCIES, {"currency": "USD"})
        assert [c.code for c in response.context["currencies"]] == ["EUR", "USD"]
        [rate] = response.context["page"].object_list
        assert (rate.from_currency_id, rate.to_currency_id, rate.rate) == ("USD", "EUR", D("0.9"))
        assert response.context["can_edit"] is False


# --- Query counts at two data sizes ----------------------------------------------------------


def grow(project, program, periods, offset: int, n: int):
    """n more of everything the money pages list: costs, budget lines, forecasts, contracts with
    a checklist item, vendors, exchange rates, estimate lines and reserve drawdowns."""
    eur, usd = CurrencyFactory(code="EUR"), CurrencyFactory(code="USD")
    travel = CostCategoryFactory(code="TRV", name="Travel")
    estimate = LifecycleCostEstimate.objects.get(program=program, number=1)
    for k in range(offset, offset + n):
        CostEntryFactory(project=project, category=travel, date=dt.date(2026, 1, 1 + k % 28), currency=eur)
        if k < 12:
            period = periods[k + 1]
            BudgetLineFactory(project=project, category=travel, period=period, budget_version="original", currency=eur)
            ForecastFactory(project=project, category=travel, period=period, currency=eur)
        contract = ContractFactory(program=program, currency=eur)
        contract.projects.set([project])
        ContractSecurityRequirement.objects.create(contract=contract, requirement=f"Item {k}")
        VendorFactory()
        ExchangeRateFactory(from_currency=usd, to_currency=eur, valid_on=dt.date(2020, 1, 1) + dt.timedelta(days=k))
        LifecycleCostLineFactory(estimate=estimate, category=travel, fiscal_year=2030 + k, currency=eur)
        ReserveTransaction.objects.create(
            scope="project", project=project, reserve="contingency", amount=D(1), reason=f"Drawdown {k}"
        )


PAGES = [
    ("cost entries", lambda c: ENTRIES),
    ("cost entries xlsx", lambda c: ENTRIES_XLSX),
    ("contracts xlsx", lambda c: CONTRACTS_XLSX),
    ("contracts", lambda c: CONTRACTS),
    ("vendors", lambda c: VENDORS),
    ("currencies", lambda c: CURRENCIES),
    ("plan", lambda c: reverse("budgets:project-plan", args=[CODE])),
    ("contract", lambda c: reverse("budgets:contract-detail", args=["MOD", c.pk])),
    ("lcce list", lambda c: reverse("budgets:lcce-list", args=["MOD"])),
    ("lcce", lambda c: reverse("budgets:lcce-detail", args=["MOD", 1])),
    ("drawdown", lambda c: reverse("budgets:project-drawdown", args=[CODE])),
    ("entry form", lambda c: reverse("budgets:cost-entry-add", args=[CODE])),
    ("contract form", lambda c: reverse("budgets:contract-add", args=["MOD"])),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url_of"), PAGES, ids=[name for name, _ in PAGES])
def test_page_queries_do_not_grow_with_the_rows(client_for, owner, contract, money, program, periods, name, url_of):
    LifecycleCostEstimateFactory(program=program, number=1)
    client = client_for(owner)
    url = url_of(contract)
    grow(money, program, periods, 0, 3)
    small, _ = count_queries(client, url)
    grow(money, program, periods, 3, 27)
    large, _ = count_queries(client, url)
    assert small == large, f"{name}: {small} queries with few rows, {large} with many"
