"""The load arithmetic (staffing.capacity), without the database."""

import datetime as dt
from decimal import Decimal

from budgets.models import FiscalCalendar
from staffing.capacity import (
    Booking,
    RateStep,
    booked_hours,
    cost_pieces,
    person_weeks,
    request_hours,
    week_start,
    week_starts,
    working_days_between,
)

D = Decimal

MON = dt.date(2026, 3, 2)  # a Monday
WED = MON + dt.timedelta(days=2)
FRI = MON + dt.timedelta(days=4)
NEXT_MON = MON + dt.timedelta(weeks=1)


def weeks(n=1, first=MON):
    return week_starts(first, n)


def fte(key, percent, start=MON, end=dt.date(2026, 12, 31), project=1):
    return Booking(key=key, start=start, end=end, fte_percent=D(percent), project_id=project)


def hours(key, per_week, start=MON, end=dt.date(2026, 12, 31), project=1):
    return Booking(key=key, start=start, end=end, hours_per_week=D(per_week), project_id=project)


def one_week(capacity="40", bookings=(), absences=(), first=MON):
    return person_weeks(weekly_capacity=D(capacity), bookings=list(bookings), absences=list(absences), weeks=[first])[0]


class TestWeeks:
    def test_weeks_start_on_monday(self):
        assert week_start(dt.date(2026, 3, 8)) == MON  # a Sunday
        assert week_starts(WED, 2) == [MON, NEXT_MON]

    def test_working_days_count_mondays_to_fridays(self):
        assert working_days_between(MON, FRI) == 5
        assert working_days_between(MON, MON + dt.timedelta(days=13)) == 10
        assert working_days_between(dt.date(2026, 3, 7), dt.date(2026, 3, 8)) == 0  # a weekend
        assert working_days_between(FRI, MON) == 0


class TestLoad:
    def test_full_week_fte_allocation_loads_its_share_of_capacity(self):
        week = one_week(bookings=[fte(1, 50)])
        assert week.capacity == D(40)
        assert week.load == D(20)
        assert week.utilisation == D("0.5")
        assert not week.over_allocated
        assert week.band == "mid"

    def test_allocation_starting_wednesday_loads_three_fifths_of_the_week(self):
        week = one_week(bookings=[fte(1, 100, start=WED)])
        assert week.load == D(24)
        assert week.capacity == D(40)

    def test_allocation_ending_wednesday_loads_three_days(self):
        week = one_week(bookings=[hours(1, 20, end=WED)])
        assert week.load == D(12)

    def test_allocation_ending_before_the_window_loads_nothing(self):
        week = one_week(bookings=[fte(1, 100, start=dt.date(2026, 1, 5), end=dt.date(2026, 2, 27))])
        assert week.load == 0
        assert week.by_booking == {}
        assert week.band == "low"

    def test_hours_allocation_is_independent_of_capacity(self):
        assert one_week(capacity="20", bookings=[hours(1, 30)]).load == D(30)
        assert one_week(capacity="20", bookings=[fte(1, 100)]).load == D(20)

    def test_overlapping_allocations_on_two_projects_add_up_and_over_allocate(self):
        week = one_week(bookings=[fte(1, 60, project=1), fte(2, 60, project=2)])
        assert week.load == D(48)
        assert week.by_booking == {1: D(24), 2: D(24)}
        assert week.over_allocated
        assert week.percent == D(120)
        assert week.band == "over"

    def test_exactly_full_is_not_over_allocated(self):
        week = one_week(bookings=[fte(1, 60), hours(2, 16)])
        assert week.load == week.capacity == D(40)
        assert not week.over_allocated
        assert week.band == "high"


class TestAbsences:
    def test_a_day_off_removes_a_fifth_of_capacity_and_of_load(self):
        week = one_week(bookings=[fte(1, 100)], absences=[(WED, WED)])
        assert week.capacity == D(32)
        assert week.load == D(32)
        assert week.utilisation == 1
        assert week.absent_days == 1
        assert week.booked_on_absence == D(8)

    def test_fully_booked_person_on_holiday_all_week_is_shown_absent_with_the_booked_hours(self):
        week = one_week(bookings=[fte(1, 100)], absences=[(MON - dt.timedelta(days=2), FRI + dt.timedelta(days=2))])
        assert week.capacity == 0
        assert week.load == 0
        assert week.utilisation is None
        assert week.band == "absent"
        assert week.booked_on_absence == D(40)
        assert not week.over_allocated

    def test_hours_allocation_skips_absence_days_too(self):
        week = one_week(bookings=[hours(1, 40)], absences=[(MON, dt.date(2026, 3, 3))])
        assert week.load == D(24)
        assert week.capacity == D(24)

    def test_weekend_absence_changes_nothing(self):
        week = one_week(bookings=[fte(1, 50)], absences=[(dt.date(2026, 3, 7), dt.date(2026, 3, 8))])
        assert (week.capacity, week.load, week.absent_days) == (D(40), D(20), 0)


