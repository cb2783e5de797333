"""Issue 12, defect 7 (the rest): Content-Security-Policy and Permissions-Policy under DEBUG=0.
The browser side (htmx and Swagger UI still work under the policy) is
tests/browser/test_content_security_policy.py."""

import re

import pytest
from django.urls import reverse


def directives(header: str) -> dict[str, list[str]]:
    found = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


@pytest.fixture
def page(client_for, owner, settings):
    settings.DEBUG = False
    return client_for(owner).get(reverse("core:profile"))


@pytest.mark.django_db
class TestHeaders:
    def test_every_page_carries_a_content_security_policy(self, page):
        policy = directives(page["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]

    def test_scripts_only_from_keel_never_inline_or_eval(self, page):
        scripts = directives(page["Content-Security-Policy"])["script-src"]
        assert "'self'" in scripts
        assert "'unsafe-inline'" not in scripts
        assert "'unsafe-eval'" not in scripts
        assert not [source for source in scripts if source.startswith(("http:", "https:", "*"))]

    def test_permissions_policy_switches_off_unused_features(self, page):
        policy = page["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy

    def test_api_answers_and_the_login_page_carry_them_too(self, api_for, client, owner, settings):
        settings.DEBUG = False
        for response in (api_for(owner).get("/api/v1/me/"), client.get(reverse("login"))):
            assert "script-src" in response["Content-Security-Policy"]
            assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
class TestNoInlineScripts:
    """With 'unsafe-inline' off, an inline <script> would not run: the pages have none (or carry
    the request's nonce)."""

    INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.IGNORECASE)

    @pytest.mark.parametrize("url", ["/profile/", "/api/v1/docs/", "/api/v1/redoc/", "/accounts/login/"])
    def test_no_inline_script_without_a_nonce(self, client_for, owner, url):
        response = client_for(owner).get(url)
        assert response.status_code == 200
        assert not self.INLINE.findall(response.content.decode())

    def test_the_swagger_start_up_script_is_served_from_a_url(self, client_for, owner):
        page = client_for(owner).get("/api/v1/docs/").content.decode()
        [script_url] = re.findall(r'<script src="([^"]*\?script[^"]*)"', page)
        script = client_for(owner).get(script_url.replace("&amp;", "&"))
        assert script.status_code == 200
        assert "SwaggerUIBundle" in script.content.decode()
