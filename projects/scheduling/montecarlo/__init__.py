"""Monte Carlo schedule and cost risk analysis beside the CPM engine.

Pure Python with numpy, no Django, no ORM. Runs N seeded iterations of the same network the
CPM engine schedules (same calendars, link types, lags, constraints, progress), with durations
drawn from three-point estimates, correlated groups, cost ranges and risk events. An iteration
with every input at its most likely value and no risk event occurring gives exactly the dates
of :func:`projects.scheduling.schedule`.

How it works (modules of this package):

* :mod:`.sampling` draws, per chunk of iterations (:data:`CHUNK`, fewer on networks of more than
  1,000 tasks so a chunk stays near a million task-iterations), a (iterations x tasks) matrix of
  durations (triangular, PERT-beta, uniform; rounded to whole minutes), reorders correlated
  groups (Iman-Conover), draws cost items and the risk events (Bernoulli per iteration; an event
  that occurs adds its minutes to its tasks' durations -- to the remaining work of a task in
  progress -- and its cost to the iteration's cost).
* :mod:`.vector` runs the engine's forward pass, backward pass, ALAP pass and roll-up on the whole
  chunk at once: one numpy operation per task and link, never a loop over iterations. Calendars
  become numpy tables (:class:`.vector.VecCalendar`) so every task keeps its own calendar, its
  resource calendar, elapsed and percentage lags, constraints, deadlines, actual dates, progress
  and the status date exactly as the engine treats them. No input needs a per-iteration
  fallback. Criticality is the engine's flag (total slack at most
  ``ScheduleOptions.critical_slack_minutes``, 0 by default) counted per iteration.
* **Dialects.** ``SimulationInput.options`` are the CPM engine's (``ScheduleOptions``). The
  numpy passes implement Microsoft Project's rules only; when the options select Primavera P6
  (``options.p6``), or when ``SimulationInput.parts`` schedules unlinked parts of the network
  under different options (a program whose projects use different dialects), each iteration is
  scheduled by :func:`projects.scheduling.schedule` itself, with the drawn durations: every
  rule of the dialect (data date, progress mode, lag calendar, LOE / WBS summary, milestones,
  several links per pair, must-finish-by, float and critical modes) applies exactly, at the CPM
  engine's speed per iteration (see ``bench/montecarlo.py --p6``). Under P6 the durations of
  level-of-effort and WBS-summary activities come from the activities around them, so their
  ranges and risk impacts are ignored, as a summary's are.
* :mod:`.stats` ranks inputs against outputs for the tornado (on the first
  :data:`DRIVER_SAMPLE` iterations; every other figure uses all of them).

What the uncertainty applies to: ranged durations of summary, manually scheduled and finished
tasks are ignored (their dates do not come from their durations), and so are risk impacts on
them. For a task in progress the drawn duration scales its ``remaining_minutes`` (or, without
one, the engine's ``span * (1 - percent / 100)`` of the drawn span). A percentage lag follows
the drawn duration of its predecessor.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from projects.scheduling.calendar import WorkCalendar, from_abs_minute, to_abs_minute
from projects.scheduling.dialects import ActivityType
from projects.scheduling.engine import schedule
from projects.scheduling.model import LinkIn, ScheduleInputError, ScheduleOptions, ScheduleResult, TaskId, TaskIn
from projects.scheduling.montecarlo import sampling, stats, vector

ENGINE_VERSION = "1.0"
DISTRIBUTIONS = sampling.DISTRIBUTIONS
ITERATIONS_MIN = 100
ITERATIONS_MAX = 100_000
#: Iterations simulated at once (bounds memory: about a dozen int64 arrays of CHUNK per task);
#: networks of more than 1,000 tasks use proportionally smaller chunks (at least 100).
CHUNK = 1_000
#: The tornado ranks the inputs of the first DRIVER_SAMPLE iterations (bounds memory on long runs;
#: the standard error of a rank correlation there is below 0.01).
DRIVER_SAMPLE = 20_000
DRIVERS_TOP = stats.DRIVERS_TOP
#: Iterations scheduled by the CPM engine itself (Primavera P6, parts) cost one CPM run each
#: (about 40 us per task on the bench network): tasks x iterations beyond this is refused, so a
#: run stays well inside the worker's long-task time limit (an hour by default).
ENGINE_TASK_ITERATIONS_MAX = 20_000_000
_CENT = Decimal("0.01")
_EPOCH_MINUTE = to_abs_minute(datetime(1970, 1, 1))


@dataclass(frozen=True)
class ThreePoint:
    """A duration in working minutes (or an amount of money) as low / most likely / high."""

    low: float
    likely: float
    high: float
    distribution: str = "triangular"


@dataclass(frozen=True)
class CorrelatedGroup:
    task_ids: tuple[TaskId, ...]
    coefficient: float  # rank correlation in [0, 1]


@dataclass(frozen=True)
class CostItem:
    key: str  # "category:LAB"
    label: str
    low: Decimal
    likely: Decimal
    high: Decimal
    distribution: str = "triangular"


@dataclass(frozen=True)
class RiskEvent:
    key: str  # "risk:R-012"
    label: str
    probability: float  # 0..1
    task_impacts: Mapping[TaskId, int] = field(default_factory=dict)  # working minutes added
    cost_impact: Decimal = Decimal("0")


@dataclass(frozen=True)
class SchedulePart:
    """Tasks scheduled on their own, under their own options (no link may leave the part)."""

    task_ids: tuple[TaskId, ...]
    options: ScheduleOptions | None = None


@dataclass(frozen=True)
class SimulationInput:
    # The CPM engine's arguments, as for projects.scheduling.schedule():
    tasks: Sequence[TaskIn]
    links: Sequence[LinkIn]
    calendars: Mapping[str, WorkCalendar]
    default_calendar_id: str
    project_start: datetime
    status_date: datetime | None = None
    options: ScheduleOptions | None = None
    # Uncertainty:
    durations: Mapping[TaskId, ThreePoint] = field(default_factory=dict)  # tasks not named are fixed
    correlations: Sequence[CorrelatedGroup] = ()
    costs: Sequence[CostItem] = ()
    fixed_cost: Decimal = Decimal("0")  # cost outside the ranged items (added to every iteration)
    risks: Sequence[RiskEvent] = ()
    iterations: int = 5_000
    seed: int = 0
    #: When given: the network split into unlinked parts, each scheduled under its own options
    #: (``options`` is then ignored); every task belongs to exactly one part.
    parts: Sequence[SchedulePart] = ()


@dataclass(frozen=True)
class Driver:
    """One bar of a tornado: how strongly an input moves the finish (or the cost)."""

    key: str  # a task id as "task:<id>", or a RiskEvent/CostItem key
    label: str
    kind: str  # "task" | "risk" | "cost"
    correlation: float  # Spearman rank correlation with the output, -1..1
    # Mean output (finish in working minutes after the start, or cost) with the input in its lowest
    # and in its highest decile.
    low_output: float
    high_output: float


def _check_percent(p: float) -> float:
    if not (isinstance(p, int | float | Decimal) and 0 <= p <= 100):
        raise ValueError(f"percentile must be within 0-100, got {p!r}")
    return float(p)


def _money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass
class SimulationResult:
    iterations: int
    seed: int
    engine_version: str
    deterministic_finish: datetime  # the CPM finish with every input at its most likely
    deterministic_cost: Decimal
    finishes: Sequence[datetime]  # one per iteration: a numpy datetime64[m] array
    costs: Sequence[float]  # one per iteration (numpy float64 array)
    criticality: Mapping[TaskId, float]  # share of iterations in which the task was critical
    finish_drivers: Sequence[Driver]  # most influential first
    cost_drivers: Sequence[Driver]
    # Additions to the first contract (all optional for hand-built results):
    #: finish of each iteration in working minutes after the project start (default calendar)
    finish_minutes: np.ndarray | None = None
    calendar: WorkCalendar | None = None  # the default calendar, to turn minutes into dates
    project_start: datetime | None = None

    # -- internal views ---------------------------------------------------------------------

    def _finish_abs(self) -> np.ndarray:
        values = np.asarray(self.finishes, dtype="datetime64[m]").astype(np.int64)
        return values + _EPOCH_MINUTE

    def _costs(self) -> np.ndarray:
        return np.asarray(self.costs, dtype=np.float64)

    # -- finish -----------------------------------------------------------------------------

    def finish_percentile(self, p: float) -> datetime:
        """The finish that ``p`` percent of the iterations meet (``p`` in 0..100; 80 -> P80).

        The smallest simulated finish with at least ``p`` percent of the iterations at or before
        it (no interpolation: always a date some iteration produced)."""
        values = self._finish_abs()
        return from_abs_minute(int(np.percentile(values, _check_percent(p), method="inverted_cdf")))

    def probability_finish_by(self, when: datetime) -> float:
        """Share of iterations finishing at or before ``when`` (naive local, like the engine)."""
        return float(np.mean(self._finish_abs() <= to_abs_minute(when)))

    def deterministic_percentile(self) -> float:
        """Share of iterations finishing by the deterministic (CPM) finish: "the plan has a 23%
        chance"."""
        return self.probability_finish_by(self.deterministic_finish)

    def finish_mean(self) -> datetime:
        """Mean finish: the mean in working minutes after the start, as a date (finish bias);
        the mean wall-clock instant when the result has no calendar."""
        if self.finish_minutes is not None and self.calendar is not None and self.project_start is not None:
            return self.finish_at(float(np.mean(self.finish_minutes)))
        return from_abs_minute(round(float(np.mean(self._finish_abs()))))

    def finish_at(self, working_minutes: float) -> datetime:
        """The date ``working_minutes`` after the project start on the default calendar (finish
        bias: Friday 17:00 rather than Monday 08:00). Turns drivers' outputs into dates."""
        if self.calendar is None or self.project_start is None:
            raise ValueError("this result has no calendar")
        start_a = to_abs_minute(self.project_start)
        moment = self.calendar.finish_of(self.calendar.w(start_a) + round(working_minutes))
        return from_abs_minute(max(moment, start_a))  # never the evening before the start

    def finish_histogram(self, bins: int = 30) -> list[tuple[datetime, datetime, int]]:
        """``bins`` equal wall-clock intervals from the earliest to the latest finish, with the
        number of iterations finishing in each (the last interval includes its end); one
        interval when every iteration finishes at the same minute."""
        values = self._finish_abs()
        if values.min() == values.max():
            return [(_minute_dt(values[0]), _minute_dt(values[0]), len(values))]
        counts, edges = np.histogram(values, bins=max(1, int(bins)), range=_range(values))
        return [(_minute_dt(edges[k]), _minute_dt(edges[k + 1]), int(count)) for k, count in enumerate(counts)]

    def finish_cdf(self, points: int = 50) -> list[tuple[datetime, float]]:
        """``points`` evenly spaced finishes from the earliest to the latest, with the share of
        iterations finishing by each."""
        values = np.sort(self._finish_abs())
        xs = np.unique(np.rint(np.linspace(values[0], values[-1], max(2, int(points)))).astype(np.int64))
        shares = np.searchsorted(values, xs, side="right") / len(values)
        return [(from_abs_minute(int(x)), float(s)) for x, s in zip(xs, shares, strict=True)]

    # -- cost -------------------------------------------------------------------------------

    def cost_percentile(self, p: float) -> Decimal:
        """The cost that ``p`` percent of the iterations stay within, rounded to cents."""
        return _money(np.percentile(self._costs(), _check_percent(p), method="inverted_cdf"))

    def probability_cost_within(self, amount: Decimal) -> float:
        """Share of iterations costing at most ``amount``."""
        return float(np.mean(self._costs() <= float(amount) + 1e-9))

    def cost_deterministic_percentile(self) -> float:
        """Share of iterations costing at most the deterministic (most likely) cost."""
        return self.probability_cost_within(self.deterministic_cost)

    def cost_mean(self) -> Decimal:
        return _money(float(np.mean(self._costs())))

    def cost_histogram(self, bins: int = 30) -> list[tuple[Decimal, Decimal, int]]:
        values = self._costs()
        if values.min() == values.max():
            return [(_money(values[0]), _money(values[0]), len(values))]
        counts, edges = np.histogram(values, bins=max(1, int(bins)), range=_range(values))
        return [(_money(edges[k]), _money(edges[k + 1]), int(count)) for k, count in enumerate(counts)]

    def cost_cdf(self, points: int = 50) -> list[tuple[Decimal, float]]:
        values = np.sort(self._costs())
        xs = np.unique(np.linspace(values[0], values[-1], max(2, int(points))))
        shares = np.searchsorted(values, xs + 1e-9, side="right") / len(values)
        return [(_money(x), float(s)) for x, s in zip(xs, shares, strict=True)]


