"""The scoring page of a scenario: the portfolio's criteria and their weights (direct, or from the
pairwise judgement matrix with its consistency ratio), each project's values and score, and the
efficient frontier of score against cost with the scenario's own selection marked on it.

Criteria, judgements and values belong to the portfolio (every scenario of it scores alike); they
are edited here by its admins, one write per form, through planning.services."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.services import StaleVersionError
from core.views import refused_status

from .. import charts
from ..forms import SAATY_SHORT_CHOICES, CriterionForm, CriterionValueForm, CriterionWeightForm, PairwiseForm
from ..models import CriterionValue, OptimisationRun, PairwiseJudgement, ScoringCriterion
from ..selectors.pages import run_result, scoring_page
from ..selectors.scenario import planning_projects, scenario_view
from ..selectors.scores import project_scores
from ..services.scoring import criterion_create, criterion_delete, criterion_update, criterion_value_set, pairwise_set
from ._common import can_edit, editable_scenario, readable_scenario

CRITERION_ADDED = "Criterion “{name}” added."
WEIGHT_SAVED = "Weight of “{name}” saved."
CRITERION_DELETED = "Criterion “{name}” deleted, with its judgements and entered values."
JUDGEMENT_SAVED = "Judgement “{a}” against “{b}” saved."
VALUE_SAVED = "{project}: value on “{name}” saved."


FRONTIER_LEVELS = 25  # budget levels the frontier is solved at: the chart's resolution
FRONTIER_TIME_LIMIT_S = 0.2  # per level; a level cut short still gives the best selection found


def frontier_points(view) -> list[tuple[Decimal, Decimal]]:
    """The efficient frontier (planning.optimiser.frontier) of the scenario's projects, each with
    its cost in the horizon and its score, as (cost, value) points from (0, 0)."""
    from planning.optimiser.frontier import efficient_frontier

    items = [(r.key, max(r.total_cost, Decimal(0)), r.score) for r in view.rows if r.score is not None and r.score > 0]
    if not items:
        return []
    found = efficient_frontier(items, levels=FRONTIER_LEVELS, time_limit_s=FRONTIER_TIME_LIMIT_S)
    return [(Decimal(0), Decimal(0)), *((p.cost, p.value) for p in found)]


def _context(request, scenario, *, forms=None, status_notice: str = "") -> dict:
    scores = project_scores(scenario.portfolio)
    view = scenario_view(scenario, scores=scores)
    page = scoring_page(view, scores, frontier_points(view))
    marks = [charts.Mark(page.selection[0], page.selection[1], "This scenario")]
    run = (
        OptimisationRun.objects.filter(scenario=scenario, status=OptimisationRun.Status.SUCCEEDED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if run is not None:
        result = run_result(run, view)
        if result.has_plan:
            cost = sum((p.row.total_cost for p in result.chosen), Decimal(0))
            marks.append(charts.Mark(cost, result.value or Decimal(0), "Latest optimised plan", "plan"))
    editable = can_edit(request.user, scenario)
    forms = forms or {}
    kinds = ScoringCriterion.Kind.choices
    directions = ScoringCriterion.Direction.choices
    return {
        "scenario": scenario,
        "portfolio": scenario.portfolio,
        "view": view,
        "page": page,
        "currency": view.currency,
        "can_edit": editable,
        "frontier_chart": charts.frontier_chart(page.frontier, marks=marks, currency=view.currency)
        if page.criteria
        else "",
        "criterion_form": forms.get("criterion")
        or (CriterionForm(kinds=kinds, directions=directions, auto_id="crit_%s") if editable else None),
        "saaty_choices": SAATY_SHORT_CHOICES,
        "value_form": forms.get("value")
        or (
            CriterionValueForm(
                criteria=ScoringCriterion.objects.filter(portfolio=scenario.portfolio_id),
                projects=planning_projects(scenario.portfolio),
                auto_id="value_%s",
            )
            if editable and page.criteria
            else None
        ),
        "notice": status_notice,
    }


@login_required
def scoring_detail(request, pk: int):
    scenario = readable_scenario(request, pk)
    return render(request, "planning/scoring.html", _context(request, scenario))


def _done(request, scenario, text: str):
    messages.success(request, text)
    return redirect("planning:scenario-scoring", scenario.pk)


def _refused(request, scenario, error, *, forms=None):
    if isinstance(error, StaleVersionError):
        status, text = 409, str(error)
    else:
        status = refused_status(request)
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    context = _context(request, scenario, forms=forms, status_notice=text)
    return render(request, "planning/scoring.html", context, status=status)


def _criterion(scenario, criterion_pk: int) -> ScoringCriterion:
    return get_object_or_404(ScoringCriterion.objects.filter(portfolio=scenario.portfolio_id), pk=criterion_pk)


@login_required
@require_POST
def criterion_add(request, pk: int):
    scenario = editable_scenario(request, pk)
    form = CriterionForm(
        request.POST,
        kinds=ScoringCriterion.Kind.choices,
        directions=ScoringCriterion.Direction.choices,
        auto_id="crit_%s",
    )
    if not form.is_valid():
        return _refused(request, scenario, ValidationError(""), forms={"criterion": form})
    data = dict(form.cleaned_data)
    data["direction"] = data.get("direction") or None
    try:
        criterion = criterion_create(actor=request.user, portfolio=scenario.portfolio, **data)
    except (ValidationError, PermissionDenied) as error:
        if isinstance(error, ValidationError):
            form.add_service_errors(error)
        return _refused(request, scenario, error, forms={"criterion": form})
    return _done(request, scenario, CRITERION_ADDED.format(name=criterion.name))


@login_required
@require_POST
def criterion_weight(request, pk: int, criterion_pk: int):
    scenario = editable_scenario(request, pk)
    criterion = _criterion(scenario, criterion_pk)
    form = CriterionWeightForm(request.POST)
    if not form.is_valid():
        return _refused(request, scenario, ValidationError(f"Weight of “{criterion.name}”: {form.errors['weight'][0]}"))
    try:
        criterion_update(actor=request.user, criterion=criterion, data={"weight": form.cleaned_data["weight"]})
    except (ValidationError, StaleVersionError) as error:
        return _refused(request, scenario, error)
    return _done(request, scenario, WEIGHT_SAVED.format(name=criterion.name))


@login_required
def criterion_remove(request, pk: int, criterion_pk: int):
    """GET: what deleting the criterion removes (its judgements and entered values) and a
    button; POST: delete it."""
    scenario = editable_scenario(request, pk)
    criterion = _criterion(scenario, criterion_pk)
    if request.method != "POST":
        context = {
            "scenario": scenario,
            "criterion": criterion,
            "judgements": PairwiseJudgement.objects.filter(Q(criterion_a=criterion) | Q(criterion_b=criterion)).count(),
            "values": CriterionValue.objects.filter(criterion=criterion).count(),
        }
        return render(request, "planning/criterion_delete_confirm.html", context)
    try:
        criterion_delete(actor=request.user, criterion=criterion)
    except (ValidationError, StaleVersionError) as error:
        return _refused(request, scenario, error)
    return _done(request, scenario, CRITERION_DELETED.format(name=criterion.name))


@login_required
@require_POST
def pairwise(request, pk: int, a_pk: int, b_pk: int):
    """How much more important criterion `a_pk` is than `b_pk` (Saaty's scale)."""
    scenario = editable_scenario(request, pk)
    a, b = _criterion(scenario, a_pk), _criterion(scenario, b_pk)
    form = PairwiseForm(request.POST)
    if not form.is_valid():
        return _refused(request, scenario, ValidationError(f"“{a.name}” against “{b.name}”: choose a judgement."))
    try:
        pairwise_set(actor=request.user, criterion_a=a, criterion_b=b, value=form.cleaned_data["value"])
    except (ValidationError, StaleVersionError) as error:
        return _refused(request, scenario, error)
    return _done(request, scenario, JUDGEMENT_SAVED.format(a=a.name, b=b.name))


@login_required
@require_POST
def criterion_value(request, pk: int):
    """A project's entered value on a criterion (empty: read it from the portfolio's data)."""
    scenario = editable_scenario(request, pk)
    form = CriterionValueForm(
        request.POST,
        criteria=ScoringCriterion.objects.filter(portfolio=scenario.portfolio_id),
        projects=planning_projects(scenario.portfolio),
        auto_id="value_%s",
    )
    if not form.is_valid():
        return _refused(request, scenario, ValidationError(""), forms={"value": form})
    criterion, project = form.cleaned_data["criterion"], form.cleaned_data["project"]
    try:
        criterion_value_set(actor=request.user, criterion=criterion, project=project, value=form.cleaned_data["value"])
    except (ValidationError, StaleVersionError) as error:
        return _refused(request, scenario, error)
    return _done(request, scenario, VALUE_SAVED.format(project=project.code, name=criterion.name))
