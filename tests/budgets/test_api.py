"""The money API: who reads and who changes what (the permission matrix), validation naming the
field, ETag/If-Match, and the actions (generate periods, copy to original, new version,
approve, compare, burn, security requirements, drawdowns)."""

import datetime as dt
from decimal import Decimal

import pytest

from budgets import services
from budgets.models import BudgetLine, Contract, CostEntry, FiscalPeriod, LifecycleCostEstimate, ReserveTransaction
from core.models import AuditEntry
from tests.factories.budgets import (
    BudgetLineFactory,
    ContractFactory,
    CostEntryFactory,
    ExchangeRateFactory,
    ForecastFactory,
    LifecycleCostEstimateFactory,
    LifecycleCostLineFactory,
    VendorFactory,
)
from tests.factories.projects import ProjectFactory, TaskFactory

from .money_setup import finance_analyst, reference_data

D = Decimal
API = "/api/v1"


@pytest.fixture
def ref(db):
    return reference_data()


@pytest.fixture
def analyst(portfolio):
    return finance_analyst(portfolio)


@pytest.fixture
def money(program, project, ref):
    """One row of every money resource, all belonging to the cast's program and project."""
    project.contingency_reserve = D("10000.00")
    project.save()
    vendor = VendorFactory(name="Acme Ltd")
    contract = ContractFactory(program=program, vendor=vendor, number="C-1", currency=ref.eur)
    contract.projects.add(project)
    estimate = LifecycleCostEstimateFactory(program=program, number=1)
    return {
        "budget-lines": BudgetLineFactory(project=project, category=ref.labour, period=ref.period(2026, 1)),
        "cost-entries": CostEntryFactory(project=project, category=ref.labour, currency=ref.eur),
        "forecasts": ForecastFactory(project=project, category=ref.labour, period=ref.period(2026, 6)),
        "reserve-transactions": services.reserve_drawdown(
            actor=None, reserve="contingency", amount=D("100.00"), reason="Risk R-1 hit", project=project
        ),
        "lifecycle-cost-estimates": estimate,
        "lifecycle-cost-lines": LifecycleCostLineFactory(estimate=estimate, category=ref.labour),
        "vendors": vendor,
        "contracts": contract,
        "currencies": ref.eur,
        "exchange-rates": ExchangeRateFactory(from_currency=ref.usd, to_currency=ref.eur),
        "cost-categories": ref.labour,
        "fiscal-calendars": ref.calendar,
        "fiscal-periods": ref.period(2026, 1),
    }


def url(resource: str, obj=None) -> str:
    return f"{API}/{resource}/" if obj is None else f"{API}/{resource}/{obj.pk}/"


# -- the permission matrix ---------------------------------------------------------------------

PROJECT_MONEY = ["budget-lines", "cost-entries", "forecasts"]
PROGRAM_MONEY = ["lifecycle-cost-lines", "contracts"]
REFERENCE = ["currencies", "exchange-rates", "cost-categories", "fiscal-calendars"]
PATCHES = {
    "budget-lines": {"amount": "1200.00"},
    "cost-entries": {"description": "Corrected"},
    "forecasts": {"amount": "600.00"},
    "lifecycle-cost-lines": {"amount": "12000.00"},
    "contracts": {"title": "Renamed"},
    "vendors": {"risk_rating": "high"},
    "currencies": {"name": "Euro (EUR)"},
    "exchange-rates": {"rate": "0.91000000"},
    "cost-categories": {"name": "Labour costs"},
    "fiscal-calendars": {"name": "Calendar year (shared)"},
}
# Who edits each kind of resource; everyone else in the cast reads it, the outsider sees none of
# the project's or program's money (404). Reference data is read by every signed-in user; the
# vendor register by anyone managing contracts somewhere (the outsider manages another program).
EDITORS = {
    **{resource: {"owner", "project_manager", "analyst"} for resource in PROJECT_MONEY},
    **{resource: {"owner", "analyst"} for resource in PROGRAM_MONEY},
    **{resource: {"analyst"} for resource in REFERENCE},
    "vendors": {"owner", "analyst", "outsider"},
}
HIDDEN_FROM_OUTSIDER = {*PROJECT_MONEY, *PROGRAM_MONEY}
CAST = ["owner", "project_manager", "member", "executive", "analyst", "outsider"]
MATRIX = [(resource, who) for resource in PATCHES for who in CAST]


