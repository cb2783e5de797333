"""Request hygiene that every view relies on."""

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
