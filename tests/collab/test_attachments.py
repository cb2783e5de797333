"""Attachments: who may list, download, upload and delete; size and type checked from the content
with nothing stored on refusal; versions; an approved gate freezes its evidence; downloads are
streamed as attachments; the pages' query counts do not grow with the files."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from collab.models import Attachment, AttachmentVersion
from collab.services import attachments as services
from collab.services.filecheck import FileRefusedError, check_file
from core.models import AuditEntry
from governance import services as governance
from tests.conftest import stored_files
from tests.factories.collab import (
    AttachmentFactory,
    attach,
    exe_bytes,
    gif_bytes,
    html_bytes,
    odf_bytes,
    ooxml_bytes,
    pdf_bytes,
    png_bytes,
    svg_bytes,
    upload,
)
from tests.factories.risks import RiskFactory

pytestmark = pytest.mark.usefixtures("media_storage")


@pytest.fixture
def gate(project, project_manager):
    project.phase = "initiation"
    project.save()
    criteria = ["Business case approved", "Sponsor named"]
    return governance.stage_gate_create(actor=project_manager, project=project, to_phase="planning", criteria=criteria)


@pytest.fixture
def criterion(gate):
    return gate.criteria.order_by("order").first()


def _url(name, slug, pk, *args):
    return reverse(f"collab:{name}", args=[slug, pk, *args])


def _approve(gate, owner):
    for c in gate.criteria.all():
        governance.gate_criterion_tick(actor=owner, criterion=c, met=True)
    return governance.stage_gate_decide(actor=owner, gate=gate, decision="approve")


def _nothing_stored(storage):
    assert stored_files(storage) == []
    assert Attachment.objects.count() == 0
    assert AttachmentVersion.objects.count() == 0


# -- uploading ------------------------------------------------------------------------------------


def test_project_manager_attaches_pdf_evidence_to_a_gate_criterion(criterion, project_manager, media_storage):
    content = pdf_bytes()
    result = attach(criterion, project_manager, "Business case (signed).pdf", content)

    assert result.outcome == "created"
    a, v = result.attachment, result.version
    assert (a.name, a.object_id, a.program_id, a.uploaded_by) == (
        "Business case (signed).pdf",
        criterion.pk,
        criterion.gate.project.program_id,
        project_manager,
    )
    assert (v.number, v.size, v.content_type) == (1, len(content), "application/pdf")
    assert v.sha256 == hashlib.sha256(content).hexdigest()
    # Stored under a key of its own, never the uploaded name; the bytes are the bytes uploaded.
    assert stored_files(media_storage) == [v.file.name]
    assert "Business case" not in v.file.name
    assert v.file.name.startswith(f"attachments/{a.program_id}/{a.pk}/")
    with media_storage.open(v.file.name) as handle:
        assert handle.read() == content
    entry = AuditEntry.objects.get(object_type="collab.attachment", object_id=str(a.pk))
    assert (entry.action, entry.actor, entry.changes["name"]) == ("create", project_manager, [None, a.name])


def test_program_manager_may_attach_and_a_team_member_may_not(criterion, owner, member, media_storage):
    assert attach(criterion, owner, "plan.pdf").outcome == "created"
    with pytest.raises(PermissionDenied):
        attach(criterion, member, "mine.pdf")
    assert list(Attachment.objects.values_list("name", flat=True)) == ["plan.pdf"]
    assert len(stored_files(media_storage)) == 1


def test_same_name_again_is_a_new_version_and_identical_bytes_change_nothing(criterion, project_manager, owner):
    first = attach(criterion, project_manager, "case.pdf", pdf_bytes("v1"))
    second = attach(criterion, owner, "case.pdf", pdf_bytes("v2"))
    again = attach(criterion, owner, "case.pdf", pdf_bytes("v2"))

    assert (second.outcome, second.attachment.pk, second.version.number) == ("new_version", first.attachment.pk, 2)
    assert (again.outcome, again.version.pk) == ("unchanged", second.version.pk)
    assert Attachment.objects.count() == 1
    assert list(first.attachment.versions.values_list("number", "uploaded_by__username")) == [
        (2, "owner"),
        (1, "pm"),
    ]
    update = AuditEntry.objects.get(object_type="collab.attachment", action="update")
    assert update.changes["version"] == ["1", "2"]


def test_names_lose_folders_and_control_characters(criterion, project_manager):
    result = attach(criterion, project_manager, "..\\..//etc/\u202eevil\x00.pdf", pdf_bytes())
    assert result.attachment.name == "evil.pdf"


@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("case.pdf", pdf_bytes(), "application/pdf"),
        ("photo.PNG", png_bytes(), "image/png"),
        ("chart.gif", gif_bytes(), "image/gif"),
        ("memo.docx", ooxml_bytes("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("costs.xlsx", ooxml_bytes("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "deck.pptx",
            ooxml_bytes("pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("notes.odt", odf_bytes(), "application/vnd.oasis.opendocument.text"),
        ("notes.txt", "Prüfbericht: bestanden ✓\n".encode(), "text/plain; charset=utf-8"),
        ("actuals.csv", b"code,amount\nMOD-ERP,1200.50\n", "text/csv; charset=utf-8"),
    ],
)
def test_accepted_kinds_are_stored_with_the_type_read_from_their_content(
    criterion, project_manager, name, content, stored_type
):
    assert attach(criterion, project_manager, name, content).version.content_type == stored_type


DISGUISED = {
    "an executable named .pdf": ("invoice.pdf", exe_bytes(), "not what its name says"),
    "an HTML page named .pdf": ("invoice.pdf", html_bytes(), "HTML or SVG"),
    "an SVG with a script named .png": ("chart.png", svg_bytes(), "HTML or SVG"),
    "an SVG as itself": ("chart.svg", svg_bytes(), "cannot be attached"),
    "an HTML page as itself": ("page.html", html_bytes(), "cannot be attached"),
    "an HTML page named .txt": ("readme.txt", b"  \n<html><script>alert(1)</script>", "HTML or SVG"),
    "a UTF-16 HTML page named .txt": ("readme.txt", "\ufeff<html></html>".encode("utf-16-le"), "HTML or SVG"),
    "an executable named .txt": ("readme.txt", exe_bytes(), "not what its name says"),
    "a PDF named .png": ("photo.png", pdf_bytes(), "not what its name says"),
    "binary bytes named .csv": ("data.csv", b"a,b\n\x00\x01\x02", "NUL byte"),
    "Latin-1 text named .csv": ("data.csv", "café,1\n".encode("latin-1"), "invalid UTF-8"),
    "a macro-enabled document named .docx": (
        "memo.docx",
        ooxml_bytes("docx", main_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
        "macro-enabled",
    ),
    "a zip without [Content_Types].xml named .docx": (
        "memo.docx",
        ooxml_bytes("docx", content_types=False),
        "[Content_Types].xml",
    ),
    "a spreadsheet named .docx": ("memo.docx", ooxml_bytes("xlsx"), "not what its name says"),
    "an ODF spreadsheet named .odt": (
        "notes.odt",
        odf_bytes("application/vnd.oasis.opendocument.spreadsheet"),
        "not what its name says",
    ),
    "a zip with another mimetype named .odt": ("notes.odt", odf_bytes("application/x-other"), "mimetype entry says"),
    "no extension": ("README", b"plain words", "has no extension"),
    "an unlisted kind": ("tool.exe", exe_bytes(), "cannot be attached"),
}


@pytest.mark.parametrize(("name", "content", "reason"), list(DISGUISED.values()), ids=list(DISGUISED))
def test_disguised_and_refused_kinds_are_refused_with_nothing_stored(
    criterion, project_manager, media_storage, name, content, reason
):
    with pytest.raises(ValidationError) as caught:
        attach(criterion, project_manager, name, content)
    assert reason in caught.value.message_dict["file"][0]
    _nothing_stored(media_storage)


def test_oversized_file_is_refused_with_nothing_stored(criterion, project_manager, media_storage, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        attach(criterion, project_manager, "big.pdf", pdf_bytes("x" * 2000))
    assert "larger than 1.0\xa0KB" in caught.value.message_dict["file"][0]
    _nothing_stored(media_storage)


class _NoSize:
    """An upload whose size is not known beforehand: the limit holds while it is read."""

    def __init__(self, data: bytes, name: str):
        self.name, self._data = name, data

    def seek(self, offset):
        pass

    def chunks(self):
        for start in range(0, len(self._data), 100):
            yield self._data[start : start + 100]


def test_size_limit_holds_while_streaming_when_the_size_is_not_declared(
    criterion, project_manager, media_storage, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError):
        services.attachment_upload(user=project_manager, target=criterion, file=_NoSize(pdf_bytes("x" * 2000), "a.pdf"))
    _nothing_stored(media_storage)


def test_empty_file_is_refused(criterion, project_manager, media_storage):
    with pytest.raises(ValidationError, match="empty"):
        attach(criterion, project_manager, "empty.pdf", b"")
    _nothing_stored(media_storage)


def test_a_failed_write_removes_the_stored_file(criterion, project_manager, media_storage, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_record", fail)
    with pytest.raises(RuntimeError):
        attach(criterion, project_manager, "case.pdf")
    _nothing_stored(media_storage)


def test_check_file_reads_content_not_the_declared_type():
    # What the browser declared (Content-Type of the part) plays no role; only name and bytes.
    with pytest.raises(FileRefusedError):
        check_file(name="x.pdf", fileobj=upload("x.pdf", exe_bytes(), "application/pdf"))


# -- an approved gate freezes its evidence --------------------------------------------------------


def test_approved_gate_freezes_its_evidence(gate, criterion, project_manager, owner, media_storage):
    kept = attach(criterion, project_manager, "case.pdf").attachment
    on_gate = attach(gate, project_manager, "minutes.pdf").attachment
    _approve(gate, owner)

    for target in (criterion, gate):
        with pytest.raises(ValidationError, match="evidence is frozen"):
            attach(target, owner, "late.pdf")
    with pytest.raises(ValidationError, match="evidence is frozen"):
        services.attachment_delete(user=owner, attachment=kept, target=criterion)
    with pytest.raises(ValidationError, match="evidence is frozen"):
        services.attachment_delete(user=project_manager, attachment=on_gate, target=gate)
    assert sorted(Attachment.objects.filter(deleted_at__isnull=True).values_list("name", flat=True)) == [
        "case.pdf",
        "minutes.pdf",
    ]
    assert len(stored_files(media_storage)) == 2


def test_frozen_evidence_page_offers_no_upload_and_refuses_one(client_for, gate, criterion, project_manager, owner):
    attach(criterion, project_manager, "case.pdf")
    _approve(gate, owner)
    client = client_for(project_manager)
    page = client.get(_url("attachments", "gate-criterion", criterion.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "evidence is frozen" in html
    assert 'type="file"' not in html
    assert "collab-file-delete" not in html
    response = client.post(
        _url("attachment-upload", "gate-criterion", criterion.pk),
        {"file": upload("late.pdf", pdf_bytes())},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "evidence is frozen" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_pending_and_rejected_gates_keep_their_evidence_open(gate, criterion, project_manager, owner):
    governance.stage_gate_decide(actor=owner, gate=gate, decision="reject", notes="Business case weak")
    assert attach(criterion, project_manager, "revised.pdf").outcome == "created"


# -- access: outsiders get 404 everywhere ---------------------------------------------------------


def test_outsider_can_neither_list_download_upload_nor_delete(client_for, criterion, project_manager, outsider):
    a = attach(criterion, project_manager, "case.pdf").attachment
    client = client_for(outsider)
    slug, pk = "gate-criterion", criterion.pk
    assert client.get(_url("attachments", slug, pk)).status_code == 404
    assert client.get(_url("attachments", slug, pk), headers={"HX-Request": "true"}).status_code == 404
    assert client.get(_url("attachment-download", slug, pk, a.pk)).status_code == 404
    assert client.get(_url("attachment-delete", slug, pk, a.pk)).status_code == 404
    assert client.post(_url("attachment-delete", slug, pk, a.pk)).status_code == 404
    response = client.post(_url("attachment-upload", slug, pk), {"file": upload("x.pdf", pdf_bytes())})
    assert response.status_code == 404
    assert Attachment.objects.get().deleted_at is None
    assert Attachment.objects.count() == 1


def test_unknown_kinds_and_ids_are_404(client_for, owner, criterion):
    client = client_for(owner)
    assert client.get("/collab/membership/1/attachments/").status_code == 404
    assert client.get(_url("attachments", "gate-criterion", 99999999)).status_code == 404
    assert client.get(_url("attachment-download", "gate-criterion", criterion.pk, 12345)).status_code == 404


def test_an_attachment_is_reached_only_through_its_own_object(client_for, criterion, gate, project_manager, owner):
    a = attach(criterion, project_manager, "case.pdf").attachment
    # The gate is visible too, but the attachment is not the gate's.
    assert client_for(owner).get(_url("attachment-download", "gate", gate.pk, a.pk)).status_code == 404


def test_team_member_reads_and_downloads_but_cannot_upload(client_for, criterion, project_manager, member):
    a = attach(criterion, project_manager, "case.pdf").attachment
    client = client_for(member)
    page = client.get(_url("attachments", "gate-criterion", criterion.pk))
    assert page.status_code == 200
    assert "case.pdf" in page.content.decode()
    assert 'type="file"' not in page.content.decode()
    assert client.get(_url("attachment-download", "gate-criterion", criterion.pk, a.pk)).status_code == 200
    response = client.post(
        _url("attachment-upload", "gate-criterion", criterion.pk), {"file": upload("mine.pdf", pdf_bytes())}
    )
    assert response.status_code == 302
    assert Attachment.objects.count() == 1


def test_media_is_not_served_from_a_public_url(client_for, criterion, project_manager, owner):
    v = attach(criterion, project_manager, "case.pdf").version
    client = client_for(owner)
    for url in (f"/media/{v.file.name}", f"/{v.file.name}", v.file.url):
        assert client.get(url).status_code == 404, url


# -- downloads ------------------------------------------------------------------------------------


def test_download_streams_the_file_as_an_attachment(client_for, criterion, project_manager, owner):
    content = pdf_bytes("signed")
    a = attach(criterion, project_manager, 'Case "final".pdf', content).attachment
    response = client_for(owner).get(_url("attachment-download", "gate-criterion", criterion.pk, a.pk))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == 'attachment; filename="Case \\"final\\".pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(content))
    assert "sandbox" in response["Content-Security-Policy"]


def test_download_of_a_non_ascii_name_uses_rfc_5987(client_for, criterion, project_manager, owner):
    a = attach(criterion, project_manager, "Prüfbericht Ü.pdf").attachment
    response = client_for(owner).get(_url("attachment-download", "gate-criterion", criterion.pk, a.pk))
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Pr%C3%BCfbericht%20%C3%9C.pdf"


def test_download_of_an_earlier_version(client_for, criterion, project_manager, owner):
    attach(criterion, project_manager, "case.pdf", pdf_bytes("v1"))
    a = attach(criterion, project_manager, "case.pdf", pdf_bytes("v2")).attachment
    client = client_for(owner)
    url = _url("attachment-download", "gate-criterion", criterion.pk, a.pk)
    assert b"".join(client.get(url).streaming_content) == pdf_bytes("v2")
    assert b"".join(client.get(url, {"version": 1}).streaming_content) == pdf_bytes("v1")
    assert client.get(url, {"version": 3}).status_code == 404
    assert client.get(url, {"version": "x"}).status_code == 404


def test_text_is_served_as_text_plain_and_never_sniffed(client_for, criterion, project_manager, owner):
    a = attach(criterion, project_manager, "notes.txt", b"plain <b>words</b>").attachment
    response = client_for(owner).get(_url("attachment-download", "gate-criterion", criterion.pk, a.pk))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")


# -- the page, uploads through it and deletion -----------------------------------------------------


def test_upload_through_the_page_with_htmx_returns_the_list(client_for, criterion, project_manager):
    client = client_for(project_manager)
    response = client.post(
        _url("attachment-upload", "gate-criterion", criterion.pk),
        {"file": upload("case.pdf", pdf_bytes())},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“case.pdf” attached." in html
    assert "case.pdf" in html
    assert "version 1" in html
    refused = client.post(
        _url("attachment-upload", "gate-criterion", criterion.pk),
        {"file": upload("evil.pdf", html_bytes())},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422
    assert "HTML or SVG" in refused.content.decode()
    missing = client.post(_url("attachment-upload", "gate-criterion", criterion.pk), headers={"HX-Request": "true"})
    assert missing.status_code == 422
    assert "Choose a file" in missing.content.decode()


def test_plain_upload_redirects_back_with_a_message(client_for, criterion, project_manager):
    client = client_for(project_manager)
    url = _url("attachments", "gate-criterion", criterion.pk)
    response = client.post(
        _url("attachment-upload", "gate-criterion", criterion.pk),
        {"file": upload("case.pdf", pdf_bytes()), "next": url},
        follow=True,
    )
    assert response.redirect_chain == [(url, 302)]
    assert "“case.pdf” attached." in response.content.decode()


def test_page_shows_versions_sizes_uploader_and_limits(client_for, criterion, project_manager, owner):
    attach(criterion, project_manager, "case.pdf", pdf_bytes("v1"))
    attach(criterion, owner, "case.pdf", pdf_bytes("v2"))
    html = client_for(project_manager).get(_url("attachments", "gate-criterion", criterion.pk)).content.decode()
    assert "version 2" in html
    assert "Earlier versions (1)" in html
    assert "?version=1" in html
    assert "at most 25.0\xa0MB" in html
    assert 'enctype="multipart/form-data"' in html
    assert reverse("governance:gate-detail", args=[criterion.gate.project.code, criterion.gate_id]) in html


def test_delete_asks_first_then_removes_it_from_the_list(client_for, criterion, project_manager, media_storage):
    a = attach(criterion, project_manager, "case.pdf").attachment
    client = client_for(project_manager)
    delete_url = _url("attachment-delete", "gate-criterion", criterion.pk, a.pk)
    confirm = client.get(delete_url)
    assert confirm.status_code == 200
    assert "Delete “case.pdf”?" in confirm.content.decode()
    Attachment.objects.get(pk=a.pk, deleted_at__isnull=True)  # asking changed nothing

    response = client.post(delete_url, follow=True)
    assert "“case.pdf” deleted." in response.content.decode()
    assert Attachment.objects.get(pk=a.pk).deleted_at is not None
    assert client.get(_url("attachment-download", "gate-criterion", criterion.pk, a.pk)).status_code == 404
    assert AuditEntry.objects.filter(object_type="collab.attachment", action="delete").count() == 1
    # The name is free again; the deleted one's file stays stored (kept with its history).
    assert attach(criterion, project_manager, "case.pdf").outcome == "created"
    assert len(stored_files(media_storage)) == 2


def test_uploader_or_editor_may_delete_but_a_reader_may_not(client_for, criterion, project_manager, owner, member):
    a = attach(criterion, project_manager, "case.pdf").attachment
    assert client_for(member).get(_url("attachment-delete", "gate-criterion", criterion.pk, a.pk)).status_code == 403
    assert client_for(member).post(_url("attachment-delete", "gate-criterion", criterion.pk, a.pk)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.attachment_delete(user=member, attachment=a, target=criterion)
    services.attachment_delete(user=owner, attachment=a, target=criterion)
    with pytest.raises(ValidationError, match="already deleted"):
        services.attachment_delete(user=owner, attachment=a, target=criterion)


def test_attachments_work_on_other_objects_with_their_own_editors(client_for, program, project, owner, member):
    risk = RiskFactory(program=program, project=project)
    assert attach(risk, owner, "assessment.pdf").outcome == "created"
    with pytest.raises(PermissionDenied):
        attach(risk, member, "mine.pdf")
    assert client_for(member).get(_url("attachments", "risk", risk.pk)).status_code == 200


# -- the gate page shows each criterion's evidence; approval lists what it freezes ----------------


def test_gate_page_shows_evidence_per_criterion_and_an_attach_link(client_for, gate, criterion, project_manager):
    attach(criterion, project_manager, "case.pdf")
    html = (
        client_for(project_manager)
        .get(reverse("governance:gate-detail", args=[gate.project.code, gate.pk]))
        .content.decode()
    )
    row = html.split(f'id="criterion-{criterion.pk}"', 1)[1].split("</li>\n", 1)[0]
    assert "case.pdf" in row
    assert _url("attachment-download", "gate-criterion", criterion.pk, criterion_attachment(criterion).pk) in row
    assert _url("attachments", "gate-criterion", criterion.pk) in html
    assert "Attach evidence" in html  # the other criterion has none yet


def criterion_attachment(criterion):
    return Attachment.objects.get(object_id=criterion.pk, content_type__model="gatecriterion")


def test_tick_response_row_keeps_its_evidence(client_for, gate, criterion, project_manager):
    attach(criterion, project_manager, "case.pdf")
    response = client_for(project_manager).post(
        reverse("governance:criterion-tick", args=[gate.project.code, criterion.pk]),
        {"met": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "case.pdf" in response.content.decode()


def test_approval_confirmation_lists_the_evidence_it_freezes(client_for, gate, criterion, project_manager, owner):
    attach(criterion, project_manager, "case.pdf")
    attach(gate, project_manager, "minutes.pdf")
    for c in gate.criteria.all():
        governance.gate_criterion_tick(actor=project_manager, criterion=c, met=True)
    client = client_for(owner)
    url = reverse("governance:gate-decide", args=[gate.project.code, gate.pk])
    html = client.post(url, {"decision": "approve"}).content.decode()
    assert "Evidence that approval freezes (2 files)" in html
    assert "case.pdf" in html
    assert "minutes.pdf" in html
    assert "Business case approved" in html
    assert 'name="confirm" value="1"' in html  # asked, not done
    gate.refresh_from_db()
    assert gate.decision == "pending"
    # Deferring freezes nothing, so it lists nothing.
    deferral = client.post(url, {"decision": "defer", "notes": "Later"}).content.decode()
    assert "Evidence that approval freezes" not in deferral
    client.post(url, {"decision": "approve", "confirm": "1"})
    gate.refresh_from_db()
    assert gate.decision == "approved"
    after = client.get(reverse("governance:gate-detail", args=[gate.project.code, gate.pk])).content.decode()
    assert "case.pdf" in after
    assert "Attach evidence" not in after


# -- query counts ---------------------------------------------------------------------------------


def _count_queries(client, url, **kwargs) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **kwargs).status_code == 200
    return len(queries)


def test_attachment_list_queries_do_not_grow_with_files(client_for, criterion, owner):
    client = client_for(owner)
    url = _url("attachments", "gate-criterion", criterion.pk)
    for _ in range(2):
        AttachmentFactory(target=criterion, versions=2)
    few = _count_queries(client, url)
    fragment_few = _count_queries(client, url, headers={"HX-Request": "true"})
    for _ in range(10):
        AttachmentFactory(target=criterion, versions=3)
    assert _count_queries(client, url) == few
    assert _count_queries(client, url, headers={"HX-Request": "true"}) == fragment_few


def test_gate_page_queries_do_not_grow_with_evidence(client_for, gate, owner):
    client = client_for(owner)
    url = reverse("governance:gate-detail", args=[gate.project.code, gate.pk])
    for c in gate.criteria.all():
        AttachmentFactory(target=c)
    few = _count_queries(client, url)
    for c in gate.criteria.all():
        for _ in range(5):
            AttachmentFactory(target=c, versions=2)
    assert _count_queries(client, url) == few
