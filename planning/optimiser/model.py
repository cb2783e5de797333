"""The optimiser's data contract: candidates, limits and the plan it returns.

Pure Python (no Django): the `scenarios` app builds `Candidate`s and `Limits` from the database
and reads the `Plan` back. Money and FTE are `Decimal` here; the solver scales them to integers
(money to cents, FTE to hundredths) internally.

Months are indexes 0..H-1 into the horizon, H = len(Limits.month_fiscal_year).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

STATUS_OPTIMAL = "optimal"
STATUS_FEASIBLE = "feasible"
STATUS_INFEASIBLE = "infeasible"
STATUS_NO_SOLUTION = "no-solution-in-time"

BINDING_BUDGET = "budget"
BINDING_CAPACITY = "capacity"
BINDING_MANDATORY = "mandatory"
BINDING_DEPENDENCY = "dependency"
BINDING_EXCLUSIVE = "exclusive"


@dataclass(frozen=True)
class Candidate:
    """One project the optimiser may select, with the start months it may take.

    `cost[i]` and `demand[role][i]` are the amounts in the i-th month after the start (index 0 =
    the start month). Amounts falling past the horizon's last month are not constrained.
    `requires` lists keys that must be selected too and start no later than this one;
    `exclusive` names a group of which at most one candidate is selected.
    """

    key: str
    label: str
    value: Decimal
    cost: tuple[Decimal, ...]
    demand: Mapping[str, tuple[Decimal, ...]]
    starts: tuple[int, ...]
    current_start: int | None = None
    mandatory: bool = False
    requires: tuple[str, ...] = ()
    exclusive: str | None = None


@dataclass(frozen=True)
class Limits:
    """The horizon and the caps: a budget per fiscal year and an FTE capacity per role and month.

    A fiscal year absent from `budget_cap`, or a role absent from `capacity`, is uncapped.
    `capacity[role]` has one entry per month of the horizon.
    """

    month_fiscal_year: tuple[str, ...]
    budget_cap: Mapping[str, Decimal] = field(default_factory=dict)
    capacity: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)
    month_labels: tuple[str, ...] = ()
    """Optional display label per month index ("2027-03"); month indexes are shown when empty."""
    currency: str = "€"
    """The symbol the explanations put before money amounts."""


@dataclass(frozen=True)
class Binding:
    """A constraint that the plan meets with (almost) no slack.

    `kind` is one of budget, capacity, mandatory, dependency, exclusive; `key` names it
    ("FY2027", "Developer 2027-03"). `near` is True when the slack is small but not zero.
    """

    kind: str
    key: str
    used: Decimal
    limit: Decimal
    slack: Decimal
    near: bool = False


@dataclass
class Plan:
    """The optimiser's answer.

    `starts` maps each selected key to its start month index; `excluded` maps every other key to a
    plain-English reason; `shifted` maps selected keys whose start differs from `current_start` to
    (current_start, new start). `infeasible_reason` is set when status is "infeasible".
    """

    status: str
    value: Decimal
    starts: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    shifted: dict[str, tuple[int, int]] = field(default_factory=dict)
    binding: list[Binding] = field(default_factory=list)
    infeasible_reason: str | None = None
    solve_seconds: float = 0.0
    bound: Decimal | None = None
    """An upper bound on the best value: the lower of CP-SAT's bound and the LP relaxation's
    (equal to `value` when optimal; None when neither is known)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Wall seconds per phase (build, relaxation, greedy, cp-sat, fill, explain), for benchmarks."""
    solver_status: str = ""
    """CP-SAT's own status name (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN): UNKNOWN with status
    "feasible" means the time ran out before CP-SAT improved on the greedy plan returned."""
