"""Writes for mitigation actions and issues (audited; updates honour the row version)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import AuditEntry
from core.services import audit_record, model_changes, versioned_delete, versioned_update
from portfolio.models import Program
from projects.models import Project

from ..models import Issue, MitigationAction, Risk
from ._common import check_fields, next_number, resolve_scope, touch

COMPLETED_ONLY_WHEN_DONE = "Only a done action has a completion date."
COMPLETED_IN_FUTURE = "The completion date cannot be in the future."
RESOLUTION_REQUIRED = "Say how the issue was resolved."
RESOLVED_ON_ONLY_WHEN_RESOLVED = "Only a resolved or closed issue has a resolution date."
RESOLVED_IN_FUTURE = "The resolution date cannot be in the future."

ACTION_FIELDS = frozenset({"title", "owner", "due_date", "status", "cost", "completed_on"})
ISSUE_FIELDS = frozenset(
    {"title", "description", "severity", "owner", "due_date", "status", "resolution", "resolved_on"}
)


def _completion(data: dict, current: MitigationAction | None) -> None:
    """`completed_on` follows the status: today when an action becomes done without a date,
    cleared when it leaves done; refused on an action that is not done."""
    status = data.get("status", current.status if current else MitigationAction.Status.PLANNED)
    completed = data.get("completed_on", current.completed_on if current else None)
    if status == MitigationAction.Status.DONE:
        if completed is None:
            data["completed_on"] = timezone.localdate()
        elif completed > timezone.localdate():
            raise ValidationError({"completed_on": COMPLETED_IN_FUTURE})
    elif "completed_on" in data and data["completed_on"] is not None:
        raise ValidationError({"completed_on": COMPLETED_ONLY_WHEN_DONE})
    elif completed is not None:
        data["completed_on"] = None


@transaction.atomic
def mitigation_action_create(*, actor, risk: Risk, **fields: Any) -> MitigationAction:
    """Add an action to `risk` (cost in the base currency, ≥ 0)."""
    check_fields(fields, ACTION_FIELDS)
    _completion(fields, None)
    action = MitigationAction(risk=risk, **fields)
    action.full_clean()
    action.save()
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, obj=action, changes=model_changes(action, ["risk", *fields])
    )
    touch(risk)  # mitigation cost and progress count in the risk figures
    return action


@transaction.atomic
def mitigation_action_update(
    *, actor, action: MitigationAction, data: dict[str, Any], expected_version: int | None = None
) -> MitigationAction:
    data = dict(data)
    check_fields(data, ACTION_FIELDS)
    _completion(data, action)
    action = versioned_update(instance=action, data=data, actor=actor, expected_version=expected_version)
    touch(action.risk)
    return action


@transaction.atomic
def mitigation_action_delete(*, actor, action: MitigationAction, expected_version: int | None = None) -> None:
    versioned_delete(instance=action, actor=actor, expected_version=expected_version)
    touch(action.risk)


def _resolution(data: dict, current: Issue | None) -> None:
    """`resolved_on` follows the status (today when resolving without a date, cleared when
    reopening); resolving needs a resolution text."""
    status = data.get("status", current.status if current else Issue.Status.OPEN)
    resolved_on = data.get("resolved_on", current.resolved_on if current else None)
    if status in Issue.DONE_STATUSES:
        if not (data.get("resolution", current.resolution if current else "") or "").strip():
            raise ValidationError({"resolution": RESOLUTION_REQUIRED})
        if resolved_on is None:
            data["resolved_on"] = timezone.localdate()
        elif resolved_on > timezone.localdate():
            raise ValidationError({"resolved_on": RESOLVED_IN_FUTURE})
    elif "resolved_on" in data and data["resolved_on"] is not None:
        raise ValidationError({"resolved_on": RESOLVED_ON_ONLY_WHEN_RESOLVED})
    elif resolved_on is not None:
        data["resolved_on"] = None


@transaction.atomic
def issue_create(*, actor, project: Project | None = None, program: Program | None = None, **fields: Any) -> Issue:
    """Log an issue on `project` or (program scope) on `program`. Issues opened by realising a
    risk come from risks.services.risk_realise instead."""
    check_fields(fields, ISSUE_FIELDS)
    program, project = resolve_scope(project=project, program=program)
    _resolution(fields, None)
    issue = Issue(program=program, project=project, number=next_number(Issue, program), **fields)
    issue.full_clean()
    issue.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=issue,
        changes=model_changes(issue, ["program", "project", "number", *fields]),
    )
    touch(issue)
    return issue


@transaction.atomic
def issue_update(*, actor, issue: Issue, data: dict[str, Any], expected_version: int | None = None) -> Issue:
    data = dict(data)
    check_fields(data, ISSUE_FIELDS)
    _resolution(data, issue)
    issue = versioned_update(instance=issue, data=data, actor=actor, expected_version=expected_version)
    touch(issue)
    return issue


@transaction.atomic
def issue_delete(*, actor, issue: Issue, expected_version: int | None = None) -> None:
    """Delete an issue. The reserve drawdown of a realisation stays in the reserve log."""
    versioned_delete(instance=issue, actor=actor, expected_version=expected_version)
    touch(issue)
