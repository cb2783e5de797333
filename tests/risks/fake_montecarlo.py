"""A small stand-in for projects.scheduling.montecarlo.simulate, used only while the real engine
has not landed (tests/risks/conftest.py: `engine`). It follows the contract plainly: each
iteration draws every ranged duration and cost, decides each risk event, and runs the real CPM
engine on the result — slow, but exact on the tiny networks of these tests."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np

from projects.scheduling import schedule
from projects.scheduling.montecarlo import ENGINE_VERSION, Driver, SimulationInput, SimulationResult


def _draw(rng, low, likely, high, distribution, size):
    if high <= low:
        return np.full(size, float(likely))
    if distribution == "uniform":
        return rng.uniform(low, high, size)
    if distribution == "pert":
        a = 1 + 4 * (likely - low) / (high - low)
        b = 1 + 4 * (high - likely) / (high - low)
        return low + rng.beta(a, b, size) * (high - low)
    return rng.triangular(low, likely, high, size)


class FakeResult(SimulationResult):
    def finish_percentile(self, p):
        stamps = np.array(self.finishes, dtype="datetime64[m]").astype(np.int64)
        value = np.percentile(stamps, p, method="higher")
        return np.datetime64(int(value), "m").astype("datetime64[s]").astype(object)

    def cost_percentile(self, p):
        return Decimal(str(round(float(np.percentile(self.costs, p)), 2)))

    def probability_finish_by(self, when):
        stamps = np.array(self.finishes, dtype="datetime64[m]")
        return float(np.mean(stamps <= np.datetime64(when, "m")))

    def probability_cost_within(self, amount):
        return float(np.mean(np.asarray(self.costs) <= float(amount)))


def _run(data: SimulationInput, durations: dict):
    tasks = [
        dataclasses.replace(t, duration_minutes=round(durations[t.id])) if t.id in durations else t for t in data.tasks
    ]
    return schedule(
        tasks,
        data.links,
        calendars=data.calendars,
        default_calendar_id=data.default_calendar_id,
        project_start=data.project_start,
        status_date=data.status_date,
    )


def simulate(data: SimulationInput, *, progress=None) -> SimulationResult:
    rng = np.random.default_rng(data.seed)
    n = data.iterations
    base = {t.id: t.duration_minutes for t in data.tasks}
    draws = {tid: _draw(rng, tp.low, tp.likely, tp.high, tp.distribution, n) for tid, tp in data.durations.items()}
    costs = np.full(n, float(data.fixed_cost))
    cost_draws = {}
    for item in data.costs:
        cost_draws[item.key] = _draw(rng, float(item.low), float(item.likely), float(item.high), item.distribution, n)
        costs += cost_draws[item.key]
    occurs = {e.key: rng.random(n) < e.probability for e in data.risks}
    for e in data.risks:
        costs += occurs[e.key] * float(e.cost_impact)
    deterministic = _run(data, {tid: tp.likely for tid, tp in data.durations.items()})
    finishes, critical = [], dict.fromkeys(base, 0)
    for i in range(n):
        durations = {tid: draws[tid][i] for tid in draws}
        for e in data.risks:
            if occurs[e.key][i]:
                for tid, minutes in e.task_impacts.items():
                    durations[tid] = durations.get(tid, base[tid]) + minutes
        out = _run(data, durations)
        finishes.append(out.project_finish)
        for tid, row in out.tasks.items():
            critical[tid] += bool(row.is_critical)
        if progress:
            progress(i + 1, n)
    stamps = np.array(finishes, dtype="datetime64[m]").astype(np.float64)

    def drivers(output, inputs, kind):
        found = []
        for key, values in inputs.items():
            if np.std(values) == 0 or np.std(output) == 0:
                continue
            rho = float(np.corrcoef(np.argsort(np.argsort(values)), np.argsort(np.argsort(output)))[0, 1])
            low, high = values <= np.quantile(values, 0.1), values >= np.quantile(values, 0.9)
            found.append(Driver(key, key, kind(key), rho, float(output[low].mean()), float(output[high].mean())))
        return sorted(found, key=lambda d: -abs(d.correlation))

    start = np.datetime64(data.project_start, "m").astype(np.float64)
    finish_inputs = {f"task:{k}": v for k, v in draws.items()} | {k: v.astype(float) for k, v in occurs.items()}
    cost_inputs = cost_draws | {k: v.astype(float) for k, v in occurs.items()}
    kind = lambda key: key.split(":", 1)[0]  # noqa: E731
    return FakeResult(
        iterations=n,
        seed=data.seed,
        engine_version=ENGINE_VERSION,
        deterministic_finish=deterministic.project_finish,
        deterministic_cost=data.fixed_cost + sum((c.likely for c in data.costs), Decimal(0)),
        finishes=finishes,
        costs=costs,
        criticality={tid: count / n for tid, count in critical.items()},
        finish_drivers=drivers(stamps - start, finish_inputs, kind),
        cost_drivers=drivers(costs, cost_inputs, kind),
    )
