"""The program list and the program page: they read the roll-ups (computed
health beside reported health, earned value, exposure, staffing and governance counts) instead of
recomputing them from source rows.

Every view starts from Program.objects.visible_to: other people's programs are 404.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

from core.exports import export_response
from core.views import filters_active, paginate, refuse_unknown_filters
from portfolio.filters import ProgramFilterSet
from portfolio.forms import ProgramForm, scope_program_filters
from portfolio.models import Program
from portfolio.selectors import (
    program_health,
    program_is_editable,
    program_list_filtered,
    program_objective_links,
    program_page,
    program_people,
    with_health,
)
from projects.forms import ProjectCreateForm

from ..cockpit import program_cockpit
from ..exports import PROGRAM_COLUMNS, program_export_rows
from ..narrative import program_narrative
from ..selectors import (
    PROGRAM_DEFAULT_SORT,
    program_dashboard,
    program_list_sorted,
    programs_with_rollups,
)


@login_required
def program_list(request):
    filterset = ProgramFilterSet(request.GET, queryset=Program.objects.visible_to(request.user), request=request)
    scope_program_filters(filterset, user=request.user)
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    programs, sort = program_list_sorted(
        queryset=program_list_filtered(user=request.user, filtered=filterset.qs),
        sort=request.GET.get("sort", PROGRAM_DEFAULT_SORT),
    )
    rows = program_export_rows(programs)
    exported = export_response(request, rows=rows, columns=PROGRAM_COLUMNS, filename="programs", filters=filterset)
    if exported is not None:
        return exported
    page = paginate(request, programs)
    page.object_list = programs_with_rollups(user=request.user, programs=with_health(page.object_list))
    return render(
        request,
        "portfolio/program_list.html",
        {"filter": filterset, "filters_active": filters_active(request), "page": page, "sort": sort},
    )


@login_required
def program_detail(request, code: str):
    program = get_object_or_404(program_page(user=request.user), code=code)
    program.health = program_health(program)
    dashboard = program_dashboard(user=request.user, program=program)
    can_edit = program_is_editable(user=request.user, program=program)
    cockpit = program_cockpit(program=program, projects=dashboard.projects, overseen=dashboard.overseen)
    context = {
        "program": program,
        "dashboard": dashboard,
        "cockpit": cockpit,
        # The chart kit escapes every text it draws, so its SVG is safe to embed.
        "scurve": mark_safe(cockpit.scurve),  # noqa: S308
        "health_chart": mark_safe(cockpit.health_chart),  # noqa: S308
        "narrative": program_narrative(user=request.user, program=program),
        "pdf_url": _url_or_none("reporting:program-report-pdf", program.code),
        "calendar_url": _url_or_none("reporting:program-calendar", program.code),
        "objective_links": program_objective_links(program=program),
        "projects": dashboard.projects,
        "closed_projects": dashboard.closed_projects,
        "can_edit": can_edit,
    }
    if can_edit:
        people = program_people(program=program)
        currency = program.portfolio.base_currency
        context["form"] = ProgramForm(instance=program, people=people, currency=currency)
        context["project_form"] = ProjectCreateForm(people=people)
    return render(request, "portfolio/program_detail.html", context)


def _url_or_none(name: str, *args) -> str | None:
    """The URL of a page another part of issue 11 adds, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
