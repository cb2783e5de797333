"""Computed money of a project or a program, read-only: earned value, the EVM S-curve and budget
vs actual vs forecast by fiscal period. They live at /projects/{id}/… and /programs/{id}/…
beside the project and program resources (config/api_router.py registers them on a second
router, so the API root keeps one entry per resource). They are reporting's because they merge
staffing's labour cost forecast into ETC and the forecast (budgets never imports staffing).
A program's figures sum every project: only those who see the program whole get them (404).

Each runs a fixed number of queries whatever the number of rows (budgets.selectors.EVM_QUERIES).
A foreign amount with no exchange rate on or before its date is a 400 on `currency` naming the
currency and the day, never a silent zero.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from budgets.api._common import as_of_param
from budgets.selectors import budget_by_period, evm_s_curve, program_evm, project_evm
from budgets.serializers import BudgetByPeriodSerializer, EvmReportSerializer, SCurveSerializer
from core.serializers import ErrorSerializer
from portfolio.models import Program
from projects.models import Project
from staffing.selectors import labour_forecasts_for

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="Figures as of the end of this day. Default, for a project and a program alike: the newest "
    "schedule status date of the projects in scope (a project's own), else today.",
)
MISSING_RATE = "400 on `currency` when an amount has no exchange rate to the base currency on or before its date."


class _MoneyReportsMixin:
    """The three computed reads; `scope` is the selector keyword ("project" or "program")."""

    scope: str
    filter_backends = []
    pagination_class = None

    def _evm(self, obj, as_of):
        raise NotImplementedError

    @extend_schema(
        parameters=[AS_OF],
        responses={200: EvmReportSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="Every earned value figure (PMI / ANSI-748, with Lipke's earned schedule) as exact decimal "
        "strings, null where not defined, plus data-quality warnings. " + MISSING_RATE,
    )
    @action(detail=True, methods=["get"])
    def evm(self, request, pk=None):
        report = self._evm(self.get_object(), as_of_param(request))
        return Response(EvmReportSerializer(report).data)

    @extend_schema(
        parameters=[AS_OF],
        responses={200: SCurveSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="Cumulative PV, EV and AC by fiscal period, the EAC projection, and the EVM figures. "
        + MISSING_RATE,
    )
    @action(detail=True, methods=["get"], url_path="s-curve")
    def s_curve(self, request, pk=None):
        curve = evm_s_curve(
            **{self.scope: self.get_object()},
            as_of=as_of_param(request),
            labour_forecasts=labour_forecasts_for(request.user),
        )
        return Response(SCurveSerializer(curve).data)

    @extend_schema(
        responses={200: BudgetByPeriodSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="Original and current budget, actual and forecast per fiscal period. " + MISSING_RATE,
    )
    @action(detail=True, methods=["get"], url_path="budget-by-period")
    def budget_by_period(self, request, pk=None):
        report = budget_by_period(
            **{self.scope: self.get_object()}, labour_forecasts=labour_forecasts_for(request.user)
        )
        return Response(BudgetByPeriodSerializer(report).data)


class ProjectMoneyViewSet(_MoneyReportsMixin, viewsets.GenericViewSet):
    """Earned value and cost reports of a project you can see (others: 404)."""

    scope = "project"

    def get_queryset(self):
        return Project.objects.visible_to(self.request.user)

    def _evm(self, obj, as_of):
        return project_evm(project=obj, as_of=as_of, labour_forecasts=labour_forecasts_for(self.request.user))


class ProgramMoneyViewSet(_MoneyReportsMixin, viewsets.GenericViewSet):
    """Earned value and cost reports of a program you see whole (a role on the program or its
    portfolio): the sums over all its projects. Others get 404."""

    scope = "program"

    def get_queryset(self):
        return Program.objects.overseen_by(self.request.user)

    def _evm(self, obj, as_of):
        return program_evm(program=obj, as_of=as_of, labour_forecasts=labour_forecasts_for(self.request.user))
