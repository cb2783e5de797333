"""The risk analysis inputs page of a project: duration ranges by WBS branch, correlation
groups, cost ranges per budget category (a section budgets renders: the `cost_ranges_panel`
tag, its writes in budgets/views/cost_ranges.py) and a read-only summary of the tasks'
three-point estimates, which are edited in the schedule table.

Reading needs Project.objects.visible_to (else 404); every write needs editable_by (404 for
the others too, as for the schedule). A plain form post: redirect after success, the page
again with the bound form and 422 when refused, 409 when the row moved on."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.services import STALE_VERSION, StaleVersionError

from ..forms_uncertainty import CorrelationGroupForm, DurationRangeForm, summary_tasks
from ..models import CorrelationGroup, DurationRange, Project, Task
from ..selectors import project_is_editable, project_page
from ..selectors.schedule import format_days
from ..services.uncertainty import (
    correlation_group_create,
    correlation_group_delete,
    correlation_group_update,
    duration_range_create,
    duration_range_delete,
    duration_range_update,
)

RANGE_SAVED = "Duration range saved."
RANGE_DELETED = "Duration range deleted."
GROUP_SAVED = "Correlation group “{name}” saved."
GROUP_DELETED = "Correlation group “{name}” deleted."

UNPROCESSABLE = 422
CONFLICT = 409


def page_url(project: Project, edit: str = "") -> str:
    url = reverse("projects:uncertainty", args=[project.pk])
    return f"{url}?edit={edit}" if edit else url


def _estimate_rows(tasks: list[Task]) -> list[dict]:
    return [
        {
            "task": t,
            "duration": format_days(t.duration_minutes),
            "optimistic": format_days(t.optimistic_minutes),
            "pessimistic": format_days(t.pessimistic_minutes),
        }
        for t in tasks
        if t.optimistic_minutes is not None
    ]


def uncertainty_context(request, project: Project, *, can_edit: bool, forms: dict | None = None) -> dict:
    """Everything the page shows. `forms` may hold bound forms with errors: "range_form",
    "group_form" (new rows), "range_edit_form" / "group_edit_form" (with the row's pk in
    `?edit=range-<pk>` / `group-<pk>`) and "cost_form" / "cost_edit_form" (budgets' section)."""
    forms = forms or {}
    tasks = list(Task.objects.filter(project=project).order_by("sort_order", "pk"))
    summaries = summary_tasks(tasks)
    ranges = list(DurationRange.objects.filter(project=project).select_related("branch"))
    groups = list(CorrelationGroup.objects.filter(project=project).prefetch_related("tasks"))
    edit = request.GET.get("edit", "")
    context = {
        "project": project,
        "can_edit": can_edit,
        "edit": edit,
        "ranges": ranges,
        "groups": groups,
        "estimates": _estimate_rows(tasks),
        "task_count": sum(1 for t in tasks if not t.is_summary),
        "page_url": page_url(project),
        **{name: form for name, form in forms.items() if name.startswith("cost_")},
    }
    if can_edit:
        context["range_form"] = forms.get("range_form") or DurationRangeForm(summaries=summaries)
        context["group_form"] = forms.get("group_form") or CorrelationGroupForm(tasks=tasks)
        for rng in ranges:
            rng.edit_key = f"range-{rng.pk}"
            rng.edit_href = page_url(project, rng.edit_key) + f"#range-{rng.pk}"
            rng.save_url = reverse("projects:uncertainty-range", args=[project.pk, rng.pk])
            rng.delete_url = reverse("projects:uncertainty-range-delete", args=[project.pk, rng.pk])
            if edit == rng.edit_key:
                rng.form = forms.get("range_edit_form") or DurationRangeForm(summaries=summaries, instance=rng)
        for group in groups:
            group.edit_key = f"group-{group.pk}"
            group.edit_href = page_url(project, group.edit_key) + f"#group-{group.pk}"
            group.save_url = reverse("projects:uncertainty-group", args=[project.pk, group.pk])
            group.delete_url = reverse("projects:uncertainty-group-delete", args=[project.pk, group.pk])
            if edit == group.edit_key:
                group.form = forms.get("group_edit_form") or CorrelationGroupForm(tasks=tasks, instance=group)
    return context


def render_page(request, project: Project, *, forms: dict | None = None, status: int = 200):
    can_edit = project_is_editable(user=request.user, project=project)
    context = uncertainty_context(request, project, can_edit=can_edit, forms=forms)
    return render(request, "projects/uncertainty.html", context, status=status)


@login_required
def uncertainty_page(request, pk: int):
    project = get_object_or_404(project_page(user=request.user), pk=pk)
    return render_page(request, project)


def inputs_write(view):
    """Sign-in, the project editable by the user (404 otherwise), then POST only."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, pk: int, **kwargs):
        project = get_object_or_404(
            Project.objects.editable_by(request.user).select_related("program__portfolio"), pk=pk
        )
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, project, **kwargs)

    return wrapper


def _done(request, project: Project, notice: str):
    messages.success(request, notice)
    return redirect(page_url(project))


def _version(form) -> int | None:
    return form.cleaned_data.get("version") if form.is_bound and hasattr(form, "cleaned_data") else None


def _tasks(project: Project) -> list[Task]:
    return list(Task.objects.filter(project=project).order_by("sort_order", "pk"))


# -- duration ranges ----------------------------------------------------------------------------


@inputs_write
def range_add(request, project: Project):
    form = DurationRangeForm(request.POST, summaries=summary_tasks(_tasks(project)))
    if form.is_valid():
        try:
            duration_range_create(actor=request.user, project=project, **form.service_data())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(request, project, RANGE_SAVED)
    return render_page(request, project, forms={"range_form": form}, status=UNPROCESSABLE)


@inputs_write
def range_save(request, project: Project, item: int):
    rng = get_object_or_404(DurationRange.objects.filter(project=project), pk=item)
    form = DurationRangeForm(request.POST, summaries=summary_tasks(_tasks(project)), instance=rng)
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            duration_range_update(
                actor=request.user, duration_range=rng, data=form.service_data(), expected_version=_version(form)
            )
        except StaleVersionError:
            form.add_error(None, STALE_VERSION)
            status = CONFLICT
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(request, project, RANGE_SAVED)
    request.GET = request.GET.copy()
    request.GET["edit"] = f"range-{rng.pk}"
    return render_page(request, project, forms={"range_edit_form": form}, status=status)


def _posted_version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@inputs_write
def range_remove(request, project: Project, item: int):
    rng = get_object_or_404(DurationRange.objects.filter(project=project), pk=item)
    try:
        duration_range_delete(actor=request.user, duration_range=rng, expected_version=_posted_version(request))
    except StaleVersionError:
        messages.error(request, STALE_VERSION)
        return redirect(page_url(project))
    return _done(request, project, RANGE_DELETED)


# -- correlation groups -------------------------------------------------------------------------


@inputs_write
def group_add(request, project: Project):
    form = CorrelationGroupForm(request.POST, tasks=_tasks(project))
    if form.is_valid():
        try:
            group = correlation_group_create(actor=request.user, project=project, **form.service_data())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(request, project, GROUP_SAVED.format(name=group.name))
    return render_page(request, project, forms={"group_form": form}, status=UNPROCESSABLE)


@inputs_write
def group_save(request, project: Project, item: int):
    group = get_object_or_404(CorrelationGroup.objects.filter(project=project), pk=item)
    form = CorrelationGroupForm(request.POST, tasks=_tasks(project), instance=group)
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            group = correlation_group_update(
                actor=request.user, group=group, data=form.service_data(), expected_version=_version(form)
            )
        except StaleVersionError:
            form.add_error(None, STALE_VERSION)
            status = CONFLICT
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _done(request, project, GROUP_SAVED.format(name=group.name))
    request.GET = request.GET.copy()
    request.GET["edit"] = f"group-{group.pk}"
    return render_page(request, project, forms={"group_edit_form": form}, status=status)


@inputs_write
def group_remove(request, project: Project, item: int):
    group = get_object_or_404(CorrelationGroup.objects.filter(project=project), pk=item)
    try:
        correlation_group_delete(actor=request.user, group=group, expected_version=_posted_version(request))
    except StaleVersionError:
        messages.error(request, STALE_VERSION)
        return redirect(page_url(project))
    return _done(request, project, GROUP_DELETED.format(name=group.name))