def _range(values: np.ndarray) -> tuple[float, float]:
    low, high = float(values.min()), float(values.max())
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def _minute_dt(value: float) -> datetime:
    return from_abs_minute(round(float(value)))


# -- validation ----------------------------------------------------------------------------------


def _check_three_point(what: str, low: float, likely: float, high: float, distribution: str) -> None:
    if distribution not in DISTRIBUTIONS:
        choices = ", ".join(DISTRIBUTIONS)
        raise ScheduleInputError(f"{what}: unknown distribution {distribution!r} (use one of {choices})")
    values = (float(low), float(likely), float(high))
    if not all(math.isfinite(v) for v in values):
        raise ScheduleInputError(f"{what}: low, likely and high must be finite numbers")
    if not values[0] <= values[1] <= values[2]:
        low_, likely_, high_ = values
        raise ScheduleInputError(f"{what}: needs low <= likely <= high, got {low_:g} / {likely_:g} / {high_:g}")


def _validate(data: SimulationInput, index: Mapping[TaskId, int]) -> None:
    if isinstance(data.iterations, bool) or not isinstance(data.iterations, int):
        raise ScheduleInputError("iterations must be a whole number")
    if not ITERATIONS_MIN <= data.iterations <= ITERATIONS_MAX:
        raise ScheduleInputError(f"iterations must be within {ITERATIONS_MIN}-{ITERATIONS_MAX}, got {data.iterations}")
    if isinstance(data.seed, bool) or not isinstance(data.seed, int) or data.seed < 0:
        raise ScheduleInputError("seed must be a whole number >= 0")
    for task_id, estimate in data.durations.items():
        if task_id not in index:
            raise ScheduleInputError(f"Duration range for unknown task {task_id!r}")
        _check_three_point(f"Task {task_id!r}", estimate.low, estimate.likely, estimate.high, estimate.distribution)
        if estimate.low < 0:
            raise ScheduleInputError(f"Task {task_id!r}: a duration must not be negative")
    for group in data.correlations:
        if not 0 <= float(group.coefficient) <= 1:
            raise ScheduleInputError(f"Correlation coefficient must be within 0-1, got {group.coefficient}")
        for task_id in group.task_ids:
            if task_id not in index:
                raise ScheduleInputError(f"Correlation group names unknown task {task_id!r}")
    keys: set[str] = set()
    for item in data.costs:
        _check_three_point(f"Cost {item.label or item.key}", item.low, item.likely, item.high, item.distribution)
        if item.key in keys:
            raise ScheduleInputError(f"Cost item {item.key!r} appears more than once")
        keys.add(item.key)
    for risk in data.risks:
        if not 0 <= float(risk.probability) <= 1:
            name = risk.label or risk.key
            raise ScheduleInputError(f"Risk {name}: probability must be within 0-1, got {risk.probability}")
        for task_id, minutes in risk.task_impacts.items():
            if task_id not in index:
                raise ScheduleInputError(f"Risk {risk.label or risk.key} names unknown task {task_id!r}")
            if minutes < 0:
                raise ScheduleInputError(f"Risk {risk.label or risk.key}: a schedule impact must not be negative")
        if risk.key in keys:
            raise ScheduleInputError(f"Risk {risk.key!r} appears more than once")
        keys.add(risk.key)


