"""The schedule page: Gantt chart, task table with inline edits, baselines and export (the
import pages are in views/schedule_import.py).

Reading needs Project.objects.visible_to; every write needs editable_by (others get 404, as
for the project edit form) and goes through one projects.services.schedule service, which
reschedules before it returns. An htmx request gets the `#schedule` fragment (summary, chart
and table) re-rendered from the database, so the chart and the table always agree; a plain
request gets the whole page, or a redirect after a successful POST.

The view state (zoom, baseline, the row being edited, the window of a big schedule and which
WBS branches are expanded) travels in the query string, so every URL, including each form's
action, reproduces what the user sees: an edit, a reload or Back keeps the expanded branches.

Status codes: 422 for input the forms or services refuse, 409 for an edit made on an outdated
version; static/js/schedule.js lets htmx swap those responses in so the messages show.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django_htmx.http import push_url

from core.exports import export_response
from core.services import STALE_VERSION, StaleVersionError

from ..charts.gantt import ZOOMS
from ..charts.schedule import project_gantt, zoom_or_default
from ..exports import TASK_COLUMNS, project_task_rows
from ..forms import BaselineForm, DependencyForm, TaskForm
from ..models import Dependency, Project, Task
from ..selectors import predecessor_choices, project_is_editable, project_page, project_schedule
from ..selectors.baselines import baseline_overwrite_needs_confirmation
from ..selectors.schedule import AUTO, NO_BASELINE, ProjectSchedule
from ..services.schedule import (
    baseline_set,
    dependency_create,
    dependency_delete,
    task_create,
    task_delete,
    task_update,
)
from ..services.schedule_io import schedule_export_mspdi
from ..services.schedule_undo import undo_label
from .baselines import client_redirect

TASK_ADDED = "Task “{name}” added."
TASK_SAVED = "Task “{name}” saved."
TASK_UNCHANGED = "Nothing to save for “{name}”."
TASK_DELETED = "Task “{name}” deleted."
TASK_MOVED = "Task “{name}” moved."
LINK_ADDED = "“{predecessor}” now precedes “{successor}”."
LINK_REMOVED = "Link from “{predecessor}” to “{successor}” removed."
BASELINE_SAVED = "Baseline {number} saved: {count} tasks."

UNPROCESSABLE = 422
CONFLICT = 409


@dataclass(frozen=True, slots=True)
class ScheduleState:
    """What the user is looking at: zoom level (None: chosen from the span), baseline number
    ("none" for no baseline, None for the default), the task row open for editing, the window
    of a big schedule and the summaries whose WBS branches are expanded (None: the default,
    selectors.schedule.auto_expanded; in the URL `open=12.40.41`, "0" for none)."""

    zoom: str | None = None
    baseline: str | None = None
    edit: int | None = None
    at: int | None = None  # the first row of the window of a big schedule (None: the first)
    open: frozenset[int] | None = None

    @classmethod
    def from_request(cls, request) -> ScheduleState:
        zoom = request.GET.get("zoom")
        baseline = request.GET.get("baseline")
        edit = request.GET.get("edit", "")
        at = request.GET.get("at", "")
        opened = request.GET.get("open")
        return cls(
            zoom=zoom if zoom in ZOOMS else None,
            baseline=baseline if baseline == NO_BASELINE or (baseline or "").isdigit() else None,
            edit=int(edit) if edit.isdigit() else None,
            at=int(at) if at.isdigit() and int(at) > 0 else None,
            open=_branches(opened) if opened is not None else None,
        )

    def query(self, **changes) -> str:
        """The query string ("?…", or "" when empty) of this state with `changes` applied."""
        state = replace(self, **changes)
        params = {name: getattr(state, name) for name in ("zoom", "baseline", "edit", "at")}
        if state.open is not None:
            params["open"] = ".".join(str(pk) for pk in sorted(state.open)) or "0"
        encoded = urlencode({name: value for name, value in params.items() if value not in (None, "")})
        return f"?{encoded}" if encoded else ""


MAX_OPEN = 2000  # expanded branches a URL may name (the rest are ignored)


def _branches(value: str) -> frozenset[int]:
    """ "12.40.41" (or with commas) as task pks; "0" or "" for none."""
    parts = value.replace(",", ".").split(".")[:MAX_OPEN]
    return frozenset(int(part) for part in parts if part.isdigit() and 0 < len(part) <= 12 and int(part) > 0)


WINDOW = 200  # rows of the task table and the chart per page of a big schedule


def window_schedule(project: Project, state: ScheduleState, *, around: int | None = None) -> ProjectSchedule:
    """The schedule with the branches expanded and the window of rows the state asks for
    (around task `around`, whose branch is expanded down to it)."""
    return project_schedule(
        project=project,
        baseline=state.baseline,
        window=(state.at or 0, WINDOW),
        around=around,
        expanded=AUTO if state.open is None else state.open,
    )


def shown_state(state: ScheduleState, schedule: ProjectSchedule) -> ScheduleState:
    """The state of what `schedule` shows: its window, and its expanded branches pinned once
    some are collapsed (or the user chose them), so that an edit, whose form posts to a URL
    of this state, does not fold or unfold anything (a new summary, say, changing the default)."""
    pinned = state.open is not None or schedule.is_collapsed
    return replace(
        state,
        at=schedule.first or None,
        open=(schedule.expanded if schedule.expanded is not None else schedule.summaries) if pinned else None,
    )


def _urls(project: Project, state: ScheduleState, schedule: ProjectSchedule, zoom: str) -> dict:
    """Every URL the fragment links or posts to, with the view state attached."""
    code = project.code
    page = reverse("projects:schedule", args=[code])
    fragment = reverse("projects:schedule-fragment", args=[code])
    keep = state.query(edit=None)
    return {
        "page": page,
        "fragment": fragment,
        "keep": keep,
        "zooms": [
            {
                "value": value,
                "label": value.capitalize(),
                "current": value == zoom,
                "href": page + state.query(zoom=value),
                "hx": fragment + state.query(zoom=value),
            }
            for value in ZOOMS
        ],
        "baselines": [
            {
                "value": NO_BASELINE,
                "label": "No baseline",
                "current": schedule.baseline is None,
                "href": page + state.query(baseline=NO_BASELINE, edit=None),
                "hx": fragment + state.query(baseline=NO_BASELINE, edit=None),
            },
            *(
                {
                    "value": str(b.number),
                    "label": b.name or f"Baseline {b.number}",
                    "current": schedule.baseline is not None and b.pk == schedule.baseline.pk,
                    "href": page + state.query(baseline=str(b.number), edit=None),
                    "hx": fragment + state.query(baseline=str(b.number), edit=None),
                }
                for b in schedule.baselines
            ),
        ],
        "task_add": reverse("projects:schedule-task-add", args=[code]) + keep,
        "baseline_set": reverse("projects:schedule-baseline", args=[code]) + keep,
        "indent": reverse("projects:schedule-tasks-indent", args=[code]) + keep,
        "outdent": reverse("projects:schedule-tasks-outdent", args=[code]) + keep,
        "undo": reverse("projects:schedule-undo", args=[code]) + keep,
        "previous": _window_urls(page, fragment, state, schedule.previous_first)
        if schedule.previous_first is not None
        else None,
        "next": _window_urls(page, fragment, state, schedule.next_first) if schedule.next_first is not None else None,
        "cancel_href": page + keep,
        "cancel_hx": fragment + keep,
    }


def branch_urls(project: Project, state: ScheduleState, schedule: ProjectSchedule, row) -> dict:
    """A summary row's expand/collapse button: the state with its branch toggled."""
    expanded = schedule.expanded if schedule.expanded is not None else schedule.summaries
    pk = row.task.pk
    query = state.query(open=expanded - {pk} if row.is_open else expanded | {pk}, edit=None, at=None)
    return {
        "href": reverse("projects:schedule", args=[project.code]) + query,
        "hx": reverse("projects:schedule-branch", args=[project.code, pk]) + query,
    }


