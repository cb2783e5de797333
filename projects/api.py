"""API viewsets for projects and status reports (conventions in core.api)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from core.api import (
    EditableObjectPermission,
    ServiceCreateMixin,
    VersionedModelViewSetMixin,
    require_editable,
    versioned_schema,
)
from core.bulk import BulkActionMixin, bulk_schema
from core.serializers import ErrorSerializer
from portfolio.models import Program

from .api_schedule import ProjectScheduleActionsMixin
from .filters import ProjectFilterSet, StatusReportFilterSet
from .models import Project, StatusReport
from .selectors import project_list
from .serializers import ProjectSerializer, StatusReportSerializer
from .services import project_create, project_update, status_report_correct, status_report_submit

PROGRAM_EDIT_DENIED = "You need the program manager role on this program (or portfolio admin on its portfolio)."
PROJECT_EDIT_DENIED = "You need the project manager role on this project (or a manager role above it)."


@versioned_schema(ProjectSerializer)
class ProjectViewSet(ProjectScheduleActionsMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Projects you can see. Creating one needs a manager role on its program; project managers
    edit their projects; deleting needs a manager role on the program. Schedule actions
    (baseline, import, export, critical path) come from ProjectScheduleActionsMixin."""

    serializer_class = ProjectSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = ProjectFilterSet
    search_fields = ["code", "name"]
    ordering_fields = [
        "code",
        "name",
        "priority",
        "phase",
        "status",
        "planned_start",
        "planned_finish",
        "updated_at",
        "latest_status_report__overall_rag",
    ]

    def get_queryset(self):
        return project_list(user=self.request.user)  # visible_to(user) with its joins

    def get_editable_queryset(self):
        editable = Project.objects.editable_by(self.request.user)
        if self.action == "destroy":
            # Deleting a project deletes its status-report history: program managers only.
            return editable.filter(program__in=Program.objects.editable_by(self.request.user).values("pk"))
        return editable

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Program.objects.editable_by(self.request.user), data["program"], PROGRAM_EDIT_DENIED)
        return project_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("program", None)  # fixed after creation (validated as unchanged)
        return project_update(
            actor=self.request.user, project=serializer.instance, data=data, expected_version=expected_version
        )


@extend_schema_view(
    create=extend_schema(
        responses={201: StatusReportSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        description=(
            "File the report for a period (a calendar month; `period_end` its last day, within the "
            "project's dates and not after the current month). A period that already has a report "
            "answers 400 on `period_end`: correct that one with PATCH. It becomes the project's "
            "latest when its period is the newest."
        ),
    ),
    retrieve=extend_schema(responses={200: StatusReportSerializer, 404: OpenApiResponse(ErrorSerializer)}),
    update=extend_schema(responses={200: StatusReportSerializer, 400: ErrorSerializer, 403: ErrorSerializer}),
    partial_update=extend_schema(
        responses={200: StatusReportSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        description="Correct a report in place (audited field by field); `project` and `period_end` stay.",
    ),
    bulk=bulk_schema(
        name="StatusReport",
        row_serializer=StatusReportSerializer,
        result_serializer=StatusReportSerializer,
        description=(
            "File many status reports at once (e.g. one per project for the month): a JSON array, or "
            "CSV with a header row of the same field names (Content-Type: text/csv). All or nothing: "
            "any bad row (a period already reported, a project you may not change: 403) answers with "
            "its index and field, and nothing is written. Idempotent under an Idempotency-Key header."
        ),
    ),
)
class StatusReportViewSet(
    BulkActionMixin,
    ServiceCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """One status report per project and period. POST files one (many: POST /status-reports/bulk/);
    PUT/PATCH corrects it (audited); DELETE answers 405: a period's report is corrected, never removed."""

    serializer_class = StatusReportSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = StatusReportFilterSet
    search_fields = ["summary", "project__code"]
    ordering_fields = ["period_end", "submitted_at", "percent_complete", "overall_rag"]

    def get_queryset(self):
        return StatusReport.objects.visible_to(self.request.user).select_related(
            "project", "project__program", "submitted_by"
        )

    def get_editable_queryset(self):
        return StatusReport.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Project.objects.editable_by(self.request.user), data["project"], PROJECT_EDIT_DENIED)
        return status_report_submit(actor=self.request.user, **data)

    def bulk_prepare(self, index, row):
        return self.get_serializer(data=row)

    def bulk_write(self, index, serializer):
        return self.perform_create(serializer)  # the single create's access check and service

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        report = self.get_object()
        serializer = self.get_serializer(report, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        report = status_report_correct(actor=request.user, report=report, data=dict(serializer.validated_data))
        return self.respond_with(report)
