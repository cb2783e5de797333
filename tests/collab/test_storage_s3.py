"""Attachments through an S3-compatible store: the storage Keel builds from KEEL_STORAGE=s3 and its
variables, pointed at moto's S3 server on a free port, carries uploads (private objects under
Keel's own keys), streamed downloads and refusals (nothing stored) exactly as the local folder
does."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from django.urls import reverse

from collab.models import Attachment
from governance import services as governance
from tests.conftest import free_port
from tests.factories.collab import attach, html_bytes, pdf_bytes, upload

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
KEYS = {"AWS_ACCESS_KEY_ID": "keel-test", "AWS_SECRET_ACCESS_KEY": "keel-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def settings_from_environment(tmp_path, **env) -> subprocess.CompletedProcess:
    """Start Keel's settings in a fresh process with `env` (and nothing else Keel reads) and print
    the default storage they configure."""
    keep = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))",
        ],
        cwd=REPO,
        env={**keep, "KEEL_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def s3_settings(s3_endpoint, tmp_path_factory):
    """STORAGES["default"] exactly as settings.py builds it from the environment for this bucket."""
    bucket = f"keel-{uuid.uuid4().hex[:12]}"
    result = settings_from_environment(
        tmp_path_factory.mktemp("s3-settings"),
        KEEL_STORAGE="s3",
        KEEL_S3_BUCKET=bucket,
        KEEL_S3_ENDPOINT_URL=s3_endpoint,
        KEEL_S3_REGION=REGION,
        KEEL_S3_PREFIX="keel",
        KEEL_S3_ADDRESSING_STYLE="path",
        **KEYS,
    )
    assert result.returncode == 0, result.stderr
    return bucket, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def s3(s3_endpoint, s3_settings, settings):
    """Keel's default storage swapped to the S3 fake for this test; the boto3 client and bucket
    are returned to look inside it."""
    bucket, default = s3_settings
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "default": default}
    yield client, bucket
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


def keys(client, bucket) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


@pytest.fixture
def criterion(project, project_manager):
    project.phase = "initiation"
    project.save()
    gate = governance.stage_gate_create(actor=project_manager, project=project, to_phase="planning", criteria=["Ready"])
    return gate.criteria.get()


def test_settings_build_a_private_s3_storage_from_the_environment(s3_settings, s3_endpoint):
    bucket, default = s3_settings
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (bucket, s3_endpoint, REGION)
    assert (options["location"], options["addressing_style"], options["default_acl"]) == ("keel", "path", "private")
    assert (options["access_key"], options["secret_key"]) == (KEYS["AWS_ACCESS_KEY_ID"], KEYS["AWS_SECRET_ACCESS_KEY"])
    assert options["file_overwrite"] is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KEEL_STORAGE": "s3"}, "KEEL_STORAGE=s3 needs KEEL_S3_BUCKET"),
        ({"KEEL_STORAGE": "ftp"}, "KEEL_STORAGE='ftp' is not one of: local, s3."),
        ({"KEEL_STORAGE": "s3", "KEEL_S3_BUCKET": "b", "KEEL_S3_ADDRESSING_STYLE": "odd"}, "KEEL_S3_ADDRESSING_STYLE"),
        ({"KEEL_ATTACHMENT_MAX_MB": "0"}, "KEEL_ATTACHMENT_MAX_MB must be at least 1"),
    ],
    ids=["no bucket", "unknown backend", "bad addressing style", "no size"],
)
def test_a_bad_storage_setting_stops_start_up_naming_the_variable(tmp_path, env, message):
    result = settings_from_environment(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_default_is_a_local_folder_under_the_data_dir(tmp_path):
    result = settings_from_environment(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_upload_and_download_through_s3(s3, client_for, criterion, project_manager, owner):
    client_s3, bucket = s3
    first = attach(criterion, project_manager, "case.pdf", pdf_bytes("v1"))
    second = attach(criterion, project_manager, "case.pdf", pdf_bytes("v2"))

    stored = keys(client_s3, bucket)
    assert stored == sorted(f"keel/{v.file.name}" for v in (first.version, second.version))
    assert all(key.startswith(f"keel/attachments/{first.attachment.program_id}/") for key in stored)
    body = client_s3.get_object(Bucket=bucket, Key=f"keel/{second.version.file.name}")["Body"].read()
    assert body == pdf_bytes("v2")
    # Private: no grant to everyone or to any authenticated AWS user.
    grants = client_s3.get_object_acl(Bucket=bucket, Key=stored[0])["Grants"]
    assert [g for g in grants if "URI" in g["Grantee"]] == []

    url = reverse("collab:attachment-download", args=["gate-criterion", criterion.pk, first.attachment.pk])
    response = client_for(owner).get(url)
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == pdf_bytes("v2")
    assert response["Content-Disposition"] == 'attachment; filename="case.pdf"'
    assert b"".join(client_for(owner).get(url, {"version": 1}).streaming_content) == pdf_bytes("v1")


def test_refused_upload_leaves_the_bucket_empty(s3, client_for, criterion, project_manager):
    client_s3, bucket = s3
    response = client_for(project_manager).post(
        reverse("collab:attachment-upload", args=["gate-criterion", criterion.pk]),
        {"file": upload("invoice.pdf", html_bytes())},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert keys(client_s3, bucket) == []
    assert Attachment.objects.count() == 0


def test_api_upload_and_download_through_s3(s3, api_for, criterion, project_manager):
    client_s3, bucket = s3
    api = api_for(project_manager)
    url = f"/api/v1/collab/gate-criterion/{criterion.pk}/attachments/"
    created = api.post(url, {"file": upload("minutes.pdf", pdf_bytes("minutes"))}, format="multipart")
    assert created.status_code == 201, created.content
    assert len(keys(client_s3, bucket)) == 1
    response = api.get(created.json()["download_url"])
    assert b"".join(response.streaming_content) == pdf_bytes("minutes")