def _row_urls(project: Project, state: ScheduleState, task: Task) -> dict:
    code, pk = project.code, task.pk
    keep = state.query(edit=None)
    keep_open = state.query(edit=pk)
    return {
        "edit_href": reverse("projects:schedule", args=[code]) + keep_open,
        "edit_hx": reverse("projects:schedule-fragment", args=[code]) + keep_open,
        "save": reverse("projects:schedule-task", args=[code, pk]) + keep,
        "delete": reverse("projects:schedule-task-delete", args=[code, pk]) + keep,
        "indent": reverse("projects:schedule-task-indent", args=[code, pk]) + keep,
        "outdent": reverse("projects:schedule-task-outdent", args=[code, pk]) + keep,
        "link_add": reverse("projects:schedule-link-add", args=[code, pk]) + keep_open,
        "insert": reverse("projects:schedule-task-insert", args=[code, pk]) + keep,
        "move": reverse("projects:schedule-task-move", args=[code, pk]) + keep,
        "drag": reverse("projects:schedule-task-drag", args=[code, pk]) + keep,
    }


def _window_urls(page: str, fragment: str, state: ScheduleState, first: int) -> dict:
    query = state.query(at=max(first, 0) or None, edit=None)
    return {"href": page + query, "hx": fragment + query}


