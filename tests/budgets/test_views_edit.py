"""HTML: the forms finance people edit money with — budget lines and forecasts inline (htmx and
plain), cost entries, reserve drawdowns, contracts with their checklist and projects, vendors,
lifecycle cost estimates, currencies and rates — and that only finance editors reach them."""

import pytest
from django.urls import reverse

from budgets.models import (
    BudgetLine,
    Contract,
    ContractSecurityRequirement,
    CostEntry,
    Currency,
    ExchangeRate,
    Forecast,
    LifecycleCostEstimate,
    LifecycleCostLine,
    ReserveTransaction,
    Vendor,
)
from budgets.services import LCCE_APPROVED_READ_ONLY, OBLIGATED_ABOVE_CEILING, VENDOR_NOT_CONTRACT_VENDOR
from core.models import AuditEntry
from core.services import STALE_VERSION
from tests.factories.budgets import (
    CostEntryFactory,
    CurrencyFactory,
    LifecycleCostEstimateFactory,
    LifecycleCostLineFactory,
    VendorFactory,
)

from .test_views_support import *  # noqa: F403
from .test_views_support import HTMX, D

CODE = "MOD-ERP"
PLAN = reverse("budgets:project-plan", args=[CODE])
LINE_ADD = reverse("budgets:budget-line-add", args=[CODE])
FORECAST_ADD = reverse("budgets:forecast-add", args=[CODE])
ENTRY_ADD = reverse("budgets:cost-entry-add", args=[CODE])
ENTRIES = reverse("budgets:cost-entry-list", args=[CODE])
PROJECT_DRAWDOWN = reverse("budgets:project-drawdown", args=[CODE])
PROGRAM_DRAWDOWN = reverse("budgets:program-drawdown", args=["MOD"])
CONTRACT_ADD = reverse("budgets:contract-add", args=["MOD"])
LCCE_LIST = reverse("budgets:lcce-list", args=["MOD"])
VENDOR_ADD = reverse("budgets:vendor-add")
CURRENCY_ADD = reverse("budgets:currency-add")
RATE_ADD = reverse("budgets:rate-add")


def line_url(name, row):
    return reverse(f"budgets:{name}", args=[CODE, row.pk])


def line_data(period, category, **changes):
    data = {
        "budget_version": "current",
        "period": period.pk,
        "category": category.pk,
        "amount": "1250.50",
        "currency": "EUR",
        "notes": "",
    }
    data.update(changes)
    return data


def entry_data(category, **changes):
    data = {
        "date": "2026-03-04",
        "category": category.pk,
        "amount": "-75.25",
        "currency": "EUR",
        "description": "Credit",
    }
    data.update(changes)
    return data


def contract_data(vendor, **changes):
    data = {
        "number": "C-200",
        "title": "Data centre",
        "vendor": vendor.pk,
        "type": "tm",
        "ceiling": "50000",
        "obligated": "20000",
        "currency": "EUR",
        "period_start": "2026-01-01",
        "period_end": "2027-06-30",
        "notes": "",
    }
    data.update(changes)
    return data


# --- Access: readers and outsiders never reach a write ----------------------------------------


