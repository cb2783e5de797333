"""Import jobs over the API: upload a CSV or XLSX file of actual costs or budget lines, then
follow the job (status, progress, counts, row-level errors) until it is done or failed.

A job is its uploader's: other people get 404. Creating one queues it at once (after the
request's transaction commits); with no broker configured it runs in-process before the
response, which then already shows the outcome.
"""

import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import ServiceCreateMixin
from core.serializers import ErrorSerializer

from ..filters import ImportJobFilterSet
from ..imports import (
    FIELDS_BY_KIND,
    import_job_create,
    import_job_enqueue,
    importer_for,
    may_import,
    open_table,
    propose_mapping,
)
from ..imports.jobs import IMPORT_DENIED
from ..models import ImportJob
from ..serializers import ImportJobSerializer, ImportPreviewSerializer, ImportUploadSerializer
from ._common import require

PREVIEW_ROWS = 20


def _upload_options(data: dict) -> dict:
    return {
        "kind": data["kind"],
        "mapping": data.get("mapping"),
        "default_source": data.get("source", ""),
        "date_format": data.get("date_format", ""),
    }


@extend_schema_view(
    create=extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: OpenApiResponse(ImportJobSerializer, description="The job, queued (or already finished)."),
            400: OpenApiResponse(
                ErrorSerializer,
                description="The file cannot be read or breaks a limit, the upload quota is used up (`file`), or the "
                "mapping is wrong (`mapping`).",
            ),
            403: OpenApiResponse(ErrorSerializer, description="You hold no finance role on any project."),
        },
        description="Upload a file and queue its import: all or nothing, and idempotent (rows already imported "
        "are skipped). Follow the job at /imports/{id}/.",
    ),
    retrieve=extend_schema(responses={200: ImportJobSerializer, 404: ErrorSerializer}),
)
class ImportJobViewSet(ServiceCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your import jobs, newest first."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]  # every write is a file upload
    filterset_class = ImportJobFilterSet
    search_fields = ["filename"]
    ordering_fields = ["created_at", "finished_at", "status"]

    def get_queryset(self):
        return ImportJob.objects.visible_to(self.request.user).select_related("user")

    def get_serializer_class(self):
        if self.action in ("create", "preview"):
            return ImportUploadSerializer
        return ImportJobSerializer

    def create(self, request, *args, **kwargs):
        require(may_import(request.user), IMPORT_DENIED)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        job = import_job_create(user=self.request.user, upload=data["file"], **_upload_options(data))
        return import_job_enqueue(job=job)

    def respond_with(self, instance, status_code=status.HTTP_200_OK, *, reload: bool = True) -> Response:
        if reload:
            instance = self.get_queryset().filter(pk=instance.pk).first() or instance
        return Response(ImportJobSerializer(instance).data, status=status_code)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportPreviewSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        description="Read a file without importing it: its headers, the proposed (or given) mapping and the first "
        f"{PREVIEW_ROWS} rows as they would import, each with its errors. Nothing is stored.",
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def preview(self, request):
        require(may_import(request.user), IMPORT_DENIED)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload, options = data["file"], _upload_options(data)
        fields = FIELDS_BY_KIND[options["kind"]]
        suffix = Path(upload.name or "").suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix, prefix="keel-preview-") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            table = open_table(handle.name, filename=upload.name)
            mapping = options["mapping"] if options["mapping"] is not None else propose_mapping(table.headers, fields)
            rows, mapping_errors = [], []
            try:
                importer = importer_for(
                    options["kind"],
                    table,
                    mapping,
                    actor=request.user,
                    default_source=options["default_source"],
                    date_format=options["date_format"],
                )
            except ValidationError as error:
                if "mapping" not in getattr(error, "error_dict", {}):
                    raise
                mapping_errors = error.message_dict["mapping"]
            else:
                rows = importer.preview(limit=PREVIEW_ROWS).rows
        body = {
            "headers": table.headers,
            "fields": [
                {"name": f.name, "label": f.label, "required": f.required, "help": f.help} for f in fields.values()
            ],
            "mapping": {k: v for k, v in mapping.items() if v} if isinstance(mapping, dict) else {},
            "mapping_errors": mapping_errors,
            "rows": rows,
        }
        return Response(ImportPreviewSerializer(body).data)
