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


def open_projects_q(prefix: str = "") -> Q:
    """Projects still running (Project.is_closed is False): proposed, active or on hold, and not
    in the closed phase. Positive lookups only, so the Q keeps its meaning inside filter() and
    Count(filter=) across a relation, e.g. open_projects_q("projects__") on programs."""
    return Q(**{f"{prefix}status__in": Project.OPEN_STATUSES, f"{prefix}phase__in": Project.OPEN_PHASES})


class ScheduleDialect(models.TextChoices):
    MSPROJECT = "msproject", "Microsoft Project"
    P6 = "p6", "Primavera P6"


class ProgressMode(models.TextChoices):
    """How P6 schedules an activity that has started out of sequence."""

    RETAINED_LOGIC = "retained_logic", "Retained logic"
    PROGRESS_OVERRIDE = "progress_override", "Progress override"
    ACTUAL_DATES = "actual_dates", "Actual dates"


class LagCalendar(models.TextChoices):
    """The calendar P6 measures a relationship's lag in."""

    PREDECESSOR = "predecessor", "Predecessor activity calendar"
    SUCCESSOR = "successor", "Successor activity calendar"
    HOURS_24 = "24h", "24-hour calendar"
    PROJECT = "project", "Project default calendar"


class FloatMode(models.TextChoices):
    """How P6 computes total float."""

    START = "start", "Start float (LS − ES)"
    FINISH = "finish", "Finish float (LF − EF)"
    SMALLEST = "smallest", "Smallest of the two"


class CriticalMode(models.TextChoices):
    TOTAL_FLOAT = "total_float", "Total float ≤ threshold"
    LONGEST_PATH = "longest_path", "Longest path"


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

    # A closed project (completed or cancelled, or moved into the closed phase) is history: its
    # final report no longer counts towards a program's health (portfolio.selectors), and pages
    # list it apart from the running ones.
    CLOSED_STATUSES = (Status.COMPLETED, Status.CANCELLED)
    OPEN_STATUSES = (Status.PROPOSED, Status.ACTIVE, Status.ON_HOLD)
    OPEN_PHASES = (Phase.INITIATION, Phase.PLANNING, Phase.EXECUTION, Phase.CLOSING)

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
    # The time of day the plan starts (Microsoft Project's project start is an instant: a plan
    # may start at 09:00 on a calendar that opens at 08:00). None: when the calendar opens.
    planned_start_time = models.TimeField(null=True, blank=True)
    planned_finish = bounds.BoundedDateField(null=True, blank=True)
    # Scheduling: the wall clock the plan is made in, its default calendar and status date.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    calendar = models.ForeignKey(
        "projects.Calendar", null=True, blank=True, on_delete=models.SET_NULL, related_name="default_for"
    )
    status_date = bounds.BoundedDateField(null=True, blank=True)
    # Which scheduling rules the engine applies (projects.scheduling): Microsoft Project's, or
    # Primavera P6's. Chosen on import from the file's origin and switchable on the schedule page.
    schedule_dialect = models.CharField(
        max_length=12, choices=ScheduleDialect.choices, default=ScheduleDialect.MSPROJECT
    )
    # P6's data date: an instant (remaining work never starts before it). Used by the P6 dialect;
    # the Microsoft Project dialect reads `status_date` (a day) as it always has.
    data_date = models.DateTimeField(null=True, blank=True, validators=bounds.DATE_VALIDATORS)
    # P6 scheduling options (Schedule Options dialog), read from the file on import.
    progress_mode = models.CharField(max_length=20, choices=ProgressMode.choices, default=ProgressMode.RETAINED_LOGIC)
    lag_calendar = models.CharField(max_length=12, choices=LagCalendar.choices, default=LagCalendar.PREDECESSOR)
    float_mode = models.CharField(max_length=10, choices=FloatMode.choices, default=FloatMode.FINISH)
    critical_mode = models.CharField(max_length=14, choices=CriticalMode.choices, default=CriticalMode.TOTAL_FLOAT)
    # A task is critical when its total float is at most this many working minutes (P6: "total
    # float less than or equal to"; Microsoft Project: CriticalSlackLimit).
    critical_float_minutes = models.IntegerField(default=0, validators=bounds.minutes_validators(signed=True))
    # The project must finish by this instant (P6's "Must Finish By"): late dates count back from
    # it, so a late project shows negative float.
    must_finish_by = models.DateTimeField(null=True, blank=True, validators=bounds.DATE_VALIDATORS)
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
                signed_minutes=("critical_float_minutes",),
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

    def audit_scope(self) -> tuple[int | None, int | None, int | None]:
        """(portfolio, program, project) ids for the audit log (core.services.audit_record)."""
        return self.program.portfolio_id, self.program_id, self.pk

    @property
    def forecast_finish_day(self):
        """The CPM schedule's forecast finish as a day in the project's time zone (None before the
        schedule is computed): the date every page shows for `forecast_finish`."""
        if self.forecast_finish is None:
            return None
        return timezone.localtime(self.forecast_finish, zoneinfo.ZoneInfo(self.time_zone)).date()

    @property
    def is_closed(self) -> bool:
        """Completed, cancelled or in the closed phase (the complement of open_projects_q)."""
        return self.status in self.CLOSED_STATUSES or self.phase == self.Phase.CLOSED


class StatusReport(models.Model):
    """A project's status report for one reporting period (a calendar month, `period_end` its
    last day): RAG by dimension plus narrative. One report per project and period; a correction
    edits it in place and is audited (projects.services.status_report_correct)."""

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
            models.UniqueConstraint(fields=["project", "period_end"], name="%(app_label)s_%(class)s_one_per_period"),
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
