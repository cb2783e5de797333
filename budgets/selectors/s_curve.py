"""The EVM S-curve: cumulative PV, EV and AC by fiscal period, with the EAC projection.
Sources and conversions as in earned_value.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from portfolio.models import Program
from projects.models import Project

from ..models import FiscalCalendar, PeriodSpan
from .earned_value import (
    ZERO,
    EvmReport,
    LabourForecasts,
    default_as_of,
    evm_from_measures,
    fiscal_calendar_for,
    measure,
    money_scope,
)
from .timephase import cumulative_at, span, without_long_quiet_runs


@dataclass(frozen=True)
class SCurvePoint:
    """Cumulative PV, EV and AC at the end of a period (or at `as_of` within its period);
    EV and AC are None for periods that start after `as_of`."""

    period: PeriodSpan
    day: dt.date
    pv: Decimal
    ev: Decimal | None
    ac: Decimal | None


@dataclass(frozen=True)
class SCurve:
    """The S-curve of a project or program by fiscal period, with the EAC projection: a line
    from (as_of, AC) to (forecast finish, EAC), empty when EAC is not defined."""

    currency: str
    as_of: dt.date
    points: tuple[SCurvePoint, ...]
    bac: Decimal
    eac: Decimal | None
    forecast_finish: dt.date | None
    eac_projection: tuple[tuple[dt.date, Decimal], ...]
    report: EvmReport


def evm_s_curve(
    *,
    project: Project | None = None,
    program: Program | None = None,
    as_of: dt.date | None = None,
    calendar: FiscalCalendar | None = None,
    labour_forecasts: LabourForecasts | None = None,
) -> SCurve:
    """PV, EV and AC cumulative by fiscal period of `calendar` (default: the portfolio's), from
    the first period with money to the last, plus the EAC projection; ETC includes the labour
    forecast of the project, or of every project of the program, when `labour_forecasts` is given
    (see earned_value.LabourForecasts). EVM_QUERIES["project"] or
    EVM_QUERIES["program"] queries (one fewer when `calendar` is given), as for project_evm and
    program_evm."""
    scope = money_scope(project=project, program=program)
    if as_of is None:
        as_of = default_as_of(scope)
    calendar = calendar or fiscal_calendar_for(portfolio=scope.program.portfolio)
    m = measure(scope, as_of=as_of, daily_ac=True, calendar=calendar, labour_forecasts=labour_forecasts)

    bounds = [b for b in (span(m.pv_segments), span(m.ev_segments), span(m.etc_segments or [])) if b]
    ac_days = [d for d, _ in m.ac_by_day]
    first = min([as_of, *(b[0] for b in bounds), *ac_days])
    last = max([as_of, *(b[1] for b in bounds)])
    periods = calendar.periods_between(first, last)
    days = [min(p.end, as_of) if p.start <= as_of else p.end for p in periods]
    pv_at = cumulative_at(m.pv_segments, days)
    ev_at = cumulative_at(m.ev_segments, days)
    ac_sorted = sorted(m.ac_by_day)
    points, ac_index, ac_running = [], 0, ZERO
    for period, day in zip(periods, days, strict=True):
        while ac_index < len(ac_sorted) and ac_sorted[ac_index][0] <= day:
            ac_running += ac_sorted[ac_index][1]
            ac_index += 1
        started = period.start <= as_of
        points.append(
            SCurvePoint(
                period=period,
                day=day,
                pv=pv_at[day],
                ev=ev_at[day] if started else None,
                ac=ac_running if started else None,
            )
        )
    report = evm_from_measures(
        m,
        ev_curve=[(p.day, p.ev) for p in points if p.ev is not None],
        ac_curve=[(p.day, p.ac) for p in points if p.ac is not None],
    )
    points = without_long_quiet_runs(points, lambda a, b: (a.pv, a.ev, a.ac) == (b.pv, b.ev, b.ac))
    figures = report.figures
    projection: tuple = ()
    if figures.eac is not None:
        # To the forecast finish (IEAC(t)), else to the end of the time-phased budget.
        end = figures.forecast_finish or (span(m.pv_segments) or (None, None))[1]
        if end is not None:
            projection = ((as_of, figures.ac), (max(end, as_of), figures.eac))
    return SCurve(
        currency=scope.currency,
        as_of=as_of,
        points=tuple(points),
        bac=m.bac,
        eac=figures.eac,
        forecast_finish=figures.forecast_finish,
        eac_projection=projection,
        report=report,
    )
