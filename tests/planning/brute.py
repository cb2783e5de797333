"""An exhaustive reference for the optimiser: every assignment of "left out" or an allowed start
month to each candidate, checked in Decimals straight from the contract (no scaling, no CP-SAT),
with branch-and-bound pruning that never drops a better plan (amounts are >= 0, so a partial plan
over a cap stays over it; the bound is the value so far plus every remaining value)."""

import random
from decimal import Decimal

from planning.optimiser import Candidate, Limits


def plan_violations(candidates, limits, starts: dict[str, int]) -> list[str]:
    """Every constraint `starts` breaks (empty when the plan is valid)."""
    horizon = len(limits.month_fiscal_year)
    by_key = {c.key: c for c in candidates}
    broken = []
    spent: dict[str, Decimal] = {}
    busy: dict[tuple[str, int], Decimal] = {}
    for key, start in starts.items():
        candidate = by_key[key]
        if start not in candidate.starts:
            broken.append(f"{key} starts in {start}, not allowed")
        for offset, amount in enumerate(candidate.cost):
            if start + offset < horizon:
                year = limits.month_fiscal_year[start + offset]
                spent[year] = spent.get(year, Decimal(0)) + amount
        for role, amounts in candidate.demand.items():
            for offset, amount in enumerate(amounts):
                if start + offset < horizon:
                    busy[(role, start + offset)] = busy.get((role, start + offset), Decimal(0)) + amount
        for required in candidate.requires:
            if required not in starts or starts[required] > start:
                broken.append(f"{key} needs {required} started no later")
    for candidate in candidates:
        if candidate.mandatory and candidate.key not in starts:
            broken.append(f"{candidate.key} is mandatory")
    groups: dict[str, int] = {}
    for key in starts:
        if by_key[key].exclusive:
            groups[by_key[key].exclusive] = groups.get(by_key[key].exclusive, 0) + 1
    broken += [f"group {g} has {n}" for g, n in groups.items() if n > 1]
    broken += [f"{y} over" for y, amount in spent.items() if y in limits.budget_cap and amount > limits.budget_cap[y]]
    broken += [
        f"{r} {m} over" for (r, m), amount in busy.items() if r in limits.capacity and amount > limits.capacity[r][m]
    ]
    return broken


def brute_force_optimum(candidates, limits) -> Decimal | None:
    """The best total value over all valid plans, or None when no plan is valid."""
    horizon = len(limits.month_fiscal_year)
    best: list[Decimal | None] = [None]
    remaining = [sum((c.value for c in candidates[i:]), Decimal(0)) for i in range(len(candidates) + 1)]

    def fits(spent, busy):
        if any(y in limits.budget_cap and a > limits.budget_cap[y] for y, a in spent.items()):
            return False
        return not any(r in limits.capacity and a > limits.capacity[r][m] for (r, m), a in busy.items())

    def visit(i, starts, value, spent, busy, groups):
        if best[0] is not None and value + remaining[i] <= best[0]:
            return
        if i == len(candidates):
            if not plan_violations(candidates, limits, starts):
                best[0] = value
            return
        candidate = candidates[i]
        options = list(candidate.starts) if candidate.mandatory else [None, *candidate.starts]
        for start in options:
            if start is None:
                visit(i + 1, starts, value, spent, busy, groups)
                continue
            if candidate.exclusive and candidate.exclusive in groups:
                continue
            new_spent, new_busy = dict(spent), dict(busy)
            for offset, amount in enumerate(candidate.cost):
                if start + offset < horizon:
                    year = limits.month_fiscal_year[start + offset]
                    new_spent[year] = new_spent.get(year, Decimal(0)) + amount
            for role, amounts in candidate.demand.items():
                for offset, amount in enumerate(amounts):
                    if start + offset < horizon:
                        slot = (role, start + offset)
                        new_busy[slot] = new_busy.get(slot, Decimal(0)) + amount
            if not fits(new_spent, new_busy):
                continue
            new_groups = groups | ({candidate.exclusive} if candidate.exclusive else set())
            visit(i + 1, {**starts, candidate.key: start}, value + candidate.value, new_spent, new_busy, new_groups)

    visit(0, {}, Decimal(0), {}, {}, frozenset())
    return best[0]


def random_portfolio(seed: int, *, max_candidates: int = 10, max_starts: int = 4):
    """A small random portfolio: two fiscal years of three months, two capped roles, and some
    requires, exclusive groups and mandatory candidates."""
    rng = random.Random(seed)
    horizon = 6
    limits = Limits(
        month_fiscal_year=("FY1",) * 3 + ("FY2",) * 3,
        budget_cap={"FY1": Decimal(rng.randint(10, 40)), "FY2": Decimal(rng.randint(10, 40))},
        capacity={
            "Dev": tuple(Decimal(rng.randint(2, 6)) for _ in range(horizon)),
            "QA": tuple(Decimal(rng.randint(1, 3)) for _ in range(horizon)),
        },
    )
    candidates = []
    n = rng.randint(2, max_candidates)
    for i in range(n):
        keys = [c.key for c in candidates]
        requires = tuple(rng.sample(keys, 1)) if keys and rng.random() < 0.2 else ()
        demand = {"Dev": tuple(Decimal(rng.randint(0, 3)) for _ in range(rng.randint(1, 3)))}
        if rng.random() < 0.5:
            demand["QA"] = tuple(Decimal(rng.randint(0, 2)) for _ in range(rng.randint(1, 2)))
        candidates.append(
            Candidate(
                key=f"P{i}",
                label=f"Project {i}",
                value=Decimal(rng.randint(0, 200)) / 10,
                cost=tuple(Decimal(rng.randint(1, 20)) / 2 for _ in range(rng.randint(1, 4))),
                demand=demand,
                starts=tuple(sorted(rng.sample(range(horizon), rng.randint(1, max_starts)))),
                mandatory=rng.random() < 0.08,
                requires=requires,
                exclusive=rng.choice(["A", "B"]) if rng.random() < 0.3 else None,
            )
        )
    rng.shuffle(candidates)
    return candidates, limits
