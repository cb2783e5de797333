"""Access-scoped lists with what their rows display loaded, and the register sort keys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import BooleanField, Case, DecimalField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

from ..models import Issue, MitigationAction, Risk, RiskScoreHistory

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)


def _sum(expression, **filters):
    return Coalesce(Sum(expression, filter=Q(**filters) if filters else None), Value(ZERO), output_field=MONEY)


# -- lists -----------------------------------------------------------------------------------


def risk_list(*, user):
    """Risks `user` can see, with what a register row shows (program, project, owner, supplier)."""
    return Risk.objects.visible_to(user).select_related(
        "program", "program__portfolio", "project", "owner", "vendor", "contract", "escalated_by"
    )


def risk_detail_list(*, user):
    """risk_list plus the linked tasks, mitigation actions and history a risk page shows."""
    return risk_list(user=user).select_related("issue").prefetch_related("tasks")


def _overdue(today: dt.date):
    return Case(
        When(Q(status__in=MitigationAction.OPEN, due_date__lt=today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def mitigation_action_list(*, user, today: dt.date | None = None):
    """Actions on risks `user` can see, annotated `overdue` (open and past its due date)."""
    today = today or timezone.localdate()
    return (
        MitigationAction.objects.visible_to(user)
        .select_related("risk", "risk__program", "owner")
        .annotate(overdue=_overdue(today))
    )


def issue_list(*, user):
    return Issue.objects.visible_to(user).select_related(
        "program", "project", "owner", "risk", "risk__program", "reserve_transaction"
    )


def risk_history_list(*, user):
    return RiskScoreHistory.objects.visible_to(user).select_related("risk", "risk__program", "actor")


# Sort keys of the register (`?sort=key` or `?sort=-key`) and the columns they use.
RISK_SORTS = {
    "reference": ["program__code", "number"],
    "title": ["title"],
    "project": ["project__code"],
    "category": ["category"],
    "score": ["score"],
    "residual": ["residual_score"],
    "emv": ["emv"],
    "owner": ["owner__last_name", "owner__first_name"],
    "status": ["status"],
    "proximity": ["proximity_date"],
}
RISK_DEFAULT_SORT = "-score"
ISSUE_SORTS = {
    "reference": ["program__code", "number"],
    "title": ["title"],
    "project": ["project__code"],
    "severity": ["severity"],
    "status": ["status"],
    "due": ["due_date"],
    "owner": ["owner__last_name", "owner__first_name"],
}
ISSUE_DEFAULT_SORT = "reference"


def sorted_by(queryset, *, sort: str, sorts: dict, default: str):
    """Order by a `sorts` key (a leading '-' reverses it), pk breaking ties. Returns (queryset,
    sort applied); an unknown key falls back to `default`."""
    if sort.removeprefix("-") not in sorts:
        sort = default
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = [f"-{c}" if descending else c for c in sorts[key]]
    if key == "score":
        columns.append("-emv" if descending else "emv")
    return queryset.order_by(*columns, "pk"), sort
