"""The governance API: (prefix, viewset, basename) routes registered on the one /api/v1/ router."""

ROUTES: list[tuple] = []
