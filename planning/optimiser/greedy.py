"""A greedy plan: a starting point (hint) for CP-SAT, and a fill pass after a time-limited solve.

Candidates go by score per unit of scarce resource (their cost in each capped fiscal year and
demand in each capped role-month, each as a share of that limit), mandatory ones first, each at
the first allowed start (today's start first, then the nearest) where it fits beside those
already placed and after what it requires. Both functions return valid plans (or, for the hint,
a partial one when the mandatory projects do not fit greedily; CP-SAT then repairs it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from planning.optimiser.prepared import Prepared


def _density(prep: Prepared, i: int) -> float:
    """Score per share of the limits the candidate uses at its cheapest start."""
    shares = []
    for s in prep.candidates[i].starts:
        share = sum(
            cents / max(prep.budget_cap[fy], 1) for fy, cents in prep.cost_by_fy[i][s].items() if fy in prep.budget_cap
        )
        share += sum(f / max(prep.capacity[role][month], 1) for (role, month), f in prep.demand_at[i][s].items())
        shares.append(share)
    return prep.values[i] / (min(shares) + 1e-9)


def _start_order(prep: Prepared, i: int) -> list[int]:
    candidate = prep.candidates[i]
    anchor = candidate.current_start if candidate.current_start is not None else min(candidate.starts)
    return sorted(candidate.starts, key=lambda s: (abs(s - anchor), s))


class _Ledger:
    """What the placed candidates use, and whether another one fits."""

    def __init__(self, prep: Prepared, starts: dict[str, int]):
        self.prep = prep
        self.spent: dict[str, int] = defaultdict(int)
        self.busy: dict[tuple[str, int], int] = defaultdict(int)
        self.groups: set[str] = set()
        self.starts: dict[str, int] = {}
        for key, start in starts.items():
            self.place(prep.index[key], start)

    def fits(self, i: int, start: int) -> bool:
        prep = self.prep
        candidate = prep.candidates[i]
        if candidate.exclusive is not None and candidate.exclusive in self.groups:
            return False
        if any(r not in self.starts or self.starts[r] > start for r in candidate.requires):
            return False
        for fiscal_year, cents in prep.cost_by_fy[i][start].items():
            if fiscal_year in prep.budget_cap and self.spent[fiscal_year] + cents > prep.budget_cap[fiscal_year]:
                return False
        return all(
            self.busy[slot] + fte <= prep.capacity[slot[0]][slot[1]] for slot, fte in prep.demand_at[i][start].items()
        )

    def place(self, i: int, start: int) -> None:
        prep = self.prep
        for fiscal_year, cents in prep.cost_by_fy[i][start].items():
            self.spent[fiscal_year] += cents
        for slot, fte in prep.demand_at[i][start].items():
            self.busy[slot] += fte
        if prep.candidates[i].exclusive is not None:
            self.groups.add(prep.candidates[i].exclusive)
        self.starts[prep.candidates[i].key] = start


def _fill(prep: Prepared, ledger: _Ledger, order: list[int], start_order: Callable | None = None) -> None:
    """Place every candidate of `order` that fits, at the first start of `start_order(prep, i)`
    that fits, repeating while a pass places one (a candidate may become placeable once what it
    requires is placed)."""
    start_order = start_order or _start_order
    pending = [i for i in order if prep.candidates[i].key not in ledger.starts]
    while pending:
        left = []
        for i in pending:
            start = next((s for s in start_order(prep, i) if ledger.fits(i, s)), None)
            if start is None:
                left.append(i)
            else:
                ledger.place(i, start)
        if len(left) == len(pending):
            return
        pending = left


def mandatory_closure(prep: Prepared) -> set[int]:
    """The mandatory candidates and, transitively, those they require."""
    mandatory = [i for i, c in enumerate(prep.candidates) if c.mandatory]
    closure, stack = set(mandatory), list(mandatory)
    while stack:
        for required in prep.candidates[stack.pop()].requires:
            j = prep.index[required]
            if j not in closure:
                closure.add(j)
                stack.append(j)
    return closure


def greedy_plan(prep: Prepared, relaxed: dict[int, dict[int, float]] | None = None) -> dict[str, int]:
    """Key -> start month of a greedy plan: the mandatory candidates (and what they require)
    first, then the others by density, or, given an LP relaxation's values (candidate -> start ->
    0..1), by their relaxed selection, preferring the starts the relaxation gives most weight."""
    ledger = _Ledger(prep, {})
    closure = mandatory_closure(prep)
    positive = [i for i in range(len(prep.candidates)) if prep.values[i] > 0]
    if relaxed is None:
        _fill(prep, ledger, sorted(closure, key=lambda i: min(prep.candidates[i].starts)))
        _fill(prep, ledger, sorted(positive, key=lambda i: -_density(prep, i)))
        return ledger.starts

    def by_weight(prep: Prepared, i: int) -> list[int]:
        nearest = _start_order(prep, i)
        return sorted(nearest, key=lambda s: -round(relaxed[i].get(s, 0.0), 6))

    _fill(prep, ledger, sorted(closure, key=lambda i: min(prep.candidates[i].starts)), by_weight)
    order = sorted(positive, key=lambda i: (-round(sum(relaxed[i].values()), 6), -prep.values[i]))
    _fill(prep, ledger, order, by_weight)
    return ledger.starts


def fill_plan(prep: Prepared, starts: dict[str, int]) -> dict[str, int]:
    """`starts` (a valid plan) with every further candidate with a positive score that still fits."""
    ledger = _Ledger(prep, starts)
    order = sorted(
        (i for i, c in enumerate(prep.candidates) if prep.values[i] > 0 and c.key not in starts),
        key=lambda i: -_density(prep, i),
    )
    _fill(prep, ledger, order)
    return ledger.starts
