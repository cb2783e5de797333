"""Bulk writes over the API: many rows in one POST, all or nothing, idempotent under a key.

A viewset mixes in `BulkActionMixin` and gets `POST <resource>/bulk/`. The body is a JSON array
of objects, or CSV with a header row (`Content-Type: text/csv`; an empty cell is an omitted
field). Each row goes through the viewset's own serializer and write service (so it is
validated, audited and versioned exactly as a single write is); the whole request runs in one
transaction, so any bad row answers an error naming its index, field and reason and nothing is
written. Limits: KEEL_BULK_MAX_ROWS rows and KEEL_BULK_MAX_BYTES bytes (413 past either).

`Idempotency-Key: <up to 255 characters>` makes a retry safe: the first request's answer is kept
(core.models.IdempotencyKey, KEEL_IDEMPOTENCY_HOURS) and the same key with the same body gets it
again with `Idempotent-Replayed: true` and writes nothing; the same key with another body is
refused (422). The key's row is inserted in the request's own transaction, before any write: a
second request with the same key waits on the unique constraint until the first commits, then
replays its answer (or, if the first rolled back, applies itself). Only successful answers are
kept: a refused request wrote nothing and may be corrected and sent again under the same key.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import IdempotencyKey
from .services import StaleVersionError

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"

TOO_MANY_BYTES = "The body has {size} bytes; a bulk request may carry at most {limit} (KEEL_BULK_MAX_BYTES)."
TOO_MANY_ROWS = "The body has {rows} rows; a bulk request may carry at most {limit} (KEEL_BULK_MAX_ROWS)."
NO_ROWS = "Send at least one row."
NOT_AN_ARRAY = "Send a JSON array of objects (or CSV with a header row, Content-Type: text/csv)."
ROW_NOT_OBJECT = "Each row must be a JSON object."
BAD_JSON = "The body is not valid JSON: {error}"
BAD_CSV = "The body is not valid UTF-8 CSV with a header row: {error}"
BAD_KEY = "Idempotency-Key must be 1 to 255 printable ASCII characters."
KEY_REUSED = (
    "Idempotency-Key {key!r} was already used on this endpoint with a different body; "
    "use a new key for a different request."
)
ROW_STALE = "Version {expected} is stale: the record is at version {current}; read it again."
ROW_NOT_FOUND = "Not found."
UNSUPPORTED_TYPE = "Send application/json or text/csv."
CSV_EXTRA_CELLS = "This row has more cells than the header has names."


@dataclass
class RowError(Exception):
    """One row refused: the request answers `status` and names the row, field and reason."""

    index: int
    field: str | None
    message: str
    code: str = "invalid"
    status: int = status.HTTP_400_BAD_REQUEST


class BulkErrorItemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="0-based index of the refused row.")
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class BulkErrorSerializer(serializers.Serializer):
    """A refused bulk request: nothing was written."""

    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = BulkErrorItemSerializer(many=True)


def _error_response(status_code: int, errors: list[dict]) -> Response:
    detail = "; ".join(
        " ".join(part for part in (f"row {e['row']}:" if e["row"] is not None else "", e["field"] or "") if part)
        + (": " if e["row"] is not None or e["field"] else "")
        + e["message"]
        for e in errors
    )
    return Response({"status": status_code, "detail": detail, "errors": errors}, status=status_code)


def _flatten_row(index: int, detail, prefix: str = "") -> list[dict]:
    """A serializer's nested errors as `[{"row", "field", "code", "message"}]`."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else str(key)
            field = f"{prefix}.{name}" if prefix and name else (name or prefix or None)
            out.extend(_flatten_row(index, value, field or ""))
    elif isinstance(detail, list):
        for value in detail:
            out.extend(_flatten_row(index, value, prefix))
    else:
        out.append(
            {"row": index, "field": prefix or None, "code": getattr(detail, "code", "invalid"), "message": str(detail)}
        )
    return out


