"""A program's lifecycle cost estimate: its versions, a version's lines (edited inline while it
is a draft), a new version copied from one, and approval, which freezes a version.

The program's readers see every version; its finance editors (budgets.querysets.finance_programs)
create, edit and approve, and get the only non-404 answers on the write URLs.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.services import StaleVersionError

from ..forms import LcceApproveForm, LcceLineAmountForm, LcceLineForm, LcceNotesForm
from ..models import LifecycleCostEstimate, LifecycleCostLine
from ..selectors import MissingExchangeRate, lcce_compare
from ..services import lcce_approve, lcce_create, lcce_line_delete, lcce_line_set, lcce_new_version
from ._common import (
    done,
    error_text,
    finance_program,
    may_edit_program_money,
    refused,
    visible_program,
)

ESTIMATE_CREATED = "Lifecycle cost estimate v{number} created."
VERSION_CREATED = "v{number} created from v{source}; it is a draft you can edit."
APPROVED = "v{number} approved. It can no longer change; start a new version to revise it."
LINE_SET = "{phase} FY{year} {category}: {amount}."
LINE_DELETED = "{phase} FY{year} {category} removed."


def _estimates(program):
    return (
        LifecycleCostEstimate.objects.filter(program=program)
        .select_related("approved_by", "based_on")
        .annotate(line_count=Count("lines"))
        .order_by("-number")
    )


@login_required
def lcce_list(request, code: str):
    """The versions of the program's estimate; POST (finance editors) starts a new, empty one."""
    if request.method == "POST":
        program = finance_program(request, code)
        form = LcceNotesForm(request.POST)
        if form.is_valid():
            estimate = lcce_create(actor=request.user, program=program, notes=form.cleaned_data["notes"])
            url = reverse("budgets:lcce-detail", args=[program.code, estimate.number])
            return done(request, url, ESTIMATE_CREATED.format(number=estimate.number))
    else:
        program = visible_program(request, code)
        form = LcceNotesForm()
    can_edit = may_edit_program_money(request.user, program)
    context = {"program": program, "estimates": list(_estimates(program)), "can_edit": can_edit, "form": form}
    return render(request, "budgets/lcce_list.html", context)


def _line_label(line) -> dict:
    return {"phase": line.get_phase_display(), "year": line.fiscal_year, "category": line.category.code}


def _detail_context(
    request, program, estimate, *, can_edit: bool, line_form=None, editing=None, notice="", error=""
) -> dict:
    base = program.portfolio.base_currency
    editable = can_edit and not estimate.is_approved
    lines = list(
        LifecycleCostLine.objects.filter(estimate=estimate)
        .select_related("category", "currency")
        .order_by("phase", "fiscal_year", "category__code")
    )
    order = {value: index for index, value in enumerate(LifecycleCostLine.Phase.values)}
    lines.sort(key=lambda line: (order[line.phase], line.fiscal_year, line.category.code))
    context = {
        "program": program,
        "estimate": estimate,
        "currency": base,
        "can_edit": can_edit,
        "editable": editable,
        "lines": lines,
        "editing_pk": editing[0] if editing else None,
        "edit_form": editing[1] if editing else None,
        "notice": notice,
        "error": error,
        "versions": list(LifecycleCostEstimate.objects.filter(program=program).order_by("-number")),
    }
    try:
        totals = lcce_compare(left=estimate, right=estimate)
    except MissingExchangeRate as error:
        context["totals_error"] = error.text
    else:
        labels = dict(LifecycleCostLine.Phase.choices)
        context["phase_totals"] = [(labels[phase], left) for phase, (left, _) in totals.phase_totals().items()]
        context["total"] = totals.left_total
    if editable:
        context["line_form"] = line_form or LcceLineForm(estimate=estimate, base=base, auto_id="new_lcce_%s")
        context["approve_form"] = LcceApproveForm(initial={"version": estimate.version})
    if can_edit:
        context["version_form"] = LcceNotesForm(auto_id="version_%s")
    return context


def _render(request, program, estimate, *, section: bool = False, status: int = 200, **kwargs):
    can_edit = kwargs.pop("can_edit", None)
    if can_edit is None:
        can_edit = may_edit_program_money(request.user, program)
    context = _detail_context(request, program, estimate, can_edit=can_edit, **kwargs)
    if section and request.htmx and not request.htmx.boosted:
        return render(request, "budgets/_lcce_lines.html", context, status=status)
    return render(request, "budgets/lcce_detail.html", context, status=status)


def _detail_url(program, estimate) -> str:
    return reverse("budgets:lcce-detail", args=[program.code, estimate.number])


