"""API conventions: token and session authentication, tokens, me, error bodies, schema and docs."""

from io import StringIO

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from core.api import exception_handler
from core.models import ApiToken
from core.services import api_token_create, api_token_revoke
from projects.models import Project

TOKENS = "/api/v1/tokens/"
ME = "/api/v1/me/"


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.django_db
class TestTokenAuthentication:
    def test_bearer_token_authenticates_and_records_use(self, api_for, owner):
        token, secret = api_token_create(user=owner, name="ci")
        response = api_for(None).get(ME, **bearer(secret))
        assert response.status_code == 200
        assert (response.json()["username"], response.json()["authenticated_by"]) == ("owner", "token")
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_token_keyword_is_accepted_too(self, api_for, owner):
        _, secret = api_token_create(user=owner, name="ci")
        assert api_for(None).get(ME, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200

    def test_token_sees_what_its_user_sees(self, api_for, outsider, project):
        _, secret = api_token_create(user=outsider, name="ci")
        assert api_for(None).get(f"/api/v1/projects/{project.pk}/", **bearer(secret)).status_code == 404

    def test_revoked_token_gets_401(self, api_for, owner):
        token, secret = api_token_create(user=owner, name="ci")
        api_token_revoke(token=token)
        response = api_for(None).get(ME, **bearer(secret))
        assert response.status_code == 401
        assert response.json() == {"status": 401, "detail": "Invalid or revoked API token.", "errors": []}

    @pytest.mark.parametrize("header", ["Bearer keel_not-a-real-token", "Bearer", "Bearer a b", "Bearer k\xe9el"])
    def test_bad_token_gets_401(self, api_for, owner, header):
        assert api_for(None).get(ME, HTTP_AUTHORIZATION=header).status_code == 401

    def test_undecodable_scheme_is_not_a_500(self, api_for, owner):
        response = api_for(owner).get(ME, HTTP_AUTHORIZATION="B\xe9arer x")
        assert response.status_code == 200  # not ours to judge: session auth still applies

    def test_inactive_users_token_gets_401(self, api_for, owner):
        _, secret = api_token_create(user=owner, name="ci")
        owner.is_active = False
        owner.save()
        assert api_for(None).get(ME, **bearer(secret)).status_code == 401

    def test_token_writes_need_no_csrf_token(self, api_for, owner, project):
        _, secret = api_token_create(user=owner, name="ci")
        client = api_for(None, enforce_csrf_checks=True)
        response = client.patch(
            f"/api/v1/projects/{project.pk}/", {"name": "By token"}, format="json", **bearer(secret)
        )
        assert response.status_code == 200
        assert Project.objects.get(pk=project.pk).name == "By token"

    def test_session_writes_need_the_csrf_token(self, api_for, owner, project):
        client = api_for(owner, enforce_csrf_checks=True)
        response = client.patch(f"/api/v1/projects/{project.pk}/", {"name": "Forged"}, format="json")
        assert response.status_code == 403
        assert "CSRF" in response.json()["detail"]
        assert Project.objects.get(pk=project.pk).name == "ERP replacement"

    def test_anonymous_gets_401_with_bearer_challenge(self, api_for, project):
        response = api_for(None).get(ME)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
class TestTokensEndpoint:
    def test_create_returns_the_secret_once(self, api_for, owner):
        client = api_for(owner)
        response = client.post(TOKENS, {"name": "ledger import"}, format="json")
        assert response.status_code == 201
        created = response.json()
        assert created["secret"].startswith("keel_")
        assert created["prefix"] == created["secret"][5:13]
        token = ApiToken.objects.get(pk=created["id"])
        assert token.digest == ApiToken.digest_of(created["secret"])
        listed = client.get(TOKENS).json()["results"]
        assert [(t["name"], t["is_active"]) for t in listed] == [("ledger import", True)]
        assert "secret" not in listed[0]
        assert "secret" not in client.get(f"{TOKENS}{token.pk}/").json()
        assert client.get(ME, **bearer(created["secret"])).json()["username"] == "owner"

    def test_blank_name_is_400(self, api_for, owner):
        response = api_for(owner).post(TOKENS, {"name": ""}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "name"
        assert not ApiToken.objects.exists()

    def test_a_token_cannot_create_tokens(self, api_for, owner):
        _, secret = api_token_create(user=owner, name="ci")
        response = api_for(None).post(TOKENS, {"name": "more"}, format="json", **bearer(secret))
        assert response.status_code == 403
        assert ApiToken.objects.count() == 1

    def test_revoke_stops_the_token_and_keeps_it_listed(self, api_for, owner):
        token, secret = api_token_create(user=owner, name="ci")
        client = api_for(owner)
        assert client.delete(f"{TOKENS}{token.pk}/").status_code == 204
        assert api_for(None).get(ME, **bearer(secret)).status_code == 401
        listed = client.get(TOKENS).json()["results"]
        assert listed[0]["is_active"] is False
        assert listed[0]["revoked_at"] is not None

    def test_a_token_may_revoke_itself(self, api_for, owner):
        token, secret = api_token_create(user=owner, name="ci")
        assert api_for(None).delete(f"{TOKENS}{token.pk}/", **bearer(secret)).status_code == 204
        assert api_for(None).get(ME, **bearer(secret)).status_code == 401

    def test_other_users_tokens_are_404_and_unlisted(self, api_for, owner, member):
        token, secret = api_token_create(user=member, name="theirs")
        client = api_for(owner)
        assert client.get(TOKENS).json()["results"] == []
        assert client.get(f"{TOKENS}{token.pk}/").status_code == 404
        assert client.delete(f"{TOKENS}{token.pk}/").status_code == 404
        assert api_for(None).get(ME, **bearer(secret)).status_code == 200

    def test_tokens_are_not_updated(self, api_for, owner):
        token, _ = api_token_create(user=owner, name="ci")
        assert api_for(owner).patch(f"{TOKENS}{token.pk}/", {"name": "x"}, format="json").status_code == 405


@pytest.mark.django_db
class TestTokenCommands:
    def test_create_api_token_prints_the_secret_once(self, api_for, owner):
        out, err = StringIO(), StringIO()
        call_command("create_api_token", "owner", "--name", "nightly export", stdout=out, stderr=err)
        secret = out.getvalue().strip()
        token = ApiToken.objects.get()
        assert (token.user, token.name, token.digest) == (owner, "nightly export", ApiToken.digest_of(secret))
        assert secret not in err.getvalue()
        assert api_for(None).get(ME, **bearer(secret)).status_code == 200

    def test_create_api_token_for_unknown_user_fails(self, db):
        with pytest.raises(CommandError, match="No user named 'ghost'"):
            call_command("create_api_token", "ghost", "--name", "x")
        assert not ApiToken.objects.exists()

    @pytest.mark.parametrize("by", ["prefix", "id"])
    def test_revoke_api_token_by_prefix_or_id(self, api_for, owner, by):
        token, secret = api_token_create(user=owner, name="ci")
        out = StringIO()
        # "--": a prefix may start with "-", which argparse would take for an option.
        call_command("revoke_api_token", "--", token.prefix if by == "prefix" else str(token.pk), stdout=out)
        assert "Revoked" in out.getvalue()
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert api_for(None).get(ME, **bearer(secret)).status_code == 401

    def test_revoke_prefix_starting_with_a_dash(self, owner):
        token, _ = api_token_create(user=owner, name="ci")
        ApiToken.objects.filter(pk=token.pk).update(prefix="-AbC1234")
        call_command("revoke_api_token", "--", "-AbC1234", stdout=StringIO())
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_revoke_unknown_token_fails(self, db):
        with pytest.raises(CommandError, match="No token"):
            call_command("revoke_api_token", "nothing1")

    def test_revoke_ambiguous_prefix_asks_for_the_id(self, owner):
        first, _ = api_token_create(user=owner, name="a")
        second, _ = api_token_create(user=owner, name="b")
        ApiToken.objects.filter(pk=second.pk).update(prefix=first.prefix)
        with pytest.raises(CommandError, match="several tokens"):
            call_command("revoke_api_token", "--", first.prefix)
        assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 2


@pytest.mark.django_db
def test_me_describes_the_session_user(api_for, executive):
    body = api_for(executive).get(ME).json()
    assert {k: body[k] for k in ("username", "is_superuser", "authenticated_by")} == {
        "username": "exec",
        "is_superuser": False,
        "authenticated_by": "session",
    }


class TestErrorBodies:
    def test_django_validation_error_names_fields_and_non_field_errors(self):
        exc = DjangoValidationError({"code": ["Taken."], "__all__": ["Dates out of order."]})
        body = exception_handler(exc, {}).data
        assert body["status"] == 400
        assert [(e["field"], e["message"]) for e in body["errors"]] == [
            ("code", "Taken."),
            (None, "Dates out of order."),
        ]

    def test_integrity_error_is_400_not_500(self):
        response = exception_handler(IntegrityError("UNIQUE constraint failed: projects_project.code"), {})
        assert response.status_code == 400
        assert response.data["errors"][0]["field"] is None

    def test_nested_list_errors_name_the_item(self):
        from rest_framework.exceptions import ValidationError

        exc = ValidationError({"objectives": {1: {"weight": ["Too big."]}}})
        assert exception_handler(exc, {}).data["errors"][0]["field"] == "objectives[1].weight"

    def test_overflow_is_400_not_500(self):
        assert exception_handler(OverflowError("Python int too large"), {}).status_code == 400

    def test_other_exceptions_are_left_to_django(self):
        assert exception_handler(RuntimeError("bug"), {}) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/?portfolio=99999999999999999999999",
        "/api/v1/programs/?objectives=99999999999999999999999",
        "/api/v1/status-reports/?program=99999999999999999999999",
        "/api/v1/projects/?program=99999999999999999999999",
        "/api/v1/projects/99999999999999999999999/",
    ],
)
def test_huge_ids_in_the_query_are_never_a_500(api_for, owner, project, url):
    response = api_for(owner).get(url)
    assert response.status_code in (200, 400, 404)  # SQLite refuses the number, PostgreSQL finds nothing
    expected = {"results"} if response.status_code == 200 else {"status", "detail", "errors"}
    assert expected <= set(response.json())