@pytest.mark.django_db
class TestWriteAccess:
    @pytest.fixture
    def rows(self, money, contract, program, category):
        line = BudgetLine.objects.filter(project=money).first()
        forecast = Forecast.objects.get(project=money)
        manual = CostEntryFactory(project=money, category=category, source="manual", external_ref="")
        estimate = LifecycleCostEstimateFactory(program=program, number=1)
        item = LifecycleCostLineFactory(estimate=estimate, category=category)
        requirement = ContractSecurityRequirement.objects.create(contract=contract, requirement="ISO 27001")
        return {
            "get_and_post": [
                line_url("budget-line-edit", line),
                line_url("forecast-edit", forecast),
                line_url("cost-entry-edit", manual),
                ENTRY_ADD,
                PROJECT_DRAWDOWN,
                PROGRAM_DRAWDOWN,
                CONTRACT_ADD,
                reverse("budgets:contract-edit", args=["MOD", contract.pk]),
                reverse("budgets:lcce-line-edit", args=["MOD", 1, item.pk]),
            ],
            "post_only": [
                LINE_ADD,
                FORECAST_ADD,
                line_url("budget-line-delete", line),
                line_url("forecast-delete", forecast),
                line_url("cost-entry-delete", manual),
                reverse("budgets:budget-original", args=[CODE]),
                reverse("budgets:contract-projects", args=["MOD", contract.pk]),
                reverse("budgets:security-add", args=["MOD", contract.pk]),
                reverse("budgets:security-status", args=["MOD", contract.pk, requirement.pk]),
                LCCE_LIST,
                reverse("budgets:lcce-line-add", args=["MOD", 1]),
                reverse("budgets:lcce-line-delete", args=["MOD", 1, item.pk]),
                reverse("budgets:lcce-new-version", args=["MOD", 1]),
                reverse("budgets:lcce-approve", args=["MOD", 1]),
            ],
        }

    @pytest.mark.parametrize("who", ["member", "executive", "outsider"])
    def test_readers_and_outsiders_get_404_and_nothing_changes(self, client_for, request, who, rows):
        client = client_for(request.getfixturevalue(who))
        before = AuditEntry.objects.count()
        for url in rows["get_and_post"]:
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"amount": "1"}).status_code == 404, url
        for url in rows["post_only"]:
            assert client.post(url, {"amount": "1"}).status_code == 404, url
        assert AuditEntry.objects.count() == before

    def test_project_manager_edits_project_money_but_not_program_money(self, client_for, project_manager, rows):
        client = client_for(project_manager)
        assert client.get(ENTRY_ADD).status_code == 200
        assert client.get(PROJECT_DRAWDOWN).status_code == 200
        assert client.get(PROGRAM_DRAWDOWN).status_code == 404
        assert client.get(CONTRACT_ADD).status_code == 404
        assert client.post(LCCE_LIST, {"notes": "x"}).status_code == 404

    def test_imported_costs_cannot_be_edited_here(self, client_for, owner, money):
        ledger = CostEntry.objects.filter(project=money, source="ledger").first()
        client = client_for(owner)
        assert client.get(line_url("cost-entry-edit", ledger)).status_code == 404
        assert client.post(line_url("cost-entry-delete", ledger)).status_code == 404

    @pytest.mark.parametrize("who", ["owner", "member"])
    def test_only_reference_data_editors_reach_currency_forms(self, client_for, request, who, eur):
        client = client_for(request.getfixturevalue(who))
        for url in (CURRENCY_ADD, RATE_ADD, reverse("budgets:currency-edit", args=["EUR"])):
            assert client.get(url).status_code == 404
        assert client.post(CURRENCY_ADD, {"code": "CHF", "name": "Franc", "decimal_places": 2}).status_code == 404
        assert not Currency.objects.filter(code="CHF").exists()

    def test_vendor_forms_need_a_contract_manager(self, client_for, member, project_manager, owner):
        vendor = VendorFactory()
        for user in (member, project_manager):
            client = client_for(user)
            assert client.get(VENDOR_ADD).status_code == 404
            assert client.get(reverse("budgets:vendor-edit", args=[vendor.pk])).status_code == 404
        assert client_for(owner).get(VENDOR_ADD).status_code == 200


# --- Budget lines and forecasts, inline ------------------------------------------------------


