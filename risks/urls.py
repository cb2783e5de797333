"""The risks pages. The lead links the project and program pages to the registers by name."""

from django.urls import path

from . import views

app_name = "risks"

urlpatterns = [
    path("projects/<str:code>/risks/", views.project_register, name="project-register"),
    path("projects/<str:code>/risks/new/", views.risk_create_project, name="risk-create-project"),
    path("projects/<str:code>/issues/", views.issue_list_project, name="issue-list-project"),
    path("projects/<str:code>/issues/new/", views.issue_create_project, name="issue-create-project"),
    path("programs/<str:code>/risks/", views.program_register, name="program-register"),
    path("programs/<str:code>/risks/new/", views.risk_create_program, name="risk-create-program"),
    path("programs/<str:code>/issues/", views.issue_list_program, name="issue-list-program"),
    path("programs/<str:code>/issues/new/", views.issue_create_program, name="issue-create-program"),
    path("projects/<str:code>/risk-analysis/", views.project_analysis, name="project-analysis"),
    path("programs/<str:code>/risk-analysis/", views.program_analysis, name="program-analysis"),
    path("risk-analysis/runs/<int:pk>/progress/", views.analysis_progress, name="analysis-progress"),
    path("portfolios/<str:code>/risks/", views.portfolio_risks, name="portfolio-risks"),
    path("risks/<int:pk>/", views.risk_detail, name="risk-detail"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="risk-edit"),
    path("risks/<int:pk>/escalate/", views.risk_escalate, name="risk-escalate"),
    path("risks/<int:pk>/de-escalate/", views.risk_deescalate, name="risk-deescalate"),
    path("risks/<int:pk>/realise/", views.risk_realise, name="risk-realise"),
    path("risks/<int:pk>/actions/new/", views.mitigation_add, name="mitigation-add"),
    path("risks/<int:pk>/actions/<int:action>/", views.mitigation_edit, name="mitigation-edit"),
    path("risks/<int:pk>/actions/<int:action>/delete/", views.mitigation_delete, name="mitigation-delete"),
    path("issues/<int:pk>/", views.issue_detail, name="issue-detail"),
    path("issues/<int:pk>/edit/", views.issue_edit, name="issue-edit"),
]
