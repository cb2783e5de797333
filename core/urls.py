from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.api_token_create_view, name="token-create"),
    path("profile/tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="token-revoke"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/preferences/", views.notification_preferences, name="notification-preferences"),
    path("admin-tools/jobs/", views.taskrun_list, name="taskrun-list"),
    path("admin-tools/jobs/<str:task_id>/", views.taskrun_detail, name="taskrun-detail"),
]
