"""Shared fixtures: a cast of users around one program.

- owner: program manager of `program` (edits the program and everything in it)
- project_manager: project manager of `project`
- member: team member of `project` (reads it, edits nothing)
- executive: executive on the portfolio (reads everything in it, edits nothing)
- outsider: holds a role only in another portfolio (sees none of this: 404)
"""

import contextlib
import datetime as dt
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
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
    from demo.seed import demo_seed

    return demo_seed(scale="small", seed=1, today=DEMO_TODAY, history=False)


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
# `celery_worker` need REDIS_URL answering PING; tests marked `redis_server` start their own
# redis-server and need the executable. bin/test-env (run by `make test`) sets the
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
def _redis_server_problem() -> str | None:
    if shutil.which("redis-server") is None:
        why = "no redis-server executable (apt install redis-server)"
        return SERVICE_UNAVAILABLE.format(service="redis-server", why=why)
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


# axe-core, the accessibility checker the browser tests inject into each page: from npm
# (package.json / package-lock.json at the repo root; `make test` runs `npm ci`).
AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@functools.cache
def _axe_problem() -> str | None:
    if not AXE_SCRIPT.is_file():
        why = "node_modules/axe-core is missing; run `make test-js` (npm ci; apt install nodejs npm)"
        return SERVICE_UNAVAILABLE.format(service="axe-core", why=why)
    return _browser_problem()


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
    "redis_server": _redis_server_problem,
    "mpxj": _mpxj_problem,
    "browser": _browser_problem,
    "axe": _axe_problem,
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


@pytest.fixture(autouse=True)
def celery_join_flag_restored():
    """Celery's eager `apply_async` sets a process-wide flag ("a result may not be waited for
    here") for the task's duration and puts back what it found. Two threads running eager tasks at
    once (tests/projects/test_schedule_concurrency.py) can each find the other's value and leave
    it set, and every later `.get()` in this process then fails with "Never call result.get()
    within a task!". Each test gets the flag back as it found it."""
    from celery._state import _set_task_join_will_block, task_join_will_block

    before = task_join_will_block()
    yield
    _set_task_join_will_block(before)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """The production hasher spends ~0.5 s per password on purpose; every factory user would
    pay it. Tests hash with MD5 instead (subprocess tests still use the real settings)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# --- Real Celery workers and Redis servers ---------------------------------------------------
# Tests that send tasks through a real broker to a real `celery -A config worker` subprocess.
# `redis_celery` + `worker` use the shared REDIS_URL with a private queue; the fault tests
# (tests/reporting/test_faults.py) start their OWN redis-server (`redis_server`, marker
# `redis_server`), so they can stop it, and their own workers (`start_worker`), which they may
# SIGKILL. Each is stopped by its own PID (a worker with its process group: its pool children).

WORKER_READY_TIMEOUT = 60  # seconds; a cold worker on a busy 2-core machine takes a few


def forget_celery_connections(app) -> None:
    """Drop the app's cached producer pool and result backend so the next use builds them
    from the current configuration (Celery caches both on first use)."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextlib.contextmanager
