"""The program edit form and timeline; the home page, program list and program page are in
reporting/urls.py, included into this namespace by config/urls.py."""

from django.urls import path

from . import views

app_name = "portfolio"
urlpatterns = [
    path("programs/<str:code>/edit/", views.program_edit, name="program-edit"),
    path("programs/<str:code>/timeline/", views.program_timeline_view, name="program-timeline"),
]
