"""Outbound webhooks: a subscription per portfolio or program, one delivery per event and
subscription, one attempt row per HTTP request made for it (the delivery log)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core import events

from .querysets import WebhookDeliveryQuerySet, WebhookSubscriptionQuerySet

EVENT_CHOICES = list(events.KINDS.items())


class WebhookSubscription(models.Model):
    """Where to POST which events of one portfolio (and everything in it) or one program.

    `secret` signs every payload (HMAC-SHA256, integrations.signing); it has to be stored as it
    is to sign with it, so it is shown once (at creation and rotation) and never again — lists
    show `secret_prefix`. After a rotation `previous_secret` still signs until
    `previous_secret_expires_at`, so receivers can switch without losing deliveries.
    """

    PREFIX_LENGTH = 8

    portfolio = models.ForeignKey(
        "portfolio.Portfolio", null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    program = models.ForeignKey(
        "portfolio.Program", null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=80)
    secret_prefix = models.CharField(max_length=PREFIX_LENGTH)
    previous_secret = models.CharField(max_length=80, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(portfolio__isnull=False, program__isnull=True)
                | Q(portfolio__isnull=True, program__isnull=False),
                name="%(app_label)s_%(class)s_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def new_secret() -> str:
        return "whsec_" + secrets.token_hex(24)

    @property
    def scope(self):
        return self.portfolio or self.program

    @property
    def event_labels(self) -> list[str]:
        return [events.KINDS.get(kind, kind) for kind in self.events]

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets that sign a delivery now: the current one, and the previous one while its
        grace period lasts."""
        now = now or timezone.now()
        found = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            found.append(self.previous_secret)
        return found


class WebhookDelivery(models.Model):
    """One event for one subscription, until it succeeds or gives up after
    KEEL_WEBHOOK_MAX_ATTEMPTS. `event_id` is the same for every attempt, so a receiver can drop
    duplicates (a retry after a response that was lost)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    DONE = (Status.SUCCEEDED, Status.FAILED)

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()
    event = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    is_test = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="%(app_label)s_%(class)s_once_per_event"),
        ]
        indexes = [models.Index(fields=["subscription", "-created_at"], name="integrations_delivery_sub_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP request made for a delivery: what was sent, what came back, how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    request_headers = models.JSONField(default=dict)
    request_body = models.TextField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=1000, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="%(app_label)s_%(class)s_one_per_number"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
