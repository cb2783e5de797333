"""Change requests: a controlled change to a project's scope, schedule or budget."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from core import bounds
from core.models import VersionedModel
from core.money import MoneyField

from ..querysets import ChangeRequestLineQuerySet, ChangeRequestQuerySet


class ChangeRequest(VersionedModel):
    """A request to change a project's scope, schedule or budget, decided by the program manager.

    Life cycle: DRAFT (the project team edits it and its lines) → SUBMITTED (frozen for review) →
    APPROVED or REJECTED by a CHANGE_APPROVER; a draft or submitted request may be WITHDRAWN by
    its project team. Decided and withdrawn requests are final.

    `number` counts per program (shown as CR-001), so a reference names one request on the
    program's pages; `program` is the project's program (a project never changes program), kept
    here because a database constraint cannot reach through the project. `cost_impact` is derived: the services keep it
    equal to the sum of the lines' `amount_delta` (read-only in the API and forms), so the
    headline figure can never disagree with what approval does to the budget. It may be negative
    (descoping). All lines are in the request's `currency`. Approval moves the project's CURRENT
    budget by the lines and, with `rebaseline`, snapshots a new schedule baseline (`baseline`).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="change_requests")
    program = models.ForeignKey(
        "portfolio.Program", on_delete=models.CASCADE, related_name="change_requests", editable=False
    )
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    scope_impact = models.TextField(blank=True)
    schedule_impact_days = models.IntegerField(default=0, validators=bounds.days_validators(signed=True))
    cost_impact = MoneyField(signed=True, default=Decimal("0"), editable=False)
    currency = models.ForeignKey("budgets.Currency", on_delete=models.PROTECT, related_name="+")
    rebaseline = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="change_requests"
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_change_requests",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_notes = models.TextField(blank=True)
    baseline = models.ForeignKey(
        "projects.Baseline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            *bounds.checks(signed_days=("schedule_impact_days",)),
            models.UniqueConstraint(
                fields=["program", "number"], name="%(app_label)s_%(class)s_number_unique_in_program"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "approved", "rejected", "withdrawn"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "rejected"]) | Q(decided_at__isnull=False),
                name="%(app_label)s_%(class)s_decided_when_decided",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="%(app_label)s_%(class)s_title_not_empty"),
        ]
        indexes = [models.Index(fields=["project", "status"], name="governance_cr_project_status")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"CR-{self.number:03d}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ChangeRequestLine(VersionedModel):
    """How the request moves the CURRENT budget: `amount_delta` (positive or negative) for one
    cost category in one fiscal period, in the request's currency. One line per category and
    period in a request."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="lines")
    category = models.ForeignKey("budgets.CostCategory", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey("budgets.FiscalPeriod", on_delete=models.PROTECT, related_name="+")
    amount_delta = MoneyField(signed=True)
    currency = models.ForeignKey("budgets.Currency", on_delete=models.PROTECT, related_name="+")
    notes = models.CharField(max_length=300, blank=True)

    objects = ChangeRequestLineQuerySet.as_manager()

    class Meta:
        ordering = ["change_request", "period", "category"]
        constraints = [
            *bounds.checks(signed_money=("amount_delta",)),
            models.UniqueConstraint(
                fields=["change_request", "category", "period"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(condition=~Q(amount_delta=0), name="%(app_label)s_%(class)s_delta_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.period_id} {self.amount_delta:+} {self.currency_id}"
