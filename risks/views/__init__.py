"""The risks UI.

- registers.py: the project, program and portfolio risk registers (filters, sortable table,
  heat map, top risks, exposure vs reserve) and the issue lists
- analysis.py: the quantitative risk analysis (Monte Carlo) page of a project and a program
- risk.py: a risk's page, its forms (create, edit, escalate, de-escalate, realise), mitigation
  actions inline (htmx), and the issue forms

The program page's card is templates/risks/_program_summary.html, fed by
risks.selectors.program_risk_summary.
"""

from .analysis import analysis_progress, program_analysis, project_analysis
from .registers import (
    issue_list_program,
    issue_list_project,
    portfolio_risks,
    program_register,
    project_register,
)
from .risk import (
    issue_create_program,
    issue_create_project,
    issue_detail,
    issue_edit,
    mitigation_add,
    mitigation_delete,
    mitigation_edit,
    risk_create_program,
    risk_create_project,
    risk_deescalate,
    risk_detail,
    risk_edit,
    risk_escalate,
    risk_realise,
)

__all__ = [
    "analysis_progress",
    "issue_create_program",
    "issue_create_project",
    "issue_detail",
    "issue_edit",
    "issue_list_program",
    "issue_list_project",
    "mitigation_add",
    "mitigation_delete",
    "mitigation_edit",
    "portfolio_risks",
    "program_analysis",
    "program_register",
    "project_analysis",
    "project_register",
    "risk_create_program",
    "risk_create_project",
    "risk_deescalate",
    "risk_detail",
    "risk_edit",
    "risk_escalate",
    "risk_realise",
]
