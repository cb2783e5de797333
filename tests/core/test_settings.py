"""Settings fail loudly where it matters: nothing that serves requests starts without SECRET_KEY,
while offline management commands (migrations, checks) run with a throw-away key."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _bare_env(tmp_path) -> dict:
    keep = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    return {**keep, "KEEL_DATA_DIR": str(tmp_path)}


def test_offline_command_runs_without_secret_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=REPO,
        env=_bare_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_web_process_refuses_to_start_without_secret_key(tmp_path):
    env = {**_bare_env(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_runserver_refuses_to_start_without_secret_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "runserver", "--noreload"],
        cwd=REPO,
        env=_bare_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr
