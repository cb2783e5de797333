"""HTML: login/logout, the profile page and personal API tokens."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import ApiToken
from core.services import api_token_create
from portfolio.models import Membership
from tests.factories.portfolio import MembershipFactory, ProgramFactory
from tests.factories.users import PASSWORD, UserFactory

PROFILE = reverse("core:profile")
TOKEN_CREATE = reverse("core:token-create")


def revoke_url(token) -> str:
    return reverse("core:token-revoke", args=[token.pk])


@pytest.mark.django_db
class TestLogin:
    def test_login_page_renders_a_form(self):
        response = Client().get(reverse("login"))
        assert response.status_code == 200
        assert b'name="username"' in response.content
        assert b'name="password"' in response.content

    def test_login_with_password_lands_on_portfolio_home(self, owner):
        response = Client().post(reverse("login"), {"username": "owner", "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == reverse("portfolio:home")

    def test_wrong_password_shows_an_error_and_does_not_log_in(self, owner):
        client = Client()
        response = client.post(reverse("login"), {"username": "owner", "password": "wrong"})
        assert response.status_code == 200
        assert b"correct username and password" in response.content
        assert client.get(PROFILE).status_code == 302

    def test_logout_is_a_post_form_in_the_navigation(self, client_for, owner):
        response = client_for(owner).get(reverse("portfolio:home"), {"view": "overview"})
        assert f'method="post" action="{reverse("logout")}"'.encode() in response.content

    def test_logout_by_post_ends_the_session(self, client_for, owner):
        client = client_for(owner)
        assert client.post(reverse("logout")).status_code == 302
        assert client.get(PROFILE).status_code == 302

    def test_logout_by_get_is_refused(self, client_for, owner):
        client = client_for(owner)
        assert client.get(reverse("logout")).status_code == 405
        assert client.get(PROFILE).status_code == 200


@pytest.mark.django_db
class TestProfile:
    @pytest.mark.parametrize("url", [PROFILE, TOKEN_CREATE, "/profile/tokens/1/revoke/"])
    def test_anonymous_is_sent_to_login(self, url):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_profile_shows_user_details_and_memberships_with_scope(self, client_for, owner, member, program):
        response = client_for(owner).get(PROFILE)
        assert response.status_code == 200
        assert response.context["memberships"][0].program == program
        body = response.content.decode()
        assert "owner@example.com" in body
        assert "Program manager" in body
        assert reverse("portfolio:program-detail", args=["MOD"]) in body

    def test_profile_shows_only_own_tokens(self, client_for, owner, member):
        api_token_create(user=member, name="member-secret-tool")
        mine, _ = api_token_create(user=owner, name="ledger import")
        response = client_for(owner).get(PROFILE)
        assert list(response.context["tokens"]) == [mine]
        assert b"member-secret-tool" not in response.content

    def test_profile_query_count_does_not_grow_with_tokens_and_memberships(self, client_for, owner):
        client = client_for(owner)

        def add(n):
            for _ in range(n):
                MembershipFactory(user=owner, role=Membership.Role.EXECUTIVE, program=ProgramFactory())
                api_token_create(user=owner, name="t")

        add(2)
        with CaptureQueriesContext(connection) as small:
            assert client.get(PROFILE).status_code == 200
        add(27)
        with CaptureQueriesContext(connection) as large:
            response = client.get(PROFILE)
        assert len(response.context["tokens"]) == 29
        assert len(response.context["memberships"]) == 30
        assert len(small) == len(large), [q["sql"] for q in large]
        print(f"\nQUERIES profile: {len(large)}")


@pytest.mark.django_db
class TestApiTokens:
    def test_create_shows_the_secret_once_and_stores_only_its_digest(self, client_for, owner):
        client = client_for(owner)
        response = client.post(TOKEN_CREATE, {"name": "ledger import"})
        assert response.status_code == 201
        secret = response.context["new_secret"]
        assert secret.startswith("keel_")
        assert secret.encode() in response.content
        token = ApiToken.objects.get(user=owner)
        assert token.name == "ledger import"
        assert token.digest == ApiToken.digest_of(secret)
        assert token.prefix in secret
        # Never again: not on the next page load.
        assert secret.encode() not in client.get(PROFILE).content

    def test_htmx_create_returns_only_the_token_panel(self, client_for, owner):
        response = client_for(owner).post(TOKEN_CREATE, {"name": "ci"}, headers={"HX-Request": "true"})
        assert response.status_code == 201
        body = response.content.decode()
        assert body.lstrip().startswith('<section id="api-tokens"')
        assert "<html" not in body
        assert response.context["new_secret"] in body

    def test_created_token_authenticates_an_api_request(self, client_for, owner):
        response = client_for(owner).post(TOKEN_CREATE, {"name": "ci"})
        secret = response.context["new_secret"]
        api = Client().get("/api/v1/", headers={"Authorization": f"Bearer {secret}"})
        assert api.status_code in (200, 404)
        # The authentication class stamps the token it accepted.
        assert ApiToken.objects.get(user=owner).last_used_at is not None

    def test_blank_name_is_a_field_error_and_creates_nothing(self, client_for, owner):
        response = client_for(owner).post(TOKEN_CREATE, {"name": ""})
        assert response.status_code == 200
        assert response.context["token_form"].errors["name"]
        assert b'id="id_name_error"' in response.content
        assert not ApiToken.objects.exists()

    def test_create_by_get_is_refused(self, client_for, owner):
        assert client_for(owner).get(TOKEN_CREATE).status_code == 405
        assert not ApiToken.objects.exists()

    def test_revoke_sets_revoked_at_and_the_token_stops_working(self, client_for, owner):
        token, secret = api_token_create(user=owner, name="old")
        response = client_for(owner).post(revoke_url(token), headers={"HX-Request": "true"})
        assert response.status_code == 200
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert b"Revoked" in response.content
        api = Client().get("/api/v1/", headers={"Authorization": f"Bearer {secret}"})
        assert api.status_code in (401, 403)

    def test_revoke_without_htmx_redirects_to_profile_with_a_message(self, client_for, owner):
        token, _ = api_token_create(user=owner, name="old")
        client = client_for(owner)
        response = client.post(revoke_url(token))
        assert response.status_code == 302
        assert "revoked" in client.get(PROFILE).content.decode()

    def test_someone_elses_token_is_404_and_stays_active(self, client_for, owner, member):
        token, _ = api_token_create(user=member, name="theirs")
        assert client_for(owner).post(revoke_url(token)).status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_user_without_memberships_can_still_manage_tokens(self, client_for, db):
        nobody = UserFactory(username="nobody")
        response = client_for(nobody).post(TOKEN_CREATE, {"name": "mine"})
        assert response.status_code == 201
        assert ApiToken.objects.filter(user=nobody).count() == 1


@pytest.mark.django_db
def test_htmx_swaps_refused_in_place_edits_and_keeps_other_errors_as_errors(client_for, owner):
    import json
    import re

    html = client_for(owner).get(reverse("portfolio:home"), {"view": "overview"}).content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1))
    rules = {rule["code"]: rule for rule in config["responseHandling"]}
    assert rules["(400|409|422)"] == {"code": "(400|409|422)", "swap": True, "error": False}
    assert rules["[45].."]["swap"] is False
    # The in-place rule must come before the catch-all for errors: htmx takes the first match.
    codes = [rule["code"] for rule in config["responseHandling"]]
    assert codes.index("(400|409|422)") < codes.index("[45]..")
