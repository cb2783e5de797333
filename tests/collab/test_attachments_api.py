"""Attachments over REST, /api/v1/collab/{slug}/{target_pk}/attachments/: the same rules as the
pages (404 for outsiders, 403 for readers writing, 400 naming `file` for refused files with nothing
stored), multipart uploads, streamed downloads, documented in the schema, fixed query counts."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collab.models import Attachment
from governance import services as governance
from tests.conftest import stored_files
from tests.factories.collab import AttachmentFactory, attach, exe_bytes, pdf_bytes, svg_bytes, upload

pytestmark = pytest.mark.usefixtures("media_storage")


@pytest.fixture
def gate(project, project_manager):
    project.phase = "initiation"
    project.save()
    return governance.stage_gate_create(
        actor=project_manager, project=project, to_phase="planning", criteria=["Business case approved"]
    )


@pytest.fixture
def criterion(gate):
    return gate.criteria.get()


def base(slug, pk) -> str:
    return f"/api/v1/collab/{slug}/{pk}/attachments/"


def test_project_manager_uploads_evidence_and_reads_it_back(api_for, criterion, project_manager):
    api = api_for(project_manager)
    url = base("gate-criterion", criterion.pk)
    response = api.post(url, {"file": upload("case.pdf", pdf_bytes("v1"))}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["target_type"], body["target_id"]) == ("case.pdf", "gate-criterion", criterion.pk)
    assert body["latest"]["number"] == 1
    assert body["latest"]["content_type"] == "application/pdf"
    assert body["uploaded_by_username"] == "pm"
    assert body["download_url"] == f"http://testserver{url}{body['id']}/download/"

    again = api.post(url, {"file": upload("case.pdf", pdf_bytes("v2"))}, format="multipart")
    assert again.status_code == 201
    assert [v["number"] for v in again.json()["versions"]] == [2, 1]
    same = api.post(url, {"file": upload("case.pdf", pdf_bytes("v2"))}, format="multipart")
    assert same.status_code == 200
    assert same.json()["latest"]["number"] == 2

    listing = api.get(url).json()
    assert listing["count"] == 1
    assert listing["results"][0]["versions"][1]["download_url"].endswith("download/?version=1")
    assert api.get(f"{url}{body['id']}/").json()["name"] == "case.pdf"


def test_download_streams_with_attachment_headers(api_for, criterion, project_manager, executive):
    content = pdf_bytes("signed")
    a = attach(criterion, project_manager, "Prüfbericht.pdf", content).attachment
    response = api_for(executive).get(f"{base('gate-criterion', criterion.pk)}{a.pk}/download/")
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Pr%C3%BCfbericht.pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_download_answers_any_accept_header_and_earlier_versions(api_for, criterion, project_manager):
    attach(criterion, project_manager, "case.pdf", pdf_bytes("v1"))
    a = attach(criterion, project_manager, "case.pdf", pdf_bytes("v2")).attachment
    api = api_for(project_manager)
    url = f"{base('gate-criterion', criterion.pk)}{a.pk}/download/"
    response = api.get(url, {"version": 1}, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes("v1")
    missing = api.get(url, {"version": 9}, HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Not found."


def test_outsider_gets_404_for_list_read_upload_download_and_delete(api_for, criterion, project_manager, outsider):
    a = attach(criterion, project_manager, "case.pdf").attachment
    api = api_for(outsider)
    url = base("gate-criterion", criterion.pk)
    assert api.get(url).status_code == 404
    assert api.get(f"{url}{a.pk}/").status_code == 404
    assert api.get(f"{url}{a.pk}/download/").status_code == 404
    assert api.delete(f"{url}{a.pk}/").status_code == 404
    assert api.post(url, {"file": upload("x.pdf", pdf_bytes())}, format="multipart").status_code == 404
    assert Attachment.objects.filter(deleted_at__isnull=True).count() == 1


def test_anonymous_is_refused(api_for, criterion):
    assert api_for(None).get(base("gate-criterion", criterion.pk)).status_code in (401, 403)


def test_reader_may_list_but_not_upload_or_delete(api_for, criterion, project_manager, member, media_storage):
    a = attach(criterion, project_manager, "case.pdf").attachment
    api = api_for(member)
    url = base("gate-criterion", criterion.pk)
    assert api.get(url).json()["count"] == 1
    refused = api.post(url, {"file": upload("mine.pdf", pdf_bytes())}, format="multipart")
    assert refused.status_code == 403
    assert "attach" in refused.json()["detail"]
    assert api.delete(f"{url}{a.pk}/").status_code == 403
    assert len(stored_files(media_storage)) == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [("invoice.pdf", exe_bytes()), ("chart.png", svg_bytes()), ("chart.svg", svg_bytes())],
    ids=["exe as pdf", "svg as png", "svg"],
)
def test_disguised_upload_is_400_naming_the_file_with_nothing_stored(
    api_for, criterion, project_manager, media_storage, name, content
):
    response = api_for(project_manager).post(
        base("gate-criterion", criterion.pk), {"file": upload(name, content)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert name in response.json()["errors"][0]["message"]
    assert stored_files(media_storage) == []
    assert Attachment.objects.count() == 0


def test_oversized_upload_is_400_with_nothing_stored(api_for, criterion, project_manager, media_storage, settings):
    settings.ATTACHMENT_MAX_BYTES = 512
    response = api_for(project_manager).post(
        base("gate-criterion", criterion.pk), {"file": upload("big.pdf", pdf_bytes("x" * 1000))}, format="multipart"
    )
    assert response.status_code == 400
    assert "larger than" in response.json()["detail"]
    assert stored_files(media_storage) == []
    assert Attachment.objects.count() == 0


def test_missing_file_and_json_bodies_are_400_or_415(api_for, criterion, project_manager):
    api = api_for(project_manager)
    url = base("gate-criterion", criterion.pk)
    missing = api.post(url, {}, format="multipart")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "file"
    assert api.post(url, {"file": "x"}, format="json").status_code == 415


def test_delete_by_the_uploader_and_frozen_after_approval(api_for, gate, criterion, project_manager, owner):
    api = api_for(project_manager)
    url = base("gate-criterion", criterion.pk)
    first = attach(criterion, project_manager, "draft.pdf").attachment
    kept = attach(criterion, project_manager, "case.pdf").attachment
    assert api.delete(f"{url}{first.pk}/").status_code == 204
    assert api.get(f"{url}{first.pk}/").status_code == 404

    governance.gate_criterion_tick(actor=owner, criterion=criterion, met=True)
    owner_api = api_for(owner)
    approved = owner_api.post(f"/api/v1/stage-gates/{gate.pk}/decide/", {"decision": "approve"}, format="json")
    assert approved.status_code == 200, approved.content

    late = owner_api.post(url, {"file": upload("late.pdf", pdf_bytes())}, format="multipart")
    assert late.status_code == 400
    assert "evidence is frozen" in late.json()["detail"]
    frozen = owner_api.delete(f"{url}{kept.pk}/")
    assert frozen.status_code == 400
    assert "evidence is frozen" in frozen.json()["detail"]
    assert [r["name"] for r in owner_api.get(url).json()["results"]] == ["case.pdf"]


def test_unknown_kind_and_bad_ids_are_404_and_unknown_parameters_400(api_for, owner, criterion):
    api = api_for(owner)
    assert api.get("/api/v1/collab/membership/1/attachments/").status_code == 404
    assert api.get(base("gate-criterion", 10**30)).status_code == 404
    assert api.get(f"{base('gate-criterion', criterion.pk)}abc/").status_code == 404
    assert api.get(base("gate-criterion", criterion.pk), {"colour": "red"}).status_code == 400


def test_schema_documents_the_nested_resource_and_its_download(client):
    paths = yaml.safe_load(client.get("/api/v1/schema/").content)["paths"]
    listing = paths["/api/v1/collab/{slug}/{target_pk}/attachments/"]
    assert set(listing) == {"get", "post"}
    assert "multipart/form-data" in listing["post"]["requestBody"]["content"]
    assert set(paths["/api/v1/collab/{slug}/{target_pk}/attachments/{id}/"]) == {"get", "delete"}
    download = paths["/api/v1/collab/{slug}/{target_pk}/attachments/{id}/download/"]["get"]
    assert download["responses"]["200"]["content"]["application/octet-stream"]["schema"]["format"] == "binary"
    slug = next(p for p in listing["get"]["parameters"] if p["name"] == "slug")
    assert "gate-criterion" in slug["schema"]["enum"]


def _queries(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_attachments_or_versions(api_for, criterion, executive):
    api = api_for(executive)
    url = base("gate-criterion", criterion.pk)
    for _ in range(3):
        AttachmentFactory(target=criterion, versions=2)
    few = _queries(api, url)
    for _ in range(12):
        AttachmentFactory(target=criterion, versions=3)
    assert _queries(api, url) == few
    assert few <= 8
