"""Projects and their status reports."""

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core import bounds
from core.models import VersionedModel
from core.money import MoneyField
from portfolio.models import Program, code_validator

from ..querysets import ProjectQuerySet, StatusReportQuerySet


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not an IANA time zone such as Europe/Paris.") from None


class Rag(models.TextChoices):
    """Red / amber / green health."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


RAG_VALUES = [value for value, _ in Rag.choices]


class Project(VersionedModel):
    """A project inside one program."""

    class Phase(models.TextChoices):
        INITIATION = "initiation", "Initiation"
        PLANNING = "planning", "Planning"
        EXECUTION = "execution", "Execution"
        CLOSING = "closing", "Closing"
        CLOSED = "closed", "Closed"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Priority(models.IntegerChoices):
        CRITICAL = 1, "1 – Critical"
        HIGH = 2, "2 – High"
        MEDIUM = 3, "3 – Medium"
        LOW = 4, "4 – Low"

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_projects"
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.INITIATION)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    planned_start = bounds.BoundedDateField(null=True, blank=True)
    planned_finish = bounds.BoundedDateField(null=True, blank=True)
    # Scheduling: the wall clock the plan is made in, its default calendar and status date.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    calendar = models.ForeignKey(
        "projects.Calendar", null=True, blank=True, on_delete=models.SET_NULL, related_name="default_for"
    )
    status_date = bounds.BoundedDateField(null=True, blank=True)
    # Reserves in the portfolio's base currency; drawdowns are logged in budgets.ReserveTransaction
    # and what remains is computed from that log (budgets.selectors.reserve_status).
    contingency_reserve = MoneyField(default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    management_reserve = MoneyField(default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    # computed by the scheduling service
    forecast_finish = models.DateTimeField(null=True, blank=True, editable=False)
    # The newest submitted report, kept by status_report_submit so lists read health in one join.
    latest_status_report = models.OneToOneField(
        "StatusReport", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            *bounds.checks(
                money=("contingency_reserve", "management_reserve"),
                dates=("planned_start", "planned_finish", "status_date"),
            ),
            models.CheckConstraint(condition=~Q(code=""), name="%(app_label)s_%(class)s_code_not_empty"),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_finish__isnull=True)
                | Q(planned_start__lte=F("planned_finish")),
                name="%(app_label)s_%(class)s_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1) & Q(priority__lte=4), name="%(app_label)s_%(class)s_priority_range"
            ),
            models.CheckConstraint(
                condition=Q(contingency_reserve__gte=0) & Q(management_reserve__gte=0),
                name="%(app_label)s_%(class)s_reserves_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"], name="projects_program_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StatusReport(models.Model):
    """A periodic status report: RAG by dimension plus narrative.

    Reports are a history and are never overwritten: a correction is a new report.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_reports")
    period_end = bounds.BoundedDateField()
    overall_rag = models.CharField(max_length=5, choices=Rag.choices)
    schedule_rag = models.CharField(max_length=5, choices=Rag.choices)
    cost_rag = models.CharField(max_length=5, choices=Rag.choices)
    scope_rag = models.CharField(max_length=5, choices=Rag.choices)
    risk_rag = models.CharField(max_length=5, choices=Rag.choices)
    percent_complete = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    summary = models.TextField()
    accomplishments = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="status_reports"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = StatusReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-submitted_at"]
        constraints = [
            *bounds.checks(dates=("period_end",)),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__in": RAG_VALUES}), name=f"%(app_label)s_%(class)s_{name}_valid"
                )
                for name in ("overall_rag", "schedule_rag", "cost_rag", "scope_rag", "risk_rag")
            ],
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0) & Q(percent_complete__lte=100),
                name="%(app_label)s_%(class)s_percent_range",
            ),
        ]
        indexes = [models.Index(fields=["project", "-period_end"], name="projects_status_period")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.period_end} {self.overall_rag}"
