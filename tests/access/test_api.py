"""/api/v1/users/, /api/v1/invitations/ and the membership rule: scoped to the portfolios the
requester administers; people outside them are 404 or "does not exist"."""

import pytest
from django.urls import reverse

from access.models import Invitation
from core.models import AuditEntry
from core.services import api_token_create
from portfolio.models import Membership
from tests.factories.portfolio import MembershipFactory
from tests.factories.users import UserFactory

Role = Membership.Role


@pytest.fixture
def admin(portfolio):
    user = UserFactory(username="padmin")
    MembershipFactory(user=user, role=Role.PORTFOLIO_ADMIN, portfolio=portfolio)
    return user


def api(client, method, path, **data):
    return getattr(client, method)(f"/api/v1/{path}", data=data or None, content_type="application/json")


class TestUsers:
    def test_admin_lists_people_in_the_portfolio_only(self, client_for, admin, member, outsider):
        response = api(client_for(admin), "get", "users/")
        assert response.status_code == 200
        names = {row["username"] for row in response.json()["results"]}
        assert names == {"padmin", "member"}
        row = next(r for r in response.json()["results"] if r["username"] == "member")
        assert [(m["role"], m["scope_kind"], m["sso_managed"]) for m in row["memberships"]] == [
            ("team_member", "project", False)
        ]
        assert api(client_for(admin), "get", f"users/{outsider.pk}/").status_code == 404

    def test_non_admin_sees_nobody(self, client_for, owner, member):
        response = api(client_for(owner), "get", "users/")
        assert response.json()["results"] == []
        assert api(client_for(owner), "get", f"users/{member.pk}/").status_code == 404
        assert api(client_for(owner), "post", f"users/{member.pk}/deactivate/").status_code == 404

    def test_deactivate_refuses_the_token_and_audits(self, client_for, client, admin, member):
        _, secret = api_token_create(user=member, name="sync")
        assert client.get("/api/v1/me/", headers={"authorization": f"Bearer {secret}"}).status_code == 200
        response = api(client_for(admin), "post", f"users/{member.pk}/deactivate/")
        assert response.status_code == 200
        assert response.json()["is_active"] is False
        assert client.get("/api/v1/me/", headers={"authorization": f"Bearer {secret}"}).status_code == 401
        assert AuditEntry.objects.filter(object_type="auth.user", object_id=str(member.pk), actor=admin).exists()
        assert api(client_for(admin), "post", f"users/{member.pk}/reactivate/").json()["is_active"] is True

    def test_deactivating_self_is_400_naming_the_field(self, client_for, admin):
        response = api(client_for(admin), "post", f"users/{admin.pk}/deactivate/")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "user"

    def test_list_query_count_does_not_grow(self, client_for, admin, project, django_assert_max_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = client_for(admin)
        MembershipFactory(user=UserFactory(), role=Role.TEAM_MEMBER, project=project)
        with CaptureQueriesContext(connection) as few:
            api(client, "get", "users/")
        for _ in range(10):
            MembershipFactory(user=UserFactory(), role=Role.TEAM_MEMBER, project=project)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert api(client, "get", "users/").status_code == 200


class TestInvitations:
    def test_create_list_withdraw(self, client_for, admin, project, mailoutbox, django_capture_on_commit_callbacks):
        client = client_for(admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = api(
                client, "post", "invitations/", email="new@example.com", role="team_member", project=project.pk
            )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "open"
        assert "nonce" not in body
        assert len(mailoutbox) == 1
        assert [r["email"] for r in api(client, "get", "invitations/").json()["results"]] == ["new@example.com"]
        assert api(client, "delete", f"invitations/{body['id']}/").status_code == 204
        assert Invitation.objects.get().revoked_at is not None

    def test_scope_outside_the_admins_portfolios_does_not_exist(self, client_for, admin, outsider):
        other = Membership.objects.get(user=outsider).program
        response = api(
            client_for(admin), "post", "invitations/", email="x@example.com", role="team_member", program=other.pk
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "program"

    def test_program_manager_cannot_invite(self, client_for, owner, program):
        response = api(
            client_for(owner), "post", "invitations/", email="x@example.com", role="team_member", program=program.pk
        )
        assert response.status_code == 400
        assert not Invitation.objects.exists()

    def test_outsider_sees_no_invitation(self, client_for, admin, outsider, project):
        from access.services import invitation_create

        invitation = invitation_create(
            actor=admin, email="x@example.com", role="team_member", scope=project, send=False
        )
        assert api(client_for(outsider), "get", f"invitations/{invitation.pk}/").status_code == 404


class TestMembershipsNameOnlyPeopleInReach:
    def test_admin_cannot_grant_to_someone_outside_the_portfolio(self, client_for, admin, project, outsider):
        response = api(
            client_for(admin), "post", "memberships/", user=outsider.pk, role="team_member", project=project.pk
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "user"
        stranger = UserFactory()
        unknown = api(
            client_for(admin), "post", "memberships/", user=stranger.pk, role="team_member", project=project.pk
        )
        missing = api(client_for(admin), "post", "memberships/", user=999999, role="team_member", project=project.pk)
        # The same words for an account that exists elsewhere and one that does not exist.
        assert unknown.json()["errors"][0]["message"].replace(str(stranger.pk), "N") == missing.json()["errors"][0][
            "message"
        ].replace("999999", "N")

    def test_program_manager_keeps_managing_program_memberships(self, client_for, owner, program, member):
        response = api(
            client_for(owner), "post", "memberships/", user=member.pk, role="team_member", program=program.pk
        )
        assert response.status_code == 201, response.json()
        assert reverse("api:membership-detail", args=[response.json()["id"]])
