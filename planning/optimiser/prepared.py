"""Validated, integer-scaled input shared by the solver and the explanations.

Scaling: money is counted in cents and FTE in hundredths of an FTE, so CP-SAT sees integers.
Amounts a candidate uses are rounded up to the unit and caps rounded down, so a plan that meets
the scaled constraints meets the Decimal ones too (inputs with at most two decimals are exact).
Values (scores) are scaled by 10**d, d the largest number of decimals among them (at most 6;
finer values are rounded half-even to 6 decimals).

Cost or demand falling past the horizon's last month is dropped: it is not constrained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from planning.optimiser.model import Candidate, Limits

MONEY_UNIT = Decimal("0.01")  # cents
FTE_UNIT = Decimal("0.01")  # hundredths of an FTE
MAX_VALUE_DECIMALS = 6


def to_units(amount: Decimal, unit: Decimal, *, up: bool) -> int:
    """`amount` as a whole number of `unit`s, rounded up (a use) or down (a cap)."""
    return int((Decimal(amount) / unit).to_integral_value(ROUND_CEILING if up else ROUND_FLOOR))


@dataclass
class Prepared:
    """The candidates and limits as the solver sees them (indexes, integers)."""

    candidates: list[Candidate]
    limits: Limits
    horizon: int
    index: dict[str, int]
    value_scale: int
    values: list[int]
    # cost_by_fy[i][s] = {fiscal year: cents} of candidate i started in month s (inside the horizon)
    cost_by_fy: list[dict[int, dict[str, int]]]
    # demand_at[i][s] = {(role, month): hundredths} of candidate i started in month s (capped roles only)
    demand_at: list[dict[int, dict[tuple[str, int], int]]]
    budget_cap: dict[str, int]  # capped fiscal years present in the horizon -> cents
    capacity: dict[str, list[int]]  # capped role -> hundredths per month

    def month_label(self, month: int) -> str:
        labels = self.limits.month_labels
        return labels[month] if month < len(labels) else f"month {month}"


def _fail(candidate: Candidate | None, field: str, message: str) -> ValueError:
    who = f"candidate {candidate.key!r}" if candidate is not None else "limits"
    return ValueError(f"{who}: {field}: {message}")


def _check_amounts(candidate: Candidate, field: str, amounts: Sequence[Decimal]) -> None:
    for position, amount in enumerate(amounts):
        if not isinstance(amount, Decimal | int) or not Decimal(amount).is_finite() or amount < 0:
            raise _fail(candidate, f"{field}[{position}]", f"must be a finite amount >= 0, got {amount!r}")


def _value_decimals(values: Sequence[Decimal]) -> int:
    decimals = 0
    for value in values:
        exponent = Decimal(value).normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            decimals = max(decimals, -exponent)
    return min(decimals, MAX_VALUE_DECIMALS)


def _check_acyclic(candidates: Sequence[Candidate]) -> None:
    requires = {c.key: c.requires for c in candidates}
    by_key = {c.key: c for c in candidates}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    for root in requires:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        state[root] = 1
        while stack:
            key, position = stack[-1]
            if position < len(requires[key]):
                stack[-1] = (key, position + 1)
                nxt = requires[key][position]
                if state.get(nxt) == 1:
                    cycle = [*path[path.index(nxt) :], nxt]
                    raise _fail(by_key[key], "requires", f"cyclic dependency {' -> '.join(cycle)}")
                if not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[key] = 2
                stack.pop()
                path.pop()


def prepare(candidates: Sequence[Candidate], limits: Limits) -> Prepared:
    """Validate the input (ValueError naming the candidate and field) and scale it to integers."""
    horizon = len(limits.month_fiscal_year)
    if horizon == 0:
        raise _fail(None, "month_fiscal_year", "the horizon has no months")
    if limits.month_labels and len(limits.month_labels) != horizon:
        raise _fail(None, "month_labels", f"has {len(limits.month_labels)} labels for {horizon} months")
    for fiscal_year, cap in limits.budget_cap.items():
        if not isinstance(cap, Decimal | int) or not Decimal(cap).is_finite() or cap < 0:
            raise _fail(None, f"budget_cap[{fiscal_year!r}]", f"must be a finite amount >= 0, got {cap!r}")
    for role, supply in limits.capacity.items():
        if len(supply) != horizon:
            raise _fail(None, f"capacity[{role!r}]", f"has {len(supply)} months for a horizon of {horizon}")
        for month, fte in enumerate(supply):
            if not isinstance(fte, Decimal | int) or not Decimal(fte).is_finite() or fte < 0:
                raise _fail(None, f"capacity[{role!r}][{month}]", f"must be a finite FTE >= 0, got {fte!r}")

    index: dict[str, int] = {}
    for position, candidate in enumerate(candidates):
        if not candidate.key:
            raise ValueError(f"candidate #{position}: key: must not be empty")
        if candidate.key in index:
            raise _fail(candidate, "key", "appears twice")
        index[candidate.key] = position
    for candidate in candidates:
        value = candidate.value
        if not isinstance(value, Decimal | int) or not Decimal(value).is_finite() or value < 0:
            raise _fail(candidate, "value", f"must be a finite score >= 0, got {value!r}")
        _check_amounts(candidate, "cost", candidate.cost)
        for role, amounts in candidate.demand.items():
            _check_amounts(candidate, f"demand[{role!r}]", amounts)
        if not candidate.starts:
            raise _fail(candidate, "starts", "needs at least one allowed start month")
        if len(set(candidate.starts)) != len(candidate.starts):
            raise _fail(candidate, "starts", "lists a month twice")
        for start in candidate.starts:
            if not isinstance(start, int) or not 0 <= start < horizon:
                raise _fail(candidate, "starts", f"month {start!r} is outside the horizon 0..{horizon - 1}")
        if candidate.current_start is not None and not (
            isinstance(candidate.current_start, int) and 0 <= candidate.current_start < horizon
        ):
            raise _fail(candidate, "current_start", f"month {candidate.current_start!r} is outside the horizon")
        for required in candidate.requires:
            if required == candidate.key:
                raise _fail(candidate, "requires", "a candidate cannot require itself")
            if required not in index:
                raise _fail(candidate, "requires", f"unknown candidate key {required!r}")
    _check_acyclic(candidates)

    decimals = _value_decimals([c.value for c in candidates])
    value_scale = 10**decimals
    values = [int((Decimal(c.value) * value_scale).to_integral_value(ROUND_HALF_EVEN)) for c in candidates]
    if sum(values) >= 2**53:
        largest = max(range(len(candidates)), key=values.__getitem__)
        raise _fail(
            candidates[largest],
            "value",
            "the scores are too large (or too finely divided) to add up exactly; scale them down",
        )
    budget_cap = {
        fy: to_units(cap, MONEY_UNIT, up=False)
        for fy, cap in limits.budget_cap.items()
        if fy in limits.month_fiscal_year
    }
    capacity = {role: [to_units(f, FTE_UNIT, up=False) for f in supply] for role, supply in limits.capacity.items()}
    cost_by_fy: list[dict[int, dict[str, int]]] = []
    demand_at: list[dict[int, dict[tuple[str, int], int]]] = []
    for candidate in candidates:
        cents = [to_units(amount, MONEY_UNIT, up=True) for amount in candidate.cost]
        fte = {
            role: [to_units(amount, FTE_UNIT, up=True) for amount in amounts]
            for role, amounts in candidate.demand.items()
            if role in capacity
        }
        by_start: dict[int, dict[str, int]] = {}
        demand_by_start: dict[int, dict[tuple[str, int], int]] = {}
        for start in candidate.starts:
            per_fy: dict[str, int] = {}
            for offset, amount in enumerate(cents[: horizon - start]):
                if amount:
                    fiscal_year = limits.month_fiscal_year[start + offset]
                    per_fy[fiscal_year] = per_fy.get(fiscal_year, 0) + amount
            by_start[start] = per_fy
            uses: dict[tuple[str, int], int] = {}
            for role, amounts in fte.items():
                for offset, amount in enumerate(amounts[: horizon - start]):
                    if amount:
                        uses[(role, start + offset)] = amount
            demand_by_start[start] = uses
        cost_by_fy.append(by_start)
        demand_at.append(demand_by_start)
    return Prepared(
        candidates=list(candidates),
        limits=limits,
        horizon=horizon,
        index=index,
        value_scale=value_scale,
        values=values,
        cost_by_fy=cost_by_fy,
        demand_at=demand_at,
        budget_cap=budget_cap,
        capacity=capacity,
    )
