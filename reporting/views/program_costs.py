"""A program's cost page: the headline earned value, exposure against reserves and the
per-project EVM table come from the summary tables (one query for the table, whatever the
number of projects); the detail charts (budget by period, the S-curve at `?as_of=`), reserves,
contract burn and the lifecycle cost estimate comparison still read source rows through the
budgets selectors, each a fixed number of queries.

Program totals sum every project, hidden ones included: only people who see the program whole
(a role on the program or its portfolio) get them; a project member sees the rows of the
projects they may see.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from budgets.models import Contract
from budgets.selectors import fiscal_calendar_for
from budgets.views._common import as_of_from, may_edit_program_money, visible_program
from projects.models import Project

from ..selectors import overseen_program_ids, program_rollup_for, projects_with_rollups
from ._figures import EVM_HEADLINE, EXPOSURE_HEADLINE, evm_row, headline, health_of
from .costs import (
    PROGRAM_PAGE_CONTRACTS,
    budget_section,
    contract_section,
    evm_section,
    lcce_section,
    reserve_section,
)


@login_required
def program_costs(request, code: str):
    """The program's money: summary figures and one EVM row per visible project (roll-ups), its
    budget by period and S-curve, reserves, contract burn and two LCCE versions side by side
    (`?left=<number>&right=<number>`)."""
    program = visible_program(request, code)
    as_of, as_of_error = as_of_from(request)
    calendar = fiscal_calendar_for(portfolio=program.portfolio)
    currency = program.portfolio.base_currency
    contracts = Contract.objects.visible_to(request.user).filter(program=program).order_by("number")
    whole = bool(overseen_program_ids(user=request.user, programs=[program]))
    projects = projects_with_rollups(Project.objects.visible_to(request.user).filter(program=program).order_by("code"))
    context = {
        "program": program,
        "currency": currency,
        "partial_view": not whole,
        "can_edit": may_edit_program_money(request.user, program),
        "as_of_value": request.GET.get("as_of", "") if not as_of_error else "",
        "as_of_error": as_of_error,
        "project_rows": [
            {"project": p, "summary": p.rollup_state, "figures": evm_row(p.rollup_state.rollup)} for p in projects
        ],
        **reserve_section(program=program, currency=currency),
        **contract_section(contracts[:PROGRAM_PAGE_CONTRACTS], program_code=program.code),
        "contract_count": contracts.count(),
        **lcce_section(request, program),
    }
    if whole:
        summary = program_rollup_for(program)
        context.update(
            summary=summary,
            summary_evm=headline(summary.rollup, EVM_HEADLINE, currency),
            summary_exposure=headline(summary.rollup, EXPOSURE_HEADLINE, currency),
            cost_health=health_of(summary.rollup, "cost"),
            risk_health=health_of(summary.rollup, "risk"),
            **budget_section(program=program, calendar=calendar, user=request.user),
            **evm_section(program=program, as_of=as_of, calendar=calendar, user=request.user),
        )
    return render(request, "reporting/program_costs.html", context)
