"""Reads for attachments. Callers have already found the target through its model's
`visible_to(user)` (collab.targets.target_object), so these take the object, not the user.

Every list is a fixed number of queries: the attachments with their uploader, then all their
versions with theirs (a prefetch), whatever the number of rows.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, Q

from ..models import Attachment, AttachmentVersion


def _on(model: type[models.Model], ids) -> Q:
    return Q(content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids))


def _live(model: type[models.Model] | None = None, ids=(), *, where: Q | None = None) -> models.QuerySet:
    return (
        Attachment.objects.filter(where if where is not None else _on(model, ids), deleted_at__isnull=True)
        .select_related("uploaded_by")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=AttachmentVersion.objects.select_related("uploaded_by").order_by("-number"),
                to_attr="version_list",
            )
        )
        .order_by("name", "pk")
    )


def _with_latest(attachments) -> list[Attachment]:
    rows = list(attachments)
    for a in rows:
        a.latest = a.version_list[0] if a.version_list else None
    return rows


def attachment_queryset(*, obj: models.Model) -> models.QuerySet:
    """The live attachments of `obj` as a queryset (for the API's pagination): each row gets
    `version_list` (newest first) from a prefetch."""
    return _live(type(obj), [obj.pk])


def attachment_list(*, obj: models.Model) -> list[Attachment]:
    """The live attachments of `obj`, by name, each with `version_list` (newest first) and
    `latest`."""
    return _with_latest(_live(type(obj), [obj.pk]))


def attachment_get(*, obj: models.Model, pk) -> Attachment | None:
    """The live attachment `pk` of `obj` (with its versions), None when there is none."""
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    rows = _with_latest(_live(type(obj), [obj.pk]).filter(pk=pk))
    return rows[0] if rows else None


def attachment_version(*, attachment: Attachment, number=None) -> AttachmentVersion | None:
    """Version `number` of `attachment` (its latest when None); None when it has no such one."""
    versions = attachment.version_list  # newest first
    if number in (None, ""):
        return versions[0] if versions else None
    try:
        number = int(number)
    except (TypeError, ValueError, OverflowError):
        return None
    return next((v for v in versions if v.number == number), None)


def gate_evidence(gate) -> dict:
    """The evidence of a stage gate: {"gate": [its own attachments], "criteria": {criterion pk:
    [attachments]}}, each attachment with `version_list` and `latest`. At most two queries for the
    gate and all of its criteria (three when its criteria are not prefetched)."""
    from governance.models import GateCriterion, StageGate

    criterion_ids = [c.pk for c in gate.criteria.all()]
    by_criterion: dict[int, list[Attachment]] = {pk: [] for pk in criterion_ids}
    own: list[Attachment] = []
    criterion_ct = ContentType.objects.get_for_model(GateCriterion)
    for a in _with_latest(_live(where=_on(StageGate, [gate.pk]) | _on(GateCriterion, criterion_ids))):
        if a.content_type_id == criterion_ct.pk:
            by_criterion[a.object_id].append(a)
        else:
            own.append(a)
    return {"gate": own, "criteria": by_criterion}
