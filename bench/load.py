"""Load test: locust users against gunicorn on loopback, on a seeded demo database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel_large \\
        .venv/bin/python bench/load.py [--workers 3] [--users 50] [--duration 60] [--port 8198]
            [--scale large] [--lists-repeat 5]

What it does, in one run:

1. Seeds the demo at `--scale` if the database is empty (`seed_demo --if-empty`).
2. Starts `gunicorn config.wsgi` with `--workers` sync workers on 127.0.0.1:`--port`, DEBUG=0,
   its access log recording each request's server time. Roll-up recomputes that writes enqueue
   go to the Redis broker in `--broker` with no worker consuming them (the worker's cost is
   bench/rollups.py's subject; here the web tier is measured); the queue is emptied afterwards.
3. Signs each demo login in once, directly in the session store, so the run measures pages and
   API calls rather than password hashing, and so that login throttling and lock-out (which a
   burst of 50 logins from one address would trip) play no part. The per-user API throttle is
   set to 1000000/minute (KEEL_API_THROTTLE_USER): it still counts every request in Redis, but
   six demo logins shared by 50 simulated users would otherwise be refused as six very busy
   people; `--env KEY=VALUE` overrides any server setting. 429 answers are counted apart, so a
   throttled run is visible, never mistaken for speed.
4. Runs locust headless (bench/locustfile.py): `--users` users spawned at 10/s for `--duration`
   seconds, each a demo login with a mix of pages, API reads and API writes.
5. Prints, per request kind and overall: requests, failures, requests/s, client-side
   p50/p95/p99; requests/s per worker; the server-side p50/p95/p99 from gunicorn's log; error
   and 429 counts; the load average before, during (max of 5 s samples) and after.
6. In the same run, after the load: bench/api_lists.py's list-vs-bare-DRF ratios on the same
   database (as the demo program manager).

A benchmark, not a test: it prints and never asserts. Writes add cost entries and change task
progress in the demo database it runs on (use a bench database, not one you care about).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # this process only: the server runs with DEBUG=0
# One key for both processes: the sessions made here carry a hash the server checks with it.
os.environ.setdefault("SECRET_KEY", "load-test-only-not-a-secret-" + "k" * 40)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from budgets.models import CostCategory  # noqa: E402
from portfolio.models import Membership, Program  # noqa: E402
from projects.models import Project, Task  # noqa: E402

LOGINS = ["program_manager", "project_manager", "executive", "finance_analyst", "team_member", "portfolio_admin"]
API_LISTS = ["projects", "tasks", "cost-entries", "budget-lines", "risks", "status-reports", "allocations"]
# Server-log paths grouped as the locust names group them (first match wins).
KINDS = [
    ("api write", re.compile(r"^(PATCH|POST) /api/")),
    ("api", re.compile(r"^GET /api/")),
    ("page: program", re.compile(r"^GET /programs/[^/]+/$")),
    ("page: schedule", re.compile(r"^GET /projects/[^/]+/schedule/$")),
    ("page: project", re.compile(r"^GET /projects/[^/]+/$")),
    ("page", re.compile(r"^GET /")),
]


def sessions_for(usernames: list[str]) -> dict[str, str]:
    """A signed-in session key per login, written straight into the session store."""
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    # The first configured backend that can load a user from a session (axes' only authenticates).
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user"))
    keys = {}
    for user in get_user_model().objects.filter(username__in=usernames):
        session = engine()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[user.username] = session.session_key
    return keys


def plan(host: str) -> dict:
    """What the simulated users visit: the program manager's program and its projects, and the
    project manager's project for writes."""
    users = get_user_model().objects
    pm = users.get(username="program_manager")
    program = Membership.objects.filter(user=pm, program__isnull=False).select_related("program").first().program
    projects = list(Project.objects.filter(program=program).order_by("code")[:20])
    writer = users.get(username="project_manager")
    write_project = Project.objects.editable_by(writer).order_by("code").first()
    write_tasks = list(
        Task.objects.filter(project=write_project, is_summary=False).order_by("pk").values_list("pk", flat=True)[:30]
    )
    logins = [name for name in LOGINS if users.filter(username=name).exists()]
    # What each login may open (a team member sees one project, not the whole program): a
    # simulated user only asks for what its login sees, so every 404 in the results is a bug.
    per_login = {}
    for name in logins:
        user = users.get(username=name)
        mine = list(Project.objects.visible_to(user).filter(pk__in=[p.pk for p in projects]))
        if not mine:
            mine = list(Project.objects.visible_to(user).order_by("code")[:5])
        per_login[name] = {
            "program": program.code if Program.objects.visible_to(user).filter(pk=program.pk).exists() else None,
            "projects": [p.code for p in mine],
            "project_ids": [p.pk for p in mine],
            "tasks": list(Task.objects.filter(project__in=mine).values_list("pk", flat=True)[:200]),
        }
    today = dt.date.today()
    start = max(write_project.planned_start or today, today.replace(day=1))
    return {
        "host": host,
        "logins": logins,
        "sessions": sessions_for(logins),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf": _get_new_csrf_string(),
        "per_login": per_login,
        "api_lists": API_LISTS,
        "writer": "project_manager",
        "write_project": write_project.pk,
        "write_tasks": write_tasks,
        "category": CostCategory.objects.order_by("pk").values_list("pk", flat=True).first(),
        "date": min(start, write_project.planned_finish or start, today).isoformat(),
    }


