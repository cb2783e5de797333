"""Input versions: how a write tells the roll-ups that their inputs moved.

A roll-up (the `reporting` app's summary tables) reflects one *input version* of the project,
program or portfolio it summarises (core.models.InputVersion). Every service that changes
something a roll-up reads calls `inputs_changed` here: in the writer's own transaction it adds one
to the version of each project, program and portfolio named, and after commit it hands the ids to
whoever listens (the `reporting` app enqueues a recompute). A summary whose `input_version` is
below its source's is stale: pages say so and the sweep re-enqueues it, so a lost message
costs a delay, never a wrong figure.

core knows no domain: ids come from the caller, and the listeners register themselves at
start-up (`reporting.apps`). Listeners run after commit with `robust=True`, so a
broker that is down never fails the write that has already committed.

`deferred()` collects the changes of a bulk writer (the demo seed, an import) and hands them on
once, when the outermost block exits.
"""

import contextlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import InputVersion

# kind ("project", "program", "portfolio") -> callbacks taking a set of ids
_listeners: dict[str, list[Callable[[set[int]], None]]] = defaultdict(list)
_local = threading.local()


def listen(kind: str, callback: Callable[[set[int]], None]) -> None:
    """Call `callback(ids)` after every commit that bumped the input version of rows of `kind`."""
    if callback not in _listeners[kind]:
        _listeners[kind].append(callback)


def _dispatch(kind: str, ids: set[int]) -> None:
    for callback in list(_listeners[kind]):
        callback(ids)


def inputs_changed(*, projects: Iterable = (), programs: Iterable = (), portfolios: Iterable = ()) -> None:
    """Bump the input version of each project, program and portfolio given (rows or ids), in the
    caller's transaction, and notify the listeners after commit (or when the outermost
    `deferred()` block ends). Call it from the service that made the change, after its writes."""
    for kind, items in (
        (InputVersion.Kind.PROJECT, projects),
        (InputVersion.Kind.PROGRAM, programs),
        (InputVersion.Kind.PORTFOLIO, portfolios),
    ):
        ids = {int(getattr(item, "pk", item)) for item in items if item is not None}
        if ids:
            _bump(str(kind), ids)


def _bump(kind: str, ids: set[int]) -> None:
    now = timezone.now()
    with transaction.atomic():
        updated = set(
            InputVersion.objects.filter(kind=kind, object_id__in=ids)
            .select_for_update()
            .order_by("object_id")  # one lock order, so two writers never deadlock
            .values_list("object_id", flat=True)
        )
        if updated:
            InputVersion.objects.filter(kind=kind, object_id__in=updated).update(
                version=F("version") + 1, changed_at=now
            )
        missing = ids - updated
        if missing:
            # Version 1 is "never changed"; a first change makes it 2. ignore_conflicts: a
            # concurrent writer may create the same row; its bump then stands for ours too.
            InputVersion.objects.bulk_create(
                [InputVersion(kind=kind, object_id=pk, version=2, changed_at=now) for pk in sorted(missing)],
                ignore_conflicts=True,
            )
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending[kind] |= ids
        return
    transaction.on_commit(lambda: _dispatch(kind, ids), robust=True)


def current_versions(kind: str, ids: Iterable[int]) -> dict[int, int]:
    """The input version of each id (1 for one never changed)."""
    ids = {int(pk) for pk in ids}
    found = dict(InputVersion.objects.filter(kind=kind, object_id__in=ids).values_list("object_id", "version"))
    return {pk: found.get(pk, 1) for pk in ids}


@contextlib.contextmanager
def deferred():
    """Hold the notifications of every bump inside the block and send each id once at the end.

    The versions are still bumped row by row, so summaries are marked stale at once; only the
    enqueueing waits. Nested blocks join the outermost one.
    """
    outer = getattr(_local, "pending", None)
    if outer is not None:
        yield
        return
    _local.pending = defaultdict(set)
    try:
        yield
        pending = _local.pending
    finally:
        _local.pending = None
    for kind, ids in pending.items():
        if ids:
            transaction.on_commit(lambda kind=kind, ids=ids: _dispatch(kind, ids), robust=True)
