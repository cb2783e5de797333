"""Reads for project pages."""

from .models import Project, StatusReport


def project_list(*, user):
    return Project.objects.visible_to(user).select_related(
        "program", "program__portfolio", "manager", "latest_status_report"
    )


def project_status_history(*, project) -> list[StatusReport]:
    return list(project.status_reports.select_related("submitted_by").order_by("-period_end", "-submitted_at"))
