"""Monte Carlo schedule and cost risk analysis beside the CPM engine (CONTRACT — being built).

Pure Python with numpy, no Django, no ORM. Runs N seeded iterations of the same network the
CPM engine schedules (same calendars, link types, lags, constraints, progress), with durations
drawn from three-point estimates, correlated groups, cost ranges and risk events. An iteration
with every input at its most likely value and no risk event occurring gives exactly the dates
of :func:`projects.scheduling.schedule`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from projects.scheduling.calendar import WorkCalendar
from projects.scheduling.model import LinkIn, ScheduleOptions, TaskId, TaskIn

ENGINE_VERSION = "1.0"
DISTRIBUTIONS = ("triangular", "pert", "uniform")


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


@dataclass
class SimulationResult:
    iterations: int
    seed: int
    engine_version: str
    deterministic_finish: datetime  # the CPM finish with every input at its most likely
    deterministic_cost: Decimal
    finishes: Sequence[datetime]  # one per iteration (a numpy array is fine)
    costs: Sequence[float]  # one per iteration
    criticality: Mapping[TaskId, float]  # share of iterations in which the task was critical
    finish_drivers: Sequence[Driver]  # most influential first
    cost_drivers: Sequence[Driver]

    def finish_percentile(self, p: float) -> datetime:
        raise NotImplementedError

    def cost_percentile(self, p: float) -> Decimal:
        raise NotImplementedError

    def probability_finish_by(self, when: datetime) -> float:
        raise NotImplementedError

    def probability_cost_within(self, amount: Decimal) -> float:
        raise NotImplementedError


def simulate(data: SimulationInput, *, progress=None) -> SimulationResult:
    """Run the simulation. `progress(done, total)` is called now and then (for the progress bar).
    Raises projects.scheduling.ScheduleInputError for bad input (a low above its high, an
    unknown distribution, a probability outside 0..1)."""
    raise NotImplementedError
