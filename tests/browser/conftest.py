"""Browser tests: Debian's Chromium, driven headless by Playwright, against pytest-django's live
server on the test database. Marked `browser`: skipped with a notice where Chromium or the
playwright package is missing, and a failure under KEEL_REQUIRE_SERVICES=1 (CI). Tests using
the `axe` fixture are also marked `axe`: they need node_modules/axe-core (from npm), likewise."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from demo.seed import demo_seed
from tests.conftest import AXE_SCRIPT, chromium_executable

# The demo's dates hang off this day, so what the pages show does not drift with the calendar.
TODAY = dt.date(2026, 11, 26)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
            if "axe" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.axe)


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per test module. Playwright's sync API keeps an event loop running
    in this thread while it is open, which Django takes for an async context: the ORM calls of
    these tests and their fixtures are plain synchronous calls, so say so for as long as it runs
    (module scope, so that no other test module runs under the flag)."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_executable(), args=["--no-sandbox"])
            yield browser
            browser.close()


@pytest.fixture
def demo(transactional_db):
    """The small demo, committed (the live server reads it from another thread)."""
    demo_seed(scale="small", seed=1, today=TODAY, history=False)


@pytest.fixture
def demo_with_history(transactional_db):
    """The small demo with a year of trend snapshots (sparklines, S-curves, trend charts)."""
    demo_seed(scale="small", seed=1, today=TODAY, history=True)


@pytest.fixture
def page_as(chromium, live_server):
    """`page_as(username)`: a fresh browser page signed in as that demo login. Failed requests
    and page errors are collected in `page.problems`."""
    contexts = []

    def open_page(username: str):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        context = chromium.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
        page.on(
            "response",
            lambda response: (
                page.problems.append(f"{response.status} {response.url}") if response.status >= 500 else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


# The impacts that fail a page. axe-core also reports "moderate" and "minor" ones.
AXE_FAILING_IMPACTS = ("serious", "critical")

AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.map((node) => node.target.join(" ")),
    summary: v.nodes.length ? v.nodes[0].failureSummary : "",
  }));
}"""


def axe_report(violations: list[dict], *, where: str = "") -> str:
    """Violations as readable lines: rule id, impact, help, and the first nodes' selectors."""
    lines = []
    for violation in violations:
        targets = violation["targets"]
        shown = ", ".join(targets[:3]) + (f" (+{len(targets) - 3} more)" if len(targets) > 3 else "")
        prefix = f"{where}: " if where else ""
        lines.append(f"{prefix}{violation['id']} [{violation['impact']}] {violation['help']} — {shown}")
    return "\n".join(lines)


class Axe:
    """`axe(page)`: the "serious" and "critical" axe-core violations of the page as loaded
    (dicts: id, impact, help, helpUrl, targets, summary). `axe.assert_clean(page)` fails with
    one readable line per violation."""

    def __call__(self, page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated, not added as a <script> tag: the pages' Content-Security-Policy refuses
            # inline scripts, and Playwright's evaluate is not a page script.
            page.evaluate(AXE_SCRIPT.read_text() + "\n;window.axe = axe; true")
        violations = page.evaluate(AXE_RUN)
        return [violation for violation in violations if violation["impact"] in AXE_FAILING_IMPACTS]

    def assert_clean(self, page, *, where: str = "") -> None:
        violations = self(page)
        assert not violations, "axe-core found serious/critical violations:\n" + axe_report(
            violations, where=where or page.url
        )


@pytest.fixture
def axe() -> Axe:
    """axe-core on a Playwright page; see Axe. Needs node_modules/axe-core (`make test-js`)."""
    return Axe()
