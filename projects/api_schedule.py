"""API viewsets for schedules: tasks, dependencies, calendars, baselines, and the schedule
actions of a project (conventions in core.api).

Every write calls a projects.services.schedule service, which reschedules the project (and
the projects linked to it) before it returns, so a response already shows the new dates.
"""

import dataclasses
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import (
    Conflict,
    EditableObjectPermission,
    PreconditionFailed,
    ServiceCreateMixin,
    VersionedModelViewSetMixin,
    parse_if_match,
    require_editable,
    versioned_schema,
)
from core.bulk import ROW_NOT_FOUND, BulkActionMixin, RowError, bulk_schema
from core.serializers import ErrorSerializer
from portfolio.querysets import sees_everything

from .filters import (
    BaselineFilterSet,
    BaselineTaskFilterSet,
    CalendarFilterSet,
    DependencyFilterSet,
    TaskFilterSet,
)
from .models import Baseline, Calendar, Dependency, Project, ScheduleImport, Task
from .selectors.baselines import may_overwrite_approved_plan
from .selectors.schedule_lists import (
    baseline_list,
    baseline_task_list,
    calendar_list,
    critical_tasks,
    dependency_list,
    task_list,
)
from .serializers_schedule import (
    BaselineSerializer,
    BaselineSetSerializer,
    BaselineTaskSerializer,
    CalendarSerializer,
    DependencySerializer,
    ScheduleImportConfirmSerializer,
    ScheduleImportResultSerializer,
    ScheduleImportSerializer,
    SchedulePreviewSerializer,
    TaskBulkUpdateSerializer,
    TaskSerializer,
)
from .services.schedule import (
    BASELINE_OVERWRITE_DENIED,
    baseline_set,
    calendar_create,
    calendar_delete,
    calendar_update,
    dependency_create,
    dependency_delete,
    dependency_update,
    task_create,
    task_delete,
    task_update,
)
from .services.schedule_import import (
    ALREADY_IMPORTED,
    StalePreviewError,
    schedule_import_confirm,
    schedule_import_job_preview,
    schedule_import_upload,
)
from .services.schedule_io import schedule_export_mspdi

PROJECT_EDIT_DENIED = "You need the project manager role on this project (or a manager role above it)."
SUCCESSOR_EDIT_DENIED = "You need the project manager role on the successor's project to link tasks into it."
SHARED_CALENDAR_DENIED = "Only administrators may create shared calendars; give the calendar a project."
OVERWRITE_NOT_CONFIRMED = (
    "{name} is the approved plan and is kept. To replace it, look at what changes "
    "(/api/v1/baseline-tasks/?baseline={pk} against the tasks) and send overwrite_approved: true."
)
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


BULK_ROW_NEEDS_INT = "Required: an integer."
BULK_ROW_STALE = "Version {expected} is stale: the task is at version {current}; read it again."


def _row_int(index: int, field: str, value) -> int:
    """A bulk row's id or version (a JSON integer or a CSV cell of digits); 400 naming it otherwise."""
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        raise RowError(index, field, BULK_ROW_NEEDS_INT, "required" if value is None else "invalid")
    number = int(value)
    if number >= 2**63:
        raise RowError(index, field, BULK_ROW_NEEDS_INT, "invalid")
    return number


