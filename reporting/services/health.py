"""Computed health: pure functions from plain figures to a colour per dimension and overall,
each with the rule that decided it ("CPI 0.82 < 0.90"; a green one says why too, "CPI 1.02 ≥ 0.95").

Rules (thresholds from the portfolio's HealthPolicy, `policy_for`):
- higher is better (CPI, SPI): at or below `*_red` is red, below `*_amber` amber, else green;
- lower is better (slip, stale days, exposure share): at or above `*_red` is red, above `*_amber`
  amber, else green;
- counts (people over-allocated): at or above `overallocated_red` red, at or above
  `overallocated_amber` amber (defaults 3 and 8: one or two people over-allocated in a month is
  routine juggling, not a signal).
A dimension whose inputs are all missing is "" (no data) with an empty reason; overall is the
worst dimension with data, and its reason is that dimension's.

Only the database read is `policy_for`; every other function takes plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..models import Health, HealthPolicy

GREEN, AMBER, RED, NONE = Health.GREEN.value, Health.AMBER.value, Health.RED.value, Health.NONE.value
_RANK = {NONE: 0, GREEN: 1, AMBER: 2, RED: 3}
DIMENSIONS = ("schedule", "cost", "risk", "staffing", "governance", "freshness")
# Share of the requested FTE left unfilled at which staffing turns amber (no policy field for it).
FTE_GAP_AMBER_PERCENT = Decimal(25)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Verdict:
    """One dimension's colour (Health value, "" for no data) and the rule that decided it."""

    health: str
    reason: str = ""


NO_DATA = Verdict(NONE, "")


def policy_for(portfolio) -> HealthPolicy:
    """The portfolio's thresholds, else an unsaved HealthPolicy holding the defaults (one query;
    none when `portfolio` has `health_policy` cached as None or loaded)."""
    if portfolio is None:
        return HealthPolicy()
    found = HealthPolicy.objects.filter(portfolio_id=portfolio.pk).first()
    return found or HealthPolicy(portfolio_id=portfolio.pk)


def worst(*colours: str) -> str:
    return max(colours, key=_RANK.__getitem__, default=NONE)


def _combine(verdicts: list[Verdict]) -> Verdict:
    """The worst of `verdicts` (those with data), its reasons joined when several share the colour."""
    found = [v for v in verdicts if v.health != NONE]
    if not found:
        return NO_DATA
    colour = worst(*(v.health for v in found))
    return Verdict(colour, "; ".join(v.reason for v in found if v.health == colour))


