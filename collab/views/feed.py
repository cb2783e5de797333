"""collab views: feed (see collab.urls)."""

urlpatterns: list = []
