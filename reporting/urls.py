"""Reporting's own pages (`app_name` "reporting"), and the pages of reporting/views listed by the
namespace whose names they keep: config/urls.py includes each of those lists into that namespace
together with the domain's own urlpatterns, so `reverse("portfolio:program-detail")` and every
template's `{% url %}` stay as they were."""

from django.urls import path

from .views import jobs, portfolio, projects, trends

app_name = "reporting"
urlpatterns = [
    path("reporting/programs/<str:code>/trends/", trends.program_trends, name="program-trends"),
    path("reporting/projects/<str:code>/trends/", trends.project_trends, name="project-trends"),
    path("admin-tools/recompute/", jobs.recompute_all, name="recompute-all"),
]

portfolio_urlpatterns = [
    path("", portfolio.home, name="home"),
    path("programs/", portfolio.program_list, name="program-list"),
    path("programs/<str:code>/", portfolio.program_detail, name="program-detail"),
]

projects_urlpatterns = [
    path("projects/", projects.project_list_view, name="project-list"),
]
