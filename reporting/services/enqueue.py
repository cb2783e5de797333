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
from collections.abc import Iterable

from django.db import transaction
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
    if not claim(kind, pk):
        return False
    return _send(kind, pk, countdown=countdown)


def enqueue_many(kind: str, pks: Iterable[int], *, countdown: int = COALESCE_SECONDS) -> set[int]:
    """`enqueue` for many objects of one kind with a fixed number of queries (the sweep, a bulk
    writer's deferred ids): create the missing roll-up rows, claim every one not already
    waiting in one UPDATE, send a message for each claimed. Returns the ids sent."""
    model, field = _LEVELS[kind]
    source = model._meta.get_field(field.removesuffix("_id")).related_model
    # Only rows that still exist: one deleted since the change committed has nothing to recompute.
    pks = set(source.objects.filter(pk__in={int(pk) for pk in pks}).values_list("pk", flat=True))
    if not pks:
        return set()
    now = timezone.now()
    model.objects.bulk_create([model(**{field: pk}) for pk in sorted(pks)], ignore_conflicts=True)
    waiting = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REENQUEUE_AFTER)
    with transaction.atomic():
        # Waits for a recompute holding a row: it cleared the mark when it started, so a change
        # that committed meanwhile claims the row again and gets its own recompute.
        claimed = set(
            model.objects.select_for_update().filter(waiting, **{f"{field}__in": pks}).values_list(field, flat=True)
        )
        if claimed:
            model.objects.filter(**{f"{field}__in": claimed}).update(enqueued_at=now)
    return {pk for pk in sorted(claimed) if _send(kind, pk, countdown=countdown)}


def _send(kind: str, pk: int, *, countdown: int) -> bool:
    """Send the recompute task of a claimed object; on a broker error release the claim."""
    from .. import tasks  # tasks import the services; import late to keep the cycle out

    task = {"project": tasks.project_recompute, "program": tasks.program_recompute}.get(kind, tasks.portfolio_recompute)
    try:
        task.apply_async((pk,), countdown=countdown)
    except Exception:  # broker down: the write stands, the sweep catches up later
        log.warning("Could not enqueue the %s %s roll-up; the sweep will retry.", kind, pk, exc_info=True)
        release(kind, pk)
        return False
    return True


def projects_changed(ids: set[int]) -> None:
    enqueue_many("project", ids)


def programs_changed(ids: set[int]) -> None:
    enqueue_many("program", ids)


def portfolios_changed(ids: set[int]) -> None:
    enqueue_many("portfolio", ids)
