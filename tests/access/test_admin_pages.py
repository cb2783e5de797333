"""User administration pages: who may reach them, what they show, and that each change is
audited and asked for first when destructive."""

import pytest
from django.urls import reverse

from access import services
from core.models import ApiToken, AuditEntry
from core.services import api_token_create
from portfolio.models import Membership
from tests.factories.portfolio import MembershipFactory
from tests.factories.projects import ProjectFactory
from tests.factories.users import UserFactory

Role = Membership.Role


@pytest.fixture
def admin(portfolio):
    user = UserFactory(username="padmin")
    MembershipFactory(user=user, role=Role.PORTFOLIO_ADMIN, portfolio=portfolio)
    return user


def scope_url(kind, code):
    return reverse("access:scope", args=[kind, code])


class TestWhoReachesThePages:
    @pytest.mark.parametrize("who", ["owner", "project_manager", "member", "executive", "outsider"])
    def test_non_admins_get_404(self, request, who, client_for, project, member):
        client = client_for(request.getfixturevalue(who))
        for url in (
            reverse("access:people"),
            reverse("access:invite"),
            scope_url("portfolio", "CORP"),
            scope_url("project", project.code),
            reverse("access:person", args=[member.pk]),
        ):
            assert client.get(url).status_code == 404, url

    def test_admin_of_another_portfolio_gets_404_here(self, client_for, outsider, project, member):
        other_admin = UserFactory()
        other = Membership.objects.get(user=outsider).program.portfolio
        MembershipFactory(user=other_admin, role=Role.PORTFOLIO_ADMIN, portfolio=other)
        client = client_for(other_admin)
        assert client.get(scope_url("portfolio", "CORP")).status_code == 404
        assert client.get(scope_url("project", project.code)).status_code == 404
        assert client.get(reverse("access:person", args=[member.pk])).status_code == 404
        membership = Membership.objects.get(user=member)
        assert client.get(reverse("access:membership-revoke", args=[membership.pk])).status_code == 404
        assert client.post(reverse("access:person-deactivate", args=[member.pk])).status_code == 404
        member.refresh_from_db()
        assert member.is_active

    def test_people_outside_the_portfolio_are_invisible(self, client_for, admin, member, outsider):
        client = client_for(admin)
        page = client.get(reverse("access:people")).content.decode()
        assert "member" in page
        assert "outsider" not in page
        assert client.get(reverse("access:person", args=[outsider.pk])).status_code == 404

    def test_profile_links_admins_to_the_pages(self, client_for, admin, member):
        assert reverse("access:people") in client_for(admin).get(reverse("core:profile")).content.decode()
        assert reverse("access:people") not in client_for(member).get(reverse("core:profile")).content.decode()


class TestScopePage:
    def test_project_page_shows_direct_and_inherited_roles(self, client_for, admin, project, member, owner, executive):
        response = client_for(admin).get(scope_url("project", project.code))
        assert response.status_code == 200
        rows = {row.user.username: row for row in response.context["rows"]}
        assert [m.role for m in rows["member"].direct] == [Role.TEAM_MEMBER]
        assert rows["member"].inherited == []
        assert rows["owner"].direct == []
        assert [(m.role, m.scope_kind) for m in rows["owner"].inherited] == [(Role.PROGRAM_MANAGER, "program")]
        assert [(m.role, m.scope_kind) for m in rows["exec"].inherited] == [(Role.EXECUTIVE, "portfolio")]
        assert [(m.role, m.scope_kind) for m in rows["padmin"].inherited] == [(Role.PORTFOLIO_ADMIN, "portfolio")]
        assert "from program <a" in response.content.decode()

    def test_grant_writes_the_membership_and_an_audit_entry(self, client_for, admin, project, member):
        response = client_for(admin).post(
            scope_url("project", project.code), {"user": member.pk, "role": Role.PROJECT_MANAGER}
        )
        assert response.status_code == 302
        granted = Membership.objects.get(user=member, role=Role.PROJECT_MANAGER, project=project)
        entry = AuditEntry.objects.get(object_type="portfolio.membership", object_id=str(granted.pk))
        assert entry.actor == admin
        assert entry.action == AuditEntry.Action.CREATE

    def test_grant_refuses_someone_outside_the_portfolio(self, client_for, admin, project, outsider):
        response = client_for(admin).post(
            scope_url("project", project.code), {"user": outsider.pk, "role": Role.TEAM_MEMBER}
        )
        assert response.status_code == 400
        assert "user" in response.context["form"].errors
        assert not Membership.objects.filter(user=outsider, project=project).exists()

    def test_grant_twice_names_the_field(self, client_for, admin, project, member):
        response = client_for(admin).post(
            scope_url("project", project.code), {"user": member.pk, "role": Role.TEAM_MEMBER}
        )
        assert response.status_code == 400
        assert "already holds" in str(response.context["form"].errors["role"])

    def test_page_takes_the_same_queries_for_more_people(
        self, client_for, admin, project, django_assert_max_num_queries
    ):
        client = client_for(admin)
        url = scope_url("project", project.code)
        MembershipFactory(user=UserFactory(), role=Role.TEAM_MEMBER, project=project)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for _ in range(8):
            MembershipFactory(user=UserFactory(), role=Role.TEAM_MEMBER, project=project)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).status_code == 200


