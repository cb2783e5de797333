from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from budgets import urls as budgets_urls
from governance import urls as governance_urls
from reporting import urls as reporting_urls
from staffing import urls as staffing_urls


def _with(domain, pages):
    """A domain's URLconf plus the reporting pages that keep a name in its namespace (a domain
    never imports reporting, so the pages that moved up are added here)."""
    return include((domain.urlpatterns + pages, domain.app_name))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("config.api_router")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("core.urls")),
    path("", include("portfolio.urls")),
    path("", include("projects.urls")),
    path("", _with(budgets_urls, reporting_urls.budgets_pages)),
    path("", include("risks.urls")),
    path("", _with(staffing_urls, reporting_urls.staffing_pages)),
    path("", _with(governance_urls, reporting_urls.governance_pages)),
    path("", include("reporting.urls")),
]
