"""The optimiser pages: run it on a scenario (one POST), its runs, a run's result (the plan, the
starts it moves, the binding constraints, why each project was left out) and applying the plan to
the scenario after a confirmation (the live portfolio does not change until a commit)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.services import StaleVersionError
from core.views import refused_status

from ..forms import ApplyPlanForm
from ..models import OptimisationRun
from ..selectors.pages import run_result
from ..selectors.scenario import scenario_view
from ..services.optimise import plan_apply, scenario_optimise
from ._common import can_edit, editable_scenario, readable_scenario

STARTED = "The optimiser is running on “{name}”."
APPLIED = (
    "The plan is applied to “{name}”: {count} project{s} changed in the scenario. "
    "The live portfolio changes only when the scenario is committed."
)
FINISHED = ("succeeded", "failed")


@login_required
@require_POST
def optimise(request, pk: int):
    scenario = editable_scenario(request, pk)
    try:
        run = scenario_optimise(user=request.user, scenario=scenario)
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
        return redirect("planning:scenario-detail", scenario.pk)
    messages.success(request, STARTED.format(name=scenario.name))
    return redirect("planning:scenario-run", scenario.pk, run.pk)


@login_required
def run_list(request, pk: int):
    scenario = readable_scenario(request, pk)
    runs = list(
        OptimisationRun.objects.filter(scenario=scenario)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:50]
    )
    context = {"scenario": scenario, "runs": runs, "can_edit": can_edit(request.user, scenario)}
    return render(request, "planning/run_list.html", context)


def _run(scenario, run_pk: int) -> OptimisationRun:
    return get_object_or_404(OptimisationRun.objects.select_related("created_by"), pk=run_pk, scenario=scenario)


@login_required
def run_detail(request, pk: int, run_pk: int):
    scenario = readable_scenario(request, pk)
    run = _run(scenario, run_pk)
    finished = run.status in FINISHED
    result = run_result(run, scenario_view(scenario)) if run.status == "succeeded" else None
    context = {
        "scenario": scenario,
        "run": run,
        "result": result,
        "finished": finished,
        "can_edit": can_edit(request.user, scenario),
        "currency": scenario.portfolio.base_currency,
    }
    if request.htmx and not request.htmx.boosted:
        if finished:  # it finished while the page polled: reload the page whole, with the plan
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "planning/_run_progress.html", context)
    return render(request, "planning/run_detail.html", context)


@login_required
def run_apply(request, pk: int, run_pk: int):
    """GET: what applying the plan changes in the scenario, and a box to tick; POST: apply it."""
    scenario = editable_scenario(request, pk)
    run = _run(scenario, run_pk)
    view = scenario_view(scenario)
    result = run_result(run, view) if run.status == "succeeded" else None
    form = ApplyPlanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                plan_apply(actor=request.user, run=run)
            except (ValidationError, StaleVersionError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                form.add_error(None, text)
                status = 409
            else:
                count = result.changes if result else 0
                messages.success(request, APPLIED.format(name=scenario.name, count=count, s="" if count == 1 else "s"))
                return redirect("planning:scenario-detail", scenario.pk)
        else:
            status = refused_status(request)
    context = {
        "scenario": scenario,
        "run": run,
        "result": result,
        "form": form,
        "can_edit": can_edit(request.user, scenario),
        "currency": view.currency,
    }
    return render(request, "planning/run_apply_confirm.html", context, status=status)
