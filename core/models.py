"""The shared kernel's models: base classes, API tokens and the audit log."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class TimeStampedModel(models.Model):
    """Adds aware created/updated timestamps."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A row with an optimistic-concurrency version, exposed as the API's ETag.

    The version is bumped by the same UPDATE statement that checks it
    (`core.services.versioned_update`), so two writers holding the same ETag can never
    both win.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest of the secret is stored.

    The secret is shown once, at creation. `prefix` (the first characters) identifies a
    token in lists without revealing it.
    """

    PREFIX_LENGTH = 8

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Scope(models.TextChoices):
        READ_WRITE = "read_write", "Read and write"
        READ = "read", "Read only"

    # Null: never expires. Set: refused (401) from that moment on. At most
    # KEEL_API_TOKEN_MAX_DAYS after creation (core.services.api_token_create).
    expires_at = models.DateTimeField(null=True, blank=True)
    # READ: only safe methods (GET, HEAD, OPTIONS); a write answers 403 naming the scope.
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ_WRITE)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("created_at")),
                name="%(app_label)s_%(class)s_expires_after_created",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=["read_write", "read"]), name="%(app_label)s_%(class)s_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_read_only(self) -> bool:
        return self.scope == self.Scope.READ

    @staticmethod
    def new_secret() -> str:
        # Hex, so that a prefix never starts with "-" (which command lines read as an option).
        return "keel_" + secrets.token_hex(24)

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired()


class AuditEntry(models.Model):
    """Who changed what, when: written by services for every change to plans, money,
    status and risks. `changes` maps a field name to `[old, new]` (as strings).

    `portfolio_id`, `program_id` and `project_id` say where the object sits (filled by
    core.services.audit_record from the object; null where it has no such scope, e.g. an API
    token), so a scope's history is one indexed query and visibility follows the scope.
    `attachment` keeps the file of a bulk import on the entry that records it.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)
    portfolio_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    program_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    project_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    attachment = models.FileField(upload_to="audit/%Y/%m/", max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx"),
            models.Index(fields=["actor", "-at"], name="core_audit_actor_idx"),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_repr}"


class InputVersion(models.Model):
    """How many times the inputs of one project, program or portfolio have changed
    (core.changes). A roll-up records the version it reflects; one below this is stale.

    Kept apart from the domain rows so a `save()` of a stale in-memory Project can never put
    the counter back, and so core needs to know no domain: `kind` names what `object_id` is.
    """

    class Kind(models.TextChoices):
        PROJECT = "project", "Project"
        PROGRAM = "program", "Program"
        PORTFOLIO = "portfolio", "Portfolio"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    version = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="%(app_label)s_%(class)s_one_per_object"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["project", "program", "portfolio"]),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} v{self.version}"


class TaskRun(models.Model):
    """One run of a Celery task, recorded from queueing to its end (core.taskruns), so an
    administrator can see what ran, what failed and why, and a long job can report progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        STARTED = "started", "Running"
        RETRYING = "retrying", "Retrying"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    task_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    # What the run is about, for people: "ERP replacement", "all projects".
    label = models.CharField(max_length=200, blank=True)
    args = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # Progress of a long job: `progress_done` of `progress_total` steps (total 0: not reported).
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-queued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total")) | models.Q(progress_total=0),
                name="%(app_label)s_%(class)s_progress_within_total",
            ),
        ]
        indexes = [models.Index(fields=["status", "queued_at"], name="core_taskrun_status_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.task_id} {self.status}"

    @property
    def progress_percent(self) -> int | None:
        """Whole percent done, or None when the task reports no progress."""
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)


class Notification(models.Model):
    """Something a user should know: an alert ("CPI 0.82 below 0.90 on ERP replacement") or a
    reminder. Shown in the bell when `in_app`; e-mailed at once or in the daily digest per the
    user's NotificationPreference (`email_mode`, fixed when the notification is created).

    `dedupe_key` names the condition a notification reports ("cpi_below:project:12"): while an
    uncleared notification with that key exists the condition is not notified again, so an
    alert fires once per transition; `cleared_at` is set when the condition stops holding, and
    the next time it holds a new notification is created.
    """

    class Kind(models.TextChoices):
        CPI_BELOW = "cpi_below", "CPI below threshold"
        SPI_BELOW = "spi_below", "SPI below threshold"
        MILESTONE_SLIPPED = "milestone_slipped", "Milestone slipped"
        RISK_CRITICAL = "risk_critical", "Risk turned critical"
        EXPOSURE_ABOVE_RESERVE = "exposure_above_reserve", "Exposure above reserve"
        OVERALLOCATION = "overallocation", "People over-allocated"
        HEALTH_RED = "health_red", "Health turned red"
        STATUS_REPORT_DUE = "status_report_due", "Status report due"
        STATUS_REPORT_OVERDUE = "status_report_overdue", "Status report overdue"
        MENTIONED = "mentioned", "Mentioned in a comment"

    class EmailMode(models.TextChoices):
        NONE = "none", "No e-mail"
        IMMEDIATE = "immediate", "E-mail at once"
        DIGEST = "digest", "In the daily digest"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a site-relative link to what it is about
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    in_app = models.BooleanField(default=True)
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.NONE)
    emailed_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open notification per user and condition: the database keeps an alert from
            # firing twice even when two evaluations overlap.
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=models.Q(cleared_at__isnull=True) & ~models.Q(dedupe_key=""),
                name="%(app_label)s_%(class)s_one_open_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "cpi_below",
                        "spi_below",
                        "milestone_slipped",
                        "risk_critical",
                        "exposure_above_reserve",
                        "overallocation",
                        "health_red",
                        "status_report_due",
                        "status_report_overdue",
                        "mentioned",
                    ]
                ),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(email_mode__in=["none", "immediate", "digest"]),
                name="%(app_label)s_%(class)s_email_mode_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="core_notification_unread_idx"),
            models.Index(fields=["email_mode", "emailed_at"], name="core_notification_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.title}"


class NotificationPreference(models.Model):
    """How one user wants one kind of notification: in the app, by e-mail, and the e-mail at
    once or gathered in a daily digest. A kind without a row uses the field defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=Notification.Kind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    digest = models.BooleanField(default=False, help_text="Gather the e-mails in one a day instead of one each.")

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="%(app_label)s_%(class)s_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"

    @property
    def email_mode(self) -> str:
        if not self.email:
            return Notification.EmailMode.NONE
        return Notification.EmailMode.DIGEST if self.digest else Notification.EmailMode.IMMEDIATE


class IdempotencyKey(models.Model):
    """The answer to one bulk write sent with an `Idempotency-Key` header (core.bulk), kept
    KEEL_IDEMPOTENCY_HOURS so a client that retries gets the same answer instead of a second
    write. One row per user, endpoint and key: the unique constraint is what makes two
    concurrent requests with the same key apply once (the second waits for the first's
    transaction, then replays its answer)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys")
    endpoint = models.CharField(max_length=200)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the content type and body.")
    status_code = models.PositiveSmallIntegerField(default=0, help_text="0 while the request is being applied.")
    response_body = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="%(app_label)s_%(class)s_one_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.endpoint} · {self.key}"
