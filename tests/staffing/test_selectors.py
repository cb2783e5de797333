"""Utilisation, conflicts, gaps and the labour cost forecast from the database."""

import datetime as dt
import functools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import selectors as money
from staffing import selectors, services
from staffing.models import StaffingRequest
from tests.factories.budgets import CostCategoryFactory, ExchangeRateFactory, FiscalPeriodFactory, ForecastFactory
from tests.factories.projects import ProjectFactory
from tests.factories.staffing import AbsenceFactory, AllocationFactory, CostRateFactory, PersonFactory

from .conftest import MON

D = Decimal

# The EVM selectors take the labour forecast as a parameter; these tests pass staffing's, as the cost pages do.
budget_by_period = functools.partial(money.budget_by_period, labour_forecasts=selectors.labour_forecasts)
labour_forecast_by_period = functools.partial(
    money.labour_forecast_by_period, labour_forecasts=selectors.labour_forecasts
)
project_evm = functools.partial(money.project_evm, labour_forecasts=selectors.labour_forecasts)

pytestmark = pytest.mark.django_db


def count_queries(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


class TestUtilisation:
    def test_overlapping_allocations_on_two_projects_are_a_conflict(self, program, project, person, analyst_role):
        other = ProjectFactory(program=program)
        first = AllocationFactory(person=person, project=project, role=analyst_role, fte_percent=D(60))
        second = AllocationFactory(person=person, project=other, role=analyst_role, fte_percent=D(60))
        (load,) = selectors.utilisation([person], start=MON, weeks=2)
        assert [w.load for w in load.weeks] == [D(48), D(48)]
        (conflict,) = selectors.conflicts([person], start=MON, weeks=2)
        assert conflict.person == person
        assert {a.pk for a in conflict.allocations} == {first.pk, second.pk}
        assert conflict.excess_hours == D(16)

    def test_holiday_week_of_a_fully_booked_person_is_absent_not_free(self, project, person, analyst_role):
        AllocationFactory(person=person, project=project, role=analyst_role, fte_percent=D(100))
        AbsenceFactory(person=person, start=MON, end=MON + dt.timedelta(days=4))
        week = selectors.utilisation([person], start=MON, weeks=1)[0].weeks[0]
        assert week.band == "absent"
        assert week.booked_on_absence == D(40)
        assert selectors.conflicts([person], start=MON, weeks=1) == []

    def test_zero_capacity_contractor_with_hours_is_over_allocated(self, portfolio, project, analyst_role):
        contractor = PersonFactory(portfolio=portfolio, weekly_capacity_hours=D(0))
        AllocationFactory(person=contractor, project=project, role=analyst_role, fte_percent=None, hours_per_week=D(8))
        (conflict,) = selectors.conflicts([contractor], start=MON, weeks=1)
        assert conflict.weeks[0].utilisation is None

    def test_utilisation_is_four_queries_whatever_the_number_of_people(self, portfolio, project, analyst_role):
        def build(n):
            people = [PersonFactory(portfolio=portfolio) for _ in range(n)]
            for p in people:
                AllocationFactory(person=p, project=project, role=analyst_role)
                AbsenceFactory(person=p)
            return [p.pk for p in people]

        from staffing.models import Person

        counts = []
        for pks in (build(2), build(20)):
            n, _ = count_queries(
                lambda pks=pks: selectors.utilisation(list(Person.objects.filter(pk__in=pks)), start=MON, weeks=12)
            )
            counts.append(n)
        assert counts == [4, 4]  # people, allocations, schedule assignments, absences


class TestGaps:
    def test_requested_vs_filled_by_request_role_and_project(self, project, person, analyst_role, developer_role):
        request = services.staffing_request_create(
            actor=None,
            project=project,
            role=analyst_role,
            start=MON,
            end=MON + dt.timedelta(days=13),
            fte_percent=D(100),
        )
        services.staffing_request_create(
            actor=None,
            project=project,
            role=developer_role,
            start=MON,
            end=MON + dt.timedelta(days=4),
            hours_per_week=D(20),
        )
        services.allocation_create(
            actor=None,
            person=person,
            project=project,
            role=analyst_role,
            start=MON,
            end=MON + dt.timedelta(days=13),
            fte_percent=D(50),
            request=request,
        )
        request.refresh_from_db()
        assert request.status == StaffingRequest.Status.PARTIALLY_FILLED
        gaps = selectors.staffing_gaps([project])
        analyst = next(g for g in gaps.by_role if g.role == analyst_role)
        assert (analyst.requested_hours, analyst.filled_hours, analyst.gap_hours) == (D(80), D(40), D(40))
        assert analyst.unfilled_fte == D("0.5")
        developer = next(g for g in gaps.by_role if g.role == developer_role)
        assert (developer.requested_hours, developer.filled_hours) == (D(20), D(0))
        assert gaps.by_project[project.pk]["gap_hours"] == D(60)
        assert sum(r["requested_hours"] for r in gaps.by_role_month) == D(100)

    def test_a_request_is_filled_when_allocations_cover_it_and_reopens_when_they_go(
        self, project, person, analyst_role
    ):
        request = services.staffing_request_create(
            actor=None, project=project, role=analyst_role, start=MON, end=MON + dt.timedelta(days=4), fte_percent=D(50)
        )
        allocation = services.allocation_create(
            actor=None,
            person=person,
            project=project,
            role=analyst_role,
            start=MON,
            end=MON + dt.timedelta(days=4),
            hours_per_week=D(20),
            request=request,
        )
        request.refresh_from_db()
        assert request.status == StaffingRequest.Status.FILLED
        services.allocation_delete(actor=None, allocation=allocation)
        request.refresh_from_db()
        assert request.status == StaffingRequest.Status.OPEN

    def test_cancelled_requests_are_not_gaps(self, project, analyst_role):
        request = services.staffing_request_create(
            actor=None, project=project, role=analyst_role, start=MON, end=MON, fte_percent=D(50)
        )
        services.staffing_request_cancel(actor=None, staffing_request=request)
        assert selectors.staffing_gaps([project]).requests == []

    def test_gaps_do_not_grow_in_queries_with_requests(self, program, portfolio, analyst_role):
        def build(n):
            project = ProjectFactory(program=program)
            for _ in range(n):
                person = PersonFactory(portfolio=portfolio)
                r = services.staffing_request_create(
                    actor=None, project=project, role=analyst_role, start=MON, end=MON, fte_percent=D(50)
                )
                AllocationFactory(person=person, project=project, role=analyst_role, request=r)
            return project

        counts = [count_queries(lambda p=p: selectors.staffing_gaps([p]))[0] for p in (build(1), build(10))]
        assert counts[0] == counts[1] == 3


@pytest.fixture
def forecast_project(program, calendar, eur):
    project = ProjectFactory(program=program, status_date=dt.date(2026, 3, 4))  # a Wednesday
    return project


def _reload(project):
    from projects.models import Project

    return Project.objects.select_related("program__portfolio").get(pk=project.pk)


class TestLabourForecast:
    def test_hours_times_the_effective_rate_from_the_day_after_the_status_date(
        self, forecast_project, person, analyst_role, calendar, eur
    ):
        CostRateFactory(person=person, effective_from=dt.date(2026, 1, 1), hourly_rate=D("100"), currency=eur)
        CostRateFactory(person=person, effective_from=dt.date(2026, 4, 1), hourly_rate=D("120"), currency=eur)
        AllocationFactory(
            person=person,
            project=forecast_project,
            role=analyst_role,
            start=dt.date(2026, 3, 2),
            end=dt.date(2026, 4, 3),
            fte_percent=D(50),
        )
        forecast = selectors.labour_forecast(_reload(forecast_project), calendar)
        rows = {p.label: (p.start, h, a) for p, h, a in forecast.rows()}
        # March from Thursday 5th: 19 working days x 4 h x 100; April 1-3: 3 days x 4 h x 120.
        assert rows["FY2026 P03"] == (dt.date(2026, 3, 5), D(76), D(7600))
        assert rows["FY2026 P04"] == (dt.date(2026, 4, 1), D(12), D(1440))
        assert forecast.total == D(9040)

    def test_role_standard_rate_when_the_person_has_none(self, forecast_project, person, analyst_role, calendar):
        AllocationFactory(
            person=person,
            project=forecast_project,
            role=analyst_role,
            start=dt.date(2026, 4, 6),
            end=dt.date(2026, 4, 10),
            hours_per_week=D(10),
            fte_percent=None,
        )
        forecast = selectors.labour_forecast(_reload(forecast_project), calendar)
        assert forecast.total == D(800)  # 10 h x 80 (Business analyst)

    def test_foreign_rate_is_converted_at_the_periods_first_day(
        self, forecast_project, person, analyst_role, calendar, usd, eur
    ):
        CostRateFactory(person=person, effective_from=dt.date(2026, 1, 1), hourly_rate=D("100"), currency=usd)
        ExchangeRateFactory(from_currency=usd, to_currency=eur, rate=D("0.5"), valid_on=dt.date(2026, 1, 1))
        ExchangeRateFactory(from_currency=usd, to_currency=eur, rate=D("0.8"), valid_on=dt.date(2026, 5, 1))
        AllocationFactory(
            person=person,
            project=forecast_project,
            role=analyst_role,
            start=dt.date(2026, 4, 27),
            end=dt.date(2026, 5, 1),
            hours_per_week=D(40),
            fte_percent=None,
        )
        forecast = selectors.labour_forecast(_reload(forecast_project), calendar)
        amounts = {p.number: a for p, _, a in forecast.rows()}
        assert amounts == {4: D(1600), 5: D(640)}  # 4 days x 8 h x 100 USD x 0.5; 1 day x 800 x 0.8

    def test_past_allocations_and_absence_days_cost_nothing(self, forecast_project, person, analyst_role, calendar):
        AllocationFactory(
            person=person,
            project=forecast_project,
            role=analyst_role,
            start=dt.date(2026, 1, 5),
            end=dt.date(2026, 3, 4),
        )
        assert selectors.labour_forecast(_reload(forecast_project), calendar).amounts == {}
        AllocationFactory(
            person=person,
            project=forecast_project,
            role=analyst_role,
            start=dt.date(2026, 4, 6),
            end=dt.date(2026, 4, 10),
            hours_per_week=D(40),
            fte_percent=None,
        )
        AbsenceFactory(person=person, start=dt.date(2026, 4, 9), end=dt.date(2026, 4, 10))
        assert selectors.labour_forecast(_reload(forecast_project), calendar).total == D(24 * 80)

    def test_a_manual_labour_forecast_replaces_the_allocation_figure_of_its_period(
        self, forecast_project, person, analyst_role, calendar, eur
    ):
        labour = CostCategoryFactory(code="LAB", kind="labour")
        materials = CostCategoryFactory(code="MAT", kind="materials")
        april = FiscalPeriodFactory(
            calendar=calendar, fiscal_year=2026, number=4, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30)
        )
        may = FiscalPeriodFactory(
            calendar=calendar, fiscal_year=2026, number=5, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31)
        )
        ForecastFactory(project=forecast_project, category=labour, period=april, amount=D("5000"), currency=eur)
        ForecastFactory(project=forecast_project, category=materials, period=may, amount=D("700"), currency=eur)
        AllocationFactory(
            person=person,
            project=forecast_project,
            role=analyst_role,
            start=dt.date(2026, 4, 27),
            end=dt.date(2026, 5, 1),
            hours_per_week=D(40),
            fte_percent=None,
        )
        project = _reload(forecast_project)
        forecast = selectors.labour_forecast(project, calendar)
        assert [p.number for p in forecast.replaced] == [4]
        assert {p.number: a for p, _, a in forecast.rows()} == {5: D(640)}  # May kept: only materials forecast there
        by_period = {r.period.number: r.forecast for r in budget_by_period(project=project, calendar=calendar).rows}
        assert by_period[4] == D(5000)
        assert by_period[5] == D(700) + D(640)

    def test_the_seam_feeds_project_evm_etc(self, forecast_project, person, analyst_role, calendar):
        AllocationFactory(
            person=person,
            project=forecast_project,
            role=analyst_role,
            start=dt.date(2026, 3, 2),
            end=dt.date(2026, 3, 13),
            hours_per_week=D(40),
            fte_percent=None,
        )
        project = _reload(forecast_project)
        seam = labour_forecast_by_period(project, calendar)
        assert sum(seam.values()) == D(7 * 8 * 80)  # Thu 5 to Fri 13 March
        report = project_evm(project=project)
        assert report.figures.etc == D(7 * 8 * 80)

    def test_forecast_queries_do_not_grow_with_allocations(self, program, portfolio, analyst_role, calendar, eur):
        def build(n):
            project = ProjectFactory(program=program, status_date=dt.date(2026, 3, 1))
            for _ in range(n):
                p = PersonFactory(portfolio=portfolio)
                CostRateFactory(person=p, currency=eur)
                AbsenceFactory(person=p)
                AllocationFactory(person=p, project=project, role=analyst_role, end=dt.date(2026, 9, 30))
            return _reload(project)

        counts = [count_queries(lambda p=p: selectors.labour_forecast(p, calendar))[0] for p in (build(1), build(12))]
        assert counts == [5, 5]  # allocations, schedule assignments, rates, absences, manual forecasts


