from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("admin-tools/recompute/", views.recompute_all, name="recompute-all"),
]
