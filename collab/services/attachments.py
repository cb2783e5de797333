"""Writes for attachments: upload (a new attachment or a new version of one) and delete.

Who may attach: whoever may edit the object (`collab.targets.target_editable`: the model's own
`editable_by`). Who may delete: that person or the attachment's uploader. An approved stage gate
freezes its evidence: nothing is added to or removed from the gate or its criteria afterwards.

An upload is spooled to a temporary file while it is hashed and measured, its type is read from
its content (`filecheck`), and only then is anything written: a refused file leaves neither a row
nor a stored object behind. Every change is audited (core.services.audit_record).
"""

from __future__ import annotations

import hashlib
import tempfile
import unicodedata
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from core.models import AuditEntry
from core.services import audit_record

from ..models import Attachment, AttachmentVersion
from ..targets import program_id_of, target_editable, target_for_model
from .filecheck import FileRefusedError, check_file

NO_FILE = "Choose a file to attach."
EMPTY_FILE = "“{name}” is empty."
TOO_LARGE = "“{name}” is larger than {limit}, the most an attachment may be."
NAME_REQUIRED = "The file needs a name."
NOT_A_TARGET = "Files cannot be attached to this kind of record."
MAY_NOT_ATTACH = "You may read this {label} but not attach files to it: that needs the right to edit it."
MAY_NOT_DELETE = "Only whoever uploaded “{name}” or may edit this {label} can delete it."
ALREADY_DELETED = "“{name}” was already deleted."
EVIDENCE_FROZEN = (
    "The gate “{gate}” was approved on {date}: its evidence is frozen, so files can no longer be added or removed."
)
UPLOADED_AT_ONCE = "“{name}” was uploaded by someone else at the same moment; try again."

NAME_MAX = 200  # Attachment.name's max_length


@dataclass(frozen=True)
class UploadResult:
    """What an upload did: `created` a new attachment, added a `new_version` to one of the same
    name, or nothing (`unchanged`: the same bytes as its latest version)."""

    attachment: Attachment
    version: AttachmentVersion
    outcome: Literal["created", "new_version", "unchanged"]


def max_upload_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def clean_name(raw: str) -> str:
    """The file's own name without any folder, control or direction-override characters, in NFC,
    at most NAME_MAX characters (its extension kept)."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ").strip()
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) < 16 else name[:NAME_MAX]
    return name


def _gate_of(target: models.Model):
    """The stage gate whose evidence `target` is (the gate itself or one of its criteria), else None."""
    from governance.models import GateCriterion, StageGate

    if isinstance(target, StageGate):
        return target.pk
    if isinstance(target, GateCriterion):
        return target.gate_id
    return None


def check_not_frozen(target: models.Model, *, lock: bool = False, field: str = "file") -> None:
    """ValidationError when `target` is an approved gate or a criterion of one. With `lock` the
    gate row is locked first (inside a transaction), so a decision cannot land between the check
    and the write: stage_gate_decide locks the same row."""
    from governance.models import StageGate

    gate_id = _gate_of(target)
    if gate_id is None:
        return
    gates = StageGate.objects.select_for_update() if lock else StageGate.objects
    gate = gates.filter(pk=gate_id).only("name", "decision", "decided_at").first()
    if gate is not None and gate.decision == StageGate.Decision.APPROVED:
        date = f"{timezone.localtime(gate.decided_at):%-d %b %Y}" if gate.decided_at else "an earlier date"
        raise ValidationError({field: EVIDENCE_FROZEN.format(gate=gate.name, date=date)})


def evidence_frozen(target: models.Model) -> bool:
    try:
        check_not_frozen(target)
    except ValidationError:
        return True
    return False


def _label(target: models.Model) -> str:
    t = target_for_model(type(target))
    return t.label if t else "record"


def _spool(upload, name: str, limit: int):
    """(temporary file, size, sha256 hex) of the upload's bytes; ValidationError past `limit`."""
    if getattr(upload, "size", None) is not None and upload.size > limit:
        raise ValidationError({"file": TOO_LARGE.format(name=name, limit=filesizeformat(limit))})
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - returned open; the caller closes it
    digest, size = hashlib.sha256(), 0
    try:
        upload.seek(0)
        for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(64 * 1024), b""):
            size += len(chunk)
            if size > limit:
                raise ValidationError({"file": TOO_LARGE.format(name=name, limit=filesizeformat(limit))})
            digest.update(chunk)
            spooled.write(chunk)
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return spooled, size, digest.hexdigest()