class TestProgramSummary:
    def test_summary_counts_open_requests_and_over_allocated_people(
        self, program, project, person, analyst_role, owner
    ):
        from django.utils import timezone

        today = timezone.localdate()
        services.staffing_request_create(
            actor=None,
            project=project,
            role=analyst_role,
            start=today,
            end=today + dt.timedelta(days=30),
            fte_percent=D(100),
        )
        AllocationFactory(
            person=person,
            project=project,
            role=analyst_role,
            start=today - dt.timedelta(days=7),
            end=today + dt.timedelta(days=60),
            fte_percent=None,
            hours_per_week=D(60),
        )
        summary = selectors.program_staffing_summary(program=program, user=owner)
        assert summary["open_requests"] == 1
        assert summary["unfilled_fte"] == D(1)
        assert summary["over_allocated"] == 1
        assert summary["url"] == f"/programs/{program.code}/staffing/"


class TestCardAndAudit:
    def test_program_card_queries_do_not_grow(self, program, portfolio, analyst_role, owner):
        from django.utils import timezone

        today = timezone.localdate()

        def grow(n):
            for _ in range(n):
                project = ProjectFactory(program=program)
                person = PersonFactory(portfolio=portfolio)
                services.staffing_request_create(
                    actor=None, project=project, role=analyst_role, start=today, end=today, fte_percent=D(50)
                )
                AllocationFactory(person=person, project=project, role=analyst_role, start=today, end=today)

        grow(1)
        small, _ = count_queries(lambda: selectors.program_staffing_summary(program=program, user=owner))
        grow(10)
        large, summary = count_queries(lambda: selectors.program_staffing_summary(program=program, user=owner))
        assert small == large == 8  # with the people's schedule assignments, and who is assigned
        assert summary["open_requests"] == 11

    def test_writes_are_audited(self, project, person, analyst_role, owner):
        from core.models import AuditEntry

        allocation = services.allocation_create(
            actor=owner, person=person, project=project, role=analyst_role, start=MON, end=MON, fte_percent=D(10)
        )
        services.allocation_update(actor=owner, allocation=allocation, data={"fte_percent": D(20)})
        services.allocation_delete(actor=owner, allocation=allocation)
        actions = list(
            AuditEntry.objects.filter(object_type="staffing.allocation", actor=owner).values_list("action", flat=True)
        )
        assert sorted(actions) == ["create", "delete", "update"]
