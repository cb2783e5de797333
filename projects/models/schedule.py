"""Schedules: working-time calendars, WBS tasks, dependencies and baselines.

Units: durations, lags and floats are integers of *working minutes* in the task's calendar
(one 8-hour day = 480). Dates are aware datetimes; the engine works in the project's wall
clock (Project.time_zone). Fields under "computed" are written only by the scheduling
service (projects.services.schedule) and are read-only everywhere else.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core import bounds
from core.models import TimeStampedModel, VersionedModel
from core.money import MoneyField

from ..querysets import CalendarQuerySet, DependencyQuerySet, TaskQuerySet
from .uncertainty import DISTRIBUTION_VALUES, Distribution

DEFAULT_WORK_WEEK = {str(day): [["08:00", "12:00"], ["13:00", "17:00"]] if day < 5 else [] for day in range(7)}


def default_work_week() -> dict:
    return {day: [list(interval) for interval in intervals] for day, intervals in DEFAULT_WORK_WEEK.items()}


class Calendar(VersionedModel):
    """Working time: intervals per weekday ("0" = Monday … "6" = Sunday, each a list of
    ["HH:MM", "HH:MM"]), plus dated exceptions. A derived calendar takes its base's week and
    exceptions and overrides them with its own. `project` null means shared by every project."""

    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="calendars"
    )
    name = models.CharField(max_length=200)
    base_calendar = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived_calendars"
    )
    work_week = models.JSONField(default=default_work_week)
    # Date-ranged weeks that replace work_week between two dates (summer hours, shutdowns):
    # [{"name": str, "start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "week": {"0": [[from, to], …]}}]
    work_weeks = models.JSONField(default=list, blank=True)
    external_ref = models.CharField(max_length=64, blank=True)

    objects = CalendarQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(base_calendar=F("pk")), name="%(app_label)s_%(class)s_not_own_base"),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarException(models.Model):
    """A dated change to a calendar: non-working (holiday) when `work_intervals` is empty,
    otherwise those intervals replace the weekday's on every date in the range."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="exceptions")
    name = models.CharField(max_length=200, blank=True)
    start_date = bounds.BoundedDateField()
    end_date = bounds.BoundedDateField()
    work_intervals = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["calendar", "start_date"]
        constraints = [
            *bounds.checks(dates=("start_date", "end_date")),
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")), name="%(app_label)s_%(class)s_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calendar}: {self.name or 'exception'} {self.start_date}–{self.end_date}"


class ActivityType(models.TextChoices):
    TASK = "task", "Task"
    START_MILESTONE = "start_milestone", "Start milestone"
    FINISH_MILESTONE = "finish_milestone", "Finish milestone"
    LEVEL_OF_EFFORT = "loe", "Level of effort"
    WBS_SUMMARY = "wbs_summary", "WBS summary"


class ConstraintOrigin(models.TextChoices):
    TYPED = "", "Typed in"
    DRAG = "drag", "Set by dragging"


