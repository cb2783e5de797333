"""Comments, attachments and activity feeds: each views module brings its own patterns."""

from .views import attachments, comments, feed

app_name = "collab"
urlpatterns = [*comments.urlpatterns, *attachments.urlpatterns, *feed.urlpatterns]