def parse_rows(body: bytes, content_type: str) -> list[dict]:
    """The rows of a bulk body (JSON array of objects, or CSV with a header row). Raises
    RowError (index None) naming what is wrong with the body as a whole."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in ("text/csv", "application/csv"):
        try:
            records = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise RowError(None, None, BAD_CSV.format(error=exc), "parse_error") from None
        rows = []
        for index, record in enumerate(records):
            if None in record:  # DictReader keeps cells past the header under None
                raise RowError(index, None, CSV_EXTRA_CELLS, "parse_error")
            rows.append({name: value for name, value in record.items() if value not in ("", None)})
        return rows
    if media not in ("application/json", ""):
        raise RowError(None, None, UNSUPPORTED_TYPE, "unsupported_media_type", status.HTTP_415_UNSUPPORTED_MEDIA_TYPE)
    try:
        data = json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise RowError(None, None, BAD_JSON.format(error=exc), "parse_error") from None
    if not isinstance(data, list):
        raise RowError(None, None, NOT_AN_ARRAY, "not_a_list")
    for index, row in enumerate(data):
        if not isinstance(row, dict):
            raise RowError(index, None, ROW_NOT_OBJECT, "not_an_object")
    return data


def request_hash(body: bytes, content_type: str) -> str:
    media = (content_type or "").split(";")[0].strip().lower()
    return hashlib.sha256(media.encode() + b"\n" + body).hexdigest()


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= 255 and all(32 <= ord(ch) < 127 for ch in key)


def idempotency_claim(*, user, endpoint: str, key: str, digest: str) -> IdempotencyKey | None:
    """Claim `key` for this request inside the caller's transaction. Returns the stored answer
    to replay when an earlier request (committed, or committing while we wait on the unique
    constraint) already used it with the same body; None when this request may apply.
    Raises RowError (422) when the key was used with a different body. Keys past
    KEEL_IDEMPOTENCY_HOURS no longer count (the beat job deletes them)."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.KEEL_IDEMPOTENCY_HOURS)
    IdempotencyKey.objects.filter(user=user, endpoint=endpoint, key=key, created_at__lt=cutoff).delete()
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(user=user, endpoint=endpoint, key=key, request_hash=digest)
        return None
    except IntegrityError:
        stored = IdempotencyKey.objects.get(user=user, endpoint=endpoint, key=key)
    if stored.request_hash != digest:
        raise RowError(None, None, KEY_REUSED.format(key=key), "idempotency_key_reused", 422)
    return stored


def idempotency_keys_prune(*, hours: int | None = None) -> int:
    """Delete stored answers older than `hours` (KEEL_IDEMPOTENCY_HOURS); returns how many."""
    hours = settings.KEEL_IDEMPOTENCY_HOURS if hours is None else hours
    cutoff = timezone.now() - dt.timedelta(hours=hours)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def bulk_schema(*, name: str, row_serializer, result_serializer, description: str, created: bool = True):
    """drf-spectacular for a bulk action: JSON array or CSV of `row_serializer` in, `{"count",
    "results": [result_serializer]}` out."""
    ok = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response_serializer = inline_serializer(
        name=f"{name}BulkResult",
        fields={"count": serializers.IntegerField(), "results": result_serializer(many=True)},
    )
    errors = OpenApiResponse(BulkErrorSerializer, description="Refused; nothing was written. Names row and field.")
    return extend_schema(
        description=description,
        request={"application/json": row_serializer(many=True), "text/csv": OpenApiTypes.STR},
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Any string up to 255 characters; a retry with the same key and body replays the answer.",
            ),
            OpenApiParameter(
                REPLAY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[ok],
                description='"true" when the answer is a replay of an earlier request with the same key.',
            ),
        ],
        responses={
            ok: response_serializer,
            400: errors,
            403: errors,
            404: errors,
            412: errors,
            413: errors,
            415: errors,
            422: errors,
        },
    )


