"""Benchmark of the Primavera P6 dialect: a 4,000-activity P6-style network in both dialects, and
MPXJ's PrimaveraScheduler on the same network in the same run.

Run from the repository root::

    .venv/bin/python bench/p6_schedule.py [--activities 4000] [--repeat 5] [--lag-calendar predecessor] [--no-mpxj]
        [--show-differences N]

The network is deterministic: activities in WBS branches of 40 under 10 top-level branches, on
three calendars (five-day with holidays, seven-day, four ten-hour days), 3 % milestones, one or
two predecessors within the previous 40 activities, 15 % of linked pairs joined by SS *and* FF,
FS/SS/FF/SF with zero, positive and negative lags counted in the lag calendar the option names.
It is then updated as a planner would: a data date (an instant, Monday 00:00) a fifth of the way
through the plan, work planned before it complete, work across it in progress, and a few
activities after it started out of sequence.

MPXJ builds the same network from the same description (tests/projects/oracle/P6Oracle.java,
Java's single-file source launcher) and Keel's engine schedules exactly what MPXJ built. The
bench prints Keel's time in the Microsoft Project dialect and in the P6 dialect (best of
``--repeat`` runs, CPU time, per activity), MPXJ's PrimaveraScheduler time measured inside the
JVM around ``schedule()`` alone (JVM start, reading and building excluded; best of the same
number of runs), the ratio ours (P6) / MPXJ, and on how many activities the two P6 schedules
agree (early and late dates and total float), listing up to ``--show-differences`` of the
activities that differ in working time (``-1``: all of them). Needs no database.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from projects.scheduling import ScheduleOptions, schedule
from tests.projects.oracle.p6 import OracleError, bench_spec, engine_case, p6_options, report_from_spec

START = datetime(2026, 1, 5, 8)
DAY = [["08:00", "12:00"], ["13:00", "17:00"]]
TENS = [["07:00", "12:00"], ["12:30", "17:30"]]
DATE_FIELDS = ("early_start", "early_finish", "late_start", "late_finish")


def make_spec(size: int, lag_calendar: str, seed: int = 11) -> dict:
    """The network of the module docstring as a P6Oracle spec (hours, ISO local dates)."""
    rng = random.Random(seed)
    holidays = sorted({(date(2026, 1, 1) + timedelta(days=rng.randrange(2 * 365))).isoformat() for _ in range(20)})
    calendars = [
        {"id": "std", "name": "Standard", "week": {str(d): DAY for d in range(1, 6)}, "holidays": holidays},
        {"id": "seven", "name": "Seven day", "week": {str(d): DAY for d in range(1, 8)}},
        {"id": "tens", "name": "Four tens", "week": {str(d): TENS for d in range(1, 5)}},
    ]
    wbs = [{"id": f"T{top}", "name": f"Area {top}"} for top in range(10)]
    activities, links = [], []
    for i in range(size):
        if i % 40 == 0:
            wbs.append({"id": f"W{i // 40}", "name": f"Package {i // 40}", "parent": f"T{(i // 40) % 10}"})
        roll = rng.random()
        milestone = roll < 0.03
        activities.append(
            {
                "id": f"A{10000 + i * 10}",
                "wbs": f"W{i // 40}",
                "type": "finish_milestone" if milestone else "task",
                "calendar": "std" if roll < 0.7 else "seven" if roll < 0.9 else "tens",
                "duration_h": 0 if milestone else rng.choice((4, 8, 16, 24, 40, 80, 120, 160)),
            }
        )
    kinds = ["FS"] * 80 + ["SS"] * 8 + ["FF"] * 8 + ["SF"] * 4
    for i in range(1, size):
        for _ in range(2 if rng.random() < 0.3 else 1):
            p = max(0, i - rng.randint(1, 40))
            pred, succ = activities[p]["id"], activities[i]["id"]
            roll = rng.random()
            lag = 0 if roll < 0.7 else rng.choice((8, 16, 24, 40)) if roll < 0.92 else -8
            if rng.random() < 0.15:
                links.append({"pred": pred, "succ": succ, "type": "SS", "lag_h": max(lag, 0)})
                links.append({"pred": pred, "succ": succ, "type": "FF", "lag_h": max(lag, 0)})
            else:
                links.append({"pred": pred, "succ": succ, "type": rng.choice(kinds), "lag_h": lag})
    unique = {(link["pred"], link["succ"], link["type"]): link for link in links}
    return {
        "name": f"bench{size}",
        "start": START.isoformat(timespec="minutes"),
        "data_date": None,
        "must_finish_by": None,
        "default_calendar": "std",
        "lag_calendar": lag_calendar,
        "float_mode": "finish",
        "critical_mode": "total_float",
        "critical_float_hours": 0,
        "progress_mode": "retained_logic",
        "calendars": calendars,
        "wbs": wbs,
        "activities": activities,
        "links": list(unique.values()),
    }


def add_progress(spec: dict, planned: dict[str, tuple[datetime, datetime]], seed: int = 12) -> None:
    """Update ``spec`` at a data date a fifth of the way through the plan (a Monday, 00:00: an
    instant), from the planned dates (activity id -> start, finish)."""
    rng = random.Random(seed)
    finish = max(f for _, f in planned.values())
    moment = START + (finish - START) / 5
    data_date = datetime.combine(moment.date() - timedelta(days=moment.weekday()), datetime.min.time())
    spec["data_date"] = data_date.isoformat(timespec="minutes")
    for activity in spec["activities"]:
        start, finish = planned[activity["id"]]
        hours = activity["duration_h"]
        if finish <= data_date:
            activity.update(actual_start=_iso(start), actual_finish=_iso(finish), remaining_h=0)
        elif start < data_date:
            done = rng.choice((0.25, 0.5, 0.75))
            activity.update(actual_start=_iso(start), remaining_h=hours - round(hours * done))
        elif start < data_date + timedelta(days=14) and hours and rng.random() < 0.1:
            # started out of sequence, a few days before the data date
            activity.update(actual_start=_iso(data_date - timedelta(days=3) + timedelta(hours=8)), remaining_h=hours)


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="minutes")


def best_of(repeat: int, run) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.process_time()
        result = run()
        best = min(best, time.process_time() - began)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lag-calendar", default="predecessor", choices=("predecessor", "successor", "24h", "project"))
    parser.add_argument("--no-mpxj", action="store_true")
    parser.add_argument(
        "--show-differences",
        type=int,
        default=3,
        metavar="N",
        help="list up to N activities that differ in working time (0: none, -1: all)",
    )
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs,"
        f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )

    spec = make_spec(args.activities, args.lag_calendar)
    # Plan it once (Keel, P6 dialect, no progress) to place the update's progress realistically.
    case = engine_case(spec["name"], report_from_spec(spec))
    planned_run = schedule(
        case.tasks,
        case.links,
        calendars=case.calendars,
        default_calendar_id=case.default_calendar_id,
        project_start=case.project_start,
        options=p6_options(case),
    )
    planned = {
        aid: (planned_run.tasks[uid].start, planned_run.tasks[uid].finish) for uid, aid in case.activity_ids.items()
    }
    add_progress(spec, planned)

    oracle = None
    if not args.no_mpxj:
        try:
            oracle = bench_spec(spec, args.repeat)
        except OracleError as error:
            print(f"MPXJ skipped: {error}")
    # Keel schedules what MPXJ built (its reading of the network), or the spec itself without MPXJ.
    report = oracle if oracle is not None else report_from_spec(spec)
    case = engine_case(spec["name"], report)
    n = len(case.activity_ids)
    kwargs = {
        "calendars": case.calendars,
        "default_calendar_id": case.default_calendar_id,
        "project_start": case.project_start,
    }
    ms_cpu, _ = best_of(
        args.repeat,
        lambda: schedule(case.tasks, case.links, status_date=case.data_date, options=ScheduleOptions(), **kwargs),
    )
    p6_cpu, ours = best_of(args.repeat, lambda: schedule(case.tasks, case.links, options=p6_options(case), **kwargs))
    started = sum(1 for t in case.tasks if t.actual_start is not None and t.actual_finish is None)
    done = sum(1 for t in case.tasks if t.actual_finish is not None)
    print(
        f"network: {n} activities, {len(case.links)} relationships "
        f"({len(_pairs_with_several(case.links))} pairs with several), lag calendar {case.lag_calendar}, "
        f"data date {case.data_date:%Y-%m-%d %H:%M}, {done} complete, {started} in progress\n"
    )
    print(f"{'scheduler':<34} {'CPU s':>8} {'us/activity':>12}")
    print(f"{'Keel, Microsoft Project dialect':<34} {ms_cpu:>8.3f} {1e6 * ms_cpu / n:>12.1f}")
    print(f"{'Keel, Primavera P6 dialect':<34} {p6_cpu:>8.3f} {1e6 * p6_cpu / n:>12.1f}")
    if oracle is None:
        return
    mpxj = oracle["nanos"] / 1e9
    print(f"{'MPXJ PrimaveraScheduler (in JVM)':<34} {mpxj:>8.3f} {1e6 * mpxj / n:>12.1f}")
    print(f"\nours (P6 dialect) / MPXJ = {p6_cpu / mpxj:.3f}   (aim <= 0.5)")
    exact, same_work, examples = agreement(case, ours, oracle, args.show_differences)
    print(
        f"P6 schedules agree (early and late dates and total float; start and finish of completed activities)"
        f"\n  to the minute on {exact}/{n} activities ({100 * exact / n:.1f} %),"
        f"\n  in working time on {same_work}/{n} ({100 * same_work / n:.1f} %)"
    )
    for example in examples:
        print(f"  differs in working time: {example}")


def agreement(case, ours, oracle: dict, show: int = 3) -> tuple[int, int, list[str]]:
    """On how many activities Keel's P6 schedule and MPXJ's agree: to the minute, and in working
    time (the same position in the activity's calendar: Friday 17:00 and Monday 08:00 are one
    working instant, reported at the end of one period or the start of the next); up to ``show`` of
    those that differ in working time (all of them when ``show`` is negative)."""
    exact = same_work = 0
    examples: list[str] = []
    completed = {t.id for t in case.tasks if t.actual_finish is not None}
    calendar_of = {t.id: case.calendars[t.calendar_id or case.default_calendar_id] for t in case.tasks}
    for uid, activity_id in case.activity_ids.items():
        theirs, mine = oracle["mpxj"][str(uid)], ours.tasks[uid]
        names = ("start", "finish") if uid in completed else DATE_FIELDS
        ours_dates = [getattr(mine, f) for f in names]
        their_dates = [datetime.fromisoformat(theirs[f]) for f in names]
        floats = [] if uid in completed else [(mine.total_float_minutes, theirs["total_float_minutes"])]
        same_float = all(a == b for a, b in floats)
        if same_float and ours_dates == their_dates:
            exact += 1
        calendar = calendar_of[uid]
        if same_float and all(
            calendar.working_minutes_at(a) == calendar.working_minutes_at(b)
            for a, b in zip(ours_dates, their_dates, strict=True)
        ):
            same_work += 1
        elif show < 0 or len(examples) < show:
            mine_text = [f"{d:%Y-%m-%d %H:%M}" for d in ours_dates] + [a for a, _ in floats]
            theirs_text = [f"{d:%Y-%m-%d %H:%M}" for d in their_dates] + [b for _, b in floats]
            examples.append(f"{activity_id} {'/'.join(names)}/float: Keel {mine_text} MPXJ {theirs_text}")
    return exact, same_work, examples


def _pairs_with_several(links):
    seen: dict = {}
    for link in links:
        seen[(link.predecessor_id, link.successor_id)] = seen.get((link.predecessor_id, link.successor_id), 0) + 1
    return [pair for pair, count in seen.items() if count > 1]


if __name__ == "__main__":
    main()
