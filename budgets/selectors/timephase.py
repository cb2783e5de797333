"""Time-phasing: amounts spread evenly over calendar days, read back as cumulative curves.

A *segment* is (first day, last day, amount): the amount accrues evenly over the days from the
start of `first` to the end of `last` (both included; a one-day segment lands on that day).
Budget lines spread over their fiscal period, baseline task costs over the task's baseline
dates, earned value over a task's actual dates. Sums are exact (fractions internally), so a
curve reaches every segment's full amount exactly at the segment's last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, localcontext
from fractions import Fraction

Segment = tuple[dt.date, dt.date, Decimal]


def _decimal(value: Fraction) -> Decimal:
    with localcontext(prec=28):
        return Decimal(value.numerator) / Decimal(value.denominator)


def _sweep(segments: Iterable[Segment], wanted: Iterable[int]) -> dict[int, Fraction]:
    """Cumulative amount at the end of each wanted day ordinal."""
    slope_changes: dict[int, Fraction] = {}
    for first, last, amount in segments:
        if not amount:
            continue
        first, last = min(first, last), max(first, last)
        rate = Fraction(amount) / ((last - first).days + 1)
        begin, end = first.toordinal() - 1, last.toordinal()
        slope_changes[begin] = slope_changes.get(begin, Fraction(0)) + rate
        slope_changes[end] = slope_changes.get(end, Fraction(0)) - rate
    wanted = set(wanted)
    result: dict[int, Fraction] = {}
    total, slope, previous = Fraction(0), Fraction(0), None
    for ordinal in sorted(wanted | set(slope_changes)):
        if previous is not None:
            total += slope * (ordinal - previous)
        if ordinal in wanted:
            result[ordinal] = total
        slope += slope_changes.get(ordinal, 0)
        previous = ordinal
    return result


def cumulative_at(segments: Iterable[Segment], days: Iterable[dt.date]) -> dict[dt.date, Decimal]:
    """The cumulative amount accrued by the end of each of `days`."""
    days = list(days)
    found = _sweep(segments, (d.toordinal() for d in days))
    return {d: _decimal(found[d.toordinal()]) for d in days}


def cumulative_curve(segments: Iterable[Segment]) -> list[tuple[dt.date, Decimal]]:
    """The cumulative curve at its breakpoints (the day before each segment starts and each
    segment's last day): linear between them, so it is a complete description — the PV curve
    budgets.evm.earned_value takes."""
    segments = [s for s in segments if s[2]]
    breakpoints = {
        d for first, last, _ in segments for d in (min(first, last) - dt.timedelta(days=1), max(first, last))
    }
    found = _sweep(segments, (d.toordinal() for d in breakpoints))
    return [(d, _decimal(found[d.toordinal()])) for d in sorted(breakpoints)]


def amount_between(segments: Iterable[Segment], first: dt.date, last: dt.date) -> Decimal:
    """What accrues from the start of `first` to the end of `last`."""
    before = first - dt.timedelta(days=1)
    found = _sweep(segments, (before.toordinal(), last.toordinal()))
    return _decimal(found[last.toordinal()] - found[before.toordinal()])


def span(segments: Iterable[Segment]) -> tuple[dt.date, dt.date] | None:
    """First and last day any segment covers."""
    segments = list(segments)
    if not segments:
        return None
    return min(min(f, la) for f, la, _ in segments), max(max(f, la) for f, la, _ in segments)


def amounts_by_period(segments: Iterable[Segment], periods: Iterable[tuple[dt.date, dt.date]]) -> list[Decimal]:
    """What accrues within each (first, last) period, in the order given (one sweep)."""
    periods = list(periods)
    ends = {o for first, last in periods for o in (first.toordinal() - 1, last.toordinal())}
    found = _sweep(segments, ends)
    return [_decimal(found[last.toordinal()] - found[first.toordinal() - 1]) for first, last in periods]


# A run of more quiet periods than this collapses to its first and last: a cost entry decades
# away from the rest (dates run from 1900 to 2999, core.bounds) must not draw a row or a chart
# point for every month in between.
QUIET_RUN = 24


def without_long_quiet_runs(items: list, quiet) -> list:
    """`items` in order, less the inside of every run of more than QUIET_RUN consecutive items for
    which `quiet(previous, item)` holds (the run's first and last are kept, so a cumulative
    curve stays right and a table shows where the gap starts and ends)."""
    kept, run = [], []
    for index, item in enumerate(items):
        if index and quiet(items[index - 1], item):
            run.append(item)
            continue
        kept += run if len(run) <= QUIET_RUN else [run[0], run[-1]]
        run = []
        kept.append(item)
    kept += run if len(run) <= QUIET_RUN else [run[0], run[-1]]
    return kept