class BulkActionMixin:
    """`POST <resource>/bulk/` on a viewset. The viewset provides:

    - `bulk_prepare(index, row) -> serializer` — a validated-or-not serializer for the row; may
      raise RowError (e.g. 404 for a row naming a record the user cannot see);
    - `bulk_write(index, serializer) -> object` — the write through the domain service;
    - `bulk_created` — True for creates (201), False for updates (200).
    Its `get_serializer` serializes the written objects for the answer."""

    bulk_created = True

    def bulk_prepare(self, index: int, row: dict):
        raise NotImplementedError

    def bulk_write(self, index: int, serializer):
        raise NotImplementedError

    def bulk_rows_loaded(self, rows: list[dict]) -> None:
        """Hook: look up what every row refers to in one query before the rows are prepared."""

    @action(detail=False, methods=["post"], url_path="bulk", url_name="bulk")
    def bulk(self, request, *args, **kwargs):
        limit = settings.KEEL_BULK_MAX_BYTES
        declared = request.META.get("CONTENT_LENGTH") or "0"
        size = int(declared) if declared.isdigit() else 0
        if size > limit:
            return _error_response(413, [_body_error(TOO_MANY_BYTES.format(size=size, limit=limit), "too_large")])
        body = request.body
        if len(body) > limit:
            return _error_response(413, [_body_error(TOO_MANY_BYTES.format(size=len(body), limit=limit), "too_large")])
        content_type = request.META.get("CONTENT_TYPE", "")
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is not None and not _valid_key(key):
            return _error_response(400, [_body_error(BAD_KEY, "invalid", field=IDEMPOTENCY_HEADER)])
        endpoint = request.path
        try:
            with transaction.atomic():
                if key is not None:
                    stored = idempotency_claim(
                        user=request.user, endpoint=endpoint, key=key, digest=request_hash(body, content_type)
                    )
                    if stored is not None:
                        response = Response(stored.response_body, status=stored.status_code)
                        response[REPLAY_HEADER] = "true"
                        return response
                data, code = self._bulk_apply(body, content_type)
                if key is not None:
                    IdempotencyKey.objects.filter(user=request.user, endpoint=endpoint, key=key).update(
                        status_code=code, response_body=data
                    )
        except RowError as exc:
            return _error_response(exc.status, [_as_item(exc)])
        except _RowErrorsError as exc:
            return _error_response(exc.status, exc.errors)
        return Response(data, status=code)

    def _bulk_apply(self, body: bytes, content_type: str) -> tuple[dict, int]:
        rows = parse_rows(body, content_type)
        if not rows:
            raise RowError(None, None, NO_ROWS, "empty")
        if len(rows) > settings.KEEL_BULK_MAX_ROWS:
            raise RowError(
                None, None, TOO_MANY_ROWS.format(rows=len(rows), limit=settings.KEEL_BULK_MAX_ROWS), "too_large", 413
            )
        self.bulk_rows_loaded(rows)
        prepared, errors = [], []
        for index, row in enumerate(rows):
            try:
                serializer = self.bulk_prepare(index, row)
            except RowError as exc:
                errors.append({**_as_item(exc), "status": exc.status})
                continue
            if not serializer.is_valid():
                errors.extend({**e, "status": 400} for e in _flatten_row(index, serializer.errors))
                continue
            prepared.append((index, serializer))
        if errors:
            # The most telling status wins: 404 (a row you cannot see), then 403, 412, 400.
            statuses = {e.pop("status") for e in errors}
            code = next(s for s in (404, 403, 412, 400) if s in statuses)
            raise _RowErrorsError(code, errors)
        written = []
        for index, serializer in prepared:
            try:
                written.append(self.bulk_write(index, serializer))
            except RowError:
                raise
            except exceptions.ValidationError as exc:
                raise _RowErrorsError(400, _flatten_row(index, exc.detail)) from None
            except DjangoValidationError as exc:
                detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
                raise _RowErrorsError(400, _flatten_row(index, detail)) from None
            except StaleVersionError as exc:
                raise RowError(index, "version", str(exc), "stale", 412) from None
            except exceptions.PermissionDenied as exc:
                raise RowError(index, None, str(exc.detail), "permission_denied", 403) from None
            except Http404:
                raise RowError(index, None, ROW_NOT_FOUND, "not_found", 404) from None
            except IntegrityError as exc:
                raise RowError(index, None, f"Conflicts with existing data: {exc}", "conflict") from None
        results = self.get_serializer(self.bulk_reload(written), many=True).data
        data = {"count": len(written), "results": json.loads(json.dumps(results, default=str))}
        return data, (status.HTTP_201_CREATED if self.bulk_created else status.HTTP_200_OK)

    def bulk_reload(self, written: list) -> list:
        """The written objects re-read through get_queryset() (as a single write answers)."""
        by_pk = {obj.pk: obj for obj in self.get_queryset().filter(pk__in=[o.pk for o in written])}
        return [by_pk.get(obj.pk, obj) for obj in written]


class _RowErrorsError(Exception):  # several rows refused at once
    def __init__(self, status_code: int, errors: list[dict]):
        super().__init__(errors)
        self.status = status_code
        self.errors = errors


def _body_error(message: str, code: str, field: str | None = None) -> dict:
    return {"row": None, "field": field, "code": code, "message": message}


def _as_item(exc: RowError) -> dict:
    return {"row": exc.index, "field": exc.field, "code": exc.code, "message": exc.message}
