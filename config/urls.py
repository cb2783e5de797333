from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from portfolio import urls as portfolio_urls
from projects import urls as projects_urls
from reporting import urls as reporting_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("config.api_router")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("core.urls")),
    # reporting's pages keep the names of the domain they show (portfolio:program-detail …).
    path("", include((reporting_urls.portfolio_urlpatterns + portfolio_urls.urlpatterns, "portfolio"))),
    path("", include((reporting_urls.projects_urlpatterns + projects_urls.urlpatterns, "projects"))),
    path("", include("budgets.urls")),
    path("", include("risks.urls")),
    path("", include("staffing.urls")),
    path("", include("governance.urls")),
    path("", include("reporting.urls")),
]
