"""A stage gate's evidence on the governance pages: `{% gate_evidence gate as gate_evidence %}`
reads the files on a gate and all its criteria at once (two queries), `{% criterion_evidence c %}`
shows one criterion's files and its "Attach evidence" link in the checklist row, and
`{% gate_evidence_list gate_evidence gate %}` lists everything an approval freezes.

Governance never imports collab; its templates load these tags (templates are wiring, like
config), so the gate page shows evidence without its views knowing about attachments."""

from django import template

from collab.selectors.attachments import attachment_list
from collab.selectors.attachments import gate_evidence as read_gate_evidence

register = template.Library()


@register.simple_tag
def gate_evidence(gate) -> dict:
    return read_gate_evidence(gate)


@register.inclusion_tag("collab/_criterion_evidence.html", takes_context=True)
def criterion_evidence(context, criterion):
    """The files of `criterion`, from the `gate_evidence` read for its gate when the page made one
    (else read here: the checklist row that htmx re-renders alone)."""
    evidence = context.get("gate_evidence")
    files = evidence["criteria"].get(criterion.pk, []) if evidence else attachment_list(obj=criterion)
    gate = context.get("gate") or criterion.gate
    return {
        "c": criterion,
        "files": files,
        "may_attach": bool(context.get("may_prepare")) and gate.decision == "pending",
    }


@register.inclusion_tag("collab/_gate_evidence_list.html")
def gate_evidence_list(evidence, gate):
    """Every file an approval of `gate` freezes: the gate's own, then each criterion's."""
    rows = [(criterion, evidence["criteria"].get(criterion.pk, [])) for criterion in gate.criteria.all()]
    count = len(evidence["gate"]) + sum(len(files) for _, files in rows)
    return {"gate": gate, "own": evidence["gate"], "rows": rows, "count": count}
