"""Invitations: e-mailed through the configured mailer, a signed link that works once and
expires, and the role granted (audited) when accepted."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from access import services
from access.models import Invitation
from core.models import AuditEntry
from portfolio.models import Membership
from tests.factories.portfolio import MembershipFactory
from tests.factories.users import UserFactory

Role = Membership.Role
NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def admin(portfolio):
    user = UserFactory(username="padmin")
    MembershipFactory(user=user, role=Role.PORTFOLIO_ADMIN, portfolio=portfolio)
    return user


def invite(client, project, email="new.person@example.com", role=Role.TEAM_MEMBER):
    return client.post(reverse("access:invite"), {"email": email, "role": role, "scope": f"project:{project.code}"})


def link_in(mail) -> str:
    return re.search(r"http://\S+/invitations/\S+/", mail.body).group(0)


def path_of(url: str) -> str:
    """The path of the e-mailed (absolute) link; a path stays as it is."""
    return "/" + url.split("/", 3)[3] if url.startswith("http") else url


def accept_new(client, url, username="newbie"):
    return client.post(
        path_of(url),
        {
            "username": username,
            "first_name": "New",
            "last_name": "Person",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )


class TestInvite:
    def test_invite_mails_a_link_and_audits(
        self, client_for, admin, project, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = invite(client_for(admin), project)
        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role, invitation.project) == (
            "new.person@example.com",
            Role.TEAM_MEMBER,
            project,
        )
        assert [m.to for m in mailoutbox] == [["new.person@example.com"]]
        assert "Team member" in mailoutbox[0].subject
        assert link_in(mailoutbox[0])
        entry = AuditEntry.objects.get(object_type="access.invitation")
        assert entry.actor == admin

    def test_only_scopes_the_admin_administers(self, client_for, admin, outsider):
        other = Membership.objects.get(user=outsider).program
        response = client_for(admin).post(
            reverse("access:invite"),
            {"email": "x@example.com", "role": Role.TEAM_MEMBER, "scope": f"program:{other.code}"},
        )
        assert response.status_code == 400
        assert "scope" in response.context["form"].errors
        assert not Invitation.objects.exists()

    def test_withdraw_asks_then_stops_the_link(self, client_for, admin, project):
        invitation = services.invitation_create(
            actor=admin, email="x@example.com", role=Role.TEAM_MEMBER, scope=project, send=False
        )
        client = client_for(admin)
        url = reverse("access:invitation-revoke", args=[invitation.pk])
        assert client.get(url).status_code == 200
        assert Invitation.objects.get().is_open
        client.post(url)
        token = services.invitation_token(invitation)
        assert client.get(reverse("access:invitation-accept", args=[token])).status_code == 410


class TestAccept:
    def test_new_person_sets_a_password_and_gets_the_role(
        self, client, admin, project, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.invitation_create(
                actor=admin, email="new.person@example.com", role=Role.TEAM_MEMBER, scope=project
            )
        url = link_in(mailoutbox[0])
        assert client.get(path_of(url)).status_code == 200
        response = accept_new(client, url)
        assert response.status_code == 302
        user = get_user_model().objects.get(username="newbie")
        assert user.email == "new.person@example.com"
        assert user.check_password(NEW_PASSWORD)
        membership = Membership.objects.get(user=user)
        assert (membership.role, membership.project) == (Role.TEAM_MEMBER, project)
        grant = AuditEntry.objects.get(object_type="portfolio.membership", object_id=str(membership.pk))
        assert grant.actor == admin  # the inviter's decision
        assert Invitation.objects.get().accepted_by == user
        assert client.get(reverse("projects:project-detail", args=[project.code])).status_code == 200

    def test_link_works_once(self, client, admin, project):
        invitation = services.invitation_create(
            actor=admin, email="new.person@example.com", role=Role.TEAM_MEMBER, scope=project, send=False
        )
        url = reverse("access:invitation-accept", args=[services.invitation_token(invitation)])
        assert accept_new(client, url).status_code == 302
        client.logout()
        second = accept_new(client, url, username="another")
        assert second.status_code == 410
        assert "already been used" in second.content.decode()
        assert not get_user_model().objects.filter(username="another").exists()

    def test_expired_link_is_refused(self, client, admin, project, monkeypatch):
        invitation = services.invitation_create(
            actor=admin, email="new.person@example.com", role=Role.TEAM_MEMBER, scope=project, send=False
        )
        url = reverse("access:invitation-accept", args=[services.invitation_token(invitation)])
        # The signature's own age…
        later = signing.time.time() + 73 * 3600
        monkeypatch.setattr(signing.time, "time", lambda: later)
        response = client.get(url)
        assert response.status_code == 410
        assert "expired" in response.content.decode()
        monkeypatch.undo()
        # …and the stored expiry (shortened after sending).
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        assert client.get(url).status_code == 410
        assert accept_new(client, url).status_code == 410
        assert not get_user_model().objects.filter(username="newbie").exists()

    def test_tampered_link_is_404(self, client, admin, project):
        invitation = services.invitation_create(
            actor=admin, email="new.person@example.com", role=Role.TEAM_MEMBER, scope=project, send=False
        )
        token = services.invitation_token(invitation)
        forged = signing.dumps({"id": invitation.pk, "n": "guessed"}, salt=services.INVITATION_SALT)
        for bad in (token[:-2] + "xx", forged):
            assert client.get(reverse("access:invitation-accept", args=[bad])).status_code == 404

    def test_existing_account_accepts_while_signed_in(self, client_for, client, admin, project, outsider):
        invitation = services.invitation_create(
            actor=admin, email=outsider.email, role=Role.EXECUTIVE, scope=project, send=False
        )
        url = reverse("access:invitation-accept", args=[services.invitation_token(invitation)])
        # Anonymous: asked to sign in, no account form.
        page = client.get(url)
        assert "Sign in to accept" in page.content.decode()
        assert page.context["form"] is None
        # Signed in as someone else: refused.
        assert client_for(admin).post(url).status_code == 400
        assert client_for(outsider).post(url).status_code == 302
        assert Membership.objects.filter(user=outsider, role=Role.EXECUTIVE, project=project).exists()

    def test_weak_password_is_refused_with_the_field(self, client, admin, project):
        invitation = services.invitation_create(
            actor=admin, email="new.person@example.com", role=Role.TEAM_MEMBER, scope=project, send=False
        )
        url = reverse("access:invitation-accept", args=[services.invitation_token(invitation)])
        response = client.post(url, {"username": "newbie", "password1": "123", "password2": "123"})
        assert response.status_code == 400
        assert "password1" in response.context["form"].errors
        assert Invitation.objects.get().is_open
