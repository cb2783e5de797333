"""The "since my last visit" marker: read the previous visit, then record this one."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from ..models import LastVisit


def visit_record(*, user, obj, scope: str) -> dt.datetime | None:
    """When `user` last opened `obj`'s `scope` (LastVisit.Scope) before now, or None for a
    first visit; records this visit. Two queries."""
    content_type = ContentType.objects.get_for_model(type(obj))
    key = {"user": user, "content_type": content_type, "object_id": obj.pk, "scope": scope}
    previous = LastVisit.objects.filter(**key).values_list("at", flat=True).first()
    now = timezone.now()
    if previous is None:
        LastVisit.objects.bulk_create([LastVisit(**key, at=now)], ignore_conflicts=True)
    else:
        LastVisit.objects.filter(**key).update(at=now)
    return previous
