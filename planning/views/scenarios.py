"""The scenario pages: the list of a portfolio's scenarios (create, copy) and a scenario's overlay
editor, edited in place with htmx the way the staffing pages are (templates/staffing/
_request_rows.html): an Edit link swaps its row for a form (hx-get, `closest tr`), the form
posts (hx-post) and the answer replaces the whole `#scenario-body` (figures and table), or the
form again with its errors (422; base.html's htmx-config swaps it in). Without JavaScript every
link and form works as a plain page. Every write goes through planning.services."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from budgets.models import FiscalPeriod
from budgets.selectors.earned_value import fiscal_calendar_for
from core.services import StaleVersionError
from core.views import refused_status
from projects.models import Project
from staffing.models import Role

from .. import charts
from ..forms import (
    BudgetCapForm,
    ScenarioBudgetForm,
    ScenarioCopyForm,
    ScenarioDemandForm,
    ScenarioForm,
    ScenarioProjectForm,
)
from ..models import OptimisationRun, Scenario, ScenarioBudget, ScenarioDemand
from ..selectors.pages import scenario_list_rows
from ..selectors.scenario import planning_projects, scenario_view
from ..services.scenarios import (
    budget_cap_set,
    scenario_budget_set,
    scenario_create,
    scenario_demand_set,
    scenario_project_set,
)
from ._common import can_edit, editable_portfolio, editable_scenario, readable_portfolio, readable_scenario

CREATED = "Scenario “{name}” created."
COPIED = "Scenario “{name}” copied from “{source}”."
PROJECT_SAVED = "{project}: saved in the scenario."
BUDGET_SAVED = "{project}: budget for {period} saved in the scenario."
DEMAND_SAVED = "{project}: {role} demand for {month:%b %Y} saved in the scenario."
CAP_SAVED = "Budget cap for {fy} saved."
INCLUDED = "{project} included in the scenario."
LEFT_OUT = "{project} left out of the scenario."
READ_ONLY = "This scenario is {status} and can no longer be changed; copy it into a new scenario."


# -- the list -----------------------------------------------------------------------------------


@login_required
def planning_home(request):
    """The navigation's "Planning": the one portfolio's scenarios, or a choice of portfolios."""
    from ._common import planning_portfolios

    portfolios = list(planning_portfolios(request.user).order_by("name"))
    if len(portfolios) == 1:
        return redirect("planning:scenario-list", portfolios[0].pk)
    return render(request, "planning/planning_home.html", {"portfolios": portfolios})


def _list_context(request, portfolio, *, form=None, copy_forms=None) -> dict:
    from ..querysets import PLANNING_EDITORS
    from ._common import planning_portfolios

    editor = planning_portfolios(request.user, PLANNING_EDITORS).filter(pk=portfolio.pk).exists()
    return {
        "portfolio": portfolio,
        "rows": scenario_list_rows(portfolio),
        "can_create": editor,
        "form": form or (ScenarioForm(auto_id="new_%s") if editor else None),
        "copy_forms": copy_forms or {},
    }


@login_required
def scenario_list(request, pk: int):
    portfolio = readable_portfolio(request, pk)
    return render(request, "planning/scenario_list.html", _list_context(request, portfolio))


@login_required
@require_POST
def scenario_add(request, pk: int):
    portfolio = editable_portfolio(request, pk)
    form = ScenarioForm(request.POST, auto_id="new_%s")
    if form.is_valid():
        try:
            scenario = scenario_create(actor=request.user, portfolio=portfolio, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, CREATED.format(name=scenario.name))
            return redirect("planning:scenario-detail", scenario.pk)
    context = _list_context(request, portfolio, form=form)
    return render(request, "planning/scenario_list.html", context, status=400)


@login_required
def scenario_copy(request, pk: int):
    """GET: the copy form; POST: a new draft with this scenario's overlay (a committed scenario
    can be copied too: that is how a decision is revisited)."""
    source = readable_scenario(request, pk)
    editable_portfolio(request, source.portfolio_id)
    form = ScenarioCopyForm(request.POST or None, initial={"name": f"{source.name} (copy)"})
    if request.method == "POST" and form.is_valid():
        try:
            scenario = scenario_create(
                actor=request.user,
                portfolio=source.portfolio,
                name=form.cleaned_data["name"],
                description=source.description,
                horizon_start=source.horizon_start,
                horizon_months=source.horizon_months,
                delay_max_months=source.delay_max_months,
                based_on=source,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, COPIED.format(name=scenario.name, source=source.name))
            return redirect("planning:scenario-detail", scenario.pk)
    status = refused_status(request) if request.method == "POST" else 200
    return render(request, "planning/scenario_copy.html", {"scenario": source, "form": form}, status=status)


# -- the overlay editor -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectLine:
    """A row of the projects table: the scenario's row and the codes of the projects it requires."""

    row: object
    requires: list[str]


