"""A finished project (completed or cancelled) has no labour still to come: its allocation-derived
labour forecast is empty, for the project itself and in its program's earned value."""

import datetime as dt
import functools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import selectors as money
from budgets.models import FiscalPeriod
from budgets.services import fiscal_periods_generate
from projects.models import Project
from staffing import selectors
from tests.factories.budgets import CostCategoryFactory, ForecastFactory
from tests.factories.projects import ProjectFactory
from tests.factories.staffing import AllocationFactory, CostRateFactory, PersonFactory, RoleFactory

D = Decimal

# The EVM selectors take the labour forecast as a parameter; these tests pass staffing's, as the cost pages do.
program_evm = functools.partial(money.program_evm, labour_forecasts=selectors.labour_forecasts)
project_evm = functools.partial(money.project_evm, labour_forecasts=selectors.labour_forecasts)

pytestmark = pytest.mark.django_db

STATUS = dt.date(2026, 2, 14)
OPEN_LABOUR = D(5 * 8 * 100)  # 2-6 March, 40 h a week at 100
FINISHED_LABOUR = D(15 * 8 * 50)  # 2-20 March, 40 h a week at 50
FINISHED = [Project.Status.COMPLETED, Project.Status.CANCELLED]


def allocate(project, *, start, end, hours, rate="100"):
    """A new person at `rate` an hour (EUR), booked `hours` a week on `project` from `start` to `end`."""
    portfolio = project.program.portfolio
    person = PersonFactory(portfolio=portfolio)
    CostRateFactory(person=person, effective_from=dt.date(2025, 1, 1), hourly_rate=D(rate))
    role = RoleFactory(portfolio=portfolio)
    return AllocationFactory(
        person=person, project=project, role=role, start=start, end=end, fte_percent=None, hours_per_week=D(hours)
    )


@pytest.fixture
def calendar(calendar):
    fiscal_periods_generate(actor=None, calendar=calendar, first_year=2026)
    return calendar


@pytest.fixture
def periods(calendar):
    return {p.number: p for p in FiscalPeriod.objects.filter(calendar=calendar, fiscal_year=2026)}


@pytest.fixture
def staffed(project, periods, eur):
    """Two projects of one program with their status date on 14 February and allocations ahead:
    the cast's project books 40 h a week at 100 in 2-6 March; `second` books 40 h a week at 50
    in 2-20 March and has a manual (non-labour) forecast of 700 in April."""
    project.status_date = STATUS
    project.save()
    second = ProjectFactory(program=project.program, code="MOD-HR", status_date=STATUS)
    ForecastFactory(
        project=second, category=CostCategoryFactory(code="MAT"), period=periods[4], amount=D("700"), currency=eur
    )
    allocate(project, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 6), hours=40)
    allocate(second, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 20), hours=40, rate="50")
    return project, second


def _reload(*projects):
    return list(Project.objects.select_related("program__portfolio").filter(pk__in=[p.pk for p in projects]))


def _finish(project, status):
    project.status = status
    project.save(update_fields=["status"])


def test_open_projects_forecast_their_allocations(staffed, calendar):
    project, second = staffed
    forecasts = selectors.labour_forecasts(_reload(project, second), calendar)
    assert forecasts[project.pk].total == OPEN_LABOUR
    assert forecasts[second.pk].total == FINISHED_LABOUR


@pytest.mark.parametrize("status", FINISHED)
def test_a_finished_project_forecasts_no_labour(staffed, calendar, status):
    project, second = staffed
    _finish(second, status)
    forecasts = selectors.labour_forecasts(_reload(project, second), calendar)
    assert forecasts[second.pk].amounts == {}
    assert forecasts[second.pk].total_hours == D(0)
    assert forecasts[second.pk].currency == "EUR"
    assert forecasts[project.pk].total == OPEN_LABOUR  # the open project keeps its labour


@pytest.mark.parametrize("status", FINISHED)
def test_finished_projects_alone_cost_no_query(staffed, calendar, status):
    project, second = staffed
    for p in (project, second):
        _finish(p, status)
    loaded = _reload(project, second)
    with CaptureQueriesContext(connection) as captured:
        forecasts = selectors.labour_forecasts(loaded, calendar)
    assert len(captured) == 0
    assert [f.total for f in forecasts.values()] == [D(0), D(0)]


def test_a_finished_project_among_open_ones_adds_no_query(staffed, calendar):
    project, second = staffed

    def count():
        loaded = _reload(project, second)
        with CaptureQueriesContext(connection) as captured:
            selectors.labour_forecasts(loaded, calendar)
        return len(captured)

    before = count()
    _finish(second, Project.Status.COMPLETED)
    assert count() == before == 5  # allocations, schedule assignments, rates, absences, manual labour forecasts


@pytest.mark.parametrize("status", FINISHED)
def test_program_etc_leaves_out_a_finished_projects_labour(staffed, status):
    project, second = staffed
    assert program_evm(program=project.program, as_of=STATUS).figures.etc == OPEN_LABOUR + FINISHED_LABOUR + D(700)
    _finish(second, status)
    figures = program_evm(program=project.program, as_of=STATUS).figures
    # The manual forecast is budgets' business and still counts; only the allocations drop out.
    assert figures.etc == OPEN_LABOUR + D(700)
    assert figures.eac_bottom_up == figures.ac + figures.etc


@pytest.mark.parametrize("status", FINISHED)
def test_project_etc_of_a_finished_project_has_no_labour(staffed, periods, eur, status):
    project, _ = staffed
    ForecastFactory(
        project=project, category=CostCategoryFactory(code="SVC"), period=periods[5], amount=D("300"), currency=eur
    )
    assert project_evm(project=project, as_of=STATUS).figures.etc == OPEN_LABOUR + D(300)
    _finish(project, status)
    assert project_evm(project=project, as_of=STATUS).figures.etc == D(300)  # the manual figure alone
