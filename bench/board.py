"""The ten-second pages -- portfolio health board, program cockpit, role home pages, search --
at two scales, measured in one run: server time per page at ``small`` and ``large`` and the
ratio (aim: at most 1.3), with SQL query counts (which must be equal). Printed, never asserted.

Seed a small and a large demo into two PostgreSQL databases first (see bench/README.md), then::

    DEBUG=1 .venv/bin/python bench/board.py \\
        --small postgres://postgres@127.0.0.1:5432/keel_small \\
        --large postgres://postgres@127.0.0.1:5432/keel_large [--repeat 10]

Each database is measured in a child process (settings bind one database per process). Every
page is requested through Django's test client as the demo login a person in that role uses;
"server time" is the median of ``--repeat`` requests after one warm-up request.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from rollups import ROOT, median_ms  # bench/rollups.py: the same timing, one definition


def child(args) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from portfolio.models import Portfolio, Program
    from projects.models import Project

    settings.ALLOWED_HOSTS = ["*"]  # the test client's "testserver"
    users = get_user_model().objects
    executive = users.get(username="executive")
    portfolio = Portfolio.objects.visible_to(executive).order_by("pk").first()
    program = Program.objects.filter(manager=users.get(username="program_manager")).order_by("pk").first()

    def url(name, *args):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return None

    board = url("reporting:portfolio-board", portfolio.pk)
    pages = [
        ("executive", "home", "/"),
        ("executive", "board", board),
        ("executive", "board by CPI", board and f"{board}?sort=cpi"),
        ("executive", "board, red only", board and f"{board}?computed_health=red"),
        ("executive", "board workbook", url("reporting:portfolio-board-export", portfolio.pk)),
        ("program_manager", "home", "/"),
        ("program_manager", "program cockpit", url("portfolio:program-detail", program.code)),
        ("project_manager", "home", "/"),
        ("finance_analyst", "home", "/"),
        ("executive", "search", (url("reporting:search") or "") and url("reporting:search") + "?q=Tax"),
    ]
    clients = {}
    measured = {}
    for login, label, path in pages:
        key = f"{login}: {label}"
        if not path:
            measured[key] = {"path": "", "status": "n/a", "queries": 0, "median_ms": 0.0}
            continue
        if login not in clients:
            clients[login] = Client()
            clients[login].force_login(users.get(username=login))
        client = clients[login]
        client.get(path)  # warm-up
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        measured[key] = {
            "path": path,
            "status": status,
            "queries": len(captured.captured_queries),
            "median_ms": median_ms(lambda path=path, client=client: client.get(path), args.repeat),
        }
    return {
        "projects": Project.objects.count(),
        "programs": Program.objects.filter(portfolio=portfolio).count(),
        "vendor": connection.vendor,
        "pages": measured,
    }


def run_child(url: str, args) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    command = [sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603 - our own script
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", help="DATABASE_URL of the small demo")
    parser.add_argument("--large", help="DATABASE_URL of the large demo")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args), default=str))
        return
    if not (args.small and args.large):
        parser.error("give --small and --large database URLs")

    small = run_child(args.small, args)
    large = run_child(args.large, args)
    print(
        f"small demo: {small['projects']} projects ({small['programs']} programs in the executive's portfolio); "
        f"large demo: {large['projects']} projects ({large['programs']} programs) ({large['vendor']})\n"
    )
    print(f"{'page':<36} {'status s/l':>11} {'queries s/l':>12} {'small ms':>9} {'large ms':>9} {'large/small':>12}")
    for label, row in large["pages"].items():
        other = small["pages"][label]
        ratio = row["median_ms"] / other["median_ms"] if other["median_ms"] else float("nan")
        print(
            f"{label:<36} {other['status']:>5}/{row['status']:<5} {other['queries']:>5}/{row['queries']:<6} "
            f"{other['median_ms']:>9.1f} {row['median_ms']:>9.1f} {ratio:>11.2f}x"
        )


if __name__ == "__main__":
    main()
