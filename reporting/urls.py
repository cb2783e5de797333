from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("reporting/programs/<str:code>/trends/", views.program_trends, name="program-trends"),
    path("reporting/projects/<str:code>/trends/", views.project_trends, name="project-trends"),
]
