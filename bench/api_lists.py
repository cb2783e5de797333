"""Each main API list endpoint against a bare DRF ListAPIView serializing the same rows.

Run from the repository root against a seeded demo (the database as the app reads it)::

    DEBUG=1 .venv/bin/python bench/api_lists.py [--scale small|medium|large] [--login program_manager]
        [--repeat 7] [--page-size 50] [--json]

`--scale` seeds that demo first when the database is empty (`seed_demo --if-empty`; `large` takes
a while, see bench/README.md); a seeded database is used as it is.

For every endpoint it times (median of `--repeat`, after one warm-up, the two views called
alternately so that load from elsewhere falls on both) a GET of the first page
through the real viewset (`<ViewSet>.as_view({"get": "list"})`: its visibility query, filter
backends, KeelPagination and serializer) and through a bare `ListAPIView` with the same
serializer class and the viewset's own queryset (its `select_related`, prefetches, annotations and
ordering) with the visibility WHERE replaced by a literal list of the user's project (and program) ids computed
before the clock starts — what a hand-written endpoint that already knew them would cost. Both
are called with APIRequestFactory and `force_authenticate`, so middleware and authentication are
out of both. Prints rows, SQL queries of each, both times and the ratio bare/ours (1.0: as fast
as bare DRF; the aim is ≥ 0.7). It prints and never asserts: times depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.db.models.sql.where import WhereNode  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.generics import ListAPIView  # noqa: E402
from rest_framework.pagination import PageNumberPagination  # noqa: E402
from rest_framework.test import APIRequestFactory, force_authenticate  # noqa: E402

from config.api_router import router  # noqa: E402
from portfolio.models import Program  # noqa: E402
from portfolio.querysets import sees_everything  # noqa: E402
from projects.models import Project  # noqa: E402

# (router prefix, how the bare view selects the same rows from the visible ids)
ENDPOINTS: list[tuple[str, object]] = [
    ("programs", lambda ids: Q(pk__in=ids["programs"])),
    ("projects", lambda ids: Q(pk__in=ids["projects"])),
    ("status-reports", lambda ids: Q(project__in=ids["projects"])),
    ("tasks", lambda ids: Q(project__in=ids["projects"])),
    ("dependencies", lambda ids: Q(successor__project__in=ids["projects"])),
    ("budget-lines", lambda ids: Q(project__in=ids["projects"])),
    ("cost-entries", lambda ids: Q(project__in=ids["projects"])),
    ("forecasts", lambda ids: Q(project__in=ids["projects"])),
    (
        "risks",
        lambda ids: (
            Q(project__isnull=False, project__in=ids["projects"]) | Q(project__isnull=True, program__in=ids["programs"])
        ),
    ),
    (
        "issues",
        lambda ids: (
            Q(project__isnull=False, project__in=ids["projects"]) | Q(project__isnull=True, program__in=ids["programs"])
        ),
    ),
    ("allocations", lambda ids: Q(project__in=ids["projects"])),
]


def viewsets() -> dict[str, type]:
    return {prefix: viewset for prefix, viewset, _basename in router.registry}


def bare_view(viewset, user, ids, selector, page_size: int):
    """A ListAPIView over the rows `viewset` lists for `user`, without its machinery."""
    probe = viewset()
    probe.request, probe.format_kwarg, probe.kwargs, probe.action = None, None, {}, "list"
    probe.request = _request(user)
    # The viewset's own queryset (select_related, prefetches, annotations, ordering) with its
    # WHERE — the visibility subqueries, the only filter a list's base queryset has — replaced
    # by the literal id lists.
    base = probe.get_queryset()._chain()
    base.query.where = WhereNode()
    if not sees_everything(user):
        base = base.filter(selector(ids))

    class Page(PageNumberPagination):
        pass

    Page.page_size = page_size
    view_class = ListAPIView
    attach = getattr(viewset.serializer_class, "attach", None)
    if attach is not None:
        # Serializers with computed health read the page's summaries in one go (reporting.api):
        # the bare view does the same, or it would pay a query per row for them.
        class Attaching(ListAPIView):
            def paginate_queryset(self, queryset):
                page = super().paginate_queryset(queryset)
                attach(page, self.request.user)
                return page

        view_class = Attaching
    return view_class.as_view(
        queryset=base,
        serializer_class=viewset.serializer_class,
        pagination_class=Page,
        filter_backends=[],
        authentication_classes=[],
        permission_classes=[],
    )


def _request(user, page_size: int = 50):
    request = APIRequestFactory().get("/", {"page_size": page_size} if page_size else {}, HTTP_HOST="localhost")
    force_authenticate(request, user=user)
    request.user = user
    return request


def _once(view, user, page_size: int) -> tuple[float, int, int, int]:
    request = _request(user, page_size)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = view(request)
        response.render()
        elapsed = time.perf_counter() - started
    data = getattr(response, "data", None)
    count = data.get("count", 0) if isinstance(data, dict) else 0
    return elapsed, len(captured.captured_queries), response.status_code, count


def measure_pair(ours, bare, user, page_size: int, repeat: int) -> tuple[tuple, tuple]:
    """(median seconds, queries, status, count) of GET page 1 through `ours` and through `bare`.

    The two are called alternately (ours, bare, ours, bare, …; the first pair warms caches and is
    not counted), so a burst of load from elsewhere on the machine falls on both rather than on
    whichever happened to be measured at the time."""
    times: dict[str, list[float]] = {"ours": [], "bare": []}
    last: dict[str, tuple[int, int, int]] = {}
    for attempt in range(repeat + 1):
        for name, view in (("ours", ours), ("bare", bare)):
            elapsed, queries, status, count = _once(view, user, page_size)
            if attempt:
                times[name].append(elapsed)
            last[name] = (queries, status, count)
    return tuple((statistics.median(times[name]), *last[name]) for name in ("ours", "bare"))


def run(*, login: str, repeat: int, page_size: int, only: list[str] | None = None) -> list[dict]:
    user = get_user_model().objects.get(username=login)
    ids = {
        "projects": list(Project.objects.visible_to(user).values_list("pk", flat=True)),
        "programs": list(Program.objects.visible_to(user).values_list("pk", flat=True)),
    }
    found = viewsets()
    results = []
    for prefix, selector in ENDPOINTS:
        if only and prefix not in only:
            continue
        viewset = found[prefix]
        ours = viewset.as_view({"get": "list"})
        bare = bare_view(viewset, user, ids, selector, page_size)
        (ours_s, ours_q, ours_status, ours_count), (bare_s, bare_q, bare_status, bare_count) = measure_pair(
            ours, bare, user, page_size, repeat
        )
        results.append(
            {
                "endpoint": f"/api/v1/{prefix}/",
                "rows": ours_count,
                "same_rows": ours_count == bare_count and ours_status == bare_status == 200,
                "ours_ms": ours_s * 1000,
                "bare_ms": bare_s * 1000,
                "ours_queries": ours_q,
                "bare_queries": bare_q,
                "ratio": bare_s / ours_s if ours_s else 0.0,
            }
        )
    return results


def print_table(results: list[dict], *, login: str) -> None:
    print(f"API lists as {login}: first page, bare ListAPIView time / ours (aim >= 0.70)")
    print(f"{'endpoint':34} {'rows':>9} {'q ours':>6} {'q bare':>6} {'ours ms':>8} {'bare ms':>8} {'ratio':>6}")
    for r in results:
        flag = "" if r["same_rows"] else "  (row counts differ!)"
        print(
            f"{r['endpoint']:34} {r['rows']:>9,} {r['ours_queries']:>6} {r['bare_queries']:>6} "
            f"{r['ours_ms']:>8.1f} {r['bare_ms']:>8.1f} {r['ratio']:>6.2f}{flag}"
        )
    ratios = [r["ratio"] for r in results]
    if ratios:
        print(f"ratio: min {min(ratios):.2f}, median {statistics.median(ratios):.2f}, max {max(ratios):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "medium", "large"], default=None)
    parser.add_argument("--login", default="program_manager")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--only", nargs="*", help="router prefixes to measure (default: all)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if args.scale and not Project.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", scale=args.scale, if_empty=True, no_history=True, no_progress=True)
        print(f"seeded {args.scale} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    results = run(login=args.login, repeat=args.repeat, page_size=args.page_size, only=args.only)
    if args.json:
        print(json.dumps(results))
    else:
        print(f"{Project.objects.count():,} projects in the database")
        print_table(results, login=args.login)


if __name__ == "__main__":
    main()
