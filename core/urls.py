from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.api_token_create_view, name="token-create"),
    path("profile/tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="token-revoke"),
    path("admin-tools/jobs/", views.taskrun_list, name="taskrun-list"),
    path("admin-tools/jobs/<str:task_id>/", views.taskrun_detail, name="taskrun-detail"),
]
