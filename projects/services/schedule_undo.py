"""The last Gantt edit's inverse, per user and project (projects.models.ScheduleUndo).

A schedule write service that can be undone calls `undo_remember` in its transaction with the
operations that put back what it changed; one that cannot (deleting a task, importing a file)
calls `undo_forget`, so that an undo never skips over a newer edit. Each operation carries the
version its rows had right after the edit: `schedule_undo` (services.schedule_edit) refuses
when someone has changed them since, rather than overwrite that change.

Operations (JSON objects):
- {"op": "fields", "task": pk, "version": v, "values": {field: stored value}}: set the fields back.
- {"op": "delete", "task": pk, "version": v}: remove a task the edit added.
- {"op": "outline", "rows": [[pk, parent_id, sort_order], …], "versions": {pk: v}}: put every
  task back under its parent at its place (rows added since are left where they are).
- {"op": "link", "link": pk, "stamp": updated_at, "values": {…}}: set a link's type and lag back.
- {"op": "link_delete", "link": pk}: remove a link the edit added.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from ..models import Project, ScheduleUndo, Task


def stored(value: Any) -> Any:
    """A field value as JSON: model instances by pk, datetimes ISO, decimals as text."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def loaded(model: type[models.Model], name: str, value: Any) -> Any:
    """The inverse of `stored` for field `name` of `model` (a foreign key gives its pk as
    `<name>_id`'s value: the caller sets `<name>_id`)."""
    field = model._meta.get_field(name)
    if value is None:
        return None
    if field.is_relation:
        return value
    return field.to_python(value)


def task_values(task: Task, names) -> dict[str, Any]:
    """`task`'s current values of `names`, stored (a foreign key by its id)."""
    values = {}
    for name in names:
        field = Task._meta.get_field(name)
        values[name] = getattr(task, field.attname) if field.is_relation else stored(getattr(task, name))
    return values


def outline_rows(project: Project) -> list[list[int | None]]:
    """[pk, parent_id, sort_order] of every task of `project` (one query)."""
    return [list(row) for row in Task.objects.filter(project=project).values_list("pk", "parent_id", "sort_order")]


def undo_remember(*, actor, project: Project, label: str, operations: list[dict]) -> None:
    """Keep `operations` as `actor`'s undo on `project`, replacing the one before."""
    if not getattr(actor, "is_authenticated", False):
        return
    ScheduleUndo.objects.update_or_create(
        user=actor, project=project, defaults={"label": label[:300], "operations": operations}
    )


def undo_forget(*, actor, project: Project) -> None:
    """An edit that cannot be undone: drop `actor`'s undo on `project`."""
    if getattr(actor, "is_authenticated", False):
        ScheduleUndo.objects.filter(user=actor, project=project).delete()


def undo_label(*, user, project: Project) -> str | None:
    """What `user` can undo on `project` ("moved “Design”"), or None (one query)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return ScheduleUndo.objects.filter(user=user, project=project).values_list("label", flat=True).first()