@pytest.mark.django_db
class TestBudgetLines:
    def test_plan_page_for_a_reader_has_no_forms(self, client_for, member, money):
        response = client_for(member).get(PLAN)
        assert response.status_code == 200
        assert len(response.context["lines"].object_list) == 2
        assert "line_form" not in response.context
        assert LINE_ADD.encode() not in response.content

    def test_htmx_add_answers_with_the_section(self, client_for, project_manager, money, periods, category):
        response = client_for(project_manager).post(LINE_ADD, line_data(periods[3], category), **HTMX)
        assert response.status_code == 200
        assert response.templates[0].name == "budgets/_budgetline_rows.html"
        content = response.content.decode()
        assert content.lstrip().startswith('<section class="card" id="budget-lines"')
        assert "Budget line added: FY2026 P03 LAB 1,250.50 EUR." in content
        line = BudgetLine.objects.get(project=money, period=periods[3])
        assert line.amount == D("1250.50")
        assert AuditEntry.objects.filter(object_type="budgets.budgetline", action="create").exists()

    def test_plain_add_redirects_to_the_page(self, client_for, owner, money, periods, category):
        response = client_for(owner).post(LINE_ADD, line_data(periods[4], category))
        assert response.status_code == 302
        assert response["Location"] == PLAN

    def test_refused_add_shows_the_error_beside_the_field(self, client_for, owner, money, periods, category):
        response = client_for(owner).post(LINE_ADD, line_data(periods[3], category, amount="-5"), **HTMX)
        assert response.status_code == 200
        form = response.context["line_form"]
        assert "amount" in form.errors
        assert 'class="field field-number has-error"' in response.content.decode()
        assert not BudgetLine.objects.filter(period=periods[3]).exists()

    def test_duplicate_line_is_refused_by_the_service(self, client_for, owner, money, periods, category):
        response = client_for(owner).post(LINE_ADD, line_data(periods[1], category), **HTMX)
        assert response.context["line_form"].errors
        assert BudgetLine.objects.filter(project=money, period=periods[1]).count() == 1

    def test_missing_exchange_rate_names_the_currency_and_day(self, client_for, owner, money, periods, category):
        CurrencyFactory(code="GBP")
        response = client_for(owner).post(LINE_ADD, line_data(periods[3], category, currency="GBP"), **HTMX)
        errors = response.context["line_form"].errors["currency"]
        assert errors == [
            "No exchange rate from GBP to EUR on or before 2026-03-01; add a rate for that pair (or its inverse) "
            "dated 2026-03-01 or earlier."
        ]
        assert not BudgetLine.objects.filter(currency="GBP").exists()

    def test_a_foreign_currency_with_a_rate_is_accepted(self, client_for, owner, money, periods, category):
        response = client_for(owner).post(LINE_ADD, line_data(periods[3], category, currency="USD"), **HTMX)
        assert not response.context["line_form"].errors
        assert BudgetLine.objects.filter(currency="USD").count() == 1

    def test_edit_row_then_save(self, client_for, owner, money, periods, category):
        line = BudgetLine.objects.get(project=money, period=periods[1])
        client = client_for(owner)
        row = client.get(line_url("budget-line-edit", line), **HTMX)
        assert row.content.decode().lstrip().startswith('<tr class="edit-row"')
        data = line_data(periods[1], category, amount="3300", version=line.version)
        response = client.post(line_url("budget-line-edit", line), data, **HTMX)
        assert "Budget line saved" in response.content.decode()
        line.refresh_from_db()
        assert (line.amount, line.version) == (D(3300), 2)

    def test_edit_without_htmx_opens_the_row_on_the_page(self, client_for, owner, money, periods):
        line = BudgetLine.objects.get(project=money, period=periods[1])
        response = client_for(owner).get(line_url("budget-line-edit", line))
        assert response.context["editing_pk"] == line.pk
        assert 'class="edit-row"' in response.content.decode()

    def test_stale_edit_is_refused(self, client_for, owner, money, periods, category):
        line = BudgetLine.objects.get(project=money, period=periods[1])
        BudgetLine.objects.filter(pk=line.pk).update(version=5)
        data = line_data(periods[1], category, amount="1", version=1)
        response = client_for(owner).post(line_url("budget-line-edit", line), data)
        assert response.status_code == 409
        assert STALE_VERSION in response.content.decode()
        line.refresh_from_db()
        assert line.amount == D(3100)

    def test_delete(self, client_for, owner, money, periods):
        line = BudgetLine.objects.get(project=money, period=periods[2])
        response = client_for(owner).post(line_url("budget-line-delete", line), {"version": line.version}, **HTMX)
        assert "Budget line deleted" in response.content.decode()
        assert not BudgetLine.objects.filter(pk=line.pk).exists()

    def test_copy_into_the_original_baseline(self, client_for, owner, money):
        url = reverse("budgets:budget-original", args=[CODE])
        client = client_for(owner)
        assert "2 lines copied" in client.post(url, **HTMX).content.decode()
        again = client.post(url, **HTMX).content.decode()
        assert "already has an original budget" in again
        assert BudgetLine.objects.filter(project=money, budget_version="original").count() == 2

    def test_forecast_add_and_edit(self, client_for, project_manager, money, periods, category):
        client = client_for(project_manager)
        data = {"period": periods[4].pk, "category": category.pk, "amount": "800", "currency": "EUR", "notes": ""}
        response = client.post(FORECAST_ADD, data, **HTMX)
        assert response.templates[0].name == "budgets/_forecast_rows.html"
        forecast = Forecast.objects.get(project=money, period=periods[4])
        data.update(amount="900", version=forecast.version)
        client.post(line_url("forecast-edit", forecast), data, **HTMX)
        forecast.refresh_from_db()
        assert forecast.amount == D(900)


