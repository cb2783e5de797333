"""API viewsets of the risks app.

Everyone who sees a risk (risks.querysets) reads it, its actions and history; writes need
Risk.objects.editable_by (403 for readers, 404 for those who cannot see it). Creating needs
the editor role on the project (project risks and issues) or the program (program ones).
Exposure sums over every project of a program, so it answers only for programs the user
oversees (403 when the user sees the program through a project only).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from budgets.querysets import finance_programs, finance_projects
from core.api import (
    EditableObjectPermission,
    VersionedModelViewSetMixin,
    parse_if_match,
    require_editable,
    versioned_schema,
)
from core.serializers import ErrorSerializer
from portfolio.models import Portfolio, Program
from projects.api_schedule import VersionedServiceDestroyMixin
from projects.models import Project

from .. import selectors, services
from ..filters import IssueFilterSet, MitigationActionFilterSet, RiskFilterSet, RiskScoreHistoryFilterSet
from ..models import Issue, MitigationAction, Risk
from ..querysets import risk_programs, risk_projects
from ..serializers import (
    ExposureSerializer,
    HeatMapSerializer,
    IssueSerializer,
    MitigationActionSerializer,
    RiskEscalateSerializer,
    RiskRealiseSerializer,
    RiskScoreHistorySerializer,
    RiskSerializer,
    ScopeQuerySerializer,
)

PROJECT_RISK_EDIT_DENIED = "You need the project manager role on this project (or a manager role above it)."
PROGRAM_RISK_EDIT_DENIED = "You need the program manager role on this program (or portfolio admin on its portfolio)."
DEESCALATE_DENIED = "Escalated risks are handed back by the program's managers."
DRAWDOWN_DENIED = "Drawing down this reserve needs a finance role on the {scope}."
EXPOSURE_NEEDS_OVERSIGHT = (
    "Exposure sums every project of the program; it is shown to people with a role on the program or its portfolio."
)
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
SCOPE_PARAMS = [
    OpenApiParameter("project", OpenApiTypes.INT, description="A project id."),
    OpenApiParameter("program", OpenApiTypes.INT, description="A program id."),
    OpenApiParameter("portfolio", OpenApiTypes.INT, description="A portfolio id."),
]


def require_scope_editor(user, *, project, program) -> None:
    """403 unless `user` may add risks or issues at this scope."""
    if project is not None:
        require_editable(risk_projects(user), project, PROJECT_RISK_EDIT_DENIED)
    else:
        require_editable(risk_programs(user), program, PROGRAM_RISK_EDIT_DENIED)


@versioned_schema(RiskSerializer)
class RiskViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Risks of the projects and programs you can see (project risks, program risks, and
    escalated project risks, which stay linked to their project)."""

    serializer_class = RiskSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = RiskFilterSet
    search_fields = ["title", "description", "project__code", "program__code"]
    ordering_fields = ["number", "score", "emv", "residual_score", "residual_emv", "proximity_date", "updated_at"]

    def get_queryset(self):
        return selectors.risk_detail_list(user=self.request.user)

    def get_editable_queryset(self):
        return Risk.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project, program = data.pop("project", None), data.pop("program", None)
        require_scope_editor(self.request.user, project=project, program=program)
        return services.risk_create(actor=self.request.user, project=project, program=program, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        data.pop("program", None)
        tasks = data.pop("tasks", None)
        return services.risk_update(
            actor=self.request.user,
            risk=serializer.instance,
            data=data,
            tasks=tasks,
            expected_version=expected_version,
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.risk_delete(actor=self.request.user, risk=instance, expected_version=expected_version)

    @extend_schema(
        request=RiskEscalateSerializer,
        responses={200: RiskSerializer, **ERRORS},
        description="Put this project risk on its program's register (the same risk, still linked).",
    )
    @action(detail=True, methods=["post"], serializer_class=RiskEscalateSerializer)
    def escalate(self, request, pk=None):
        risk = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        risk = services.risk_escalate(
            actor=request.user,
            risk=risk,
            note=serializer.validated_data["note"],
            expected_version=parse_if_match(request),
        )
        return self._risk_response(risk)

    @extend_schema(
        request=RiskEscalateSerializer,
        responses={200: RiskSerializer, **ERRORS},
        description="Hand an escalated risk back to its project (program managers).",
    )
    @action(detail=True, methods=["post"], url_path="de-escalate", serializer_class=RiskEscalateSerializer)
    def deescalate(self, request, pk=None):
        risk = self.get_object()
        require_editable(risk_programs(request.user), risk.program, DEESCALATE_DENIED)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        risk = services.risk_deescalate(
            actor=request.user,
            risk=risk,
            note=serializer.validated_data["note"],
            expected_version=parse_if_match(request),
        )
        return self._risk_response(risk)

    @extend_schema(
        request=RiskRealiseSerializer,
        responses={201: IssueSerializer, **ERRORS},
        description="The risk happened: mark it realised, open its issue, and optionally draw `amount` from the "
        "contingency or management `reserve` of its project (program, for a program risk). 400 on `amount` when "
        "that would overdraw the reserve; nothing is written then.",
    )
    @action(detail=True, methods=["post"], serializer_class=RiskRealiseSerializer)
    def realise(self, request, pk=None):
        risk = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("amount") is not None:
            if risk.project_id:
                require_editable(finance_projects(request.user), risk.project, DRAWDOWN_DENIED.format(scope="project"))
            else:
                require_editable(finance_programs(request.user), risk.program, DRAWDOWN_DENIED.format(scope="program"))
        issue = services.risk_realise(
            actor=request.user,
            risk=risk,
            amount=data.get("amount"),
            reserve=data.get("reserve"),
            note=data["note"],
            expected_version=parse_if_match(request),
        )
        issue = selectors.issue_list(user=request.user).get(pk=issue.pk)
        response = Response(IssueSerializer(issue, context=self.get_serializer_context()).data, status=201)
        response["ETag"] = issue.etag
        return response

    def _risk_response(self, risk):
        risk = self.get_queryset().get(pk=risk.pk)
        response = Response(RiskSerializer(risk, context=self.get_serializer_context()).data)
        response["ETag"] = risk.etag
        return response

    def _scope(self, request):
        serializer = ScopeQuerySerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        parameters=[
            *SCOPE_PARAMS,
            OpenApiParameter("residual", OpenApiTypes.BOOL, description="Place risks by their residual levels."),
            OpenApiParameter(
                "include_projects",
                OpenApiTypes.BOOL,
                description="Program: count every project risk, not only program and escalated risks.",
            ),
        ],
        responses={200: HeatMapSerializer, **ERRORS},
        description="The 5x5 matrix of open and mitigating risks you can see, for one project, program or portfolio.",
    )
    @action(detail=False, methods=["get"], url_path="heat-map", filter_backends=[], pagination_class=None)
    def heat_map(self, request):
        scope = self._scope(request)
        user = request.user
        if scope.get("project"):
            project = get_object_or_404(Project.objects.visible_to(user), pk=scope["project"])
            risks = selectors.risk_list(user=user).filter(project=project)
        elif scope.get("program"):
            program = get_object_or_404(Program.objects.visible_to(user), pk=scope["program"])
            risks = selectors.program_risks(user=user, program=program, include_projects=scope["include_projects"])
        else:
            portfolio = get_object_or_404(Portfolio.objects.visible_to(user), pk=scope["portfolio"])
            risks = selectors.risk_list(user=user).filter(program__portfolio=portfolio)
        heat = selectors.heat_map(risks, residual=scope["residual"])
        return Response(HeatMapSerializer(heat).data)

    @extend_schema(
        parameters=SCOPE_PARAMS,
        responses={200: ExposureSerializer, **ERRORS},
        description="EMV and residual EMV of open and mitigating risks against contingency and management reserve "
        "remaining: for a project; per project of a program (plus its program-level risks); per program of a "
        "portfolio (the programs you oversee).",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def exposure(self, request):
        scope = self._scope(request)
        user = request.user
        if scope.get("project"):
            project = get_object_or_404(
                Project.objects.visible_to(user).select_related("program__portfolio"), pk=scope["project"]
            )
            exposure = selectors.project_exposure(project=project)
        elif scope.get("program"):
            program = get_object_or_404(
                Program.objects.visible_to(user).select_related("portfolio"), pk=scope["program"]
            )
            if not selectors.oversees(user, program):
                raise exceptions.PermissionDenied(EXPOSURE_NEEDS_OVERSIGHT)
            exposure = selectors.program_exposure(program=program)
        else:
            portfolio = get_object_or_404(Portfolio.objects.visible_to(user), pk=scope["portfolio"])
            exposure = selectors.portfolio_exposure(portfolio=portfolio, user=user)
        return Response(ExposureSerializer(exposure).data)


@versioned_schema(MitigationActionSerializer)
class MitigationActionViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Mitigation actions of the risks you can see; edited by whoever may edit the risk."""

    serializer_class = MitigationActionSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = MitigationActionFilterSet
    search_fields = ["title"]
    ordering_fields = ["due_date", "status", "cost", "updated_at"]

    def get_queryset(self):
        return selectors.mitigation_action_list(user=self.request.user)

    def get_editable_queryset(self):
        return MitigationAction.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        risk = data.pop("risk")
        require_editable(Risk.objects.editable_by(self.request.user), risk, PROJECT_RISK_EDIT_DENIED)
        return services.mitigation_action_create(actor=self.request.user, risk=risk, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("risk", None)
        return services.mitigation_action_update(
            actor=self.request.user, action=serializer.instance, data=data, expected_version=expected_version
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.mitigation_action_delete(actor=self.request.user, action=instance, expected_version=expected_version)


@versioned_schema(IssueSerializer)
class IssueViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Issues of the projects and programs you can see; realised risks open theirs."""

    serializer_class = IssueSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = IssueFilterSet
    search_fields = ["title", "description", "project__code", "program__code"]
    ordering_fields = ["number", "severity", "status", "due_date", "updated_at"]

    def get_queryset(self):
        return selectors.issue_list(user=self.request.user).select_related("program__portfolio")

    def get_editable_queryset(self):
        return Issue.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project, program = data.pop("project", None), data.pop("program", None)
        require_scope_editor(self.request.user, project=project, program=program)
        return services.issue_create(actor=self.request.user, project=project, program=program, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        data.pop("program", None)
        return services.issue_update(
            actor=self.request.user, issue=serializer.instance, data=data, expected_version=expected_version
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.issue_delete(actor=self.request.user, issue=instance, expected_version=expected_version)


class RiskScoreHistoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The score history of the risks you can see: one row per change of a risk's assessment or
    status, oldest first. Read-only (written by the risk services)."""

    serializer_class = RiskScoreHistorySerializer
    filterset_class = RiskScoreHistoryFilterSet
    ordering_fields = ["at"]

    def get_queryset(self):
        return selectors.risk_history_list(user=self.request.user)
