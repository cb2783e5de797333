"""collab views: attachments (see collab.urls)."""

urlpatterns: list = []
