"""Reads for project pages."""

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Value, When

from ..models import Project, Rag, StatusReport


def project_list(*, user):
    return Project.objects.visible_to(user).select_related(
        "program", "program__portfolio", "manager", "latest_status_report"
    )


def project_status_history(*, project) -> list[StatusReport]:
    return list(project.status_reports.select_related("submitted_by").order_by("-period_end", "-submitted_at"))


def project_page(*, user):
    """Projects `user` may see, with program, portfolio, manager and latest report loaded.
    Pick one with get_object_or_404(project_page(user=…), code=…)."""
    return project_list(user=user).select_related("latest_status_report__submitted_by")


def project_is_editable(*, user, project: Project) -> bool:
    """May `user` edit the project and submit its status reports?"""
    return Project.objects.editable_by(user).filter(pk=project.pk).exists()


# Worst first, unreported last: sorting by the stored text would put amber before red.
HEALTH_RANK = Case(
    When(latest_status_report__overall_rag=Rag.RED, then=Value(0)),
    When(latest_status_report__overall_rag=Rag.AMBER, then=Value(1)),
    When(latest_status_report__overall_rag=Rag.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)

# Sort keys the project list accepts (`?sort=key` or `?sort=-key`) and the columns they use.
PROJECT_SORTS = {
    "code": ["code"],
    "name": ["name"],
    "program": ["program__code"],
    "manager": ["manager__last_name", "manager__first_name"],
    "status": ["status"],
    "priority": ["priority"],
    "start": ["planned_start"],
    "finish": ["planned_finish"],
    "health": ["health_rank"],
    "reported": ["latest_status_report__period_end"],
}
PROJECT_DEFAULT_SORT = "code"


def project_list_sorted(*, queryset, sort: str):
    """Order `queryset` by a PROJECT_SORTS key (a leading '-' reverses it); code breaks ties.
    Returns (queryset, sort actually applied); an unknown key falls back to the default."""
    key = sort.removeprefix("-")
    if key not in PROJECT_SORTS:
        sort, key = PROJECT_DEFAULT_SORT, PROJECT_DEFAULT_SORT
    descending = sort.startswith("-")
    if key == "health":
        queryset = queryset.annotate(health_rank=HEALTH_RANK)
    columns = [f"-{c}" if descending else c for c in PROJECT_SORTS[key]]
    return queryset.order_by(*columns, "code" if key != "code" else "pk"), sort


def project_filter_choices(*, user) -> dict:
    """Querysets for the choice fields of ProjectFilterSet, limited to what `user` may see."""
    from portfolio.models import Portfolio, Program

    projects = Project.objects.visible_to(user)
    return {
        "program": Program.objects.visible_to(user).order_by("code"),
        "manager": get_user_model()
        .objects.filter(pk__in=projects.values("manager_id"))
        .order_by("first_name", "last_name", "username"),
        "portfolio": Portfolio.objects.visible_to(user).order_by("name"),
    }
