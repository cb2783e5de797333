"""Shared fixtures: a cast of users around one program.

- owner: program manager of `program` (edits the program and everything in it)
- project_manager: project manager of `project`
- member: team member of `project` (reads it, edits nothing)
- executive: executive on the portfolio (reads everything in it, edits nothing)
- outsider: holds a role only in another portfolio (sees none of this: 404)
"""

import datetime as dt
import functools
import os
import shutil

import pytest
from django.test import Client

from portfolio.models import Membership
from tests.factories.portfolio import MembershipFactory, PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.users import UserFactory

Role = Membership.Role


@pytest.fixture
def portfolio(db):
    return PortfolioFactory(code="CORP", name="Corporate portfolio")


@pytest.fixture
def program(portfolio):
    return ProgramFactory(portfolio=portfolio, code="MOD", name="Modernisation")


@pytest.fixture
def project(program):
    return ProjectFactory(program=program, code="MOD-ERP", name="ERP replacement")


@pytest.fixture
def owner(program):
    user = UserFactory(username="owner")
    MembershipFactory(user=user, role=Role.PROGRAM_MANAGER, program=program)
    return user


@pytest.fixture
def project_manager(project):
    user = UserFactory(username="pm")
    MembershipFactory(user=user, role=Role.PROJECT_MANAGER, project=project)
    return user


@pytest.fixture
def member(project):
    user = UserFactory(username="member")
    MembershipFactory(user=user, role=Role.TEAM_MEMBER, project=project)
    return user


@pytest.fixture
def executive(portfolio):
    user = UserFactory(username="exec")
    MembershipFactory(user=user, role=Role.EXECUTIVE, portfolio=portfolio)
    return user


@pytest.fixture
def outsider(db):
    user = UserFactory(username="outsider")
    other = ProgramFactory(code="OTHER", name="Other program")
    MembershipFactory(user=user, role=Role.PROGRAM_MANAGER, program=other)
    return user


# The demo's dates hang off this day, so what its pages show does not drift with the calendar.
DEMO_TODAY = dt.date(2026, 11, 26)


def seed_small_demo():
    """The small demo (seed 1), as the browser tests and the crawl use it."""
    from core.demo.seed import demo_seed

    return demo_seed(scale="small", seed=1, today=DEMO_TODAY)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    """`client_for(user)` returns a Django test client logged in as that user."""
    return login


def recompute_rollups() -> None:
    """Bring every project, program and portfolio roll-up up to date from source rows with the
    real computation, as the worker would (pages that read summaries need it after the data
    is made; tests/factories/reporting.py makes rows by hand instead)."""
    from reporting.services.rollups import recompute_all

    recompute_all()


@pytest.fixture
def rollups():
    """`rollups()` recomputes every roll-up (recompute_rollups); call it after making the data."""
    return recompute_rollups


# --- Service detection (ops) ---------------------------------------------------------------
# Tests marked `postgres` need connection.vendor == "postgresql"; tests marked `redis` or
# `celery_worker` need REDIS_URL answering PING. bin/test-env (run by `make test`) sets the
# URLs before pytest starts, since pytest-django loads settings before this file. Missing
# services skip those tests with "service unavailable: …", or fail them when
# KEEL_REQUIRE_SERVICES=1 (as in CI), so a green CI run cannot hide a skipped service test.

SERVICE_UNAVAILABLE = "service unavailable: {service} ({why})"


def _services_required() -> bool:
    return os.environ.get("KEEL_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes", "on"}


@functools.cache
def _postgres_problem() -> str | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return SERVICE_UNAVAILABLE.format(
            service="PostgreSQL", why=f"the database is {connection.vendor}; set DATABASE_URL to a PostgreSQL URL"
        )
    return None


@functools.cache
def _redis_problem() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return SERVICE_UNAVAILABLE.format(service="Redis", why="REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return SERVICE_UNAVAILABLE.format(service="Redis", why=f"{url} did not answer PING: {exc}")
    return None


@functools.cache
def _mpxj_problem() -> str | None:
    from projects.scheduling.mpxj import mpxj_available

    if not mpxj_available():
        return SERVICE_UNAVAILABLE.format(service="MPXJ", why="the mpxj package or a Java runtime is missing")
    return None


def chromium_executable() -> str | None:
    """Debian's Chromium (KEEL_CHROMIUM overrides the path), which Playwright drives headless."""
    path = os.environ.get("KEEL_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return path if path and os.access(path, os.X_OK) else None


@functools.cache
def _browser_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return SERVICE_UNAVAILABLE.format(service="Browser", why="the playwright package is not installed")
    if chromium_executable() is None:
        return SERVICE_UNAVAILABLE.format(service="Browser", why="no chromium executable (apt install chromium)")
    return None


_SERVICE_MARKERS = {
    "postgres": _postgres_problem,
    "redis": _redis_problem,
    "celery_worker": _redis_problem,
    "mpxj": _mpxj_problem,
    "browser": _browser_problem,
}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip (or, with KEEL_REQUIRE_SERVICES=1, fail) a test whose service is missing,
    before any of its fixtures start."""
    for marker, problem_of in _SERVICE_MARKERS.items():
        if item.get_closest_marker(marker) and (problem := problem_of()):
            if _services_required():
                pytest.fail(f"{problem}; KEEL_REQUIRE_SERVICES=1 forbids skipping it", pytrace=False)
            pytest.skip(problem)


def pytest_report_header(config):
    required = " (required: KEEL_REQUIRE_SERVICES=1)" if _services_required() else ""
    db = os.environ.get("DATABASE_URL", "").split("://")[0] or "sqlite (embedded default)"
    return f"keel services{required}: database={db}, REDIS_URL={os.environ.get('REDIS_URL') or 'unset'}"


def pytest_terminal_summary(terminalreporter):
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "service unavailable" in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_line(
            f"NOTICE: {len(skipped)} test(s) skipped because a service is unavailable (see the SKIPPED lines above; "
            "`make test` finds PostgreSQL and Redis on 127.0.0.1, or set DATABASE_URL / REDIS_URL).",
            yellow=True,
        )


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """The production hasher spends ~0.5 s per password on purpose; every factory user would
    pay it. Tests hash with MD5 instead (subprocess tests still use the real settings)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# --- A portfolio admin of the cast's portfolio (health thresholds, reporting) ----------------------


@pytest.fixture
def portfolio_admin(portfolio):
    user = UserFactory(username="padmin")
    MembershipFactory(user=user, role=Role.PORTFOLIO_ADMIN, portfolio=portfolio)
    return user
