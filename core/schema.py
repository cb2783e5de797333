"""The OpenAPI schema's shared part: every operation documents the errors it can answer.

drf-spectacular documents only the success response unless a view says more, so a client (and
Schemathesis, tests/api/test_schemathesis.py) would meet undocumented 400s, 401s, 404s. This
AutoSchema adds, to every operation that does not document them itself, the errors the shared
machinery answers, all with the one error body (core.serializers.ErrorSerializer, written by
core.api.exception_handler and core.middleware.ApiJsonErrorsMiddleware) as application/json,
also on operations whose success is a file (an XLSX export's 404 is still JSON)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from .serializers import ErrorSerializer

ERROR_MEDIA_TYPES = ("application/json",)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
IF_MATCH_METHODS = frozenset({"PUT", "PATCH", "DELETE"})

BAD_REQUEST = "Bad input: a query parameter or body field the operation refuses; `errors` name each field and why."
UNAUTHENTICATED = "No credentials, or a token that is invalid, revoked or expired."
FORBIDDEN = "Signed in, but the role (or a read-only token) does not allow this."
NOT_FOUND = "No such object, or one outside your scopes (hidden objects are 404, never 403)."
NOT_FOUND_LIST = "A page past the last one, or `?page=` that is not a positive number."
TOO_LARGE = "The request body is larger than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE)."
THROTTLED = "Too many requests: wait the seconds in Retry-After."
STALE = "Stale or malformed If-Match: reload and retry."
IF_MATCH_REQUIRED = "No If-Match, on a server that requires it (KEEL_REQUIRE_IF_MATCH)."


class KeelAutoSchema(AutoSchema):
    """AutoSchema with the default error responses (see the module docstring)."""

    def _default_errors(self) -> dict[str, str]:
        method = self.method.upper()
        errors = {"400": BAD_REQUEST, "401": UNAUTHENTICATED, "403": FORBIDDEN}
        errors["404"] = NOT_FOUND_LIST if self._is_list_view() and method == "GET" else NOT_FOUND
        if method in WRITE_METHODS:
            errors["413"] = TOO_LARGE
        if method in IF_MATCH_METHODS and self._uses_if_match():
            errors["412"] = STALE
            errors["428"] = IF_MATCH_REQUIRED
        errors["429"] = THROTTLED
        return errors

    def _uses_if_match(self) -> bool:
        from .api import VersionedModelViewSetMixin  # core.api imports this module's neighbours

        return isinstance(self.view, VersionedModelViewSetMixin)

    def _map_basic_serializer(self, serializer, direction):
        """A serializer's `omitted_for_some_readers` fields (e.g. a person's cost rate, shown
        only to those who may see rates) are not `required` in the responses' schema."""
        result = super()._map_basic_serializer(serializer, direction)
        omitted = set(getattr(serializer, "omitted_for_some_readers", ()))
        if omitted and "required" in result:
            result["required"] = [name for name in result["required"] if name not in omitted]
            if not result["required"]:
                del result["required"]
        return result

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in self._default_errors().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, ERROR_MEDIA_TYPES, direction
                )
        return responses
