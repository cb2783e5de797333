"""Daily MetricSnapshots for the trend charts: taken nightly from the current roll-up rows
(`snapshots_take`), and backfilled for the demo from source rows as of past days
(`snapshots_backfill`).

A snapshot is replaced, never added to: taking the same day twice gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portfolio.models import Program
from projects.models import Project

from ..models import Health, MetricSnapshot, PortfolioRollup, ProgramRollup, ProjectRollup
from . import rollups

# The roll-up fields a snapshot keeps (MetricSnapshot's figures).
FIELDS = (
    "bac",
    "pv",
    "ev",
    "ac",
    "eac",
    "cpi",
    "spi",
    "emv",
    "residual_emv",
    "exposure_uncovered",
    "percent_complete",
    "slip_working_days",
    "forecast_finish",
    "people_overallocated",
    "health_overall",
    "reported_rag",
)
SUMMED = ("bac", "pv", "ev", "ac", "eac", "emv", "residual_emv", "exposure_uncovered")
# Worst first: a program's health on a past day is its worst project's.
HEALTH_RANK = {Health.RED: 3, Health.AMBER: 2, Health.GREEN: 1, Health.NONE: 0}
RATIO_PLACES = Decimal("0.0001")
RATIO_LIMIT = Decimal("99999999")  # MetricSnapshot.cpi/spi hold 12 digits, 4 after the point

BATCH = 2000


def _figures_of(source, **scope) -> MetricSnapshot:
    return MetricSnapshot(**scope, **{name: getattr(source, name) for name in FIELDS})


def _replace(days: Iterable[dt.date], rows: list[MetricSnapshot], scope: Q) -> int:
    """Delete the snapshots of `days` within `scope`, insert `rows` (one transaction)."""
    with transaction.atomic():
        MetricSnapshot.objects.filter(scope, day__in=list(days)).delete()
        MetricSnapshot.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def snapshots_take(*, day: dt.date | None = None) -> int:
    """One snapshot per project, program and portfolio that has a roll-up row, copied from
    that row, for `day` (default today). Replaces that day's snapshots; four queries plus the
    inserts whatever the number of rows. Returns how many snapshots were written."""
    day = day or timezone.localdate()
    taken_at = timezone.now()
    rows = [_figures_of(r, project_id=r.project_id, day=day) for r in ProjectRollup.objects.all()]
    rows += [_figures_of(r, program_id=r.program_id, day=day) for r in ProgramRollup.objects.all()]
    rows += [_figures_of(r, portfolio_id=r.portfolio_id, day=day) for r in PortfolioRollup.objects.all()]
    for row in rows:
        row.taken_at = taken_at
    return _replace([day], rows, Q())


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    try:
        value = (numerator / denominator).quantize(RATIO_PLACES)
    except InvalidOperation:
        return None
    return value if abs(value) <= RATIO_LIMIT else None


def _sum(values: list) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _worst(values: list[str]) -> str:
    return max(values, key=lambda v: HEALTH_RANK.get(v, 0), default=Health.NONE)


def aggregate(snapshots: list[MetricSnapshot], **scope) -> MetricSnapshot:
    """A program's or portfolio's snapshot from its projects' snapshots of the same day: money
    summed, CPI and SPI recomputed from the sums (EV/AC, EV/PV), percent complete weighted by
    BAC (plain mean where no project has a BAC), the largest slip and latest forecast finish,
    over-allocations summed, the worst computed and reported health."""
    row = MetricSnapshot(**scope)
    for name in SUMMED:
        setattr(row, name, _sum([getattr(s, name) for s in snapshots]))
    row.cpi = _ratio(row.ev, row.ac)
    row.spi = _ratio(row.ev, row.pv)
    weighted = [(s.percent_complete, s.bac) for s in snapshots if s.percent_complete is not None]
    weight = sum((bac for _, bac in weighted if bac), Decimal(0))
    if weight:
        row.percent_complete = (sum(pc * bac for pc, bac in weighted if bac) / weight).quantize(Decimal("0.01"))
    elif weighted:
        row.percent_complete = (sum(pc for pc, _ in weighted) / len(weighted)).quantize(Decimal("0.01"))
    slips = [s.slip_working_days for s in snapshots if s.slip_working_days is not None]
    row.slip_working_days = max(slips) if slips else None
    finishes = [s.forecast_finish for s in snapshots if s.forecast_finish is not None]
    row.forecast_finish = max(finishes) if finishes else None
    row.people_overallocated = sum(s.people_overallocated for s in snapshots)
    row.health_overall = _worst([s.health_overall for s in snapshots])
    row.reported_rag = _worst([s.reported_rag for s in snapshots]) or ""
    return row


def backfill_days(*, today: dt.date, days: int, step: int) -> list[dt.date]:
    """Every `step`-th day back from `today` (included, so the charts reach today before the
    first nightly snapshot), no further back than `days`, oldest first."""
    return sorted(today - dt.timedelta(days=back) for back in range(0, days + 1, step))


def snapshots_backfill(*, days: int = 365, step: int = 7, today: dt.date | None = None) -> int:
    """History for the trend charts of a fresh database (the demo): for every `step`-th day of
    the last `days`, each project's figures as of that day recomputed from source rows
    (reporting.services.rollups.project_figures), and each program's and portfolio's
    aggregated from its projects' snapshots of that day (see `aggregate`; program-level risks
    and reserves are not in them). Replaces those days' snapshots. Returns how many were
    written."""
    today = today or timezone.localdate()
    day_list = backfill_days(today=today, days=days, step=step)
    projects = list(Project.objects.select_related("program__portfolio").order_by("pk"))
    portfolio_of = dict(Program.objects.values_list("pk", "portfolio_id"))
    rows: list[MetricSnapshot] = []
    for day in day_list:
        by_program: dict[int, list[MetricSnapshot]] = defaultdict(list)
        for project in projects:
            figures = rollups.project_figures(project, as_of=day)
            snapshot = MetricSnapshot(project_id=project.pk, day=day, **{n: figures.get(n) for n in FIELDS})
            snapshot.people_overallocated = snapshot.people_overallocated or 0
            snapshot.health_overall = snapshot.health_overall or Health.NONE
            snapshot.reported_rag = snapshot.reported_rag or ""
            by_program[project.program_id].append(snapshot)
            rows.append(snapshot)
        by_portfolio: dict[int, list[MetricSnapshot]] = defaultdict(list)
        for program_id, snapshots in by_program.items():
            rows.append(aggregate(snapshots, program_id=program_id, day=day))
            by_portfolio[portfolio_of[program_id]].extend(snapshots)
        for portfolio_id, snapshots in by_portfolio.items():
            rows.append(aggregate(snapshots, portfolio_id=portfolio_id, day=day))
    return _replace(day_list, rows, Q())
