"""API representations of schedules: tasks, dependencies, calendars (with their exceptions)
and baselines.

Units: durations, lags and floats are integers of *working minutes* (480 = one 8-hour day);
the `*_days` fields are read-only conveniences in 480-minute days, as decimal strings.
Computed fields (dates, floats, critical and summary flags, outline numbers) are read-only:
values sent for them are ignored. Validation here only reads; every write goes through
projects.services.schedule, which reschedules before it returns.
"""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import bounds
from core.serializers import MoneyModelSerializer, VisiblePrimaryKeyRelatedField, fixed_after_create

from .models import Baseline, BaselineTask, Calendar, CalendarException, Dependency, Distribution, Project, Task
from .scheduling.calendar import CalendarError, normalize_day
from .selectors.schedule import minutes_to_days
from .services.schedule import MANUAL_NEEDS_DATES
from .services.schedule_io import MAX_UPLOAD_BYTES, TOO_LARGE
from .services.uncertainty import three_point_errors

# Durations and lags: at most core.bounds.DAYS_MAX working days of 480 minutes.
MAX_WORK_MINUTES = bounds.DURATION_MINUTES_MAX
MAX_EXCEPTION_DAYS = 3660
# Dates a plan may name (core.bounds): the scheduler works in wall-clock time and must stay
# inside what Python's datetime holds once durations and lags are added.
FIRST_YEAR, LAST_YEAR = bounds.DATE_MIN.year, bounds.DATE_MAX.year
TASK_DATE_FIELDS = ("constraint_date", "actual_start", "actual_finish", "deadline", "manual_start", "manual_finish")
TIME_OF_DAY = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")

CONSTRAINT_NEEDS_DATE = "A “{label}” constraint needs a constraint date."
ACTUAL_FINISH_BEFORE_START = "Must be on or after the actual start."
MANUAL_FINISH_BEFORE_START = "Must be on or after the manual start."
EXTERNAL_REF_TAKEN = "Another task of this project has this external reference."
LINK_TO_ITSELF = "A task cannot be its own predecessor."
BAD_TIME = 'Times are "HH:MM", 00:00 to 24:00.'
BAD_INTERVAL = "Each working interval starts before it ends, inside one day."
BAD_WEEKDAY = 'Weekdays are "0" (Monday) to "6" (Sunday).'
END_BEFORE_START = "Must be on or after the start date."
EXCEPTION_TOO_LONG = f"An exception spans at most {MAX_EXCEPTION_DAYS} days."
DATE_OUT_OF_RANGE = f"Must fall between the years {FIRST_YEAR} and {LAST_YEAR}."


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$", "example": "2.50"})
class WorkingDaysField(serializers.Field):
    """Read-only: working minutes shown as 480-minute days, e.g. 1200 → "2.50"."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(minutes_to_days(value))


def working_minutes(*, allow_negative: bool = False, **kwargs) -> serializers.IntegerField:
    low = -MAX_WORK_MINUTES if allow_negative else 0
    return serializers.IntegerField(min_value=low, max_value=MAX_WORK_MINUTES, **kwargs)


# -- calendars ---------------------------------------------------------------------------------


class TimeOfDayField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=5, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not TIME_OF_DAY.match(value):
            raise serializers.ValidationError(BAD_TIME, code="invalid")
        return value


class DayIntervalsField(serializers.ListField):
    """One day's working time: `[["08:00", "12:00"], ["13:00", "17:00"]]`; `[]` is a day off."""

    def __init__(self, **kwargs):
        interval = serializers.ListField(child=TimeOfDayField(), min_length=2, max_length=2)
        kwargs.setdefault("max_length", 24)
        super().__init__(child=interval, **kwargs)

    def to_internal_value(self, data):
        intervals = super().to_internal_value(data)
        try:
            normalize_day((_minutes(start), _minutes(end, end=True)) for start, end in intervals)
        except CalendarError:
            raise serializers.ValidationError(BAD_INTERVAL, code="invalid") from None
        return intervals


