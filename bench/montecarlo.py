"""Benchmark of the Monte Carlo engine against repeated CPM runs.

Run from the repository root::

    .venv/bin/python bench/montecarlo.py [--tasks 1000] [--iterations 10000] [--cpm-runs 50] [--p6]

Builds a deterministic random DAG (``--tasks`` tasks, about 1.5 links per task mixing FS/SS/FF/SF
with zero, positive and negative lags, 5 % milestones, one standard calendar with holidays),
gives every task a three-point estimate (triangular, PERT and uniform mixed), one correlation
group, three cost items and five risk events, and times :func:`simulate` (criticality and
tornado included). It then times the CPM engine ``schedule`` ``--cpm-runs`` times on the same
network, extrapolates that to the same number of iterations, and prints the ratio, by wall-clock
and by CPU time (the CPU ratio is the steadier one on a shared machine). Every figure is measured
in this one run.

``--p6`` schedules the same network under Primavera P6's rules (a data date a month after the
start, the 24-hour lag calendar): the simulation then schedules every iteration with the CPM
engine itself (the numpy passes follow Microsoft Project's rules only), so expect a ratio near 1;
use fewer iterations.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from projects.scheduling import (
    LagCalendar,
    LinkIn,
    LinkType,
    P6Options,
    ScheduleOptions,
    TaskIn,
    WorkCalendar,
    schedule,
)
from projects.scheduling.montecarlo import (
    CorrelatedGroup,
    CostItem,
    RiskEvent,
    SimulationInput,
    ThreePoint,
    simulate,
)

START = datetime(2024, 1, 8, 8)
DAY = 480


def make_input(n_tasks: int, iterations: int, seed: int = 7) -> SimulationInput:
    rnd = random.Random(seed)
    holidays = [date(2024, 12, 25), date(2025, 1, 1), date(2025, 12, 25), date(2026, 1, 1)]
    calendar = WorkCalendar.standard(holidays=holidays)
    tasks, durations = [], {}
    kinds = ("triangular", "pert", "uniform")
    for i in range(n_tasks):
        milestone = rnd.random() < 0.05
        likely = 0 if milestone else rnd.randint(1, 10) * DAY
        tasks.append(TaskIn(i, f"Task {i}", duration_minutes=likely, is_milestone=milestone))
        if likely:
            durations[i] = ThreePoint(likely * 0.8, likely, likely * 1.6, kinds[i % 3])
    links = []
    types = (LinkType.FS, LinkType.FS, LinkType.FS, LinkType.SS, LinkType.FF, LinkType.SF)
    for j in range(1, n_tasks):
        count = 1 if rnd.random() < 0.5 else 2
        for p in {rnd.randrange(max(0, j - 50), j) for _ in range(count)}:
            kind = rnd.choice(types)
            lag = rnd.choice((0, 0, 0, DAY, 2 * DAY, -DAY // 2))
            links.append(LinkIn(p, j, kind, lag_minutes=lag))
    group = CorrelatedGroup(tuple(range(0, n_tasks, 20)), 0.6)
    costs = [
        CostItem(f"category:{code}", code, Decimal(low), Decimal(likely), Decimal(high))
        for code, low, likely, high in (("LAB", 900_000, 1_000_000, 1_400_000), ("MAT", 200_000, 250_000, 400_000))
    ] + [CostItem("category:SUB", "SUB", Decimal(50_000), Decimal(60_000), Decimal(90_000), "pert")]
    risks = [
        RiskEvent(
            f"risk:R-{k}",
            f"Risk {k}",
            0.1 + 0.15 * k,
            {rnd.randrange(n_tasks): 5 * DAY},
            Decimal(10_000 * (k + 1)),
        )
        for k in range(5)
    ]
    return SimulationInput(
        tasks=tasks,
        links=links,
        calendars={"std": calendar},
        default_calendar_id="std",
        project_start=START,
        durations=durations,
        correlations=[group],
        costs=costs,
        fixed_cost=Decimal(100_000),
        risks=risks,
        iterations=iterations,
        seed=1,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--cpm-runs", type=int, default=50)
    parser.add_argument("--p6", action="store_true", help="schedule under Primavera P6's rules")
    args = parser.parse_args()
    data = make_input(args.tasks, args.iterations)
    if args.p6:
        p6 = P6Options(data_date=datetime(2024, 2, 8), lag_calendar=LagCalendar.HOURS_24)
        data = replace(data, options=ScheduleOptions(p6=p6))
    print(f"dialect: {'Primavera P6' if args.p6 else 'Microsoft Project'}")
    print(f"network: {len(data.tasks)} tasks, {len(data.links)} links ({len(data.links) / len(data.tasks):.2f}/task)")

    began, cpu = time.perf_counter(), time.process_time()
    result = simulate(data)
    mc_wall, mc_cpu = time.perf_counter() - began, time.process_time() - cpu
    print(
        f"simulate: {args.iterations} iterations in {mc_wall:.2f} s wall, {mc_cpu:.2f} s CPU "
        f"({1e6 * mc_wall / args.iterations:.0f} us per iteration)"
    )
    print(
        f"  deterministic {result.deterministic_finish:%Y-%m-%d %H:%M}, P50 {result.finish_percentile(50):%Y-%m-%d}, "
        f"P80 {result.finish_percentile(80):%Y-%m-%d}, plan's chance {result.deterministic_percentile():.0%}; "
        f"cost P80 {result.cost_percentile(80)}"
    )

    kwargs = {
        "calendars": data.calendars,
        "default_calendar_id": "std",
        "project_start": START,
        "options": data.options,
    }
    schedule(data.tasks, data.links, **kwargs)  # warm the calendar memo as the simulation had
    began, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.cpm_runs):
        schedule(data.tasks, data.links, **kwargs)
    cpm_each = (time.perf_counter() - began) / args.cpm_runs
    cpm_cpu_each = (time.process_time() - cpu) / args.cpm_runs
    cpm_total, cpm_cpu_total = cpm_each * args.iterations, cpm_cpu_each * args.iterations
    print(
        f"CPM schedule(): {1000 * cpm_each:.1f} ms wall, {1000 * cpm_cpu_each:.1f} ms CPU per run (mean of "
        f"{args.cpm_runs}); x{args.iterations} = {cpm_total:.1f} s wall, {cpm_cpu_total:.1f} s CPU extrapolated"
    )
    ratio_cpu = mc_cpu / cpm_cpu_total
    speed = f"{1 / ratio_cpu:.0f}x faster" if ratio_cpu < 1 else f"{ratio_cpu:.1f}x slower"
    print(
        f"ratio simulate / {args.iterations} CPM runs: {mc_wall / cpm_total:.3f} wall, "
        f"{ratio_cpu:.3f} CPU ({speed} by CPU time)"
    )


if __name__ == "__main__":
    main()
