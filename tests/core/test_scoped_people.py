"""Only members of the scope may be named project manager or risk owner over the API (issue 12,
defect 7): anyone else gets the same error as an id that does not exist, so the API cannot be
used to learn which accounts exist."""

import pytest

from tests.factories.users import UserFactory


@pytest.mark.django_db
class TestProjectManager:
    def test_someone_outside_the_scope_is_refused_like_an_unknown_id(self, api_for, owner, project, outsider):
        client = api_for(owner)
        url = f"/api/v1/projects/{project.pk}/"
        refused = client.patch(url, {"manager": outsider.pk}, format="json")
        unknown = client.patch(url, {"manager": 999_999}, format="json")
        assert refused.status_code == unknown.status_code == 400
        [error] = refused.json()["errors"]
        assert error["field"] == "manager"
        assert error["message"] == f'Invalid pk "{outsider.pk}" - object does not exist.'
        assert unknown.json()["errors"][0]["message"] == 'Invalid pk "999999" - object does not exist.'

    def test_a_member_of_the_scope_may_be_named(self, api_for, owner, project, member):
        response = api_for(owner).patch(f"/api/v1/projects/{project.pk}/", {"manager": member.pk}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["manager"] == member.pk

    def test_a_user_without_any_role_is_refused(self, api_for, owner, project):
        loner = UserFactory(username="loner")
        response = api_for(owner).patch(f"/api/v1/projects/{project.pk}/", {"manager": loner.pk}, format="json")
        assert response.status_code == 400


@pytest.mark.django_db
class TestRiskOwner:
    def payload(self, project, owner_id):
        return {
            "project": project.pk,
            "title": "Supplier late",
            "category": "technical",
            "probability": 3,
            "impact": 3,
            "owner": owner_id,
        }

    def test_someone_outside_the_scope_is_refused(self, api_for, owner, project, outsider):
        response = api_for(owner).post("/api/v1/risks/", self.payload(project, outsider.pk), format="json")
        assert response.status_code == 400, response.json()
        assert {e["field"] for e in response.json()["errors"]} == {"owner"}

    def test_a_member_of_the_scope_may_own_it(self, api_for, owner, project, member):
        response = api_for(owner).post("/api/v1/risks/", self.payload(project, member.pk), format="json")
        assert response.status_code == 201, response.json()
