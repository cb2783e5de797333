"""Pages of the reporting app: the trend charts of a program and of a project (an htmx fragment
the program and project pages load, or a page of its own without JavaScript); a project's comes
with its computed health and what changed in the last period (reporting.narrative)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from portfolio.models import Program
from projects.models import Project

from .. import trends
from ..narrative import project_narrative
from ..selectors import project_rollup_for


def _render(request, context: dict):
    for key in ("health_chart", "index_chart"):
        value = getattr(context["trends"], key)
        context[key] = mark_safe(value) if value else None  # noqa: S308 - the chart kit escapes every text
    template = "reporting/_trends.html" if request.htmx else "reporting/trends_page.html"
    return render(request, template, context)


@login_required
def program_trends(request, code: str):
    """CPI/SPI and computed health over the last year. Program CPI and SPI come from every
    project's money, so only readers who see the whole program get them (as on the costs page)."""
    program = get_object_or_404(Program.objects.visible_to(request.user).select_related("portfolio"), code=code)
    whole = Program.objects.overseen_by(request.user).filter(pk=program.pk).exists()
    context = {
        "program": program,
        "scope_name": program.name,
        "partial_view": not whole,
        "trends": trends.program_trends(program=program, with_index=whole),
    }
    return _render(request, context)


@login_required
def project_trends(request, code: str):
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("program", "latest_status_report"), code=code
    )
    context = {
        "project": project,
        "program": project.program,
        "scope_name": project.name,
        "partial_view": False,
        "trends": trends.project_trends(project=project),
        # The project page lives in `projects`, which cannot read the summary tables: its computed
        # health arrives here, with the trends, beside the latest reported RAG.
        "current": project_rollup_for(project),
        "reported": project.latest_status_report.overall_rag if project.latest_status_report else "",
        "narrative": project_narrative(user=request.user, project=project),
    }
    return _render(request, context)
