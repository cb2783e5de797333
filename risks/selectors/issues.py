"""One issue's page: the issue with what it shows loaded (its risk, the reserve drawdown and
who made it, owner), whether it is overdue, and its change history from the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone

from core.models import AuditEntry

from ..models import Issue
from .lists import issue_list


def _overdue(today: dt.date):
    return Case(
        When(Q(status__in=Issue.OPEN_STATUSES, due_date__lt=today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def issue_detail_list(*, user, today: dt.date | None = None):
    """Issues `user` can see, with the risk (and its project), the drawdown and its actor and the
    portfolio loaded, annotated `overdue` (open or in progress and past its due date)."""
    today = today or timezone.localdate()
    return (
        issue_list(user=user)
        .select_related("program__portfolio", "risk__project", "reserve_transaction__actor")
        .annotate(overdue=_overdue(today))
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class HistoryEntry:
    """One audit entry of an issue: when, who (None: the system), what, and the fields changed
    with their old and new values as text (old None on creation)."""

    at: dt.datetime
    actor: object
    action: str
    changes: tuple[FieldChange, ...]


def _label(name: str) -> str:
    try:
        return str(Issue._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:  # a field since removed keeps its stored name
        return name.replace("_", " ").capitalize()


def issue_history(issue: Issue) -> list[HistoryEntry]:
    """The issue's audit entries, oldest first (one query)."""
    entries = (
        AuditEntry.objects.filter(object_type=Issue._meta.label_lower, object_id=str(issue.pk))
        .select_related("actor")
        .order_by("at", "pk")
    )
    return [
        HistoryEntry(
            at=entry.at,
            actor=entry.actor,
            action=entry.get_action_display(),
            changes=tuple(
                FieldChange(_label(name), pair[0], pair[1])
                for name, pair in (entry.changes or {}).items()
                if isinstance(pair, list) and len(pair) == 2
            ),
        )
        for entry in entries
    ]
