from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("projects/", views.project_list_view, name="project-list"),
    path("projects/<str:code>/", views.project_detail, name="project-detail"),
    path("projects/<str:code>/edit/", views.project_edit, name="project-edit"),
    path("projects/<str:code>/status/new/", views.status_report_create, name="status-report-create"),
    # A project is created from its program's page, so the program is in the path.
    path("programs/<str:program_code>/projects/new/", views.project_create_view, name="project-create"),
]
