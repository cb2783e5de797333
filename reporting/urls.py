"""The pages of reporting/views, by the namespace whose names they keep. config/urls.py includes
each list into that namespace together with the domain's own urlpatterns, so
`reverse("portfolio:program-detail")`, `reverse("budgets:program-costs")` and every template's
`{% url %}` stay as they were. New pages are `reporting:` (urlpatterns below)."""

from django.urls import path

from .views import health_policy, portfolio, program_costs, program_governance, program_staffing, projects

app_name = "reporting"

portfolio_urlpatterns = [
    path("", portfolio.home, name="home"),
    path("programs/", portfolio.program_list, name="program-list"),
    path("programs/<str:code>/", portfolio.program_detail, name="program-detail"),
]

projects_urlpatterns = [
    path("projects/", projects.project_list_view, name="project-list"),
]

budgets_urlpatterns = [path("programs/<str:code>/costs/", program_costs.program_costs, name="program-costs")]

staffing_urlpatterns = [
    path("programs/<str:code>/staffing/", program_staffing.program_staffing, name="program-staffing"),
]

governance_urlpatterns = [
    path("programs/<str:code>/governance/", program_governance.program_governance, name="program-governance"),
]

urlpatterns = [
    path("portfolios/<int:pk>/health-thresholds/", health_policy.health_thresholds, name="health-thresholds"),
    path(
        "portfolios/<int:pk>/health-thresholds/reset/",
        health_policy.health_thresholds_reset,
        name="health-thresholds-reset",
    ),
]
