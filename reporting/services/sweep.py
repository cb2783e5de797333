"""The beat sweep: re-enqueue every roll-up that is behind, so a lost message costs a delay.

A roll-up is behind when it is missing (never computed), stale (its `input_version` is not its
source's current one, core.changes), or computed for an earlier day than today (PV, "due in 30
days" and data ages count from `as_of`, so every roll-up moves on once a day). One that is
already waiting for a recompute (an `enqueued_at` mark younger than `enqueue.REENQUEUE_AFTER`)
is left alone; an older mark is presumed lost and claimed again.

A fixed number of queries per level whatever the number of rows: one to find the ids, then
`enqueue.enqueue_many` (create the missing rows, claim, send).
"""

import datetime as dt

from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.models import InputVersion
from portfolio.models import Portfolio, Program
from projects.models import Project

from ..models import PortfolioRollup, ProgramRollup, ProjectRollup
from . import enqueue

# kind → (source model, roll-up model, the roll-up's key field)
LEVELS = (
    ("project", Project, ProjectRollup, "project_id"),
    ("program", Program, ProgramRollup, "program_id"),
    ("portfolio", Portfolio, PortfolioRollup, "portfolio_id"),
)


def behind_ids(kind: str, *, today: dt.date | None = None) -> list[int]:
    """The ids of `kind` whose roll-up is missing, stale or of an earlier day, and not waiting
    for a recompute (one query)."""
    _, source, rollup_model, field = next(level for level in LEVELS if level[0] == kind)
    today = today or timezone.localdate()
    lost_before = timezone.now() - enqueue.REENQUEUE_AFTER
    rollup = rollup_model.objects.filter(**{field: OuterRef("pk")})
    version = InputVersion.objects.filter(kind=kind, object_id=OuterRef("pk")).values("version")[:1]
    rows = source.objects.annotate(
        current=Coalesce(Subquery(version), Value(1)),  # 1: never changed (core.changes)
        seen=Subquery(rollup.values("input_version")[:1]),
        computed_at=Subquery(rollup.values("computed_at")[:1]),
        as_of=Subquery(rollup.values("as_of")[:1]),
        enqueued_at=Subquery(rollup.values("enqueued_at")[:1]),
    )
    behind = (
        Q(computed_at__isnull=True)  # also no row at all
        | Q(seen__isnull=True)
        | ~Q(seen=F("current"))
        | Q(as_of__isnull=True)
        | Q(as_of__lt=today)
    )
    free = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=lost_before)
    return list(rows.filter(behind & free).order_by("pk").values_list("pk", flat=True))


def rollups_sweep(*, today: dt.date | None = None) -> dict:
    """Enqueue a recompute of every roll-up that is behind (see the module docstring), projects
    first. Returns how many were found and how many sent, per level:
    {"project": {"behind": n, "enqueued": m}, "program": …, "portfolio": …}."""
    result = {}
    for kind, *_ in LEVELS:
        ids = behind_ids(kind, today=today)
        sent = enqueue.enqueue_many(kind, ids)
        result[kind] = {"behind": len(ids), "enqueued": len(sent)}
    return result