@pytest.mark.django_db
class TestSchemaAndDocs:
    def test_schema_describes_every_resource_and_the_etag_contract(self, client):
        response = client.get("/api/v1/schema/")
        assert response.status_code == 200
        schema = yaml.safe_load(response.content)
        paths = schema["paths"]
        for resource in ("portfolios", "objectives", "programs", "projects", "status-reports", "memberships", "tokens"):
            assert f"/api/v1/{resource}/" in paths
            assert f"/api/v1/{resource}/{{id}}/" in paths
        assert "/api/v1/me/" in paths
        patch = paths["/api/v1/projects/{id}/"]["patch"]
        assert "If-Match" in [p["name"] for p in patch["parameters"] if p["in"] == "header"]
        assert "ETag" in patch["responses"]["200"]["headers"]
        assert "412" in patch["responses"]
        # A period's report is corrected in place (PUT/PATCH), never deleted.
        assert set(paths["/api/v1/status-reports/{id}/"]) == {"get", "put", "patch"}
        assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"

    def test_schema_validates_without_a_single_warning(self, tmp_path):
        # drf-spectacular warns about ambiguous enum names and unresolvable fields; any of them
        # makes a worse schema for client generators, so CI refuses them.
        target = tmp_path / "schema.yml"
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
        paths = yaml.safe_load(target.read_text())["paths"]
        for resource in ("risks", "issues", "people", "allocations", "stage-gates", "change-requests", "benefits"):
            assert f"/api/v1/{resource}/" in paths

    def test_docs_page_loads_swagger_ui_from_local_static_files(self, client):
        response = client.get("/api/v1/docs/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in html
        for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "https://"):
            assert cdn not in html
        assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
