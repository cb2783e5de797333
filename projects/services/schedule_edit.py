"""The Gantt's edits: insert a task above or below a row, reorder rows (keyboard or drag),
indent and outdent a selection, change a link's type and lag typed as text ("2d", "50%", "2ed",
"3eh"), turn a bar dragged to a new start into a start-no-earlier-than constraint, and undo the
last edit.

Every edit here is atomic, audited (through core.services' versioned helpers and the services
of projects.services.schedule), checks the version the user saw (StaleVersionError otherwise),
renumbers the outline (outline number and WBS follow parent and sort order) and reschedules, so
summaries roll up their new children before it returns. Each one keeps its inverse as the user's
undo on the project (services.schedule_undo); `schedule_undo` applies it.

Order: a task's place among its siblings is its `sort_order`. These edits renumber the siblings
they touch 10, 20, 30 … (housekeeping: versions of the rows that only shift are not bumped).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q

from core import bounds
from core.services import StaleVersionError, versioned_delete, versioned_update

from ..models import Dependency, Project, ScheduleUndo, Task
from ..selectors.schedule import constraint_moment, project_calendar, schedule_calendars
from .schedule import (
    _check_task,
    dependency_delete,
    dependency_update,
    outline_renumber,
    project_zone,
    schedule_lock,
    schedule_reschedule,
    task_create,
    task_update,
)
from .schedule_undo import loaded, outline_rows, stored, task_values, undo_remember

NEW_TASK_NAME = "New task"
CANNOT_INDENT = "“{name}” has no task above it at its level to go under."
CANNOT_OUTDENT = "“{name}” is already at the top level."
CANNOT_MOVE_UP = "“{name}” is already the first task at its level."
CANNOT_MOVE_DOWN = "“{name}” is already the last task at its level."
MOVE_INTO_ITSELF = "A task cannot be moved next to itself or into its own subtasks."
LINKED_TO_SUMMARY = "“{task}” is linked to “{summary}”, which would become its summary task: remove that link first."
MILESTONE_PARENT = "“{name}” is a milestone: a milestone cannot have subtasks."
NOTHING_SELECTED = "Select one or more tasks first."
LAG_INVALID = "“{text}” is not a lag: type e.g. 2d, -1d, 4h, 50%, 2ed (elapsed days) or 3eh (elapsed hours)."
LAG_TOO_LONG = "A lag is at most {days} working days either way."
LAG_PERCENT_RANGE = "A percent lag is between -1000% and 1000%."
DRAG_MANUAL = "“{name}” is scheduled manually: type its dates in instead of dragging."
DRAG_SUMMARY = "A summary task's dates roll up from its subtasks: drag those instead."
NOTHING_TO_UNDO = "Nothing to undo."
UNDO_STALE = "Cannot undo: “{name}” has changed since."
STEP = 10

# Units of a typed lag, in minutes: working time, or elapsed (calendar) time with an "e".
LAG_UNITS = {"m": 1, "min": 1, "h": 60, "d": 480, "w": 2400}
ELAPSED_UNITS = {"em": 1, "emin": 1, "eh": 60, "ed": 1440, "ew": 10080}
LAG_PATTERN = re.compile(r"^\s*([+-]?\s*\d+(?:[.,]\d+)?)\s*([a-z%]*)\s*$", re.IGNORECASE)
PERCENT_LIMIT = Decimal(1000)


# -- lags as text -------------------------------------------------------------------------------


def lag_parse(text: str, *, field: str = "lag") -> dict[str, Any]:
    """A lag typed as text → the link fields lag_minutes, lag_percent and lag_elapsed.

    "2d", "2", "-1.5d", "4h", "30m", "1w" are working time (a day is 480 minutes); "2ed",
    "3eh", "1ew" elapsed time; "50%" a percentage of the predecessor's duration. An empty text
    is no lag. Anything else is a ValidationError on `field` that says what to type."""
    raw = (text or "").strip()
    if not raw:
        return {"lag_minutes": 0, "lag_percent": None, "lag_elapsed": False}
    match = LAG_PATTERN.match(raw)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in {"", "%", *LAG_UNITS, *ELAPSED_UNITS}:
        raise ValidationError({field: LAG_INVALID.format(text=raw)})
    try:
        number = Decimal(match.group(1).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise ValidationError({field: LAG_INVALID.format(text=raw)}) from None
    if unit == "%":
        if abs(number) > PERCENT_LIMIT:
            raise ValidationError({field: LAG_PERCENT_RANGE})
        return {"lag_minutes": 0, "lag_percent": number.quantize(Decimal("0.01")), "lag_elapsed": False}
    elapsed = unit in ELAPSED_UNITS
    per = ELAPSED_UNITS[unit] if elapsed else LAG_UNITS[unit or "d"]
    minutes = int((number * per).to_integral_value())
    if abs(minutes) > bounds.DURATION_MINUTES_MAX:
        raise ValidationError({field: LAG_TOO_LONG.format(days=bounds.DAYS_MAX)})
    return {"lag_minutes": minutes, "lag_percent": None, "lag_elapsed": elapsed}


# -- the outline --------------------------------------------------------------------------------


def _lock(project: Project) -> None:
    """Outline edits of one project one at a time (they renumber the same siblings); the
    project row first, as every schedule write locks (services.schedule.schedule_lock)."""
    schedule_lock([project])


def _siblings(project: Project, parent_id: int | None) -> list[Task]:
    return list(Task.objects.filter(project=project, parent_id=parent_id).order_by("sort_order", "pk"))


def _resequence(ordered: list[Task], *, skip: int | None = None) -> dict[int, int]:
    """Sort orders 10, 20, … for `ordered`; writes the changed ones except `skip`'s (whose
    move is a versioned, audited update of its own). Returns pk → sort order."""
    orders = {task.pk: (index + 1) * STEP for index, task in enumerate(ordered)}
    changed = []
    for task in ordered:
        if task.pk is not None and task.pk != skip and task.sort_order != orders[task.pk]:
            task.sort_order = orders[task.pk]
            changed.append(task)
    Task.objects.bulk_update(changed, ["sort_order"], batch_size=5000)
    return orders


def _subtree_ids(project: Project, root: Task) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Task.objects.filter(project=project).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = {root.pk}, [root.pk]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _outline_undo(actor, project: Project, label: str, before: list, moved: list[Task]) -> None:
    undo_remember(
        actor=actor,
        project=project,
        label=label,
        operations=[
            {"op": "outline", "rows": before, "versions": {str(t.pk): t.version for t in moved}},
        ],
    )


@transaction.atomic
def task_insert(
    *, actor, anchor: Task, position: str, name: str = NEW_TASK_NAME, duration_minutes: int = bounds.MINUTES_PER_DAY
) -> Task:
    """Add a task right above (`position` "above") or below ("below": after the anchor and its
    subtasks) `anchor`, at the anchor's level, and reschedule. Undo deletes it."""
    if position not in ("above", "below"):
        raise ValidationError({"position": "Insert “above” or “below” a task."})
    project = anchor.project
    _lock(project)
    before = outline_rows(project)
    siblings = _siblings(project, anchor.parent_id)
    index = next(i for i, t in enumerate(siblings) if t.pk == anchor.pk) + (1 if position == "below" else 0)
    placeholder = Task(pk=None, sort_order=0)
    orders = _resequence([*siblings[:index], placeholder, *siblings[index:]])
    task = task_create(
        actor=actor,
        project=project,
        name=name,
        duration_minutes=duration_minutes,
        parent=anchor.parent,
        sort_order=orders[None],
    )
    undo_remember(
        actor=actor,
        project=project,
        label=f"inserted “{task.name}”",
        operations=[
            {"op": "delete", "task": task.pk, "version": task.version},
            {"op": "outline", "rows": before, "versions": {}},
        ],
    )
    return task