@dataclass(frozen=True)
class Editing:
    """The row editor open on the page: which project, which editor ("row", "budget",
    "demand") and its form(s)."""

    project_id: int
    kind: str
    form: object
    extra: dict


def _periods(scenario: Scenario, view):
    calendar = fiscal_calendar_for(portfolio=scenario.portfolio)
    if calendar.pk is None:
        return FiscalPeriod.objects.none()
    first, last = view.months[0], view.months[-1]
    return FiscalPeriod.objects.filter(calendar=calendar, start__gte=first, start__lte=last).order_by("start")


def _roles(scenario: Scenario):
    return Role.objects.filter(portfolio=scenario.portfolio, is_active=True).order_by("name")


def _budget_extra(scenario: Scenario, project_id: int) -> dict:
    return {
        "overrides": list(
            ScenarioBudget.objects.filter(scenario=scenario, project_id=project_id)
            .select_related("period")
            .order_by("period__start")
        )
    }


def _demand_extra(scenario: Scenario, project_id: int) -> dict:
    return {
        "overrides": list(
            ScenarioDemand.objects.filter(scenario=scenario, project_id=project_id)
            .select_related("role")
            .order_by("role__name", "month")
        )
    }


def _others(scenario: Scenario, project_pk: int):
    return planning_projects(scenario.portfolio).exclude(pk=project_pk)


def _row_form(scenario: Scenario, row) -> ScenarioProjectForm:
    overlay = row.overlay
    included = "" if overlay is None or overlay.included is None else ("in" if overlay.included else "out")
    return ScenarioProjectForm(
        initial={
            "included": included,
            "start": overlay.start if overlay else None,
            "mandatory": overlay.mandatory if overlay else False,
            "exclusive_group": overlay.exclusive_group if overlay else "",
            "requires": list(row.requires),
            "delay_max_months": overlay.delay_max_months if overlay else None,
            "notes": overlay.notes if overlay else "",
        },
        others=_others(scenario, row.project.pk),
        auto_id=f"sp_{row.project.pk}_%s",
    )


def scenario_context(request, scenario: Scenario, *, editing: Editing | None = None, notice: str = "") -> dict:
    """Everything the scenario page shows; `view` is planning.selectors.scenario's, so every
    figure here is the one the compare page and the optimiser read."""
    view = scenario_view(scenario)
    editable = can_edit(request.user, scenario)
    series = [
        charts.CostSeries(
            name=scenario.name,
            costs=[view.cost_by_fy.get(fy) or 0 for fy in view.fiscal_years],
            caps=[view.budget_cap_by_fy.get(fy) for fy in view.fiscal_years],
        )
    ]
    over_cap = view.over_cap()
    caps = [
        {
            "fiscal_year": fy,
            "year": int(fy[2:]) if fy[2:].isdigit() else None,
            "cost": view.cost_by_fy.get(fy) or 0,
            "cap": view.budget_cap_by_fy.get(fy),
            "over": over_cap.get(fy),
        }
        for fy in view.fiscal_years
    ]
    roles = list(view.demand.keys() | view.supply.keys())
    roles.sort()
    heat = charts.heat_cells(roles, view.months, view.demand, view.supply)
    runs = list(OptimisationRun.objects.filter(scenario=scenario).order_by("-created_at", "-pk")[:5])
    codes = {r.project.pk: r.project.code for r in view.rows}
    lines = [ProjectLine(r, [codes.get(pk, "?") for pk in r.requires]) for r in view.rows]
    return {
        "scenario": scenario,
        "portfolio": scenario.portfolio,
        "view": view,
        "rows": view.rows,
        "lines": lines,
        "currency": view.currency,
        "can_edit": editable,
        "caps": caps,
        "over_cap": over_cap,
        "over_capacity": sum(len(cells) for cells in view.over_capacity().values()),
        "cost_chart": charts.cost_cap_chart(view.fiscal_years, series, currency=view.currency, ident="scenario"),
        "heat_map": charts.capacity_heat_map(roles, view.months, heat, ident="scenario"),
        "runs": runs,
        "editing": editing,
        "notice": notice,
        "included_count": sum(1 for r in view.rows if r.included),
        "changed_count": sum(1 for r in view.rows if r.change != "unchanged"),
    }