def attachment_upload(*, user, target: models.Model, file, name: str | None = None) -> UploadResult:
    """Attach `file` (an UploadedFile or any binary file object) to `target` under its own name
    (or `name`). The same name again adds a version — unless the bytes equal the latest version's,
    which changes nothing. Raises PermissionDenied (may not edit the target) or ValidationError
    keyed `file` (too large, empty, type refused, frozen evidence)."""
    if target_for_model(type(target)) is None:
        raise ValidationError({"file": NOT_A_TARGET})
    if file is None:
        raise ValidationError({"file": NO_FILE})
    if not target_editable(target, user):
        raise PermissionDenied(MAY_NOT_ATTACH.format(label=_label(target)))
    check_not_frozen(target)
    name = clean_name(name or getattr(file, "name", "") or "")
    if not name:
        raise ValidationError({"file": NAME_REQUIRED})
    spooled, size, sha256 = _spool(file, name, max_upload_bytes())
    with spooled:
        if size == 0:
            raise ValidationError({"file": EMPTY_FILE.format(name=name)})
        try:
            content_type = check_file(name=name, fileobj=spooled)
        except FileRefusedError as refused:
            raise ValidationError({"file": str(refused)}) from None
        spooled.seek(0)
        try:
            return _store(
                user=user,
                target=target,
                name=name,
                spooled=spooled,
                size=size,
                sha256=sha256,
                content_type=content_type,
            )
        except IntegrityError:
            # Two uploads of a new name at once: the live-name constraint let one through.
            raise ValidationError({"file": UPLOADED_AT_ONCE.format(name=name)}) from None


def _store(*, user, target, name, spooled, size, sha256, content_type) -> UploadResult:
    stored: list[str] = []
    try:
        with transaction.atomic():
            check_not_frozen(target, lock=True)
            ct = ContentType.objects.get_for_model(type(target))
            attachment = (
                Attachment.objects.select_for_update()
                .filter(content_type=ct, object_id=target.pk, name=name, deleted_at__isnull=True)
                .first()
            )
            outcome: Literal["created", "new_version"] = "new_version"
            if attachment is None:
                outcome = "created"
                attachment = Attachment.objects.create(
                    content_type=ct, object_id=target.pk, program_id=program_id_of(target), name=name, uploaded_by=user
                )
                latest = None
            else:
                latest = attachment.versions.order_by("-number").first()
                if latest is not None and latest.sha256 == sha256:
                    return UploadResult(attachment, latest, "unchanged")
            version = AttachmentVersion(
                attachment=attachment,
                number=(latest.number + 1) if latest else 1,
                size=size,
                content_type=content_type,
                sha256=sha256,
                uploaded_by=user,
            )
            # attachment_path needs the attachment's pk, the number and the hash: all set above.
            version.file.save(name, File(spooled, name=name), save=False)
            stored.append(version.file.name)
            version.save()
            if outcome == "created":
                changes = {
                    "name": [None, name],
                    "version": [None, "1"],
                    "sha256": [None, sha256],
                    "size": [None, str(size)],
                }
                audit_record(actor=user, action=AuditEntry.Action.CREATE, obj=attachment, changes=changes)
            else:
                attachment.save(update_fields=["updated_at"])
                changes = {
                    "version": [str(latest.number), str(version.number)],
                    "sha256": [latest.sha256, sha256],
                    "size": [str(latest.size), str(size)],
                }
                audit_record(actor=user, action=AuditEntry.Action.UPDATE, obj=attachment, changes=changes)
    except BaseException:
        # The row did not commit: remove the object stored for it (nothing is left behind).
        for stored_name in stored:
            AttachmentVersion._meta.get_field("file").storage.delete(stored_name)
        raise
    return UploadResult(attachment, version, outcome)


def may_delete(*, user, attachment: Attachment, target: models.Model) -> bool:
    return attachment.uploaded_by_id == getattr(user, "pk", None) or target_editable(target, user)


@transaction.atomic
def attachment_delete(*, user, attachment: Attachment, target: models.Model) -> Attachment:
    """Delete `attachment` of `target` (the caller found it through the visible target): it leaves
    every list, its files and versions stay in storage and in the audit trail. PermissionDenied
    unless the user uploaded it or may edit the target; ValidationError when it is frozen
    evidence or already deleted."""
    if not may_delete(user=user, attachment=attachment, target=target):
        raise PermissionDenied(MAY_NOT_DELETE.format(name=attachment.name, label=_label(target)))
    check_not_frozen(target, lock=True, field="attachment")
    current = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if current.deleted_at is not None:
        raise ValidationError({"attachment": ALREADY_DELETED.format(name=current.name)})
    current.deleted_at = timezone.now()
    current.save(update_fields=["deleted_at", "updated_at"])
    audit_record(actor=user, action=AuditEntry.Action.DELETE, obj=current, changes={"name": [current.name, None]})
    return current
