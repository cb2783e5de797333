"""Writes of portfolio planning: scenarios and their overlay (scenarios.py), scoring criteria
(scoring.py), optimisation runs and applying their plans (optimise.py), and the commit of a
scenario into the live portfolio (commit.py)."""

from .commit import CommitPreview, scenario_commit, scenario_commit_preview
from .optimise import optimisation_run_execute, plan_apply, scenario_optimise
from .scenarios import (
    budget_cap_set,
    scenario_archive,
    scenario_budget_set,
    scenario_create,
    scenario_delete,
    scenario_demand_set,
    scenario_project_clear,
    scenario_project_reset,
    scenario_project_set,
    scenario_update,
)
from .scoring import criterion_create, criterion_delete, criterion_update, criterion_value_set, pairwise_set

__all__ = [
    "CommitPreview",
    "budget_cap_set",
    "criterion_create",
    "criterion_delete",
    "criterion_update",
    "criterion_value_set",
    "optimisation_run_execute",
    "pairwise_set",
    "plan_apply",
    "scenario_archive",
    "scenario_budget_set",
    "scenario_commit",
    "scenario_commit_preview",
    "scenario_create",
    "scenario_delete",
    "scenario_demand_set",
    "scenario_optimise",
    "scenario_project_clear",
    "scenario_project_reset",
    "scenario_project_set",
    "scenario_update",
]
