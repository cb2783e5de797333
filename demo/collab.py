"""The collaboration stage of the demo: a conversation and evidence on the demo program, so its
gates, risks and activity feed show what the discussion and attachments are for.

On the demo program's first pending stage gate the project manager attaches a signed business
case to a criterion as evidence and asks the program manager to review it; the program manager
answers. On the program's highest-scored open risk the program manager asks its owner for an
update. Everything goes through the collab services, as a person's actions would (audited,
mentions notified).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.models import Attachment, AttachmentVersion, Comment, CommentRevision, LastVisit
from collab.services.attachments import attachment_upload
from collab.services.comments import comment_create
from governance.models import StageGate
from portfolio.models import Program
from risks.models import Risk

log = logging.getLogger(__name__)


def evidence_pdf(title: str) -> bytes:
    """A one-page PDF whose page reads `title`."""
    body = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >> endobj\n"
        + f"4 0 obj << /Length {len(body)} >> stream\n".encode()
        + body
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


class CollabStage:
    def __init__(self, builder):
        self.b = builder

    def build(self) -> None:
        manager = (getattr(self.b, "demo", None) or {}).get("program_manager")
        program = Program.objects.filter(manager=manager).order_by("pk").first() if manager else None
        if program is None:
            return
        gate = (
            StageGate.objects.filter(project__program=program, decision=StageGate.Decision.PENDING)
            .select_related("project__manager")
            .prefetch_related("criteria")
            .order_by("planned_date", "pk")
            .first()
        )
        if gate is not None and gate.project.manager is not None:
            self._gate(gate, project_manager=gate.project.manager, program_manager=program.manager)
        risk = (
            Risk.objects.filter(program=program, owner__isnull=False, status=Risk.Status.OPEN)
            .select_related("owner", "program")
            .order_by("-score", "pk")
            .first()
        )
        if risk is not None and risk.owner_id != program.manager_id:
            self._try(
                comment_create,
                user=program.manager,
                target=risk,
                body=(
                    f"@{risk.owner.username} the steering group meets next week: is the mitigation on "
                    "track, and does the **residual** score still hold?"
                ),
            )

    @staticmethod
    def _try(action, **kwargs):
        """Do `action` as its person would; a refusal (say, an owner who cannot see the risk) is
        logged, not fatal to the seed."""
        try:
            return action(**kwargs)
        except (PermissionDenied, ValidationError) as exc:
            log.warning("Demo collaboration skipped a step: %s", exc)
            return None

    def _gate(self, gate, *, project_manager, program_manager) -> None:
        criterion = next(iter(gate.criteria.all()), None)
        if criterion is not None:
            self._try(
                attachment_upload,
                user=project_manager,
                target=criterion,
                file=SimpleUploadedFile("signed-business-case.pdf", evidence_pdf("Signed business case")),
            )
        question = self._try(
            comment_create,
            user=project_manager,
            target=gate,
            body=(
                f"@{program_manager.username} the signed business case is attached to "
                f"“{criterion.text if criterion else 'the first criterion'}”. Ready for your review."
            ),
        )
        if question is None:
            return
        self._try(
            comment_create,
            user=program_manager,
            target=gate,
            parent=question,
            body="Thanks. I'll read it before the gate review; please add the operations sign-off too.",
        )


def reset() -> None:
    """Delete every comment and attachment (their stored files too) before the objects they are on."""
    for version in AttachmentVersion.objects.all().only("file"):
        if version.file:
            version.file.delete(save=False)
    AttachmentVersion.objects.all().delete()
    Attachment.objects.all().delete()
    CommentRevision.objects.all().delete()
    Comment.objects.filter(parent__isnull=False).delete()
    Comment.objects.all().delete()
    LastVisit.objects.all().delete()


def counts() -> dict[str, int]:
    return {"comments": Comment.objects.count(), "attachments": Attachment.objects.count()}
