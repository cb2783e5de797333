"""reporting's pages. Those that moved here from a domain keep their domain's URL name: config/urls.py
adds each list below to that domain's namespace (`budgets`, `staffing`, `governance`), so
reverse("budgets:program-costs") and every link stay as they were. New pages are `reporting:`."""

from django.urls import path

from .views import health_policy, program_costs, program_governance, program_staffing

app_name = "reporting"

budgets_pages = [path("programs/<str:code>/costs/", program_costs.program_costs, name="program-costs")]
staffing_pages = [path("programs/<str:code>/staffing/", program_staffing.program_staffing, name="program-staffing")]
governance_pages = [
    path("programs/<str:code>/governance/", program_governance.program_governance, name="program-governance")
]

urlpatterns = [
    path("portfolios/<int:pk>/health-thresholds/", health_policy.health_thresholds, name="health-thresholds"),
    path(
        "portfolios/<int:pk>/health-thresholds/reset/",
        health_policy.health_thresholds_reset,
        name="health-thresholds-reset",
    ),
]