def _minutes(text: str, *, end: bool = False) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    total = hours * 60 + minutes
    return 1440 if end and total == 0 else total  # "00:00" as an end is midnight


class WorkWeekField(serializers.DictField):
    """Working time per weekday, "0" = Monday … "6" = Sunday. A weekday left out is
    inherited from the base calendar (non-working without one)."""

    def __init__(self, **kwargs):
        super().__init__(child=DayIntervalsField(), **kwargs)

    def to_internal_value(self, data):
        week = super().to_internal_value(data)
        if not set(week) <= {str(day) for day in range(7)}:
            raise serializers.ValidationError(BAD_WEEKDAY, code="invalid")
        return week


class WorkWeekRangeSerializer(serializers.Serializer):
    """A week that replaces the default one between two dates (summer hours, shutdowns)."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start = serializers.DateField()
    end = serializers.DateField()
    week = WorkWeekField()

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": END_BEFORE_START})
        # Stored as JSON: dates as ISO strings.
        return {**attrs, "start": attrs["start"].isoformat(), "end": attrs["end"].isoformat()}


class CalendarExceptionSerializer(serializers.ModelSerializer):
    """A dated change: a holiday when `work_intervals` is empty, else those hours that day."""

    work_intervals = DayIntervalsField(required=False, default=list)

    class Meta:
        model = CalendarException
        fields = ["id", "name", "start_date", "end_date", "work_intervals"]
        read_only_fields = ["id"]

    def validate(self, attrs):
        # Each item is whole even inside a PATCH, where DRF would skip its missing fields.
        for name in ("start_date", "end_date"):
            if name not in attrs:
                raise serializers.ValidationError({name: self.fields[name].error_messages["required"]}, code="required")
        attrs.setdefault("work_intervals", [])
        attrs.setdefault("name", "")
        if attrs["end_date"] < attrs["start_date"]:
            raise serializers.ValidationError({"end_date": END_BEFORE_START})
        if (attrs["end_date"] - attrs["start_date"]).days >= MAX_EXCEPTION_DAYS:
            raise serializers.ValidationError({"end_date": EXCEPTION_TOO_LONG})
        return attrs


class CalendarSerializer(serializers.ModelSerializer):
    """A working-time calendar. `project` null: shared by every project (administrators
    create those). Writing `exceptions` replaces the whole list."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all(), allow_null=True, required=False)
    project_code = serializers.CharField(source="project.code", read_only=True, allow_null=True)
    base_calendar = VisiblePrimaryKeyRelatedField(queryset=Calendar.objects.all(), allow_null=True, required=False)
    base_calendar_name = serializers.CharField(source="base_calendar.name", read_only=True, allow_null=True)
    work_week = WorkWeekField(required=False)
    work_weeks = WorkWeekRangeSerializer(many=True, required=False)
    exceptions = CalendarExceptionSerializer(many=True, required=False)

    class Meta:
        model = Calendar
        fields = [
            "id",
            "project",
            "project_code",
            "name",
            "base_calendar",
            "base_calendar_name",
            "work_week",
            "work_weeks",
            "exceptions",
            "external_ref",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)


# -- tasks and links -----------------------------------------------------------------------------