# --- Cost entries ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestCostEntries:
    def test_add_a_manual_cost(self, client_for, project_manager, money, category):
        response = client_for(project_manager).post(ENTRY_ADD, entry_data(category))
        assert response.status_code == 302
        assert response["Location"] == ENTRIES
        entry = CostEntry.objects.get(description="Credit")
        assert (entry.source, entry.amount, entry.currency_id) == ("manual", D("-75.25"), "EUR")

    def test_missing_rate_on_the_entry_date(self, client_for, owner, money, category):
        CurrencyFactory(code="GBP")
        response = client_for(owner).post(ENTRY_ADD, entry_data(category, currency="GBP"))
        assert response.status_code == 200
        [error] = response.context["form"].errors["currency"]
        assert "GBP" in error
        assert "2026-03-04" in error
        assert error in response.content.decode()

    def test_vendor_must_be_the_contracts(self, client_for, owner, contract, category):
        other = VendorFactory(name="Someone else")
        data = entry_data(category, contract=contract.pk, vendor=other.pk)
        response = client_for(owner).post(ENTRY_ADD, data)
        assert response.context["form"].errors["vendor"] == [VENDOR_NOT_CONTRACT_VENDOR]

    def test_edit_and_delete_a_manual_cost(self, client_for, owner, money, category):
        entry = CostEntryFactory(project=money, category=category, source="manual", external_ref="", amount=D(10))
        client = client_for(owner)
        data = entry_data(category, amount="12.00", version=entry.version)
        assert client.post(line_url("cost-entry-edit", entry), data).status_code == 302
        entry.refresh_from_db()
        assert entry.amount == D(12)
        response = client.post(line_url("cost-entry-delete", entry), {"version": entry.version})
        assert response.status_code == 302
        assert not CostEntry.objects.filter(pk=entry.pk).exists()

    def test_stale_delete_is_refused(self, client_for, owner, money, category):
        entry = CostEntryFactory(project=money, category=category, source="manual", external_ref="")
        response = client_for(owner).post(line_url("cost-entry-delete", entry), {"version": 7})
        assert response.status_code == 409
        assert CostEntry.objects.filter(pk=entry.pk).exists()


# --- Reserves ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestReserveDrawdown:
    def test_project_drawdown(self, client_for, project_manager, money):
        data = {"reserve": "contingency", "amount": "1200", "reason": "Data migration rework"}
        response = client_for(project_manager).post(PROJECT_DRAWDOWN, data)
        assert response.status_code == 302
        assert response["Location"] == reverse("budgets:project-costs", args=[CODE])
        drawdown = ReserveTransaction.objects.get()
        assert (drawdown.project, drawdown.amount, drawdown.actor) == (money, D(1200), project_manager)

    def test_overdraw_is_refused_beside_the_amount(self, client_for, project_manager, money):
        data = {"reserve": "contingency", "amount": "6000", "reason": "Too much"}
        response = client_for(project_manager).post(PROJECT_DRAWDOWN, data)
        assert response.status_code == 200
        assert "Only 5000.00 of this reserve remains" in response.context["form"].errors["amount"][0]
        assert not ReserveTransaction.objects.exists()

    def test_program_drawdown(self, client_for, owner, program):
        data = {"reserve": "contingency", "amount": "100", "reason": "Escalation"}
        assert client_for(owner).post(PROGRAM_DRAWDOWN, data).status_code == 302
        assert ReserveTransaction.objects.get().program == program


# --- Contracts and vendors -----------------------------------------------------------------------


