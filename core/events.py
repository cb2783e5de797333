"""Domain events for whoever listens (webhooks today): "a status report was submitted", "a risk
became critical". core knows no domain and no listener: a service calls `emit(kind, ...)` inside
its transaction, and every callback registered with `subscribe(kind, callback)` (at start-up, in
an AppConfig.ready above the domains — `integrations.apps`) is called after commit, with
`robust=True`, so a listener that fails never fails the write that has already committed, and a
rolled-back write emits nothing.

`payload` is plain JSON data (strings, numbers, lists, dicts) describing the event; the scope
ids say which portfolio and program it belongs to (a listener filters on them).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

STATUS_REPORT_SUBMITTED = "status_report.submitted"
HEALTH_CHANGED = "health.changed"
MILESTONE_SLIPPED = "milestone.slipped"
RISK_BECAME_CRITICAL = "risk.became_critical"
THRESHOLD_BREACHED = "threshold.breached"
CHANGE_REQUEST_DECIDED = "change_request.decided"

KINDS = {
    STATUS_REPORT_SUBMITTED: "Status report submitted",
    HEALTH_CHANGED: "Health changed",
    MILESTONE_SLIPPED: "Milestone slipped",
    RISK_BECAME_CRITICAL: "Risk became critical",
    THRESHOLD_BREACHED: "Threshold breached",
    CHANGE_REQUEST_DECIDED: "Change request decided",
}
UNKNOWN_KIND = "Unknown event kind {kind!r}."


@dataclass(frozen=True)
class Event:
    kind: str
    portfolio_id: int | None
    program_id: int | None
    payload: dict = field(default_factory=dict)
    occurred_at: object = None  # an aware datetime, set by emit()


_subscribers: dict[str, list[Callable[[Event], None]]] = defaultdict(list)


def subscribe(kind: str, callback: Callable[[Event], None]) -> None:
    """Call `callback(event)` after the commit of every transaction that emitted `kind`."""
    if kind not in KINDS:
        raise ValueError(UNKNOWN_KIND.format(kind=kind))
    if callback not in _subscribers[kind]:
        _subscribers[kind].append(callback)


def emit(kind: str, *, portfolio_id: int | None, program_id: int | None, payload: dict) -> Event:
    """Announce `kind` to its subscribers once the caller's transaction commits (at once outside
    one). Cheap when nobody listens: no query is made here."""
    if kind not in KINDS:
        raise ValueError(UNKNOWN_KIND.format(kind=kind))
    event = Event(
        kind=kind, portfolio_id=portfolio_id, program_id=program_id, payload=payload, occurred_at=timezone.now()
    )
    for callback in list(_subscribers[kind]):
        transaction.on_commit(lambda callback=callback: callback(event), robust=True)
    return event
