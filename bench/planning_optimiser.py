"""The portfolio optimiser on a large synthetic portfolio: 2,000 candidates x 12 start months.

    .venv/bin/python bench/planning_optimiser.py [--candidates 2000] [--starts 12] [--time-limit 60]
        [--workers N] [--seed 1] [--no-explain]

Builds a deterministic portfolio (a three-fiscal-year horizon of 36 months; projects of 4-24
months whose cost is spread over the months as a ramp-up, plateau and ramp-down; 2-4 of 6 roles
per project; budget caps near half of what every project would spend in each year and role
capacities near half of the demand, so the limits bind; about 5 % of projects require another,
80 exclusive pairs, 2 % mandatory) and runs `planning.optimiser.optimise` with the time limit.
Prints the time to build and solve, CP-SAT's status, the objective, its bound and the gap, how
many projects were chosen and shifted, and the time the explanations took. Needs no database.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planning.optimiser import Candidate, Limits, optimise
from planning.optimiser.prepared import prepare
from planning.optimiser.solver import build_model

ROLES = ("Developer", "Tester", "Architect", "Analyst", "Project manager", "Designer")
HORIZON = 36
FISCAL_YEARS = ("FY2027", "FY2028", "FY2029")


def monthly_spread(total: int, months: int) -> list[int]:
    """A ramp-up, plateau and ramp-down curve over `months` summing (about) to `total`."""
    ramp = max(1, months // 4)
    weights = [min(m + 1, ramp, months - m) for m in range(months)]
    scale = total / sum(weights)
    return [round(w * scale) for w in weights]


def portfolio(n: int, n_starts: int, seed: int) -> tuple[list[Candidate], Limits]:
    rng = random.Random(seed)
    month_fy = tuple(FISCAL_YEARS[m // 12] for m in range(HORIZON))
    labels = tuple(f"{2027 + m // 12}-{m % 12 + 1:02d}" for m in range(HORIZON))
    candidates: list[Candidate] = []
    spend = dict.fromkeys(FISCAL_YEARS, 0)
    need = {role: [0.0] * HORIZON for role in ROLES}
    groups = 0
    for i in range(n):
        duration = rng.randint(4, 24)
        total = rng.randint(200, 5000) * 1000  # EUR 0.2M - 5M
        cost = monthly_spread(total, duration)
        roles = rng.sample(ROLES, rng.randint(2, 4))
        demand = {}
        for role in roles:
            fte = rng.choice([0.5, 1, 1, 2, 2, 3, 4])
            demand[role] = tuple(Decimal(str(fte)) for _ in range(duration))
        current = rng.randrange(n_starts)
        mandatory = rng.random() < 0.02
        starts = (current,) if mandatory and rng.random() < 0.5 else tuple(range(n_starts))
        requires = ()
        if candidates and rng.random() < 0.05:
            requires = (rng.choice(candidates[-50:]).key,)
        exclusive = None
        if candidates and groups < 80 and rng.random() < 0.05 and candidates[-1].exclusive is None:
            exclusive = f"option {groups}"
            groups += 1
            previous = candidates[-1]
            candidates[-1] = dataclasses.replace(previous, exclusive=exclusive)
        # value loosely follows cost (bigger projects are worth more), with strategic noise
        value = Decimal(round(total / 1e6 * rng.uniform(5, 25) + rng.uniform(0, 20), 1)).quantize(Decimal("0.1"))
        candidates.append(
            Candidate(
                key=f"P{i}",
                label=f"Project {i}",
                value=value,
                cost=tuple(Decimal(c) for c in cost),
                demand=demand,
                starts=starts,
                current_start=current,
                mandatory=mandatory,
                requires=requires,
                exclusive=exclusive,
            )
        )
        for offset, amount in enumerate(cost):
            if current + offset < HORIZON:
                spend[month_fy[current + offset]] += amount
                for role, amounts in demand.items():
                    need[role][current + offset] += float(amounts[offset])
    limits = Limits(
        month_fiscal_year=month_fy,
        budget_cap={fy: Decimal(round(spend[fy] * 0.5, -3)) for fy in FISCAL_YEARS},
        capacity={role: tuple(Decimal(round(max(need[role]) * 0.45)) for _ in range(HORIZON)) for role in ROLES},
        month_labels=labels,
    )
    return candidates, limits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--starts", type=int, default=12)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=None, help="CP-SAT workers (default: the machine's cores)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-explain", action="store_true", help="skip the reasons and binding constraints")
    args = parser.parse_args()

    candidates, limits = portfolio(args.candidates, args.starts, args.seed)
    prep = prepare(candidates, limits)
    started = time.perf_counter()
    model, _ = build_model(prep)
    build_seconds = time.perf_counter() - started
    proto = model.proto
    terms = sum(len(c.linear.vars) for c in proto.constraints)
    print(
        f"{len(candidates)} candidates x {args.starts} starts: {len(proto.variables)} booleans, "
        f"{len(proto.constraints)} constraints, {terms:,} linear terms; model built in {build_seconds:.1f} s "
        f"({os.cpu_count()} cores, {args.workers or 'default'} workers)"
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    explain = not args.no_explain
    limit = args.time_limit
    plan = optimise(candidates, limits, time_limit_s=limit, seed=args.seed, workers=args.workers, explain=explain)
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    gap = (plan.bound - plan.value) / plan.bound * 100 if plan.bound else Decimal(0)
    print(
        f"status: {plan.status}   optimise(): {total:.1f} s wall, {cpu:.1f} s CPU of this process "
        f"(time limit {args.time_limit:g} s)"
    )
    print("phases (wall s): " + ", ".join(f"{phase} {seconds:.1f}" for phase, seconds in plan.timings.items()))
    print(f"objective: {plan.value}   bound: {plan.bound}   gap: {gap:.3f} %   CP-SAT: {plan.solver_status}")
    print(
        f"chosen: {len(plan.starts)} of {len(candidates)}; shifted: {len(plan.shifted)}; "
        f"mandatory: {sum(c.mandatory for c in candidates)}"
    )
    if not args.no_explain:
        kinds: dict[str, int] = {}
        for reason in plan.excluded.values():
            head = reason.split(",")[0].split(" (")[0][:40]
            kinds[head] = kinds.get(head, 0) + 1
        binding = sum(not b.near for b in plan.binding)
        print(
            f"explained (in the time above): {len(plan.excluded)} reasons, {binding} binding constraints "
            f"and {len(plan.binding) - binding} near-binding"
        )
        for head, count in sorted(kinds.items(), key=lambda kv: -kv[1])[:6]:
            print(f"  {count:5d}  {head}...")


if __name__ == "__main__":
    main()
