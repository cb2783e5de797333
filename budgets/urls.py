from django.urls import path

from . import views, views_import

app_name = "budgets"

# A project's money: budget and forecasts, actual costs, reserves (the cost page and its exports
# are reporting's, added to this namespace in config/urls.py).
project_urls = [
    # Cost ranges, on the risk analysis inputs page (projects:uncertainty, by project pk).
    path("projects/<int:pk>/risk-inputs/cost-ranges/", views.cost_range_add, name="cost-range-add"),
    path("projects/<int:pk>/risk-inputs/cost-ranges/<int:item>/", views.cost_range_edit, name="cost-range"),
    path(
        "projects/<int:pk>/risk-inputs/cost-ranges/<int:item>/delete/",
        views.cost_range_remove,
        name="cost-range-delete",
    ),
    path("projects/<str:code>/costs/plan/", views.project_plan, name="project-plan"),
    path("projects/<str:code>/costs/plan/original/", views.budget_original, name="budget-original"),
    path("projects/<str:code>/costs/plan/lines/new/", views.budget_line_add, name="budget-line-add"),
    path("projects/<str:code>/costs/plan/lines/<int:pk>/", views.budget_line_edit, name="budget-line-edit"),
    path("projects/<str:code>/costs/plan/lines/<int:pk>/delete/", views.budget_line_remove, name="budget-line-delete"),
    path("projects/<str:code>/costs/plan/forecasts/new/", views.forecast_add, name="forecast-add"),
    path("projects/<str:code>/costs/plan/forecasts/<int:pk>/", views.forecast_edit, name="forecast-edit"),
    path("projects/<str:code>/costs/plan/forecasts/<int:pk>/delete/", views.forecast_remove, name="forecast-delete"),
    path("projects/<str:code>/costs/entries/", views.cost_entry_list, name="cost-entry-list"),
    path("projects/<str:code>/costs/entries/export.xlsx", views.cost_entry_export, name="cost-entry-export"),
    path("projects/<str:code>/costs/entries/new/", views.cost_entry_add, name="cost-entry-add"),
    path("projects/<str:code>/costs/entries/<int:pk>/edit/", views.cost_entry_edit, name="cost-entry-edit"),
    path("projects/<str:code>/costs/entries/<int:pk>/delete/", views.cost_entry_remove, name="cost-entry-delete"),
    path("projects/<str:code>/costs/reserves/drawdown/", views.project_reserve_drawdown, name="project-drawdown"),
]

# A program's money: contracts, lifecycle cost estimates, reserves (its cost page and exports are
# reporting's, added to this namespace in config/urls.py).
program_urls = [
    path("programs/<str:code>/costs/reserves/drawdown/", views.program_reserve_drawdown, name="program-drawdown"),
    path("programs/<str:code>/contracts/", views.contract_list, name="contract-list"),
    path("programs/<str:code>/contracts/export.xlsx", views.contract_export, name="contract-export"),
    path("programs/<str:code>/contracts/new/", views.contract_add, name="contract-add"),
    path("programs/<str:code>/contracts/<int:pk>/", views.contract_detail, name="contract-detail"),
    path("programs/<str:code>/contracts/<int:pk>/edit/", views.contract_edit, name="contract-edit"),
    path("programs/<str:code>/contracts/<int:pk>/projects/", views.contract_projects, name="contract-projects"),
    path("programs/<str:code>/contracts/<int:pk>/security/", views.security_requirement_add, name="security-add"),
    path(
        "programs/<str:code>/contracts/<int:pk>/security/<int:item>/",
        views.security_requirement_status,
        name="security-status",
    ),
    path("programs/<str:code>/lcce/", views.lcce_list, name="lcce-list"),
    path("programs/<str:code>/lcce/<int:number>/", views.lcce_detail, name="lcce-detail"),
    path("programs/<str:code>/lcce/<int:number>/lines/", views.lcce_line_add, name="lcce-line-add"),
    path("programs/<str:code>/lcce/<int:number>/lines/<int:pk>/", views.lcce_line_edit, name="lcce-line-edit"),
    path(
        "programs/<str:code>/lcce/<int:number>/lines/<int:pk>/delete/", views.lcce_line_remove, name="lcce-line-delete"
    ),
    path("programs/<str:code>/lcce/<int:number>/new-version/", views.lcce_version_add, name="lcce-new-version"),
    path("programs/<str:code>/lcce/<int:number>/approve/", views.lcce_approve_view, name="lcce-approve"),
]

# Shared registers: vendors, currencies and exchange rates.
reference_urls = [
    path("vendors/", views.vendor_list, name="vendor-list"),
    path("vendors/new/", views.vendor_add, name="vendor-add"),
    path("vendors/<int:pk>/edit/", views.vendor_edit, name="vendor-edit"),
    path("currencies/", views.currency_list, name="currency-list"),
    path("currencies/new/", views.currency_add, name="currency-add"),
    path("currencies/<str:currency>/edit/", views.currency_edit, name="currency-edit"),
    path("currencies/rates/new/", views.exchange_rate_add, name="rate-add"),
    path("currencies/rates/<int:pk>/edit/", views.exchange_rate_edit, name="rate-edit"),
]

# Imports of actual costs and budgets from files: upload, map, preview, confirm, progress.
import_urls = [
    path("imports/", views_import.import_list, name="import-list"),
    path("imports/<str:kind>/new/", views_import.import_new, name="import-new"),
    path("imports/<int:pk>/", views_import.import_detail, name="import-detail"),
    path("imports/<int:pk>/mapping/", views_import.import_mapping, name="import-mapping"),
    path("imports/<int:pk>/preview/", views_import.import_preview, name="import-preview"),
    path("imports/<int:pk>/start/", views_import.import_start, name="import-start"),
    path("imports/<int:pk>/progress/", views_import.import_progress, name="import-progress"),
]

urlpatterns = [*project_urls, *program_urls, *reference_urls, *import_urls]
