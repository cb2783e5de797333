"""Creating and revoking a user's iCalendar feed of a program (reporting.models.CalendarFeed).

The caller has checked that the user may see the program. Creating returns the live feed when
there is one (the page shows one URL per user and program); revoking is final: a new feed gets a
new token, so calendars subscribed to the old URL stop receiving updates."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AuditEntry
from core.services import audit_record
from portfolio.models import Program

from ..models import CalendarFeed

TOKEN_BYTES = 32  # token_urlsafe(32): 43 characters, 256 bits


def calendar_feed_create(*, user, program: Program) -> CalendarFeed:
    """The user's live feed of `program`, created with a fresh random token if there is none."""
    live = CalendarFeed.objects.filter(user=user, program=program, revoked_at__isnull=True).first()
    if live is not None:
        return live
    try:
        with transaction.atomic():
            feed = CalendarFeed.objects.create(user=user, program=program, token=secrets.token_urlsafe(TOKEN_BYTES))
            audit_record(actor=user, action=AuditEntry.Action.CREATE, obj=feed)
            return feed
    except IntegrityError:  # a concurrent request created it first (one live feed per user and program)
        return CalendarFeed.objects.get(user=user, program=program, revoked_at__isnull=True)


def calendar_feed_revoke(*, feed: CalendarFeed) -> CalendarFeed:
    """Revoke `feed` (no-op when already revoked): its URL answers 404 from now on."""
    if feed.revoked_at is None:
        with transaction.atomic():
            feed.revoked_at = timezone.now()
            feed.save(update_fields=["revoked_at"])
            audit_record(
                actor=feed.user, action=AuditEntry.Action.UPDATE, obj=feed, changes={"revoked_at": str(feed.revoked_at)}
            )
    return feed
