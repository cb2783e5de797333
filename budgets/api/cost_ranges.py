"""API for cost ranges (three-point ranges on a project's budget per cost category, for the
risk analysis). Reads need the project visible (else 404); writes need it editable by the
user (else 403). Every write calls a budgets.services.cost_ranges service."""

import django_filters
from rest_framework import serializers, viewsets

from core.api import EditableObjectPermission, VersionedModelViewSetMixin, require_editable, versioned_schema
from core.serializers import MoneyModelSerializer, VisiblePrimaryKeyRelatedField, fixed_after_create
from projects.api_schedule import PROJECT_EDIT_DENIED
from projects.models import Project

from .. import services
from ..models import CostCategory, CostRange
from ._common import VersionedServiceDestroyMixin

READ_ONLY = ["version", "created_at", "updated_at"]


class CostRangeSerializer(MoneyModelSerializer):
    """The project's cost in one category may run from `low_amount` to `high_amount`, most
    likely `likely_amount` (null: the category's current approved budget). Amounts are in the
    portfolio's base currency."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    category = serializers.PrimaryKeyRelatedField(queryset=CostCategory.objects.all())
    category_code = serializers.CharField(source="category.code", read_only=True)

    class Meta:
        model = CostRange
        fields = [
            "id",
            "project",
            "project_code",
            "category",
            "category_code",
            "low_amount",
            "likely_amount",
            "high_amount",
            "distribution",
            *READ_ONLY,
        ]
        read_only_fields = READ_ONLY
        validators = []  # one per category: the service's check, naming `category`

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)


class CostRangeFilterSet(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project")
    program = django_filters.NumberFilter(field_name="project__program")
    category = django_filters.NumberFilter(field_name="category")

    class Meta:
        model = CostRange
        fields = []


@versioned_schema(CostRangeSerializer)
class CostRangeViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Cost ranges of the projects you can see, one per project and cost category."""

    serializer_class = CostRangeSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = CostRangeFilterSet
    search_fields = ["project__code", "category__code"]
    ordering_fields = ["project__code", "category__code", "low_amount", "high_amount", "updated_at"]

    def get_queryset(self):
        visible = Project.objects.visible_to(self.request.user)
        return CostRange.objects.filter(project__in=visible).select_related("project", "category")

    def get_editable_queryset(self):
        return CostRange.objects.filter(project__in=Project.objects.editable_by(self.request.user))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Project.objects.editable_by(self.request.user), data["project"], PROJECT_EDIT_DENIED)
        return services.cost_range_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)
        return services.cost_range_update(
            actor=self.request.user, cost_range=serializer.instance, data=data, expected_version=expected_version
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.cost_range_delete(actor=self.request.user, cost_range=instance, expected_version=expected_version)
