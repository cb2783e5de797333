"""collab views: comments (see collab.urls)."""

urlpatterns: list = []