def _ratio_text(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def higher_is_better(name: str, value: Decimal | None, *, amber: Decimal, red: Decimal) -> Verdict:
    """CPI / SPI style: ≤ red → red, < amber → amber, else green."""
    if value is None:
        return NO_DATA
    text, a, r = _ratio_text(value), _ratio_text(amber), _ratio_text(red)
    if value < red:
        return Verdict(RED, f"{name} {text} < {r}")
    if value == red:
        return Verdict(RED, f"{name} {text} ≤ {r}")
    if value < amber:
        return Verdict(AMBER, f"{name} {text} < {a}")
    return Verdict(GREEN, f"{name} {text} ≥ {a}")


def lower_is_better(label: str, value, *, amber, red, unit: str = "", shown: str | None = None) -> Verdict:
    """Slip / age style: ≥ red → red, > amber → amber, else green; compared exactly, printed as
    `shown` (default: the value) followed by `unit`."""
    if value is None:
        return NO_DATA
    said = f"{label} {value if shown is None else shown}{unit}"
    if value >= red:
        return Verdict(RED, f"{said} ≥ {red}")
    if value > amber:
        return Verdict(AMBER, f"{said} > {amber}")
    return Verdict(GREEN, f"{said} ≤ {amber}")


def schedule_health(*, spi: Decimal | None, slip_working_days: int | None, policy: HealthPolicy) -> Verdict:
    """SPI against spi_amber / spi_red, and the slip of the forecast finish past the baseline
    finish (working days) against slip_amber_days / slip_red_days; the worse of the two."""
    slip = (
        NO_DATA
        if slip_working_days is None
        else lower_is_better(
            "slip", slip_working_days, amber=policy.slip_amber_days, red=policy.slip_red_days, unit=" working days"
        )
    )
    return _combine([higher_is_better("SPI", spi, amber=policy.spi_amber, red=policy.spi_red), slip])


def cost_health(*, cpi: Decimal | None, policy: HealthPolicy) -> Verdict:
    """CPI against cpi_amber / cpi_red."""
    return higher_is_better("CPI", cpi, amber=policy.cpi_amber, red=policy.cpi_red)


def risk_health(
    *, emv: Decimal | None, reserve_remaining: Decimal | None, risks_critical: int, policy: HealthPolicy
) -> Verdict:
    """The share of the remaining contingency that the open risks' EMV would use, against
    exposure_amber_percent / exposure_red_percent (EMV with no reserve left is red); any
    critical risk makes it at least amber. No data when neither EMV nor reserve is known."""
    if emv is None and reserve_remaining is None:
        return NO_DATA
    emv = emv or Decimal(0)
    remaining = reserve_remaining or Decimal(0)
    if emv <= 0:
        share = NO_DATA if risks_critical else Verdict(GREEN, "no open exposure")
    elif remaining <= 0:
        share = Verdict(RED, "exposure with no reserve remaining")
    else:
        percent = emv / remaining * HUNDRED
        share = lower_is_better(
            "exposure",
            percent,
            shown=f"{percent:.1f}",
            amber=policy.exposure_amber_percent,
            red=policy.exposure_red_percent,
            unit="% of reserve",
        )
    critical = NO_DATA
    if risks_critical:
        critical = Verdict(AMBER, f"{risks_critical} critical risk{'s' if risks_critical != 1 else ''}")
    return _combine([share, critical])


def staffing_health(
    *,
    people_overallocated: int | None,
    fte_requested: Decimal | None,
    fte_allocated: Decimal | None,
    policy: HealthPolicy,
) -> Verdict:
    """People over-allocated this month against overallocated_amber / overallocated_red (at or
    above), and the unfilled share of the requested FTE (amber from FTE_GAP_AMBER_PERCENT)."""
    people = NO_DATA
    if people_overallocated is not None:
        n = people_overallocated
        said = f"{n} {'person' if n == 1 else 'people'} over-allocated"
        if n >= policy.overallocated_red:
            people = Verdict(RED, f"{said} ≥ {policy.overallocated_red}")
        elif n >= policy.overallocated_amber:
            people = Verdict(AMBER, f"{said} ≥ {policy.overallocated_amber}")
        else:
            people = Verdict(GREEN, f"{said} < {policy.overallocated_amber}")
    gap = NO_DATA
    if fte_requested:
        missing = max(fte_requested - (fte_allocated or Decimal(0)), Decimal(0))
        percent = missing / fte_requested * HUNDRED
        said = f"FTE gap {missing:.1f} of {fte_requested:.1f} requested ({percent:.1f}%"
        if percent >= FTE_GAP_AMBER_PERCENT:
            gap = Verdict(AMBER, f"{said} ≥ {FTE_GAP_AMBER_PERCENT}%)")
        else:
            gap = Verdict(GREEN, f"{said} < {FTE_GAP_AMBER_PERCENT}%)")
    return _combine([people, gap])


def governance_health(*, gates_overdue: int | None) -> Verdict:
    """A pending gate past its planned date makes governance amber."""
    if gates_overdue is None:
        return NO_DATA
    if gates_overdue:
        return Verdict(AMBER, f"{gates_overdue} gate{'s' if gates_overdue != 1 else ''} overdue")
    return Verdict(GREEN, "no gate overdue")


def freshness_health(*, report_age_days: int | None, actuals_age_days: int | None, policy: HealthPolicy) -> Verdict:
    """Age in days of the newest status report (period end) and of the newest actual cost
    against report_stale_* / actuals_stale_*; the worse of the two."""
    return _combine(
        [
            lower_is_better(
                "status report",
                report_age_days,
                amber=policy.report_stale_amber_days,
                red=policy.report_stale_red_days,
                unit=" days old",
            ),
            lower_is_better(
                "actuals",
                actuals_age_days,
                amber=policy.actuals_stale_amber_days,
                red=policy.actuals_stale_red_days,
                unit=" days old",
            ),
        ]
    )


def overall_health(verdicts: dict[str, Verdict]) -> Verdict:
    """The worst dimension with data; its reason prefixed with the dimension ("cost: CPI ...")."""
    found = [(name, v) for name, v in verdicts.items() if v.health != NONE]
    if not found:
        return NO_DATA
    colour = worst(*(v.health for _, v in found))
    return Verdict(colour, "; ".join(f"{name}: {v.reason}" for name, v in found if v.health == colour))


def disagrees(reported_rag: str, overall: str) -> bool:
    """A reported RAG is present, the computed overall too, and they differ."""
    return bool(reported_rag) and bool(overall) and reported_rag != overall


def _age(day, as_of) -> int | None:
    if day is None or as_of is None:
        return None
    return (as_of - day).days


def health_fields(figures: dict, *, policy: HealthPolicy, gates_overdue: int | None) -> dict:
    """The health_* fields, health_reasons and health_disagrees of a roll-up whose other figures
    are in `figures` (RollupFigures field names; `as_of` among them)."""
    as_of = figures.get("as_of")
    verdicts = {
        "schedule": schedule_health(
            spi=figures.get("spi"), slip_working_days=figures.get("slip_working_days"), policy=policy
        ),
        "cost": cost_health(cpi=figures.get("cpi"), policy=policy),
        "risk": risk_health(
            emv=figures.get("emv"),
            reserve_remaining=figures.get("reserve_remaining"),
            risks_critical=figures.get("risks_critical") or 0,
            policy=policy,
        ),
        "staffing": staffing_health(
            people_overallocated=figures.get("people_overallocated"),
            fte_requested=figures.get("fte_requested"),
            fte_allocated=figures.get("fte_allocated"),
            policy=policy,
        ),
        "governance": governance_health(gates_overdue=gates_overdue),
        "freshness": freshness_health(
            report_age_days=_age(figures.get("last_status_report_on"), as_of),
            actuals_age_days=_age(figures.get("last_actuals_on"), as_of),
            policy=policy,
        ),
    }
    overall = overall_health(verdicts)
    reasons = {name: v.reason for name, v in verdicts.items() if v.reason}
    if overall.reason:
        reasons["overall"] = overall.reason
    return {
        **{f"health_{name}": v.health for name, v in verdicts.items()},
        "health_overall": overall.health,
        "health_reasons": reasons,
        "health_disagrees": disagrees(figures.get("reported_rag") or "", overall.health),
    }
