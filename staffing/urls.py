"""Staffing pages. The lead links `staffing:capacity` from the main nav and the program and project
pages to `staffing:program-staffing` / `staffing:project-staffing`. `program-staffing` is
reporting's page (reporting.views.program_staffing), added to this namespace in config/urls.py."""

from django.urls import path

from . import views

app_name = "staffing"

urlpatterns = [
    path("staffing/capacity/", views.capacity_view, name="capacity"),
    path("staffing/capacity/conflicts/", views.capacity_conflicts, name="capacity-conflicts"),
    path("people/", views.person_list, name="person-list"),
    path("people/add/", views.person_create, name="person-add"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/absences/add/", views.absence_add, name="absence-add"),
    path("people/<int:pk>/absences/<int:absence_pk>/delete/", views.absence_delete, name="absence-delete"),
    path("people/<int:pk>/rates/add/", views.cost_rate_add, name="cost-rate-add"),
    path("projects/<str:code>/staffing/", views.project_staffing, name="project-staffing"),
    path("projects/<str:code>/staffing/allocations/add/", views.allocation_add, name="allocation-add"),
    path("projects/<str:code>/staffing/allocations/<int:pk>/edit/", views.allocation_edit, name="allocation-edit"),
    path(
        "projects/<str:code>/staffing/allocations/<int:pk>/delete/", views.allocation_delete, name="allocation-delete"
    ),
    path("projects/<str:code>/staffing/requests/add/", views.request_add, name="request-add"),
    path("projects/<str:code>/staffing/requests/<int:pk>/edit/", views.request_edit, name="request-edit"),
    path("projects/<str:code>/staffing/requests/<int:pk>/cancel/", views.request_cancel, name="request-cancel"),
]
