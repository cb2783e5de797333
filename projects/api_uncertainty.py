"""API for the schedule's uncertainty inputs (projects.models.uncertainty): duration ranges by
WBS branch and correlation groups. A task's own three-point estimate is on the task resource
(`optimistic_minutes`, `pessimistic_minutes`, `duration_distribution`).

Reads need the project to be visible (else 404); writes need it editable (else 403, as for
tasks). Every write calls a projects.services.uncertainty service."""

import django_filters
from rest_framework import serializers, viewsets

from core.api import EditableObjectPermission, VersionedModelViewSetMixin, require_editable, versioned_schema
from core.serializers import VisiblePrimaryKeyRelatedField, fixed_after_create

from .api_schedule import PROJECT_EDIT_DENIED, VersionedServiceDestroyMixin
from .models import CorrelationGroup, DurationRange, Project, Task
from .services.uncertainty import (
    correlation_group_create,
    correlation_group_delete,
    correlation_group_update,
    duration_range_create,
    duration_range_delete,
    duration_range_update,
)

READ_ONLY = ["version", "created_at", "updated_at"]


class DurationRangeSerializer(serializers.ModelSerializer):
    """Every task under `branch` (a summary task of the project; null: all its tasks) may take
    `low_percent` less to `high_percent` more than planned. A task with its own estimate ignores
    ranges; the range on the deepest branch containing a task applies."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    branch = VisiblePrimaryKeyRelatedField(
        queryset=Task.objects.all(), allow_null=True, required=False, help_text="A summary task; null: all tasks."
    )
    branch_name = serializers.CharField(source="branch.name", read_only=True, allow_null=True)

    class Meta:
        model = DurationRange
        fields = [
            "id",
            "project",
            "project_code",
            "branch",
            "branch_name",
            "low_percent",
            "high_percent",
            "distribution",
            *READ_ONLY,
        ]
        read_only_fields = READ_ONLY
        validators = []  # uniqueness is the service's, with an error naming `branch`

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)


class CorrelationGroupSerializer(serializers.ModelSerializer):
    """Tasks of one project whose durations move together, with a rank correlation in [0, 1]."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    tasks = VisiblePrimaryKeyRelatedField(
        queryset=Task.objects.all(), many=True, help_text="At least two tasks of the project."
    )

    class Meta:
        model = CorrelationGroup
        fields = ["id", "project", "project_code", "name", "coefficient", "tasks", *READ_ONLY]
        read_only_fields = READ_ONLY
        validators = []

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)


class DurationRangeFilterSet(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project")
    program = django_filters.NumberFilter(field_name="project__program")

    class Meta:
        model = DurationRange
        fields = []


class CorrelationGroupFilterSet(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project")
    program = django_filters.NumberFilter(field_name="project__program")
    task = django_filters.NumberFilter(field_name="tasks", label="Groups holding this task")

    class Meta:
        model = CorrelationGroup
        fields = []


@versioned_schema(DurationRangeSerializer)
class DurationRangeViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Percentage duration ranges of the projects you can see, by WBS branch or for all tasks."""

    serializer_class = DurationRangeSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = DurationRangeFilterSet
    ordering_fields = ["project__code", "low_percent", "high_percent", "updated_at"]

    def get_queryset(self):
        user = self.request.user
        return DurationRange.objects.filter(project__in=Project.objects.visible_to(user)).select_related(
            "project", "branch"
        )

    def get_editable_queryset(self):
        return DurationRange.objects.filter(project__in=Project.objects.editable_by(self.request.user))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Project.objects.editable_by(self.request.user), data["project"], PROJECT_EDIT_DENIED)
        return duration_range_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        return duration_range_update(
            actor=self.request.user, duration_range=serializer.instance, data=data, expected_version=expected_version
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        duration_range_delete(actor=self.request.user, duration_range=instance, expected_version=expected_version)


@versioned_schema(CorrelationGroupSerializer)
class CorrelationGroupViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Correlation groups of the projects you can see."""

    serializer_class = CorrelationGroupSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = CorrelationGroupFilterSet
    search_fields = ["name", "project__code"]
    ordering_fields = ["name", "coefficient", "project__code", "updated_at"]

    def get_queryset(self):
        user = self.request.user
        return (
            CorrelationGroup.objects.filter(project__in=Project.objects.visible_to(user))
            .select_related("project")
            .prefetch_related("tasks")
        )

    def get_editable_queryset(self):
        return CorrelationGroup.objects.filter(project__in=Project.objects.editable_by(self.request.user))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Project.objects.editable_by(self.request.user), data["project"], PROJECT_EDIT_DENIED)
        return correlation_group_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        return correlation_group_update(
            actor=self.request.user, group=serializer.instance, data=data, expected_version=expected_version
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        correlation_group_delete(actor=self.request.user, group=instance, expected_version=expected_version)
