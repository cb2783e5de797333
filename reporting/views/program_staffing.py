"""A program's staffing page: the headline (FTE requested vs allocated, people over-allocated this
month, staffing health) and the per-project table come from the summary tables; the detail
sections — requested vs filled by role, the labour cost forecast by period, and who is
over-allocated in which weeks — still read source rows through staffing.selectors, each a fixed
number of queries. It combines staffing with budgets' fiscal calendar and exchange rates.

Program totals count every project; only people who see the program whole get them.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from budgets.selectors import MissingExchangeRate, fiscal_calendar_for
from portfolio.models import Program
from projects.models import Project
from staffing import selectors as staffing
from staffing.models import Allocation
from staffing.views import conflict_rows, involved_allocations

from ..selectors import overseen_program_ids, program_rollup_for, projects_with_rollups
from ._figures import health_of


def labour_by_period(forecasts: dict) -> tuple[list, object]:
    """Labour forecasts of several projects summed by period (one currency: the portfolio's)."""
    totals: dict = {}
    for forecast in forecasts.values():
        for period, hours, amount in forecast.rows():
            key = (period.fiscal_year, period.number)
            row = totals.setdefault(key, {"period": period, "hours": 0, "amount": 0})
            row["hours"] += hours
            row["amount"] += amount
            if period.start < row["period"].start:
                row["period"] = period
    return [totals[k] for k in sorted(totals)], sum((r["amount"] for r in totals.values()), 0)


@login_required
def program_staffing(request, code: str):
    """Summary figures and per-project staffing (roll-ups), requested vs filled by role, the
    labour cost forecast and the over-allocated people of the program's projects the user sees."""
    program = get_object_or_404(Program.objects.visible_to(request.user).select_related("portfolio"), code=code)
    projects = projects_with_rollups(Project.objects.visible_to(request.user).filter(program=program).order_by("code"))
    for project in projects:
        project.program = program  # the selectors below read project.program.portfolio
    today = timezone.localdate()
    gaps = staffing.staffing_gaps(projects, current_from=today)
    mondays, first, last = staffing.window(today, staffing.DEFAULT_WEEKS)
    allocations = list(
        Allocation.objects.filter(project__in=projects).overlapping(first, last).select_related("person", "project")
    )
    # Allocated or assigned: the people the capacity page finds for this program (one selector).
    visible = Project.objects.visible_to(request.user).filter(program=program)
    people = staffing.people_working_on(visible, first=first, last=last)
    loads = staffing.utilisation(people, start=first, weeks=len(mondays))
    found = [
        staffing.Conflict(person=load.person, weeks=load.over_weeks, allocations=involved_allocations(load))
        for load in loads
        if load.over_weeks
    ]
    found.sort(key=lambda c: (-c.excess_hours, c.person.name))
    calendar = fiscal_calendar_for(portfolio=program.portfolio)
    try:
        forecasts = staffing.labour_forecasts_for(request.user)(projects, calendar)
        labour_rows, labour_total = labour_by_period(forecasts)
        labour_error = ""
    except MissingExchangeRate as error:
        forecasts, labour_rows, labour_total, labour_error = {}, [], 0, error.text
    whole = bool(overseen_program_ids(user=request.user, programs=[program]))
    summary = program_rollup_for(program) if whole else None
    context = {
        "program": program,
        "currency": program.portfolio.base_currency,
        "partial_view": not whole,
        "summary": summary,
        "staffing_health": health_of(summary.rollup if summary else None, "staffing"),
        "gaps": gaps,
        "by_project": [
            {
                "project": project,
                "summary": project.rollup_state,
                "rollup": project.rollup_state.rollup if project.rollup_state.computed_at else None,
                "health": health_of(project.rollup_state.rollup, "staffing"),
                "labour": forecasts[project.pk].total if project.pk in forecasts else None,
            }
            for project in projects
        ],
        "allocation_count": len(allocations),
        "people_count": len(people),
        "conflicts": conflict_rows(found, request.user),
        "first": first,
        "last": last,
        "labour_rows": labour_rows,
        "labour_total": labour_total,
        "labour_error": labour_error,
        "labour_withheld": any(f.rates_withheld for f in forecasts.values()),
        "labour_assigned": sum((f.total_assignment_hours for f in forecasts.values()), Decimal(0)),
    }
    return render(request, "reporting/program_staffing.html", context)
