"""Server time of the editable Gantt (the schedule page) at 300 and 3,000 tasks.

Run from the repository root against any migrated database (DATABASE_URL / KEEL_DATA_DIR, as the
app reads it)::

    DEBUG=1 .venv/bin/python bench/gantt.py [--sizes 300 3000] [--repeat 5]

For each size it builds, inside a transaction that is rolled back at the end (nothing is left
behind), a project with that many tasks in a WBS of summaries of 20 tasks, each branch a chain
of finish-to-start links with a link from branch to branch, scheduled once. Signed in as the
project's manager through Django's test client, it then requests the schedule page as it first
opens (a big schedule opens on its WBS outline, every branch collapsed: one row and one rolled-up
bar per summary), one branch expanded (the htmx fragment of its button: table rows and chart
bars), a later window with every branch expanded (windows of 200 rows cut between branches),
and times one edit inside the expanded branch (a keyboard move: renumbering, rescheduling and
the fresh fragment, the branch still expanded). It prints the best of ``--repeat`` runs in ms and
the SQL query count of each request, and the 3,000 / 300 ratio. It prints and never asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from portfolio.models import Membership, Portfolio, Program  # noqa: E402
from projects.models import Dependency, Project, Task  # noqa: E402
from projects.services.schedule import outline_renumber, schedule_recompute  # noqa: E402

BRANCH = 20
HTMX = {"HTTP_HX_REQUEST": "true"}


class RollbackError(Exception):
    """Raised to roll the bench's data back."""


def build(size: int) -> tuple[Project, object]:
    """A project of `size` tasks (summaries included) and its manager."""
    portfolio = Portfolio.objects.create(code=f"BGP{size}", name=f"Gantt bench {size}")
    program = Program.objects.create(portfolio=portfolio, code=f"BGPR{size}", name=f"Gantt bench {size}")
    project = Project.objects.create(
        program=program, code=f"BG{size}", name=f"Gantt bench {size}", planned_start=dt.date(2026, 3, 2)
    )
    user = get_user_model().objects.create_user(username=f"gantt-bench-{size}", password="x")  # noqa: S106
    Membership.objects.create(user=user, role=Membership.Role.PROJECT_MANAGER, project=project)
    branches = max(size // (BRANCH + 1), 1)
    summaries = Task.objects.bulk_create(
        [Task(project=project, name=f"Branch {b}", sort_order=(b + 1) * 10) for b in range(branches)]
    )
    leaves = []
    per = (size - branches) // branches
    for b, summary in enumerate(summaries):
        for i in range(per):
            leaves.append(
                Task(
                    project=project,
                    parent=summary,
                    name=f"Activity {b}.{i}",
                    duration_minutes=480 * (1 + (b + i) % 4),
                    sort_order=(i + 1) * 10,
                )
            )
    leaves = Task.objects.bulk_create(leaves, batch_size=2000)
    links = []
    for b in range(branches):
        chain = leaves[b * per : (b + 1) * per]
        links += [Dependency(predecessor=p, successor=s) for p, s in itertools.pairwise(chain)]
        if b:
            links.append(Dependency(predecessor=leaves[(b - 1) * per + per // 2], successor=chain[0]))
    Dependency.objects.bulk_create(links, batch_size=2000)
    outline_renumber(project=project)
    schedule_recompute(project=project)
    return project, user


def best(repeat: int, request) -> tuple[float, int]:
    """Best time in ms of `repeat` calls and the query count of the last."""
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = request()
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return min(times), queries


def measure(size: int, repeat: int) -> dict[str, tuple[float, int]]:
    figures = {}
    try:
        with transaction.atomic():
            project, user = build(size)
            tasks = Task.objects.filter(project=project).count()
            client = Client()
            client.force_login(user)
            page = reverse("projects:schedule", args=[project.code])
            fragment = reverse("projects:schedule-fragment", args=[project.code])
            summaries = list(
                Task.objects.filter(project=project, parent__isnull=True)
                .order_by("sort_order")
                .values_list("pk", flat=True)
            )
            branch = summaries[len(summaries) // 2]
            expand = reverse("projects:schedule-branch", args=[project.code, branch])
            figures["first open (page, outline collapsed)"] = best(repeat, lambda: client.get(page))
            figures["expand a branch (fragment)"] = best(repeat, lambda: client.get(expand, {"open": branch}, **HTMX))
            everything = ".".join(str(pk) for pk in summaries)
            figures["all expanded, rows 2,001–2,200 or last"] = best(
                repeat, lambda: client.get(fragment, {"open": everything, "at": str(min(2000, tasks - 200))}, **HTMX)
            )
            mover = Task.objects.filter(project=project, parent=branch).order_by("sort_order")[5]
            move = reverse("projects:schedule-task-move", args=[project.code, mover.pk]) + f"?open={branch}"

            def edit():
                response = client.post(move, {"direction": "up"}, **HTMX)
                assert f"open={branch}" in response["HX-Push-Url"], response["HX-Push-Url"]
                return response

            figures["edit in the branch: move + reschedule"] = best(repeat, edit)
            figures["_tasks"] = (tasks, 0)
            raise RollbackError
    except RollbackError:
        pass
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]  # the test client's "testserver"
    results = {}
    for size in args.sizes:
        figures = measure(size, args.repeat)
        results[size] = figures
        print(f"\n{figures.pop('_tasks')[0]} tasks ({connection.vendor})")
        for label, (ms, queries) in figures.items():
            print(f"  {label:<40} {ms:8.1f} ms  {queries:3d} queries")
    if len(args.sizes) >= 2:
        low, high = args.sizes[0], args.sizes[-1]
        for label in results[low]:
            ratio = results[high][label][0] / results[low][label][0]
            queries = f"{results[low][label][1]} → {results[high][label][1]}"
            print(f"{label}: {high} / {low} tasks = {ratio:.2f}× time, queries {queries}")


if __name__ == "__main__":
    main()
