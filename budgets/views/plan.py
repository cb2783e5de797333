"""A project's budget and forecasts, edited inline, and reserve drawdowns.

The plan page lists the budget lines (current and original) and the forecasts; finance editors
add, change and delete rows in place. With htmx a write answers with its section (`#budget-lines`
or `#forecasts`) re-rendered from the database, the row editor left open when the input was
refused; without JavaScript the same URLs answer with the whole page or a redirect. Readers see
the page without the editing controls; every write URL is 404 for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.services import STALE_VERSION, StaleVersionError
from core.views import paginate

from ..forms import (
    BudgetLineEditForm,
    BudgetLineForm,
    BudgetOriginalForm,
    ForecastEditForm,
    ForecastForm,
    ReserveDrawdownForm,
    period_choices,
)
from ..models import BudgetLine, Forecast, ReserveTransaction
from ..selectors import reserve_status
from ..services import (
    budget_line_create,
    budget_line_delete,
    budget_line_update,
    budget_original_set,
    forecast_create,
    forecast_delete,
    forecast_update,
    reserve_drawdown,
)
from ._common import (
    done,
    error_text,
    finance_program,
    finance_project,
    may_edit_project_money,
    visible_project,
)

PLAN_PAGE_SIZE = 50
LINE_ADDED = "Budget line added: {row}."
LINE_SAVED = "Budget line saved: {row}."
LINE_DELETED = "Budget line deleted: {row}."
FORECAST_ADDED = "Forecast added: {row}."
FORECAST_SAVED = "Forecast saved: {row}."
FORECAST_DELETED = "Forecast deleted: {row}."
ORIGINAL_SET = "Original baseline set: {count} lines copied from the current budget."
DRAWN_DOWN = "{amount} drawn from the {reserve}."


def _describe(row) -> str:
    return f"{row.period.span.label} {row.category.code} {row.amount:,.2f} {row.currency_id}"


@dataclass(frozen=True)
class RowKind:
    """What differs between the budget-line and forecast sections."""

    section: str  # the section's element id
    template: str  # budgets/_<template>_rows.html (the section), _<template>_edit_row.html
    model: type
    add_form: type
    edit_form: type
    create: Any
    update: Any
    delete: Any
    instance_name: str
    added: str
    saved: str
    deleted: str
    page_param: str


LINES = RowKind(
    "budget-lines",
    "budgetline",
    BudgetLine,
    BudgetLineForm,
    BudgetLineEditForm,
    budget_line_create,
    budget_line_update,
    budget_line_delete,
    "budget_line",
    LINE_ADDED,
    LINE_SAVED,
    LINE_DELETED,
    "page",
)
FORECASTS = RowKind(
    "forecasts",
    "forecast",
    Forecast,
    ForecastForm,
    ForecastEditForm,
    forecast_create,
    forecast_update,
    forecast_delete,
    "forecast",
    FORECAST_ADDED,
    FORECAST_SAVED,
    FORECAST_DELETED,
    "fpage",
)


def _keep(request) -> str:
    """The query string (pages of the two tables) every link and form action carries on."""
    params = request.GET.copy()
    for name in ("edit",):
        params.pop(name, None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


def _rows(project, kind: RowKind, request):
    queryset = (
        kind.model.objects.filter(project=project)
        .select_related("category", "period", "currency")
        .order_by(*(["budget_version"] if kind is LINES else []), "period__start", "category__code", "pk")
    )
    return Paginator(queryset, PLAN_PAGE_SIZE).get_page(request.GET.get(kind.page_param))


def _plan_context(request, project, *, can_edit: bool, forms: dict | None = None, editing=None, notice=None) -> dict:
    """Everything the plan page and its two sections show. `forms` may hold bound forms with
    errors ("budget-lines", "forecasts") to show instead of blank add forms; `editing` is
    (kind, pk, form) for an open row editor; `notice` is (section, text)."""
    forms = forms or {}
    periods = period_choices(project.program.portfolio)
    context = {
        "project": project,
        "program": project.program,
        "currency": project.program.portfolio.base_currency,
        "can_edit": can_edit,
        "keep": _keep(request),
        "lines": _rows(project, LINES, request),
        "forecasts": _rows(project, FORECASTS, request),
        "editing_section": editing[0].section if editing else "",
        "editing_pk": editing[1] if editing else None,
        "edit_form": editing[2] if editing else None,
        "notice_section": notice[0].section if notice else "",
        "notice": notice[1] if notice else "",
    }
    if can_edit:
        context["line_form"] = forms.get(LINES.section) or BudgetLineForm(
            project=project, periods=periods, auto_id="new_line_%s"
        )
        context["forecast_form"] = forms.get(FORECASTS.section) or ForecastForm(
            project=project, periods=periods, auto_id="new_forecast_%s"
        )
        context["original_form"] = BudgetOriginalForm()
        context["has_periods"] = periods.exists()
    return context


def _render(request, project, kind: RowKind | None, *, status: int = 200, **kwargs):
    """The section of `kind` for htmx, the whole page otherwise."""
    can_edit = kwargs.pop("can_edit", None)
    if can_edit is None:
        can_edit = may_edit_project_money(request.user, project)
    context = _plan_context(request, project, can_edit=can_edit, **kwargs)
    if kind is not None and request.htmx and not request.htmx.boosted:
        return render(request, f"budgets/_{kind.template}_rows.html", context, status=status)
    return render(request, "budgets/project_plan.html", context, status=status)


def _written(request, project, kind: RowKind, notice: str):
    if request.htmx:
        return _render(request, project, kind, can_edit=True, notice=(kind, notice))
    return done(request, reverse("budgets:project-plan", args=[project.code]) + _keep(request), notice)


@login_required
def project_plan(request, code: str):
    project = visible_project(request, code)
    return _render(request, project, None)


def _add(request, code: str, kind: RowKind):
    project = finance_project(request, code)
    form = kind.add_form(request.POST, project=project, auto_id=f"new_{kind.instance_name}_%s")
    if form.is_valid():
        try:
            row = kind.create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _written(request, project, kind, kind.added.format(row=_describe(row)))
    return _render(request, project, kind, can_edit=True, forms={kind.section: form})


def _edit(request, code: str, pk: int, kind: RowKind):
    """GET: the row editor (the row alone for htmx). POST: save the row."""
    project = finance_project(request, code)
    row = get_object_or_404(
        kind.model.objects.editable_by(request.user).filter(project=project).select_related("category", "period"),
        pk=pk,
    )
    auto_id = f"{kind.instance_name}{row.pk}_%s"
    if request.method == "GET":
        form = kind.edit_form(instance=row, project=project, auto_id=auto_id)
        if request.htmx:
            context = {"project": project, "row": row, "form": form, "keep": _keep(request), "section": kind.section}
            return render(request, f"budgets/_{kind.template}_edit_row.html", context)
        return _render(request, project, kind, can_edit=True, editing=(kind, row.pk, form))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = kind.edit_form(request.POST, instance=row, project=project, auto_id=auto_id)
    if form.is_valid():
        saved = form.save_with(
            lambda version: kind.update(
                actor=request.user,
                **{kind.instance_name: row},
                data=form.service_data(),
                expected_version=version,
            )
        )
        if saved is not None:
            return _written(request, project, kind, kind.saved.format(row=_describe(saved)))
    status = 409 if form.stale else 200
    # htmx swaps only successful responses; the refused form must show, so it answers 200.
    status = 200 if request.htmx else status
    return _render(request, project, kind, status=status, can_edit=True, editing=(kind, row.pk, form))


def _remove(request, code: str, pk: int, kind: RowKind):
    project = finance_project(request, code)
    row = get_object_or_404(
        kind.model.objects.editable_by(request.user).filter(project=project).select_related("category", "period"),
        pk=pk,
    )
    version = request.POST.get("version", "")
    try:
        kind.delete(
            actor=request.user,
            **{kind.instance_name: row},
            expected_version=int(version) if version.isdigit() else None,
        )
    except StaleVersionError:
        return _render(
            request, project, kind, status=200 if request.htmx else 409, can_edit=True, notice=(kind, STALE_VERSION)
        )
    except ValidationError as error:
        return _render(request, project, kind, can_edit=True, notice=(kind, error_text(error)))
    return _written(request, project, kind, kind.deleted.format(row=_describe(row)))


@login_required
@require_POST
def budget_line_add(request, code: str):
    return _add(request, code, LINES)


@login_required
def budget_line_edit(request, code: str, pk: int):
    return _edit(request, code, pk, LINES)


@login_required
@require_POST
def budget_line_remove(request, code: str, pk: int):
    return _remove(request, code, pk, LINES)


@login_required
@require_POST
def forecast_add(request, code: str):
    return _add(request, code, FORECASTS)


@login_required
def forecast_edit(request, code: str, pk: int):
    return _edit(request, code, pk, FORECASTS)


@login_required
@require_POST
def forecast_remove(request, code: str, pk: int):
    return _remove(request, code, pk, FORECASTS)


@login_required
@require_POST
def budget_original(request, code: str):
    """Copy the current budget into the original baseline (a re-baseline needs `replace`)."""
    project = finance_project(request, code)
    form = BudgetOriginalForm(request.POST)
    form.is_valid()
    try:
        copies = budget_original_set(actor=request.user, project=project, replace=form.cleaned_data.get("replace"))
    except ValidationError as error:
        return _render(request, project, LINES, can_edit=True, notice=(LINES, error_text(error)))
    return _written(request, project, LINES, ORIGINAL_SET.format(count=len(copies)))


# -- reserves ----------------------------------------------------------------------------------


def _drawdown(request, *, owner, project=None, program=None, page_url: str):
    currency = (project.program.portfolio if project else program.portfolio).base_currency
    form = ReserveDrawdownForm(request.POST or None, currency=currency)
    if form.is_bound and form.is_valid():
        try:
            drawdown = reserve_drawdown(actor=request.user, project=project, program=program, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            notice = DRAWN_DOWN.format(
                amount=f"{currency} {drawdown.amount:,.2f}", reserve=drawdown.get_reserve_display().lower()
            )
            return done(request, page_url, notice)
    history = (
        ReserveTransaction.objects.filter(project=project)
        if project
        else ReserveTransaction.objects.filter(program=program)
    ).select_related("actor")
    context = {
        "owner": owner,
        "project": project,
        "program": program or project.program,
        "currency": currency,
        "form": form,
        "reserves": reserve_status(project=project, program=program),
        "page": paginate(request, history),
        "cancel_url": page_url,
    }
    return render(request, "budgets/reserve_drawdown.html", context)


@login_required
def project_reserve_drawdown(request, code: str):
    """Draw down the project's contingency or management reserve (finance editors only)."""
    project = finance_project(request, code)
    return _drawdown(
        request, owner=project, project=project, page_url=reverse("budgets:project-costs", args=[project.code])
    )


@login_required
def program_reserve_drawdown(request, code: str):
    program = finance_program(request, code)
    return _drawdown(
        request, owner=program, program=program, page_url=reverse("budgets:program-costs", args=[program.code])
    )