@pytest.mark.django_db
@pytest.mark.parametrize(("resource", "who"), MATRIX)
def test_permission_matrix(request, api_for, money, analyst, resource, who):
    client = api_for(request.getfixturevalue(who))
    obj = money[resource]
    listed = [row.get("id", row.get("code")) for row in client.get(url(resource)).json()["results"]]
    read = client.get(url(resource, obj))
    write = client.patch(url(resource, obj), PATCHES[resource], format="json")

    if who == "outsider" and resource in HIDDEN_FROM_OUTSIDER:
        assert (read.status_code, write.status_code) == (404, 404)
        assert obj.pk not in listed
        assert write.json() == {"status": 404, "detail": "Not found.", "errors": []}
    elif who in EDITORS[resource]:
        assert read.status_code == 200
        assert obj.pk in listed
        assert write.status_code == 200, write.json()
    else:
        assert read.status_code == 200
        assert obj.pk in listed
        assert write.status_code == 403, write.json()
        assert write.json()["status"] == 403


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["reserve-transactions", "lifecycle-cost-estimates", "fiscal-periods"])
def test_read_only_resources_are_listed_by_readers_and_hidden_from_outsiders(
    api_for, money, member, outsider, resource
):
    obj = money[resource]
    assert api_for(member).get(url(resource, obj)).status_code == 200
    assert api_for(member).patch(url(resource, obj), {}, format="json").status_code == 405
    status = 200 if resource == "fiscal-periods" else 404  # the shared calendar is everyone's
    assert api_for(outsider).get(url(resource, obj)).status_code == status


@pytest.mark.django_db
def test_anonymous_gets_401(api_for, money):
    for resource in ("budget-lines", "currencies", "imports"):
        assert api_for(None).get(url(resource)).status_code == 401


@pytest.mark.django_db
def test_delete_is_405_where_there_is_no_delete_service(api_for, money, owner, analyst):
    assert api_for(owner).delete(url("contracts", money["contracts"])).status_code == 405
    assert api_for(analyst).delete(url("currencies", money["currencies"])).status_code == 405
    assert Contract.objects.exists()