def wait_until_up(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def server_times(log: Path) -> dict[str, list[float]]:
    """Server milliseconds per kind (and "all") from the access log lines 'METHOD PATH STATUS MS'."""
    by_kind: dict[str, list[float]] = {"all": []}
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) < 4 or not parts[-1].isdigit():
            continue
        method, path, ms = parts[0], parts[1], float(parts[-1])
        by_kind["all"].append(ms)
        for kind, pattern in KINDS:
            if pattern.match(f"{method} {path}"):
                by_kind.setdefault(kind, []).append(ms)
                break
    return by_kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--port", type=int, default=8198)
    parser.add_argument("--scale", choices=["small", "medium", "large"], default="large")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/8", help="where writes enqueue roll-ups")
    parser.add_argument("--lists-repeat", type=int, default=5, help="repeats of the list ratio (0: skip)")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server (repeatable)")
    args = parser.parse_args()

    if not Project.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", scale=args.scale, if_empty=True, no_history=True, no_progress=True)
        print(f"seeded {args.scale} in {time.perf_counter() - started:.0f} s")
    host = f"http://127.0.0.1:{args.port}"
    work = Path(tempfile.mkdtemp(prefix="keel-load-"))
    plan_path = work / "plan.json"
    plan_path.write_text(json.dumps(plan(host)))
    print(
        f"{Project.objects.count():,} projects, {Task.objects.count():,} tasks in the database; "
        f"{args.users} users for {args.duration} s against {args.workers} gunicorn workers"
    )

    server_env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL": "0",
        "KEEL_DATA_DIR": str(work),
        "CELERY_BROKER_URL": args.broker,
        # The per-user API throttle (1200/minute by default) still runs on every request but never
        # refuses: a few logins shared by 50 simulated users are not 50 people (`--env` overrides).
        "KEEL_API_THROTTLE_USER": "1000000/minute",
    }
    for item in args.env:
        key, _, value = item.partition("=")
        server_env[key] = value
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=server_env, check=True
    )
    access_log = work / "access.log"
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [
            gunicorn,
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "120",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(M)s",
            "--error-logfile",
            str(work / "error.log"),
        ],
        cwd=ROOT,
        env=server_env,
        start_new_session=True,
    )
    loads: list[float] = []
    try:
        wait_until_up(f"{host}/accounts/login/")
        access_log.write_text("")  # only the load's requests
        load_before = os.getloadavg()[0]
        sampling = threading.Event()

        def sample():
            while not sampling.wait(5):
                loads.append(os.getloadavg()[0])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.duration}s",
                "--host",
                host,
                "--csv",
                str(work / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**os.environ, "KEEL_LOAD_PLAN": str(plan_path)},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # its own summary table; ours is printed below
        )
        elapsed = time.perf_counter() - started
        sampling.set()
        load_after = os.getloadavg()[0]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    _purge_broker(args.broker)

    with open(work / "locust_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"\nLoad: {args.users} users, {args.duration} s ({elapsed:.0f} s with ramp-up and stop)")
    print(f"{'request kind':34} {'reqs':>6} {'fail':>5} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for r in sorted(rows, key=lambda r: r["Name"]):
        print(
            f"{r['Name'][:34]:34} {int(r['Request Count']):>6} {int(r['Failure Count']):>5} "
            f"{float(r['Requests/s']):>6.1f} {r['50%']:>7} {r['95%']:>7} {r['99%']:>7}"
        )
    rps = float(total["Requests/s"])
    print(f"\nthroughput: {rps:.1f} requests/s, {rps / args.workers:.1f} per worker ({args.workers} workers)")
    failures_csv = work / "locust_failures.csv"
    failures = list(csv.DictReader(open(failures_csv, newline=""))) if failures_csv.exists() else []  # noqa: SIM115
    throttled = sum(int(f["Occurrences"]) for f in failures if "429" in f["Error"])
    print(f"errors: {int(total['Failure Count'])} of {int(total['Request Count'])} ({throttled} were 429 throttled)")
    for f in failures[:10]:
        print(f"  {f['Occurrences']:>5} × {f['Method']} {f['Name']}: {f['Error'][:100]}")
    times = server_times(access_log)
    print("\nserver time (gunicorn access log, ms)")
    for kind in ["all", *[k for k, _ in KINDS]]:
        values = times.get(kind, [])
        if values:
            print(
                f"  {kind:16} n={len(values):>6}  p50 {percentile(values, 50):>6.0f}  "
                f"p95 {percentile(values, 95):>6.0f}  p99 {percentile(values, 99):>6.0f}"
            )
    during = f"max {max(loads):.1f}, mean {statistics.mean(loads):.1f}" if loads else "n/a"
    print(
        f"\nload average (1 min, {os.cpu_count()} CPUs): before {load_before:.1f}, during {during}, "
        f"after {load_after:.1f}"
    )

    if args.lists_repeat:
        sys.path.insert(0, str(ROOT / "bench"))
        import api_lists

        print()
        results = api_lists.run(login="program_manager", repeat=args.lists_repeat, page_size=50)
        api_lists.print_table(results, login="program_manager")
    print(f"\n(files: {work})")


def _purge_broker(url: str) -> None:
    """Drop the roll-up tasks the writes queued (nobody consumed them)."""
    try:
        from celery import Celery

        Celery(broker=url).connection_for_write().default_channel.queue_purge("celery")
    except Exception as exc:
        print(f"(could not purge the broker queue: {exc})")


if __name__ == "__main__":
    main()
