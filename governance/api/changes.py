"""Change requests and their budget lines. Visible with the project; drafted, submitted and
withdrawn by the project team (PROJECT_EDITORS); approved or rejected by CHANGE_APPROVERS only.
Requests are never deleted (DELETE answers 405): withdraw one instead."""

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
from ..filters import ChangeRequestFilterSet, ChangeRequestLineFilterSet
from ..models import ChangeRequest, ChangeRequestLine
from ..selectors import change_request_line_list, change_request_list
from ..serializers import ChangeRequestDecideSerializer, ChangeRequestLineSerializer, ChangeRequestSerializer
from ._common import NO_DELETE, PROJECT_EDIT_DENIED, respond_as

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 412: ErrorSerializer}
DECIDING = ("approve", "reject")


@versioned_schema(ChangeRequestSerializer)
class ChangeRequestViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Change requests of the projects you can see (draft → submitted → approved / rejected, or
    withdrawn). Only drafts can be edited."""

    serializer_class = ChangeRequestSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = ChangeRequestFilterSet
    search_fields = ["title", "project__code"]
    ordering_fields = ["number", "status", "cost_impact", "submitted_at", "decided_at", "project__code", "updated_at"]
    http_method_names = NO_DELETE

    def get_queryset(self):
        return change_request_list(user=self.request.user).order_by("project__code", "-number")

    def get_editable_queryset(self):
        if self.action in DECIDING:
            return ChangeRequest.objects.decidable_by(self.request.user)
        return ChangeRequest.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Project.objects.editable_by(self.request.user), data["project"], PROJECT_EDIT_DENIED)
        data["lines"] = [dict(line) for line in data.get("lines", [])]
        return services.change_request_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        data.pop("lines", None)
        return services.change_request_update(
            actor=self.request.user, change_request=serializer.instance, data=data, expected_version=expected_version
        )

    def _transition(self, request, service, **kwargs):
        change_request = self.get_object()
        result = service(
            actor=request.user, change_request=change_request, expected_version=parse_if_match(request), **kwargs
        )
        return respond_as(self, ChangeRequestSerializer, result)

    @extend_schema(request=None, responses={200: ChangeRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft for approval (the project team)."""
        return self._transition(request, services.change_request_submit)

    @extend_schema(request=None, responses={200: ChangeRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take back a draft or submitted request (the project team)."""
        return self._transition(request, services.change_request_withdraw)

    @extend_schema(request=ChangeRequestDecideSerializer, responses={200: ChangeRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"], serializer_class=ChangeRequestDecideSerializer)
    def approve(self, request, pk=None):
        """Approve a submitted request: the current budget moves by its lines (all or nothing; 400
        on `lines` when one would fall below zero), `rebaseline` snapshots a schedule baseline,
        and the decision is logged. Program managers only."""
        serializer = ChangeRequestDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._transition(request, services.change_request_approve, notes=serializer.validated_data["notes"])

    @extend_schema(request=ChangeRequestDecideSerializer, responses={200: ChangeRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"], serializer_class=ChangeRequestDecideSerializer)
    def reject(self, request, pk=None):
        """Reject a submitted request with the reason in `notes`; nothing else changes."""
        serializer = ChangeRequestDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._transition(request, services.change_request_reject, notes=serializer.validated_data["notes"])


@versioned_schema(ChangeRequestLineSerializer)
class ChangeRequestLineViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Budget lines of the change requests you can see; changed only while the request is a draft."""

    serializer_class = ChangeRequestLineSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = ChangeRequestLineFilterSet
    ordering_fields = ["period__start", "amount_delta", "category__code"]

    def get_queryset(self):
        return change_request_line_list(user=self.request.user).order_by("change_request", "period__start", "pk")

    def get_editable_queryset(self):
        return ChangeRequestLine.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(
            ChangeRequest.objects.editable_by(self.request.user), data["change_request"], PROJECT_EDIT_DENIED
        )
        return services.change_request_line_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.change_request_line_update(
            actor=self.request.user,
            line=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.change_request_line_delete(actor=self.request.user, line=instance, expected_version=expected_version)