@transaction.atomic
def task_move(*, actor, task: Task, target: Task, position: str, expected_version: int | None = None) -> Task:
    """Move `task` with its subtasks right before or after (`position`) `target`, at the target's
    level (a drag in the task table), and reschedule. Undo puts every row back."""
    if position not in ("before", "after"):
        raise ValidationError({"position": "Move “before” or “after” a task."})
    project = task.project
    if target.project_id != project.pk or target.pk in _subtree_ids(project, task):
        raise ValidationError({"target": MOVE_INTO_ITSELF})
    _lock(project)
    before = outline_rows(project)
    siblings = [t for t in _siblings(project, target.parent_id) if t.pk != task.pk]
    index = next(i for i, t in enumerate(siblings) if t.pk == target.pk) + (1 if position == "after" else 0)
    orders = _resequence([*siblings[:index], task, *siblings[index:]], skip=task.pk)
    data: dict[str, Any] = {"sort_order": orders[task.pk]}
    if task.parent_id != target.parent_id:
        data["parent"] = target.parent
    moved = task_update(actor=actor, task=task, data=data, expected_version=expected_version)
    _outline_undo(actor, project, f"moved “{task.name}”", before, [moved])
    return moved


@transaction.atomic
def task_move_by(*, actor, task: Task, step: int, expected_version: int | None = None) -> Task:
    """Move `task` one place up (`step` -1) or down (+1) among its siblings (Alt+↑ / Alt+↓)."""
    siblings = _siblings(task.project, task.parent_id)
    index = next(i for i, t in enumerate(siblings) if t.pk == task.pk)
    if step < 0 and index == 0:
        raise ValidationError({"task": CANNOT_MOVE_UP.format(name=task.name)})
    if step > 0 and index == len(siblings) - 1:
        raise ValidationError({"task": CANNOT_MOVE_DOWN.format(name=task.name)})
    target = siblings[index + (1 if step > 0 else -1)]
    return task_move(
        actor=actor,
        task=task,
        target=target,
        position="after" if step > 0 else "before",
        expected_version=expected_version,
    )


