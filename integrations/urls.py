from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhook-list"),
    path("webhooks/new/", views.webhook_create, name="webhook-create"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/edit/", views.webhook_edit, name="webhook-edit"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("webhooks/<int:pk>/rotate/", views.webhook_rotate, name="webhook-rotate"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhook-test"),
]
