"""TEMPORARY late import, kept only so the budgets cost pages, their exports and the budgets
report API keep including the allocation-derived labour forecast until those reads move to
`reporting` (issue 10, wt-e2). The EVM selectors themselves take the labour forecast as a
parameter (earned_value.LabourForecasts) and never import staffing; reporting passes
staffing.selectors.labour_forecasts directly. Delete this module once no budgets view uses it.
"""

from __future__ import annotations


def staffing_labour_forecasts(projects, calendar):
    """staffing.selectors.labour_forecasts, imported late: staffing imports budgets, and a domain
    app does not import a sibling at module level (see the module docstring)."""
    from staffing.selectors import labour_forecasts  # LATE IMPORT: remove when the cost pages move to reporting

    return labour_forecasts(projects, calendar)
