"""Issue 12, defect 7: under the Content-Security-Policy (no inline scripts, nothing from other
sites) htmx still swaps and Swagger UI still renders, without a single CSP violation. (Redoc
renders too, but slowly — over a minute for the whole schema here — and its footer logo from
cdn.redoc.ly is refused by design; tests/core/test_security_headers.py checks it has no inline
script.)

The page records violations itself (a `securitypolicyviolation` listener added before any of the
page's scripts run) and the console's CSP errors are collected too."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


@pytest.fixture
def strict_page(chromium, live_server, demo):
    """A signed-in page that does NOT bypass the policy (Playwright's default)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="project_manager"))
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.console_csp = []
    page.on(
        "console",
        lambda message: (
            page.console_csp.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


def violations(page) -> list[str]:
    return page.evaluate("() => window.__csp") + page.console_csp


def test_the_policy_is_on_and_htmx_still_swaps(strict_page):
    response = strict_page.goto("/profile/")
    assert "script-src" in response.headers["content-security-policy"]
    assert strict_page.evaluate("() => typeof window.htmx") == "object"
    strict_page.fill("#id_name", "csp check")
    with strict_page.expect_response(lambda r: r.url.endswith("/profile/tokens/") and r.status == 201):
        strict_page.get_by_role("button", name="Create token").click()
    strict_page.wait_for_selector("#new-token-secret")
    # Swapped in place by htmx, not a full page load: the page's own marker survives.
    assert strict_page.evaluate("() => document.querySelectorAll('#api-tokens').length") == 1
    assert strict_page.locator("#new-token-secret").inner_text().startswith("keel_")
    assert violations(strict_page) == []


def test_swagger_ui_renders_under_the_policy(strict_page):
    strict_page.goto("/api/v1/docs/")
    strict_page.wait_for_selector(".swagger-ui .info .title")
    assert "Keel API" in strict_page.locator(".swagger-ui .info .title").inner_text()
    strict_page.wait_for_selector(".opblock-tag")
    assert violations(strict_page) == []