def _selection_roots(project: Project, tasks: list[Task]) -> list[Task]:
    """The selected tasks none of whose summaries is selected (those move with it), in outline
    order."""
    from ..selectors.schedule import outline_order

    chosen = {t.pk for t in tasks}
    ordered = outline_order(list(Task.objects.filter(project=project)))
    parent_of = {t.pk: t.parent_id for t, _ in ordered}
    roots = []
    for task, _ in ordered:
        if task.pk not in chosen:
            continue
        ancestor = parent_of.get(task.pk)
        while ancestor is not None and ancestor not in chosen:
            ancestor = parent_of.get(ancestor)
        if ancestor is None:
            roots.append(task)
    return roots


def _check_no_link_to_summary(task: Task, parent: Task | None) -> None:
    """A task may not be linked to its own summary tasks (Microsoft Project refuses it, and so
    does dependency_create): moving `task` under `parent` must not make a linked task one of its
    summaries."""
    if parent is None:
        return
    ancestors, node = set(), parent
    while node is not None:
        ancestors.add(node.pk)
        node = Task.objects.filter(pk=node.parent_id).first() if node.parent_id else None
    subtree = _subtree_ids(task.project, task)
    link = (
        Dependency.objects.filter(
            Q(predecessor__in=subtree, successor__in=ancestors) | Q(predecessor__in=ancestors, successor__in=subtree)
        )
        .select_related("predecessor", "successor")
        .first()
    )
    if link is not None:
        summary = link.successor if link.successor_id in ancestors else link.predecessor
        linked = link.predecessor if summary is link.successor else link.successor
        raise ValidationError({"tasks": LINKED_TO_SUMMARY.format(task=linked.name, summary=summary.name)})


def _move_under(actor, task: Task, parent: Task | None, sort_order: int, version: int | None) -> Task:
    candidate = Task.objects.select_related("parent", "calendar").get(pk=task.pk)
    candidate.parent = parent
    _check_task(candidate)
    _check_no_link_to_summary(task, parent)
    return versioned_update(
        instance=task, data={"parent": parent, "sort_order": sort_order}, actor=actor, expected_version=version
    )


@transaction.atomic
def tasks_indent(*, actor, project: Project, tasks: list[Task], versions: dict[int, int] | None = None) -> list[Task]:
    """Indent each selected task under the task above it at its level (Microsoft Project's
    indent), as that task's last subtask, so the rows keep their order; a selected task's
    subtasks move with it. `versions`: pk → the version the user saw. Reschedules once."""
    if not tasks:
        raise ValidationError({"tasks": NOTHING_SELECTED})
    versions = versions or {}
    _lock(project)
    before = outline_rows(project)
    moved = []
    for root in _selection_roots(project, tasks):
        task = Task.objects.get(pk=root.pk)
        siblings = _siblings(project, task.parent_id)
        index = next(i for i, t in enumerate(siblings) if t.pk == task.pk)
        if index == 0:
            raise ValidationError({"tasks": CANNOT_INDENT.format(name=task.name)})
        above = siblings[index - 1]
        if above.is_milestone:
            raise ValidationError({"tasks": MILESTONE_PARENT.format(name=above.name)})
        last = Task.objects.filter(parent=above).aggregate(last=Max("sort_order"))["last"] or 0
        moved.append(_move_under(actor, task, above, last + STEP, versions.get(task.pk)))
    return _outline_done(actor, project, "indented", before, moved)


