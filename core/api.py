"""API conventions shared by every viewset: errors as JSON naming the field, access checks,
service-backed creates, ETag/If-Match.

Access: a viewset's `get_queryset()` starts from `Model.objects.visible_to(user)`, so an
object the user cannot see is 404; `get_editable_queryset()` says what the user may change,
and `EditableObjectPermission` answers 403 for a write to anything visible but outside it.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .models import ApiToken
from .serializers import ApiTokenCreatedSerializer, ApiTokenSerializer, ErrorSerializer, MeSerializer
from .services import StaleVersionError, api_token_create, api_token_revoke, versioned_delete, versioned_update

MINTING_NEEDS_SESSION = (
    "A token cannot create tokens (a leaked one could outlive its revocation): "
    "sign in, or run manage.py create_api_token."
)
NUMBER_TOO_LARGE = "A number in the request is too large."
IN_USE = "{name} is still referenced by other records ({related}); remove those first."


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since your ETag was issued."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = (
        "This server requires If-Match on PUT, PATCH and DELETE: send the ETag you last read "
        '(e.g. If-Match: "3"), so a write never overwrites a change you have not seen.'
    )
    default_code = "precondition_required"


IF_MATCH_REQUIRED_METHODS = frozenset({"PUT", "PATCH", "DELETE"})


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


def _flatten(detail, prefix: str = "") -> list[dict]:
    """Turn DRF's nested error detail into `[{"field", "code", "message"}]`."""
    errors = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a list item's errors, keyed by its index
                errors.extend(_flatten(value, f"{prefix}[{key}]"))
                continue
            name = key if key not in ("non_field_errors", NON_FIELD_ERRORS) else None
            field = f"{prefix}.{name}" if prefix and name else (name or prefix or None)
            errors.extend(_flatten(value, field or ""))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict):
                errors.extend(_flatten(value, f"{prefix}[{index}]"))
            else:
                errors.extend(_flatten(value, prefix))
    else:
        errors.append({"field": prefix or None, "code": getattr(detail, "code", "invalid"), "message": str(detail)})
    return errors


def _in_use(exc: ProtectedError | RestrictedError) -> Conflict:
    blockers = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    related = sorted({str(obj._meta.verbose_name_plural) for obj in blockers})
    return Conflict(IN_USE.format(name="This record", related=", ".join(related)))


def exception_handler(exc, context):
    """Every API error is `{"status", "detail", "errors": [{"field", "code", "message"}]}`."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, StaleVersionError):
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = _in_use(exc)
    elif isinstance(exc, OverflowError):
        # SQLite refuses integers past 64 bits in a query, e.g. `?program=1e30` reaching a
        # filter (PostgreSQL just finds no row). Only request input gets that far.
        exc = exceptions.ValidationError({"non_field_errors": [NUMBER_TOO_LARGE]})
    elif isinstance(exc, IntegrityError):
        # A database constraint caught what validation missed (a race on a unique code).
        exc = exceptions.ValidationError({"non_field_errors": [f"Conflicts with existing data: {exc}"]})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    elif isinstance(exc, Http404):
        # Django's 404 text may name the model and lookup; say no more than "not found".
        errors, detail = [], "Not found."
    else:
        detail = str(getattr(exc, "detail", exc))
        errors = []
    response.data = {"status": response.status_code, "detail": detail, "errors": errors}
    return response


def parse_if_match(request) -> int | None:
    """Return the version named by If-Match, None when absent or `*`; 412 when unparseable.

    With KEEL_REQUIRE_IF_MATCH on, a PUT, PATCH or DELETE without the header is refused with 428
    Precondition Required (`If-Match: *` still says "whatever the version", explicitly)."""
    header = request.headers.get("If-Match")
    if not header and settings.KEEL_REQUIRE_IF_MATCH and request.method in IF_MATCH_REQUIRED_METHODS:
        raise PreconditionRequired()
    if not header or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    try:
        return int(value)
    except ValueError:
        raise PreconditionFailed(f"If-Match {header!r} is not an ETag this API issued.") from None


def require_editable(queryset, obj, message: str) -> None:
    """403 unless `obj` is in `queryset` (an `editable_by(user)` query)."""
    if not queryset.filter(pk=obj.pk).exists():
        raise exceptions.PermissionDenied(message)


class EditableObjectPermission(permissions.IsAuthenticated):
    """Reads need only visibility (get_queryset gives 404 otherwise); a write to an object
    needs it in the view's `get_editable_queryset()`, else 403."""

    message = "You may read this record but not change it."

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.get_editable_queryset().filter(pk=obj.pk).exists()


ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The representation\'s version, e.g. `"3"`. Send it back as If-Match to update or delete.',
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "The ETag you last read. The write is refused with 412 when the record changed since; "
        "without the header the write applies to the current version, unless the server sets "
        "KEEL_REQUIRE_IF_MATCH, which answers 428 instead."
    ),
)


