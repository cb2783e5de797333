"""Webhook signatures: `Keel-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]`, where each v1 is
HMAC-SHA256 over "<t>.<raw body>" with one of the subscription's signing secrets (two during a
rotation's grace period). A receiver accepts the request when any v1 matches its secret and `t`
is recent (README: Webhooks)."""

import hashlib
import hmac

HEADER = "Keel-Signature"
DEFAULT_TOLERANCE = 300  # seconds a receiver should accept between `t` and its own clock


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def header_value(secrets: list[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={signature(s, timestamp, body)}" for s in secrets)])


def verify(*, secret: str, header: str, body: bytes, now: int, tolerance: int = DEFAULT_TOLERANCE) -> bool:
    """Does `header` sign `body` with `secret`, at a time within `tolerance` of `now`? What a
    receiver does; kept here for the tests and as the reference for the README snippet."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    stamps = [v for k, v in parts if k == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit() or abs(now - int(stamps[0])) > tolerance:
        return False
    expected = signature(secret, int(stamps[0]), body)
    return any(hmac.compare_digest(expected, v) for k, v in parts if k == "v1")
