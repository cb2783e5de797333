"""Portfolio planning pages: scenarios (list, create, copy, the overlay editor), scoring and the
efficient frontier, optimisation runs and applying their plans, committing, and comparing
scenarios (page, PDF, Excel)."""

from django.urls import path

from .views import commit, compare, runs, scenarios, scoring

app_name = "planning"

urlpatterns = [
    path("planning/", scenarios.planning_home, name="home"),
    path("planning/portfolios/<int:pk>/scenarios/", scenarios.scenario_list, name="scenario-list"),
    path("planning/portfolios/<int:pk>/scenarios/add/", scenarios.scenario_add, name="scenario-add"),
    path("planning/portfolios/<int:pk>/compare/", compare.compare, name="compare"),
    path("planning/portfolios/<int:pk>/compare/pdf/", compare.compare_pdf, name="compare-pdf"),
    path("planning/portfolios/<int:pk>/compare/xlsx/", compare.compare_xlsx, name="compare-xlsx"),
    path("planning/scenarios/<int:pk>/", scenarios.scenario_detail, name="scenario-detail"),
    path("planning/scenarios/<int:pk>/copy/", scenarios.scenario_copy, name="scenario-copy"),
    path("planning/scenarios/<int:pk>/caps/", scenarios.scenario_cap_set, name="scenario-cap"),
    path(
        "planning/scenarios/<int:pk>/projects/<int:project_pk>/",
        scenarios.scenario_project_edit,
        name="scenario-project-edit",
    ),
    path(
        "planning/scenarios/<int:pk>/projects/<int:project_pk>/include/",
        scenarios.scenario_project_toggle,
        name="scenario-project-toggle",
    ),
    path(
        "planning/scenarios/<int:pk>/projects/<int:project_pk>/budget/",
        scenarios.scenario_project_budget,
        name="scenario-project-budget",
    ),
    path(
        "planning/scenarios/<int:pk>/projects/<int:project_pk>/demand/",
        scenarios.scenario_project_demand,
        name="scenario-project-demand",
    ),
    path("planning/scenarios/<int:pk>/scoring/", scoring.scoring_detail, name="scenario-scoring"),
    path("planning/scenarios/<int:pk>/scoring/criteria/add/", scoring.criterion_add, name="criterion-add"),
    path(
        "planning/scenarios/<int:pk>/scoring/criteria/<int:criterion_pk>/weight/",
        scoring.criterion_weight,
        name="criterion-weight",
    ),
    path(
        "planning/scenarios/<int:pk>/scoring/criteria/<int:criterion_pk>/delete/",
        scoring.criterion_remove,
        name="criterion-delete",
    ),
    path(
        "planning/scenarios/<int:pk>/scoring/pairwise/<int:a_pk>/<int:b_pk>/",
        scoring.pairwise,
        name="pairwise-set",
    ),
    path("planning/scenarios/<int:pk>/scoring/values/", scoring.criterion_value, name="criterion-value-set"),
    path("planning/scenarios/<int:pk>/optimise/", runs.optimise, name="scenario-optimise"),
    path("planning/scenarios/<int:pk>/runs/", runs.run_list, name="scenario-runs"),
    path("planning/scenarios/<int:pk>/runs/<int:run_pk>/", runs.run_detail, name="scenario-run"),
    path("planning/scenarios/<int:pk>/runs/<int:run_pk>/apply/", runs.run_apply, name="scenario-run-apply"),
    path("planning/scenarios/<int:pk>/commit/", commit.commit, name="scenario-commit"),
]
