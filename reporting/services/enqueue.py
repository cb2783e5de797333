"""Enqueue roll-up recomputes after commit, coalesced: at most one waits per object.

A burst of writes to one project (100 edits in a second) bumps its input version 100 times but
enqueues once: the first claim sets `enqueued_at` on the roll-up row, later ones see it set and
stop. The task clears the mark when it starts and recomputes to whatever version is current then,
so edits that land during a recompute cause exactly one more. A mark older than
`REENQUEUE_AFTER` is presumed lost (a broker that dropped it, a worker killed before it started)
and may be claimed again; the beat sweep does that for rows nobody touches.

If the broker cannot be reached the mark is cleared again and the write, already committed,
stands: the summary is stale, pages say so, and the sweep catches up when the broker returns.
"""

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from ..models import PortfolioRollup, ProgramRollup, ProjectRollup

log = logging.getLogger(__name__)

# Wait this long before starting, so the rest of a burst joins the same recompute.
COALESCE_SECONDS = 2
REENQUEUE_AFTER = dt.timedelta(minutes=10)

_LEVELS = {
    "project": (ProjectRollup, "project_id"),
    "program": (ProgramRollup, "program_id"),
    "portfolio": (PortfolioRollup, "portfolio_id"),
}


def claim(kind: str, pk: int) -> bool:
    """Mark the roll-up of `kind` `pk` as enqueued; False when one is already waiting."""
    model, field = _LEVELS[kind]
    now = timezone.now()
    if not model.objects.filter(**{field: pk}).exists():
        model.objects.get_or_create(**{field: pk})
    waiting = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REENQUEUE_AFTER)
    return bool(model.objects.filter(waiting, **{field: pk}).update(enqueued_at=now))


def release(kind: str, pk: int) -> None:
    """Clear the enqueue mark (the task started, or the message could not be sent)."""
    model, field = _LEVELS[kind]
    model.objects.filter(**{field: pk}).update(enqueued_at=None)


def enqueue(kind: str, pk: int, *, countdown: int = COALESCE_SECONDS) -> bool:
    """Send one recompute of `kind` `pk` unless one is already waiting. True when sent."""
    from .. import tasks  # tasks import the services; import late to keep the cycle out

    if not claim(kind, pk):
        return False
    task = {"project": tasks.project_recompute, "program": tasks.program_recompute}.get(kind, tasks.portfolio_recompute)
    try:
        task.apply_async((pk,), countdown=countdown)
    except Exception:  # broker down: the write stands, the sweep catches up later
        log.warning("Could not enqueue the %s %s roll-up; the sweep will retry.", kind, pk, exc_info=True)
        release(kind, pk)
        return False
    return True


def projects_changed(ids: set[int]) -> None:
    for pk in sorted(ids):
        enqueue("project", pk)


def programs_changed(ids: set[int]) -> None:
    for pk in sorted(ids):
        enqueue("program", pk)


def portfolios_changed(ids: set[int]) -> None:
    for pk in sorted(ids):
        enqueue("portfolio", pk)
