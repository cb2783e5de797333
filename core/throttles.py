"""API throttles (issue 12, defect 5): per signed-in user, per token, per anonymous client
address, and wrong tokens per client address.

Rates come from settings.KEEL_API_THROTTLE_RATES (KEEL_API_THROTTLE_* in the environment), read
when a request is checked rather than when the class is defined, so a test may change them.
Counters live in the default cache (settings.CACHES): Redis shares them across workers; local
memory counts per process. An exceeded rate answers 429 with Retry-After (DRF's Throttled,
through core.api.exception_handler's JSON body)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

BAD_TOKENS = "Too many invalid API tokens from this address. Try again in {wait} seconds."


class _KeelThrottle(SimpleRateThrottle):
    def get_rate(self) -> str:
        return settings.KEEL_API_THROTTLE_RATES[self.scope]

    def _key(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class UserThrottle(_KeelThrottle):
    """Every request of a signed-in user, by session or by any of their tokens."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self._key(request.user.pk)


class TokenThrottle(_KeelThrottle):
    """The requests made with one token (a lower rate than the user's, so one runaway
    integration cannot use up its owner's allowance alone)."""

    scope = "token"

    def get_cache_key(self, request, view):
        from .models import ApiToken

        if not isinstance(request.auth, ApiToken):
            return None
        return self._key(request.auth.pk)


class AnonThrottle(_KeelThrottle):
    """Requests without credentials, by client address. Applied by
    core.authentication.AnonymousThrottleAuthentication, once no credentials were found (so
    before the permission check that would answer 401), not as a DRF throttle class."""

    scope = "anon"

    def get_cache_key(self, request, view):
        return self._key(self.get_ident(request))


class BadTokenThrottle(_KeelThrottle):
    """Wrong tokens per client address, counted by core.authentication: past the rate, every
    token from that address is refused (429) until the window is over — the right one too, so a
    guesser learns nothing from the answer."""

    scope = "bad_token"

    def get_cache_key(self, request, view=None):
        return self._key(self.get_ident(request))

    def blocked(self, request) -> bool:
        """Load this address's failures; True when they have reached the rate."""
        self.key = self.get_cache_key(request)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) >= self.num_requests

    def record_failure(self) -> None:
        """Count one more wrong token (after `blocked`)."""
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
