"""Benchmark: rescheduling a seeded demo through the service, one linked group at a time.

Run from the repository root on a seeded database (DATABASE_URL / KEEL_DATA_DIR as the app)::

    DEBUG=1 .venv/bin/python bench/seed.py [--limit N]

`seed_demo` computes every schedule with the engine in memory and inserts the rows with their
dates (demo/schedules.py). This script measures the alternative: one
`schedule_recompute(project=…)` per linked group of projects (not per task). It runs inside a
transaction that is rolled back, first as is (the seeded dates are already right: nothing to
write, so this is the read + compute cost), then with every task's computed dates cleared first
(so each group is written back with bulk_update, as a seed without the in-memory path would).
It prints the number of groups, the total and per-group time and query counts, and the
projected time for all groups when `--limit` samples fewer. Prints, never asserts.
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
from django.db.models import F  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from projects.models import Dependency, Project, Task  # noqa: E402
from projects.services.schedule import schedule_recompute  # noqa: E402


class _RollbackError(Exception):
    pass


def linked_groups() -> list[list[int]]:
    """The projects, grouped by cross-project links (one query for the links)."""
    parent = {pk: pk for pk in Project.objects.values_list("pk", flat=True)}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    pairs = (
        Dependency.objects.exclude(predecessor__project=F("successor__project"))
        .values_list("predecessor__project_id", "successor__project_id")
        .distinct()
    )
    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for pk in sorted(parent):
        groups.setdefault(root(pk), []).append(pk)
    return list(groups.values())


def run(groups: list[list[int]], *, cleared: bool) -> tuple[float, int, int]:
    """Seconds, queries and changed rows for one recompute per group, rolled back."""
    ids = [pk for group in groups for pk in group]
    changed = 0
    try:
        with transaction.atomic():
            if cleared:
                Task.objects.filter(project_id__in=ids).update(start=None, finish=None, early_start=None)
            projects = Project.objects.in_bulk([group[0] for group in groups])
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                for group in groups:
                    changed += schedule_recompute(project=projects[group[0]]).changed_count
                seconds = time.perf_counter() - started
            raise _RollbackError
    except _RollbackError:
        pass
    return seconds, len(captured.captured_queries), changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=200, help="groups to time (0: all)")
    args = parser.parse_args()
    groups = linked_groups()
    sample = groups[: args.limit] if args.limit else groups
    tasks = Task.objects.filter(project_id__in=[pk for g in sample for pk in g]).count()
    print(f"database: {connection.vendor}; {len(groups)} linked groups, timing {len(sample)} ({tasks} tasks)")
    for cleared in (False, True):
        seconds, queries, changed = run(sample, cleared=cleared)
        label = "dates cleared first" if cleared else "dates already right"
        print(
            f"{label}: {seconds:.2f} s, {seconds / len(sample) * 1000:.1f} ms and "
            f"{queries / len(sample):.1f} queries per group, {changed} rows changed; "
            f"projected for all {len(groups)} groups: {seconds / len(sample) * len(groups):.1f} s"
        )


if __name__ == "__main__":
    main()
