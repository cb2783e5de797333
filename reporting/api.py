"""The project, program and portfolio resources with their summaries: each viewset is the
domain's own (same queryset, filters, permissions and writes) with a serializer that adds the
read-only `computed_health` and `rollup` objects. config/api_router.py registers these in place
of the domain viewsets, so the domains never import reporting.

A page of rows gets its roll-ups in a fixed number of queries (paginate_queryset), so a list's
query count does not grow with its rows.

health-policies/{portfolio id}/ (ROUTES): a portfolio's health thresholds, the defaults where it
has set none. Everyone who sees the portfolio reads them; its portfolio admins change them (PUT
all fields, PATCH some) or reset them to the defaults (DELETE). 404 for a portfolio you cannot
see, 403 for a change by a reader, 400 naming the field for a bad value or a red threshold on the
wrong side of its amber one.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response

from core.api import versioned_schema
from core.filters import KnownQueryParamsFilter
from core.serializers import ErrorSerializer
from portfolio import api as portfolio_api
from portfolio.models import Portfolio
from projects import api as projects_api

from .models import HealthPolicy
from .serializers import (
    HealthPolicySerializer,
    PortfolioHealthSerializer,
    ProgramHealthSerializer,
    ProjectHealthSerializer,
    WithHealth,
)
from .services.health_policy import health_policy_reset, health_policy_update


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


# --- Health thresholds ---------------------------------------------------------------------------

MAY_NOT_EDIT = "You need the portfolio admin role on this portfolio to change its health thresholds."

PORTFOLIO_ID = OpenApiParameter("portfolio", OpenApiTypes.INT, OpenApiParameter.PATH, description="The portfolio's id.")
WRITE = {200: HealthPolicySerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(description="The thresholds of every portfolio you can see, by portfolio id."),
    retrieve=extend_schema(parameters=[PORTFOLIO_ID], responses={200: HealthPolicySerializer, 404: ErrorSerializer}),
    update=extend_schema(parameters=[PORTFOLIO_ID], responses=WRITE),
    partial_update=extend_schema(parameters=[PORTFOLIO_ID], responses=WRITE),
    destroy=extend_schema(
        parameters=[PORTFOLIO_ID],
        responses={204: None, 403: ErrorSerializer, 404: ErrorSerializer},
        description="Reset to the defaults.",
    ),
)
class HealthPolicyViewSet(viewsets.GenericViewSet):
    """Health thresholds per portfolio, looked up by the portfolio's id."""

    serializer_class = HealthPolicySerializer
    lookup_field = "portfolio"
    lookup_value_regex = r"[0-9]+"
    # No filters, but an unknown query parameter is still refused with a 400 naming it.
    filter_backends = [KnownQueryParamsFilter]

    def get_queryset(self):
        return Portfolio.objects.visible_to(self.request.user).order_by("pk")

    def _portfolio(self) -> Portfolio:
        found = self.get_queryset().filter(pk=int(self.kwargs["portfolio"])).first()
        if found is None:
            raise exceptions.NotFound()
        return found

    def _administered(self) -> Portfolio:
        portfolio = self._portfolio()
        if not Portfolio.objects.editable_by(self.request.user).filter(pk=portfolio.pk).exists():
            raise exceptions.PermissionDenied(MAY_NOT_EDIT)
        return portfolio

    @staticmethod
    def _policy(portfolio: Portfolio) -> HealthPolicy:
        return HealthPolicy.objects.filter(portfolio=portfolio).first() or HealthPolicy(portfolio=portfolio)

    def list(self, request):
        # Paginated like every list; a portfolio without saved thresholds lists its defaults.
        portfolios = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        saved = {p.portfolio_id: p for p in HealthPolicy.objects.filter(portfolio__in=[p.pk for p in portfolios])}
        policies = [saved.get(p.pk) or HealthPolicy(portfolio=p) for p in portfolios]
        return self.get_paginated_response(self.get_serializer(policies, many=True).data)

    def retrieve(self, request, portfolio=None):
        return Response(self.get_serializer(self._policy(self._portfolio())).data)

    def update(self, request, portfolio=None, partial=False):
        target = self._administered()
        serializer = self.get_serializer(self._policy(target), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = {name: value for name, value in serializer.validated_data.items() if name in serializer.fields}
        policy = health_policy_update(actor=request.user, portfolio=target, data=data)
        return Response(self.get_serializer(policy).data)

    def partial_update(self, request, portfolio=None):
        return self.update(request, portfolio, partial=True)

    def destroy(self, request, portfolio=None):
        health_policy_reset(actor=request.user, portfolio=self._administered())
        return Response(status=status.HTTP_204_NO_CONTENT)


ROUTES: list[tuple] = [("health-policies", HealthPolicyViewSet, "health-policy")]
