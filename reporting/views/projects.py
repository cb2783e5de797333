"""The project list: the shared ProjectFilterSet, and each row's computed health from its roll-up
beside the latest reported RAG. `?sort=computed` orders by computed health, worst first;
`?export=csv|xlsx` downloads every filtered row (core.exports)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.exports import export_response
from core.views import filters_active, paginate, refuse_unknown_filters
from projects.filters import ProjectFilterSet
from projects.forms import scope_project_filters
from projects.selectors import PROJECT_DEFAULT_SORT, project_list

from ..exports import PROJECT_COLUMNS, project_export_rows
from ..selectors import project_list_sorted, projects_with_rollups


@login_required
def project_list_view(request):
    filterset = ProjectFilterSet(request.GET, queryset=project_list(user=request.user), request=request)
    scope_project_filters(filterset, user=request.user)
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    projects, sort = project_list_sorted(queryset=filterset.qs, sort=request.GET.get("sort", PROJECT_DEFAULT_SORT))
    rows = project_export_rows(projects)
    exported = export_response(request, rows=rows, columns=PROJECT_COLUMNS, filename="projects", filters=filterset)
    if exported is not None:
        return exported
    page = paginate(request, projects)
    page.object_list = projects_with_rollups(page.object_list)
    return render(
        request,
        "projects/project_list.html",
        {"filter": filterset, "filters_active": filters_active(request), "page": page, "sort": sort},
    )
