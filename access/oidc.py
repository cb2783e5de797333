"""OpenID Connect single sign-on on mozilla-django-oidc.

Why mozilla-django-oidc rather than django-allauth: it is small and does OIDC only (the code
flow, id_token verification against the provider's JWKS, PKCE), which is all Keel needs; allauth
brings account management, e-mail flows and dozens of providers that Keel would have to disable.

Keel adds: endpoints from the issuer's discovery document when not given one by one; the id_token's
issuer and audience checked; users matched on a *verified* e-mail address (or created); the
group → role mapping of KEEL_OIDC_ROLE_MAP applied at every sign-in (access.services.sso_sync_roles);
deactivated users refused, at sign-in and on every later request of their session.
"""

import functools
import logging
import re

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

log = logging.getLogger(__name__)

EMAIL_NOT_VERIFIED = "The identity provider did not vouch for the e-mail address (email_verified)."
WRONG_AUDIENCE = "The id_token was issued for another client."
WRONG_ISSUER = "The id_token was issued by another provider."

# Keel's endpoint settings and their names in the discovery document.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


@functools.cache
def _discovery(issuer: str) -> dict:
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer:
        raise ImproperlyConfigured(f"The discovery document at {issuer} names another issuer.")
    return document


def oidc_setting(name: str, *default):
    """A mozilla-django-oidc setting; an empty endpoint comes from the issuer's discovery
    document (fetched once per process, at the first sign-in rather than at start-up)."""
    value = getattr(settings, name, None)
    if name in _DISCOVERED and not value and settings.KEEL_OIDC_ISSUER:
        value = _discovery(settings.KEEL_OIDC_ISSUER).get(_DISCOVERED[name], "")
    if value is None or value == "":
        if default:
            return default[0]
        raise ImproperlyConfigured(f"Setting {name} not found")
    return value


def sso_enabled() -> bool:
    return bool(settings.KEEL_SSO_ENABLED)


def _username_from(claims: dict) -> str:
    """A free username from preferred_username or the e-mail's local part."""
    wanted = claims.get("preferred_username") or claims.get("email", "").split("@")[0] or "user"
    base = re.sub(r"[^\w.@+-]", "", wanted)[:140] or "user"
    users = get_user_model().objects
    candidate, n = base, 1
    while users.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


class KeelOIDCBackend(OIDCAuthenticationBackend):
    """The code-flow backend, with Keel's checks and the role mapping."""

    def __init__(self, *args, **kwargs):
        # Endpoints are looked up when used: this backend also restores sessions on every request
        # (get_user), which must not wait for the provider.
        self.UserModel = get_user_model()

    get_settings = staticmethod(oidc_setting)

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_JWKS_ENDPOINT"))

    def authenticate(self, request, **kwargs):
        if not sso_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        claims = super()._verify_jws(payload, key)
        # mozilla-django-oidc checks the signature, expiry and nonce; the audience and issuer too.
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation(WRONG_AUDIENCE)
        if settings.KEEL_OIDC_ISSUER and str(claims.get("iss", "")).rstrip("/") != settings.KEEL_OIDC_ISSUER:
            raise SuspiciousOperation(WRONG_ISSUER)
        return claims

    def verify_token(self, token, **kwargs):
        try:
            return super().verify_token(token, **kwargs)
        except jwt.PyJWTError as exc:  # expired, not yet valid, malformed
            raise SuspiciousOperation(f"id_token refused: {exc}") from exc

    def verify_claims(self, claims):
        if not claims.get("email"):
            return False
        if claims.get("email_verified") is not True:
            log.warning("SSO sign-in refused: %s", EMAIL_NOT_VERIFIED)
            return False
        return True

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(email__iexact=claims["email"])

    def create_user(self, claims):
        from .services import sso_user_create

        return sso_user_create(username=_username_from(claims), claims=claims)

    def update_user(self, user, claims):
        from .services import sso_user_update

        return sso_user_update(user=user, claims=claims)

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None and user.is_active:
            from .services import sso_sync_roles

            claims = getattr(self, "_last_claims", {})
            sso_sync_roles(user=user, groups=groups_of(claims))
        return user

    def get_userinfo(self, access_token, id_token, payload):
        claims = {**payload, **super().get_userinfo(access_token, id_token, payload)}
        self._last_claims = claims
        return claims

    def get_user(self, user_id):
        # The library's get_user returns deactivated users too, which would keep their sessions alive.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def groups_of(claims: dict) -> list[str]:
    """The groups claim as a list of names (a single string counts as one group)."""
    value = claims.get(settings.KEEL_OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):
        return [value]
    return [str(group) for group in value if group]


class SsoStartView(OIDCAuthenticationRequestView):
    """Redirects to the provider's authorization endpoint (404 while SSO is off)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    get_settings = staticmethod(oidc_setting)
    OIDC_OP_AUTH_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)

    def get(self, request):
        if not sso_enabled():
            raise Http404
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; a bad or replayed state, nonce or
    signature is a 400 (SuspiciousOperation), anything else that fails goes back to the login page."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not sso_enabled():
            raise Http404
        return super().get(request)
