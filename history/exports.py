"""The audit log as CSV/XLSX (core.exports: formula-safe text cells)."""

import json

from core.exports import Column, attr, user_name


def _changes(entry) -> str:
    return json.dumps(entry.changes, ensure_ascii=False, sort_keys=True) if entry.changes else ""


AUDIT_COLUMNS = [
    Column("When", attr("at"), "datetime"),
    Column("Who", user_name("actor")),
    Column("Action", lambda e: e.get_action_display()),
    Column("Object type", attr("object_type")),
    Column("Object id", attr("object_id")),
    Column("Object", attr("object_repr")),
    Column("Changes (field: [before, after])", _changes),
    Column("Portfolio id", attr("portfolio_id"), "int"),
    Column("Program id", attr("program_id"), "int"),
    Column("Project id", attr("project_id"), "int"),
    Column("Attachment", lambda e: e.attachment.name if e.attachment else None),
]
