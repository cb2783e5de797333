"""Single sign-on against a local fake OpenID Connect provider (tests/access/fake_oidc.py):
the whole code flow through Django's test client, the group → role mapping at each sign-in,
refusals of a bad state, nonce, signature or audience, and KEEL_PASSWORD_LOGIN=0."""

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from access import oidc
from access.models import SsoMembership
from config.env import oidc_role_map
from core.models import AuditEntry
from core.services import api_token_create
from portfolio.models import Membership
from tests.factories.portfolio import MembershipFactory
from tests.factories.users import PASSWORD, UserFactory

from .fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeProvider, _key

Role = Membership.Role
OIDC_BACKEND = "access.oidc.KeelOIDCBackend"
ROLE_MAP = "keel-admins=portfolio_admin@CORP;finance=finance_analyst@CORP;erp=team_member@project:MOD-ERP"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _sso_settings(provider, *, password_login=True, **extra):
    return override_settings(
        KEEL_SSO_ENABLED=True,
        KEEL_PASSWORD_LOGIN=password_login,
        KEEL_OIDC_ISSUER=provider.url,
        KEEL_OIDC_ROLE_MAP=oidc_role_map(ROLE_MAP),
        OIDC_RP_CLIENT_ID=CLIENT_ID,
        OIDC_RP_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_OP_AUTHORIZATION_ENDPOINT="",
        OIDC_OP_TOKEN_ENDPOINT="",
        OIDC_OP_USER_ENDPOINT="",
        OIDC_OP_JWKS_ENDPOINT="",
        # As config/settings.py builds it: django-axes first, the password backend only when on.
        AUTHENTICATION_BACKENDS=[
            "axes.backends.AxesStandaloneBackend",
            *(["django.contrib.auth.backends.ModelBackend"] if password_login else []),
            OIDC_BACKEND,
        ],
        **extra,
    )


@pytest.fixture
def provider(db, project):
    fake = FakeProvider().start()
    oidc._discovery.cache_clear()
    with _sso_settings(fake):
        yield fake
    fake.stop()
    oidc._discovery.cache_clear()


def authorize(client, next_url="/"):
    """Start at Keel, let the provider answer the authorization request; returns the callback
    query (code, state) the browser would bring back."""
    start = client.get(reverse("access:oidc-start"), {"next": next_url})
    assert start.status_code == 302
    assert start["Location"].startswith(oidc.oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT"))
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(start["Location"], timeout=5)
    assert redirect.value.code == 302
    back = redirect.value.headers["Location"]
    assert back.startswith("http://testserver/sso/callback/")
    return {k: v[-1] for k, v in parse_qs(urlsplit(back).query).items()}


def sign_in(client, **query_overrides):
    query = {**authorize(client), **query_overrides}
    return client.get(reverse("access:oidc-callback"), query)


def signed_in_user(client):
    response = client.get("/api/v1/me/")
    return response.json()["username"] if response.status_code == 200 else None


class TestSignIn:
    def test_first_sign_in_creates_the_user_with_the_mapped_role(self, client, provider, portfolio):
        response = sign_in(client)
        assert response.status_code == 302
        assert response["Location"] == "/"
        user = get_user_model().objects.get(email="ada@example.com")
        assert (user.username, user.first_name, user.last_name) == ("ada", "Ada", "Lovelace")
        assert not user.has_usable_password()
        membership = Membership.objects.get(user=user)
        assert (membership.role, membership.portfolio) == (Role.PORTFOLIO_ADMIN, portfolio)
        assert SsoMembership.objects.get(membership=membership).group == "keel-admins"
        assert AuditEntry.objects.filter(object_type="portfolio.membership", object_id=str(membership.pk)).exists()
        assert signed_in_user(client) == "ada"
        # PKCE was used: the token request carried the verifier the provider checked.
        assert provider.token_requests[-1]["code_verifier"]

    def test_existing_user_is_matched_by_email(self, client, provider):
        existing = UserFactory(username="ada.l", email="ADA@example.com")
        sign_in(client)
        assert signed_in_user(client) == "ada.l"
        assert get_user_model().objects.filter(email__iexact="ada@example.com").count() == 1
        assert Membership.objects.filter(user=existing, role=Role.PORTFOLIO_ADMIN).exists()

    def test_changed_groups_add_and_remove_only_managed_roles(self, client, provider, portfolio, project):
        sign_in(client)
        user = get_user_model().objects.get(username="ada")
        # A role granted by hand, which the mapping also names: never touched by SSO.
        MembershipFactory(user=user, role=Role.TEAM_MEMBER, project=project)
        client.logout()
        provider.claims["groups"] = ["finance", "erp"]
        sign_in(client)
        roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        assert roles == {Role.FINANCE_ANALYST, Role.TEAM_MEMBER}
        assert not SsoMembership.objects.filter(membership__project=project).exists()
        client.logout()
        provider.claims["groups"] = []
        sign_in(client)
        assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.TEAM_MEMBER]
        removed = AuditEntry.objects.filter(object_type="portfolio.membership", action=AuditEntry.Action.DELETE)
        assert removed.count() == 2  # portfolio admin, then finance analyst

    def test_explicit_endpoints_without_discovery(self, client, provider):
        endpoints = provider.discovery()
        with override_settings(
            KEEL_OIDC_ISSUER="",
            OIDC_OP_AUTHORIZATION_ENDPOINT=endpoints["authorization_endpoint"],
            OIDC_OP_TOKEN_ENDPOINT=endpoints["token_endpoint"],
            OIDC_OP_USER_ENDPOINT=endpoints["userinfo_endpoint"],
            OIDC_OP_JWKS_ENDPOINT=endpoints["jwks_uri"],
        ):
            assert sign_in(client).status_code == 302
            assert signed_in_user(client) == "ada"

    def test_deactivated_user_is_refused_and_their_sso_session_ends(self, client, provider):
        sign_in(client)
        assert signed_in_user(client) == "ada"
        get_user_model().objects.filter(username="ada").update(is_active=False)
        # The session restored through the OIDC backend is refused at the next request…
        assert client.get(reverse("portfolio:home")).status_code == 302
        # …and a new sign-in goes back to the login page.
        response = sign_in(client)
        assert response["Location"].startswith("/accounts/login/?sso=failed")
        assert signed_in_user(client) is None