@pytest.mark.django_db
class TestContracts:
    def test_create_with_projects(self, client_for, owner, money, eur):
        vendor = VendorFactory()
        response = client_for(owner).post(CONTRACT_ADD, contract_data(vendor, projects=[money.pk]))
        contract = Contract.objects.get(number="C-200")
        assert response["Location"] == reverse("budgets:contract-detail", args=["MOD", contract.pk])
        assert list(contract.projects.all()) == [money]

    def test_obligated_above_ceiling_is_refused_beside_the_field(self, client_for, owner, money, eur):
        response = client_for(owner).post(CONTRACT_ADD, contract_data(VendorFactory(), obligated="60000"))
        assert response.context["form"].errors["obligated"] == [OBLIGATED_ABOVE_CEILING]
        assert not Contract.objects.exists()

    def test_edit_and_stale_edit(self, client_for, owner, contract):
        url = reverse("budgets:contract-edit", args=["MOD", contract.pk])
        client = client_for(owner)
        data = contract_data(contract.vendor, number="C-100", obligated="7000", version=contract.version)
        assert client.post(url, data).status_code == 302
        contract.refresh_from_db()
        assert contract.obligated == D(7000)
        stale = client.post(url, {**data, "obligated": "8000"})
        assert stale.status_code == 409
        contract.refresh_from_db()
        assert contract.obligated == D(7000)

    def test_detail_page(self, client_for, member, contract):
        response = client_for(member).get(reverse("budgets:contract-detail", args=["MOD", contract.pk]))
        assert response.context["burn"].invoiced == D(3000)
        assert response.context["invoice_count"] == 2
        assert response.context["can_edit"] is False
        assert "security_form" not in response.context

    def test_security_checklist_inline(self, client_for, owner, contract):
        client = client_for(owner)
        add = reverse("budgets:security-add", args=["MOD", contract.pk])
        response = client.post(add, {"requirement": "Pen test", "status": "in_progress", "notes": ""}, **HTMX)
        assert response.templates[0].name == "budgets/_contract_security.html"
        item = ContractSecurityRequirement.objects.get(contract=contract)
        status = reverse("budgets:security-status", args=["MOD", contract.pk, item.pk])
        response = client.post(status, {"status": "met", "notes": "Report 2026-03"}, **HTMX)
        assert "“Pen test”: Met." in response.content.decode()
        item.refresh_from_db()
        assert (item.status, item.notes) == ("met", "Report 2026-03")

    def test_linked_projects(self, client_for, owner, contract, money, program):
        from tests.factories.projects import ProjectFactory

        other = ProjectFactory(program=program, code="MOD-HR")
        url = reverse("budgets:contract-projects", args=["MOD", contract.pk])
        response = client_for(owner).post(url, {"projects": [money.pk, other.pk]}, **HTMX)
        assert "now serves MOD-ERP, MOD-HR" in response.content.decode()
        assert set(contract.projects.values_list("code", flat=True)) == {"MOD-ERP", "MOD-HR"}

    def test_vendor_add_and_edit(self, client_for, owner):
        client = client_for(owner)
        response = client.post(VENDOR_ADD, {"name": "Globex", "risk_rating": "high", "notes": ""})
        assert response.status_code == 302
        vendor = Vendor.objects.get(name="Globex")
        url = reverse("budgets:vendor-edit", args=[vendor.pk])
        client.post(url, {"name": "Globex plc", "risk_rating": "critical", "notes": "", "version": vendor.version})
        vendor.refresh_from_db()
        assert (vendor.name, vendor.risk_rating) == ("Globex plc", "critical")


# --- Lifecycle cost estimates ------------------------------------------------------------------


