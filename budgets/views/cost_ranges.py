"""Writes of the cost ranges section on a project's risk analysis inputs page (the page is
projects.views.uncertainty; this section is rendered by budgets' `cost_ranges_panel` tag).
The project must be editable by the user (404 otherwise); POST only. A refused form shows the
page again with the bound form (422; 409 when the row moved on)."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect

from core.services import STALE_VERSION, StaleVersionError
from projects.models import Project
from projects.views.uncertainty import page_url, render_page

from .. import services
from ..forms_cost_ranges import CostRangeForm
from ..models import CostCategory
from ..models.cost_ranges import CostRange

COST_RANGE_SAVED = "Cost range for {category} saved."
COST_RANGE_DELETED = "Cost range for {category} deleted."


def _editable(view):
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


def _free_categories(project, keep=None):
    taken = set(CostRange.objects.filter(project=project).values_list("category_id", flat=True)) - {keep}
    return [c for c in CostCategory.objects.all() if c.pk not in taken]


@_editable
def cost_range_add(request, project):
    form = CostRangeForm(request.POST, categories=_free_categories(project))
    if form.is_valid():
        try:
            rng = services.cost_range_create(actor=request.user, project=project, **form.service_data())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, COST_RANGE_SAVED.format(category=rng.category.name))
            return redirect(page_url(project))
    return render_page(request, project, forms={"cost_form": form}, status=422)


@_editable
def cost_range_edit(request, project, item: int):
    rng = get_object_or_404(CostRange.objects.filter(project=project).select_related("category"), pk=item)
    form = CostRangeForm(request.POST, categories=_free_categories(project, keep=rng.category_id), instance=rng)
    status = 422
    if form.is_valid():
        try:
            rng = services.cost_range_update(
                actor=request.user,
                cost_range=rng,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersionError:
            form.add_error(None, STALE_VERSION)
            status = 409
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, COST_RANGE_SAVED.format(category=rng.category.name))
            return redirect(page_url(project))
    request.GET = request.GET.copy()
    request.GET["edit"] = f"cost-{rng.pk}"
    return render_page(request, project, forms={"cost_edit_form": form}, status=status)


@_editable
def cost_range_remove(request, project, item: int):
    rng = get_object_or_404(CostRange.objects.filter(project=project).select_related("category"), pk=item)
    value = request.POST.get("version", "")
    try:
        services.cost_range_delete(
            actor=request.user, cost_range=rng, expected_version=int(value) if value.isdigit() else None
        )
    except StaleVersionError:
        messages.error(request, STALE_VERSION)
        return redirect(page_url(project))
    messages.success(request, COST_RANGE_DELETED.format(category=rng.category.name))
    return redirect(page_url(project))
