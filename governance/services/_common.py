"""What the governance services share."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone

from core.changes import inputs_changed
from core.models import AuditEntry
from core.services import StaleVersionError, audit_record

from ..models import Decision


def touch(row) -> None:
    """Tell the roll-ups that governance changed: the row's project when it has one (its
    program's roll-up follows), else its program (program-level decisions, benefits, OLAs)."""
    project_id = getattr(row, "project_id", None)
    inputs_changed(projects=[project_id], programs=[] if project_id else [getattr(row, "program_id", None)])


def locked(instance: models.Model, expected_version: int | None) -> models.Model:
    """`instance` re-read under a row lock; StaleVersionError when `expected_version` is given
    and no longer matches."""
    current = type(instance).objects.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleVersionError()
    return current


def _text(value) -> str | None:
    return None if value is None else str(value)


def save_transition(*, actor, obj: models.Model, changes: dict[str, tuple], fields: list[str]) -> models.Model:
    """Save a state transition already applied to `obj` (locked), bump its version, audit it."""
    obj.version = F("version") + 1
    obj.save(update_fields=[*fields, "version", "updated_at"])
    obj.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=obj,
        changes={
            name: [None if old is None else str(old), None if new is None else str(new)]
            for name, (old, new) in changes.items()
        },
    )
    return obj


def log_decision(*, actor, program, project, title: str, text: str, context: str = "", **links) -> Decision:
    """Append a DECIDED entry to the program's decision log (for gate and change decisions)."""
    entry = Decision(
        program=program,
        project=project,
        title=title[:200],
        context=context,
        decision=text,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_on=timezone.localdate(),
        status=Decision.Status.DECIDED,
        **links,
    )
    entry.full_clean()
    entry.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=entry, changes={"title": [None, entry.title]})
    return entry


def refuse(field: str, message: str) -> None:
    raise ValidationError({field: message})
