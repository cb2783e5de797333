"""Request hygiene that every view relies on."""

from django.conf import settings
from django.http import Http404

NUL_IN_PATH = "No page has a NUL character in its address."


class NulInPathMiddleware:
    """A NUL character (%00) in the path names no page: 404 before any view looks it up.

    PostgreSQL cannot compare text holding a NUL, so `/projects/A%00B/` would otherwise reach
    `Project.objects.get(code=...)` and answer 500. Form fields and API fields refuse NUL in
    their own values (core.bounds.NUL_NOT_ALLOWED); this covers the codes in addresses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404(NUL_IN_PATH)
        return self.get_response(request)


API_PREFIX = "/api/"
API_ERROR_DETAILS = {
    400: "Bad request.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "The request body is too large.",
    500: "Server error.",
}


class ApiJsonErrorsMiddleware:
    """Under /api/ every error is JSON in the API's shape (`{"status", "detail", "errors"}`) or in
    the format the client asked for, also the ones Django itself answers with an HTML page: an
    address the router does not know (its 404 page), a body past DATA_UPLOAD_MAX_MEMORY_SIZE (its
    400 page for RequestDataTooBig), a 500. Outermost but for SecurityMiddleware, so it sees the
    response Django made of an exception."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            # Django's own error pages are HTML; a view that answered in the format the client
            # asked for (JSON, or XML for a schedule export) keeps its answer.
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "streaming", False)
        ):
            return self._as_json(request, response)
        return response

    @staticmethod
    def _as_json(request, response):
        from django.core.exceptions import RequestDataTooBig
        from django.http import JsonResponse

        status = response.status_code
        detail = API_ERROR_DETAILS.get(status, response.reason_phrase or "Error.")
        if status == 400 and isinstance(getattr(request, "_keel_exception", None), RequestDataTooBig):
            status, detail = 413, API_ERROR_DETAILS[413]
        replaced = JsonResponse({"status": status, "detail": detail, "errors": []}, status=status)
        for header in ("Allow", "WWW-Authenticate", "Vary"):
            if header in response:
                replaced[header] = response[header]
        return replaced

    def process_exception(self, request, exception):
        request._keel_exception = exception


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user that does not set its own
    caching: pages show what only that user may see (a new token's secret among them), and a
    shared or back-button cache must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY as the Permissions-Policy header on every response (Django
    has no setting for it; the Content-Security-Policy comes from django-csp)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response