class Task(VersionedModel):
    """A WBS element. A milestone is a zero-duration task; a summary task's dates roll up
    from its children. Working-time units: see the module docstring."""

    class Constraint(models.TextChoices):
        ASAP = "ASAP", "As soon as possible"
        ALAP = "ALAP", "As late as possible"
        SNET = "SNET", "Start no earlier than"
        SNLT = "SNLT", "Start no later than"
        FNET = "FNET", "Finish no earlier than"
        FNLT = "FNLT", "Finish no later than"
        MSO = "MSO", "Must start on"
        MFO = "MFO", "Must finish on"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    outline_number = models.CharField(max_length=64, blank=True)
    wbs = models.CharField(max_length=64, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=255)
    duration_minutes = models.IntegerField(default=0, validators=bounds.minutes_validators())
    is_milestone = models.BooleanField(default=False)
    is_summary = models.BooleanField(default=False, editable=False)
    # P6's activity types beyond a plain task: a start milestone sits at the next work start, a
    # finish milestone at the previous work finish; level of effort spans its links' dates; a WBS
    # summary spans the activities of its WBS branch. Scheduled by the P6 dialect.
    activity_type = models.CharField(max_length=16, choices=ActivityType.choices, default=ActivityType.TASK)
    constraint_type = models.CharField(max_length=4, choices=Constraint.choices, default=Constraint.ASAP)
    constraint_date = models.DateTimeField(null=True, blank=True, validators=bounds.DATE_VALIDATORS)
    # How the constraint was set when not typed in: "drag" when a bar was dragged on the Gantt
    # (the row then says "SNET 12 Mar set by dragging"); any other constraint edit clears it.
    constraint_origin = models.CharField(max_length=8, choices=ConstraintOrigin.choices, blank=True, default="")
    calendar = models.ForeignKey(Calendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    # Microsoft Project lays a task with work resources out in their calendars
    # (projects.services.schedule_resources) unless this is set ("Scheduling ignores resource
    # calendars").
    ignore_resource_calendar = models.BooleanField(default=False)
    # Working time inside the task's span on which nothing is worked (a split: Microsoft Project
    # files give it as an assignment's hand-contoured work pattern); the task spans
    # duration + split working minutes.
    split_minutes = models.IntegerField(default=0, validators=bounds.minutes_validators())
    percent_complete = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    actual_start = models.DateTimeField(null=True, blank=True, validators=bounds.DATE_VALIDATORS)
    actual_finish = models.DateTimeField(null=True, blank=True, validators=bounds.DATE_VALIDATORS)
    remaining_minutes = models.IntegerField(null=True, blank=True, validators=bounds.minutes_validators())
    deadline = models.DateTimeField(null=True, blank=True, validators=bounds.DATE_VALIDATORS)
    # A manually scheduled task (Microsoft Project) keeps the dates typed in; links do not move it.
    is_manual = models.BooleanField(default=False)
    manual_start = models.DateTimeField(null=True, blank=True, validators=bounds.DATE_VALIDATORS)
    manual_finish = models.DateTimeField(null=True, blank=True, validators=bounds.DATE_VALIDATORS)
    cost = MoneyField(default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    # Three-point estimate for the quantitative risk analysis (projects.models.uncertainty):
    # the planned duration is the most likely value; both ends empty means no estimate of its own.
    optimistic_minutes = models.IntegerField(null=True, blank=True, validators=bounds.minutes_validators())
    pessimistic_minutes = models.IntegerField(null=True, blank=True, validators=bounds.minutes_validators())
    duration_distribution = models.CharField(
        max_length=12, choices=Distribution.choices, default=Distribution.TRIANGULAR
    )
    notes = models.TextField(blank=True)
    external_ref = models.CharField(max_length=64, blank=True)

    # computed by the scheduling service
    start = models.DateTimeField(null=True, blank=True, editable=False)
    finish = models.DateTimeField(null=True, blank=True, editable=False)
    early_start = models.DateTimeField(null=True, blank=True, editable=False)
    early_finish = models.DateTimeField(null=True, blank=True, editable=False)
    late_start = models.DateTimeField(null=True, blank=True, editable=False)
    late_finish = models.DateTimeField(null=True, blank=True, editable=False)
    total_float_minutes = models.IntegerField(null=True, blank=True, editable=False)
    free_float_minutes = models.IntegerField(null=True, blank=True, editable=False)
    is_critical = models.BooleanField(default=False, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["project", "sort_order", "pk"]
        constraints = [
            *bounds.checks(
                money=("cost",),
                minutes=(
                    "duration_minutes",
                    "remaining_minutes",
                    "optimistic_minutes",
                    "pessimistic_minutes",
                    "split_minutes",
                ),
            ),
            models.CheckConstraint(
                condition=Q(optimistic_minutes__isnull=True, pessimistic_minutes__isnull=True)
                | Q(
                    optimistic_minutes__isnull=False,
                    pessimistic_minutes__isnull=False,
                    optimistic_minutes__lte=F("pessimistic_minutes"),
                ),
                name="%(app_label)s_%(class)s_three_point_ordered",
            ),
            models.CheckConstraint(
                condition=Q(duration_distribution__in=DISTRIBUTION_VALUES),
                name="%(app_label)s_%(class)s_distribution_valid",
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0) & Q(percent_complete__lte=100),
                name="%(app_label)s_%(class)s_percent_range",
            ),
            models.CheckConstraint(condition=Q(duration_minutes__gte=0), name="%(app_label)s_%(class)s_duration_gte_0"),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_finish__isnull=True)
                | Q(actual_start__lte=F("actual_finish")),
                name="%(app_label)s_%(class)s_actuals_ordered",
            ),
            models.CheckConstraint(
                condition=Q(is_manual=False) | (Q(manual_start__isnull=False) & Q(manual_finish__isnull=False)),
                name="%(app_label)s_%(class)s_manual_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(constraint_type__in=["ASAP", "ALAP"]) | Q(constraint_date__isnull=False),
                name="%(app_label)s_%(class)s_constraint_has_date",
            ),
            models.UniqueConstraint(
                fields=["project", "external_ref"],
                condition=~Q(external_ref=""),
                name="%(app_label)s_%(class)s_external_ref_unique",
            ),
        ]
        indexes = [models.Index(fields=["project", "sort_order"], name="projects_task_project_order")]

    def __str__(self) -> str:
        return f"{self.outline_number} {self.name}".strip()