def _render_detail(request, scenario, *, status=200, partial=False, **kwargs) -> HttpResponse:
    context = scenario_context(request, scenario, **kwargs)
    if partial and request.htmx and not request.htmx.boosted:
        return render(request, "planning/_scenario_body.html", context, status=status)
    return render(request, "planning/scenario_detail.html", context, status=status)


@login_required
def scenario_detail(request, pk: int):
    scenario = readable_scenario(request, pk)
    return _render_detail(request, scenario)


def _written(request, scenario, notice: str) -> HttpResponse:
    if request.htmx:
        return _render_detail(
            request, Scenario.objects.select_related("portfolio").get(pk=scenario.pk), partial=True, notice=notice
        )
    messages.success(request, notice)
    return redirect("planning:scenario-detail", scenario.pk)


def _refused(request, scenario, error: Exception, editing: Editing | None = None) -> HttpResponse:
    """A write the service refused: the page (or its body) again with the reason, 409 when the
    scenario is no longer a draft or changed under the user, else 400/422."""
    if isinstance(error, StaleVersionError):
        status, notice = 409, str(error)
    elif not scenario.is_editable:
        status, notice = 409, READ_ONLY.format(status=scenario.get_status_display().lower())
    else:
        status = refused_status(request)
        notice = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    return _render_detail(request, scenario, status=status, partial=True, editing=editing, notice=notice)


def _scenario_project(scenario: Scenario, project_pk: int) -> Project:
    return get_object_or_404(planning_projects(scenario.portfolio), pk=project_pk)


@login_required
def scenario_project_edit(request, pk: int, project_pk: int):
    """A project's row in the scenario: GET the editor, POST it to scenario_project_set."""
    scenario = editable_scenario(request, pk)
    project = _scenario_project(scenario, project_pk)
    if request.method == "GET":
        view_row = next(r for r in scenario_view(scenario).rows if r.project.pk == project.pk)
        form = _row_form(scenario, view_row)
        editing = Editing(project.pk, "row", form, {})
        if request.htmx:
            return render(
                request,
                "planning/_project_edit_row.html",
                {"scenario": scenario, "row": view_row, "editing": editing, "can_edit": True},
            )
        return _render_detail(request, scenario, editing=editing)
    form = ScenarioProjectForm(request.POST, others=_others(scenario, project.pk), auto_id=f"sp_{project.pk}_%s")
    editing = Editing(project.pk, "row", form, {})
    if not form.is_valid():
        return _render_detail(request, scenario, status=refused_status(request), partial=True, editing=editing)
    data = dict(form.cleaned_data)
    if data.get("shift_months") in (None, 0):
        data.pop("shift_months", None)
    else:
        data.pop("start", None)
    try:
        scenario_project_set(actor=request.user, scenario=scenario, project=project, **data)
    except (ValidationError, StaleVersionError, PermissionDenied) as error:
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            form.add_service_errors(error)
        return _refused(request, scenario, error, editing)
    return _written(request, scenario, PROJECT_SAVED.format(project=project.code))


