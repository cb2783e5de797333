"""The engine's SimulationResult as the `AnalysisRun.results` JSON (contract in
risks.models.analysis): dates as aware ISO strings, money as decimal strings, probabilities as
floats in [0, 1]."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from projects.scheduling.montecarlo import SimulationResult

from .analysis_inputs import Prepared

CENT = Decimal("0.01")
ZERO = Decimal(0)
HISTOGRAM_BINS = 30
CDF_POINTS = 50
CRITICALITY_TOP = 50
DRIVERS_TOP = 15
MINUTES_PER_DAY = 480  # Keel's working day (projects.models.schedule)
PERCENTILES = (10, 50, 80, 90)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


class _Clock:
    """The engine's naive wall-clock datetimes as aware ones in the network's zone."""

    def __init__(self, prepared: Prepared):
        self.zone = prepared.network.zone
        self.calendar = prepared.data.calendars[prepared.data.default_calendar_id]

    def local(self, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is not None:
            value = value.astimezone(self.zone).replace(tzinfo=None)
        return value

    def iso(self, value: dt.datetime) -> str:
        return self.local(value).replace(tzinfo=self.zone).isoformat()


def _finish_block(result: SimulationResult, prepared: Prepared, clock: _Clock, target_date) -> dict:
    block = {f"p{p}": clock.iso(result.finish_percentile(p)) for p in PERCENTILES}
    block["deterministic"] = clock.iso(result.deterministic_finish)
    block["mean"] = clock.iso(result.finish_mean())
    baseline = prepared.baseline_finish
    block["baseline"] = baseline.isoformat() if baseline else None
    block["p_baseline"] = float(result.probability_finish_by(clock.local(baseline))) if baseline else None
    if target_date is not None:
        # The target is met by finishing any time on that day.
        target = dt.datetime.combine(target_date, dt.time(23, 59))
        block["target"] = target.replace(tzinfo=clock.zone).isoformat()
        block["p_target"] = float(result.probability_finish_by(target))
    else:
        block["target"], block["p_target"] = None, None
    block["deterministic_percentile"] = float(result.deterministic_percentile())
    block["histogram"] = [
        {"start": clock.iso(a), "end": clock.iso(b), "count": int(n)}
        for a, b, n in result.finish_histogram(HISTOGRAM_BINS)
    ]
    block["cdf"] = [[clock.iso(x), float(share)] for x, share in result.finish_cdf(CDF_POINTS)]
    return block


def _cost_block(result: SimulationResult, budget: Decimal) -> dict:
    block = {f"p{p}": str(money(result.cost_percentile(p))) for p in PERCENTILES}
    block["deterministic"] = str(money(result.deterministic_cost))
    block["mean"] = str(money(result.cost_mean()))
    block["budget"] = str(money(budget)) if budget else None
    block["p_budget"] = float(result.probability_cost_within(budget)) if budget else None
    block["deterministic_percentile"] = float(result.cost_deterministic_percentile())
    block["histogram"] = [
        {"low": str(money(a)), "high": str(money(b)), "count": int(n)}
        for a, b, n in result.cost_histogram(HISTOGRAM_BINS)
    ]
    block["cdf"] = [[str(money(x)), float(share)] for x, share in result.cost_cdf(CDF_POINTS)]
    return block


def _label(prepared: Prepared, driver) -> str:
    if driver.kind == "task" and driver.key.startswith("task:"):
        name, code = prepared.task_labels.get(int(driver.key.split(":", 1)[1]), (driver.label, ""))
        return f"{code}: {name}" if code and len(prepared.network.projects) > 1 else name
    return driver.label


def results_json(
    result: SimulationResult, prepared: Prepared, *, target_date, contingency_remaining, management_remaining
) -> dict:
    clock = _Clock(prepared)
    finish = _finish_block(result, prepared, clock, target_date)
    cost = _cost_block(result, prepared.budget)
    criticality = sorted(
        ((task_id, float(index)) for task_id, index in result.criticality.items() if task_id in prepared.task_labels),
        key=lambda pair: (-pair[1], pair[0]),
    )[:CRITICALITY_TOP]
    p80_cost = money(result.cost_percentile(80))
    needed = max(p80_cost - money(prepared.budget), ZERO)
    shortfall = max(needed - contingency_remaining - management_remaining, ZERO)
    p80_local = clock.local(result.finish_percentile(80))
    deterministic_local = clock.local(result.deterministic_finish)
    margin = (
        clock.calendar.working_minutes_between(deterministic_local, p80_local) if p80_local > deterministic_local else 0
    )
    return {
        "finish": finish,
        "cost": cost,
        "criticality": [
            {
                "task_id": task_id,
                "name": prepared.task_labels[task_id][0],
                "project": prepared.task_labels[task_id][1],
                "index": index,
            }
            for task_id, index in criticality
        ],
        "finish_drivers": [
            {
                "key": d.key,
                "label": _label(prepared, d),
                "kind": d.kind,
                "correlation": float(d.correlation),
                "low": clock.iso(result.finish_at(d.low_output)),
                "high": clock.iso(result.finish_at(d.high_output)),
            }
            for d in list(result.finish_drivers)[:DRIVERS_TOP]
        ],
        "cost_drivers": [
            {
                "key": d.key,
                "label": _label(prepared, d),
                "kind": d.kind,
                "correlation": float(d.correlation),
                "low": str(money(d.low_output)),
                "high": str(money(d.high_output)),
            }
            for d in list(result.cost_drivers)[:DRIVERS_TOP]
        ],
        "contingency": {
            "p80_cost": str(p80_cost),
            "budget": str(money(prepared.budget)),
            "needed": str(needed),
            "contingency_remaining": str(money(contingency_remaining)),
            "management_reserve_remaining": str(money(management_remaining)),
            "shortfall": str(money(shortfall)),
        },
        "schedule_margin_days": round(margin / MINUTES_PER_DAY, 2),
    }