def schedule_context(
    request,
    project: Project,
    state: ScheduleState,
    *,
    can_edit: bool,
    schedule: ProjectSchedule | None = None,
    forms: dict | None = None,
    notice: str = "",
    error: str = "",
    focus: int | None = None,
    focus_id: str = "",
    link_edit: dict | None = None,
) -> dict:
    """Everything the `#schedule` fragment shows. `forms` may hold bound forms with errors
    ("task_form", "edit_form", "link_form", "baseline_form") to show instead of blank ones.
    `focus`: the task whose row gets the keyboard focus after the swap (whose branch is
    expanded and whose window is shown; `focus_id`: another element of that row to focus, such
    as its expand button); `link_edit`: a link's in-place editor to show open ({"pk", "type",
    "lag", "error"}). `state` in the context is the state of what is shown (shown_state)."""
    forms = forms or {}
    if schedule is None or focus is not None:
        schedule = window_schedule(project, state, around=focus or state.edit)
    state = shown_state(state, schedule)
    moments = list(schedule.span or ())
    zoom = zoom_or_default(state.zoom, moments)
    editing = None
    if can_edit and state.edit is not None:
        editing = next((row for row in schedule.rows if row.task.pk == state.edit), None)
    context = {
        "project": project,
        "schedule": schedule,
        "rows": schedule.rows,
        # render_gantt escapes every text it draws, so its SVG is safe to embed.
        "chart": mark_safe(project_gantt(schedule, zoom=zoom, editable=can_edit)) if schedule.rows else "",  # noqa: S308
        "zoom": zoom,
        "state": state,
        "urls": _urls(project, state, schedule, zoom),
        "can_edit": can_edit,
        "editing": editing,
        "table_columns": 18 + (4 if schedule.baseline else 0) + (2 if can_edit else 0),
        "notice": notice,
        "error": error,
        "focus": focus,
        "focus_id": focus_id or (f"task-{focus}" if focus else ""),
        "link_edit": link_edit,
        "link_types": Dependency.Type.choices,
        "undo_label": undo_label(user=request.user, project=project) if can_edit else None,
    }
    for row in schedule.rows:
        row.urls = _row_urls(project, state, row.task) if can_edit else {}
        if row.is_open is not None:
            row.urls["branch"] = branch_urls(project, state, schedule, row)
    if can_edit:
        common = {
            "tasks": schedule.tasks,
            "calendar": schedule.calendar,
            "zone": schedule.zone,
            "dialect": project.schedule_dialect,
        }
        context["task_form"] = forms.get("task_form") or TaskForm(auto_id="new_%s", **common)
        context["baseline_form"] = forms.get("baseline_form") or BaselineForm(baselines=schedule.baselines)
        if editing is not None:
            keep_open = state.query(edit=editing.task.pk)
            context["editing_links"] = [
                {
                    "link": link,
                    "remove": reverse("projects:schedule-link-delete", args=[project.code, link.dependency.pk])
                    + keep_open,
                }
                for link in editing.predecessors
            ]
            context["edit_form"] = forms.get("edit_form") or TaskForm(task=editing.task, **common)
            context["link_form"] = forms.get("link_form") or DependencyForm(
                successor=editing.task, choices=predecessor_choices(user=request.user, project=project)
            )
    return context


def _render(request, project: Project, state: ScheduleState, *, status: int = 200, **kwargs):
    """The fragment for htmx, the whole page otherwise."""
    can_edit = kwargs.pop("can_edit", None)
    if can_edit is None:
        can_edit = project_is_editable(user=request.user, project=project)
    context = schedule_context(request, project, state, can_edit=can_edit, **kwargs)
    if request.htmx and not request.htmx.boosted:
        response = render(request, "projects/_schedule.html", context, status=status)
    else:
        response = render(request, "projects/project_schedule.html", context, status=status)
    response.schedule_state = context["state"]  # what _done puts in the address bar
    return response


