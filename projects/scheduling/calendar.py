"""Working-time calendars and the "working minute" axis.

A :class:`WorkCalendar` says when work can happen: a working week (per weekday, a list of
intervals such as 08:00-12:00 and 13:00-17:00), exceptions by date (a holiday, or a day with
different hours), optional date-ranged work weeks (e.g. summer hours), and an optional *base*
calendar whose definition is inherited for whatever the calendar does not override (Microsoft
Project's base/derived calendars, e.g. a resource calendar derived from "Standard").

Times are naive wall-clock values in the project's local time. Internally a point in time is an
*absolute minute*: ``date.toordinal() * 1440 + minutes since midnight`` (seconds are dropped).

Every calendar defines a monotonic **working-minute axis** ``W``: ``W(t)`` is the number of working
minutes between a calendar-specific origin and ``t``. ``W`` only grows during working time and is
flat across nights, weekends and holidays, so Friday 17:00 and Monday 08:00 have the same ``W``.
Scheduling arithmetic ("add 3 working days", "working time between two dates") is integer
arithmetic on ``W``; converting back needs a *bias*, because one ``W`` value covers a whole
non-working gap:

* :meth:`WorkCalendar.start_of` (start bias) gives the latest instant with that ``W`` -- the moment
  work resumes (Monday 08:00). Starts are reported this way.
* :meth:`WorkCalendar.finish_of` (finish bias) gives the earliest instant with that ``W`` -- the
  moment work stopped (Friday 17:00). Finishes are reported this way.

Speed: per-day working minutes are precomputed once into a cumulative table that spans the dates
where the calendar is irregular (exceptions, work weeks, inherited ones included). Outside that
span the calendar repeats weekly, so conversions there jump whole weeks arithmetically. Every
conversion is O(log days) for a binary search, whatever the distance: adding 1,000 working days
never loops over days or minutes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

MINUTES_PER_DAY = 1440
_MEMO_LIMIT = 500_000  # entries per memo before it is dropped (bounds memory in long-lived workers)
_EPOCH = datetime(1, 1, 1)

#: A working interval inside one day, in minutes after midnight: ``0 <= start < end <= 1440``.
Interval = tuple[int, int]
#: The working intervals of one day, sorted and non-overlapping. ``()`` is a non-working day.
DayPattern = tuple[Interval, ...]
#: What callers may pass for one interval: ``(time, time)`` or ``(minutes, minutes)``. An end of
#: ``time(0, 0)`` means midnight at the end of the day (Microsoft Project writes 23:00-00:00).
IntervalSpec = tuple[time | int, time | int]

STANDARD_DAY: tuple[IntervalSpec, ...] = ((time(8), time(12)), (time(13), time(17)))


class CalendarError(ValueError):
    """A calendar definition is invalid, or an operation needs working time it does not have."""


def to_abs_minute(value: datetime) -> int:
    """Return the absolute minute of a naive datetime (seconds and microseconds are dropped)."""
    return value.toordinal() * MINUTES_PER_DAY + value.hour * 60 + value.minute


def from_abs_minute(value: int) -> datetime:
    """Inverse of :func:`to_abs_minute`."""
    return _EPOCH + timedelta(0, (value - MINUTES_PER_DAY) * 60)


def _minutes(value: time | int, *, is_end: bool) -> int:
    if isinstance(value, time):
        minute = value.hour * 60 + value.minute
        return MINUTES_PER_DAY if is_end and minute == 0 else minute
    return int(value)


def normalize_day(intervals: Iterable[IntervalSpec]) -> DayPattern:
    """Validate, sort and merge one day's intervals into a :data:`DayPattern`.

    Raises :class:`CalendarError` for an empty or inverted interval or one outside the day.
    """
    spans: list[list[int]] = []
    for start_spec, end_spec in intervals:
        start = _minutes(start_spec, is_end=False)
        end = _minutes(end_spec, is_end=True)
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise CalendarError(f"working interval {start_spec}-{end_spec} is empty or outside the day")
        spans.append([start, end])
    spans.sort()
    merged: list[list[int]] = []
    for span in spans:
        if merged and span[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span[1])
        else:
            merged.append(span)
    return tuple((start, end) for start, end in merged)


def _monday_on_or_before(day: int) -> int:
    """Ordinal of the Monday on or before ordinal ``day`` (ordinal 1, 0001-01-01, is a Monday)."""
    return day - (day - 1) % 7


def _union(patterns: Iterable[DayPattern]) -> DayPattern:
    return normalize_day(interval for pattern in patterns for interval in pattern)


def _intersection(patterns: Sequence[DayPattern]) -> DayPattern:
    result = list(patterns[0])
    for pattern in patterns[1:]:
        result = [(max(s1, s2), min(e1, e2)) for s1, e1 in result for s2, e2 in pattern if max(s1, s2) < min(e1, e2)]
    return normalize_day(result)


@dataclass(frozen=True, slots=True)
class WorkWeek:
    """A working week that replaces the default week between two dates (inclusive).

    ``week`` maps ``date.weekday()`` (Monday=0) to that day's intervals; weekdays it leaves out
    keep the calendar's normal definition.
    """

    start: date
    end: date
    week: Mapping[int, Iterable[IntervalSpec]] = field(default_factory=dict)


class WorkCalendar:
    """A working-time calendar; see the module docstring for the model and the ``W`` axis.

    ``week`` maps ``date.weekday()`` (Monday=0 .. Sunday=6) to that weekday's intervals; an empty
    sequence is a non-working weekday. A weekday left out is inherited from ``base`` (or is
    non-working without a base). ``exceptions`` maps a date to its intervals (empty = holiday) and
    wins over everything else; ``work_weeks`` come next. Instances are immutable after
    construction and safe to share between schedules and threads once their table is built.
    """

    __slots__ = (
        "_base",
        "_cum",
        "_cum_end",
        "_exceptions",
        "_hi",
        "_lo",
        "_memo_start",
        "_memo_w",
        "_n",
        "_pats",
        "_week",
        "_week_pats",
        "_wm",
        "_work_weeks",
        "_wprefix",
        "name",
    )

    def __init__(
        self,
        name: str = "",
        *,
        week: Mapping[int, Iterable[IntervalSpec]] | None = None,
        exceptions: Mapping[date, Iterable[IntervalSpec]] | None = None,
        work_weeks: Sequence[WorkWeek] = (),
        base: WorkCalendar | None = None,
    ) -> None:
        self.name = name
        self._base = base
        self._week: dict[int, DayPattern] = {}
        for weekday, intervals in (week or {}).items():
            if weekday not in range(7):
                raise CalendarError(f"calendar {name!r}: weekday {weekday} is not 0 (Monday) .. 6 (Sunday)")
            self._week[weekday] = normalize_day(intervals)
        self._exceptions = {day: normalize_day(intervals) for day, intervals in (exceptions or {}).items()}
        self._work_weeks = tuple(
            (ww.start, ww.end, {wd: normalize_day(iv) for wd, iv in ww.week.items()}) for ww in work_weeks
        )
        self._cum: list[int] = []
        # Conversions repeat a lot (tasks start and end on few distinct instants): memoise them.
        self._memo_w: dict[int, int] = {}
        self._memo_start: dict[int, int] = {}

    @classmethod
    def standard(cls, name: str = "Standard", *, holidays: Iterable[date] = ()) -> WorkCalendar:
        """Monday-Friday 08:00-12:00 and 13:00-17:00 (Microsoft Project's default), minus holidays."""
        return cls(
            name,
            week=dict.fromkeys(range(5), STANDARD_DAY) | {5: (), 6: ()},
            exceptions=dict.fromkeys(holidays, ()),
        )

    @classmethod
    def union(cls, calendars: Sequence[WorkCalendar], name: str = "") -> WorkCalendar:
        """A calendar that works whenever *any* of ``calendars`` works.

        Microsoft Project schedules a task with several resources on different calendars in this
        combined working time (its duration counts the time at least one resource works).
        """
        return _CombinedCalendar(name, calendars, intersect=False)

    @classmethod
    def intersection(cls, calendars: Sequence[WorkCalendar], name: str = "") -> WorkCalendar:
        """A calendar that works only when *all* of ``calendars`` work (task calendar x resource)."""
        return _CombinedCalendar(name, calendars, intersect=True)

    # -- definition -------------------------------------------------------------------------

    def day_pattern(self, day: date) -> DayPattern:
        """The working intervals of ``day`` (minutes after midnight), after all inheritance.

        Precedence: this calendar's exceptions, then its base's (a company holiday applies to
        every calendar derived from the company calendar), then this calendar's work weeks and
        weekdays, then the base's.
        """
        pattern = self._exception_pattern(day)
        return pattern if pattern is not None else self._regular_pattern(day)

    def _exception_pattern(self, day: date) -> DayPattern | None:
        pattern = self._exceptions.get(day)
        if pattern is None and self._base is not None:
            return self._base._exception_pattern(day)
        return pattern

    def _regular_pattern(self, day: date) -> DayPattern:
        weekday = day.weekday()
        for start, end, week in self._work_weeks:
            if start <= day <= end and weekday in week:
                return week[weekday]
        pattern = self._week.get(weekday)
        if pattern is not None:
            return pattern
        return self._base._regular_pattern(day) if self._base is not None else ()

    def _weekday_pattern(self, weekday: int) -> DayPattern:
        pattern = self._week.get(weekday)
        if pattern is not None:
            return pattern
        return self._base._weekday_pattern(weekday) if self._base is not None else ()

    def _irregular_span(self) -> tuple[int, int] | None:
        """First and last ordinal where the calendar may differ from its plain weekly pattern."""
        ordinals = [day.toordinal() for day in self._exceptions]
        for start, end, _week in self._work_weeks:
            ordinals += [start.toordinal(), end.toordinal()]
        if self._base is not None and (span := self._base._irregular_span()) is not None:
            ordinals += list(span)
        return (min(ordinals), max(ordinals)) if ordinals else None

    @property
    def base(self) -> WorkCalendar | None:
        """The calendar this one inherits from, if any."""
        return self._base

    def own_week(self) -> dict[int, DayPattern]:
        """The weekdays this calendar defines itself (not inherited), by ``date.weekday()``."""
        return dict(self._week)

    def own_exceptions(self) -> dict[date, DayPattern]:
        """This calendar's own exceptions by date (not inherited)."""
        return dict(self._exceptions)

    def own_work_weeks(self) -> list[tuple[date, date, dict[int, DayPattern]]]:
        """This calendar's own work weeks: (first day, last day, weekday patterns)."""
        return [(start, end, dict(week)) for start, end, week in self._work_weeks]

    @property
    def is_combined(self) -> bool:
        """True for a union or intersection of calendars (these have no MSPDI form)."""
        return False

    def working_minutes_on(self, day: date) -> int:
        """Working minutes on ``day``."""
        return sum(end - start for start, end in self.day_pattern(day))

    def is_working_day(self, day: date) -> bool:
        """True if ``day`` has any working time."""
        return bool(self.day_pattern(day))

    @property
    def minutes_per_week(self) -> int:
        """Working minutes in a regular week (outside exceptions and work weeks)."""
        self._ensure_table()
        return self._wm

    # -- the cumulative table ---------------------------------------------------------------

    def _ensure_table(self) -> None:
        if self._cum:
            return
        span = self._irregular_span()
        if span is None:
            lo = hi = _monday_on_or_before(date(2001, 1, 1).toordinal())
        else:
            lo = _monday_on_or_before(span[0])
            hi = _monday_on_or_before(span[1]) + 7
        # One plain week of margin on each side: the periodic extension relies on it.
        lo -= 7
        hi += 7
        week_pats = [self._weekday_pattern(wd) for wd in range(7)]
        prefix = [0]
        for pattern in week_pats:
            prefix.append(prefix[-1] + sum(end - start for start, end in pattern))
        pats: list[DayPattern] = []
        cum = [0]
        for ordinal in range(lo, hi):
            pattern = self.day_pattern(date.fromordinal(ordinal))
            pats.append(pattern)
            cum.append(cum[-1] + sum(end - start for start, end in pattern))
        self._lo, self._hi, self._n = lo, hi, hi - lo
        self._pats, self._week_pats = pats, week_pats
        self._wprefix, self._wm = prefix, prefix[-1]
        self._cum_end = cum[-1]
        self._cum = cum

    # -- the working-minute axis (absolute-minute integers) ---------------------------------

    def w(self, abs_minute: int) -> int:
        """``W``: working minutes from the calendar origin to ``abs_minute`` (may be negative)."""
        worked = self._memo_w.get(abs_minute)
        if worked is None:
            if len(self._memo_w) > _MEMO_LIMIT:
                self._memo_w.clear()
            worked = self._memo_w[abs_minute] = self._w(abs_minute)
        return worked

    def _w(self, abs_minute: int) -> int:
        if not self._cum:
            self._ensure_table()
        day, minute = divmod(abs_minute, MINUTES_PER_DAY)
        index = day - self._lo
        if 0 <= index < self._n:
            worked = self._cum[index]
            pattern = self._pats[index]
        elif index >= self._n:
            weeks, weekday = divmod(index - self._n, 7)
            worked = self._cum_end + weeks * self._wm + self._wprefix[weekday]
            pattern = self._week_pats[weekday]
        else:
            weeks_back = (6 - index) // 7
            index += 7 * weeks_back
            worked = self._cum[index] - weeks_back * self._wm
            pattern = self._pats[index]
        for start, end in pattern:
            if minute >= end:
                worked += end - start
            else:
                if minute > start:
                    worked += minute - start
                break
        return worked

    def start_of(self, w: int) -> int:
        """Absolute minute at which working minute ``w`` begins (start bias: "work resumes")."""
        moment = self._memo_start.get(w)
        if moment is None:
            if len(self._memo_start) > _MEMO_LIMIT:
                self._memo_start.clear()
            moment = self._memo_start[w] = self._start_of(w)
        return moment

    def _start_of(self, w: int) -> int:
        if not self._cum:
            self._ensure_table()
        if w < 0 or w >= self._cum_end:
            if self._wm == 0:
                raise CalendarError(f"calendar {self.name!r} has no working time outside its exceptions")
            if w < 0:
                weeks_back = (self._wm - 1 - w) // self._wm
                return self._start_of(w + weeks_back * self._wm) - weeks_back * 7 * MINUTES_PER_DAY
            weeks, rest = divmod(w - self._cum_end, self._wm)
            weekday = bisect_right(self._wprefix, rest) - 1
            rest -= self._wprefix[weekday]
            day = self._hi + weeks * 7 + weekday
            pattern = self._week_pats[weekday]
        else:
            index = bisect_right(self._cum, w) - 1
            rest = w - self._cum[index]
            day = self._lo + index
            pattern = self._pats[index]
        for start, end in pattern:
            if rest < end - start:
                return day * MINUTES_PER_DAY + start + rest
            rest -= end - start
        raise AssertionError("working-minute table is inconsistent")  # pragma: no cover

    def finish_of(self, w: int) -> int:
        """Earliest absolute minute whose ``W`` is ``w`` (finish bias: "work stopped")."""
        return self.start_of(w - 1) + 1

    # -- datetime API -----------------------------------------------------------------------

    def working_minutes_at(self, moment: datetime) -> int:
        """``W`` of a datetime; compare two of them to compare instants in working time."""
        return self.w(to_abs_minute(moment))

    def next_work_start(self, moment: datetime) -> datetime:
        """``moment`` if it is inside working time, else when work next resumes."""
        return from_abs_minute(self.start_of(self.working_minutes_at(moment)))

    def previous_work_finish(self, moment: datetime) -> datetime:
        """``moment`` if it is inside working time, else when work last stopped."""
        return from_abs_minute(self.finish_of(self.working_minutes_at(moment)))

    def add_working_minutes(self, moment: datetime, minutes: int, *, as_finish: bool = True) -> datetime:
        """``moment`` shifted by ``minutes`` of working time (negative goes back).

        With ``as_finish`` (the default) a result on a boundary between working periods is the
        end of the earlier period (Friday 17:00), otherwise the start of the later one (Monday
        08:00).
        """
        target = self.working_minutes_at(moment) + minutes
        return from_abs_minute(self.finish_of(target) if as_finish else self.start_of(target))

    def working_minutes_between(self, start: datetime, finish: datetime) -> int:
        """Working minutes from ``start`` to ``finish`` (negative if ``finish`` is earlier)."""
        return self.working_minutes_at(finish) - self.working_minutes_at(start)

    def __repr__(self) -> str:
        return f"WorkCalendar({self.name!r})"


class _CombinedCalendar(WorkCalendar):
    """Union or intersection of calendars, resolved day by day (see :meth:`WorkCalendar.union`)."""

    __slots__ = ("_intersect", "_parts")

    def __init__(self, name: str, calendars: Sequence[WorkCalendar], *, intersect: bool) -> None:
        if not calendars:
            raise CalendarError("a combined calendar needs at least one calendar")
        super().__init__(name or "+".join(c.name for c in calendars))
        self._parts = tuple(calendars)
        self._intersect = intersect

    @property
    def is_combined(self) -> bool:
        return True

    def _combine(self, patterns: list[DayPattern]) -> DayPattern:
        return _intersection(patterns) if self._intersect else _union(patterns)

    def day_pattern(self, day: date) -> DayPattern:
        return self._combine([part.day_pattern(day) for part in self._parts])

    def _weekday_pattern(self, weekday: int) -> DayPattern:
        return self._combine([part._weekday_pattern(weekday) for part in self._parts])

    def _irregular_span(self) -> tuple[int, int] | None:
        spans = [span for part in self._parts if (span := part._irregular_span()) is not None]
        return (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None


def daterange(start: date, end: date) -> Iterable[date]:
    """Dates from ``start`` to ``end`` inclusive."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)
