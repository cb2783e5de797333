"""Earned value management: pure functions over Decimal (no ORM, no float).

Definitions follow PMI / ANSI-748 and Lipke's earned schedule (docs/architecture.md):

    SV = EV - PV            CV = EV - AC            SPI = EV / PV          CPI = EV / AC
    EAC = BAC / CPI  ·  AC + (BAC - EV)  ·  AC + (BAC - EV) / (CPI x SPI)  ·  AC + ETC (bottom-up)
    ETC = EAC - AC          VAC = BAC - EAC         TCPI = (BAC - EV) / (BAC - AC)
    ES = the time at which PV equalled today's EV   AT = time elapsed since the start
    SPI(t) = ES / AT        SV(t) = ES - AT         IEAC(t) = PD / SPI(t)

Conventions, so callers and readers agree:

- Money is Decimal at full precision; nothing here rounds. `rounded()` is for display only.
- A figure that needs a division by zero is None ("not defined"), never an error or infinity.
- Time is counted in calendar days. A PV curve maps a date to the cumulative PV at the *end*
  of that day and is linear between its points; the day before its first point PV is zero, so
  a curve that should rise over a longer first stretch starts with an explicit zero point.
- The time origin (`start`) is the beginning of the first day on which PV accrues, unless the
  caller gives one; AT at the end of the status date is then `status_date - start + 1` days.
  ES, AT, SV(t), PD and IEAC(t) are in days.
- Data-quality anomalies (after the GAO Cost Estimating and Assessment Guide's EVM data checks)
  are returned as warnings; nothing is raised for odd data.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

from core import bounds
from core.money import format_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# The DAU / GAO rule of thumb: a TCPI more than 0.10 above the CPI to date means the EAC (or
# the budget) assumes an efficiency the project has not shown.
TCPI_CPI_TOLERANCE = Decimal("0.10")

PRECISION = 28  # significant digits for intermediate results (Decimal's default, made explicit)

# Warning codes and texts. Messages are format strings; tests assert the codes.
NEGATIVE_VALUE = "negative_value"
EV_WITHOUT_PV = "ev_without_pv"
AC_WITHOUT_EV = "ac_without_ev"
EV_WITHOUT_AC = "ev_without_ac"
EV_ABOVE_BAC = "ev_above_bac"
PV_ABOVE_BAC = "pv_above_bac"
AC_ABOVE_BAC = "ac_above_bac"
NO_BUDGET = "no_budget"
PERCENT_ABOVE_100 = "percent_complete_above_100"
CUMULATIVE_DECREASES = "cumulative_decreases"
STATUS_BEFORE_START = "status_before_start"
TCPI_ABOVE_CPI = "tcpi_above_cpi"

MESSAGES = {
    NEGATIVE_VALUE: "{name} is negative ({value}).",
    EV_WITHOUT_PV: "Work worth {ev} was earned where none was planned (planned value {pv}).",
    AC_WITHOUT_EV: "Costs of {ac} were recorded but no work was earned.",
    EV_WITHOUT_AC: "Work worth {ev} was earned but no costs were recorded.",
    EV_ABOVE_BAC: "Earned value {ev} is more than the budget at completion {bac}.",
    PV_ABOVE_BAC: "Planned value reaches {pv}, more than the budget at completion {bac}.",
    AC_ABOVE_BAC: "Actual cost {ac} is more than the budget at completion {bac} before the work is complete.",
    NO_BUDGET: "There is no budget at completion, yet work was earned or costs recorded.",
    PERCENT_ABOVE_100: "A task is recorded as more than 100% complete ({value}).",
    CUMULATIVE_DECREASES: "Cumulative {name} goes down on {date}, from {before} to {after}.",
    STATUS_BEFORE_START: "The status date {status_date} is before the work starts ({start}).",
    TCPI_ABOVE_CPI: "The remaining work needs a cost efficiency (TCPI) of {tcpi}, more than 0.10 above the "
    "{cpi} achieved so far (CPI).",
}
# What the figures are called in a warning's text.
NAMES = {
    "BAC": "The budget at completion",
    "PV": "Planned value",
    "EV": "Earned value",
    "AC": "Actual cost",
    "ETC": "The estimate to complete",
}
CURVE_NAMES = {"PV": "planned value", "EV": "earned value", "AC": "actual cost"}


def day_text(day: dt.date) -> str:
    """A date in a warning's text: "2 Mar 2026"."""
    return f"{day.day} {day:%b %Y}"


def percent_text(value: Decimal) -> str:
    """A percentage in a warning's text: "120%", "99.5%"."""
    return f"{rounded(Decimal(value), 2).normalize():f}%"