def _done(request, project: Project, state: ScheduleState, notice: str, *, focus: int | None = None):
    """After a successful write: the fresh fragment with a notice (htmx), else redirect.
    `focus`: the task whose row takes the keyboard focus (and whose window is shown)."""
    project.refresh_from_db(fields=["forecast_finish"])
    if request.htmx:
        response = _render(request, project, state, can_edit=True, notice=notice, focus=focus)
        shown = response.schedule_state
        return push_url(response, reverse("projects:schedule", args=[project.code]) + shown.query(edit=None))
    messages.success(request, notice)
    return redirect(reverse("projects:schedule", args=[project.code]) + state.query())


def _refused(request, project, state, *, schedule=None, forms=None, error="", status=UNPROCESSABLE, **extra):
    return _render(
        request, project, state, status=status, can_edit=True, schedule=schedule, forms=forms, error=error, **extra
    )


def schedule_write(view):
    """For the POST endpoints: sign-in required, the project must be editable by the user (404
    otherwise, whatever the method), then only POST is allowed. Passes (request, project, state)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, code: str, **kwargs):
        project = get_object_or_404(
            Project.objects.editable_by(request.user).select_related("program__portfolio"), code=code
        )
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, project, ScheduleState.from_request(request), **kwargs)

    return wrapper


def _task(project: Project, pk: int) -> Task:
    return get_object_or_404(Task.objects.filter(project=project), pk=pk)


# -- reading ------------------------------------------------------------------------------------


def _visible_project(request, code: str) -> Project:
    return get_object_or_404(project_page(user=request.user), code=code)


@login_required
def schedule_page(request, code: str):
    """The schedule page (the fragment alone for an htmx request); `?export=csv|xlsx`: the task
    list as a download."""
    project = _visible_project(request, code)
    exported = export_response(
        request, rows=project_task_rows(project), columns=TASK_COLUMNS, filename=f"{project.code}-tasks", title="Tasks"
    )
    if exported is not None:
        return exported
    return _render(request, project, ScheduleState.from_request(request))


@login_required
def schedule_fragment(request, code: str):
    """The `#schedule` fragment: summary, chart and task table (zoom and baseline switches,
    opening a row for editing)."""
    project = _visible_project(request, code)
    state = ScheduleState.from_request(request)
    can_edit = project_is_editable(user=request.user, project=project)
    context = schedule_context(request, project, state, can_edit=can_edit)
    return render(request, "projects/_schedule.html", context)


@login_required
def schedule_branch(request, code: str, pk: int):
    """A summary's WBS branch expanded or collapsed (GET, the `open` of the query string says
    which branches are): the `#schedule` fragment with the window holding that summary, chart
    bars and table rows of the same rows, the focus back on its button; the page's URL follows."""
    project = _visible_project(request, code)
    task = _task(project, pk)
    state = replace(ScheduleState.from_request(request), edit=None)
    if not request.htmx:
        return redirect(reverse("projects:schedule", args=[project.code]) + state.query())
    can_edit = project_is_editable(user=request.user, project=project)
    context = schedule_context(request, project, state, can_edit=can_edit, focus=task.pk, focus_id=f"branch-{task.pk}")
    response = render(request, "projects/_schedule.html", context)
    return push_url(response, reverse("projects:schedule", args=[project.code]) + context["state"].query())


@login_required
def schedule_export(request, code: str):
    """The schedule as MS Project XML, as a download (readers may download)."""
    project = _visible_project(request, code)
    response = HttpResponse(schedule_export_mspdi(project=project), content_type="application/xml")
    filename = f"{slugify(project.code) or 'schedule'}.xml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- tasks --------------------------------------------------------------------------------------


