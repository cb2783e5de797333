"""Shared write helpers: optimistic-concurrency updates, audited create/update/delete, audit records
and API tokens."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from .models import ApiToken, AuditEntry

STALE_VERSION = "This record was changed by someone else since you loaded it; reload and try again."


class StaleVersionError(Exception):
    """The row's version no longer matches the one the writer read (HTTP 412)."""

    def __init__(self, message: str = STALE_VERSION):
        super().__init__(message)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def _foreign_key(obj: models.Model, name: str):
    """The many-to-one field `name` of `obj` when it has one with a value, else None."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not field.is_relation or not field.many_to_one or getattr(obj, field.attname, None) is None:
        return None
    return field


def _scope_of(holder: models.Model) -> tuple[int | None, int | None, int | None] | None:
    """The scope from `holder`'s own project, program or portfolio key: from related rows already
    loaded, else one values() query. None when it has none of the three."""
    field = _foreign_key(holder, "project")
    if field is not None:
        project_id = getattr(holder, field.attname)
        if field.is_cached(holder) and hasattr(holder.project, "audit_scope"):
            program_field = _foreign_key(holder.project, "program")
            if program_field is not None and program_field.is_cached(holder.project):
                return holder.project.audit_scope()
        try:
            row = (
                field.related_model._default_manager.filter(pk=project_id)
                .values_list("program__portfolio_id", "program_id")
                .first()
            )
        except FieldError:  # a project model without a program: only its own id is known
            row = None
        return (row[0], row[1], project_id) if row else (None, None, project_id)
    field = _foreign_key(holder, "program")
    if field is not None:
        program_id = getattr(holder, field.attname)
        if field.is_cached(holder):
            return getattr(holder.program, "portfolio_id", None), program_id, None
        try:
            portfolio_id = (
                field.related_model._default_manager.filter(pk=program_id)
                .values_list("portfolio_id", flat=True)
                .first()
            )
        except FieldError:
            portfolio_id = None
        return portfolio_id, program_id, None
    field = _foreign_key(holder, "portfolio")
    if field is not None:
        return getattr(holder, field.attname), None, None
    return None


def audit_scope(obj: models.Model) -> tuple[int | None, int | None, int | None]:
    """(portfolio id, program id, project id) of the object, where derivable: its own
    `audit_scope()` (portfolios, programs, projects), else its `project`/`program`/`portfolio`
    foreign keys, else those of the object its first foreign key points to (a mitigation
    action's risk, a criterion's gate). None for each level that does not apply. core knows no
    domain: it only follows those names. At most two queries, none when the rows are loaded."""
    own = getattr(obj, "audit_scope", None)
    if callable(own):
        return own()
    for holder in (obj, *_parents(obj)):
        found = _scope_of(holder)
        if found is not None:
            return found
    return None, None, None


def _parents(obj: models.Model):
    """The object the first non-user foreign key of `obj` points to (one hop), if any."""
    for field in obj._meta.concrete_fields:
        if field.many_to_one and field.name not in ("project", "program", "portfolio"):
            if field.related_model._meta.label_lower == "auth.user":
                continue
            if getattr(obj, field.attname, None) is None:
                continue
            yield getattr(obj, field.name)
            return


def audit_record(*, actor, action: str, obj: models.Model, changes: dict | None = None, attachment=None) -> AuditEntry:
    """Append one audit entry for `obj`, with its scope ids; `attachment` (a Django File) is kept
    with the entry (a bulk import's file)."""
    portfolio_id, program_id, project_id = audit_scope(obj)
    entry = AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
        portfolio_id=portfolio_id,
        program_id=program_id,
        project_id=project_id,
    )
    if attachment is not None:
        entry.attachment.save(attachment.name.rsplit("/", 1)[-1], attachment, save=False)
    entry.save()
    return entry


