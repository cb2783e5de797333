"""Stage gates and their checklists. Visible with the project; prepared and ticked by the project
team (PROJECT_EDITORS); decided through POST stage-gates/{id}/decide/ by GATE_APPROVERS only."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from core.api import (
    EditableObjectPermission,
    VersionedModelViewSetMixin,
    parse_if_match,
    require_editable,
    versioned_schema,
)
from core.serializers import ErrorSerializer
from projects.api_schedule import VersionedServiceDestroyMixin
from projects.models import Project

from .. import services
from ..filters import GateCriterionFilterSet, StageGateFilterSet
from ..models import GateCriterion, StageGate
from ..selectors import gate_criterion_list, stage_gate_list
from ..serializers import GateCriterionSerializer, GateDecideSerializer, StageGateSerializer
from ._common import PROJECT_EDIT_DENIED, respond_as

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 412: ErrorSerializer}


@versioned_schema(StageGateSerializer)
class StageGateViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Gate reviews of the projects you can see. A decided gate is final (a new review is a new
    gate); only a pending gate can be edited or deleted."""

    serializer_class = StageGateSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = StageGateFilterSet
    search_fields = ["name", "project__code"]
    ordering_fields = ["planned_date", "to_phase", "decision", "decided_at", "project__code", "updated_at"]

    def get_queryset(self):
        return stage_gate_list(user=self.request.user).order_by("project__code", "planned_date", "pk")

    def get_editable_queryset(self):
        if self.action == "decide":
            return StageGate.objects.decidable_by(self.request.user)
        return StageGate.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Project.objects.editable_by(self.request.user), data["project"], PROJECT_EDIT_DENIED)
        return services.stage_gate_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        data.pop("criteria", None)
        return services.stage_gate_update(
            actor=self.request.user, gate=serializer.instance, data=data, expected_version=expected_version
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.stage_gate_delete(actor=self.request.user, gate=instance)

    @extend_schema(request=GateDecideSerializer, responses={200: StageGateSerializer, **ERRORS})
    @action(detail=True, methods=["post"], serializer_class=GateDecideSerializer)
    def decide(self, request, pk=None):
        """Approve (every criterion met), reject or defer (with notes) a pending gate; writes a
        decision-log entry. Program managers only (403 for the project team)."""
        gate = self.get_object()
        serializer = GateDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        gate = services.stage_gate_decide(
            actor=request.user,
            gate=gate,
            decision=serializer.validated_data["decision"],
            notes=serializer.validated_data["notes"],
            expected_version=parse_if_match(request),
        )
        return respond_as(self, StageGateSerializer, gate)


@versioned_schema(GateCriterionSerializer)
class GateCriterionViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Checklist items of the gates you can see; PATCH `met` to tick one. Frozen once the gate is
    decided."""

    serializer_class = GateCriterionSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = GateCriterionFilterSet
    search_fields = ["text"]
    ordering_fields = ["order", "met", "checked_at"]

    def get_queryset(self):
        return gate_criterion_list(user=self.request.user).order_by("gate", "order", "pk")

    def get_editable_queryset(self):
        return GateCriterion.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(StageGate.objects.editable_by(self.request.user), data["gate"], PROJECT_EDIT_DENIED)
        return services.gate_criterion_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.gate_criterion_update(
            actor=self.request.user,
            criterion=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.gate_criterion_delete(actor=self.request.user, criterion=instance)
