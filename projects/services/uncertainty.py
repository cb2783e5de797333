"""Writes for the schedule's uncertainty (projects.models.uncertainty): a task's three-point
estimate, percentage ranges on WBS branches, correlation groups. Keyword-only, atomic,
validated (ValidationError keyed by field, texts below) and audited. Permission is the caller's
business: views and viewsets pick the project from `Project.objects.editable_by(user)` first.

None of these move a date: the plan (the most likely value) is unchanged, so nothing is
rescheduled; only the next risk analysis reads them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import AuditEntry
from core.services import (
    audit_record,
    create_audited,
    versioned_delete,
    versioned_update,
)

from ..models import CorrelationGroup, DurationRange, Project, Task
from ..models.uncertainty import DISTRIBUTION_VALUES

ESTIMATE_BOTH_OR_NEITHER = "Give both the optimistic and the pessimistic duration, or neither."
OPTIMISTIC_ABOVE_DURATION = "The optimistic duration cannot be longer than the planned duration ({duration})."
PESSIMISTIC_BELOW_DURATION = "The pessimistic duration cannot be shorter than the planned duration ({duration})."
ESTIMATE_ON_SUMMARY = "A summary task's duration comes from its subtasks: give the estimates on those."
UNKNOWN_DISTRIBUTION = "Choose triangular, PERT or uniform."
BRANCH_OTHER_PROJECT = "The branch must be a task of this project."
BRANCH_NOT_SUMMARY = "A branch is a summary task (one with subtasks); leave it empty for all tasks."
BRANCH_TAKEN = "This branch already has a range: edit that one."
ALL_TASKS_TAKEN = "The project already has a range for all tasks: edit that one."
LOW_PERCENT_RANGE = "Between 0 and 100 (% shorter than planned)."
HIGH_PERCENT_RANGE = "Between 0 and 100 (% longer than planned)."
GROUP_NAME_TAKEN = "The project already has a correlation group of this name."
GROUP_NAME_EMPTY = "Name the group."
GROUP_TASKS_OTHER_PROJECT = "Every task must belong to this project."
GROUP_TOO_FEW_TASKS = "Pick at least two tasks: a correlation is between tasks."
COEFFICIENT_RANGE = "Between 0 (independent) and 1 (move together)."

ESTIMATE_FIELDS = ("optimistic_minutes", "pessimistic_minutes", "duration_distribution")


def _format_minutes(minutes: int) -> str:
    return f"{minutes} min" if minutes % 60 else f"{minutes // 60} h"


def three_point_errors(task: Task) -> dict[str, str]:
    """What is wrong with the task's three-point estimate as it stands (field -> message)."""
    low, high = task.optimistic_minutes, task.pessimistic_minutes
    if task.duration_distribution not in DISTRIBUTION_VALUES:
        return {"duration_distribution": UNKNOWN_DISTRIBUTION}
    if low is None and high is None:
        return {}
    if low is None or high is None:
        return {"optimistic_minutes" if low is None else "pessimistic_minutes": ESTIMATE_BOTH_OR_NEITHER}
    if task.is_summary:
        return {"optimistic_minutes": ESTIMATE_ON_SUMMARY}
    errors = {}
    duration = _format_minutes(task.duration_minutes)
    if low > task.duration_minutes:
        errors["optimistic_minutes"] = OPTIMISTIC_ABOVE_DURATION.format(duration=duration)
    if high < task.duration_minutes:
        errors["pessimistic_minutes"] = PESSIMISTIC_BELOW_DURATION.format(duration=duration)
    return errors


@transaction.atomic
def task_estimate_update(
    *,
    actor,
    task: Task,
    optimistic_minutes: int | None,
    pessimistic_minutes: int | None,
    distribution: str = "triangular",
    expected_version: int | None = None,
) -> Task:
    """Set (or clear, with both ends None) the task's three-point estimate around its planned
    duration: optimistic <= duration <= pessimistic."""
    candidate = Task(
        pk=task.pk,
        duration_minutes=task.duration_minutes,
        is_summary=task.is_summary,
        optimistic_minutes=optimistic_minutes,
        pessimistic_minutes=pessimistic_minutes,
        duration_distribution=distribution,
    )
    errors = three_point_errors(candidate)
    if errors:
        raise ValidationError(errors)
    data = {
        "optimistic_minutes": optimistic_minutes,
        "pessimistic_minutes": pessimistic_minutes,
        "duration_distribution": distribution,
    }
    return versioned_update(instance=task, data=data, actor=actor, expected_version=expected_version)


# -- duration ranges ----------------------------------------------------------------------------


