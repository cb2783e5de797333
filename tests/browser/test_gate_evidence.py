"""Evidence for a stage gate, in a real browser on the small demo: the project manager attaches a
PDF to a criterion; the program manager sees it on the gate, approves the gate through the
confirmation that lists the evidence it freezes; afterwards nothing can be attached."""

import os
import re
from pathlib import Path

import pytest

from collab.models import Attachment
from governance import services as governance
from governance.models import StageGate
from tests.factories.collab import pdf_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_storage")]

# KEEL_SHOTS_DIR=/some/folder saves each step at 1280 and 390 px wide, for a person to look at.
SHOTS = os.environ.get("KEEL_SHOTS_DIR", "")


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def pending_gate() -> StageGate:
    """A pending gate of a project the demo's project manager manages, in the demo program."""
    return (
        StageGate.objects.filter(
            decision="pending",
            project__manager__username="project_manager",
            project__program__manager__username="program_manager",
        )
        .select_related("project")
        .order_by("project__code")
        .first()
    )


def test_project_manager_attaches_evidence_and_program_manager_approves_on_it(demo, page_as, axe):
    gate = pending_gate()
    code = gate.project.code
    criterion = gate.criteria.order_by("order").first()
    gate_url = f"/projects/{code}/gates/{gate.pk}/"

    # The project manager attaches the signed business case to the first criterion.
    pm = page_as("project_manager")
    pm.goto(gate_url)
    row = pm.locator(f"#criterion-{criterion.pk}")
    # "Manage evidence" when the demo's own conversation already attached a file to it.
    row.get_by_role("link", name=re.compile(rf"(Attach|Manage) evidence for {re.escape(criterion.text)}")).click()
    pm.wait_for_url(f"**/collab/gate-criterion/{criterion.pk}/attachments/")
    axe.assert_clean(pm)
    pm.get_by_label("Attach evidence").set_input_files(
        {"name": "Business case (signed).pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    pm.get_by_role("button", name="Upload").click()
    pm.get_by_text("“Business case (signed).pdf” attached.").wait_for()
    assert pm.get_by_role("link", name="Business case (signed).pdf", exact=True).is_visible()
    axe.assert_clean(pm, where="attachments after upload")
    shoot(pm, "criterion-attachments")
    assert (
        Attachment.objects.get(object_id=criterion.pk, name="Business case (signed).pdf").versions.get().content_type
        == "application/pdf"
    )

    # The rest of the checklist is ticked (the checklist's own flow, tested elsewhere).
    for c in gate.criteria.filter(met=False):
        governance.gate_criterion_tick(actor=gate.project.manager, criterion=c, met=True)

    # The program manager sees the evidence on the gate and downloads it.
    manager = page_as("program_manager")
    manager.goto(gate_url)
    evidence = manager.locator(f"#criterion-{criterion.pk}").get_by_role(
        "link", name="Business case (signed).pdf", exact=True
    )
    assert evidence.is_visible()
    with manager.expect_download() as download:
        evidence.click()
    assert download.value.suggested_filename == "Business case (signed).pdf"
    axe.assert_clean(manager, where="gate page with evidence")
    shoot(manager, "gate-with-evidence")

    # Approving asks first, listing the evidence it freezes; nothing is chosen beforehand.
    assert not manager.get_by_label("Approve").is_checked()
    manager.get_by_label("Approve").check()
    manager.get_by_role("button", name="Record decision…").click()
    frozen = manager.locator(".gov-confirm-evidence")
    frozen.wait_for()
    # Every live file on the gate's criteria (the demo's own evidence among them).
    files = Attachment.objects.filter(
        object_id__in=gate.criteria.values("pk"), content_type__model="gatecriterion", deleted_at__isnull=True
    ).count()
    assert files >= 1
    assert f"Evidence that approval freezes ({files} file{'s' if files > 1 else ''})" in frozen.inner_text()
    assert frozen.get_by_role("link", name="Business case (signed).pdf", exact=True).is_visible()
    axe.assert_clean(manager, where="approval confirmation")
    shoot(manager, "gate-approve-confirm")
    gate.refresh_from_db()
    assert gate.decision == "pending"
    manager.get_by_role("button", name="Confirm: approve the gate").click()
    manager.wait_for_url(f"**{gate_url}")
    gate.refresh_from_db()
    assert gate.decision == "approved"

    # Afterwards the evidence stays, and there is no way to add to it.
    pm.goto(gate_url)
    assert (
        pm.locator(f"#criterion-{criterion.pk}")
        .get_by_role("link", name="Business case (signed).pdf", exact=True)
        .is_visible()
    )
    assert pm.get_by_text("Attach evidence").count() == 0
    pm.goto(f"/collab/gate-criterion/{criterion.pk}/attachments/")
    assert pm.get_by_text("its evidence is frozen").is_visible()
    assert pm.locator("input[type=file]").count() == 0
    assert pm.locator(".collab-file-delete").count() == 0
    axe.assert_clean(pm, where="frozen evidence")
    shoot(pm, "criterion-attachments-frozen")
    assert pm.problems == []
    assert manager.problems == []