@transaction.atomic
def tasks_outdent(*, actor, project: Project, tasks: list[Task], versions: dict[int, int] | None = None) -> list[Task]:
    """Outdent each selected task one level, right after its summary task (Microsoft Project's
    outdent): the tasks below it under the same summary become its subtasks, so the rows keep
    their order. Reschedules once."""
    if not tasks:
        raise ValidationError({"tasks": NOTHING_SELECTED})
    versions = versions or {}
    _lock(project)
    before = outline_rows(project)
    moved = []
    # Bottom up: a selected task is outdented before the selected ones above it, so that none of
    # them adopts another selected task on the way (the rows end where Microsoft Project puts them).
    for root in reversed(_selection_roots(project, tasks)):
        task = Task.objects.get(pk=root.pk)
        # A task this outdent already moved (as a follower) has a newer version than the user saw.
        seen = versions.get(task.pk) if task.pk not in {t.pk for t in moved} else None
        if task.parent_id is None:
            raise ValidationError({"tasks": CANNOT_OUTDENT.format(name=task.name)})
        parent = Task.objects.get(pk=task.parent_id)
        siblings = _siblings(project, parent.pk)
        index = next(i for i, t in enumerate(siblings) if t.pk == task.pk)
        last = Task.objects.filter(parent=task).aggregate(last=Max("sort_order"))["last"] or 0
        if task.is_milestone and siblings[index + 1 :]:
            raise ValidationError({"tasks": MILESTONE_PARENT.format(name=task.name)})
        for offset, follower in enumerate(siblings[index + 1 :], start=1):
            moved.append(_move_under(actor, follower, task, last + offset * STEP, None))
        level = _siblings(project, parent.parent_id)
        at = next(i for i, t in enumerate(level) if t.pk == parent.pk) + 1
        orders = _resequence([*level[:at], task, *level[at:]], skip=task.pk)
        parent_above = Task.objects.filter(pk=parent.parent_id).first()
        moved.append(_move_under(actor, task, parent_above, orders[task.pk], seen))
    return _outline_done(actor, project, "outdented", before, moved)


def _outline_done(actor, project: Project, verb: str, before: list, moved: list[Task]) -> list[Task]:
    outline_renumber(project=project)
    # A new summary can close a cycle through another project: scheduled as a whole network.
    schedule_reschedule(project=project, whole_network=True)
    names = [t.name for t in moved]
    label = f"{verb} “{names[-1]}”" if len(names) == 1 else f"{verb} {len(names)} tasks"
    _outline_undo(actor, project, label, before, moved)
    return moved


# -- links --------------------------------------------------------------------------------------


def link_stamp(dependency: Dependency) -> str:
    """The token a link edit checks (a link has no version: its last change's time)."""
    return dependency.updated_at.isoformat()


LINK_FIELDS = ("type", "lag_minutes", "lag_percent", "lag_elapsed")


@transaction.atomic
def dependency_edit(*, actor, dependency: Dependency, type: str, lag: str, expected_stamp: str | None = None):
    """Change a link's type and its lag typed as text (see lag_parse) and reschedule. A link
    changed since `expected_stamp` (link_stamp as the user saw it) is StaleVersionError."""
    # The program's projects first, as dependency_update locks them (one lock order, no deadlock).
    schedule_lock(
        Project.objects.filter(program_id=dependency.successor.project.program_id).values_list("pk", flat=True)
    )
    locked = Dependency.objects.get(pk=dependency.pk)
    if expected_stamp is not None and link_stamp(locked) != expected_stamp:
        raise StaleVersionError()
    if type not in Dependency.Type.values:
        raise ValidationError({"type": f"Choose one of {', '.join(Dependency.Type.values)}."})
    data = {"type": type, **lag_parse(lag)}
    old = {name: stored(getattr(locked, name)) for name in LINK_FIELDS}
    changed = {name: value for name, value in data.items() if getattr(locked, name) != value}
    if not changed:
        return locked
    updated = dependency_update(actor=actor, dependency=locked, data=changed)
    undo_remember(
        actor=actor,
        project=updated.successor.project,
        label=f"changed the link “{updated.predecessor.name}” → “{updated.successor.name}”",
        operations=[{"op": "link", "link": updated.pk, "stamp": link_stamp(updated), "values": old}],
    )
    return updated


# -- bars ---------------------------------------------------------------------------------------


