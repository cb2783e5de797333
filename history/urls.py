from django.urls import path

from . import views

app_name = "history"
urlpatterns = [
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/<int:pk>/attachment/", views.attachment_download, name="attachment"),
    path("history/<str:object_type>/<str:object_id>/", views.object_history, name="object-history"),
]
