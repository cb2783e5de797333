"""Issue 12, build 14: API tokens with an optional expiry and a read-only scope; last use shown."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.authentication import LAST_USED_RESOLUTION
from core.models import ApiToken
from core.services import api_token_create

ME = "/api/v1/me/"
TOKENS = "/api/v1/tokens/"


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.django_db
class TestReadOnlyScope:
    def test_a_read_only_token_reads(self, api_for, owner, project):
        _, secret = api_token_create(user=owner, name="dashboard", scope=ApiToken.Scope.READ)
        assert api_for().get(f"/api/v1/projects/{project.pk}/", **bearer(secret)).status_code == 200

    @pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
    def test_a_write_with_a_read_only_token_is_403_naming_why(self, api_for, owner, project, method):
        _, secret = api_token_create(user=owner, name="dashboard", scope=ApiToken.Scope.READ)
        before = project.name
        response = getattr(api_for(), method)(
            f"/api/v1/projects/{project.pk}/", {"name": "Renamed"}, format="json", **bearer(secret)
        )
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]
        project.refresh_from_db()
        assert project.name == before

    def test_a_read_write_token_still_writes(self, api_for, owner, project):
        _, secret = api_token_create(user=owner, name="sync")
        response = api_for().patch(
            f"/api/v1/projects/{project.pk}/", {"name": "Renamed"}, format="json", **bearer(secret)
        )
        assert response.status_code == 200


@pytest.mark.django_db
class TestExpiry:
    def test_an_expired_token_is_401_with_a_clear_message(self, api_for, owner):
        token, secret = api_token_create(user=owner, name="temp", expires_at=timezone.now() + dt.timedelta(days=1))
        assert api_for().get(ME, **bearer(secret)).status_code == 200
        past = timezone.now() - dt.timedelta(minutes=1)
        ApiToken.objects.filter(pk=token.pk).update(created_at=past - dt.timedelta(days=2), expires_at=past)
        response = api_for().get(ME, **bearer(secret))
        assert response.status_code == 401
        assert response.json()["detail"].startswith("This API token expired on ")

    def test_the_api_creates_a_read_only_expiring_token(self, api_for, owner):
        when = (timezone.now() + dt.timedelta(days=30)).replace(microsecond=0)
        response = api_for(owner).post(
            TOKENS, {"name": "report bot", "scope": "read", "expires_at": when.isoformat()}, format="json"
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["scope"], body["is_active"]) == ("read", True)
        token = ApiToken.objects.get(pk=body["id"])
        assert token.expires_at == when

    @pytest.mark.parametrize(("days", "message"), [(-1, "in the future"), (400, "at most 366 days")])
    def test_an_expiry_out_of_bounds_is_400_naming_the_field(self, api_for, owner, days, message, settings):
        settings.KEEL_API_TOKEN_MAX_DAYS = 366
        when = timezone.now() + dt.timedelta(days=days)
        response = api_for(owner).post(TOKENS, {"name": "x", "expires_at": when.isoformat()}, format="json")
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["field"] == "expires_at"
        assert message in error["message"]
        assert not ApiToken.objects.exists()

    def test_a_bad_scope_is_400(self, api_for, owner):
        response = api_for(owner).post(TOKENS, {"name": "x", "scope": "admin"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "scope"


@pytest.mark.django_db
class TestLastUsed:
    def test_last_use_is_recorded_but_not_on_every_request(self, api_for, owner):
        token, secret = api_token_create(user=owner, name="ci")
        api_for().get(ME, **bearer(secret))
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None
        with CaptureQueriesContext(connection) as queries:
            api_for().get(ME, **bearer(secret))
        assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
        token.refresh_from_db()
        assert token.last_used_at == first
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - LAST_USED_RESOLUTION - dt.timedelta(seconds=1))
        api_for().get(ME, **bearer(secret))
        token.refresh_from_db()
        assert token.last_used_at > first - dt.timedelta(seconds=1)


@pytest.mark.django_db
class TestTokensPage:
    def test_the_page_shows_access_expiry_and_last_use(self, client_for, owner):
        token, _ = api_token_create(
            user=owner, name="report bot", scope=ApiToken.Scope.READ, expires_at=timezone.now() + dt.timedelta(days=10)
        )
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        page = client_for(owner).get(reverse("core:profile")).content.decode()
        for heading in ("Access", "Expires", "Last used"):
            assert f'<th scope="col">{heading}</th>' in page
        assert "Read only" in page

    def test_the_form_creates_a_read_only_token_expiring_at_the_end_of_the_day(self, client_for, owner):
        day = timezone.localdate() + dt.timedelta(days=7)
        response = client_for(owner).post(
            reverse("core:token-create"), {"name": "bot", "scope": "read", "expires_on": day.isoformat()}
        )
        assert response.status_code == 201
        assert "no-store" in response["Cache-Control"]
        token = ApiToken.objects.get(name="bot")
        assert token.scope == ApiToken.Scope.READ
        assert timezone.localtime(token.expires_at) == timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))

    def test_an_expiry_in_the_past_is_refused_on_the_form(self, client_for, owner):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        response = client_for(owner).post(reverse("core:token-create"), {"name": "bot", "expires_on": yesterday})
        assert "Choose an expiry in the future." in response.content.decode()
        assert not ApiToken.objects.exists()

    def test_an_expired_token_is_listed_as_expired(self, client_for, owner):
        token, _ = api_token_create(user=owner, name="old", expires_at=timezone.now() + dt.timedelta(days=1))
        past = timezone.now() - dt.timedelta(minutes=1)
        ApiToken.objects.filter(pk=token.pk).update(created_at=past - dt.timedelta(days=2), expires_at=past)
        assert "Expired" in client_for(owner).get(reverse("core:profile")).content.decode()


@pytest.mark.django_db
def test_the_command_creates_a_read_only_expiring_token(owner):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "create_api_token",
        "owner",
        "--name",
        "bot",
        "--read-only",
        "--expires-days",
        "30",
        stdout=out,
        stderr=StringIO(),
    )
    token = ApiToken.objects.get(digest=ApiToken.digest_of(out.getvalue().strip()))
    assert token.scope == ApiToken.Scope.READ
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    with pytest.raises(CommandError, match="at most"):
        call_command("create_api_token", "owner", "--name", "x", "--expires-days", "5000", stdout=StringIO())
