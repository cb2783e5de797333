"""DRF authentication by personal API token: `Authorization: Bearer keel_…` (or `Token keel_…`)."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from .models import ApiToken
from .throttles import BAD_TOKENS, AnonThrottle, BadTokenThrottle

# last_used_at is informational; writing it on every request would turn reads into writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)


TOKEN_INVALID = "Invalid or revoked API token."  # noqa: S105 - a message
TOKEN_EXPIRED = "This API token expired on {moment}. Create a new one on your profile page."  # noqa: S105 - a message
TOKEN_READ_ONLY = "This API token is read-only: it may only read (GET, HEAD, OPTIONS), not {method}."  # noqa: S105


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <secret>`: 401 for a wrong, revoked or expired token; 403 for a
    write with a read-only token; 429 once an address has sent too many wrong tokens
    (core.throttles.BadTokenThrottle)."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        guard = BadTokenThrottle()
        if guard.blocked(request):
            wait = guard.wait()
            raise exceptions.Throttled(wait=wait, detail=BAD_TOKENS.format(wait=int(wait or 0) + 1))
        if len(header) != 2:
            guard.record_failure()
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <token>'.")
        secret = header[1].decode(errors="replace")
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(secret), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            guard.record_failure()
            raise exceptions.AuthenticationFailed(TOKEN_INVALID)
        now = timezone.now()
        if token.is_expired(now):
            moment = timezone.localtime(token.expires_at).strftime("%d %b %Y %H:%M %Z")
            raise exceptions.AuthenticationFailed(TOKEN_EXPIRED.format(moment=moment))
        if token.is_read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(TOKEN_READ_ONLY.format(method=request.method))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class AnonymousThrottleAuthentication(authentication.BaseAuthentication):
    """Last in DEFAULT_AUTHENTICATION_CLASSES: reached only when no credentials were given. Applies
    the anonymous rate (core.throttles.AnonThrottle) here, before the permission check, so that
    requests without credentials to endpoints that need them are counted too (DRF checks
    throttles only after permissions, and a 401 would end the request first). Authenticates
    nobody."""

    def authenticate(self, request):
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if getattr(view, "swagger_fake_view", False):
            return None  # drf-spectacular's schema generation, not a client
        throttle = AnonThrottle()
        if not throttle.allow_request(request, None):
            raise exceptions.Throttled(wait=throttle.wait())
        return None


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents the token as an HTTP bearer scheme in the OpenAPI schema."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (`keel_…`), from POST /api/v1/tokens/ or manage.py create_api_token.",
        }