class TaskBulkUpdateSerializer(serializers.Serializer):
    """One row of POST /tasks/bulk/ (schema only; each row is applied as PATCH /tasks/{id}/
    with its version as If-Match, so any field PATCH takes may be sent; the usual ones below)."""

    id = serializers.IntegerField(help_text="The task.")
    version = serializers.IntegerField(help_text="The version you read (the ETag); stale: 412 naming the row.")
    percent_complete = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    actual_start = serializers.DateTimeField(required=False, allow_null=True)
    actual_finish = serializers.DateTimeField(required=False, allow_null=True)
    remaining_minutes = serializers.IntegerField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class TaskSerializer(MoneyModelSerializer):
    """A WBS task; a milestone has zero duration. Dates are computed by the scheduler."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    program = serializers.IntegerField(source="project.program_id", read_only=True)
    parent = VisiblePrimaryKeyRelatedField(
        queryset=Task.objects.all(), allow_null=True, required=False, help_text="The summary task (same project)."
    )
    calendar = VisiblePrimaryKeyRelatedField(
        queryset=Calendar.objects.all(),
        allow_null=True,
        required=False,
        help_text="The task's own calendar (shared or of its project); null: the project's.",
    )
    duration_minutes = working_minutes(required=False, help_text="Working minutes (480 = one 8-hour day).")
    remaining_minutes = working_minutes(required=False, allow_null=True)
    duration_days = WorkingDaysField(source="duration_minutes", help_text="duration_minutes in 480-minute days.")
    total_float_days = WorkingDaysField(source="total_float_minutes", allow_null=True)
    free_float_days = WorkingDaysField(source="free_float_minutes", allow_null=True)
    optimistic_minutes = working_minutes(
        required=False,
        allow_null=True,
        help_text="Three-point estimate for the risk analysis: the shortest duration (<= duration_minutes); "
        "with pessimistic_minutes, or both null for none.",
    )
    pessimistic_minutes = working_minutes(
        required=False,
        allow_null=True,
        help_text="Three-point estimate: the longest duration (>= duration_minutes).",
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "project",
            "project_code",
            "program",
            "parent",
            "outline_number",
            "wbs",
            "sort_order",
            "name",
            "duration_minutes",
            "duration_days",
            "optimistic_minutes",
            "pessimistic_minutes",
            "duration_distribution",
            "is_milestone",
            "is_summary",
            "activity_type",
            "constraint_type",
            "constraint_date",
            "calendar",
            "percent_complete",
            "actual_start",
            "actual_finish",
            "remaining_minutes",
            "deadline",
            "is_manual",
            "manual_start",
            "manual_finish",
            "cost",
            "notes",
            "external_ref",
            "start",
            "finish",
            "early_start",
            "early_finish",
            "late_start",
            "late_finish",
            "total_float_minutes",
            "total_float_days",
            "free_float_minutes",
            "free_float_days",
            "is_critical",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "outline_number",
            "is_summary",
            "start",
            "finish",
            "early_start",
            "early_finish",
            "late_start",
            "late_finish",
            "total_float_minutes",
            "free_float_minutes",
            "is_critical",
            "version",
            "created_at",
            "updated_at",
        ]
        # (project, external_ref) uniqueness is checked in validate() so the error names the field.
        validators = []

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)

    def validate(self, attrs):
        def value(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        for name in TASK_DATE_FIELDS:
            if attrs.get(name) is not None and not FIRST_YEAR <= attrs[name].year <= LAST_YEAR:
                raise serializers.ValidationError({name: DATE_OUT_OF_RANGE})
        kind = value("constraint_type") or Task.Constraint.ASAP
        if kind not in (Task.Constraint.ASAP, Task.Constraint.ALAP) and value("constraint_date") is None:
            label = Task.Constraint(kind).label
            raise serializers.ValidationError({"constraint_date": CONSTRAINT_NEEDS_DATE.format(label=label)})
        actual_start, actual_finish = value("actual_start"), value("actual_finish")
        if actual_start and actual_finish and actual_finish < actual_start:
            raise serializers.ValidationError({"actual_finish": ACTUAL_FINISH_BEFORE_START})
        manual_start, manual_finish = value("manual_start"), value("manual_finish")
        if value("is_manual") and (manual_start is None or manual_finish is None):
            raise serializers.ValidationError({"manual_start": MANUAL_NEEDS_DATES})
        if manual_start and manual_finish and manual_finish < manual_start:
            raise serializers.ValidationError({"manual_finish": MANUAL_FINISH_BEFORE_START})
        if {"optimistic_minutes", "pessimistic_minutes", "duration_distribution", "duration_minutes"} & set(attrs):
            candidate = Task(
                duration_minutes=value("duration_minutes") or 0,
                is_summary=bool(getattr(self.instance, "is_summary", False)),
                optimistic_minutes=value("optimistic_minutes"),
                pessimistic_minutes=value("pessimistic_minutes"),
                duration_distribution=value("duration_distribution") or Distribution.TRIANGULAR,
            )
            errors = three_point_errors(candidate)
            if errors:
                raise serializers.ValidationError(errors)
        ref, project = value("external_ref"), value("project")
        if ref and project is not None and "external_ref" in attrs:
            taken = Task.objects.filter(project=project, external_ref=ref)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError({"external_ref": EXTERNAL_REF_TAKEN}, code="unique")
        return attrs


class DependencySerializer(serializers.ModelSerializer):
    """A link: `type` FS/SS/FF/SF with a lag in working minutes of the successor's calendar
    (negative: a lead), or a percentage of the predecessor's duration (`lag_percent`), or
    elapsed minutes (`lag_elapsed`). Its two tasks are fixed once created."""

    predecessor = VisiblePrimaryKeyRelatedField(queryset=Task.objects.all())
    predecessor_name = serializers.CharField(source="predecessor.name", read_only=True)
    predecessor_project = serializers.IntegerField(source="predecessor.project_id", read_only=True)
    predecessor_project_code = serializers.CharField(source="predecessor.project.code", read_only=True)
    successor = VisiblePrimaryKeyRelatedField(queryset=Task.objects.all())
    successor_name = serializers.CharField(source="successor.name", read_only=True)
    successor_project = serializers.IntegerField(source="successor.project_id", read_only=True)
    successor_project_code = serializers.CharField(source="successor.project.code", read_only=True)
    lag_minutes = working_minutes(allow_negative=True, required=False)
    lag_days = WorkingDaysField(source="lag_minutes")

    class Meta:
        model = Dependency
        fields = [
            "id",
            "predecessor",
            "predecessor_name",
            "predecessor_project",
            "predecessor_project_code",
            "successor",
            "successor_name",
            "successor_project",
            "successor_project_code",
            "type",
            "lag_minutes",
            "lag_days",
            "lag_percent",
            "lag_elapsed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Duplicates are refused by dependency_create with an error naming `predecessor`.
        validators = []

    def validate_predecessor(self, value):
        return fixed_after_create(self, "predecessor", value)

    def validate_successor(self, value):
        return fixed_after_create(self, "successor", value)

    def validate(self, attrs):
        if self.instance is None and attrs["predecessor"] == attrs["successor"]:
            raise serializers.ValidationError({"predecessor": LINK_TO_ITSELF})
        return attrs


# -- baselines -------------------------------------------------------------------------------------


class BaselineSerializer(serializers.ModelSerializer):
    """A numbered snapshot (0-10) of the project's tasks; its values are at
    /baseline-tasks/?baseline=<id>."""

    project_code = serializers.CharField(source="project.code", read_only=True)
    created_by_username = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    task_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Baseline
        fields = [
            "id",
            "project",
            "project_code",
            "number",
            "name",
            "approved",
            "task_count",
            "created_at",
            "created_by",
            "created_by_username",
        ]
        read_only_fields = fields


class BaselineTaskSerializer(MoneyModelSerializer):
    """One task's values in a baseline, beside its current (computed) dates."""

    baseline_number = serializers.IntegerField(source="baseline.number", read_only=True)
    project = serializers.IntegerField(source="baseline.project_id", read_only=True)
    task_name = serializers.CharField(source="task.name", read_only=True)
    outline_number = serializers.CharField(source="task.outline_number", read_only=True)
    duration_days = WorkingDaysField(source="duration_minutes")
    current_start = serializers.DateTimeField(source="task.start", read_only=True, allow_null=True)
    current_finish = serializers.DateTimeField(source="task.finish", read_only=True, allow_null=True)

    class Meta:
        model = BaselineTask
        fields = [
            "id",
            "baseline",
            "baseline_number",
            "project",
            "task",
            "task_name",
            "outline_number",
            "start",
            "finish",
            "duration_minutes",
            "duration_days",
            "cost",
            "current_start",
            "current_finish",
        ]
        read_only_fields = fields


