"""The portfolio planning pages (planning/urls.py): scenarios and their overlay editor
(scenarios.py), scoring and the efficient frontier (scoring.py), the optimiser's runs
(runs.py), the commit (commit.py) and the comparison of scenarios (compare.py)."""