def versioned_schema(serializer):
    """Document a VersionedModelViewSetMixin viewset: ETag out, If-Match in, error bodies."""
    error = ErrorSerializer
    precondition = OpenApiResponse(error, description="Stale or malformed If-Match: reload and retry.")
    required = OpenApiResponse(error, description="No If-Match, on a server that requires it (KEEL_REQUIRE_IF_MATCH).")
    in_use = OpenApiResponse(error, description="Still referenced by other records.")
    write = {200: serializer, 400: error, 403: error, 404: error, 412: precondition, 428: required}
    return extend_schema_view(
        create=extend_schema(parameters=[ETAG_HEADER], responses={201: serializer, 400: error, 403: error}),
        retrieve=extend_schema(parameters=[ETAG_HEADER], responses={200: serializer, 404: error}),
        update=extend_schema(parameters=[IF_MATCH_HEADER, ETAG_HEADER], responses=write),
        partial_update=extend_schema(parameters=[IF_MATCH_HEADER, ETAG_HEADER], responses=write),
        destroy=extend_schema(
            parameters=[IF_MATCH_HEADER],
            responses={204: None, 403: error, 404: error, 409: in_use, 412: precondition, 428: required},
        ),
    )


class ServiceCreateMixin:
    """`create` through a domain service: the viewset's `perform_create(serializer)` calls
    the service and returns the new object, which is read back through `get_queryset()` so
    the response has the same shape (and annotations) as a detail read."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_create(serializer)
        return self.respond_with(instance, status.HTTP_201_CREATED)

    def perform_create(self, serializer):
        raise NotImplementedError("call the domain's create service and return the object")

    def respond_with(self, instance, status_code=status.HTTP_200_OK, *, reload: bool = True) -> Response:
        """Serialize `instance` (re-read through get_queryset() after a write), with its ETag."""
        if reload:
            instance = self.get_queryset().filter(pk=instance.pk).first() or instance
        response = Response(self.get_serializer(instance).data, status=status_code)
        if hasattr(instance, "etag"):
            response["ETag"] = instance.etag
        return response


class VersionedModelViewSetMixin(ServiceCreateMixin):
    """ETag on detail responses, If-Match on PUT/PATCH/DELETE (412 when stale).

    Updates go through `core.services.versioned_update`, which checks and bumps the version
    in one UPDATE. Subclasses may override `perform_versioned_update` to call a domain
    service instead; it must take `expected_version` and return the updated object.
    """

    def retrieve(self, request, *args, **kwargs):
        return self.respond_with(self.get_object(), reload=False)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        expected = parse_if_match(request)
        if expected is not None and expected != instance.version:
            raise PreconditionFailed()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_versioned_update(serializer, expected_version=expected)
        return self.respond_with(instance)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def perform_versioned_update(self, serializer, *, expected_version):
        return versioned_update(
            instance=serializer.instance,
            data=dict(serializer.validated_data),
            actor=self.request.user,
            expected_version=expected_version,
        )

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = parse_if_match(request)
        if expected is not None and expected != instance.version:
            raise PreconditionFailed()
        versioned_delete(instance=instance, actor=request.user, expected_version=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The authenticated user."""

    @extend_schema(responses={200: MeSerializer, 401: ErrorSerializer})
    def get(self, request):
        return Response(MeSerializer(request.user, context={"request": request}).data)


@extend_schema_view(
    create=extend_schema(
        request=ApiTokenSerializer,
        responses={201: ApiTokenCreatedSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        description="Create a token. The response carries the secret, once: it is not stored.",
    ),
    destroy=extend_schema(
        responses={204: None, 404: ErrorSerializer},
        description="Revoke the token: it stops working at once and stays listed, with `revoked_at`.",
    ),
)
class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The requesting user's own API tokens (`Authorization: Bearer <secret>`)."""

    serializer_class = ApiTokenSerializer
    search_fields = ["name", "prefix"]
    ordering_fields = ["created_at", "last_used_at", "name"]

    def get_queryset(self):
        return ApiToken.objects.filter(user_id=self.request.user.pk)

    def create(self, request, *args, **kwargs):
        if isinstance(request.auth, ApiToken):
            raise exceptions.PermissionDenied(MINTING_NEEDS_SESSION)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, secret = api_token_create(
            user=request.user,
            name=data["name"],
            expires_at=data.get("expires_at"),
            scope=data.get("scope", ApiToken.Scope.READ_WRITE),
        )
        token.secret = secret
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        api_token_revoke(token=instance)