class TestZeroCapacity:
    def test_zero_capacity_with_hours_is_over_allocated_without_division(self):
        week = one_week(capacity="0", bookings=[hours(1, 10)])
        assert week.capacity == 0
        assert week.load == D(10)
        assert week.utilisation is None
        assert week.over_allocated
        assert week.band == "over"

    def test_zero_capacity_with_an_fte_booking_is_still_over_allocated(self):
        week = one_week(capacity="0", bookings=[fte(1, 50)])
        assert week.load == 0
        assert week.over_allocated

    def test_zero_capacity_without_bookings_is_marked_as_no_capacity(self):
        week = one_week(capacity="0")
        assert not week.over_allocated
        assert week.band == "none"


class TestSeveralWeeks:
    def test_each_week_is_computed_separately(self):
        result = person_weeks(
            weekly_capacity=D(40),
            bookings=[fte(1, 100, start=WED, end=NEXT_MON + dt.timedelta(days=1))],
            absences=[],
            weeks=weeks(3),
        )
        assert [w.load for w in result] == [D(24), D(16), D(0)]


class TestHoursAndCost:
    def test_booked_hours_skip_absence_days(self):
        booking = fte(1, 50, start=MON, end=dt.date(2026, 3, 13))
        assert booked_hours(booking, weekly_capacity=D(40), first=MON, last=dt.date(2026, 3, 31), absent=set()) == 40
        assert booked_hours(booking, weekly_capacity=D(40), first=MON, last=dt.date(2026, 3, 31), absent={WED}) == 36

    def test_cost_splits_at_period_and_rate_changes(self):
        calendar = FiscalCalendar(name="cal", start_month=1)
        booking = hours(1, 40, start=dt.date(2026, 3, 30), end=dt.date(2026, 4, 3))  # Mon 30 Mar - Fri 3 Apr
        rates = [RateStep(dt.date(2026, 1, 1), D(100), "EUR"), RateStep(dt.date(2026, 4, 2), D(120), "EUR")]
        pieces = cost_pieces(
            booking,
            weekly_capacity=D(40),
            first=dt.date(2026, 1, 1),
            absent=set(),
            rates=rates,
            fallback=None,
            period_of=calendar.period_of,
        )
        assert [(p.number, c, h, cost) for p, c, h, cost in pieces] == [
            (3, "EUR", D(16), D(1600)),
            (4, "EUR", D(8), D(800)),
            (4, "EUR", D(16), D(1920)),
        ]

    def test_cost_before_the_first_rate_uses_the_fallback_and_without_one_is_unrated(self):
        calendar = FiscalCalendar(name="cal", start_month=1)
        booking = hours(1, 40, start=MON, end=FRI)
        later = [RateStep(dt.date(2026, 6, 1), D(100), "USD")]
        with_fallback = cost_pieces(
            booking,
            weekly_capacity=D(40),
            first=MON,
            absent=set(),
            rates=later,
            fallback=RateStep(dt.date.min, D(50), "EUR"),
            period_of=calendar.period_of,
        )
        assert [(c, cost) for _, c, _, cost in with_fallback] == [("EUR", D(2000))]
        without = cost_pieces(
            booking,
            weekly_capacity=D(40),
            first=MON,
            absent=set(),
            rates=[],
            fallback=None,
            period_of=calendar.period_of,
        )
        assert [(c, h, cost) for _, c, h, cost in without] == [("", D(40), D(0))]

    def test_request_hours_measure_fte_against_a_forty_hour_week(self):
        assert request_hours(start=MON, end=FRI, fte_percent=D(50), hours_per_week=None) == D(20)
        assert request_hours(start=MON, end=FRI, fte_percent=None, hours_per_week=D(10)) == D(10)
