"""Notifications: create them once per condition, deliver them in the app and by e-mail (at
once or in a daily digest), mark them read. Generic: callers (reporting.services.alerts) say
who, what kind and which condition; this module knows no domain.

E-mail goes through Django's e-mail backend (settings.EMAIL_BACKEND: the console in the
embedded default). Sending happens after the rows are committed and marks `emailed_at`, so a
failed send is retried by the next delivery run and a sent one is never sent again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification, NotificationPreference

logger = logging.getLogger(__name__)

Kind = Notification.Kind
EmailMode = Notification.EmailMode

DIGEST_SUBJECT = "Keel: {count} notification(s) today"
UNKNOWN_KIND = "Unknown notification kind {kind!r}."


@dataclass(frozen=True)
class Alert:
    """One notification to create, unless an open one with the same `dedupe_key` exists."""

    user_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""
    dedupe_key: str = ""


def preferences_for(*, user_ids: Iterable[int]) -> dict[tuple[int, str], NotificationPreference]:
    """Every stored preference of these users, by (user id, kind); one query. A missing pair
    means the defaults (NotificationPreference's field defaults)."""
    rows = NotificationPreference.objects.filter(user_id__in=set(user_ids))
    return {(p.user_id, p.kind): p for p in rows}


def preference_rows(*, user) -> list[NotificationPreference]:
    """One preference per kind for `user` (unsaved defaults where none is stored), in the
    order of Notification.Kind; one query."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    return [stored.get(kind) or NotificationPreference(user=user, kind=kind) for kind in Kind.values]


@transaction.atomic
def notification_preferences_update(*, user, values: dict[str, dict[str, bool]]) -> None:
    """Store `user`'s preferences: `values` maps each kind to {"in_app", "email", "digest"}."""
    for kind, flags in values.items():
        if kind not in Kind.values:
            raise ValueError(UNKNOWN_KIND.format(kind=kind))
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={"in_app": flags["in_app"], "email": flags["email"], "digest": flags["digest"]},
        )


def notifications_raise(*, alerts: Iterable[Alert]) -> list[Notification]:
    """Create a notification for each alert whose condition has no open notification for that
    user yet (an alert without `dedupe_key` is always created). Applies each user's preference
    for the kind. Returns the created rows. Call `notifications_send_immediate()` after commit
    to e-mail the ones that want it."""
    alerts = list(alerts)
    if not alerts:
        return []
    keys = {a.dedupe_key for a in alerts if a.dedupe_key}
    open_pairs = set(
        Notification.objects.filter(dedupe_key__in=keys, cleared_at__isnull=True).values_list("user_id", "dedupe_key")
    )
    prefs = preferences_for(user_ids=[a.user_id for a in alerts])
    # A user without an address gets no e-mail (rather than one pending for ever).
    users = get_user_model().objects.filter(pk__in={a.user_id for a in alerts}).exclude(email="")
    has_email = set(users.values_list("pk", flat=True))
    created = []
    seen = set()
    for alert in alerts:
        pair = (alert.user_id, alert.dedupe_key)
        if alert.dedupe_key and (pair in open_pairs or pair in seen):
            continue
        seen.add(pair)
        pref = prefs.get((alert.user_id, alert.kind)) or NotificationPreference(kind=alert.kind)
        row = Notification(
            user_id=alert.user_id,
            kind=alert.kind,
            title=alert.title[:200],
            body=alert.body,
            url=alert.url[:500],
            dedupe_key=alert.dedupe_key[:200],
            in_app=pref.in_app,
            email_mode=pref.email_mode if alert.user_id in has_email else EmailMode.NONE,
        )
        try:
            # A savepoint per row: an evaluation running at the same time may have created the
            # same open notification (the unique constraint refuses the second); skip it.
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue
        created.append(row)
    return created


def notifications_clear(*, kinds: Iterable[str], holding: set[str]) -> int:
    """Close every open notification of `kinds` whose condition key is not in `holding` (the
    condition stopped holding), so the next time it holds it is notified again. Returns how
    many were closed."""
    return (
        Notification.objects.filter(kind__in=list(kinds), cleared_at__isnull=True)
        .exclude(dedupe_key="")
        .exclude(dedupe_key__in=holding)
        .update(cleared_at=timezone.now())
    )


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def _email_text(notification: Notification) -> str:
    lines = [notification.title]
    if notification.body:
        lines += ["", notification.body]
    if notification.url:
        lines += ["", _absolute(notification.url)]
    return "\n".join(lines)


def notifications_send_immediate() -> int:
    """E-mail every notification that wants an immediate e-mail and has not had it, one
    message each, marking each sent one. Returns how many were sent. A failing send is logged
    and left for the next run."""
    sent = 0
    pending = (
        Notification.objects.filter(email_mode=EmailMode.IMMEDIATE, emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("id")
    )
    for notification in pending:
        try:
            send_mail(
                subject=f"Keel: {notification.title}",
                message=_email_text(notification),
                from_email=None,  # DEFAULT_FROM_EMAIL
                recipient_list=[notification.user.email],
            )
        except Exception:  # the backend's errors are not one class (SMTP, socket, …)
            logger.exception("E-mail of notification %s failed; retried on the next run", notification.pk)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def notifications_send_digest() -> int:
    """Send each user one e-mail listing their notifications gathered for the digest and not
    yet e-mailed, then mark them. Returns how many e-mails were sent (one per user)."""
    pending = (
        Notification.objects.filter(email_mode=EmailMode.DIGEST, emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at", "id")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.user_id].append(notification)
    sent = 0
    for items in by_user.values():
        user = items[0].user
        body = "\n\n".join(f"• {_email_text(n)}" for n in items)
        try:
            send_mail(
                subject=DIGEST_SUBJECT.format(count=len(items)),
                message=body,
                from_email=None,
                recipient_list=[user.email],
            )
        except Exception:
            logger.exception("Digest e-mail to user %s failed; retried on the next run", user.pk)
            continue
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=timezone.now())
        sent += 1
    return sent


def notification_mark_read(*, user, notification_id: int) -> int:
    """Mark one of `user`'s notifications read (0 when it is not theirs or already read)."""
    return Notification.objects.filter(user=user, pk=notification_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    """The bell's figure: one COUNT query."""
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()