@schedule_write
def task_add(request, project: Project, state: ScheduleState):
    schedule = window_schedule(project, state)
    form = TaskForm(
        request.POST,
        auto_id="new_%s",
        tasks=schedule.tasks,
        calendar=schedule.calendar,
        zone=schedule.zone,
        dialect=project.schedule_dialect,
    )
    if form.is_valid():
        data = form.service_data()
        try:
            task = task_create(actor=request.user, project=project, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(request, project, state, TASK_ADDED.format(name=task.name))
    return _refused(request, project, state, schedule=schedule, forms={"task_form": form})


@schedule_write
def task_save(request, project: Project, state: ScheduleState, pk: int):
    task = _task(project, pk)
    state_open = replace(state, edit=task.pk)
    schedule = window_schedule(project, state)
    form = TaskForm(
        request.POST,
        task=task,
        tasks=schedule.tasks,
        calendar=schedule.calendar,
        zone=schedule.zone,
        dialect=project.schedule_dialect,
    )
    if form.is_valid():
        data = form.service_data()
        if not data and form.cleaned_data["version"] == task.version:
            return _done(request, project, state, TASK_UNCHANGED.format(name=task.name))
        try:
            # An empty change still checks the version, so a stale form is reported.
            task = task_update(actor=request.user, task=task, data=data, expected_version=form.cleaned_data["version"])
        except StaleVersionError:
            form.add_error(None, STALE_VERSION)
            return _refused(request, project, state_open, schedule=schedule, forms={"edit_form": form}, status=CONFLICT)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(request, project, state, TASK_SAVED.format(name=task.name))
    return _refused(request, project, state_open, schedule=schedule, forms={"edit_form": form})


def _version(request) -> int | None:
    """The row version a delete or move was made on (None: none sent, so no stale check)."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@schedule_write
def task_remove(request, project: Project, state: ScheduleState, pk: int):
    task = _task(project, pk)
    try:
        task_delete(actor=request.user, task=task, expected_version=_version(request))
    except StaleVersionError:
        return _refused(request, project, state, error=STALE_VERSION, status=CONFLICT)
    except ValidationError as error:
        return _refused(request, project, state, error=" ".join(error.messages))
    return _done(request, project, state, TASK_DELETED.format(name=task.name))


@schedule_write
def task_indent(request, project: Project, state: ScheduleState, pk: int):
    """Put the task under the task above it at its level (Microsoft Project's indent)."""
    from .schedule_edit import outline_edit

    return outline_edit(request, project, state, tasks=[_task(project, pk)], indent=True)


@schedule_write
def task_outdent(request, project: Project, state: ScheduleState, pk: int):
    """Move the task up one outline level, right after its summary task."""
    from .schedule_edit import outline_edit

    return outline_edit(request, project, state, tasks=[_task(project, pk)], indent=False)


# -- links --------------------------------------------------------------------------------------


@schedule_write
def link_add(request, project: Project, state: ScheduleState, pk: int):
    successor = _task(project, pk)
    state_open = replace(state, edit=successor.pk)
    form = DependencyForm(
        request.POST, successor=successor, choices=predecessor_choices(user=request.user, project=project)
    )
    if form.is_valid():
        data = form.service_data()
        try:
            dependency_create(actor=request.user, **data)
        except ValidationError as error:
            # A cycle arrives here too (ScheduleCycleValidationError), naming the tasks.
            form.add_service_errors(error)
        else:
            notice = LINK_ADDED.format(predecessor=data["predecessor"].name, successor=successor.name)
            return _done(request, project, state_open, notice)
    return _refused(request, project, state_open, forms={"link_form": form})


@schedule_write
def link_remove(request, project: Project, state: ScheduleState, pk: int):
    dependency = get_object_or_404(
        Dependency.objects.filter(successor__project=project).select_related(
            "predecessor__project", "successor__project"
        ),
        pk=pk,
    )
    notice = LINK_REMOVED.format(predecessor=dependency.predecessor.name, successor=dependency.successor.name)
    try:
        dependency_delete(actor=request.user, dependency=dependency)
    except ValidationError as error:
        return _refused(request, project, state, error=" ".join(error.messages))
    return _done(request, project, state, notice)


# -- baselines, files ----------------------------------------------------------------------------


@schedule_write
def baseline_save(request, project: Project, state: ScheduleState):
    form = BaselineForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["number"]
        if baseline_overwrite_needs_confirmation(user=request.user, project=project, number=number):
            # A program manager replacing the approved plan: first the page saying what changes.
            url = reverse("projects:baseline-overwrite", args=[project.code, number])
            return client_redirect(request, url + "?" + urlencode({"name": form.cleaned_data["name"]}))
        try:
            baseline = baseline_set(actor=request.user, project=project, number=number, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            notice = BASELINE_SAVED.format(number=number, count=baseline.tasks.count())
            return _done(request, project, replace(state, baseline=str(number), edit=None), notice)
    return _refused(request, project, state, forms={"baseline_form": form})
