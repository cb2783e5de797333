"""The pages of reporting/views, by the namespace whose names they keep. config/urls.py includes
each list into that namespace together with the domain's own urlpatterns, so
`reverse("portfolio:program-detail")`, `reverse("budgets:program-costs")` and every template's
`{% url %}` stay as they were. New pages are `reporting:` (urlpatterns below)."""

from django.urls import path

from .views import (
    board,
    calendar,
    costs,
    health_policy,
    home,
    jobs,
    narrative,
    portfolio,
    program_costs,
    program_governance,
    program_staffing,
    projects,
    reports,
    trends,
)

app_name = "reporting"

portfolio_urlpatterns = [
    path("", home.home, name="home"),
    path("programs/", portfolio.program_list, name="program-list"),
    path("programs/<str:code>/", portfolio.program_detail, name="program-detail"),
]

projects_urlpatterns = [
    path("projects/", projects.project_list_view, name="project-list"),
]

# The cost pages and their exports merge staffing's labour forecast: reporting's, budgets' names.
budgets_urlpatterns = [
    path("projects/<str:code>/costs/", costs.project_costs, name="project-costs"),
    path("projects/<str:code>/costs/budget.xlsx", costs.project_budget_export, name="project-budget-export"),
    path("projects/<str:code>/costs/evm.xlsx", costs.project_evm_export, name="project-evm-export"),
    path("programs/<str:code>/costs/", program_costs.program_costs, name="program-costs"),
    path("programs/<str:code>/costs/budget.xlsx", costs.program_budget_export, name="program-budget-export"),
    path("programs/<str:code>/costs/evm.xlsx", costs.program_evm_export, name="program-evm-export"),
    path("programs/<str:code>/costs/lcce.xlsx", costs.lcce_compare_export, name="lcce-compare-export"),
]

staffing_urlpatterns = [
    path("programs/<str:code>/staffing/", program_staffing.program_staffing, name="program-staffing"),
]

governance_urlpatterns = [
    path("programs/<str:code>/governance/", program_governance.program_governance, name="program-governance"),
]

urlpatterns = [
    path("search/", home.search, name="search"),
    path("programs/<str:code>/calendar/", calendar.program_calendar, name="program-calendar"),
    path("programs/<str:code>/calendar/revoke/", calendar.program_calendar_revoke, name="program-calendar-revoke"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
    path("reporting/programs/<str:code>/trends/", trends.program_trends, name="program-trends"),
    path("reporting/projects/<str:code>/trends/", trends.project_trends, name="project-trends"),
    path(
        "reporting/projects/<str:code>/narrative-draft/",
        narrative.project_narrative_draft,
        name="project-narrative-draft",
    ),
    path("admin-tools/recompute/", jobs.recompute_all, name="recompute-all"),
    path("portfolios/<int:pk>/board/", board.portfolio_board, name="portfolio-board"),
    path("portfolios/<int:pk>/board.xlsx", board.portfolio_board_export, name="portfolio-board-export"),
    path("portfolios/<int:pk>/health-thresholds/", health_policy.health_thresholds, name="health-thresholds"),
    path(
        "portfolios/<int:pk>/health-thresholds/reset/",
        health_policy.health_thresholds_reset,
        name="health-thresholds-reset",
    ),
    path("portfolios/<int:pk>/report.pdf", reports.portfolio_report_pdf, name="portfolio-report-pdf"),
    path("programs/<str:code>/report.pdf", reports.program_report_pdf, name="program-report-pdf"),
]