class BaselineSetSerializer(serializers.Serializer):
    """Snapshot the current schedule as baseline `number`, replacing one with that number. An
    approved baseline is kept: replacing it needs `overwrite_approved: true` from a program
    manager (or portfolio admin); a project manager saves under a free number or raises a
    change request that re-baselines."""

    number = serializers.IntegerField(min_value=0, max_value=10, default=0)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    overwrite_approved = serializers.BooleanField(
        default=False, help_text="Confirm replacing an approved baseline (program managers only)."
    )
    reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", help_text="Kept in the audit log."
    )


# -- files ---------------------------------------------------------------------------------------


class ScheduleImportSerializer(serializers.Serializer):
    """An MS Project XML (MSPDI) file, or any format MPXJ reads when Java is installed.
    Tasks are matched by their file UID. `replace` false merges (adds and updates, removes
    nothing, keeps the plan's numbering); true makes the file the plan (tasks it lacks are
    deleted). Nothing is written until the preview is confirmed."""

    file = serializers.FileField()
    replace = serializers.BooleanField(default=False)

    def validate_file(self, upload):
        if upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(TOO_LARGE)
        return upload


class ScheduleImportResultSerializer(serializers.Serializer):
    """What an import did."""

    project = serializers.IntegerField(source="project.pk")
    project_code = serializers.CharField(source="project.code")
    tasks_created = serializers.IntegerField()
    tasks_updated = serializers.IntegerField()
    tasks_removed = serializers.IntegerField()
    links = serializers.IntegerField()
    calendars = serializers.IntegerField()
    baselines = serializers.IntegerField()
    resources = serializers.IntegerField(help_text="Resources of the file kept with the plan.")
    assignments = serializers.IntegerField()


