"""A project's actual costs: the filtered, paginated list (and the same list as Excel), and
manual entries added, changed and deleted with plain forms.

Only manual entries are edited here: ledger, invoice and timesheet costs come from imports and
are corrected at their source (a re-import updates them by external reference), so their edit
and delete URLs are 404 like those of a reader.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.services import StaleVersionError
from core.views import filters_active, paginate, refuse_unknown_filters

from .. import exports
from ..filters import CostEntryFilterSet
from ..forms import CostEntryEditForm, CostEntryForm, scope_cost_entry_filters
from ..models import CostEntry
from ..selectors import cost_entry_list as cost_entries_of
from ..services import cost_entry_create, cost_entry_delete, cost_entry_update
from ._common import done, error_text, finance_project, may_edit_project_money, visible_project

ENTRY_PAGE_SIZE = 50
ENTRY_ADDED = "Cost entry of {amount} on {date:%d %b %Y} added."
ENTRY_SAVED = "Cost entry of {amount} on {date:%d %b %Y} saved."
ENTRY_DELETED = "Cost entry of {amount} on {date:%d %b %Y} deleted."


def _filtered(request, project):
    entries = cost_entries_of(user=request.user).filter(project=project).select_related("currency")
    filterset = CostEntryFilterSet(request.GET, queryset=entries, request=request)
    scope_cost_entry_filters(filterset, project=project, user=request.user)
    return filterset


def _amount(entry) -> str:
    return f"{entry.currency_id} {entry.amount:,.2f}"


@login_required
def cost_entry_list(request, code: str):
    project = visible_project(request, code)
    filterset = _filtered(request, project)
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    page = paginate(request, filterset.qs.order_by("-date", "-pk"), per_page=ENTRY_PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "project": project,
        "program": project.program,
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": page,
        "can_edit": may_edit_project_money(request.user, project),
        "export_query": f"?{params.urlencode()}" if params else "",
        "manual": CostEntry.Source.MANUAL,
    }
    return render(request, "budgets/costentry_list.html", context)


@login_required
def cost_entry_export(request, code: str):
    """The list with the same filters as Excel, every page of it."""
    project = visible_project(request, code)
    filterset = _filtered(request, project)
    workbook = exports.cost_entries_workbook(filterset.qs.order_by("-date", "-pk"))
    return exports.xlsx_response(workbook, f"{project.code}-cost-entries")


def _list_url(project) -> str:
    return reverse("budgets:cost-entry-list", args=[project.code])


@login_required
def cost_entry_add(request, code: str):
    project = finance_project(request, code)
    form = CostEntryForm(request.POST or None, project=project, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            entry = cost_entry_create(
                actor=request.user, project=project, source=CostEntry.Source.MANUAL, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return done(request, _list_url(project), ENTRY_ADDED.format(amount=_amount(entry), date=entry.date))
    return render(request, "budgets/costentry_form.html", {"project": project, "form": form})


def _manual_entry(request, project, pk: int) -> CostEntry:
    return get_object_or_404(
        CostEntry.objects.editable_by(request.user).filter(project=project, source=CostEntry.Source.MANUAL),
        pk=pk,
    )


@login_required
def cost_entry_edit(request, code: str, pk: int):
    project = finance_project(request, code)
    entry = _manual_entry(request, project, pk)
    form = CostEntryEditForm(request.POST or None, instance=entry, project=project, user=request.user)
    if form.is_bound and form.is_valid():
        saved = form.save_with(
            lambda version: cost_entry_update(
                actor=request.user,
                cost_entry=entry,
                data=form.service_data(),
                expected_version=version,
            )
        )
        if saved is not None:
            entry = saved
            return done(request, _list_url(project), ENTRY_SAVED.format(amount=_amount(entry), date=entry.date))
    status = 409 if form.stale else 200
    return render(
        request, "budgets/costentry_form.html", {"project": project, "form": form, "entry": entry}, status=status
    )


@login_required
@require_POST
def cost_entry_remove(request, code: str, pk: int):
    project = finance_project(request, code)
    entry = _manual_entry(request, project, pk)
    version = request.POST.get("version", "")
    try:
        cost_entry_delete(
            actor=request.user, cost_entry=entry, expected_version=int(version) if version.isdigit() else None
        )
    except (StaleVersionError, ValidationError) as error:
        text = str(error) if isinstance(error, StaleVersionError) else error_text(error)
        form = CostEntryEditForm(instance=entry, project=project, user=request.user)
        context = {"project": project, "form": form, "entry": entry, "delete_error": text}
        return render(request, "budgets/costentry_form.html", context, status=409)
    return done(request, _list_url(project), ENTRY_DELETED.format(amount=_amount(entry), date=entry.date))
