"""E-mail (issue 12, defect 6): SMTP from EMAIL_URL or KEEL_EMAIL_*, the console backend in the
embedded default, and a password reset that really sends its message."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from config.env import email_url

ROOT = Path(__file__).resolve().parents[2]


class TestEmailUrl:
    def test_starttls_with_percent_encoded_login(self):
        assert email_url("smtp+tls://keel%40example.org:p%40ss%3Aword@mail.example.org") == {
            "host": "mail.example.org",
            "port": 587,
            "username": "keel@example.org",
            "password": "p@ss:word",
            "use_tls": True,
            "use_ssl": False,
        }

    def test_implicit_tls_and_a_port(self):
        options = email_url("smtps://u:p@mail.example.org:2465")
        assert (options["port"], options["use_ssl"], options["use_tls"]) == (2465, True, False)

    def test_plain_smtp_with_tls_in_the_query(self):
        options = email_url("smtp://relay.internal?tls=1")
        assert (options["host"], options["port"], options["use_tls"], options["username"]) == (
            "relay.internal",
            587,
            True,
            "",
        )

    @pytest.mark.parametrize("value", ["http://mail.example.org", "smtp://", "smtps://h?tls=1", "smtp://h:port"])
    def test_bad_urls_stop_start_up_naming_email_url(self, value):
        with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
            email_url(value)


def mailer_with(env: dict) -> dict:
    """settings.MAILERS["default"] as a fresh process computes it from `env`."""
    clean = {k: v for k, v in os.environ.items() if "EMAIL" not in k and k not in ("DATABASE_URL", "DEBUG")}
    code = (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup(); "
        "from django.conf import settings; "
        "print(json.dumps([settings.MAILERS['default'], settings.DEFAULT_FROM_EMAIL]))"
    )
    env = {**clean, "SECRET_KEY": "test", "DEBUG": "0", **env}
    command = [sys.executable, "-c", code]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(out.stdout.strip().splitlines()[-1])


class TestSettings:
    def test_the_embedded_default_prints_mail_to_the_log(self):
        mailer, sender = mailer_with({})
        assert mailer == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        assert sender == "Keel <keel@localhost>"

    def test_keel_email_variables_configure_smtp(self):
        mailer, sender = mailer_with(
            {
                "KEEL_EMAIL_HOST": "smtp.example.org",
                "KEEL_EMAIL_PORT": "587",
                "KEEL_EMAIL_USER": "keel",
                "KEEL_EMAIL_PASSWORD": "secret",
                "KEEL_EMAIL_USE_TLS": "1",
                "KEEL_EMAIL_FROM": "Keel <keel@example.org>",
            }
        )
        assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
        assert mailer["OPTIONS"] == {
            "host": "smtp.example.org",
            "port": 587,
            "username": "keel",
            "password": "secret",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 10,
        }
        assert sender == "Keel <keel@example.org>"

    def test_email_url_configures_smtp(self):
        mailer, _ = mailer_with({"EMAIL_URL": "smtps://u:p@mail.example.org"})
        assert (mailer["OPTIONS"]["host"], mailer["OPTIONS"]["port"], mailer["OPTIONS"]["use_ssl"]) == (
            "mail.example.org",
            465,
            True,
        )


@pytest.mark.django_db
def test_a_password_reset_sends_the_link(client, owner):
    owner.email = "owner@example.org"
    owner.save()
    response = client.post("/accounts/password_reset/", {"email": "owner@example.org"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["owner@example.org"]
    assert "/accounts/reset/" in message.body
