"""The cost page of a project, the sections the program cost page (program_costs.py) shares with
it, and the Excel exports of both. They live in reporting, not budgets, because they merge
staffing's labour cost forecast into the budget, earned value and ETC (budgets never imports
staffing; the selectors take the forecast as a parameter). A project's page is a detail page:
it computes from source rows; the program page reads the summary tables.

Each page is a fixed number of queries whatever the number of budget lines, cost entries,
forecasts, contracts or projects: every figure comes from a budgets.selectors read that
groups in SQL. `?as_of=YYYY-MM-DD` moves the status date of the earned-value figures (default:
budgets.selectors.default_as_of, one rule for a project and a program). A missing exchange rate does not
break the page: the figures that need it are replaced by the selector's message, which names
the currency and the day.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from budgets import charts, exports
from budgets.models import Contract, LifecycleCostEstimate, LifecycleCostLine
from budgets.selectors import (
    MissingExchangeRate,
    budget_by_period,
    contract_burn,
    evm_s_curve,
    fiscal_calendar_for,
    lcce_compare,
    program_evm,
    project_evm,
    project_evms,
    reserve_status,
)
from budgets.views._common import (
    as_of_from,
    evm_rows,
    may_edit_project_money,
    overseen_program,
    refused,
    visible_program,
    visible_project,
)
from projects.models import Project
from staffing.selectors import labour_forecasts_for

NEED_TWO_VERSIONS = "Two versions of the lifecycle cost estimate are needed for a comparison."
PROGRAM_PAGE_CONTRACTS = 12  # contracts drawn on the program page; the contract list has them all


def _svg(markup: str):
    # The chart functions escape every text they draw, so their SVG is safe to embed.
    return mark_safe(markup)  # noqa: S308


def budget_section(*, project=None, program=None, calendar, user) -> dict:
    try:
        report = budget_by_period(
            project=project, program=program, calendar=calendar, labour_forecasts=labour_forecasts_for(user)
        )
    except MissingExchangeRate as error:
        return {"budget_error": error.text}
    totals = {name: report.total(name) for name in ("original", "budget", "actual", "forecast")}
    totals["variance"] = totals["budget"] - totals["actual"]
    return {
        "budget": report,
        "budget_totals": totals,
        "budget_chart": _svg(charts.budget_chart(report.rows, report.currency)),
    }


def evm_section(*, project=None, program=None, as_of, calendar, user) -> dict:
    try:
        curve = evm_s_curve(
            project=project,
            program=program,
            as_of=as_of,
            calendar=calendar,
            labour_forecasts=labour_forecasts_for(user),
        )
    except MissingExchangeRate as error:
        return {"evm_error": error.text}
    report = curve.report
    return {
        "curve": curve,
        "evm": report,
        "evm_rows": evm_rows(report),
        "eac_method": exports.eac_method_label(report.figures.eac_method),
        "s_curve_chart": _svg(charts.s_curve_chart(curve)),
    }


def reserve_section(*, project=None, program=None, currency: str) -> dict:
    status = reserve_status(project=project, program=program)
    bars = [
        charts.BurnBar("Contingency reserve", currency, status.contingency, status.contingency_drawn),
        charts.BurnBar("Management reserve", currency, status.management, status.management_drawn),
    ]
    return {
        "reserves": status,
        "program_level": program is not None,
        "reserve_chart": _svg(
            charts.burn_chart(
                bars,
                kind="reserves",
                title="Reserves drawn down",
                spent_label="Drawn down",
                limit_label="Reserve",
            )
        ),
    }


def contract_section(contracts, *, program_code: str) -> dict:
    try:
        burns = contract_burn(contracts=contracts)
    except MissingExchangeRate as error:
        return {"contract_error": error.text}
    bars = [
        charts.BurnBar(
            f"{b.contract.number} {b.contract.title}",
            b.currency,
            b.ceiling,
            b.invoiced,
            committed=b.obligated,
            href=reverse("budgets:contract-detail", args=[program_code, b.contract.pk]),
        )
        for b in burns
    ]
    return {
        "burns": burns,
        "contract_chart": _svg(charts.burn_chart(bars, kind="contracts", title="Contract burn", empty="No contracts.")),
    }


@login_required
def project_costs(request, code: str):
    """Budget vs actual vs forecast, the S-curve and EVM table, reserves and contract burn."""
    project = visible_project(request, code)
    as_of, as_of_error = as_of_from(request)
    calendar = fiscal_calendar_for(portfolio=project.program.portfolio)
    currency = project.program.portfolio.base_currency
    contracts = (
        Contract.objects.visible_to(request.user).filter(projects=project).select_related("vendor").order_by("number")
    )
    context = {
        "project": project,
        "program": project.program,
        "currency": currency,
        # Shown beside earned schedule's forecast finish, labelled, so a reader sees why they differ.
        "cpm_finish": project.forecast_finish_day,
        "can_edit": may_edit_project_money(request.user, project),
        "as_of_value": request.GET.get("as_of", "") if not as_of_error else "",
        "as_of_error": as_of_error,
        **budget_section(project=project, calendar=calendar, user=request.user),
        **evm_section(project=project, as_of=as_of, calendar=calendar, user=request.user),
        **reserve_section(project=project, currency=currency),
        **contract_section(contracts, program_code=project.program.code),
    }
    return render(request, "budgets/project_costs.html", context)


def chosen_estimates(request, estimates: list[LifecycleCostEstimate]):
    """The two versions to compare, older first: `?left=&right=` by number, else the latest
    approved one (or the one before the newest) against the newest."""
    by_number = {e.number: e for e in estimates}

    def pick(name):
        value = request.GET.get(name, "")
        return by_number.get(int(value)) if value.isdigit() else None

    if len(estimates) < 2:
        return None, None
    newest = estimates[0]
    approved = next((e for e in estimates[1:] if e.is_approved), None)
    left = pick("left") or approved or estimates[1]
    right = pick("right") or newest
    # Older on the left, newer on the right, whichever way round they were picked: the change
    # column is always newer - older.
    return (left, right) if left.number <= right.number else (right, left)


def lcce_section(request, program) -> dict:
    estimates = list(LifecycleCostEstimate.objects.filter(program=program).order_by("-number"))
    left, right = chosen_estimates(request, estimates)
    section = {"estimates": estimates, "lcce_left": left, "lcce_right": right}
    if left is None:
        return section
    try:
        comparison = lcce_compare(left=left, right=right)
    except MissingExchangeRate as error:
        section["lcce_error"] = error.text
        return section
    totals = comparison.phase_totals()
    labels = dict(LifecycleCostLine.Phase.choices)
    phases = [(labels[phase], values[0], values[1]) for phase, values in totals.items()]
    section.update(
        lcce=comparison,
        lcce_chart=_svg(
            charts.phase_chart(
                phases, comparison.currency, left_label=f"v{left.number}", right_label=f"v{right.number}"
            )
        ),
    )
    return section


# -- exports -------------------------------------------------------------------------------------


def _export_failed(request, error: MissingExchangeRate, url: str):
    return refused(request, url, error.text)


@login_required
def project_budget_export(request, code: str):
    project = visible_project(request, code)
    try:
        report = budget_by_period(project=project, labour_forecasts=labour_forecasts_for(request.user))
    except MissingExchangeRate as error:
        return _export_failed(request, error, reverse("budgets:project-costs", args=[code]))
    return exports.xlsx_response(exports.budget_by_period_workbook(report), f"{project.code}-budget-by-period")


@login_required
def project_evm_export(request, code: str):
    project = visible_project(request, code)
    as_of, _ = as_of_from(request)
    try:
        report = project_evm(project=project, as_of=as_of, labour_forecasts=labour_forecasts_for(request.user))
    except MissingExchangeRate as error:
        return _export_failed(request, error, reverse("budgets:project-costs", args=[code]))
    workbook = exports.evm_workbook(report, title="Earned value")
    return exports.xlsx_response(workbook, f"{project.code}-evm-{report.as_of.isoformat()}")


@login_required
def program_budget_export(request, code: str):
    program = overseen_program(request, code)
    try:
        report = budget_by_period(program=program, labour_forecasts=labour_forecasts_for(request.user))
    except MissingExchangeRate as error:
        return _export_failed(request, error, reverse("budgets:program-costs", args=[code]))
    return exports.xlsx_response(exports.budget_by_period_workbook(report), f"{program.code}-budget-by-period")


@login_required
def program_evm_export(request, code: str):
    program = overseen_program(request, code)
    as_of, _ = as_of_from(request)
    projects = list(Project.objects.visible_to(request.user).filter(program=program).order_by("code"))
    labour = labour_forecasts_for(request.user)
    try:
        report = program_evm(program=program, as_of=as_of, labour_forecasts=labour)
        reports = project_evms(program=program, projects=projects, as_of=report.as_of, labour_forecasts=labour)
    except MissingExchangeRate as error:
        return _export_failed(request, error, reverse("budgets:program-costs", args=[code]))
    per_project = [(p.code, p.name, reports.get(p.pk)) for p in projects]
    workbook = exports.evm_workbook(report, title="Earned value", per_project=per_project)
    return exports.xlsx_response(workbook, f"{program.code}-evm-{report.as_of.isoformat()}")


@login_required
def lcce_compare_export(request, code: str):
    program = visible_program(request, code)
    estimates = list(LifecycleCostEstimate.objects.filter(program=program).order_by("-number"))
    left, right = chosen_estimates(request, estimates)
    page = reverse("budgets:program-costs", args=[code])
    if left is None:
        return refused(request, page, NEED_TWO_VERSIONS)
    try:
        comparison = lcce_compare(left=left, right=right)
    except MissingExchangeRate as error:
        return _export_failed(request, error, page)
    workbook = exports.lcce_workbook(comparison)
    return exports.xlsx_response(workbook, f"{program.code}-lcce-v{left.number}-v{right.number}")