class ScheduleImportConfirmSerializer(serializers.Serializer):
    """Confirm a previewed import: the preview's `fingerprint`, and for a replace
    `confirm_replace: true` (the tasks listed under `removed` are deleted)."""

    fingerprint = serializers.CharField(max_length=64)
    confirm_replace = serializers.BooleanField(default=False)
    optimistic_field = serializers.RegexField(
        r"^\d{1,20}$",
        required=False,
        allow_blank=True,
        help_text="FieldID of the file's custom field holding the optimistic duration (see the preview's "
        "`custom_fields`); with `pessimistic_field`. Nothing is mapped unless given.",
    )
    pessimistic_field = serializers.RegexField(r"^\d{1,20}$", required=False, allow_blank=True)
    distribution_field = serializers.RegexField(
        r"^\d{1,20}$", required=False, allow_blank=True, help_text="A text custom field: triangular, PERT or uniform."
    )
    resource_matches = serializers.DictField(
        child=serializers.RegexField(r"^((person|role):\d{1,18})?$", allow_blank=True),
        required=False,
        help_text='Who each resource of the file is, by its UID: "person:<id>", "role:<id>" (of the project\'s '
        'resource pool) or "" (unmatched). Resources left out are matched by e-mail, then by name.',
    )

    def validate(self, attrs):
        low, high = attrs.get("optimistic_field"), attrs.get("pessimistic_field")
        if bool(low) != bool(high):
            raise serializers.ValidationError(
                {"pessimistic_field" if low else "optimistic_field": "Map both ends of the estimate, or neither."}
            )
        return attrs

    def estimates(self):
        from .scheduling.custom_fields import EstimateMapping

        data = self.validated_data
        return EstimateMapping(
            optimistic=data.get("optimistic_field") or None,
            pessimistic=data.get("pessimistic_field") or None,
            distribution=data.get("distribution_field") or None,
        )


class _CustomFieldSerializer(serializers.Serializer):
    field_id = serializers.CharField()
    name = serializers.CharField(help_text="Duration1, Number2, Text3…")
    alias = serializers.CharField()
    kind = serializers.CharField(help_text="duration, number or text")
    tasks = serializers.IntegerField(help_text="Tasks carrying a value.")
    sample = serializers.CharField()


class _PreviewTaskSerializer(serializers.Serializer):
    name = serializers.CharField()
    outline = serializers.CharField()
    ref = serializers.CharField(help_text="The task's UID in the file (blank for a task Keel created).")
    start = serializers.DateTimeField(allow_null=True)
    finish = serializers.DateTimeField(allow_null=True)
    percent_complete = serializers.DecimalField(max_digits=5, decimal_places=2)
    has_progress = serializers.BooleanField()


