"""Every money list endpoint issues the same number of queries for 3 rows as for 30.

The viewer is the cast's executive (portfolio-wide reader), so each count includes the
membership subqueries of visible_to as they run in production.
"""

import datetime as dt
import itertools
import string
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from budgets import services
from budgets.models import ImportJob
from tests.factories.budgets import (
    BudgetLineFactory,
    ContractFactory,
    CostCategoryFactory,
    CostEntryFactory,
    CurrencyFactory,
    ExchangeRateFactory,
    FiscalCalendarFactory,
    ForecastFactory,
    LifecycleCostEstimateFactory,
    LifecycleCostLineFactory,
    VendorFactory,
)
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory, TaskFactory

from .money_setup import reference_data

SMALL, LARGE = 3, 30
CODES = ("Q" + "".join(pair) for pair in itertools.product(string.ascii_uppercase, repeat=2))

LIST_ENDPOINTS = {
    "currencies": "/api/v1/currencies/",
    "exchange-rates": "/api/v1/exchange-rates/",
    "cost-categories": "/api/v1/cost-categories/",
    "fiscal-calendars": "/api/v1/fiscal-calendars/",
    "fiscal-periods": "/api/v1/fiscal-periods/?page_size=500",
    "budget-lines": "/api/v1/budget-lines/",
    "budget-lines (filtered, ordered)": "/api/v1/budget-lines/?fiscal_year=2026&budget_version=current&ordering=-amount"
    "&search=PRJ",
    "cost-entries": "/api/v1/cost-entries/",
    "cost-entries (filtered, searched)": "/api/v1/cost-entries/?source=ledger&search=GL&ordering=-date",
    "forecasts": "/api/v1/forecasts/",
    "reserve-transactions": "/api/v1/reserve-transactions/",
    "lifecycle-cost-estimates": "/api/v1/lifecycle-cost-estimates/",
    "lifecycle-cost-lines": "/api/v1/lifecycle-cost-lines/",
    "vendors": "/api/v1/vendors/",
    "contracts": "/api/v1/contracts/",
    "contracts (filtered)": "/api/v1/contracts/?type=ffp&active_on=2026-06-01&ordering=number",
    "imports": "/api/v1/imports/",
}


@pytest.fixture
def ref(db):
    return reference_data()


def add_rows(count: int, *, viewer, portfolio, ref) -> None:
    """`count` more rows in every listed resource, all visible to `viewer`, each with every
    related object the serializers show."""
    for _ in range(count):
        program = ProgramFactory(portfolio=portfolio)
        project = ProjectFactory(program=program, contingency_reserve=Decimal("1000"))
        task = TaskFactory(project=project)
        vendor = VendorFactory()
        contract = ContractFactory(program=program, vendor=vendor, currency=ref.eur)
        contract.projects.add(project)
        services.contract_security_requirement_set(actor=None, contract=contract, requirement="ISO", status="met")
        category = CostCategoryFactory()
        BudgetLineFactory(project=project, category=category, period=ref.period(2026, 1), currency=ref.eur)
        CostEntryFactory(
            project=project, task=task, category=category, currency=ref.eur, vendor=vendor, contract=contract
        )
        ForecastFactory(project=project, category=category, period=ref.period(2026, 2), currency=ref.eur)
        services.reserve_drawdown(actor=viewer, reserve="contingency", amount=Decimal("1"), reason="R", project=project)
        estimate = LifecycleCostEstimateFactory(program=program, number=1)
        LifecycleCostLineFactory(estimate=estimate, category=category, currency=ref.eur)
        services.lcce_new_version(actor=viewer, estimate=estimate)
        currency = CurrencyFactory(code=next(CODES))
        ExchangeRateFactory(from_currency=currency, to_currency=ref.eur, valid_on=dt.date(2026, 1, 1))
        calendar = FiscalCalendarFactory()
        services.fiscal_periods_generate(actor=None, calendar=calendar, first_year=2026)
        ImportJob.objects.create(user=viewer, kind="actuals", file="imports/x.csv", filename="x.csv")


def queries_for(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_ENDPOINTS)
def test_list_query_count_does_not_grow_with_rows(executive, portfolio, ref, name):
    url = LIST_ENDPOINTS[name]
    client = APIClient()
    client.force_login(executive)
    add_rows(SMALL, viewer=executive, portfolio=portfolio, ref=ref)
    client.get(url)  # warm per-process caches (content types, etc.) before counting
    small_queries, small_rows = queries_for(client, url)
    add_rows(LARGE - SMALL, viewer=executive, portfolio=portfolio, ref=ref)
    large_queries, large_rows = queries_for(client, url)

    assert large_rows > small_rows >= SMALL  # the pages really did grow
    assert large_queries == small_queries, (
        f"{name}: {small_queries} queries for {small_rows} rows, {large_queries} for {large_rows}"
    )
    print(f"{name}: {large_queries} queries")