class Dependency(TimeStampedModel):
    """A link between two tasks of one project, or of two projects in the same program.
    `lag_minutes` is working time and may be negative (a lead)."""

    class Type(models.TextChoices):
        FS = "FS", "Finish-to-start"
        SS = "SS", "Start-to-start"
        FF = "FF", "Finish-to-finish"
        SF = "SF", "Start-to-finish"

    predecessor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="predecessor_links")
    type = models.CharField(max_length=2, choices=Type.choices, default=Type.FS)
    lag_minutes = models.IntegerField(default=0, validators=bounds.minutes_validators(signed=True))
    # When set, the lag is this percentage of the predecessor's duration and lag_minutes is unused.
    lag_percent = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    # Elapsed (calendar) minutes instead of working minutes, as Microsoft Project's "edays".
    lag_elapsed = models.BooleanField(default=False)

    objects = DependencyQuerySet.as_manager()

    class Meta:
        ordering = ["successor", "predecessor"]
        verbose_name_plural = "dependencies"
        constraints = [
            *bounds.checks(signed_minutes=("lag_minutes",)),
            # P6 allows several relationships between one pair (SS and FF together is common), one of each type.
            models.UniqueConstraint(
                fields=["predecessor", "successor", "type"], name="%(app_label)s_%(class)s_unique_type"
            ),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="%(app_label)s_%(class)s_not_self"),
            models.CheckConstraint(
                condition=Q(type__in=["FS", "SS", "FF", "SF"]), name="%(app_label)s_%(class)s_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} {self.type} {self.successor_id} ({self.lag_minutes:+d} min)"


class Baseline(models.Model):
    """A numbered snapshot (0-10, as in Microsoft Project) of every task's dates, duration
    and cost. Setting a baseline number again replaces that snapshot — except an `approved` one
    (the plan of record: baseline 0 of existing plans, and every re-baseline of an approved change
    request), which only a program manager's confirmed overwrite replaces
    (projects.services.schedule.baseline_set)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="baselines")
    number = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    name = models.CharField(max_length=200, blank=True)
    approved = models.BooleanField(
        default=False, help_text="The approved plan: kept; replacing it needs a program manager's confirmation."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=0) & Q(number__lte=10), name="%(app_label)s_%(class)s_number_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} baseline {self.number}"


class BaselineTask(models.Model):
    """One task's values in a baseline."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="tasks")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="baseline_values")
    start = models.DateTimeField(null=True, blank=True)
    finish = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.IntegerField(default=0, validators=bounds.minutes_validators())
    cost = MoneyField(default=Decimal("0"))

    class Meta:
        ordering = ["baseline", "task"]
        constraints = [
            *bounds.checks(money=("cost",), minutes=("duration_minutes",)),
            models.UniqueConstraint(fields=["baseline", "task"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.baseline}: {self.task_id}"


class ScheduleUndo(models.Model):
    """The inverse of one user's last Gantt edit on one project (one row per user and project,
    replaced by each edit, deleted when undone). `operations` is a list of JSON objects that
    projects.services.schedule_edit.schedule_undo applies in order; `label` says what is undone
    ("Undo: moved “Design”")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="schedule_undos")
    label = models.CharField(max_length=300)
    operations = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="%(app_label)s_%(class)s_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.user_id}: {self.label}"
