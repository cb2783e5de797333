"""The registers: a project's risks, a program's (program risks and escalated project risks,
or every project risk with `?all=1`), a portfolio's top risks and exposure for executives, and
the issue lists of a project and a program.

Each page: the shared filter form, a sortable paginated table, the 5x5 heat map (inherent, or
residual with `?matrix=residual`; each cell links to the register filtered to it), the top ten
risks and the exposure-vs-reserve chart — the program and portfolio exposure only for people
who oversee the program (a role on it or its portfolio), since it sums every project.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from core.exports import export_response
from core.views import filters_active, paginate, refuse_unknown_filters
from portfolio.models import Program

from .. import selectors
from ..exports import ISSUE_COLUMNS, RISK_COLUMNS
from ..filters import IssueFilterSet, RiskFilterSet
from ..forms import scope_issue_filters, scope_risk_filters
from ._common import (
    exposure_svg,
    heat_map_links,
    linked,
    may_edit_program_risks,
    may_edit_project_risks,
    visible_portfolio,
    visible_program,
    visible_project,
)


def _filtered(filterset):
    """The filtered rows — none when a filter value is invalid: django-filter would skip that
    filter and list everything, while the form shows the error (the page answers 400)."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def _status(context: dict) -> int:
    return 400 if context["filter"].errors else 200


def _export(request, context: dict, *, columns, filename: str, title: str):
    """The `?export=csv|xlsx` download of the list's filtered, sorted rows (every page), or None."""
    return export_response(
        request, rows=context["rows"], columns=columns, filename=filename, title=title, filters=context["filter"]
    )


def _register(request, risks, *, base_url: str, extra: str = "", scope_filters) -> dict:
    """The parts every risk register shares, from `risks` (the scope's visible risks)."""
    residual = request.GET.get("matrix") == "residual"
    filterset = RiskFilterSet(request.GET, queryset=risks, request=request)
    scope_filters(filterset)
    ordered, sort = selectors.sorted_by(
        _filtered(filterset),
        sort=request.GET.get("sort", ""),
        sorts=selectors.RISK_SORTS,
        default=selectors.RISK_DEFAULT_SORT,
    )
    heat = selectors.heat_map(risks, residual=residual)
    return {
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": paginate(request, ordered),
        "rows": ordered,
        "sort": sort,
        "heat": heat,
        "heat_rows": heat_map_links(heat, base_url, extra),
        "residual": residual,
        "top": selectors.top_risks(risks),
        "base_url": base_url,
        "extra": extra,
    }


@login_required
def project_register(request, code: str):
    project = visible_project(request, code)
    risks = selectors.risk_list(user=request.user).filter(project=project)
    url = reverse("risks:project-register", args=[project.code])
    context = _register(
        request,
        risks,
        base_url=url,
        scope_filters=lambda fs: scope_risk_filters(fs, program=project.program, user=request.user, project=project),
    )
    if refused := refuse_unknown_filters(request, context["filter"], also=("matrix",)):
        return refused
    exported = _export(request, context, columns=RISK_COLUMNS, filename=f"{project.code}-risks", title="Risks")
    if exported is not None:
        return exported
    exposure = selectors.project_exposure(project=project)
    context.update(
        project=project,
        program=project.program,
        can_edit=may_edit_project_risks(request.user, project),
        exposure=exposure,
        exposure_chart=exposure_svg(exposure, title=f"{project.code}: exposure against reserves"),
    )
    return render(request, "risks/risk_register.html", context, status=_status(context))


@login_required
def program_register(request, code: str):
    program = visible_program(request, code)
    include_projects = request.GET.get("all") in ("1", "on", "true")
    risks = selectors.program_risks(user=request.user, program=program, include_projects=include_projects)
    url = reverse("risks:program-register", args=[program.code])
    context = _register(
        request,
        risks,
        base_url=url,
        extra="all=1&" if include_projects else "",
        scope_filters=lambda fs: scope_risk_filters(fs, program=program, user=request.user, with_all=True),
    )
    if refused := refuse_unknown_filters(request, context["filter"], also=("matrix", "all")):
        return refused
    exported = _export(request, context, columns=RISK_COLUMNS, filename=f"{program.code}-risks", title="Risks")
    if exported is not None:
        return exported
    context.update(
        program=program,
        include_projects=include_projects,
        can_edit=may_edit_program_risks(request.user, program),
    )
    if selectors.oversees(request.user, program):
        exposure = linked(selectors.program_exposure(program=program), "project")
        context["exposure"] = exposure
        context["exposure_chart"] = exposure_svg(
            exposure, title=f"{program.code}: exposure against reserves by project"
        )
    return render(request, "risks/risk_register.html", context, status=_status(context))


