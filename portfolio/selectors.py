"""Reads for portfolio pages: health roll-ups computed in the query, not in templates."""

from django.db.models import Count, Max, Q

from projects.models import Project, Rag

from .models import Portfolio, Program


def program_list_with_health(*, user, queryset=None):
    """Programs visible to `user`, each annotated with its projects' latest RAG counts,
    the project count and the newest report date. Constant number of queries."""
    qs = queryset if queryset is not None else Program.objects.visible_to(user)
    rag = "projects__latest_status_report__overall_rag"
    return qs.select_related("portfolio", "manager").annotate(
        project_count=Count("projects", distinct=True),
        red_count=Count("projects", filter=Q(**{rag: Rag.RED}), distinct=True),
        amber_count=Count("projects", filter=Q(**{rag: Rag.AMBER}), distinct=True),
        green_count=Count("projects", filter=Q(**{rag: Rag.GREEN}), distinct=True),
        last_report_date=Max("projects__latest_status_report__period_end"),
    )


def program_health(program) -> str | None:
    """Worst reported RAG of the program's projects (None when nothing is reported yet).

    Expects the annotations of program_list_with_health."""
    if program.red_count:
        return Rag.RED
    if program.amber_count:
        return Rag.AMBER
    if program.green_count:
        return Rag.GREEN
    return None


def portfolio_list(*, user):
    return Portfolio.objects.visible_to(user).annotate(program_count=Count("programs"))


def program_projects(*, user, program):
    """The program's projects that `user` may see, with their latest report and manager."""
    return (
        Project.objects.visible_to(user)
        .filter(program=program)
        .select_related("latest_status_report", "manager")
        .order_by("priority", "code")
    )
