"""The project narrative offered as a draft on the status report form: an htmx fragment the
form page loads into its slot (projects cannot read the summary tables), or a page of its own
without JavaScript."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from projects.models import Project

from ..narrative import draft_text, project_narrative
from ..selectors import project_rollup_for


@login_required
def project_narrative_draft(request, code: str):
    """What changed on the project in the last period, as a draft summary, with the computed
    health (overall and per dimension, with the rule that fired) beside the RAG the project
    manager chooses. Readers of the project only; 404 for anyone else."""
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("program", "latest_status_report"), code=code
    )
    narrative = project_narrative(user=request.user, project=project)
    context = {
        "project": project,
        "program": project.program,
        "narrative": narrative,
        "draft": draft_text(narrative),
        "current": project_rollup_for(project),
        "reported": project.latest_status_report.overall_rag if project.latest_status_report else "",
    }
    template = "reporting/_narrative_draft.html" if request.htmx else "reporting/narrative_draft_page.html"
    return render(request, template, context)