class _PreviewFieldChangeSerializer(serializers.Serializer):
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class _PreviewChangeSerializer(serializers.Serializer):
    task = _PreviewTaskSerializer()
    changes = _PreviewFieldChangeSerializer(many=True)


class _PreviewMoveSerializer(serializers.Serializer):
    task = _PreviewTaskSerializer()
    old_start = serializers.DateTimeField(allow_null=True)
    new_start = serializers.DateTimeField(allow_null=True)
    old_finish = serializers.DateTimeField(allow_null=True)
    new_finish = serializers.DateTimeField(allow_null=True)


class _PreviewLinkSerializer(serializers.Serializer):
    predecessor = serializers.CharField()
    successor = serializers.CharField()
    type = serializers.CharField()


class _PreviewRepairSerializer(serializers.Serializer):
    text = serializers.CharField(
        help_text='One kind of repair, counted: "12 assignments: negative remaining work set to 0".'
    )
    subject = serializers.CharField()
    what = serializers.CharField()
    count = serializers.IntegerField()
    examples = serializers.ListField(child=serializers.CharField(), help_text="The first few places in the file.")


class _PreviewResourceSerializer(serializers.Serializer):
    ref = serializers.CharField(help_text="The resource's UID in the file (the key of `resource_matches`).")
    name = serializers.CharField()
    email = serializers.CharField()
    type = serializers.CharField()
    assignments = serializers.IntegerField()
    work_hours = serializers.DecimalField(max_digits=12, decimal_places=1)
    cost = serializers.DecimalField(max_digits=19, decimal_places=2)
    choice = serializers.CharField(help_text='Who it is matched to: "person:<id>", "role:<id>" or "" (nobody).')
    basis = serializers.CharField(help_text='How: "email", "name", "role" (a role of that name), "chosen" or "".')


class SchedulePreviewSerializer(serializers.Serializer):
    """What confirming the import would do (nothing is written yet). Confirm with POST
    `confirm_url` and this `fingerprint`; a plan changed meanwhile answers 409."""

    import_id = serializers.IntegerField()
    confirm_url = serializers.CharField()
    filename = serializers.CharField()
    replace = serializers.BooleanField()
    fingerprint = serializers.CharField()
    added = _PreviewTaskSerializer(many=True)
    changed = _PreviewChangeSerializer(many=True)
    removed = _PreviewTaskSerializer(many=True)
    moved = _PreviewMoveSerializer(many=True)
    links_added = _PreviewLinkSerializer(many=True)
    links_removed = _PreviewLinkSerializer(many=True)
    start_before = serializers.DateTimeField(allow_null=True)
    start_after = serializers.DateTimeField(allow_null=True)
    finish_before = serializers.DateTimeField(allow_null=True)
    finish_after = serializers.DateTimeField(allow_null=True)
    planned_start_before = serializers.DateField(allow_null=True)
    planned_start_after = serializers.DateField(allow_null=True)
    lost = serializers.ListField(child=serializers.CharField(), help_text="What goes with the removed tasks.")
    custom_fields = _CustomFieldSerializer(
        many=True, help_text="Custom fields of the file that may hold three-point estimates (map them on confirm)."
    )
    changes_nothing = serializers.BooleanField()
    repairs = _PreviewRepairSerializer(
        many=True, help_text="What the import drops or repairs (values Keel does not use never refuse a file)."
    )
    dialect = serializers.CharField(help_text="The dialect the file's origin implies: msproject or p6.")
    dialect_before = serializers.CharField(help_text="The project's scheduling dialect now.")
    dialect_after = serializers.CharField(help_text="The project's scheduling dialect after the import.")
    options = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The file's P6 scheduling options as (label, value) pairs.",
    )
    resources = _PreviewResourceSerializer(
        many=True, help_text="The file's resources and who each is in the pool (change them on confirm)."
    )
