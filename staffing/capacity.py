"""Load arithmetic: pure functions, no database.

The rules (in hours, Decimal throughout):

- Weeks are ISO weeks, starting Monday. Working days are Monday to Friday.
- A person's capacity in a week = weekly_capacity_hours x (working days of the week not
  covered by an absence) / 5.
- An allocation loads each working day inside [start, end] that is not an absence day with
  its daily share: FTE allocations fte% x weekly_capacity / 5, hours allocations
  hours_per_week / 5. A week's load is the sum over its days, so an allocation starting on a
  Wednesday loads 3/5 of its week.
- Absence days remove capacity AND load: a person booked 100 % who takes a day off is still
  at 100 %, and one away all week has 0 h capacity and 0 h load. That week is not silently
  "free": `absent_days` and `booked_on_absence` (the hours the allocations would have loaded on
  the absence days) say so, the heat map marks the cell as absent and the title gives the
  hours. The labour cost forecast follows the same rule (no project cost on absence days).
- Utilisation = load / capacity, None when capacity is zero. Over-allocated when load >
  capacity; with zero weekly capacity any booked day counts (FTE of nothing is still a
  booking a resource manager must see), so a zero-capacity person with an allocation is
  over-allocated even if the FTE arithmetic gives 0 h.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
DAYS_PER_WEEK = 5
STANDARD_WEEK_HOURS = Decimal(40)  # the week a request's FTE percentage is measured against
ONE_DAY = dt.timedelta(days=1)


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def week_starts(first: dt.date, count: int) -> list[dt.date]:
    """`count` consecutive Mondays from the week containing `first`."""
    monday = week_start(first)
    return [monday + dt.timedelta(weeks=i) for i in range(count)]


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < DAYS_PER_WEEK


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Mondays to Fridays in [first, last] (0 when last < first), in O(1)."""
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * DAYS_PER_WEEK
    start = first.weekday()
    count += sum(1 for i in range(rest) if (start + i) % 7 < DAYS_PER_WEEK)
    return count


def absence_days(ranges: Iterable[tuple[dt.date, dt.date]], first: dt.date, last: dt.date) -> set[dt.date]:
    """The working days inside [first, last] covered by any of the (start, end) `ranges`."""
    days: set[dt.date] = set()
    for start, end in ranges:
        day, stop = max(start, first), min(end, last)
        while day <= stop:
            if is_working_day(day):
                days.add(day)
            day += ONE_DAY
    return days


@dataclass(frozen=True)
class Booking:
    """What the arithmetic needs of an allocation (`key` identifies it in the results)."""

    key: int
    start: dt.date
    end: dt.date
    fte_percent: Decimal | None = None
    hours_per_week: Decimal | None = None
    project_id: int | None = None

    def daily_hours(self, weekly_capacity: Decimal) -> Decimal:
        """Hours loaded on each working, non-absent day inside [start, end]."""
        if self.fte_percent is not None:
            return self.fte_percent / HUNDRED * weekly_capacity / DAYS_PER_WEEK
        return (self.hours_per_week or ZERO) / DAYS_PER_WEEK


@dataclass
class WeekLoad:
    """One person's week: capacity and load in hours, the load of each booking by key, and how
    absences shaped it."""

    week: dt.date  # its Monday
    capacity: Decimal
    load: Decimal
    available_days: int
    absent_days: int
    booked_on_absence: Decimal
    by_booking: dict[int, Decimal] = field(default_factory=dict)
    zero_capacity_booked: bool = False

    @property
    def utilisation(self) -> Decimal | None:
        """load / capacity as a fraction (1 = fully loaded); None when capacity is zero."""
        return self.load / self.capacity if self.capacity else None

    @property
    def percent(self) -> Decimal | None:
        u = self.utilisation
        return None if u is None else u * HUNDRED

    @property
    def over_allocated(self) -> bool:
        return self.load > self.capacity or self.zero_capacity_booked

    @property
    def band(self) -> str:
        """The heat-map class: absent (no working day available), none (no capacity and nothing
        booked), over (> 100 % or any booking without capacity), high (85-100 %), mid (50-85 %),
        low (< 50 %)."""
        if self.over_allocated:
            return "over"
        if self.available_days == 0:
            return "absent"
        if not self.capacity:
            return "none"
        percent = self.percent
        if percent > 85:
            return "high"
        if percent >= 50:
            return "mid"
        return "low"