@login_required
def lcce_detail(request, code: str, number: int):
    program = visible_program(request, code)
    estimate = get_object_or_404(
        LifecycleCostEstimate.objects.visible_to(request.user)
        .filter(program=program)
        .select_related("approved_by", "based_on"),
        number=number,
    )
    return _render(request, program, estimate)


def _editable_estimate(request, code: str, number: int):
    program = finance_program(request, code)
    estimate = get_object_or_404(
        LifecycleCostEstimate.objects.editable_by(request.user)
        .filter(program=program)
        .select_related("approved_by", "based_on"),
        number=number,
    )
    return program, estimate


def _line_written(request, program, estimate, notice: str):
    if request.htmx:
        return _render(request, program, estimate, section=True, can_edit=True, notice=notice)
    return done(request, _detail_url(program, estimate), notice)


@login_required
@require_POST
def lcce_line_add(request, code: str, number: int):
    """Set a line of a draft (phase, fiscal year, category → amount); one that exists is updated."""
    program, estimate = _editable_estimate(request, code, number)
    base = program.portfolio.base_currency
    form = LcceLineForm(request.POST, estimate=estimate, base=base, auto_id="new_lcce_%s")
    if form.is_valid():
        try:
            line = lcce_line_set(actor=request.user, estimate=estimate, **form.cleaned_data)
        except ValidationError as error:
            if estimate.is_approved:  # the form is gone from an approved version: say why here
                return _render(request, program, estimate, section=True, can_edit=True, error=error_text(error))
            form.add_service_errors(error)
        else:
            notice = LINE_SET.format(**_line_label(line), amount=f"{line.currency_id} {line.amount:,.2f}")
            return _line_written(request, program, estimate, notice)
    return _render(request, program, estimate, section=True, can_edit=True, line_form=form)


@login_required
def lcce_line_edit(request, code: str, number: int, pk: int):
    """GET: the line's editor (the row alone for htmx). POST: its new amount and currency."""
    program, estimate = _editable_estimate(request, code, number)
    line = get_object_or_404(LifecycleCostLine.objects.filter(estimate=estimate).select_related("category"), pk=pk)
    base = program.portfolio.base_currency
    auto_id = f"lcce{line.pk}_%s"
    if request.method == "GET":
        form = LcceLineAmountForm(instance=line, base=base, auto_id=auto_id)
        if request.htmx:
            context = {"program": program, "estimate": estimate, "line": line, "form": form}
            return render(request, "budgets/_lcce_line_edit.html", context)
        return _render(request, program, estimate, can_edit=True, editing=(line.pk, form))
    form = LcceLineAmountForm(request.POST, instance=line, base=base, auto_id=auto_id)
    if form.is_valid():
        try:
            line = lcce_line_set(
                actor=request.user,
                estimate=estimate,
                phase=line.phase,
                fiscal_year=line.fiscal_year,
                category=line.category,
                **form.cleaned_data,
            )
        except ValidationError as error:
            if estimate.is_approved:
                return _render(request, program, estimate, section=True, can_edit=True, error=error_text(error))
            form.add_service_errors(error)
        else:
            notice = LINE_SET.format(**_line_label(line), amount=f"{line.currency_id} {line.amount:,.2f}")
            return _line_written(request, program, estimate, notice)
    return _render(request, program, estimate, section=True, can_edit=True, editing=(line.pk, form))


@login_required
@require_POST
def lcce_line_remove(request, code: str, number: int, pk: int):
    program, estimate = _editable_estimate(request, code, number)
    line = get_object_or_404(
        LifecycleCostLine.objects.filter(estimate=estimate).select_related("category", "estimate"), pk=pk
    )
    try:
        lcce_line_delete(actor=request.user, line=line)
    except ValidationError as error:
        return _render(request, program, estimate, section=True, can_edit=True, error=error_text(error))
    return _line_written(request, program, estimate, LINE_DELETED.format(**_line_label(line)))


@login_required
@require_POST
def lcce_version_add(request, code: str, number: int):
    """A new draft version copied from this one."""
    program, estimate = _editable_estimate(request, code, number)
    form = LcceNotesForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    new = lcce_new_version(actor=request.user, estimate=estimate, notes=notes)
    return done(request, _detail_url(program, new), VERSION_CREATED.format(number=new.number, source=estimate.number))


@login_required
@require_POST
def lcce_approve_view(request, code: str, number: int):
    program, estimate = _editable_estimate(request, code, number)
    form = LcceApproveForm(request.POST)
    expected = form.cleaned_data["version"] if form.is_valid() else None
    try:
        lcce_approve(actor=request.user, estimate=estimate, expected_version=expected)
    except StaleVersionError as error:
        return refused(request, _detail_url(program, estimate), str(error))
    except ValidationError as error:
        return refused(request, _detail_url(program, estimate), error_text(error))
    return done(request, _detail_url(program, estimate), APPROVED.format(number=estimate.number))
