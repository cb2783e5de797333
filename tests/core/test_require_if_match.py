"""KEEL_REQUIRE_IF_MATCH (issue 12, defect 9): off by default (a write without If-Match applies
to the current version); on, PUT, PATCH and DELETE of a versioned record need If-Match (428)."""

import pytest

from projects.models import Project


@pytest.mark.django_db
class TestRequireIfMatch:
    def url(self, project):
        return f"/api/v1/projects/{project.pk}/"

    def test_off_by_default_a_patch_without_if_match_applies(self, api_for, owner, project, settings):
        assert settings.KEEL_REQUIRE_IF_MATCH is False
        response = api_for(owner).patch(self.url(project), {"name": "Renamed"}, format="json")
        assert response.status_code == 200

    @pytest.mark.parametrize("method", ["patch", "put", "delete"])
    def test_on_a_write_without_if_match_is_428_with_a_json_message(self, api_for, owner, project, settings, method):
        settings.KEEL_REQUIRE_IF_MATCH = True
        client = api_for(owner)
        body = client.get(self.url(project)).json()
        response = getattr(client, method)(self.url(project), body if method == "put" else {"name": "X"}, format="json")
        assert response.status_code == 428
        assert "If-Match" in response.json()["detail"]
        project.refresh_from_db()
        assert project.name == "ERP replacement"
        assert Project.objects.filter(pk=project.pk).exists()

    def test_on_a_patch_with_the_current_etag_applies_and_a_stale_one_is_412(self, api_for, owner, project, settings):
        settings.KEEL_REQUIRE_IF_MATCH = True
        client = api_for(owner)
        etag = client.get(self.url(project))["ETag"]
        ok = client.patch(self.url(project), {"name": "Renamed"}, format="json", HTTP_IF_MATCH=etag)
        assert ok.status_code == 200
        stale = client.patch(self.url(project), {"name": "Again"}, format="json", HTTP_IF_MATCH=etag)
        assert stale.status_code == 412

    def test_on_reads_are_unaffected(self, api_for, owner, project, settings):
        settings.KEEL_REQUIRE_IF_MATCH = True
        assert api_for(owner).get(self.url(project)).status_code == 200
