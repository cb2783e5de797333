"""The engine's SimulationResult as the `AnalysisRun.results` JSON (contract in
risks.models.analysis): dates as aware ISO strings, money as decimal strings, probabilities as
floats in [0, 1]."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

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
    """Naive wall-clock datetimes of the engine <-> aware datetimes and epoch minutes."""

    def __init__(self, prepared: Prepared):
        self.zone = prepared.network.zone
        self.calendar = prepared.data.calendars[prepared.data.default_calendar_id]
        self.start = prepared.data.project_start

    def local(self, value) -> dt.datetime:
        if isinstance(value, np.datetime64):
            value = value.astype("datetime64[s]").astype(dt.datetime)
        if value.tzinfo is not None:
            value = value.astimezone(self.zone).replace(tzinfo=None)
        return value

    def aware(self, value) -> dt.datetime:
        return self.local(value).replace(tzinfo=self.zone)

    def iso(self, value) -> str:
        return self.aware(value).isoformat()

    def minutes(self, values) -> np.ndarray:
        """Each finish as minutes since the epoch (wall clock), as float64."""
        array = np.asarray(values)
        if not np.issubdtype(array.dtype, np.datetime64):
            array = np.array([self.local(v) for v in values], dtype="datetime64[m]")
        return array.astype("datetime64[m]").astype(np.int64).astype(np.float64)

    def from_minutes(self, minutes: float) -> dt.datetime:
        return dt.datetime(1970, 1, 1) + dt.timedelta(minutes=round(float(minutes)))

    def after_start(self, working_minutes: float) -> dt.datetime:
        return self.calendar.add_working_minutes(self.start, max(round(float(working_minutes)), 0))


def _finish_block(result: SimulationResult, prepared: Prepared, clock: _Clock, target_date) -> dict:
    minutes = clock.minutes(result.finishes)
    block = {f"p{p}": clock.iso(result.finish_percentile(p)) for p in PERCENTILES}
    block["deterministic"] = clock.iso(result.deterministic_finish)
    block["mean"] = clock.iso(clock.from_minutes(minutes.mean()))
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
    block["deterministic_percentile"] = float(result.probability_finish_by(clock.local(result.deterministic_finish)))
    counts, edges = np.histogram(minutes, bins=HISTOGRAM_BINS)
    block["histogram"] = [
        {"start": clock.iso(clock.from_minutes(a)), "end": clock.iso(clock.from_minutes(b)), "count": int(n)}
        for a, b, n in zip(edges[:-1], edges[1:], counts, strict=True)
    ]
    ordered = np.sort(minutes)
    points = np.linspace(ordered[0], ordered[-1], CDF_POINTS)
    shares = np.searchsorted(ordered, points, side="right") / len(ordered)
    block["cdf"] = [[clock.iso(clock.from_minutes(x)), float(s)] for x, s in zip(points, shares, strict=True)]
    return block


def _cost_block(result: SimulationResult, budget: Decimal) -> dict:
    costs = np.asarray(result.costs, dtype=np.float64)
    block = {f"p{p}": str(money(result.cost_percentile(p))) for p in PERCENTILES}
    block["deterministic"] = str(money(result.deterministic_cost))
    block["mean"] = str(money(costs.mean()))
    block["budget"] = str(money(budget)) if budget else None
    block["p_budget"] = float(result.probability_cost_within(budget)) if budget else None
    block["deterministic_percentile"] = float(result.probability_cost_within(result.deterministic_cost))
    counts, edges = np.histogram(costs, bins=HISTOGRAM_BINS)
    block["histogram"] = [
        {"low": str(money(a)), "high": str(money(b)), "count": int(n)}
        for a, b, n in zip(edges[:-1], edges[1:], counts, strict=True)
    ]
    ordered = np.sort(costs)
    points = np.linspace(ordered[0], ordered[-1], CDF_POINTS)
    shares = np.searchsorted(ordered, points, side="right") / len(ordered)
    block["cdf"] = [[str(money(x)), float(s)] for x, s in zip(points, shares, strict=True)]
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
                "low": clock.iso(clock.after_start(d.low_output)),
                "high": clock.iso(clock.after_start(d.high_output)),
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
