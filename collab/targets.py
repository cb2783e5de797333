"""The objects people decide on, and so discuss and attach files to.

`collab` sits above the domain apps (it reads their models; no domain imports it) and below
`reporting`. A target is named in URLs and the API by its slug (`/collab/risk/42/…`); which
user may see it is always the model's own `visible_to(user)`, so comments and attachments are
visible exactly to those who see their object, and an outsider gets 404 for both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Target:
    slug: str  # in URLs and the API
    model_label: str  # "app_label.ModelName"
    label: str  # what a person calls it ("stage gate")
    program_field: str  # ORM path from the object to its program's id, for the program feed

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)


TARGETS: dict[str, Target] = {
    t.slug: t
    for t in [
        Target("program", "portfolio.Program", "program", "id"),
        Target("project", "projects.Project", "project", "program_id"),
        Target("status-report", "projects.StatusReport", "status report", "project__program_id"),
        Target("risk", "risks.Risk", "risk", "program_id"),
        Target("issue", "risks.Issue", "issue", "program_id"),
        Target("gate", "governance.StageGate", "stage gate", "project__program_id"),
        Target("gate-criterion", "governance.GateCriterion", "gate criterion", "gate__project__program_id"),
        Target("change-request", "governance.ChangeRequest", "change request", "project__program_id"),
        Target("decision", "governance.Decision", "decision", "program_id"),
        Target("benefit", "governance.Benefit", "benefit", "program_id"),
        Target("contract", "budgets.Contract", "contract", "program_id"),
    ]
}
_BY_LABEL = {t.model_label.lower(): t for t in TARGETS.values()}


def target_for_model(model: type[models.Model]) -> Target | None:
    return _BY_LABEL.get(model._meta.label_lower)


def target_object(*, slug: str, pk, user):
    """The object `slug`/`pk` if `user` may see it, else None (the caller answers 404)."""
    target = TARGETS.get(slug)
    if target is None:
        return None
    try:
        return target.model.objects.visible_to(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def program_id_of(obj: models.Model) -> int:
    target = target_for_model(type(obj))
    return type(obj).objects.filter(pk=obj.pk).values_list(target.program_field, flat=True).get()


# -- attachments: who may add and remove files (where an object's page is: collab.links) --------------------


def target_editable(obj: models.Model, user) -> bool:
    """May `user` change `obj` — and so attach files to it? The model's own `editable_by(user)`
    decides, as for every other edit of it: PROJECT_EDITORS for project items (a gate criterion's
    evidence: the project manager, the program manager, a portfolio admin), PROGRAM_EDITORS for
    program items, the finance editors for contracts, the risk editors for risks and issues."""
    return type(obj).objects.editable_by(user).filter(pk=obj.pk).exists()
