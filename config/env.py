"""Typed readers for environment variables that fail loudly on a bad value.

Every variable read here is listed in `.env.example` and the README.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable, or `default`; raise when neither is set."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def email_url(value: str) -> dict:
    """SMTP options from an EMAIL_URL: `smtp://user:password@host:587` (STARTTLS with `?tls=1`
    or the `submission` scheme `smtp+tls://`), `smtps://…:465` (implicit TLS). User and password
    are percent-decoded. Returns the options of Django's SMTP backend."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtp+tls", "smtps", "smtp+ssl"):
        raise ImproperlyConfigured(f"EMAIL_URL must start with smtp://, smtp+tls:// or smtps://, not {parts.scheme!r}.")
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host.")
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    use_ssl = scheme in ("smtps", "smtp+ssl") or query.get("ssl") in _TRUE
    use_tls = scheme == "smtp+tls" or query.get("tls") in _TRUE
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL asks for both STARTTLS and implicit TLS; choose one.")
    try:
        port = parts.port or (465 if use_ssl else 587 if use_tls else 25)
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number.") from None
    return {
        "host": parts.hostname,
        "port": port,
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_tls": use_tls,
        "use_ssl": use_ssl,
    }


def oidc_role_map(value: str) -> list[tuple[str, str, str, str]]:
    """KEEL_OIDC_ROLE_MAP: `group=role@SCOPE` entries separated by `;`. SCOPE is a portfolio code,
    or `program:CODE` / `project:CODE`. Returns (group, role, scope kind, code) tuples; the codes
    are looked up at each sign-in (an unknown one is logged and skipped)."""
    from portfolio.roles import Role

    entries = []
    for raw in value.split(";"):
        entry = raw.strip()
        if not entry:
            continue
        group, sep, grant = entry.partition("=")
        role, at, scope = grant.partition("@")
        group, role, scope = group.strip(), role.strip(), scope.strip()
        if not (sep and at and group and role and scope):
            raise ImproperlyConfigured(f"KEEL_OIDC_ROLE_MAP entry {entry!r} is not group=role@SCOPE.")
        if role not in Role.values:
            raise ImproperlyConfigured(
                f"KEEL_OIDC_ROLE_MAP entry {entry!r}: {role!r} is not one of {', '.join(Role.values)}."
            )
        kind, colon, code = scope.partition(":")
        if not colon:
            kind, code = "portfolio", scope
        if kind not in ("portfolio", "program", "project") or not code:
            raise ImproperlyConfigured(
                f"KEEL_OIDC_ROLE_MAP entry {entry!r}: scope must be CODE, program:CODE or project:CODE."
            )
        entries.append((group, role, kind, code.strip()))
    return entries