def _check_range(rng: DurationRange) -> None:
    errors = {}
    if rng.branch_id is not None:
        branch = rng.branch
        if branch.project_id != rng.project_id:
            errors["branch"] = BRANCH_OTHER_PROJECT
        elif not branch.is_summary:
            errors["branch"] = BRANCH_NOT_SUMMARY
    for name, message in (("low_percent", LOW_PERCENT_RANGE), ("high_percent", HIGH_PERCENT_RANGE)):
        value = getattr(rng, name)
        if value is None or not (Decimal("0") <= Decimal(value) <= Decimal("100")):
            errors[name] = message
    if rng.distribution not in DISTRIBUTION_VALUES:
        errors["distribution"] = UNKNOWN_DISTRIBUTION
    if "branch" not in errors:
        taken = DurationRange.objects.filter(project_id=rng.project_id, branch_id=rng.branch_id).exclude(pk=rng.pk)
        if taken.exists():
            errors["branch"] = BRANCH_TAKEN if rng.branch_id else ALL_TASKS_TAKEN
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def duration_range_create(
    *,
    actor,
    project: Project,
    branch: Task | None,
    low_percent: Decimal,
    high_percent: Decimal,
    distribution: str = "triangular",
) -> DurationRange:
    """Every task under `branch` (all of the project's tasks when None) may take `low_percent`
    less to `high_percent` more than planned."""
    rng = DurationRange(
        project=project, branch=branch, low_percent=low_percent, high_percent=high_percent, distribution=distribution
    )
    _check_range(rng)
    fields = ["project", "branch", "low_percent", "high_percent", "distribution"]
    return create_audited(actor=actor, obj=rng, fields=fields)


@transaction.atomic
def duration_range_update(
    *, actor, duration_range: DurationRange, data: dict[str, Any], expected_version: int | None = None
) -> DurationRange:
    data = {k: v for k, v in data.items() if k in {"branch", "low_percent", "high_percent", "distribution"}}
    candidate = DurationRange.objects.select_related("branch").get(pk=duration_range.pk)
    for name, value in data.items():
        setattr(candidate, name, value)
    _check_range(candidate)
    return versioned_update(instance=duration_range, data=data, actor=actor, expected_version=expected_version)


@transaction.atomic
def duration_range_delete(*, actor, duration_range: DurationRange, expected_version: int | None = None) -> None:
    versioned_delete(instance=duration_range, actor=actor, expected_version=expected_version)


# -- correlation groups -------------------------------------------------------------------------


def _check_group(*, project: Project, name: str, coefficient, tasks, pk: int | None = None) -> list[Task]:
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = GROUP_NAME_EMPTY
    elif CorrelationGroup.objects.filter(project=project, name=name).exclude(pk=pk).exists():
        errors["name"] = GROUP_NAME_TAKEN
    if coefficient is None or not (Decimal("0") <= Decimal(coefficient) <= Decimal("1")):
        errors["coefficient"] = COEFFICIENT_RANGE
    tasks = list({t.pk: t for t in tasks}.values())
    if any(t.project_id != project.pk for t in tasks):
        errors["tasks"] = GROUP_TASKS_OTHER_PROJECT
    elif len(tasks) < 2:
        errors["tasks"] = GROUP_TOO_FEW_TASKS
    if errors:
        raise ValidationError(errors)
    return tasks


@transaction.atomic
def correlation_group_create(
    *, actor, project: Project, name: str, coefficient: Decimal, tasks: list[Task]
) -> CorrelationGroup:
    """Tasks whose durations move together (one crew, one supplier), at least two of the project's."""
    tasks = _check_group(project=project, name=name, coefficient=coefficient, tasks=tasks)
    group = CorrelationGroup(project=project, name=name.strip(), coefficient=coefficient)
    create_audited(actor=actor, obj=group, fields=["project", "name", "coefficient"])
    group.tasks.set(tasks)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=group,
        changes={"tasks": [None, sorted(t.pk for t in tasks)]},
    )
    return group


@transaction.atomic
def correlation_group_update(
    *, actor, group: CorrelationGroup, data: dict[str, Any], expected_version: int | None = None
) -> CorrelationGroup:
    """Change the name, the coefficient and/or the tasks (`data["tasks"]`, the whole new set)."""
    tasks = data.get("tasks")
    current_tasks = list(group.tasks.all()) if tasks is None else list(tasks)
    _check_group(
        project=group.project,
        name=data.get("name", group.name),
        coefficient=data.get("coefficient", group.coefficient),
        tasks=current_tasks,
        pk=group.pk,
    )
    fields = {k: v for k, v in data.items() if k in {"name", "coefficient"}}
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    group = versioned_update(instance=group, data=fields, actor=actor, expected_version=expected_version)
    if tasks is not None:
        before = sorted(group.tasks.values_list("pk", flat=True))
        after = sorted({t.pk for t in tasks})
        if before != after:
            group.tasks.set(after)
            audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=group, changes={"tasks": [before, after]})
    return group


@transaction.atomic
def correlation_group_delete(*, actor, group: CorrelationGroup, expected_version: int | None = None) -> None:
    versioned_delete(instance=group, actor=actor, expected_version=expected_version)


__all__ = [
    "ESTIMATE_FIELDS",
    "correlation_group_create",
    "correlation_group_delete",
    "correlation_group_update",
    "duration_range_create",
    "duration_range_delete",
    "duration_range_update",
    "task_estimate_update",
    "three_point_errors",
]
