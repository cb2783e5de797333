"""Webhook writes: subscriptions (create, change, delete, rotate the secret, send a test), the
fan-out of a domain event into deliveries, and one delivery attempt.

Delivery: `event_received` (a core.events subscriber, called after the domain write commits)
stores one WebhookDelivery per matching subscription and enqueues `integrations.deliver` for
each after its own commit. The task calls `delivery_attempt`, which claims the delivery (a
lease, so a duplicate message does nothing), POSTs once, logs the attempt and either finishes
it (2xx: succeeded; the last allowed attempt: failed) or schedules the next attempt after
KEEL_WEBHOOK_BACKOFF_SECONDS x 2^(attempt - 1). `deliveries_sweep` (beat) re-enqueues any
delivery whose next attempt is overdue, so a lost message costs a delay, not the delivery.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import events
from core.models import AuditEntry
from core.services import audit_record

from . import signing, transport
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

NO_EVENTS = "Choose at least one event."
UNKNOWN_EVENT = "Unknown event {kind!r}."
ONE_SCOPE = "A webhook belongs to exactly one portfolio or one program."
TEST_EVENT = "webhook.test"
USER_AGENT = "Keel-Webhooks/1"
SWEEP_GRACE = dt.timedelta(minutes=2)  # a due delivery this late is presumed lost and re-sent

FIELDS = ("name", "url", "events", "is_active")


def _check(*, url: str, kinds: list[str]) -> None:
    errors = {}
    try:
        transport.check_url(url)
    except transport.TargetRefusedError as exc:
        errors["url"] = str(exc)
    if not kinds:
        errors["events"] = NO_EVENTS
    for kind in kinds:
        if kind not in events.KINDS:
            errors["events"] = UNKNOWN_EVENT.format(kind=kind)
    if errors:
        raise ValidationError(errors)


def _secret_prefix(secret: str) -> str:
    return secret[6 : 6 + WebhookSubscription.PREFIX_LENGTH]


@transaction.atomic
def webhook_create(
    *, actor, name: str, url: str, events: list[str], portfolio=None, program=None, is_active: bool = True
) -> tuple[WebhookSubscription, str]:
    """A subscription on `portfolio` or `program` (exactly one); returns it and its secret,
    which is shown to the user once."""
    if (portfolio is None) == (program is None):
        raise ValidationError({"scope": ONE_SCOPE})
    kinds = list(dict.fromkeys(events))
    _check(url=url, kinds=kinds)
    secret = WebhookSubscription.new_secret()
    subscription = WebhookSubscription(
        portfolio=portfolio,
        program=program,
        name=name.strip(),
        url=url,
        events=kinds,
        is_active=is_active,
        secret=secret,
        secret_prefix=_secret_prefix(secret),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    subscription.full_clean()
    subscription.save()
    changes = {name: [None, str(getattr(subscription, name))] for name in FIELDS}
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=subscription, changes=changes)
    return subscription, secret


@transaction.atomic
def webhook_update(*, actor, subscription: WebhookSubscription, data: dict) -> WebhookSubscription:
    """Change name, url, events or is_active (the scope stays)."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValueError(f"webhook_update cannot change {sorted(unknown)}")
    current = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if "events" in data:
        data = {**data, "events": list(dict.fromkeys(data["events"]))}
    _check(url=data.get("url", current.url), kinds=data.get("events", current.events))
    changes = {}
    for name, value in data.items():
        if getattr(current, name) != value:
            changes[name] = [str(getattr(current, name)), str(value)]
            setattr(current, name, value)
    current.full_clean()
    current.save()
    if changes:
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=current, changes=changes)
    return current


@transaction.atomic
def webhook_delete(*, actor, subscription: WebhookSubscription) -> None:
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=subscription)
    subscription.delete()


@transaction.atomic
def webhook_secret_rotate(*, actor, subscription: WebhookSubscription) -> tuple[WebhookSubscription, str]:
    """A new secret; the old one keeps signing (beside the new) for KEEL_WEBHOOK_SECRET_GRACE_HOURS
    so the receiver can be switched without dropping deliveries. Returns the new secret, shown once."""
    current = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    secret = WebhookSubscription.new_secret()
    grace = dt.timedelta(hours=settings.KEEL_WEBHOOK_SECRET_GRACE_HOURS)
    old_prefix = current.secret_prefix
    if grace:
        current.previous_secret = current.secret
        current.previous_secret_expires_at = timezone.now() + grace
    else:
        current.previous_secret, current.previous_secret_expires_at = "", None
    current.secret = secret
    current.secret_prefix = _secret_prefix(secret)
    current.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=current,
        changes={"secret_prefix": [old_prefix, current.secret_prefix]},  # never the secrets
    )
    return current, secret


# -- deliveries ---------------------------------------------------------------------------------


def _envelope(*, event_id: uuid.UUID, kind: str, occurred_at, portfolio_id, program_id, data: dict) -> dict:
    return {
        "id": str(event_id),
        "type": kind,
        "occurred_at": occurred_at.isoformat(),
        "portfolio_id": portfolio_id,
        "program_id": program_id,
        "data": data,
    }