def person_weeks(
    *,
    weekly_capacity: Decimal,
    bookings: Sequence[Booking],
    absences: Iterable[tuple[dt.date, dt.date]],
    weeks: Sequence[dt.date],
) -> list[WeekLoad]:
    """The load of one person in each of `weeks` (Mondays)."""
    if not weeks:
        return []
    first, last = weeks[0], weeks[-1] + dt.timedelta(days=4)
    absent = absence_days(absences, first, last)
    daily = {b.key: b.daily_hours(weekly_capacity) for b in bookings}
    result = []
    for monday in weeks:
        days = [monday + dt.timedelta(days=i) for i in range(DAYS_PER_WEEK)]
        away = [d for d in days if d in absent]
        available = [d for d in days if d not in absent]
        load, on_absence, by_booking, zero_booked = ZERO, ZERO, {}, False
        for b in bookings:
            if b.end < monday or b.start > days[-1]:
                continue
            booked = sum(1 for d in available if b.start <= d <= b.end)
            missed = sum(1 for d in away if b.start <= d <= b.end)
            hours = daily[b.key] * booked
            if booked:
                by_booking[b.key] = hours
                load += hours
                zero_booked = zero_booked or not weekly_capacity
            on_absence += daily[b.key] * missed
        capacity = weekly_capacity * len(available) / DAYS_PER_WEEK
        result.append(
            WeekLoad(
                week=monday,
                capacity=capacity,
                load=load,
                available_days=len(available),
                absent_days=len(away),
                booked_on_absence=on_absence,
                by_booking=by_booking,
                zero_capacity_booked=zero_booked,
            )
        )
    return result


def booked_hours(booking: Booking, *, weekly_capacity: Decimal, first: dt.date, last: dt.date, absent: set) -> Decimal:
    """Hours `booking` loads in [first, last], without its absence days (`absent`: working days)."""
    start, end = max(booking.start, first), min(booking.end, last)
    if end < start:
        return ZERO
    days = working_days_between(start, end) - sum(1 for d in absent if start <= d <= end)
    return booking.daily_hours(weekly_capacity) * days


@dataclass(frozen=True)
class RateStep:
    """From `effective_from` on, an hour costs `rate` in `currency`."""

    effective_from: dt.date
    rate: Decimal
    currency: str


def cost_pieces(
    booking: Booking,
    *,
    weekly_capacity: Decimal,
    first: dt.date,
    absent: set,
    rates: Sequence[RateStep],
    fallback: RateStep | None,
    period_of: Callable[[dt.date], tuple],
) -> list[tuple[tuple, str, Decimal, Decimal]]:
    """The cost of `booking` from `first` on, as (period, currency, hours, cost) pieces: split at
    period boundaries (`period_of(day)` returns a tuple whose last two items are the period's
    first and last day) and at rate changes. `rates` sorted by effective_from; before the first
    one (or with none) `fallback` applies; with neither, the hours cost nothing and come back
    with currency "" so the caller can report them."""
    start = max(booking.start, first)
    pieces = []
    while start <= booking.end:
        period = period_of(start)
        stop = min(period[-1], booking.end)
        # The rate in force at `start`, and the day it next changes.
        current, next_change = fallback, None
        for step in rates:
            if step.effective_from <= start:
                current = step
            else:
                next_change = step.effective_from
                break
        if next_change is not None and next_change <= stop:
            stop = next_change - ONE_DAY
        hours = booked_hours(booking, weekly_capacity=weekly_capacity, first=start, last=stop, absent=absent)
        if hours:
            if current is None:
                pieces.append((period, "", hours, ZERO))
            else:
                pieces.append((period, current.currency, hours, hours * current.rate))
        start = stop + ONE_DAY
    return pieces


def request_hours(*, start: dt.date, end: dt.date, fte_percent, hours_per_week) -> Decimal:
    """The hours a staffing request asks for over its working days (FTE of a 40-hour week)."""
    weekly = fte_percent / HUNDRED * STANDARD_WEEK_HOURS if fte_percent is not None else hours_per_week
    return weekly / DAYS_PER_WEEK * working_days_between(start, end)
