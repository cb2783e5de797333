"""Reads for risks: access-scoped lists with what their rows display loaded, the 5x5 heat map,
top risks, the exposure roll-up (EMV vs reserve remaining) and the program summary card.

Every function runs a fixed number of queries whatever the number of rows. Exposure sums run
over all of a program's projects, so they are computed only for programs the user oversees
(Program.objects.overseen_by): callers pass such a program, and portfolio_exposure filters.
"""

from .exposure import (
    Exposure,
    ExposureRow,
    ProgramRiskSummary,
    oversees,
    portfolio_exposure,
    program_exposure,
    program_risk_summary,
    project_exposure,
)
from .issues import FieldChange, HistoryEntry, issue_detail_list, issue_history
from .lists import (
    ISSUE_DEFAULT_SORT,
    ISSUE_SORTS,
    RISK_DEFAULT_SORT,
    RISK_SORTS,
    issue_list,
    mitigation_action_list,
    risk_detail_list,
    risk_history_list,
    risk_list,
    sorted_by,
)
from .matrix import TOP_RISKS, HeatCell, HeatMap, heat_map, overseen_portfolio_risks, program_risks, top_risks

__all__ = [
    "ISSUE_DEFAULT_SORT",
    "ISSUE_SORTS",
    "RISK_DEFAULT_SORT",
    "RISK_SORTS",
    "TOP_RISKS",
    "Exposure",
    "ExposureRow",
    "FieldChange",
    "HeatCell",
    "HeatMap",
    "HistoryEntry",
    "ProgramRiskSummary",
    "heat_map",
    "issue_detail_list",
    "issue_history",
    "issue_list",
    "mitigation_action_list",
    "overseen_portfolio_risks",
    "oversees",
    "portfolio_exposure",
    "program_exposure",
    "program_risk_summary",
    "program_risks",
    "project_exposure",
    "risk_detail_list",
    "risk_history_list",
    "risk_list",
    "sorted_by",
    "top_risks",
]
