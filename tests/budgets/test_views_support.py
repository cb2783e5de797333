"""Fixtures and helpers the money HTML tests share (no tests here). The test_views_* modules
import them with `from .test_views_support import *`.

On top of the cast in tests/conftest.py (owner = program manager, project_manager, member,
executive, outsider):

- analyst: finance analyst on the cast's portfolio (edits money and reference data)
- money: the cast's project with a calendar-year fiscal calendar (2026 stored), a category,
  EUR and USD with a rate, a current budget of 3,100 in January and 2,800 in February, two
  tasks with progress, four actual costs, a forecast and a status date of 14 February 2026
- contract: a contract of the program serving the project, with two invoices
"""

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import FiscalPeriod
from budgets.services import fiscal_periods_generate
from portfolio.models import Membership
from tests.factories.budgets import (
    BudgetLineFactory,
    ContractFactory,
    CostCategoryFactory,
    CostEntryFactory,
    CurrencyFactory,
    ExchangeRateFactory,
    FiscalCalendarFactory,
    ForecastFactory,
    VendorFactory,
)
from tests.factories.portfolio import MembershipFactory
from tests.factories.projects import TaskFactory
from tests.factories.users import UserFactory

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def html_test_settings(settings):
    """With DEBUG off the settings pick the manifest static storage, which needs
    `collectstatic`; tests render pages without it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def analyst(portfolio):
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, role=Membership.Role.FINANCE_ANALYST, portfolio=portfolio)
    return user


@pytest.fixture
def eur(db):
    return CurrencyFactory(code="EUR")


@pytest.fixture
def usd(db):
    return CurrencyFactory(code="USD")


@pytest.fixture
def calendar(db):
    calendar = FiscalCalendarFactory(name="Calendar year", is_default=True)
    fiscal_periods_generate(actor=None, calendar=calendar, first_year=2026)
    return calendar


@pytest.fixture
def periods(calendar):
    return {p.number: p for p in FiscalPeriod.objects.filter(calendar=calendar, fiscal_year=2026)}


@pytest.fixture
def category(db):
    return CostCategoryFactory(code="LAB", name="Labour")


def at(y, m, d, hour=0):
    return dt.datetime(y, m, d, hour, tzinfo=dt.UTC)


@pytest.fixture
def money(project, periods, category, eur, usd):
    """The worked example of tests/budgets/test_selectors.py: PV 4,500, EV 4,450, AC 4,400 on
    14 February 2026 (BAC 5,900), plus a forecast of 1,000 in March."""
    ExchangeRateFactory(from_currency=usd, to_currency=eur, rate=D("0.9"), valid_on=dt.date(2026, 1, 1))
    project.status_date = dt.date(2026, 2, 14)
    project.contingency_reserve = D("5000")
    project.save()
    BudgetLineFactory(project=project, category=category, period=periods[1], amount=D("3100"), currency=eur)
    BudgetLineFactory(project=project, category=category, period=periods[2], amount=D("2800"), currency=eur)
    TaskFactory(
        project=project,
        name="Design",
        cost=D("3000"),
        percent_complete=D("100"),
        actual_start=at(2026, 1, 5, 8),
        actual_finish=at(2026, 1, 20, 17),
    )
    TaskFactory(project=project, name="Build", cost=D("2900"), percent_complete=D("50"), actual_start=at(2026, 2, 1, 8))
    CostEntryFactory(project=project, category=category, date=dt.date(2026, 1, 10), amount=D("1000"), currency=eur)
    CostEntryFactory(project=project, category=category, date=dt.date(2026, 2, 5), amount=D("1000"), currency=usd)
    CostEntryFactory(project=project, category=category, date=dt.date(2026, 2, 10), amount=D("2500"), currency=eur)
    CostEntryFactory(project=project, category=category, date=dt.date(2026, 2, 20), amount=D("999"), currency=eur)
    ForecastFactory(project=project, category=category, period=periods[3], amount=D("1000"), currency=eur)
    return project


@pytest.fixture
def contract(money, program, category, eur):
    contract = ContractFactory(
        program=program,
        vendor=VendorFactory(name="Acme Systems"),
        number="C-100",
        title="ERP licences",
        ceiling=D("10000"),
        obligated=D("6000"),
        currency=eur,
    )
    contract.projects.set([money])
    for day, amount in ((dt.date(2026, 1, 20), D("1500")), (dt.date(2026, 2, 3), D("1500"))):
        CostEntryFactory(
            project=money, category=category, date=day, amount=amount, currency=eur, source="invoice", contract=contract
        )
    return contract


def count_queries(client, url, params=None, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {}, **extra)
    assert response.status_code == 200, response.content[:500]
    return len(queries), response


def svg_root(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def svg_classes(markup) -> set[str]:
    return {cls for el in svg_root(markup).iter() for cls in el.get("class", "").split()}


def svg_series(markup) -> set[str]:
    return {el.get("data-series") for el in svg_root(markup).iter() if el.get("data-series")}


__all__ = [
    "HTMX",
    "SVG",
    "D",
    "analyst",
    "at",
    "calendar",
    "category",
    "contract",
    "count_queries",
    "eur",
    "html_test_settings",
    "money",
    "periods",
    "svg_classes",
    "svg_root",
    "svg_series",
    "usd",
]
