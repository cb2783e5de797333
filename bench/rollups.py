"""Roll-ups: full and incremental recompute, summary reads against a GROUP BY, and the
summary-backed pages at two scales -- all measured in one run, printed, never asserted.

Seed a small and a large demo into two PostgreSQL databases first (see bench/README.md), then::

    DEBUG=1 .venv/bin/python bench/rollups.py \\
        --small postgres://postgres@127.0.0.1:5432/keel_small \\
        --large postgres://postgres@127.0.0.1:5432/keel_large [--repeat 10] [--skip-full]

For each database the script runs itself in a child process (settings bind one database per
process) and prints, on the large one:

1. full recompute of every project, program and portfolio (``recompute_all``): time, projects/s;
2. incremental recompute after one change (the worker's whole chain: project, its program, its
   portfolio), median of ``--repeat`` changes, each rolled back;
3. program and project cost roll-up reads (the summary rows a page reads) against one
   hand-written SQL GROUP BY over the same cost entries, and the ratio (aim: at most 1.5);

and for both, every summary-backed page as the demo program manager: status, SQL queries and the
median time of ``--repeat`` requests, then the large/small ratio of each (aim: at most 1.3).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def child(args) -> dict:
    """Measure the database in DATABASE_URL; returns a JSON-able dict."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core import signals
    from django.db import close_old_connections, connection, reset_queries, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from budgets.models import CostEntry
    from core import changes
    from portfolio.models import Program
    from projects.models import Project
    from reporting.models import ProgramRollup, ProjectRollup
    from reporting.services import rollups

    settings.ALLOWED_HOSTS = ["*"]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    out: dict = {"projects": Project.objects.count(), "vendor": connection.vendor}

    if not args.skip_full:
        started = time.perf_counter()
        counts = rollups.recompute_all()
        seconds = time.perf_counter() - started
        out["full"] = {"seconds": seconds, "counts": counts, "per_second": out["projects"] / seconds}
    else:
        rollups.recompute_all()  # the reads below need current rows

    if args.full_measures:
        # The largest program by cost entries, and its running project with the most entries.
        program = Program.objects.annotate(n=Count("projects__cost_entries")).order_by("-n", "pk").first()
        project = Project.objects.filter(program=program).annotate(n=Count("cost_entries")).order_by("-n", "pk").first()
        out["program"] = {"code": program.code, "cost_entries": program.n}
        out["project"] = {"code": project.code, "cost_entries": project.n}

        class RollbackError(Exception):
            pass

        def one_change():
            try:
                with transaction.atomic():
                    changes.inputs_changed(projects=[project.pk])
                    rollups.project_rollup_recompute(project_id=project.pk)
                    rollups.program_rollup_recompute(program_id=program.pk)
                    rollups.portfolio_rollup_recompute(portfolio_id=program.portfolio_id)
                    raise RollbackError
            except RollbackError:
                pass

        out["incremental_ms"] = median_ms(one_change, args.repeat)

        ids = list(Project.objects.filter(program=program).values_list("pk", flat=True))
        entries = CostEntry._meta.db_table

        def group_by_program():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT project_id, currency_id, SUM(amount), COUNT(*) FROM {entries} "  # noqa: S608 - names from the model
                    "WHERE project_id = ANY(%s) GROUP BY project_id, currency_id",
                    [ids],
                )
                return cursor.fetchall()

        def group_by_project():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT currency_id, SUM(amount), COUNT(*) FROM {entries} "  # noqa: S608
                    "WHERE project_id = %s GROUP BY currency_id",
                    [project.pk],
                )
                return cursor.fetchall()

        def read_program():
            head = ProgramRollup.objects.get(program_id=program.pk)
            rows = list(ProjectRollup.objects.filter(project__program_id=program.pk).select_related("project"))
            return head, rows

        def read_project():
            return ProjectRollup.objects.get(project_id=project.pk)

        out["reads"] = {
            "program_summary_ms": median_ms(read_program, args.repeat * 5),
            "program_group_by_ms": median_ms(group_by_program, args.repeat * 5),
            "project_summary_ms": median_ms(read_project, args.repeat * 5),
            "project_group_by_ms": median_ms(group_by_project, args.repeat * 5),
        }

    # Pages, as the demo program manager on the demo program (same program at both scales).
    user = get_user_model().objects.get(username="program_manager")
    program = Program.objects.filter(manager=user).order_by("pk").first()
    client = Client()
    client.force_login(user)
    pages = {
        "home": "/",
        "program list": "/programs/",
        "project list": "/projects/",
        "program page": f"/programs/{program.code}/",
        "program costs": f"/programs/{program.code}/costs/",
        "program staffing": f"/programs/{program.code}/staffing/",
        "program governance": f"/programs/{program.code}/governance/",
        "portfolio risks": f"/portfolios/{program.portfolio.code}/risks/",
        "API programs": "/api/v1/programs/",
        "API projects": "/api/v1/projects/",
    }
    measured = {}
    for label, path in pages.items():
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        measured[label] = {
            "path": path,
            "status": status,
            "queries": len(captured.captured_queries),
            "median_ms": median_ms(lambda path=path: client.get(path), args.repeat),
        }
    out["pages"] = measured
    return out


def run_child(url: str, args, *, full: bool) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    command = [sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
    if full:
        command.append("--full-measures")
    if args.skip_full or not full:
        command.append("--skip-full")
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603 - our own script
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", help="DATABASE_URL of the small demo")
    parser.add_argument("--large", help="DATABASE_URL of the large demo")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--skip-full", action="store_true", help="skip timing the full recompute")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--full-measures", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args), default=str))
        return
    if not (args.small and args.large):
        parser.error("give --small and --large database URLs")

    large = run_child(args.large, args, full=True)
    small = run_child(args.small, args, full=False)
    print(f"large demo: {large['projects']} projects; small demo: {small['projects']} projects ({large['vendor']})\n")
    if "full" in large:
        full = large["full"]
        print(
            f"full recompute: {full['seconds']:.1f} s for {large['projects']} projects "
            f"({full['per_second']:.1f} projects/s); {full['counts']}"
        )
    print(
        f"incremental recompute after one change (project {large['project']['code']}, its program and "
        f"portfolio), median of {args.repeat}: {large['incremental_ms']:.1f} ms"
    )
    reads = large["reads"]
    print(
        f"\ncost roll-up reads, program {large['program']['code']} ({large['program']['cost_entries']:,} cost entries):"
    )
    print(
        f"  program summary read {reads['program_summary_ms']:.2f} ms / GROUP BY {reads['program_group_by_ms']:.2f} ms"
        f" = {reads['program_summary_ms'] / reads['program_group_by_ms']:.2f}x"
    )
    print(
        f"  project summary read {reads['project_summary_ms']:.2f} ms / GROUP BY {reads['project_group_by_ms']:.2f} ms"
        f" = {reads['project_summary_ms'] / reads['project_group_by_ms']:.2f}x"
    )
    print(f"\n{'page':<22} {'status':>11} {'queries s/l':>12} {'small ms':>9} {'large ms':>9} {'large/small':>12}")
    for label, row in large["pages"].items():
        other = small["pages"][label]
        ratio = row["median_ms"] / other["median_ms"] if other["median_ms"] else float("nan")
        print(
            f"{label:<22} {other['status']:>5}/{row['status']:<5} {other['queries']:>5}/{row['queries']:<6} "
            f"{other['median_ms']:>9.1f} {row['median_ms']:>9.1f} {ratio:>11.2f}x"
        )


if __name__ == "__main__":
    main()
