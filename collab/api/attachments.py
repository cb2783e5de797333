"""The attachments of an object over REST: /api/v1/collab/{slug}/{target_pk}/attachments/.

The same rules as the HTML views (collab.views.attachments), through the same services: the object
is found through its model's `visible_to(user)` (404 for anyone who cannot see it, for every
method); an upload (multipart, field `file`) needs the right to edit the object (403 otherwise);
deleting needs that or being the uploader; refused files are 400 naming `file` and the reason.
Downloads are streamed (`download/`, optionally `?version=n`).
"""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from core.filters import KnownQueryParamsFilter
from core.serializers import ErrorSerializer

from ..models import Attachment, AttachmentVersion
from ..selectors.attachments import attachment_queryset, attachment_version
from ..services import attachments as services
from ..services.filecheck import ALLOWED_TEXT
from ..targets import TARGETS, target_object
from ..views.attachments import file_response

TARGET_PARAMETERS = [
    OpenApiParameter(
        "slug",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        enum=sorted(TARGETS),
        description="The kind of object the attachments belong to.",
    ),
    OpenApiParameter("target_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The object's id."),
]


def _download_url(context: dict, attachment: Attachment, number: int | None = None) -> str:
    request = context.get("request")
    url = reverse(
        "api:collab-attachment-download",
        kwargs={"slug": context["slug"], "target_pk": attachment.object_id, "pk": attachment.pk},
    )
    if number is not None:
        url += f"?version={number}"
    return request.build_absolute_uri(url) if request else url


class AttachmentVersionSerializer(serializers.ModelSerializer):
    uploaded_by_username = serializers.CharField(source="uploaded_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AttachmentVersion
        fields = [
            "number",
            "size",
            "content_type",
            "sha256",
            "uploaded_by",
            "uploaded_by_username",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, version) -> str:
        return _download_url(self.context, version.attachment, version.number)


class AttachmentSerializer(serializers.ModelSerializer):
    """An attachment with its versions, newest first; `latest` is the first of them."""

    target_type = serializers.SerializerMethodField()
    target_id = serializers.IntegerField(source="object_id", read_only=True)
    uploaded_by_username = serializers.CharField(source="uploaded_by.username", read_only=True)
    latest = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "target_type",
            "target_id",
            "program",
            "uploaded_by",
            "uploaded_by_username",
            "created_at",
            "updated_at",
            "latest",
            "versions",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=sorted(TARGETS)))
    def get_target_type(self, attachment) -> str:
        return self.context["slug"]

    @extend_schema_field(AttachmentVersionSerializer(allow_null=True))
    def get_latest(self, attachment):
        versions = attachment.version_list
        return AttachmentVersionSerializer(versions[0], context=self.context).data if versions else None

    @extend_schema_field(AttachmentVersionSerializer(many=True))
    def get_versions(self, attachment):
        return AttachmentVersionSerializer(attachment.version_list, many=True, context=self.context).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment) -> str:
        return _download_url(self.context, attachment)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the service says "empty" in its own words
        use_url=False,
        help_text=(
            f"The file; its name names the attachment (the same name again adds a version). Allowed: {ALLOWED_TEXT}."
        ),
    )


class DownloadRenderer(BaseRenderer):
    """Lets a download be asked for with any Accept header (the file is streamed as it is stored);
    an error is still JSON."""

    media_type = "*/*"
    format = "download"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data, "application/json", renderer_context)


ERRORS = {403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema(parameters=TARGET_PARAMETERS, tags=["attachments"])
class AttachmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Files attached to a program, project, status report, risk, issue, stage gate, gate criterion
    (its evidence), change request, decision, benefit or contract you can see. Upload with a
    multipart POST (field `file`); the same name again adds a version. An approved gate's evidence
    is frozen."""

    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser]
    filter_backends = [KnownQueryParamsFilter]

    def get_target(self):
        if not hasattr(self, "_target"):
            kwargs = self.kwargs
            self._target = target_object(slug=kwargs.get("slug"), pk=kwargs.get("target_pk"), user=self.request.user)
        if self._target is None:
            raise Http404
        return self._target

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the schema
            return Attachment.objects.none()
        return attachment_queryset(obj=self.get_target())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "slug": self.kwargs.get("slug")}

    @extend_schema(responses={200: AttachmentSerializer(many=True), **ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: AttachmentSerializer, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: OpenApiResponse(AttachmentSerializer, description="A new attachment, or a new version of one."),
            200: OpenApiResponse(AttachmentSerializer, description="The same bytes as the latest version: no change."),
            400: ErrorSerializer,
            **ERRORS,
        },
    )
    def create(self, request, *args, **kwargs):
        """Upload a file (multipart, field `file`). Needs the right to edit the object."""
        target = self.get_target()
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.attachment_upload(user=request.user, target=target, file=serializer.validated_data["file"])
        attachment = self.get_queryset().get(pk=result.attachment.pk)
        code = status.HTTP_200_OK if result.outcome == "unchanged" else status.HTTP_201_CREATED
        return Response(self.get_serializer(attachment).data, status=code)

    @extend_schema(responses={204: None, 400: ErrorSerializer, **ERRORS})
    def destroy(self, request, *args, **kwargs):
        """Delete an attachment (its uploader, or whoever may edit the object). Refused (400) for
        the evidence of an approved gate."""
        attachment = self.get_object()
        services.attachment_delete(user=request.user, attachment=attachment, target=self.get_target())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter("format", exclude=True),  # the renderers' ?format= does not apply to a file
            OpenApiParameter(
                "version", OpenApiTypes.INT, OpenApiParameter.QUERY, description="A version number (default: latest)."
            ),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file, streamed as an attachment, with the type read from its content.",
            ),
            (404, "application/json"): ErrorSerializer,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, DownloadRenderer])
    def download(self, request, *args, **kwargs):
        """The file itself, streamed."""
        attachment = self.get_object()
        version = attachment_version(attachment=attachment, number=request.query_params.get("version"))
        if version is None:
            raise Http404
        return file_response(attachment, version)