def subscriptions_for(event: events.Event) -> list[WebhookSubscription]:
    """Active subscriptions on the event's portfolio or program that want its kind. The kind is
    matched in Python (JSON containment is not portable to SQLite); a scope has few of them."""
    scope = Q(portfolio_id=event.portfolio_id) if event.portfolio_id else Q(pk__in=[])
    if event.program_id:
        scope |= Q(program_id=event.program_id)
    return [s for s in WebhookSubscription.objects.filter(scope, is_active=True) if event.kind in s.events]


def event_received(event: events.Event) -> list[WebhookDelivery]:
    """Store a delivery of `event` for each matching subscription and enqueue them on commit."""
    subscriptions = subscriptions_for(event)
    if not subscriptions:
        return []
    event_id = uuid.uuid4()
    payload = _envelope(
        event_id=event_id,
        kind=event.kind,
        occurred_at=event.occurred_at,
        portfolio_id=event.portfolio_id,
        program_id=event.program_id,
        data=event.payload,
    )
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(subscription=s, event_id=event_id, event=event.kind, payload=payload)
                for s in subscriptions
            ]
        )
        for delivery in deliveries:
            _enqueue(delivery.pk)
    return deliveries


@transaction.atomic
def webhook_send_test(*, actor, subscription: WebhookSubscription) -> WebhookDelivery:
    """A `webhook.test` delivery to the subscription, signed and logged like any other."""
    event_id = uuid.uuid4()
    scope = subscription.scope
    payload = _envelope(
        event_id=event_id,
        kind=TEST_EVENT,
        occurred_at=timezone.now(),
        portfolio_id=subscription.portfolio_id,
        program_id=subscription.program_id,
        data={
            "message": f"A test from Keel for the webhook “{subscription.name}” on {scope}.",
            "sent_by": getattr(actor, "username", None),
        },
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_id=event_id, event=TEST_EVENT, payload=payload, is_test=True
    )
    _enqueue(delivery.pk)
    return delivery


def _enqueue(delivery_id: int, countdown: float = 0) -> None:
    def send() -> None:
        from .tasks import deliver  # tasks import the services

        try:
            deliver.apply_async((delivery_id,), countdown=countdown)
        except Exception:  # broker down: the sweep re-sends it
            log.warning("Could not enqueue webhook delivery %s; the sweep will retry.", delivery_id, exc_info=True)

    transaction.on_commit(send, robust=True)


def backoff_seconds(attempt: int) -> int:
    """The wait after failed attempt number `attempt` (1-based): base x 2^(attempt - 1)."""
    return settings.KEEL_WEBHOOK_BACKOFF_SECONDS * 2 ** (attempt - 1)


def _lease() -> dt.timedelta:
    # Longer than one attempt can take (connect + read timeouts), so a duplicate message that
    # arrives mid-attempt finds the delivery claimed.
    return dt.timedelta(seconds=3 * settings.KEEL_WEBHOOK_TIMEOUT_SECONDS + 5)


def _claim(delivery_id: int, now) -> tuple[WebhookDelivery, int] | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update().select_related("subscription").filter(pk=delivery_id).first()
        )
        if delivery is None or delivery.status in WebhookDelivery.DONE:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None  # not due yet, or another worker holds it
        delivery.attempts += 1
        delivery.next_attempt_at = now + _lease()
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery, delivery.attempts


def delivery_attempt(*, delivery_id: int) -> str:
    """Make the next attempt of a delivery that is due; returns its status afterwards, or
    "skipped" when there was nothing to do (done, not due, claimed elsewhere, gone)."""
    now = timezone.now()
    claimed = _claim(delivery_id, now)
    if claimed is None:
        return "skipped"
    delivery, number = claimed
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Keel-Event": delivery.event,
        "Keel-Delivery": str(delivery.event_id),
        "Keel-Attempt": str(number),
        signing.HEADER: signing.header_value(subscription.signing_secrets(now), timestamp, body),
    }
    answer = transport.post(subscription.url, body=body, headers=headers)
    ok = answer.status_code is not None and 200 <= answer.status_code < 300
    error = answer.error or ("" if ok else f"HTTP {answer.status_code}")
    finished = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            at=now,
            request_headers={k: v for k, v in headers.items() if k != signing.HEADER}
            | {signing.HEADER: f"t={timestamp},v1=…"},  # the log never holds a usable signature
            request_body=body.decode(),
            status_code=answer.status_code,
            response_excerpt=answer.excerpt,
            duration_ms=answer.duration_ms,
            error=error[:500],
        )
        delivery.last_status_code = answer.status_code
        delivery.last_error = error[:500]
        if ok:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                WebhookDelivery.Status.SUCCEEDED,
                finished,
                None,
            )
        elif number >= settings.KEEL_WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                WebhookDelivery.Status.FAILED,
                finished,
                None,
            )
        else:
            wait = backoff_seconds(number)
            delivery.status = WebhookDelivery.Status.RETRYING
            delivery.next_attempt_at = finished + dt.timedelta(seconds=wait)
            _enqueue(delivery.pk, countdown=wait)
        delivery.save(update_fields=["last_status_code", "last_error", "status", "finished_at", "next_attempt_at"])
    return delivery.status


def deliveries_sweep(*, now=None) -> int:
    """Re-enqueue every unfinished delivery whose next attempt is overdue by SWEEP_GRACE (its
    message was lost: a broker outage, a worker killed). Returns how many."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__isnull=True, created_at__lt=now - SWEEP_GRACE)
            | Q(next_attempt_at__lt=now - SWEEP_GRACE),
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        for pk in due:
            _enqueue(pk)
    return len(due)
