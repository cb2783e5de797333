"""The project, program and portfolio resources with their summaries: each viewset is the
domain's own (same queryset, filters, permissions and writes) with a serializer that adds the
read-only `computed_health` and `rollup` objects. config/api_router.py registers these in place
of the domain viewsets, so the domains never import reporting.

A page of rows gets its roll-ups in a fixed number of queries (paginate_queryset), so a list's
query count does not grow with its rows.
"""

from core.api import versioned_schema
from portfolio import api as portfolio_api
from projects import api as projects_api

from .serializers import PortfolioHealthSerializer, ProgramHealthSerializer, ProjectHealthSerializer, WithHealth


class _RollupPageMixin:
    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # Only pages of the resource itself: detail actions page other rows (critical-path tasks).
        serializer_class = self.get_serializer_class()
        if page is not None and issubclass(serializer_class, WithHealth):
            serializer_class.attach(page, self.request.user)
        return page


@versioned_schema(ProjectHealthSerializer)
class ProjectViewSet(_RollupPageMixin, projects_api.ProjectViewSet):
    __doc__ = projects_api.ProjectViewSet.__doc__
    serializer_class = ProjectHealthSerializer


@versioned_schema(ProgramHealthSerializer)
class ProgramViewSet(_RollupPageMixin, portfolio_api.ProgramViewSet):
    __doc__ = portfolio_api.ProgramViewSet.__doc__
    serializer_class = ProgramHealthSerializer


@versioned_schema(PortfolioHealthSerializer)
class PortfolioViewSet(_RollupPageMixin, portfolio_api.PortfolioViewSet):
    __doc__ = portfolio_api.PortfolioViewSet.__doc__
    serializer_class = PortfolioHealthSerializer
