"""Single sign-on settings fail loudly at start-up on a half-done configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _settings_error(tmp_path, **env) -> str:
    keep = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.INSTALLED_APPS"],
        cwd=REPO,
        env={**keep, "KEEL_DATA_DIR": str(tmp_path), "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.stderr if result.returncode else ""


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KEEL_OIDC_CLIENT_ID": "keel"}, "KEEL_OIDC_CLIENT_SECRET is not"),
        ({"KEEL_OIDC_CLIENT_ID": "keel", "KEEL_OIDC_CLIENT_SECRET": "s"}, "needs KEEL_OIDC_ISSUER"),
        ({"KEEL_PASSWORD_LOGIN": "0"}, "nobody could sign in"),
        ({"KEEL_PASSWORD_LOGIN": "maybe"}, "is not a boolean"),
        ({"KEEL_OIDC_ROLE_MAP": "admins=overlord@P1"}, "KEEL_OIDC_ROLE_MAP"),
        (
            {
                "KEEL_OIDC_CLIENT_ID": "k",
                "KEEL_OIDC_CLIENT_SECRET": "s",
                "KEEL_OIDC_ISSUER": "https://id",
                "KEEL_OIDC_SCOPES": "email",
            },
            "must include 'openid'",
        ),
    ],
)
def test_bad_configuration_stops_start_up(tmp_path, env, message):
    assert message in _settings_error(tmp_path, **env)


def test_complete_configuration_starts(tmp_path):
    env = {
        "KEEL_OIDC_CLIENT_ID": "k",
        "KEEL_OIDC_CLIENT_SECRET": "s",
        "KEEL_OIDC_ISSUER": "https://id.example",
        "KEEL_PASSWORD_LOGIN": "0",
    }
    assert _settings_error(tmp_path, **env) == ""
