from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from access.views import KeelLoginView
from budgets import urls as budgets_urls
from governance import urls as governance_urls
from portfolio import urls as portfolio_urls
from projects import urls as projects_urls
from reporting import urls as reporting_urls
from staffing import urls as staffing_urls


def _with(pages, domain):
    """reporting's pages that keep a name in a domain's namespace, plus the domain's own URLconf
    (a domain never imports reporting, so the pages that moved up are added here)."""
    return include((pages + domain.urlpatterns, domain.app_name))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script from a URL, not inline, so the
    # Content-Security-Policy needs no 'unsafe-inline' for scripts.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("config.api_router")),
    # The login page with the single sign-on button (and KEEL_PASSWORD_LOGIN), ahead of Django's.
    path("accounts/login/", KeelLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("access.urls")),
    path("", include("core.urls")),
    # reporting's pages keep the names of the domain they show (portfolio:program-detail …).
    path("", _with(reporting_urls.portfolio_urlpatterns, portfolio_urls)),
    path("", _with(reporting_urls.projects_urlpatterns, projects_urls)),
    path("", _with(reporting_urls.budgets_urlpatterns, budgets_urls)),
    path("", include("risks.urls")),
    path("", _with(reporting_urls.staffing_urlpatterns, staffing_urls)),
    path("", _with(reporting_urls.governance_urlpatterns, governance_urls)),
    path("collab/", include("collab.urls")),
    path("", include("planning.urls")),
    path("", include("integrations.urls")),
    path("", include("history.urls")),
    path("", include("reporting.urls")),
]