@pytest.mark.django_db
class TestLifecycleCostEstimate:
    def test_create_set_lines_approve_and_new_version(self, client_for, owner, program, category, eur):
        client = client_for(owner)
        response = client.post(LCCE_LIST, {"notes": "Initial"})
        estimate = LifecycleCostEstimate.objects.get(program=program)
        assert response["Location"] == reverse("budgets:lcce-detail", args=["MOD", estimate.number])
        add = reverse("budgets:lcce-line-add", args=["MOD", estimate.number])
        line = {
            "phase": "acquisition",
            "fiscal_year": 2026,
            "category": category.pk,
            "amount": "1000",
            "currency": "EUR",
        }
        assert "FY2026 LAB: EUR 1,000.00" in client.post(add, line, **HTMX).content.decode()
        client.post(add, {**line, "amount": "1500"}, **HTMX)  # the same combination: updated
        [stored] = LifecycleCostLine.objects.filter(estimate=estimate)
        assert stored.amount == D(1500)
        edit = reverse("budgets:lcce-line-edit", args=["MOD", estimate.number, stored.pk])
        assert client.get(edit, **HTMX).content.decode().lstrip().startswith('<tr class="edit-row"')
        client.post(edit, {"amount": "1600", "currency": "EUR"}, **HTMX)
        stored.refresh_from_db()
        assert stored.amount == D(1600)

        approve = reverse("budgets:lcce-approve", args=["MOD", estimate.number])
        estimate.refresh_from_db()
        assert client.post(approve, {"version": estimate.version}).status_code == 302
        estimate.refresh_from_db()
        assert estimate.is_approved
        assert estimate.approved_by == owner
        refused = client.post(add, {**line, "amount": "1"}, **HTMX)
        assert LCCE_APPROVED_READ_ONLY in refused.content.decode()

        new = client.post(reverse("budgets:lcce-new-version", args=["MOD", estimate.number]), {"notes": ""})
        second = LifecycleCostEstimate.objects.get(program=program, number=estimate.number + 1)
        assert new["Location"] == reverse("budgets:lcce-detail", args=["MOD", second.number])
        assert second.lines.get().amount == D(1600)

    def test_approving_an_empty_estimate_explains_why(self, client_for, owner, program):
        estimate = LifecycleCostEstimateFactory(program=program, number=1)
        url = reverse("budgets:lcce-approve", args=["MOD", 1])
        response = client_for(owner).post(url, {"version": estimate.version}, follow=True)
        assert "cannot be approved" in response.content.decode()

    def test_delete_a_draft_line(self, client_for, owner, program, category):
        estimate = LifecycleCostEstimateFactory(program=program, number=1)
        line = LifecycleCostLineFactory(estimate=estimate, category=category)
        url = reverse("budgets:lcce-line-delete", args=["MOD", 1, line.pk])
        assert "removed" in client_for(owner).post(url, **HTMX).content.decode()
        assert not LifecycleCostLine.objects.exists()

    def test_readers_see_versions_without_forms(self, client_for, member, program, category):
        estimate = LifecycleCostEstimateFactory(program=program, number=1)
        LifecycleCostLineFactory(estimate=estimate, category=category)
        response = client_for(member).get(reverse("budgets:lcce-detail", args=["MOD", 1]))
        assert response.status_code == 200
        assert "line_form" not in response.context
        assert response.context["total"] == D(10000)
        assert client_for(member).get(LCCE_LIST).context["can_edit"] is False


# --- Currencies and rates ---------------------------------------------------------------------


@pytest.mark.django_db
class TestReferenceData:
    def test_analyst_adds_a_currency_and_a_rate(self, client_for, analyst, eur):
        client = client_for(analyst)
        assert client.post(CURRENCY_ADD, {"code": "CHF", "name": "Swiss franc", "decimal_places": 2}).status_code == 302
        data = {"from_currency": "CHF", "to_currency": "EUR", "rate": "1.05", "valid_on": "2026-01-01", "source": "ECB"}
        assert client.post(RATE_ADD, data).status_code == 302
        rate = ExchangeRate.objects.get(from_currency="CHF")
        assert rate.rate == D("1.05")
        client.post(reverse("budgets:rate-edit", args=[rate.pk]), {**data, "rate": "1.06", "version": rate.version})
        rate.refresh_from_db()
        assert rate.rate == D("1.06")

    def test_same_currency_rate_is_refused_beside_the_field(self, client_for, analyst, eur):
        data = {"from_currency": "EUR", "to_currency": "EUR", "rate": "1", "valid_on": "2026-01-01", "source": ""}
        response = client_for(analyst).post(RATE_ADD, data)
        assert response.status_code == 200
        assert response.context["form"].errors["to_currency"]

    def test_currency_edit_keeps_the_code(self, client_for, analyst, eur):
        url = reverse("budgets:currency-edit", args=["EUR"])
        client_for(analyst).post(url, {"name": "Euro (EUR)", "decimal_places": 2})
        assert Currency.objects.get(code="EUR").name == "Euro (EUR)"