@transaction.atomic
def task_drag_start(*, actor, task: Task, start: dt.date, expected_version: int | None = None) -> Task:
    """A bar dragged to start on `start`: a start-no-earlier-than constraint at that day's first
    working moment (the task's calendar, else the project's), marked as set by dragging, and a
    reschedule. The task may still start later (its links); undo puts the old constraint back."""
    if task.is_manual:
        raise ValidationError({"start": DRAG_MANUAL.format(name=task.name)})
    if task.is_summary:
        raise ValidationError({"start": DRAG_SUMMARY})
    project = task.project
    calendars = schedule_calendars(project, [task])
    calendar = calendars.get(str(task.calendar_id)) or project_calendar(project, calendars)
    moment = constraint_moment(start, Task.Constraint.SNET, calendar=calendar, zone=project_zone(project))
    names = ("constraint_type", "constraint_date", "constraint_origin")
    old = task_values(task, names)
    updated = task_update(
        actor=actor,
        task=task,
        data={"constraint_type": Task.Constraint.SNET, "constraint_date": moment, "constraint_origin": "drag"},
        expected_version=expected_version,
    )
    undo_remember(
        actor=actor,
        project=project,
        label=f"dragged “{task.name}” to {start:%d %b}",
        operations=[{"op": "fields", "task": updated.pk, "version": updated.version, "values": old}],
    )
    return updated


# -- undo ---------------------------------------------------------------------------------------


def _stale(name: str) -> StaleVersionError:
    return StaleVersionError(UNDO_STALE.format(name=name))


def _undo_fields(actor, op: dict) -> None:
    task = Task.objects.filter(pk=op["task"]).first()
    if task is None or task.version != op["version"]:
        raise _stale(task.name if task else "the task")
    data = {}
    for name, value in op["values"].items():
        if name == "parent":
            data["parent"] = Task.objects.filter(pk=value).first() if value else None
        elif Task._meta.get_field(name).is_relation:
            data[f"{name}_id"] = value  # a calendar: put back by its id
        else:
            data[name] = loaded(Task, name, value)
    task_update(actor=actor, task=task, data=data, expected_version=op["version"])


def _undo_delete(actor, op: dict) -> None:
    task = Task.objects.filter(pk=op["task"]).first()
    if task is None:
        return
    if task.version != op["version"] or task.children.exists():
        raise _stale(task.name)
    versioned_delete(instance=task, actor=actor, expected_version=op["version"])


def _undo_outline(actor, project: Project, op: dict) -> None:
    current = {t.pk: t for t in Task.objects.filter(project=project)}
    for pk, version in op["versions"].items():
        task = current.get(int(pk))
        if task is not None and task.version != version:
            raise _stale(task.name)
    shifted = []
    for pk, parent_id, sort_order in op["rows"]:
        task = current.get(pk)
        if task is None:
            continue
        if task.parent_id != parent_id:
            parent = current.get(parent_id) if parent_id else None
            versioned_update(instance=task, data={"parent": parent, "sort_order": sort_order}, actor=actor)
        elif task.sort_order != sort_order:
            task.sort_order = sort_order
            shifted.append(task)
    Task.objects.bulk_update(shifted, ["sort_order"], batch_size=5000)


def _undo_link(actor, op: dict) -> None:
    link = Dependency.objects.select_related("successor__project", "predecessor__project").filter(pk=op["link"]).first()
    if link is None or link_stamp(link) != op["stamp"]:
        raise _stale("the link")
    data = {name: loaded(Dependency, name, value) for name, value in op["values"].items()}
    dependency_update(actor=actor, dependency=link, data=data)


@transaction.atomic
def schedule_undo(*, actor, project: Project) -> str:
    """Undo `actor`'s last edit on `project` (one step; there is no redo) and reschedule.
    Returns what was undone ("moved “Design”"). ValidationError when there is nothing to undo;
    StaleVersionError (nothing written) when a row it would put back has changed since."""
    undo = ScheduleUndo.objects.select_for_update().filter(user=actor, project=project).first()
    if undo is None:
        raise ValidationError({"undo": NOTHING_TO_UNDO})
    _lock(project)
    outline = False
    for op in undo.operations:
        kind = op["op"]
        if kind == "fields":
            _undo_fields(actor, op)
        elif kind == "delete":
            _undo_delete(actor, op)
            outline = True
        elif kind == "outline":
            _undo_outline(actor, project, op)
            outline = True
        elif kind == "link":
            _undo_link(actor, op)
        elif kind == "link_delete":
            link = Dependency.objects.select_related("successor__project", "predecessor__project")
            link = link.filter(pk=op["link"]).first()
            if link is not None:
                dependency_delete(actor=actor, dependency=link)
    if outline:
        outline_renumber(project=project)
        schedule_reschedule(project=project, whole_network=True)
    # The services above kept their own inverses as the undo: an undo is not itself undone.
    ScheduleUndo.objects.filter(user=actor, project=project).delete()
    return undo.label