def celery_pointed_at(broker_url: str, *, result_backend: str | None = None):
    """Send this process's tasks to `broker_url` (eager off) inside the block; restore after."""
    from config.celery import app

    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=broker_url, result_backend=result_backend, task_always_eager=False)
    forget_celery_connections(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        forget_celery_connections(app)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(predicate, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        if value := predicate():
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout:.0f} s")
        time.sleep(interval)


class RedisServer:
    """A `redis-server` of our own on a free port, without persistence; start/stop at will."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def _pong(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> "RedisServer":
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory), "--loglevel", "warning"]
        log = (self.directory / "redis.log").open("a")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 - fixed command
        _wait_for(self._pong, timeout=20, what=f"redis-server on port {self.port} did not answer PING")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class Worker:
    """A `celery -A config worker` subprocess (its own session, so its pool children share its
    process group) pointed at `broker_url` and at the database this test uses."""

    def __init__(self, *, app, broker_url: str, log_path: Path, env: dict, command: list[str] | None = None):
        self.app = app
        self.broker_url = broker_url
        self.log_path = log_path
        self.nodename = f"keel-test-{uuid.uuid4().hex[:10]}@localhost"
        self.env = env
        self.command = command or [sys.executable, "-m", "celery", "-A", "config", "worker"]
        self.process: subprocess.Popen | None = None

    def start(self, *options: str) -> "Worker":
        command = [*self.command, "--loglevel=INFO", "--hostname", self.nodename, "--without-gossip"]
        command += ["--without-mingle", "--without-heartbeat", *options]
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            command,
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.wait_ready()

    def wait_ready(self, timeout: float = WORKER_READY_TIMEOUT) -> "Worker":
        """Wait until the worker answers a ping through the broker (so it is consuming)."""
        if not self.answers(timeout):
            pytest.fail(f"Celery worker did not become ready (exit code {self.process.poll()}):\n{self.log()}")
        return self

    def answers(self, timeout: float) -> bool:
        """Does the worker answer a ping within `timeout` s? False as soon as its process exits."""
        deadline = time.monotonic() + timeout
        while not self._pong():
            if self.process is None or self.process.poll() is not None or time.monotonic() > deadline:
                return False
        return True

    def _pong(self) -> bool:
        try:
            return bool(self.app.control.ping(destination=[self.nodename], timeout=0.5))
        except Exception:  # a pooled connection to a Redis that restarted: build new ones
            forget_celery_connections(self.app)
            time.sleep(0.2)
            return False

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its pool children (its process group), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL if it has not gone in 15 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        # Pool children left behind by a parent that died go with the group.
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None


def database_url_of_this_test() -> str:
    """The URL of the database the running test uses (pytest-django's test_… database), for a
    subprocess that must see the rows this test commits."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_celery():
    """This process's Celery app on the shared REDIS_URL (broker and result backend), eager
    off; the previous configuration is restored afterwards."""
    url = os.environ["REDIS_URL"]
    with celery_pointed_at(url, result_backend=url) as app:
        yield app


@pytest.fixture
def worker(redis_celery, tmp_path):
    """A solo worker on the shared REDIS_URL and its own queue (so it neither feeds nor is fed by
    any other worker on that Redis). Yields the queue name; stopped in teardown."""
    url = os.environ["REDIS_URL"]
    env = {**os.environ, "CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": url, "PYTHONUNBUFFERED": "1"}
    process = Worker(app=redis_celery, broker_url=url, log_path=tmp_path / "worker.log", env=env)
    queue = f"keel-test-{uuid.uuid4().hex[:10]}"
    try:
        process.start("--pool=solo", "--queues", queue)
        yield queue
    finally:
        process.stop()


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own (marker `redis_server`), started; stopped in teardown."""
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def celery_on_redis_server(redis_server):
    """This process's Celery app sending to the test's own redis-server (no result backend)."""
    with celery_pointed_at(redis_server.url) as app:
        yield app


@pytest.fixture
def start_worker(celery_on_redis_server, redis_server, transactional_db, tmp_path):
    """`start_worker(env=None, command=None)` starts a prefork worker (one child) on the test's
    redis-server and database; every worker started is stopped in teardown, before the database
    is flushed. `command` replaces `python -m celery -A config worker` (the slow worker)."""
    started: list[Worker] = []

    def start(*, env: dict | None = None, command: list[str] | None = None) -> Worker:
        environment = {
            **os.environ,
            "CELERY_BROKER_URL": redis_server.url,
            "CELERY_RESULT_BACKEND": "",
            "DATABASE_URL": database_url_of_this_test(),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        worker = Worker(
            app=celery_on_redis_server,
            broker_url=redis_server.url,
            log_path=tmp_path / f"worker-{len(started)}.log",
            env=environment,
            command=command,
        )
        started.append(worker)
        return worker.start("--pool=prefork", "--concurrency=1")

    yield start
    for worker in started:
        worker.stop()


# --- A portfolio admin of the cast's portfolio, and API clients ------------------------------


@pytest.fixture
def api_for():
    """`api_for(user)` is a DRF test client signed in as `user` (None: anonymous)."""
    from rest_framework.test import APIClient

    def make(user=None, **kwargs) -> APIClient:
        client = APIClient(**kwargs)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def portfolio_admin(portfolio):
    user = UserFactory(username="padmin")
    MembershipFactory(user=user, role=Role.PORTFOLIO_ADMIN, portfolio=portfolio)
    return user


# --- Uploaded files (attachments) ------------------------------------------------------------


@pytest.fixture
def media_storage(settings, tmp_path):
    """Uploaded files go to a fresh folder for this test (the default FileSystemStorage, as in the
    embedded default); the storage is returned so a test can list what was stored."""
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path / "media"
    return default_storage


def stored_files(storage, folder: str = "") -> list[str]:
    """Every file name in `storage` below `folder` (any backend: listdir, recursively)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    found = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        found += stored_files(storage, f"{folder}/{sub}" if folder else sub)
    return sorted(found)


# --- A local HTTP receiver for outbound webhooks ---------------------------------------------


class WebhookReceiver:
    """A threaded http.server on a free loopback port that records every POST (headers and raw
    body) and answers with the next status of `statuses` (the last one repeats)."""

    def __init__(self):
        import http.server
        import threading

        self.requests: list[dict] = []
        self.statuses = [200]
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answer {status}".encode())

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver(settings):
    """A running WebhookReceiver; private targets allowed (it is on loopback) for this test."""
    settings.KEEL_WEBHOOK_ALLOW_PRIVATE = True
    receiver = WebhookReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()