def versioned_update(
    *, instance: models.Model, data: dict[str, Any], actor, expected_version: int | None = None
) -> models.Model:
    """Apply `data` to `instance` in one UPDATE that also checks and bumps `version`.

    `expected_version` None means the caller sent no precondition: the row's current
    version is used, so the write still cannot interleave with another one silently.
    Runs the model's full validation (fields, constraints, uniqueness) on the result first,
    raising django.core.exceptions.ValidationError keyed by field. Raises StaleVersionError
    when the row moved on. Returns the refreshed instance.
    """
    model = type(instance)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=instance.pk)
        candidate = model.objects.get(pk=instance.pk)
        for name, value in data.items():
            setattr(candidate, name, value)
        candidate.full_clean()
        version = current.version if expected_version is None else expected_version
        changes = {
            name: [_as_text(getattr(current, name)), _as_text(value)]
            for name, value in data.items()
            if _as_text(getattr(current, name)) != _as_text(value)
        }
        updated = model.objects.filter(pk=instance.pk, version=version).update(
            **data, version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise StaleVersionError()
        instance.refresh_from_db()
        if changes:
            audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=instance, changes=changes)
    return instance


def versioned_delete(*, instance: models.Model, actor, expected_version: int | None = None) -> None:
    """Delete `instance` only if its version is still `expected_version` (when given)."""
    model = type(instance)
    with transaction.atomic():
        qs = model.objects.filter(pk=instance.pk)
        if expected_version is not None:
            qs = qs.filter(version=expected_version)
        audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=instance)
        deleted, _ = qs.delete()
        if not deleted:
            raise StaleVersionError()


TOKEN_EXPIRY_PAST = "Choose an expiry in the future."  # noqa: S105 - a message
TOKEN_EXPIRY_TOO_FAR = "Choose an expiry at most {days} days ahead (KEEL_API_TOKEN_MAX_DAYS)."  # noqa: S105 - a message


def api_token_create(
    *, user, name: str, expires_at: dt.datetime | None = None, scope: str = ApiToken.Scope.READ_WRITE
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the secret, which is not stored.
    `expires_at` (aware; None: never) must lie in the future and at most
    settings.KEEL_API_TOKEN_MAX_DAYS ahead; `scope` is an ApiToken.Scope."""
    now = timezone.now()
    if expires_at is not None:
        if expires_at <= now:
            raise ValidationError({"expires_at": TOKEN_EXPIRY_PAST})
        if expires_at > now + dt.timedelta(days=settings.KEEL_API_TOKEN_MAX_DAYS):
            raise ValidationError({"expires_at": TOKEN_EXPIRY_TOO_FAR.format(days=settings.KEEL_API_TOKEN_MAX_DAYS)})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": f"Choose one of: {', '.join(ApiToken.Scope.values)}."})
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API token",
        prefix=secret[5 : 5 + ApiToken.PREFIX_LENGTH],
        digest=ApiToken.digest_of(secret),
        created_at=now,
        expires_at=expires_at,
        scope=scope,
    )
    audit_record(
        actor=user,
        action=AuditEntry.Action.CREATE,
        obj=token,
        changes={
            "name": [None, token.name],
            "scope": [None, token.scope],
            "expires_at": [None, str(expires_at) if expires_at else None],
        },
    )
    return token, secret


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=token.user,
            action=AuditEntry.Action.UPDATE,
            obj=token,
            changes={"revoked_at": [None, str(token.revoked_at)]},
        )
    return token


def model_changes(instance: models.Model, fields: Iterable[str]) -> dict[str, list]:
    return {name: [None, _as_text(getattr(instance, name))] for name in fields}


def create_audited(*, actor, obj: models.Model, fields: list[str]) -> models.Model:
    """Validate (fields, clean(), constraints), save and audit a new row."""
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=obj, changes=model_changes(obj, fields))
    return obj


@transaction.atomic
def update_audited(*, actor, obj: models.Model, data: dict[str, Any]) -> models.Model:
    """Apply `data` to a row that has no optimistic-concurrency version, validate, save, audit."""
    changes = {}
    for name, value in data.items():
        old = getattr(obj, name)
        if _as_text(old) != _as_text(value):
            changes[name] = [_as_text(old), _as_text(value)]
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=obj, changes=changes)
    return obj


def delete_audited(*, actor, obj: models.Model) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=obj)
    obj.delete()