@dataclass(frozen=True, slots=True)
class EvmWarning:
    """One data-quality anomaly: a stable `code` (the constants above) for programs, and a
    message in plain words for people (amounts formatted with their currency, dates as
    "2 Mar 2026")."""

    code: str
    message: str


class EacMethod:
    """Which estimate `EarnedValue.eac` is: bottom-up when a forecast ETC is given, else CPI."""

    BOTTOM_UP = "bottom_up"
    CPI = "cpi"


@dataclass(frozen=True, slots=True)
class EarnedValue:
    """Earned value figures as of `status_date`. Money in the caller's currency, time in days,
    indices as unrounded Decimals; None wherever a figure is not defined."""

    status_date: dt.date
    bac: Decimal
    pv: Decimal
    ev: Decimal
    ac: Decimal
    sv: Decimal
    cv: Decimal
    spi: Decimal | None
    cpi: Decimal | None
    # EAC variants; `eac` is the one ETC, VAC and TCPI(EAC) use (see `eac_method`).
    eac: Decimal | None
    eac_method: str | None
    eac_cpi: Decimal | None  # BAC / CPI
    eac_at_budget_rate: Decimal | None  # AC + (BAC - EV): remaining work at the budgeted rate
    eac_cpi_spi: Decimal | None  # AC + (BAC - EV) / (CPI x SPI)
    eac_bottom_up: Decimal | None  # AC + ETC from the forecast
    etc: Decimal | None
    vac: Decimal | None
    tcpi: Decimal | None  # to reach BAC
    tcpi_eac: Decimal | None  # to reach EAC
    percent_complete: Decimal | None  # EV / BAC x 100
    percent_spent: Decimal | None  # AC / BAC x 100
    # Earned schedule, in days from `start`.
    start: dt.date | None
    es: Decimal | None
    at: Decimal | None
    pd: Decimal | None
    spi_t: Decimal | None
    sv_t: Decimal | None
    ieac_t: Decimal | None
    forecast_finish: dt.date | None  # start + IEAC(t), the day the work is forecast to end
    warnings: tuple[EvmWarning, ...]

    @property
    def warning_codes(self) -> list[str]:
        return [w.code for w in self.warnings]


