"""Query counts and times of the risk, staffing and governance pages and API lists on a seeded demo.

Run from the repository root against a database seeded with ``seed_demo`` (any scale; the
database is read from DATABASE_URL / KEEL_DATA_DIR, as the app reads it)::

    DEBUG=1 .venv/bin/python bench/pages.py [--repeat 3] [--login program_manager]

Signs in as the demo login (default: the program manager, who sees the first program whole),
requests every page and list endpoint of the demo program and one of its projects through
Django's test client, and prints for each the HTTP status, the number of SQL queries
(CaptureQueriesContext) and the best wall-clock time of ``--repeat`` runs. Comparing the query
columns of a ``small`` and a ``large`` run shows whether a page's query count grows with the
data. It prints and never asserts: times depend on the machine.
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

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core import signals  # noqa: E402
from django.db import close_old_connections, connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from portfolio.models import Program  # noqa: E402
from projects.models import Project  # noqa: E402


def targets(program: Program, project: Project) -> list[tuple[str, str]]:
    """(label, path) of every page and endpoint measured; names that do not reverse are skipped."""
    from risks.models import Issue, Risk
    from staffing.models import Person

    risk = Risk.objects.filter(program=program).order_by("pk").first()
    issue = Issue.objects.filter(program=program).order_by("pk").first()
    person = Person.objects.filter(allocations__project__program=program).order_by("pk").first()
    pages = [
        ("risk register (program)", "risks:program-register", [program.code]),
        ("risk register (project)", "risks:project-register", [project.code]),
        ("portfolio risks", "risks:portfolio-risks", [program.portfolio.code]),
        ("risk page", "risks:risk-detail", [risk.pk] if risk else None),
        ("issue page", "risks:issue-detail", [issue.pk] if issue else None),
        ("issues (program)", "risks:issue-list-program", [program.code]),
        ("issues (project)", "risks:issue-list-project", [project.code]),
        ("capacity heat map", "staffing:capacity", []),
        ("people", "staffing:person-list", []),
        ("person page", "staffing:person-detail", [person.pk] if person else None),
        ("program staffing", "staffing:program-staffing", [program.code]),
        ("project staffing", "staffing:project-staffing", [project.code]),
        ("program governance", "governance:program-governance", [program.code]),
        ("project governance", "governance:project-governance", [project.code]),
        ("decision log", "governance:decision-list", [program.code]),
        ("OLAs", "governance:ola-list", [program.code]),
        ("program page", "portfolio:program-detail", [program.code]),
    ]
    found = []
    for label, name, args in pages:
        if args is None:
            continue
        try:
            found.append((label, reverse(name, args=args)))
        except NoReverseMatch:
            print(f"  (no URL named {name})")
    api = [
        "risks",
        "mitigation-actions",
        "issues",
        "risk-history",
        "people",
        "staffing-roles",
        "cost-rates",
        "absences",
        "allocations",
        "staffing-requests",
        "stage-gates",
        "gate-criteria",
        "change-requests",
        "change-request-lines",
        "decisions",
        "benefits",
        "benefit-measurements",
        "operating-level-agreements",
    ]
    found += [(f"GET /api/v1/{name}/", f"/api/v1/{name}/") for name in api]
    found += [
        ("GET risks/heat-map/?program=", f"/api/v1/risks/heat-map/?program={program.pk}"),
        ("GET risks/exposure/?program=", f"/api/v1/risks/exposure/?program={program.pk}"),
        ("GET staffing-requests/gaps/?program=", f"/api/v1/staffing-requests/gaps/?program={program.pk}"),
        ("GET people/capacity/", f"/api/v1/people/capacity/?portfolio={program.portfolio_id}"),
        ("GET allocations/conflicts/?program=", f"/api/v1/allocations/conflicts/?program={program.pk}"),
        ("GET allocations/labour-forecast/?project=", f"/api/v1/allocations/labour-forecast/?project={project.pk}"),
    ]
    return found


def measure(client: Client, path: str, repeat: int) -> tuple[int, int, float]:
    # With DEBUG on, every query is logged in a deque of at most 9,000 entries; once it is full
    # a capture would count nothing, so start each page from an empty log.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        best = min(best, time.perf_counter() - started)
    return response.status_code, len(captured.captured_queries), best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per page (best is printed)")
    parser.add_argument("--login", default="program_manager", help="demo username to sign in as")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    # As Django's test runner does: keep one connection for the whole run (otherwise it is
    # closed after each request and the captured query log goes with it).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    user = get_user_model().objects.filter(username=args.login).first()
    program = Program.objects.filter(manager__username="program_manager").order_by("pk").first()
    if user is None or program is None:
        sys.exit(f"No demo login {args.login!r} or demo program: seed first (manage.py seed_demo).")
    project = (
        Project.objects.filter(program=program, manager__username="project_manager").order_by("pk").first()
        or Project.objects.filter(program=program).order_by("pk").first()
    )
    client = Client()
    client.force_login(user)
    print(f"database: {connection.vendor}; {Project.objects.count()} projects; as {args.login}")
    print(f"program {program.code}, project {project.code}\n")
    print(f"{'page or endpoint':<44} {'status':>6} {'queries':>8} {'best ms':>9}")
    for label, path in targets(program, project):
        status, queries, best = measure(client, path, args.repeat)
        print(f"{label:<44} {status:>6} {queries:>8} {best * 1000:>9.1f}")


if __name__ == "__main__":
    main()
