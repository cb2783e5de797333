"""API conventions shared by every viewset: errors as JSON naming the field, ETag/If-Match."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .services import StaleVersionError, versioned_delete, versioned_update


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since your ETag was issued."
    default_code = "precondition_failed"


def _flatten(detail, prefix: str = "") -> list[dict]:
    """Turn DRF's nested error detail into `[{"field", "code", "message"}]`."""
    errors = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else None
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


def exception_handler(exc, context):
    """Every API error is `{"status", "detail", "errors": [{"field", "code", "message"}]}`."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, StaleVersionError):
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, IntegrityError):
        # A database constraint caught what validation missed (a race on a unique code).
        exc = exceptions.ValidationError({"non_field_errors": [f"Conflicts with existing data: {exc}"]})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    elif isinstance(exc, (Http404, exceptions.NotFound)):
        errors, detail = [], "Not found."
    else:
        detail = str(getattr(exc, "detail", exc))
        errors = []
    response.data = {"status": response.status_code, "detail": detail, "errors": errors}
    return response


def parse_if_match(request) -> int | None:
    """Return the version named by If-Match, None when absent; 412 when unparseable."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    try:
        return int(value)
    except ValueError:
        raise PreconditionFailed(f"If-Match {header!r} is not an ETag this API issued.") from None


class VersionedModelViewSetMixin:
    """ETag on detail responses, If-Match on PUT/PATCH/DELETE (412 when stale).

    Updates go through `core.services.versioned_update`, which checks and bumps the version
    in one UPDATE. Subclasses may override `perform_versioned_update` to call a domain
    service instead; it must take `expected_version`.
    """

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        expected = parse_if_match(request)
        if expected is not None and expected != instance.version:
            raise PreconditionFailed()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_versioned_update(serializer, expected_version=expected)
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

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