class TestRevoke:
    def test_get_shows_what_changes_and_post_revokes(self, client_for, admin, project, member):
        membership = Membership.objects.get(user=member, project=project)
        url = reverse("access:membership-revoke", args=[membership.pk])
        client = client_for(admin)
        page = client.get(url)
        assert page.status_code == 200
        assert "last role in your portfolios" in page.content.decode()
        assert Membership.objects.filter(pk=membership.pk).exists()  # nothing happens on GET
        response = client.post(url)
        assert response.status_code == 302
        assert not Membership.objects.filter(pk=membership.pk).exists()
        entry = AuditEntry.objects.get(object_type="portfolio.membership", object_id=str(membership.pk))
        assert (entry.action, entry.actor) == (AuditEntry.Action.DELETE, admin)

    def test_sso_managed_role_is_not_revoked_by_hand(self, client_for, admin, project, member):
        from access.models import SsoMembership

        membership = Membership.objects.get(user=member, project=project)
        SsoMembership.objects.create(membership=membership, group="erp-team")
        response = client_for(admin).post(reverse("access:membership-revoke", args=[membership.pk]))
        assert response.status_code == 400
        assert "erp-team" in response.content.decode()
        assert Membership.objects.filter(pk=membership.pk).exists()


class TestDeactivate:
    def test_confirmation_then_sign_in_session_and_token_refused(self, client_for, admin, member, client):
        token, secret = api_token_create(user=member, name="ledger")
        member_client = client_for(member)
        assert member_client.get(reverse("portfolio:home")).status_code == 200
        url = reverse("access:person-deactivate", args=[member.pk])
        admin_client = client_for(admin)
        page = admin_client.get(url).content.decode()
        assert "API token" in page
        assert "Deactivate member" in page
        member.refresh_from_db()
        assert member.is_active  # asking changes nothing

        assert admin_client.post(url).status_code == 302
        member.refresh_from_db()
        assert not member.is_active
        entry = AuditEntry.objects.get(object_type="auth.user", object_id=str(member.pk))
        assert entry.changes == {"is_active": ["True", "False"]}
        assert entry.actor == admin
        # The open session is over, the token refused, and the password no longer signs in.
        assert member_client.get(reverse("portfolio:home")).status_code == 302
        api = client.get("/api/v1/me/", headers={"authorization": f"Bearer {secret}"})
        assert api.status_code == 401
        assert ApiToken.objects.get(pk=token.pk).revoked_at is None  # kept for a reactivation
        from tests.factories.users import PASSWORD

        signed = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
        assert signed.status_code == 200  # the form again, with an error
        assert client.get("/api/v1/me/").status_code in (401, 403)

    def test_reactivate_restores_sign_in(self, client_for, admin, member, client):
        services.user_deactivate(actor=admin, person=member)
        assert client_for(admin).post(reverse("access:person-reactivate", args=[member.pk])).status_code == 302
        member.refresh_from_db()
        assert member.is_active

    def test_refused_when_the_person_has_roles_elsewhere(self, client_for, admin, member):
        elsewhere = ProjectFactory()
        MembershipFactory(user=member, role=Role.TEAM_MEMBER, project=elsewhere)
        client = client_for(admin)
        url = reverse("access:person-deactivate", args=[member.pk])
        assert "outside the portfolios you administer" in client.get(url).content.decode()
        assert client.post(url).status_code == 400
        member.refresh_from_db()
        assert member.is_active

    def test_cannot_deactivate_self(self, client_for, admin):
        assert client_for(admin).post(reverse("access:person-deactivate", args=[admin.pk])).status_code == 400
        admin.refresh_from_db()
        assert admin.is_active


class TestPersonPage:
    def test_lists_roles_and_effective_access(self, client_for, admin, program, project, owner):
        MembershipFactory(user=owner, role=Role.TEAM_MEMBER, project=ProjectFactory(program=program, code="MOD-CRM"))
        response = client_for(admin).get(reverse("access:person", args=[owner.pk]))
        assert response.status_code == 200
        reach = {(r.kind, r.obj.code): r.roles for r in response.context["reach"]}
        assert reach[("program", "MOD")] == ["Program manager"]
        assert reach[("project", project.code)] == ["Program manager (program MOD)"]
        assert reach[("project", "MOD-CRM")] == ["Program manager (program MOD)", "Team member"]

    def test_people_list_query_count_does_not_grow(self, client_for, admin, project, django_assert_max_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = client_for(admin)
        MembershipFactory(user=UserFactory(), role=Role.TEAM_MEMBER, project=project)
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("access:people"))
        for _ in range(10):
            MembershipFactory(user=UserFactory(), role=Role.TEAM_MEMBER, project=project)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(reverse("access:people")).status_code == 200
