"""Program edit form and program timeline. The home page, program list and program page read the
summary tables and combine domains, so they live in reporting.views.portfolio (same URL names).

Every view starts from Program.objects.visible_to / editable_by: other people's programs are
404, and so is an edit form for someone who may only read.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from projects.charts.gantt import ZOOMS
from projects.charts.schedule import timeline_gantt, zoom_or_default

from .forms import ProgramForm
from .models import Program
from .selectors import program_people, program_timeline
from .services import program_update

PROGRAM_SAVED = "Program {code} saved."


@login_required
def program_edit(request, code: str):
    program = get_object_or_404(Program.objects.editable_by(request.user).select_related("portfolio"), code=code)
    people = program_people(program=program)
    data = request.POST if request.method == "POST" else None
    form = ProgramForm(data, instance=program, people=people, currency=program.portfolio.base_currency)
    if form.is_bound and form.is_valid():
        saved = form.save_with(
            lambda version: program_update(
                actor=request.user,
                program=program,
                data=form.service_data(),
                expected_version=version,
            )
        )
        if saved is not None:
            messages.success(request, PROGRAM_SAVED.format(code=program.code))
            return redirect("portfolio:program-detail", code=program.code)
    status = 409 if form.stale else 200
    # The form wrote the posted values onto `program`; the page header shows the stored ones.
    program.refresh_from_db(fields=["name"])
    return render(request, "portfolio/program_form.html", {"program": program, "form": form}, status=status)


@login_required
def program_timeline_view(request, code: str):
    """Every visible project of the program as a bar, its milestones beneath it and the links
    between projects; `?zoom=week|month|quarter`. An htmx request gets the chart alone."""
    program = get_object_or_404(Program.objects.visible_to(request.user).select_related("portfolio"), code=code)
    timeline = program_timeline(user=request.user, program=program)
    moments = [
        moment
        for project in timeline.projects
        for moment in (project.task_start, project.task_finish, project.planned_start, project.planned_finish)
    ]
    zoom = zoom_or_default(request.GET.get("zoom"), moments)
    page = reverse("portfolio:program-timeline", args=[program.code])
    chart = timeline_gantt(
        projects=timeline.projects,
        tasks_of=timeline.tasks_of,
        links=timeline.links,
        zoom=zoom,
        today=timezone.localdate(),
        href_of=lambda project: reverse("projects:schedule", args=[project.code]),
    )
    context = {
        "program": program,
        "timeline": timeline,
        # render_gantt escapes every text it draws, so its SVG is safe to embed.
        "chart": mark_safe(chart) if timeline.projects else "",  # noqa: S308
        "zooms": [
            {
                "value": z,
                "label": z.capitalize(),
                "current": z == zoom,
                "href": f"{page}?zoom={z}",
                "hx": f"{page}?zoom={z}",
            }
            for z in ZOOMS
        ],
        "zoom": zoom,
        "panel_id": "timeline-chart",
        "chart_id": "timeline",
        "chart_label": "Program timeline",
        "link_count": len(timeline.links),
        "milestone_count": sum(t.is_milestone for tasks in timeline.tasks_of.values() for t in tasks),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "includes/_gantt_panel.html", context)
    return render(request, "portfolio/program_timeline.html", context)
