"""Import jobs: one uploaded file of actual costs or budget lines, on its way into the ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from portfolio.querysets import sees_everything

# How many row-level errors a job keeps; the rest are counted (error_count), not stored.
MAX_STORED_ERRORS = 1000


class ImportJobQuerySet(models.QuerySet):
    """A job is its uploader's: others never see it (404), administrators see them all.
    (Kept beside the model: budgets.querysets holds the money access helpers.)"""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(user=user)

    def editable_by(self, user):
        return self.visible_to(user)


class ImportJob(TimeStampedModel):
    """One file to import, its column mapping, and where the import stands.

    The file is stored under MEDIA_ROOT/imports/. `mapping` maps a field of the import
    (budgets.imports.ACTUALS_FIELDS / BUDGET_FIELDS: "date", "amount", …) to the header of the
    column that holds it. `errors` holds up to MAX_STORED_ERRORS row-level errors as
    `{"row", "field", "column", "message"}` (row numbers as a spreadsheet shows them: the header
    is row 1); `error_count` counts them all. A job moves PENDING → VALIDATING → IMPORTING →
    DONE, or to FAILED with the report and nothing written. `queued_at` is set once the job is
    handed to a worker; until then its mapping may change."""

    class Kind(models.TextChoices):
        ACTUALS = "actuals", "Actual costs"
        BUDGET = "budget", "Budget lines"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        VALIDATING = "validating", "Validating"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_jobs"
    )
    kind = models.CharField(max_length=7, choices=Kind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255)
    filename = models.CharField(max_length=255, help_text="The name the file was uploaded with.")
    mapping = models.JSONField(default=dict, blank=True)
    default_source = models.CharField(
        max_length=10, blank=True, help_text="Actuals: the source of rows whose file has no source column."
    )
    date_format = models.CharField(max_length=20, blank=True, help_text="strptime format of text dates; ISO if blank.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(
        null=True, blank=True, help_text="Data rows in the file: an estimate until validation has read them all."
    )
    processed_rows = models.PositiveIntegerField(default=0, help_text="Rows read so far in the current phase.")
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0, help_text="Rows already imported (or unchanged).")
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True, help_text="Why the job failed, when it failed as a whole.")
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["actuals", "budget"]), name="%(app_label)s_%(class)s_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "validating", "importing", "done", "failed"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="budgets_importjob_user_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk} ({self.filename}): {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        """Rows processed as a whole percentage of the file (0 until the rows are counted)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)
