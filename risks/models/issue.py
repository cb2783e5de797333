"""Issues: problems happening now (a realised risk, or one nobody foresaw)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core import bounds
from core.models import VersionedModel

from ..querysets import IssueQuerySet
from .risk import Risk


class Issue(VersionedModel):
    """A problem to resolve, at project scope (`project` set; `program` is its program) or
    program scope (`project` null), numbered per program ("MOD-I004").

    `risk` is the risk whose realisation opened it (risks.services.risk_realise), at most one
    issue per risk; `reserve_transaction` the contingency or management reserve drawdown made
    when it was realised (the budgets reserve log keeps amount, reason, who and when).
    `resolved_on` is set exactly while the status is RESOLVED or CLOSED."""

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
    DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)

    program = models.ForeignKey("portfolio.Program", on_delete=models.CASCADE, related_name="issues")
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="issues"
    )
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_issues"
    )
    due_date = bounds.BoundedDateField(null=True, blank=True)
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(blank=True)
    resolved_on = bounds.BoundedDateField(null=True, blank=True)
    risk = models.OneToOneField(
        Risk, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="issue"
    )
    reserve_transaction = models.OneToOneField(
        "budgets.ReserveTransaction",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="risk_issue",
    )

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["program_id", "number"]
        indexes = [models.Index(fields=["program", "status"], name="risks_issue_program_status_idx")]
        constraints = [
            *bounds.checks(dates=("due_date", "resolved_on")),
            models.UniqueConstraint(fields=["program", "number"], name="%(app_label)s_%(class)s_number_unique"),
            models.CheckConstraint(condition=~Q(title=""), name="%(app_label)s_%(class)s_title_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=["resolved", "closed"], resolved_on__isnull=False)
                | (~Q(status__in=["resolved", "closed"]) & Q(resolved_on__isnull=True)),
                name="%(app_label)s_%(class)s_resolved_on_when_resolved",
            ),
            models.CheckConstraint(
                condition=Q(severity__in=["low", "medium", "high", "critical"]),
                name="%(app_label)s_%(class)s_severity_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress", "resolved", "closed"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.program.code}-I{self.number:03d}"
