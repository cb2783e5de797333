from django.urls import path

from .views import jobs, trends

app_name = "reporting"
urlpatterns = [
    path("reporting/programs/<str:code>/trends/", trends.program_trends, name="program-trends"),
    path("reporting/projects/<str:code>/trends/", trends.project_trends, name="project-trends"),
    path("admin-tools/recompute/", jobs.recompute_all, name="recompute-all"),
]
