"""Where each kind of target is shown in the app (the targets have no get_absolute_url), and
what to select with them so that building the links costs no query per row."""

from __future__ import annotations

from django.urls import reverse

# slug -> related fields the link needs (for select_related)
LINK_RELATED: dict[str, list[str]] = {
    "risk": ["program"],  # str(risk) is its reference, "MOD-R007"
    "issue": ["program"],
    "status-report": ["project"],
    "gate": ["project"],
    "gate-criterion": ["gate__project"],
    "change-request": ["project"],
    "decision": ["program"],
    "benefit": ["program"],
    "contract": ["program"],
}


def object_url(slug: str, obj) -> str:
    """The page that shows `obj` (a target of kind `slug`)."""
    match slug:
        case "program":
            return reverse("portfolio:program-detail", args=[obj.code])
        case "project":
            return reverse("projects:project-detail", args=[obj.code])
        case "status-report":
            return reverse("projects:project-detail", args=[obj.project.code])
        case "risk":
            return reverse("risks:risk-detail", args=[obj.pk])
        case "issue":
            return reverse("risks:issue-detail", args=[obj.pk])
        case "gate":
            return reverse("governance:gate-detail", args=[obj.project.code, obj.pk])
        case "gate-criterion":
            return reverse("governance:gate-detail", args=[obj.gate.project.code, obj.gate_id])
        case "change-request":
            return reverse("governance:change-request-detail", args=[obj.project.code, obj.pk])
        case "decision":
            return reverse("governance:decision-list", args=[obj.program.code])
        case "benefit":
            return reverse("governance:benefit-detail", args=[obj.program.code, obj.pk])
        case "contract":
            return reverse("budgets:contract-detail", args=[obj.program.code, obj.pk])
    return ""