def divide(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator, or None when either is None or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    with localcontext(prec=PRECISION):
        return numerator / denominator


def rounded(value: Decimal | None, places: int = 2) -> Decimal | None:
    """Round half up to `places` decimals, for display only; None stays None."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _points(curve: Mapping[dt.date, Decimal] | Iterable[tuple[dt.date, Decimal]]) -> list[tuple[int, Decimal]]:
    """The curve as (day ordinal, cumulative value) sorted by date, with the implicit zero the
    day before its first point."""
    items = curve.items() if isinstance(curve, Mapping) else curve
    points = sorted((day.toordinal(), Decimal(value)) for day, value in items)
    if points:
        points.insert(0, (points[0][0] - 1, ZERO))
    return points


def value_at(points: Sequence[tuple[int, Decimal]], ordinal: Decimal | int) -> Decimal:
    """Linear interpolation of a cumulative curve (from `_points`) at the end of day `ordinal`;
    zero before the curve, its last value after it."""
    if not points or ordinal <= points[0][0]:
        return ZERO
    if ordinal >= points[-1][0]:
        return points[-1][1]
    with localcontext(prec=PRECISION):
        for (o0, v0), (o1, v1) in itertools.pairwise(points):
            if o0 <= ordinal <= o1:
                return v0 + (v1 - v0) * (Decimal(ordinal) - o0) / (o1 - o0)
    return points[-1][1]  # pragma: no cover - the loop always returns


def _accrual_origin(points: Sequence[tuple[int, Decimal]]) -> int | None:
    """The ordinal of the day before PV first rises above zero (its end is the time origin)."""
    for (o0, v0), (_, v1) in itertools.pairwise(points):
        if v1 > 0 and v0 <= 0:
            return o0
    return None


def _earned_schedule(points: Sequence[tuple[int, Decimal]], ev: Decimal) -> Decimal | None:
    """The ordinal position (fractional days) at which the PV curve reached `ev`.

    Lipke: ES = C + I, C the whole increments whose PV ≤ EV, I the interpolated fraction of the
    next one. Equivalently: the first segment whose end value exceeds EV holds ES. When EV is at
    or above every later PV, ES is the time PV first reached its final value (ES never exceeds PD)."""
    if not points:
        return None
    with localcontext(prec=PRECISION):
        for (o0, v0), (o1, v1) in itertools.pairwise(points):
            if v1 > ev:
                if v1 <= v0:
                    return Decimal(o0)
                fraction = min(max((ev - v0) / (v1 - v0), ZERO), Decimal(1))
                return o0 + fraction * (o1 - o0)
        final = points[-1][1]
        return Decimal(next(o for o, v in points if v >= final))


def _decreases(name: str, curve, money) -> list[EvmWarning]:
    found = []
    points = _points(curve)[1:]
    for (_, before), (o1, after) in itertools.pairwise(points):
        if after < before:
            day = day_text(dt.date.fromordinal(o1))
            found.append(
                _warn(CUMULATIVE_DECREASES, name=CURVE_NAMES[name], date=day, before=money(before), after=money(after))
            )
    return found


def _warn(code: str, **values) -> EvmWarning:
    return EvmWarning(code, MESSAGES[code].format(**values))


def earned_value(
    *,
    bac: Decimal,
    pv_curve: Mapping[dt.date, Decimal] | Iterable[tuple[dt.date, Decimal]],
    ev: Decimal,
    ac: Decimal,
    status_date: dt.date,
    start: dt.date | None = None,
    planned_duration: Decimal | int | None = None,
    etc: Decimal | None = None,
    percent_complete: Iterable[Decimal] = (),
    ev_curve: Mapping[dt.date, Decimal] | Iterable[tuple[dt.date, Decimal]] = (),
    ac_curve: Mapping[dt.date, Decimal] | Iterable[tuple[dt.date, Decimal]] = (),
    currency: str = "",
) -> EarnedValue:
    """Every earned value figure as of the end of `status_date`.

    - `bac`: budget at completion. `pv_curve`: the time-phased budget as cumulative PV by date
      (see the module docstring); PV is read from it at the status date.
    - `ev`, `ac`: cumulative earned value and actual cost at the status date.
    - `start`: the time origin for earned schedule (default: when PV starts to accrue).
    - `planned_duration`: PD in days (default: from `start` to when PV first reaches its final
      value). `etc`: a bottom-up estimate to complete; when given, it makes `eac` bottom-up.
    - `percent_complete` (task percentages), `ev_curve` and `ac_curve` (cumulative histories)
      are only checked for anomalies.
    - `currency`: the money's currency code, named in the warnings' texts (which show amounts
      as people read them: "EUR 920,550.00").

    Never raises for odd data: undefined figures are None, anomalies are `warnings`.
    """
    bac, ev, ac = Decimal(bac), Decimal(ev), Decimal(ac)
    pv_items = list(pv_curve.items() if isinstance(pv_curve, Mapping) else pv_curve)
    points = _points(pv_items)
    status = status_date.toordinal()
    pv = value_at(points, status)

    with localcontext(prec=PRECISION):
        sv, cv = ev - pv, ev - ac
        spi, cpi = divide(ev, pv), divide(ev, ac)
        # BAC / CPI and (BAC - EV) / (CPI x SPI) are computed in their algebraic forms
        # (BAC·AC/EV and (BAC - EV)·AC·PV/EV²) so CPI is never rounded on the way: the fence
        # exercise's 4,000 / (2,500 / 2,800) is exactly 4,480.
        eac_cpi = divide(bac * ac, ev) if ac != 0 and ev != 0 else None
        eac_at_budget_rate = ac + (bac - ev)
        eac_cpi_spi = ac + divide((bac - ev) * ac * pv, ev * ev) if ac != 0 and pv != 0 and ev != 0 else None
        eac_bottom_up = ac + Decimal(etc) if etc is not None else None
        if eac_bottom_up is not None:
            eac, method = eac_bottom_up, EacMethod.BOTTOM_UP
        elif eac_cpi is not None:
            eac, method = eac_cpi, EacMethod.CPI
        else:
            eac, method = None, None
        etc_figure = eac - ac if eac is not None else None
        vac = bac - eac if eac is not None else None
        tcpi = divide(bac - ev, bac - ac)
        tcpi_eac = divide(bac - ev, eac - ac) if eac is not None else None
        percent_complete_figure = divide(ev * HUNDRED, bac)
        percent_spent = divide(ac * HUNDRED, bac)

        # Earned schedule.
        origin = start.toordinal() - 1 if start is not None else _accrual_origin(points)
        at = Decimal(status - origin) if origin is not None else None
        es_position = _earned_schedule(points, ev) if origin is not None and any(v > 0 for _, v in points) else None
        es = max(es_position - origin, ZERO) if es_position is not None else None
        if planned_duration is not None:
            pd = Decimal(planned_duration)
        elif origin is not None and points and points[-1][1] > 0:
            final = points[-1][1]
            pd = Decimal(next(o for o, v in points if v >= final) - origin)
        else:
            pd = None
        spi_t = divide(es, at) if at is not None and at > 0 else None
        sv_t = es - at if es is not None and at is not None else None
        ieac_t = divide(pd * at, es) if pd is not None and at is not None and at > 0 and es else None
        forecast_finish = None
        if ieac_t is not None:
            whole_days = int(ieac_t.to_integral_value(rounding=ROUND_CEILING))
            # A tiny earned schedule forecasts a finish centuries away: past the dates Keel
            # keeps (core.bounds) the forecast is not defined rather than a crash.
            if origin + whole_days <= bounds.DATE_MAX.toordinal():
                forecast_finish = dt.date.fromordinal(origin + whole_days)

    warnings = _anomalies(
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        etc=etc,
        points=points,
        pv_curve_given=pv_items,
        ev_curve=ev_curve,
        ac_curve=ac_curve,
        percent_complete=percent_complete,
        at=at,
        status_date=status_date,
        origin=origin,
        tcpi=tcpi,
        cpi=cpi,
        currency=currency,
    )
    return EarnedValue(
        status_date=status_date,
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        sv=sv,
        cv=cv,
        spi=spi,
        cpi=cpi,
        eac=eac,
        eac_method=method,
        eac_cpi=eac_cpi,
        eac_at_budget_rate=eac_at_budget_rate,
        eac_cpi_spi=eac_cpi_spi,
        eac_bottom_up=eac_bottom_up,
        etc=etc_figure,
        vac=vac,
        tcpi=tcpi,
        tcpi_eac=tcpi_eac,
        percent_complete=percent_complete_figure,
        percent_spent=percent_spent,
        start=dt.date.fromordinal(origin + 1) if origin is not None else None,
        es=es,
        at=at,
        pd=pd,
        spi_t=spi_t,
        sv_t=sv_t,
        ieac_t=ieac_t,
        forecast_finish=forecast_finish,
        warnings=tuple(warnings),
    )


def _anomalies(
    *,
    bac,
    pv,
    ev,
    ac,
    etc,
    points,
    pv_curve_given,
    ev_curve,
    ac_curve,
    percent_complete,
    at,
    status_date,
    origin,
    tcpi,
    cpi,
    currency="",
) -> list[EvmWarning]:
    def money(value) -> str:
        return format_money(value, currency)

    found: list[EvmWarning] = []
    for name, value in (("BAC", bac), ("PV", pv), ("EV", ev), ("AC", ac), ("ETC", etc)):
        if value is not None and value < 0:
            found.append(_warn(NEGATIVE_VALUE, name=NAMES[name], value=money(value)))
    if any(value < 0 for _, value in points):
        low = min(value for _, value in points)
        found.append(_warn(NEGATIVE_VALUE, name="A planned value in the time-phased budget", value=money(low)))
    percents = [Decimal(p) for p in percent_complete]
    if any(p < 0 for p in percents):
        found.append(_warn(NEGATIVE_VALUE, name="A percent complete", value=percent_text(min(percents))))
    if any(p > HUNDRED for p in percents):
        found.append(_warn(PERCENT_ABOVE_100, value=percent_text(max(percents))))
    if ev > 0 and pv <= 0:
        found.append(_warn(EV_WITHOUT_PV, ev=money(ev), pv=money(pv)))
    if ac > 0 and ev == 0:
        found.append(_warn(AC_WITHOUT_EV, ac=money(ac)))
    if ev > 0 and ac == 0:
        found.append(_warn(EV_WITHOUT_AC, ev=money(ev)))
    if bac <= 0 and (ev > 0 or ac > 0):
        found.append(_warn(NO_BUDGET))
    if bac > 0 and ev > bac:
        found.append(_warn(EV_ABOVE_BAC, ev=money(ev), bac=money(bac)))
    if bac > 0 and points and max(v for _, v in points) > bac:
        found.append(_warn(PV_ABOVE_BAC, pv=money(max(v for _, v in points)), bac=money(bac)))
    if bac > 0 and ac > bac and ev < bac:
        found.append(_warn(AC_ABOVE_BAC, ac=money(ac), bac=money(bac)))
    found += _decreases("PV", pv_curve_given, money)
    found += _decreases("EV", ev_curve, money)
    found += _decreases("AC", ac_curve, money)
    if at is not None and at <= 0:
        found.append(
            _warn(
                STATUS_BEFORE_START, status_date=day_text(status_date), start=day_text(dt.date.fromordinal(origin + 1))
            )
        )
    if tcpi is not None and cpi is not None and tcpi - cpi > TCPI_CPI_TOLERANCE:
        found.append(_warn(TCPI_ABOVE_CPI, tcpi=f"{rounded(tcpi, 2):f}", cpi=f"{rounded(cpi, 2):f}"))
    return found
