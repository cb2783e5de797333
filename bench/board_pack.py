"""Benchmark of the board pack: the PDF portfolio report of the largest portfolio.

Run from the repository root against a seeded database (DATABASE_URL / KEEL_DATA_DIR as the app
reads them, or --database-url)::

    DEBUG=1 .venv/bin/python bench/board_pack.py [--database-url postgres://…/keel_large] [--login admin]
        [--out board-pack.pdf] [--copies 10]

Picks the portfolio with the most projects, reads its pack as `--login` (default: the first
superuser, who sees every program), lays it out with WeasyPrint and renders the PDF, printing the
CPU seconds (time.process_time) and wall seconds of each step, the page count and the SQL query
count. It prints and never asserts: times depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="database to read (default: the settings')")
    parser.add_argument("--login", help="username to read the pack as (default: the first superuser)")
    parser.add_argument("--out", help="also write the PDF to this file")
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="print each program's page this many times, to time layout past the demo's program count "
        "(the reads are measured once, as they are)",
    )
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url

    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from portfolio.models import Portfolio
    from reporting import reports
    from reporting.views.reports import pack_document

    users = get_user_model().objects
    user = users.get(username=args.login) if args.login else users.filter(is_superuser=True).order_by("pk").first()
    portfolio = Portfolio.objects.annotate(n=Count("programs__projects")).order_by("-n", "pk").first()
    if user is None or portfolio is None:
        sys.exit("Nothing to render: seed the demo first (manage.py seed_demo).")
    print(f"Portfolio {portfolio.name!r} ({portfolio.n} projects) as {user.username}")

    cpu, wall = time.process_time(), time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        pack = reports.portfolio_pack(user=user, portfolio=portfolio)
        pack.sections = pack.sections * args.copies
        read_cpu, read_wall = time.process_time() - cpu, time.perf_counter() - wall
        document = pack_document(pack=pack, template="reporting/pdf/portfolio_report.html", base_url="http://keel/")
    layout_cpu, layout_wall = time.process_time() - cpu, time.perf_counter() - wall
    pdf = document.write_pdf()
    total_cpu, total_wall = time.process_time() - cpu, time.perf_counter() - wall
    if args.out:
        Path(args.out).write_bytes(pdf)

    print(f"program pages     {len(pack.sections)}")
    print(f"pages             {len(document.pages)}")
    print(f"queries           {len(captured.captured_queries)}")
    print(f"read    cpu {read_cpu:7.2f} s   wall {read_wall:7.2f} s")
    print(f"layout  cpu {layout_cpu - read_cpu:7.2f} s   wall {layout_wall - read_wall:7.2f} s")
    print(f"total   cpu {total_cpu:7.2f} s   wall {total_wall:7.2f} s   ({len(pdf) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