def _cell_risks(request, risks, *, residual: bool) -> dict:
    """The drill-down under the portfolio heat map: the active `risks` in the cell named by
    `?probability=&impact=` (`?residual_probability=&residual_impact=` on the residual map),
    through the shared RiskFilterSet (so `q`, `status`, `band` … narrow it too), sorted and
    paginated. Empty when no cell is named; a bad value gives the form's errors, not a list."""
    p, i = ("residual_probability", "residual_impact") if residual else ("probability", "impact")
    if p not in request.GET and i not in request.GET:
        return {}
    filterset = RiskFilterSet(request.GET, queryset=risks.active(), request=request)
    if not filterset.is_valid():
        return {"cell_errors": filterset.errors}
    ordered, sort = selectors.sorted_by(
        filterset.qs, sort=request.GET.get("sort", ""), sorts=selectors.RISK_SORTS, default=selectors.RISK_DEFAULT_SORT
    )
    data = filterset.form.cleaned_data
    return {
        "cell": {"probability": data.get(p), "impact": data.get(i)},
        "page": paginate(request, ordered),
        "rows": ordered,
        "sort": sort,
    }


@login_required
def portfolio_risks(request, code: str):
    """The portfolio's heat map (each cell links to this page listing its risks), top risks and
    exposure by program — all over the programs the user oversees, as sums over every project
    of a program are only theirs — and the registers of the programs the user can see."""
    portfolio = visible_portfolio(request, code)
    overseen = selectors.overseen_portfolio_risks(user=request.user, portfolio=portfolio)
    residual = request.GET.get("matrix") == "residual"
    heat = selectors.heat_map(overseen, residual=residual)
    exposure = linked(selectors.portfolio_exposure(portfolio=portfolio, user=request.user), "program")
    url = reverse("risks:portfolio-risks", args=[portfolio.code])
    context = {
        "portfolio": portfolio,
        "top": selectors.top_risks(overseen),
        "heat": heat,
        "heat_rows": heat_map_links(heat, url, "matrix=residual&" if residual else "", statuses=False),
        "residual": residual,
        **_cell_risks(request, overseen, residual=residual),
        "exposure": exposure,
        "exposure_chart": exposure_svg(exposure, title=f"{portfolio.code}: exposure against reserves by program"),
        "programs": Program.objects.visible_to(request.user).filter(portfolio=portfolio).order_by("code"),
    }
    return render(request, "risks/portfolio_risks.html", context, status=400 if "cell_errors" in context else 200)


def _issues(request, issues, *, scope_filters) -> dict:
    filterset = IssueFilterSet(request.GET, queryset=issues, request=request)
    scope_filters(filterset)
    ordered, sort = selectors.sorted_by(
        _filtered(filterset),
        sort=request.GET.get("sort", ""),
        sorts=selectors.ISSUE_SORTS,
        default=selectors.ISSUE_DEFAULT_SORT,
    )
    return {
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": paginate(request, ordered),
        "rows": ordered,
        "sort": sort,
    }


@login_required
def issue_list_project(request, code: str):
    project = visible_project(request, code)
    issues = selectors.issue_list(user=request.user).filter(project=project)
    context = _issues(
        request,
        issues,
        scope_filters=lambda fs: scope_issue_filters(fs, program=project.program, user=request.user, project=project),
    )
    if refused := refuse_unknown_filters(request, context["filter"]):
        return refused
    exported = _export(request, context, columns=ISSUE_COLUMNS, filename=f"{project.code}-issues", title="Issues")
    if exported is not None:
        return exported
    context.update(project=project, program=project.program, can_edit=may_edit_project_risks(request.user, project))
    return render(request, "risks/issue_list.html", context, status=_status(context))


@login_required
def issue_list_program(request, code: str):
    program = visible_program(request, code)
    issues = selectors.issue_list(user=request.user).filter(program=program)
    context = _issues(
        request, issues, scope_filters=lambda fs: scope_issue_filters(fs, program=program, user=request.user)
    )
    if refused := refuse_unknown_filters(request, context["filter"]):
        return refused
    exported = _export(request, context, columns=ISSUE_COLUMNS, filename=f"{program.code}-issues", title="Issues")
    if exported is not None:
        return exported
    context.update(program=program, can_edit=may_edit_program_risks(request.user, program))
    return render(request, "risks/issue_list.html", context, status=_status(context))