# -- the simulation ------------------------------------------------------------------------------


def likely_tasks(data: SimulationInput) -> list[TaskIn]:
    """The tasks with every ranged duration at its most likely value (whole minutes)."""
    tasks = list(data.tasks)
    for k, task in enumerate(tasks):
        estimate = data.durations.get(task.id)
        if estimate is not None:
            tasks[k] = replace(task, duration_minutes=round(estimate.likely))
    return tasks


def simulate(data: SimulationInput, *, progress: Callable[[int, int], object] | None = None) -> SimulationResult:
    """Run the simulation. `progress(done, total)` is called after every chunk of iterations.
    Raises projects.scheduling.ScheduleInputError for bad input (a low above its high, an
    unknown distribution, a probability outside 0..1, iterations outside 100..100000) and
    ScheduleCycleError for a dependency cycle, as the engine does."""
    index = {task.id: i for i, task in enumerate(data.tasks)}
    _validate(data, index)
    tasks = likely_tasks(data)
    engine = _Engine(data, tasks) if _needs_engine(data) else None
    if engine is not None and len(tasks) * data.iterations > ENGINE_TASK_ITERATIONS_MAX:
        most = max(ENGINE_TASK_ITERATIONS_MAX // len(tasks), 0)
        raise ScheduleInputError(
            f"Under Primavera P6's rules every iteration is a full schedule of the network: {len(tasks):,} tasks "
            f"x {data.iterations:,} iterations is more than an analysis runs. Run at most {most:,} iterations."
        )
    if engine is None:
        deterministic_finish = schedule(
            tasks,
            data.links,
            calendars=data.calendars,
            default_calendar_id=data.default_calendar_id,
            project_start=data.project_start,
            status_date=data.status_date,
            options=data.options,
        ).project_finish
    else:
        deterministic_finish = engine.finish(engine.run(tasks))
    plan = vector.build_plan(
        tasks,
        data.links,
        data.calendars,
        data.default_calendar_id,
        data.project_start,
        data.status_date,
        data.options,
    )
    net = plan.net
    fixed = [net.is_summary[i] or plan.manual[i] or plan.finished[i] for i in range(len(tasks))]
    if engine is not None:  # P6: level of effort and WBS summaries span other activities
        fixed = [f or engine.spans[i] for i, f in enumerate(fixed)]
    ranged = [(index[tid], est) for tid, est in data.durations.items() if not fixed[index[tid]]]
    ranged.sort(key=lambda pair: pair[0])
    columns = np.array([i for i, _ in ranged], dtype=np.int64)
    column_of = {int(i): j for j, i in enumerate(columns)}
    d_low = np.array([float(e.low) for _, e in ranged])
    d_likely = np.array([float(e.likely) for _, e in ranged])
    d_high = np.array([float(e.high) for _, e in ranged])
    d_dist = [e.distribution for _, e in ranged]
    groups = []
    for group in data.correlations:
        cols = [column_of[index[tid]] for tid in group.task_ids if index[tid] in column_of]
        groups.append((cols, float(group.coefficient)))
    c_low = np.array([float(c.low) for c in data.costs])
    c_likely = np.array([float(c.likely) for c in data.costs])
    c_high = np.array([float(c.high) for c in data.costs])
    c_dist = [c.distribution for c in data.costs]
    probabilities = np.array([float(r.probability) for r in data.risks])
    impact = np.zeros((len(data.risks), len(tasks)), dtype=np.int64)
    for k, risk in enumerate(data.risks):
        for tid, minutes in risk.task_impacts.items():
            if not fixed[index[tid]]:
                impact[k, index[tid]] += int(minutes)
    risk_cost = np.array([float(r.cost_impact) for r in data.risks])
    in_progress = np.array([plan.started[i] and not plan.finished[i] for i in range(len(tasks))])
    # The engine path: the tasks whose duration an iteration may change.
    varying = sorted(set(columns.tolist()) | {int(k) for k in np.flatnonzero(impact.any(axis=0))})

    total = data.iterations
    rng = np.random.Generator(np.random.PCG64(data.seed))
    finish_a = np.empty(total, dtype=np.int64)
    costs = np.full(total, float(data.fixed_cost))
    critical_count = np.zeros(len(tasks), dtype=np.int64)
    kept = min(total, DRIVER_SAMPLE)
    drawn = np.empty((kept, len(ranged)), dtype=np.float32)
    occurred = np.empty((kept, len(data.risks)), dtype=bool)
    cost_drawn = np.empty((kept, len(data.costs)), dtype=np.float64)
    chunk = max(100, min(CHUNK, 1_000_000 // max(1, len(tasks))))
    done = 0
    while done < total:
        n = min(chunk, total - done)
        durations = np.rint(sampling.draw_three_point(rng, n, d_low, d_likely, d_high, d_dist))
        if groups:
            sampling.correlate(rng, durations, groups)
        item_costs = sampling.draw_three_point(rng, n, c_low, c_likely, c_high, c_dist)
        hits = rng.random((n, len(data.risks))) < probabilities
        span = np.repeat(plan.span0[None, :], n, axis=0)
        if len(columns):
            span[:, columns] = durations.astype(np.int64) + plan.split[columns]
        remaining = vector.base_remaining(plan, span)
        if len(data.risks):
            extra = hits.astype(np.int64) @ impact
            span += extra
            remaining += extra * in_progress
            costs[done : done + n] += hits @ risk_cost
        if len(data.costs):
            costs[done : done + n] += item_costs.sum(axis=1)
        if engine is None:
            passes = vector.run_passes(plan, span, remaining)
            finish_a[done : done + n] = passes.finish_a
            critical_count += passes.critical.sum(axis=0)
        else:
            for r in range(n):
                row = list(tasks)
                for k in varying:
                    changed = {"duration_minutes": int(span[r, k] - plan.split[k])}
                    if in_progress[k]:
                        changed["remaining_minutes"] = int(remaining[r, k])
                    row[k] = replace(tasks[k], **changed)
                outputs = engine.run(row)
                finish_a[done + r] = to_abs_minute(engine.finish(outputs))
                critical_count += engine.critical(outputs)
        if done < kept:
            keep = min(n, kept - done)
            drawn[done : done + keep] = durations[:keep]
            occurred[done : done + keep] = hits[:keep]
            cost_drawn[done : done + keep] = item_costs[:keep]
        done += n
        if progress is not None:
            progress(done, total)

    default = plan.default
    start_w = default.cal.w(plan.ps_a)
    finish_minutes = default.w(finish_a) - start_w
    risk_labels = [(r.key, r.label, "risk") for r in data.risks]
    finish_drivers = _drivers(
        [
            ([(f"task:{tasks[i].id}", tasks[i].name or str(tasks[i].id), "task") for i in columns], drawn, None),
            (risk_labels, occurred, [bool(impact[k].any()) for k in range(len(data.risks))]),
        ],
        finish_minutes[:kept].astype(np.float64),
    )
    cost_drivers = _drivers(
        [
            ([(c.key, c.label, "cost") for c in data.costs], cost_drawn, None),
            (risk_labels, occurred, [bool(r.cost_impact) for r in data.risks]),
        ],
        costs[:kept],
    )
    likely_cost = sum((Decimal(c.likely) for c in data.costs), Decimal(data.fixed_cost))
    return SimulationResult(
        iterations=total,
        seed=data.seed,
        engine_version=ENGINE_VERSION,
        deterministic_finish=deterministic_finish,
        deterministic_cost=likely_cost.quantize(_CENT, rounding=ROUND_HALF_UP),
        finishes=(finish_a - _EPOCH_MINUTE).astype("datetime64[m]"),
        costs=costs,
        criticality={task.id: float(critical_count[i]) / total for i, task in enumerate(tasks)},
        finish_drivers=finish_drivers,
        cost_drivers=cost_drivers,
        finish_minutes=finish_minutes,
        calendar=default.cal,
        project_start=data.project_start,
    )


# -- iterations through the CPM engine -------------------------------------------------------------


def _needs_engine(data: SimulationInput) -> bool:
    """Whether the iterations go through the CPM engine: the numpy passes follow Microsoft
    Project's rules under one set of options only."""
    if data.parts:
        return True
    return data.options is not None and data.options.p6 is not None


class _Engine:
    """Schedules an iteration with :func:`projects.scheduling.schedule`, part by part."""

    def __init__(self, data: SimulationInput, tasks: Sequence[TaskIn]) -> None:
        self.data = data
        self.ids = [task.id for task in tasks]
        parts = list(data.parts) or [SchedulePart(tuple(self.ids), data.options)]
        index = {tid: i for i, tid in enumerate(self.ids)}
        part_of: dict[TaskId, int] = {}
        for k, part in enumerate(parts):
            for tid in part.task_ids:
                if tid not in index:
                    raise ScheduleInputError(f"Schedule part names unknown task {tid!r}")
                if tid in part_of:
                    raise ScheduleInputError(f"Task {tid!r} is in more than one schedule part")
                part_of[tid] = k
        missing = [tid for tid in self.ids if tid not in part_of]
        if missing:
            raise ScheduleInputError(f"Task {missing[0]!r} is in no schedule part")
        links: list[list[LinkIn]] = [[] for _ in parts]
        for link in data.links:
            a, b = part_of.get(link.predecessor_id), part_of.get(link.successor_id)
            if a is not None and b is not None and a != b:
                raise ScheduleInputError(
                    f"The link from {link.predecessor_id!r} to {link.successor_id!r} joins two schedule parts"
                )
            if b is not None:
                links[b].append(link)
        self.parts = [
            ([index[tid] for tid in part.task_ids], links[k], part.options)
            for k, part in enumerate(parts)
            if part.task_ids
        ]
        # P6's level-of-effort and WBS-summary activities: their dates span other activities'.
        spans = [False] * len(self.ids)
        for positions, _, options in self.parts:
            if options is not None and options.p6 is not None:
                for i in positions:
                    spans[i] = tasks[i].activity_type in (ActivityType.LOE, ActivityType.WBS_SUMMARY)
        self.spans = spans

    def run(self, tasks: Sequence[TaskIn]) -> list[ScheduleResult]:
        data = self.data
        return [
            schedule(
                [tasks[i] for i in positions],
                links,
                calendars=data.calendars,
                default_calendar_id=data.default_calendar_id,
                project_start=data.project_start,
                status_date=data.status_date,
                options=options,
            )
            for positions, links, options in self.parts
        ]

    @staticmethod
    def finish(results: Sequence[ScheduleResult]) -> datetime:
        return max(result.project_finish for result in results)

    def critical(self, results: Sequence[ScheduleResult]) -> np.ndarray:
        flags = np.zeros(len(self.ids), dtype=np.int64)
        for (positions, _, _), result in zip(self.parts, results, strict=True):
            for i in positions:
                flags[i] = result.tasks[self.ids[i]].is_critical
        return flags


def _drivers(
    sources: Sequence[tuple[Sequence[tuple[str, str, str]], np.ndarray, Sequence[bool] | None]], output: np.ndarray
) -> list[Driver]:
    """The inputs that move ``output`` most (by |Spearman|), at most :data:`DRIVERS_TOP`.

    ``sources``: (labels, iterations x inputs matrix, which columns to consider or None for all).
    Inputs that never vary are left out."""
    found: list[tuple[float, int, Driver]] = []
    if len(output) < 2:
        return []
    order = 0
    for labels, matrix, keep in sources:
        if not matrix.shape[1]:
            continue
        varies = matrix.max(axis=0) > matrix.min(axis=0)
        if keep is not None:
            varies &= np.asarray(keep, dtype=bool)
        cols = np.flatnonzero(varies)
        if not len(cols):
            order += matrix.shape[1]
            continue
        block = matrix if len(cols) == matrix.shape[1] else matrix[:, cols]
        if block.dtype == bool:
            block = block.astype(np.float32)
        corr, low, high = stats.rank_drivers(block, output)
        for j, col in enumerate(cols):
            key, label, kind = labels[col]
            driver = Driver(key, label, kind, float(corr[j]), float(low[j]), float(high[j]))
            found.append((-abs(driver.correlation), order + int(col), driver))
        order += matrix.shape[1]
    found.sort(key=lambda item: (item[0], item[1]))
    return [driver for *_, driver in found[:DRIVERS_TOP]]


__all__ = [
    "CHUNK",
    "DISTRIBUTIONS",
    "DRIVERS_TOP",
    "DRIVER_SAMPLE",
    "ENGINE_TASK_ITERATIONS_MAX",
    "ENGINE_VERSION",
    "ITERATIONS_MAX",
    "ITERATIONS_MIN",
    "CorrelatedGroup",
    "CostItem",
    "Driver",
    "RiskEvent",
    "SchedulePart",
    "SimulationInput",
    "SimulationResult",
    "ThreePoint",
    "likely_tasks",
    "simulate",
]
