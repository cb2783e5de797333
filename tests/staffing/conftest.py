"""Staffing fixtures on top of the cast (tests/conftest.py): the CORP pool with two roles, a
resource manager (portfolio admin), a finance analyst, EUR/USD and the calendar-year fiscal
calendar."""

import datetime as dt
from decimal import Decimal

import pytest

from portfolio.models import Membership
from tests.factories.budgets import CurrencyFactory, FiscalCalendarFactory
from tests.factories.portfolio import MembershipFactory
from tests.factories.staffing import PersonFactory, RoleFactory
from tests.factories.users import UserFactory

D = Decimal

MON = dt.date(2026, 3, 2)


@pytest.fixture
def eur(db):
    return CurrencyFactory(code="EUR")


@pytest.fixture
def usd(db):
    return CurrencyFactory(code="USD")


@pytest.fixture
def calendar(db):
    return FiscalCalendarFactory(name="Calendar year", is_default=True)


@pytest.fixture
def analyst_role(portfolio):
    return RoleFactory(portfolio=portfolio, code="BA", name="Business analyst", standard_rate=D("80"))


@pytest.fixture
def developer_role(portfolio):
    return RoleFactory(portfolio=portfolio, code="DEV", name="Developer", standard_rate=D("90"))


@pytest.fixture
def person(portfolio, analyst_role, eur):
    return PersonFactory(portfolio=portfolio, name="Alice Analyst", roles=[analyst_role])


@pytest.fixture
def resource_manager(portfolio):
    user = UserFactory(username="rm")
    MembershipFactory(user=user, role=Membership.Role.PORTFOLIO_ADMIN, portfolio=portfolio)
    return user


@pytest.fixture
def finance(portfolio):
    user = UserFactory(username="fin")
    MembershipFactory(user=user, role=Membership.Role.FINANCE_ANALYST, portfolio=portfolio)
    return user
