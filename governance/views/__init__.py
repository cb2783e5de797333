"""Governance pages: project.py (stepper, gates, change requests) and program.py (decision
log, benefits, OLAs; the program overview is reporting's)."""

from .program import (
    benefit_create,
    benefit_detail,
    benefit_edit,
    decision_create,
    decision_edit,
    decision_list_page,
    ola_create,
    ola_edit,
    ola_list_page,
)
from .project import (
    change_request_action,
    change_request_create,
    change_request_detail,
    change_request_edit,
    change_request_line_add,
    change_request_line_delete,
    criterion_add,
    criterion_tick,
    gate_create,
    gate_decide,
    gate_detail,
    gate_edit,
    project_governance_page,
)

__all__ = [
    "benefit_create",
    "benefit_detail",
    "benefit_edit",
    "change_request_action",
    "change_request_create",
    "change_request_detail",
    "change_request_edit",
    "change_request_line_add",
    "change_request_line_delete",
    "criterion_add",
    "criterion_tick",
    "decision_create",
    "decision_edit",
    "decision_list_page",
    "gate_create",
    "gate_decide",
    "gate_detail",
    "gate_edit",
    "ola_create",
    "ola_edit",
    "ola_list_page",
    "project_governance_page",
]
