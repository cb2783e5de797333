"""Headers and exposure (issue 12, defect 7): a JSON body nested 50,000 deep is a 400, unmatched
API addresses and oversized bodies answer JSON, and pages for a signed-in user (the new token's
secret among them) are never stored by a cache."""

import pytest
from django.urls import reverse

DEEP = ("[" * 50_000 + "]" * 50_000).encode()


@pytest.mark.django_db
class TestApiErrorsAreJson:
    def test_a_deeply_nested_body_is_a_400(self, api_for, owner, project):
        response = api_for(owner).post("/api/v1/projects/", DEEP, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["detail"] == "JSON parse error - the body is nested too deeply."

    def test_a_deeply_nested_patch_is_a_400(self, api_for, owner, project):
        response = api_for(owner).patch(f"/api/v1/projects/{project.pk}/", DEEP, content_type="application/json")
        assert response.status_code == 400

    @pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/nowhere", "/api/v1/projects/1/nope/"])
    def test_an_unmatched_api_address_answers_json(self, api_for, owner, path, settings):
        settings.DEBUG = False
        response = api_for(owner).get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"status": 404, "detail": "Not found.", "errors": []}

    def test_an_oversized_body_answers_json(self, api_for, owner, project, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
        body = b'{"name": "' + b"x" * 500 + b'"}'
        response = api_for(owner).patch(f"/api/v1/projects/{project.pk}/", body, content_type="application/json")
        assert response.status_code == 413
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"] == "The request body is too large."

    def test_pages_outside_the_api_keep_their_html_404(self, client_for, owner):
        response = client_for(owner).get("/no-such-page/")
        assert response.status_code == 404
        assert "json" not in response["Content-Type"]


@pytest.mark.django_db
class TestNoStore:
    def test_a_signed_in_page_is_not_stored(self, client_for, owner, project):
        response = client_for(owner).get(reverse("projects:project-detail", args=["MOD-ERP"]))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]

    def test_the_page_showing_a_new_token_secret_is_not_stored(self, client_for, owner):
        response = client_for(owner).post(reverse("core:token-create"), {"name": "ci"})
        assert response.status_code == 201
        assert "no-store" in response["Cache-Control"]

    def test_the_api_read_with_a_session_is_not_stored(self, api_for, owner, project):
        assert "no-store" in api_for(owner).get("/api/v1/projects/")["Cache-Control"]