@login_required
@require_POST
def scenario_project_toggle(request, pk: int, project_pk: int):
    """Include or leave out one project (`included` = "in" or "out")."""
    scenario = editable_scenario(request, pk)
    project = _scenario_project(scenario, project_pk)
    wanted = request.POST.get("included")
    if wanted not in ("in", "out"):
        return _refused(request, scenario, ValidationError({"included": "Choose “in” or “out”."}))
    try:
        scenario_project_set(actor=request.user, scenario=scenario, project=project, included=wanted == "in")
    except (ValidationError, StaleVersionError, PermissionDenied) as error:
        return _refused(request, scenario, error)
    notice = (INCLUDED if wanted == "in" else LEFT_OUT).format(project=project.code)
    return _written(request, scenario, notice)


@login_required
def scenario_project_budget(request, pk: int, project_pk: int):
    """A project's budget by fiscal period in the scenario: GET the editor, POST one period."""
    scenario = editable_scenario(request, pk)
    project = _scenario_project(scenario, project_pk)
    view = scenario_view(scenario)
    periods = _periods(scenario, view)
    form = ScenarioBudgetForm(request.POST or None, periods=periods, auto_id=f"sb_{project.pk}_%s")
    editing = Editing(project.pk, "budget", form, _budget_extra(scenario, project.pk))
    if request.method == "GET":
        if request.htmx:
            row = next(r for r in view.rows if r.project.pk == project.pk)
            return render(
                request,
                "planning/_project_edit_row.html",
                {"scenario": scenario, "row": row, "editing": editing, "can_edit": True, "currency": view.currency},
            )
        return _render_detail(request, scenario, editing=editing)
    if not form.is_valid():
        return _render_detail(request, scenario, status=refused_status(request), partial=True, editing=editing)
    period = form.cleaned_data["period"]
    try:
        scenario_budget_set(
            actor=request.user, scenario=scenario, project=project, period=period, amount=form.cleaned_data["amount"]
        )
    except (ValidationError, StaleVersionError, PermissionDenied) as error:
        return _refused(request, scenario, error, editing)
    label = f"FY{period.fiscal_year} P{period.number:02d}"
    return _written(request, scenario, BUDGET_SAVED.format(project=project.code, period=label))


@login_required
def scenario_project_demand(request, pk: int, project_pk: int):
    """A project's staffing demand by role and month in the scenario: GET the editor, POST one."""
    scenario = editable_scenario(request, pk)
    project = _scenario_project(scenario, project_pk)
    form = ScenarioDemandForm(request.POST or None, roles=_roles(scenario), auto_id=f"sd_{project.pk}_%s")
    editing = Editing(project.pk, "demand", form, _demand_extra(scenario, project.pk))
    if request.method == "GET":
        if request.htmx:
            view = scenario_view(scenario)
            row = next(r for r in view.rows if r.project.pk == project.pk)
            return render(
                request,
                "planning/_project_edit_row.html",
                {"scenario": scenario, "row": row, "editing": editing, "can_edit": True},
            )
        return _render_detail(request, scenario, editing=editing)
    if not form.is_valid():
        return _render_detail(request, scenario, status=refused_status(request), partial=True, editing=editing)
    data = form.cleaned_data
    try:
        scenario_demand_set(
            actor=request.user,
            scenario=scenario,
            project=project,
            role=data["role"],
            month=data["month"],
            fte=data["fte"],
        )
    except (ValidationError, StaleVersionError, PermissionDenied) as error:
        return _refused(request, scenario, error, editing)
    notice = DEMAND_SAVED.format(project=project.code, role=data["role"].name, month=data["month"])
    return _written(request, scenario, notice)


@login_required
@require_POST
def scenario_cap_set(request, pk: int):
    """The budget cap of one fiscal year (empty: no cap)."""
    scenario = editable_scenario(request, pk)
    form = BudgetCapForm(request.POST)
    if not form.is_valid():
        message = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return _refused(request, scenario, ValidationError(message))
    year = form.cleaned_data["fiscal_year"]
    try:
        budget_cap_set(actor=request.user, scenario=scenario, fiscal_year=year, amount=form.cleaned_data["amount"])
    except (ValidationError, StaleVersionError, PermissionDenied) as error:
        return _refused(request, scenario, error)
    return _written(request, scenario, CAP_SAVED.format(fy=f"FY{year}"))
