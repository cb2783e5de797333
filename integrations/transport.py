"""The one place a webhook leaves Keel: target checks against SSRF and the HTTP POST.

A target must be https (http only with DEBUG or KEEL_WEBHOOK_ALLOW_PRIVATE), and every address
its host resolves to must be public: loopback, private, link-local, multicast, reserved and
unspecified addresses are refused unless KEEL_WEBHOOK_ALLOW_PRIVATE is on. The check runs when
a subscription is saved and again before every attempt, and the connection goes to the address
that was checked (so a DNS answer that changes in between cannot redirect it). Redirects are not
followed (http.client never does): a 3xx answer is a failed attempt.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

HTTPS_REQUIRED = "The URL must use https."
BAD_URL = "Enter an http(s) URL with a host name."
UNRESOLVABLE = "The host {host} could not be resolved."
PRIVATE_ADDRESS = (
    "The host {host} resolves to {address}, a loopback, private or reserved address; "
    "webhooks go to public addresses only."
)
EXCERPT_CHARS = 1000
MAX_RESPONSE_BYTES = 64 * 1024  # read at most this much of an answer


class TargetRefusedError(ValueError):
    """The URL may not be called (the message says why)."""


@dataclass
class Response:
    status_code: int | None
    excerpt: str
    duration_ms: int
    error: str = ""


def _allow_private() -> bool:
    return bool(settings.KEEL_WEBHOOK_ALLOW_PRIVATE)


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) for a URL that may be called; raises
    TargetRefusedError otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefusedError(BAD_URL) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefusedError(BAD_URL)
    if parts.scheme == "http" and not (settings.DEBUG or _allow_private()):
        raise TargetRefusedError(HTTPS_REQUIRED)
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefusedError(UNRESOLVABLE.format(host=host)) from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise TargetRefusedError(UNRESOLVABLE.format(host=host))
    if not _allow_private():
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise TargetRefusedError(PRIVATE_ADDRESS.format(host=host, address=address))
    return parts.scheme, host, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` to `url` once; never raises for network trouble (it is in `error`)."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        scheme, host, port, address = check_url(url)
    except TargetRefusedError as exc:
        return Response(None, "", elapsed(), str(exc))
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=settings.KEEL_WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read(MAX_RESPONSE_BYTES).decode("utf-8", errors="replace")
        return Response(answer.status, text[:EXCERPT_CHARS], elapsed())
    except (OSError, http.client.HTTPException) as exc:
        return Response(None, "", elapsed(), f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()