# -- project money -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestBudgetLines:
    def payload(self, project, ref, **changes):
        data = {"project": project.pk, "category": ref.materials.pk, "period": ref.period(2026, 3).pk, "amount": "5000"}
        return data | changes

    def test_finance_editor_creates_a_line_in_the_base_currency(self, api_for, project_manager, project, ref):
        response = api_for(project_manager).post(url("budget-lines"), self.payload(project, ref), format="json")
        assert response.status_code == 201, response.json()
        assert response["ETag"] == '"1"'
        body = response.json()
        assert (body["amount"], body["currency"], body["budget_version"], body["period_label"]) == (
            "5000.00",
            "EUR",
            "current",
            "FY2026 P03",
        )
        assert (body["project_code"], body["category_code"], body["fiscal_year"]) == ("MOD-ERP", "MAT", 2026)
        assert AuditEntry.objects.filter(object_type="budgets.budgetline", action="create").exists()

    def test_reader_gets_403_and_outsider_400_naming_project(self, api_for, member, outsider, project, ref):
        assert api_for(member).post(url("budget-lines"), self.payload(project, ref), format="json").status_code == 403
        response = api_for(outsider).post(url("budget-lines"), self.payload(project, ref), format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0] == {
            "field": "project",
            "code": "does_not_exist",
            "message": f'Invalid pk "{project.pk}" - object does not exist.',
        }
        assert not BudgetLine.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "field", "text"),
        [
            ({"currency": "XYZ"}, "currency", "XYZ is not a currency Keel knows"),
            ({"currency": ["EUR"]}, "currency", "ISO 4217"),
            ({"amount": "-1"}, "amount", "greater than or equal to 0"),
            ({"amount": "1.234"}, "amount", "2 decimal places"),
            ({"amount": "abc"}, "amount", "valid number"),
            ({"period": 999999}, "period", "does not exist"),
            ({"category": 999999}, "category", "does not exist"),
            ({"budget_version": "draft"}, "budget_version", "not a valid choice"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, api_for, owner, project, ref, changes, field, text):
        response = api_for(owner).post(url("budget-lines"), self.payload(project, ref, **changes), format="json")
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == [field]
        assert text in errors[0]["message"]

    def test_one_line_per_cell_is_400_not_500(self, api_for, owner, money, project, ref):
        line = money["budget-lines"]
        payload = self.payload(project, ref, category=line.category_id, period=line.period_id)
        response = api_for(owner).post(url("budget-lines"), payload, format="json")
        assert response.status_code == 400
        assert BudgetLine.objects.count() == 1

    def test_etag_and_if_match(self, api_for, owner, money):
        client, line = api_for(owner), money["budget-lines"]
        assert client.get(url("budget-lines", line))["ETag"] == '"1"'
        response = client.patch(url("budget-lines", line), {"amount": "1500"}, format="json", HTTP_IF_MATCH='"1"')
        assert response.status_code == 200
        assert response["ETag"] == '"2"'
        stale = client.patch(url("budget-lines", line), {"amount": "9"}, format="json", HTTP_IF_MATCH='"1"')
        assert stale.status_code == 412
        assert stale.json()["status"] == 412
        assert client.delete(url("budget-lines", line), HTTP_IF_MATCH='"1"').status_code == 412
        assert client.delete(url("budget-lines", line), HTTP_IF_MATCH='"2"').status_code == 204
        assert not BudgetLine.objects.exists()

    def test_project_is_fixed_after_creation(self, api_for, owner, money, program):
        other = ProjectFactory(program=program, code="MOD-CRM")
        line = money["budget-lines"]
        response = api_for(owner).patch(url("budget-lines", line), {"project": other.pk}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "project"

    def test_copy_to_original(self, api_for, owner, member, money, project):
        response = api_for(member).post(f"{API}/budget-lines/copy-to-original/", {"project": project.pk})
        assert response.status_code == 403
        response = api_for(owner).post(f"{API}/budget-lines/copy-to-original/", {"project": project.pk})
        assert response.status_code == 201, response.json()
        assert [row["budget_version"] for row in response.json()] == ["original"]
        again = api_for(owner).post(f"{API}/budget-lines/copy-to-original/", {"project": project.pk})
        assert again.status_code == 400
        assert again.json()["errors"][0]["field"] == "budget_version"


@pytest.mark.django_db
class TestCostEntries:
    def payload(self, project, ref, **changes):
        data = {
            "project": project.pk,
            "category": ref.labour.pk,
            "date": "2026-02-10",
            "amount": "-40.00",
            "source": "ledger",
            "external_ref": "GL-77",
        }
        return data | changes

    def test_a_credit_is_recorded(self, api_for, owner, money, project, ref):
        response = api_for(owner).post(url("cost-entries"), self.payload(project, ref), format="json")
        assert response.status_code == 201, response.json()
        assert (response.json()["amount"], response.json()["currency"]) == ("-40.00", "EUR")

    def test_a_duplicate_external_reference_is_400_on_external_ref(self, api_for, owner, money, project, ref):
        taken = money["cost-entries"].external_ref
        response = api_for(owner).post(
            url("cost-entries"), self.payload(project, ref, external_ref=taken), format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "external_ref"

    def test_a_task_of_another_project_is_400_on_task(self, api_for, owner, money, program, project, ref):
        task = TaskFactory(project=ProjectFactory(program=program))
        response = api_for(owner).post(url("cost-entries"), self.payload(project, ref, task=task.pk), format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "task"

    def test_an_invoice_needs_a_contract_that_serves_the_project(self, api_for, owner, money, program, project, ref):
        client = api_for(owner)
        response = client.post(url("cost-entries"), self.payload(project, ref, source="invoice"), format="json")
        assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "contract")
        other = ContractFactory(program=program, number="C-2", currency=ref.eur)
        payload = self.payload(project, ref, source="invoice", contract=other.pk, amount="300")
        response = client.post(url("cost-entries"), payload, format="json")
        assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "project")

        payload["contract"] = money["contracts"].pk
        response = client.post(url("cost-entries"), payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["vendor_name"] == "Acme Ltd"
        burn = client.get(f"{url('contracts', money['contracts'])}burn/").json()
        assert (burn["invoiced"], burn["obligated"], burn["over_obligated"]) == ("300.00", "50000.00", False)
        assert burn["percent_of_obligated"] == "0.60"

    def test_filters(self, api_for, owner, money, project, ref):
        CostEntryFactory(project=project, category=ref.materials, currency=ref.eur, date=dt.date(2026, 5, 1))
        client = api_for(owner)
        rows = client.get(url("cost-entries"), {"category_code": "MAT", "date_after": "2026-04-01"}).json()["results"]
        assert [row["category_code"] for row in rows] == ["MAT"]
        assert client.get(url("cost-entries"), {"date_after": "not a date"}).status_code == 400


@pytest.mark.django_db
class TestReserveDrawdowns:
    def test_finance_editor_draws_down_and_the_log_lists_it(self, api_for, project_manager, money, project):
        payload = {"project": project.pk, "reserve": "contingency", "amount": "250.00", "reason": "Vendor delay"}
        response = api_for(project_manager).post(url("reserve-transactions"), payload, format="json")
        assert response.status_code == 201, response.json()
        assert (response.json()["scope"], response.json()["actor_username"]) == ("project", "pm")
        assert ReserveTransaction.objects.count() == 2

    def test_overdrawing_is_400_on_amount(self, api_for, owner, money, project):
        payload = {"project": project.pk, "reserve": "contingency", "amount": "9900.01", "reason": "Too much"}
        response = api_for(owner).post(url("reserve-transactions"), payload, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "amount"
        assert "Only 9900.00" in response.json()["errors"][0]["message"]

    def test_exactly_one_of_project_and_program(self, api_for, owner, money, project, program):
        payload = {"project": project.pk, "program": program.pk, "reserve": "management", "amount": "1", "reason": "x"}
        response = api_for(owner).post(url("reserve-transactions"), payload, format="json")
        assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "project")

    def test_program_drawdown_needs_a_program_finance_role(self, api_for, project_manager, owner, money, program):
        payload = {"program": program.pk, "reserve": "contingency", "amount": "10", "reason": "Program risk"}
        assert api_for(project_manager).post(url("reserve-transactions"), payload, format="json").status_code == 403
        assert api_for(owner).post(url("reserve-transactions"), payload, format="json").status_code == 201


# -- program money --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestContracts:
    def payload(self, program, vendor, **changes):
        data = {
            "program": program.pk,
            "vendor": vendor.pk,
            "number": "C-9",
            "title": "Integration services",
            "type": "tm",
            "ceiling": "100000.00",
            "obligated": "20000.00",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        }
        return data | changes

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"ceiling": "-1"}, "ceiling"),
            ({"period_end": "2025-12-31"}, "period_end"),
            ({"obligated": "100000.01"}, "obligated"),
            ({"currency": "XXX"}, "currency"),
            ({"number": "C-1"}, "number"),
            ({"type": "barter"}, "type"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, api_for, owner, money, program, changes, field):
        payload = self.payload(program, money["vendors"], **changes)
        response = api_for(owner).post(url("contracts"), payload, format="json")
        assert response.status_code == 400, response.json()
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert Contract.objects.count() == 1

    def test_create_with_projects_of_the_program_only(self, api_for, owner, money, program, project, outsider):
        client = api_for(owner)
        other_program_project = ProjectFactory(program=outsider.memberships.get().program)
        payload = self.payload(program, money["vendors"], projects=[project.pk])
        response = client.post(url("contracts"), payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["projects"] == [project.pk]
        payload = self.payload(program, money["vendors"], number="C-10", projects=[other_program_project.pk])
        assert client.post(url("contracts"), payload, format="json").json()["errors"][0]["field"] == "projects"

    def test_project_manager_may_read_but_not_create(self, api_for, project_manager, money, program):
        payload = self.payload(program, money["vendors"])
        assert api_for(project_manager).post(url("contracts"), payload, format="json").status_code == 403

    def test_security_requirements(self, api_for, owner, member, money):
        path = f"{url('contracts', money['contracts'])}security-requirements/"
        client = api_for(owner)
        created = client.post(path, {"requirement": "ISO 27001 certificate", "status": "in_progress"}, format="json")
        assert created.status_code == 201, created.json()
        updated = client.post(path, {"requirement": "ISO 27001 certificate", "status": "met"}, format="json")
        assert (updated.status_code, updated.json()["status"]) == (200, "met")
        assert [r["status"] for r in api_for(member).get(path).json()] == ["met"]
        assert api_for(member).post(path, {"requirement": "SOC 2", "status": "met"}, format="json").status_code == 403
        detail = client.get(url("contracts", money["contracts"])).json()
        assert [r["requirement"] for r in detail["security_requirements"]] == ["ISO 27001 certificate"]


@pytest.mark.django_db
class TestLifecycleCostEstimates:
    def test_create_edit_version_approve_compare(self, api_for, owner, money, program, ref):
        client = api_for(owner)
        first = money["lifecycle-cost-estimates"]
        response = client.post(f"{url('lifecycle-cost-estimates', first)}new-version/", {"notes": "Rebaselined"})
        assert response.status_code == 201, response.json()
        second = response.json()
        assert (second["number"], second["based_on_number"], second["status"]) == (2, 1, "draft")

        line = {"estimate": second["id"], "phase": "om", "fiscal_year": 2027, "category": ref.labour.pk, "amount": "7"}
        assert client.post(url("lifecycle-cost-lines"), line, format="json").status_code == 201
        assert client.post(url("lifecycle-cost-lines"), line | {"amount": "8"}, format="json").status_code == 200

        approve = f"{API}/lifecycle-cost-estimates/{second['id']}/approve/"
        assert client.post(approve, HTTP_IF_MATCH='"7"').status_code == 412
        response = client.post(approve, HTTP_IF_MATCH='"1"')
        assert response.status_code == 200, response.json()
        assert (response.json()["status"], response.json()["approved_by_username"]) == ("approved", "owner")
        assert client.post(approve).json()["errors"][0]["field"] == "status"
        frozen = client.post(url("lifecycle-cost-lines"), line | {"amount": "9"}, format="json")
        assert (frozen.status_code, frozen.json()["errors"][0]["field"]) == (400, "status")

        comparison = client.get(f"{url('lifecycle-cost-estimates', first)}compare/", {"with": second["id"]})
        assert comparison.status_code == 200, comparison.json()
        body = comparison.json()
        assert (body["left_number"], body["right_number"], body["currency"]) == (1, 2, "EUR")
        assert (body["left_total"], body["right_total"], body["delta"]) == ("10000.00", "10008.00", "8.00")
        assert {p["phase"]: p["delta"] for p in body["phases"]} == {"acquisition": "0.00", "om": "8.00"}

    def test_compare_delta_is_newer_minus_older_from_either_side(self, api_for, owner, money, ref):
        client, first = api_for(owner), money["lifecycle-cost-estimates"]
        second = client.post(f"{url('lifecycle-cost-estimates', first)}new-version/", {"notes": "More"}).json()
        line = {"estimate": second["id"], "phase": "om", "fiscal_year": 2027, "category": ref.labour.pk, "amount": "8"}
        assert client.post(url("lifecycle-cost-lines"), line, format="json").status_code == 201
        from_newer = client.get(f"{API}/lifecycle-cost-estimates/{second['id']}/compare/", {"with": first.pk}).json()
        assert (from_newer["left_number"], from_newer["right_number"]) == (1, 2)
        assert (from_newer["delta"], from_newer["delta_label"]) == ("8.00", "v2 − v1")
        assert {p["phase"]: p["delta"] for p in from_newer["phases"]}["om"] == "8.00"
        assert [r["delta"] for r in from_newer["rows"] if r["phase"] == "om"] == ["8.00"]

    def test_compare_names_the_with_parameter(self, api_for, owner, outsider, money):
        client, first = api_for(owner), money["lifecycle-cost-estimates"]
        compare = f"{url('lifecycle-cost-estimates', first)}compare/"
        assert client.get(compare).json()["errors"][0]["field"] == "with"
        assert client.get(compare, {"with": "abc"}).json()["errors"][0]["field"] == "with"
        hidden = LifecycleCostEstimateFactory(program=outsider.memberships.get().program)
        response = client.get(compare, {"with": hidden.pk})
        assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "with")

    def test_readers_may_not_approve(self, api_for, project_manager, money):
        estimate = money["lifecycle-cost-estimates"]
        response = api_for(project_manager).post(f"{url('lifecycle-cost-estimates', estimate)}approve/")
        assert response.status_code == 403
        assert LifecycleCostEstimate.objects.get().status == "draft"

    def test_create_needs_a_program_finance_role(self, api_for, owner, project_manager, money, program):
        assert (
            api_for(project_manager).post(url("lifecycle-cost-estimates"), {"program": program.pk}).status_code == 403
        )
        response = api_for(owner).post(url("lifecycle-cost-estimates"), {"program": program.pk})
        assert (response.status_code, response.json()["number"]) == (201, 2)


# -- reference data ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestReferenceData:
    def test_currencies_are_addressed_by_code(self, api_for, analyst, owner, ref):
        client = api_for(analyst)
        assert client.get(f"{API}/currencies/eur/").json()["code"] == "EUR"
        assert client.post(url("currencies"), {"code": "GBP", "name": "Pound sterling"}).status_code == 201
        assert api_for(owner).post(url("currencies"), {"code": "CHF", "name": "Swiss franc"}).status_code == 403
        assert client.post(url("currencies"), {"code": "gb", "name": "x"}).json()["errors"][0]["field"] == "code"
        response = client.patch(f"{API}/currencies/GBP/", {"code": "GBX"}, format="json")
        assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "code")

    def test_exchange_rate_between_one_currency_is_400(self, api_for, analyst, ref):
        payload = {"from_currency": "EUR", "to_currency": "EUR", "rate": "1", "valid_on": "2026-01-01"}
        response = api_for(analyst).post(url("exchange-rates"), payload, format="json")
        assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "to_currency")

    def test_fiscal_calendar_and_generated_periods(self, api_for, analyst, owner, portfolio, ref):
        client = api_for(analyst)
        response = client.post(
            url("fiscal-calendars"), {"name": "US federal", "start_month": 10, "portfolio": portfolio.pk}, format="json"
        )
        assert response.status_code == 201, response.json()
        calendar = response.json()["id"]
        generate = f"{API}/fiscal-calendars/{calendar}/generate-periods/"
        assert api_for(owner).post(generate, {"first_year": 2026}).status_code == 403
        response = client.post(generate, {"first_year": 2026, "last_year": 2027})
        assert response.status_code == 201
        periods = response.json()
        assert (len(periods), periods[0]["label"], periods[0]["start"]) == (24, "FY2026 P01", "2025-10-01")
        assert (
            client.post(generate, {"first_year": 2027, "last_year": 2026}).json()["errors"][0]["field"] == "last_year"
        )
        listed = client.get(url("fiscal-periods"), {"calendar": calendar, "fiscal_year": 2027}).json()
        assert listed["count"] == 12
        assert FiscalPeriod.objects.filter(calendar_id=calendar).count() == 24

    def test_a_portfolio_calendar_needs_a_role_on_that_portfolio(self, api_for, owner, portfolio, ref):
        payload = {"name": "Mine", "portfolio": portfolio.pk}
        assert api_for(owner).post(url("fiscal-calendars"), payload, format="json").status_code == 403


@pytest.mark.django_db
def test_cost_entry_update_keeps_its_audit(api_for, owner, money):
    entry = money["cost-entries"]
    response = api_for(owner).patch(url("cost-entries", entry), {"amount": "99.99"}, format="json")
    assert response.status_code == 200
    assert CostEntry.objects.get().amount == D("99.99")
    audit = AuditEntry.objects.get(object_type="budgets.costentry", action="update")
    assert audit.changes["amount"] == ["100.00", "99.99"]