class TestRefusals:
    def test_unknown_state_is_refused(self, client, provider):
        response = sign_in(client, state="forged-state")
        assert response.status_code == 400
        assert signed_in_user(client) is None
        assert not get_user_model().objects.filter(email="ada@example.com").exists()

    def test_replayed_callback_is_refused(self, client, provider):
        query = authorize(client)
        assert client.get(reverse("access:oidc-callback"), query).status_code == 302
        client.logout()
        assert client.get(reverse("access:oidc-callback"), query).status_code in (302, 400)
        assert signed_in_user(client) is None

    def test_wrong_nonce_is_refused(self, client, provider):
        provider.nonce_override = "someone-elses-nonce"
        assert sign_in(client).status_code == 400
        assert signed_in_user(client) is None
        assert not get_user_model().objects.filter(email="ada@example.com").exists()

    def test_signature_by_another_key_is_refused(self, client, provider):
        provider.sign_with = _key()
        assert sign_in(client).status_code == 400
        assert signed_in_user(client) is None

    def test_token_for_another_client_is_refused(self, client, provider):
        provider.audience = "another-client"
        assert sign_in(client).status_code == 400
        assert signed_in_user(client) is None

    def test_token_from_another_issuer_is_refused(self, client, provider):
        provider.issuer_override = "https://evil.example"
        assert sign_in(client).status_code == 400
        assert signed_in_user(client) is None

    def test_unverified_email_is_refused(self, client, provider):
        UserFactory(username="victim", email="ada@example.com")
        provider.claims["email_verified"] = False
        response = sign_in(client)
        assert response["Location"].startswith("/accounts/login/?sso=failed")
        assert signed_in_user(client) is None

    def test_sso_pages_are_404_when_sso_is_off(self, client, db):
        with override_settings(KEEL_SSO_ENABLED=False):
            assert client.get(reverse("access:oidc-start")).status_code == 404
            assert client.get(reverse("access:oidc-callback"), {"code": "x", "state": "y"}).status_code == 404


class TestLoginPage:
    def test_both_ways_shown_by_default(self, client, provider):
        page = client.get(reverse("login")).content.decode()
        assert reverse("access:oidc-start") in page
        assert 'name="password"' in page

    def test_password_login_off_shows_only_sso_and_refuses_the_post(self, client, provider):
        user = UserFactory(username="pat")
        _, secret = api_token_create(user=user, name="ci")
        with _sso_settings(provider, password_login=False):
            page = client.get(reverse("login")).content.decode()
            assert reverse("access:oidc-start") in page
            assert 'name="password"' not in page
            response = client.post(reverse("login"), {"username": "pat", "password": PASSWORD})
            assert response.status_code == 403
            assert "switched off" in response.content.decode()
            assert signed_in_user(client) is None
            from django.contrib.auth import authenticate
            from django.test import RequestFactory

            # No backend takes a password any more, whatever the view.
            assert authenticate(RequestFactory().post("/"), username="pat", password=PASSWORD) is None
            # API tokens keep working.
            assert client.get("/api/v1/me/", headers={"authorization": f"Bearer {secret}"}).status_code == 200
            # SSO still signs in.
            assert sign_in(client).status_code == 302
            assert signed_in_user(client) == "ada"

    def test_without_sso_the_page_has_no_button(self, client, db):
        page = client.get(reverse("login")).content.decode()
        assert reverse("access:oidc-start") not in page
        assert 'name="password"' in page


class TestRoleMapSetting:
    def test_parses_entries(self):
        assert oidc_role_map(" a=portfolio_admin@P1 ; b=team_member@project:X-1;") == [
            ("a", "portfolio_admin", "portfolio", "P1"),
            ("b", "team_member", "project", "X-1"),
        ]

    @pytest.mark.parametrize(
        "value", ["admins", "admins=portfolio_admin", "admins=boss@P1", "admins=team_member@team:X", "=executive@P1"]
    )
    def test_bad_entries_fail_loudly(self, value):
        with pytest.raises(ImproperlyConfigured, match="KEEL_OIDC_ROLE_MAP"):
            oidc_role_map(value)
