"""The collab API's routes, included by config.api_router under /api/v1/collab/."""

from django.urls import path

from .comments import ActivityView, comment, comments

urlpatterns = [
    path("collab/<slug:target>/<int:target_id>/comments/", comments, name="collab-comment-list"),
    path("collab/<slug:target>/<int:target_id>/comments/<int:pk>/", comment, name="collab-comment-detail"),
    path("collab/<slug:target>/<int:target_id>/activity/", ActivityView.as_view(), name="collab-activity"),
]
