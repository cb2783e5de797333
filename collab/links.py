"""Links to the targets' pages (collab.targets.target_page_url), and what to select with each
kind of target so that building the links of a feed page costs no query per row."""

from __future__ import annotations

from .targets import target_page_url

# slug -> related fields its page link needs (for select_related)
LINK_RELATED: dict[str, list[str]] = {
    "risk": ["program"],  # its reference names the program
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
    """The page that shows `obj` (a target of kind `slug`), "" when it has none."""
    return target_page_url(slug, obj) or ""
