"""Benchmark of earned value and of one project's reschedule on the seeded large demo.

Run from the repository root, on a database seeded with ``seed_demo --scale large`` (the
database is read from DATABASE_URL / KEEL_DATA_DIR, as the app reads it)::

    DEBUG=1 .venv/bin/python bench/evm.py [--repeat 5]

It picks the running project with the most tasks in the largest program, then prints, for
``budgets.selectors.project_evm`` (that project) and ``program_evm`` (its whole program), the
SQL query count (CaptureQueriesContext) and the best wall-clock time of ``--repeat`` runs, and
the program/project time ratio -- all measured in this run. It also times
``projects.services.schedule.schedule_recompute`` for that project and counts its queries; the
recompute runs inside a transaction that is rolled back, so the database is left as it was.
It prints and never asserts: wall-clock times depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from budgets.models import CostEntry  # noqa: E402
from budgets.selectors.earned_value import program_evm, project_evm  # noqa: E402
from portfolio.models import Program  # noqa: E402
from projects.models import Project, Task  # noqa: E402
from projects.services.schedule import schedule_recompute  # noqa: E402
from staffing.selectors import labour_forecasts  # noqa: E402  (as the cost pages pass it)


class _RollbackError(Exception):
    pass


def timed(call, repeat: int) -> tuple[float, int, object]:
    """Best wall-clock seconds of `repeat` runs, the queries of one run, and its result."""
    best, result = float("inf"), None
    with CaptureQueriesContext(connection) as captured:
        result = call()
    queries = len(captured.captured_queries)
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best, queries, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measure (best is kept)")
    args = parser.parse_args()

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(
        f"rows: {Project.objects.count()} projects, {Task.objects.count()} tasks, "
        f"{CostEntry.objects.count()} cost entries"
    )
    program = Program.objects.annotate(n=Count("projects")).order_by("-n", "code").first()
    if program is None:
        sys.exit("No programs: seed first (manage.py seed_demo --scale large).")
    project = (
        Project.objects.filter(program=program, phase=Project.Phase.EXECUTION)
        .annotate(n=Count("tasks"))
        .order_by("-n", "code")
        .first()
    ) or Project.objects.filter(program=program).first()
    print(f"program {program.code} ({program.projects.count()} projects); project {project.code}")

    project_s, project_q, report = timed(
        lambda: project_evm(project=project, labour_forecasts=labour_forecasts), args.repeat
    )
    f = report.figures
    print(
        f"project_evm: {project_q} queries, {project_s * 1000:.1f} ms "
        f"(BAC {f.bac:,.0f}, EV {f.ev:,.0f}, AC {f.ac:,.0f}, CPI {f.cpi and round(f.cpi, 3)})"
    )
    program_s, program_q, report = timed(
        lambda: program_evm(program=program, labour_forecasts=labour_forecasts), args.repeat
    )
    f = report.figures
    entries = CostEntry.objects.filter(project__program=program).count()
    print(
        f"program_evm: {program_q} queries, {program_s * 1000:.1f} ms over {entries} cost entries "
        f"(BAC {f.bac:,.0f}, EV {f.ev:,.0f}, AC {f.ac:,.0f}, CPI {f.cpi and round(f.cpi, 3)})"
    )
    print(f"ratio program/project time: {program_s / project_s:.1f}")

    def recompute():
        try:
            with transaction.atomic():
                outcome = schedule_recompute(project=project)
                raise _RollbackError(outcome)
        except _RollbackError as done:
            return done.args[0]

    recompute_s, recompute_q, outcome = timed(recompute, args.repeat)
    print(
        f"schedule_recompute: {recompute_q} queries (incl. savepoint), {recompute_s * 1000:.1f} ms for "
        f"{outcome.task_count} tasks in {len(outcome.project_ids)} linked project(s), {outcome.changed_count} changed"
    )


if __name__ == "__main__":
    main()
