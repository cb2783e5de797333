"""The Gantt's edits on the schedule page: insert above/below, reorder (keyboard and drag),
indent/outdent a selection, a link's type and lag in place, a bar dragged to a new start, undo.

Each endpoint is a POST for those who may edit the schedule (schedule_write: others get 404),
calls one projects.services.schedule_edit service and answers like the other schedule writes:
the fresh `#schedule` fragment for htmx (with the row to focus, so the table keeps its place),
a redirect otherwise; 422 with the reason shown for refused input (a bad lag, a cycle, nothing
above to indent under), 409 for an edit made on an outdated version.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.services import STALE_VERSION, StaleVersionError

from ..models import Dependency, Project, Task
from ..selectors.schedule import lag_text
from ..services.schedule_edit import (
    dependency_edit,
    link_stamp,
    schedule_undo,
    task_drag_start,
    task_insert,
    task_move,
    task_move_by,
    tasks_indent,
    tasks_outdent,
)
from .schedule import CONFLICT, ScheduleState, _done, _refused, _task, _version, schedule_write

TASK_INSERTED = "Task “{name}” inserted {position} “{anchor}”."
TASKS_INDENTED = "Indented: {names}."
TASKS_OUTDENTED = "Outdented: {names}."
LINK_SAVED = "Link “{predecessor}” → “{successor}” is now {type} {lag}."
DRAG_SAVED = "“{name}” starts no earlier than {day:%a %d %b %Y} (set by dragging)."
UNDONE = "Undone: {label}."
BAD_DATE = "“{value}” is not a date (YYYY-MM-DD)."


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _attempt(request, project: Project, state: ScheduleState, write, notice, *, focus=None):
    """Run `write()`; the fragment with `notice(result)` on success, else the refusal."""
    try:
        result = write()
    except StaleVersionError as error:
        return _refused(request, project, state, error=str(error) or STALE_VERSION, status=CONFLICT)
    except ValidationError as error:
        return _refused(request, project, state, error=_message(error))
    target = focus(result) if callable(focus) else focus
    return _done(request, project, state, notice(result), focus=target)


@schedule_write
def task_insert_view(request, project: Project, state: ScheduleState, pk: int):
    anchor = _task(project, pk)
    position = request.POST.get("position", "")
    return _attempt(
        request,
        project,
        state,
        lambda: task_insert(actor=request.user, anchor=anchor, position=position),
        lambda task: TASK_INSERTED.format(name=task.name, position=position, anchor=anchor.name),
        focus=lambda task: task.pk,
    )


@schedule_write
def task_move_view(request, project: Project, state: ScheduleState, pk: int):
    """`direction` up/down (Alt+↑/↓, the arrow buttons), or `target` (a task pk) and
    `position` before/after (a row dropped in the table)."""
    task = _task(project, pk)
    version = _version(request)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):

        def write():
            return task_move_by(
                actor=request.user, task=task, step=-1 if direction == "up" else 1, expected_version=version
            )

    else:
        target_pk = request.POST.get("target", "")
        target = _task(project, int(target_pk)) if target_pk.isdigit() else None
        if target is None:
            return _refused(request, project, state, error="Say where to move the task: up, down or next to a task.")

        def write():
            return task_move(
                actor=request.user,
                task=task,
                target=target,
                position=request.POST.get("position", ""),
                expected_version=version,
            )

    return _attempt(
        request, project, state, write, lambda moved: f"Task “{moved.name}” moved.", focus=lambda moved: moved.pk
    )


def _selection(request, project: Project) -> tuple[list[Task], dict[int, int]]:
    pks = [int(value) for value in request.POST.getlist("tasks") if value.isdigit()]
    tasks = list(Task.objects.filter(project=project, pk__in=pks))
    versions = {}
    for task in tasks:
        value = request.POST.get(f"version_{task.pk}", "")
        if value.isdigit():
            versions[task.pk] = int(value)
    return tasks, versions


def outline_edit(request, project: Project, state: ScheduleState, *, tasks, indent: bool, versions=None):
    if versions is None:
        version = _version(request)
        versions = {tasks[0].pk: version} if tasks and version is not None else {}
    service = tasks_indent if indent else tasks_outdent
    template = TASKS_INDENTED if indent else TASKS_OUTDENTED
    return _attempt(
        request,
        project,
        state,
        lambda: service(actor=request.user, project=project, tasks=tasks, versions=versions),
        lambda moved: template.format(names=", ".join(f"“{t.name}”" for t in moved if t.pk in {x.pk for x in tasks})),
        focus=tasks[0].pk if tasks else None,
    )


@schedule_write
def tasks_indent_view(request, project: Project, state: ScheduleState):
    tasks, versions = _selection(request, project)
    return outline_edit(request, project, state, tasks=tasks, indent=True, versions=versions)


@schedule_write
def tasks_outdent_view(request, project: Project, state: ScheduleState):
    tasks, versions = _selection(request, project)
    return outline_edit(request, project, state, tasks=tasks, indent=False, versions=versions)


@schedule_write
def task_drag_view(request, project: Project, state: ScheduleState, pk: int):
    """A bar dropped on a new start day (`start`, YYYY-MM-DD)."""
    task = _task(project, pk)
    value = request.POST.get("start", "")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return _refused(request, project, state, error=BAD_DATE.format(value=value))
    return _attempt(
        request,
        project,
        state,
        lambda: task_drag_start(actor=request.user, task=task, start=day, expected_version=_version(request)),
        lambda moved: DRAG_SAVED.format(name=moved.name, day=day),
        focus=task.pk,
    )


def _link(project: Project, pk: int) -> Dependency:
    return get_object_or_404(
        Dependency.objects.filter(successor__project=project).select_related(
            "predecessor__project", "successor__project"
        ),
        pk=pk,
    )


def link_editor(
    link: Dependency, state: ScheduleState, *, type: str | None = None, lag: str | None = None, error: str = ""
) -> dict:
    """What the in-place link editor shows: the link's type and lag (or what was typed), where
    it saves to and where Cancel goes."""
    code = link.successor.project.code
    return {
        "pk": link.pk,
        "type": type or link.type,
        "lag": lag if lag is not None else lag_text(link),
        "stamp": link_stamp(link),
        "error": error,
        "label": f"{link.predecessor.name} → {link.successor.name}",
        "save_url": reverse("projects:schedule-link-save", args=[code, link.pk]) + state.query(edit=None),
        "cancel_url": reverse("projects:schedule-fragment", args=[code]) + state.query(edit=None),
        "cancel_href": reverse("projects:schedule", args=[code]) + state.query(edit=None),
    }


@login_required
def link_edit_form(request, code: str, pk: int):
    """The in-place editor of one link (GET, swapped in where its tag was)."""
    project = get_object_or_404(Project.objects.editable_by(request.user), code=code)
    link = _link(project, pk)
    state = ScheduleState.from_request(request)
    context = {"editor": link_editor(link, state), "link_types": Dependency.Type.choices}
    return render(request, "projects/_schedule_link_form.html", context)


@schedule_write
def link_save(request, project: Project, state: ScheduleState, pk: int):
    """Save a link's type and lag typed as text ("2d", "50%", "2ed", "3eh")."""
    link = _link(project, pk)
    kind, lag = request.POST.get("type", ""), request.POST.get("lag", "")
    stamp = request.POST.get("stamp") or None
    try:
        saved = dependency_edit(actor=request.user, dependency=link, type=kind, lag=lag, expected_stamp=stamp)
    except StaleVersionError:
        return _refused(request, project, state, error=STALE_VERSION, status=CONFLICT)
    except ValidationError as error:
        message = _message(error)
        editor = link_editor(link, state, type=kind, lag=lag, error=message)
        return _refused(request, project, state, error=message, link_edit=editor, focus=link.successor_id)
    notice = LINK_SAVED.format(
        predecessor=saved.predecessor.name, successor=saved.successor.name, type=saved.type, lag=lag_text(saved)
    )
    return _done(request, project, state, notice, focus=saved.successor_id)


@schedule_write
def undo_view(request, project: Project, state: ScheduleState):
    return _attempt(
        request,
        project,
        state,
        lambda: schedule_undo(actor=request.user, project=project),
        lambda label: UNDONE.format(label=label),
    )