class VersionedServiceDestroyMixin:
    """DELETE under If-Match through a domain service: `perform_versioned_destroy(instance,
    expected_version=…)` instead of core.services.versioned_delete."""

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = parse_if_match(request)
        if expected is not None and expected != instance.version:
            raise PreconditionFailed()
        self.perform_versioned_destroy(instance, expected_version=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_versioned_destroy(self, instance, *, expected_version):
        raise NotImplementedError("call the domain's delete service")


@extend_schema_view(
    bulk=bulk_schema(
        name="Task",
        row_serializer=TaskBulkUpdateSerializer,
        result_serializer=TaskSerializer,
        created=False,
        description=(
            "Update many tasks at once (progress, actual dates, remaining duration, or any field "
            "PATCH /tasks/{id}/ takes): a JSON array of objects with `id`, `version` (the ETag you "
            "read) and the fields to change, or CSV with those column names. One row per task. All "
            "or nothing: a task you cannot see answers 404, one you may not change 403, a stale "
            "version 412, a bad value 400, each naming the row, and nothing is written. Each row "
            "reschedules its project. Idempotent under an Idempotency-Key header."
        ),
    )
)
@versioned_schema(TaskSerializer)
class TaskViewSet(BulkActionMixin, VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Tasks of the projects you can see. Project managers (and managers above them) add,
    change and delete them; every write reschedules the project at once. Durations are
    working minutes; dates, floats and the critical flag are computed and read-only. Many
    updates at once: POST /tasks/bulk/ (a version per row, all or nothing)."""

    bulk_created = False

    def bulk_rows_loaded(self, rows):
        ids = [row["id"] for row in rows if isinstance(row.get("id"), int) or str(row.get("id", "")).isdigit()]
        ids = [int(pk) for pk in ids if int(pk) < 2**63]
        self._bulk_tasks = {task.pk: task for task in self.get_queryset().filter(pk__in=ids)}
        self._bulk_editable = set(self.get_editable_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        self._bulk_versions = {}

    def bulk_prepare(self, index, row):
        data = dict(row)
        pk, version = data.pop("id", None), data.pop("version", None)
        pk, version = _row_int(index, "id", pk), _row_int(index, "version", version)
        task = self._bulk_tasks.get(pk)
        if task is None:
            raise RowError(index, "id", ROW_NOT_FOUND, "not_found", status.HTTP_404_NOT_FOUND)
        if pk not in self._bulk_editable:
            raise RowError(index, "id", PROJECT_EDIT_DENIED, "permission_denied", status.HTTP_403_FORBIDDEN)
        if version != task.version:
            raise RowError(
                index,
                "version",
                BULK_ROW_STALE.format(expected=version, current=task.version),
                "stale",
                status.HTTP_412_PRECONDITION_FAILED,
            )
        self._bulk_versions[index] = version
        return self.get_serializer(task, data=data, partial=True)

    def bulk_write(self, index, serializer):
        return self.perform_versioned_update(serializer, expected_version=self._bulk_versions[index])

    serializer_class = TaskSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = TaskFilterSet
    search_fields = ["name", "wbs", "outline_number", "project__code"]
    ordering_fields = [
        "sort_order",
        "name",
        "wbs",
        "start",
        "finish",
        "early_start",
        "late_finish",
        "duration_minutes",
        "total_float_minutes",
        "free_float_minutes",
        "percent_complete",
        "updated_at",
    ]

    def get_queryset(self):
        return task_list(user=self.request.user)

    def get_editable_queryset(self):
        return Task.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Project.objects.editable_by(self.request.user), data["project"], PROJECT_EDIT_DENIED)
        return task_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)  # fixed after creation (validated as unchanged)
        return task_update(
            actor=self.request.user, task=serializer.instance, data=data, expected_version=expected_version
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        task_delete(actor=self.request.user, task=instance, expected_version=expected_version)


@extend_schema_view(
    create=extend_schema(
        responses={201: DependencySerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        description=(
            "Link two tasks (one project, or two projects of one program) and reschedule. A link "
            "that would close a cycle is refused with 400 on `predecessor`, naming the tasks."
        ),
    ),
    retrieve=extend_schema(responses={200: DependencySerializer, 404: ErrorSerializer}),
    update=extend_schema(responses={200: DependencySerializer, **ERRORS}),
    partial_update=extend_schema(responses={200: DependencySerializer, **ERRORS}),
    destroy=extend_schema(responses={204: None, 403: ErrorSerializer, 404: ErrorSerializer}),
)
class DependencyViewSet(
    ServiceCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Links whose successor you can see. Linking needs an editor role on the successor's
    project and sight of the predecessor; type and lag may change, the two tasks may not."""

    serializer_class = DependencySerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = DependencyFilterSet
    search_fields = ["predecessor__name", "successor__name"]
    ordering_fields = ["created_at", "type", "lag_minutes", "successor__sort_order", "predecessor__sort_order"]

    def get_queryset(self):
        return dependency_list(user=self.request.user)

    def get_editable_queryset(self):
        return Dependency.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        editable = Project.objects.editable_by(self.request.user)
        require_editable(editable, data["successor"].project, SUCCESSOR_EDIT_DENIED)
        return dependency_create(actor=self.request.user, **data)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("predecessor", None)  # both ends are fixed after creation (validated as unchanged)
        data.pop("successor", None)
        return self.respond_with(dependency_update(actor=request.user, dependency=instance, data=data))

    def perform_destroy(self, instance):
        dependency_delete(actor=self.request.user, dependency=instance)


@versioned_schema(CalendarSerializer)
class CalendarViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Working-time calendars: shared ones (no project; administrators manage them) and those
    of the projects you can see (their project managers manage them). Writing `exceptions`
    replaces the whole list; a change reschedules every project that uses the calendar."""

    serializer_class = CalendarSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = CalendarFilterSet
    search_fields = ["name", "project__code"]
    ordering_fields = ["name", "created_at", "updated_at"]

    def get_queryset(self):
        return calendar_list(user=self.request.user)

    def get_editable_queryset(self):
        return Calendar.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        user = self.request.user
        if data.get("project") is None:
            if not sees_everything(user):
                raise exceptions.PermissionDenied(SHARED_CALENDAR_DENIED)
        else:
            require_editable(Project.objects.editable_by(user), data["project"], PROJECT_EDIT_DENIED)
        return calendar_create(actor=user, exceptions=data.pop("exceptions", []), **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)  # fixed after creation (validated as unchanged)
        exceptions = data.pop("exceptions", None)  # None: left as they are
        return calendar_update(
            actor=self.request.user,
            calendar=serializer.instance,
            data=data,
            expected_version=expected_version,
            exceptions=exceptions,
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        calendar_delete(actor=self.request.user, calendar=instance, expected_version=expected_version)


@extend_schema_view(retrieve=extend_schema(responses={200: BaselineSerializer, 404: ErrorSerializer}))
class BaselineViewSet(viewsets.ReadOnlyModelViewSet):
    """Baselines of the projects you can see. Set one with POST /projects/{id}/set-baseline/."""

    serializer_class = BaselineSerializer
    filterset_class = BaselineFilterSet
    search_fields = ["name", "project__code"]
    ordering_fields = ["number", "created_at", "project__code"]

    def get_queryset(self):
        return baseline_list(user=self.request.user)


@extend_schema_view(retrieve=extend_schema(responses={200: BaselineTaskSerializer, 404: ErrorSerializer}))
class BaselineTaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Each task's values in the baselines you can see: filter by `baseline`, or by `project`
    and `number`."""

    serializer_class = BaselineTaskSerializer
    filterset_class = BaselineTaskFilterSet
    search_fields = ["task__name", "task__outline_number"]
    ordering_fields = ["start", "finish", "duration_minutes", "cost", "task__sort_order"]

    def get_queryset(self):
        return baseline_task_list(user=self.request.user)


# -- project actions ---------------------------------------------------------------------------


class MspdiRenderer(renderers.BaseRenderer):
    """Lets a client ask for `Accept: application/xml`; the export already is XML bytes, and
    an error body is rendered as a small XML document."""

    media_type = "application/xml"
    format = "xml"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        detail = escape(str((data or {}).get("detail", "")))
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<error><detail>{detail}</detail></error>\n'.encode()


class ProjectScheduleActionsMixin:
    """Schedule actions on /projects/{id}/. Reads need sight of the project; writes an editor
    role on it (the viewset's EditableObjectPermission: 404, then 403)."""

    @extend_schema(
        request=BaselineSetSerializer,
        responses={201: BaselineSerializer, **ERRORS},
        description="Snapshot every task's current dates, duration and cost as baseline `number` (0-10), "
        "replacing an earlier baseline with that number. An approved baseline (`approved`, the plan of "
        "record) is kept: without `overwrite_approved: true` the request answers 400 on `number` (or on "
        "`overwrite_approved` for a program manager); `overwrite_approved` from anyone but the program "
        "manager or a portfolio admin answers 403. The overwrite is audited.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="set-baseline",
        serializer_class=BaselineSetSerializer,
        filter_backends=[],
    )
    def set_baseline(self, request, pk=None):
        project = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        may_overwrite = may_overwrite_approved_plan(user=request.user, project=project)
        if data["overwrite_approved"] and not may_overwrite:
            raise PermissionDenied(BASELINE_OVERWRITE_DENIED)
        if may_overwrite and not data["overwrite_approved"]:
            approved = Baseline.objects.filter(project=project, number=data["number"], approved=True).first()
            if approved is not None:
                raise ValidationError(
                    {"overwrite_approved": OVERWRITE_NOT_CONFIRMED.format(name=approved.name, pk=approved.pk)}
                )
        baseline = baseline_set(actor=request.user, project=project, **data)
        baseline = baseline_list(user=request.user).get(pk=baseline.pk)
        return Response(BaselineSerializer(baseline).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": ScheduleImportSerializer},
        responses={
            200: OpenApiResponse(SchedulePreviewSerializer, description="The preview; nothing was written."),
            400: OpenApiResponse(
                ErrorSerializer, description="The file cannot be imported (error on `file`); nothing was kept."
            ),
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        description="Step 1 of 2: upload a schedule file and get the preview of its import (tasks added, changed, "
        "removed, dates that move, links, start and finish before and after). Nothing is written: confirm "
        "with `schedule-import/{import_id}/confirm/`.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="schedule-import",
        serializer_class=ScheduleImportSerializer,
        parser_classes=[MultiPartParser, FormParser],
        filter_backends=[],
    )
    def import_schedule(self, request, pk=None):
        project = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = schedule_import_upload(
            user=request.user,
            project=project,
            upload=serializer.validated_data["file"],
            replace=serializer.validated_data["replace"],
        )
        return Response(self._preview_data(request, project, job))

    def _preview_data(self, request, project, job) -> dict:
        preview = schedule_import_job_preview(job=job, actor=request.user)
        confirm = reverse("api:project-confirm-schedule-import", args=[project.pk, job.pk])
        data = {
            **{f.name: getattr(preview, f.name) for f in dataclasses.fields(preview)},
            "import_id": job.pk,
            "confirm_url": request.build_absolute_uri(confirm),
            "changes_nothing": preview.changes_nothing,
        }
        return SchedulePreviewSerializer(data).data

    @extend_schema(
        request=ScheduleImportConfirmSerializer,
        responses={
            200: OpenApiResponse(ScheduleImportResultSerializer, description="Imported; no task was new."),
            201: OpenApiResponse(ScheduleImportResultSerializer, description="Imported; tasks were created."),
            400: OpenApiResponse(
                ErrorSerializer,
                description="A replace without `confirm_replace`, or a file that no longer imports; nothing written.",
            ),
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="The plan changed since the preview, or the upload was imported already; nothing written.",
            ),
        },
        description="Step 2 of 2: import the previewed file, all or nothing, if the plan is still the previewed one.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"schedule-import/(?P<import_id>[0-9]+)/confirm",
        serializer_class=ScheduleImportConfirmSerializer,
        filter_backends=[],
    )
    def confirm_schedule_import(self, request, pk=None, import_id=None):
        project = self.get_object()
        job = get_object_or_404(ScheduleImport.objects.editable_by(request.user).filter(project=project), pk=import_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = schedule_import_confirm(
                job=job,
                actor=request.user,
                fingerprint=serializer.validated_data["fingerprint"],
                replace_confirmed=serializer.validated_data["confirm_replace"],
                estimates=serializer.estimates(),
                resource_matches=serializer.validated_data.get("resource_matches"),
            )
        except StalePreviewError as stale:
            raise Conflict(" ".join(stale.messages)) from None
        if result is None:
            raise Conflict(ALREADY_IMPORTED.format(filename=job.filename, code=project.code))
        code = status.HTTP_201_CREATED if result.tasks_created else status.HTTP_200_OK
        return Response(ScheduleImportResultSerializer(result).data, status=code)

    @extend_schema(
        responses={
            (200, "application/xml"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The schedule as MS Project XML (MSPDI), as an attachment.",
                examples=[OpenApiExample("MSPDI", value='<Project xmlns="http://schemas.microsoft.com/project">…')],
            ),
            404: ErrorSerializer,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="schedule-export",
        renderer_classes=[renderers.JSONRenderer, MspdiRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def export_schedule(self, request, pk=None):
        project = self.get_object()
        response = HttpResponse(schedule_export_mspdi(project=project), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{project.code}.xml"'
        return response

    @extend_schema(responses={200: TaskSerializer(many=True), 404: ErrorSerializer})
    @action(
        detail=True,
        methods=["get"],
        url_path="critical-path",
        serializer_class=TaskSerializer,
        filter_backends=[],
    )
    def critical_path(self, request, pk=None):
        """The project's critical tasks (no summaries), in the order work runs through them."""
        project = self.get_object()
        page = self.paginate_queryset(critical_tasks(project=project))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
