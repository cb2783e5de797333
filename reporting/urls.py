from django.urls import path

from .views import jobs

app_name = "reporting"

urlpatterns = [
    path("admin-tools/recompute/", jobs.recompute_all, name="recompute-all"),
]
