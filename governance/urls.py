"""Program governance: stage gates, change requests, the decision log, benefits and operating
level agreements."""

from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    # A project's gates and change requests
    path("projects/<str:code>/governance/", views.project_governance_page, name="project-governance"),
    path("projects/<str:code>/gates/new/", views.gate_create, name="gate-create"),
    path("projects/<str:code>/gates/<int:pk>/", views.gate_detail, name="gate-detail"),
    path("projects/<str:code>/gates/<int:pk>/edit/", views.gate_edit, name="gate-edit"),
    path("projects/<str:code>/gates/<int:pk>/decide/", views.gate_decide, name="gate-decide"),
    path("projects/<str:code>/gates/<int:pk>/criteria/", views.criterion_add, name="criterion-add"),
    path("projects/<str:code>/criteria/<int:pk>/tick/", views.criterion_tick, name="criterion-tick"),
    path("projects/<str:code>/change-requests/new/", views.change_request_create, name="change-request-create"),
    path("projects/<str:code>/change-requests/<int:pk>/", views.change_request_detail, name="change-request-detail"),
    path("projects/<str:code>/change-requests/<int:pk>/edit/", views.change_request_edit, name="change-request-edit"),
    path(
        "projects/<str:code>/change-requests/<int:pk>/lines/",
        views.change_request_line_add,
        name="change-request-line-add",
    ),
    path(
        "projects/<str:code>/change-requests/<int:pk>/lines/<int:line_pk>/delete/",
        views.change_request_line_delete,
        name="change-request-line-delete",
    ),
    path(
        "projects/<str:code>/change-requests/<int:pk>/<str:action>/",
        views.change_request_action,
        name="change-request-action",
    ),
    # A program's governance
    # (programs/<code>/governance/, "program-governance", is reporting's page: config/urls.py)
    path("programs/<str:code>/decisions/", views.decision_list_page, name="decision-list"),
    path("programs/<str:code>/decisions/new/", views.decision_create, name="decision-create"),
    path("programs/<str:code>/decisions/<int:pk>/edit/", views.decision_edit, name="decision-edit"),
    path("programs/<str:code>/benefits/new/", views.benefit_create, name="benefit-create"),
    path("programs/<str:code>/benefits/<int:pk>/", views.benefit_detail, name="benefit-detail"),
    path("programs/<str:code>/benefits/<int:pk>/edit/", views.benefit_edit, name="benefit-edit"),
    path("programs/<str:code>/olas/", views.ola_list_page, name="ola-list"),
    path("programs/<str:code>/olas/new/", views.ola_create, name="ola-create"),
    path("programs/<str:code>/olas/<int:pk>/edit/", views.ola_edit, name="ola-edit"),
]
