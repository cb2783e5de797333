"""Smoke test of the embedded default (docs/architecture.md): with no DATABASE_URL and no broker,
Keel migrates, seeds and serves a working demo on SQLite.

Everything runs in subprocesses with a clean environment, as `make run` would on a bare
machine: migrate, seed_demo, then a real `runserver` on a free port, driven over HTTP.
"""

import html
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings

from demo.logins import DEMO_PASSWORD

BASE_DIR = Path(settings.BASE_DIR)
START_TIMEOUT = 60  # seconds for runserver to answer


@pytest.fixture
def clean_env(tmp_path):
    """Only what a shell on a bare machine has, plus the data directory and DEBUG=1."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    env.update(KEEL_DATA_DIR=str(tmp_path), DEBUG="1", PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def manage(env, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(clean_env, tmp_path):
    """Migrated, seeded (small, seed 1) and serving; yields (base URL, path of the SQLite file)."""
    manage(clean_env, "migrate", "--noinput")
    output = manage(clean_env, "seed_demo", "--scale", "small", "--seed", "1", "--no-progress")
    assert "program_manager" in output  # the logins table is printed
    port = free_port()
    with (tmp_path / "runserver.log").open("w+") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=BASE_DIR,
            env=clean_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/accounts/login/", timeout=2):  # noqa: S310 - local URL
                        break
                except (urllib.error.URLError, ConnectionError):
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        pytest.fail(f"runserver did not start (exit code {process.poll()}):\n{log.read()}")
                    time.sleep(0.25)
            yield base, tmp_path / "keel.sqlite3"
        finally:
            process.terminate()
            process.wait(timeout=15)


def fetch(opener, url: str, *, data: bytes | None = None, headers: dict | None = None):
    """Open a URL on the local test server (only ever http://127.0.0.1:<port>/...)."""
    assert url.startswith("http://127.0.0.1:")
    return opener.open(urllib.request.Request(url, data=data, headers=headers or {}))  # noqa: S310 - checked above


def log_in(base: str, username: str):
    """A urllib opener holding a session cookie for `username`, logged in through the form."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with fetch(opener, f"{base}/accounts/login/") as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    assert token, "the login page has no CSRF token field"
    form = urllib.parse.urlencode(
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    with fetch(opener, f"{base}/accounts/login/", data=form) as response:
        assert response.status == 200
        assert not response.url.endswith("/accounts/login/"), "login was refused"
    return opener


def test_embedded_default_serves_seeded_demo_to_a_logged_in_user(server):
    base, database = server
    with closing(sqlite3.connect(database)) as db:
        program_id, program_code, program_name = db.execute(
            "SELECT p.id, p.code, p.name FROM portfolio_program p JOIN auth_user u ON u.id = p.manager_id "
            "WHERE u.username = 'program_manager'"
        ).fetchone()
        statuses = dict(db.execute("SELECT code, status FROM projects_project WHERE program_id = ?", [program_id]))
    project_codes = set(statuses)
    # The demo program's four projects, and the planning stage's five proposals beside them.
    assert len([code for code, status in statuses.items() if status != "proposed"]) == 4
    assert sorted(code for code, status in statuses.items() if status == "proposed") == [
        "PLAN-DATA",
        "PLAN-PORTAL",
        "PLAN-SEC",
        "PLAN-WH1",
        "PLAN-WH2",
    ]

    opener = log_in(base, "program_manager")

    with fetch(opener, f"{base}/") as response:
        assert response.status == 200
        page = response.read().decode()
    assert html.escape(program_name) in page or program_code in page

    with fetch(opener, f"{base}/api/v1/projects/", headers={"Accept": "application/json"}) as response:
        assert response.status == 200
        body = json.load(response)
    rows = body["results"] if isinstance(body, dict) else body
    assert {row["code"] for row in rows} == project_codes
