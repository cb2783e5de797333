"""API representations of projects and status reports.

Related objects appear as ids with read-only codes beside them. Validation here only reads;
every write goes through projects.services.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from core.serializers import (
    PercentField,
    VisiblePrimaryKeyRelatedField,
    active_users,
    fixed_after_create,
    scoped_person,
)
from portfolio.models import Program

from .models import RAG_VALUES, Calendar, Project, Rag, StatusReport
from .services.schedule import CALENDAR_OTHER_PROJECT

FINISH_BEFORE_START = "Must be on or after the planned start."


class RagField(serializers.ChoiceField):
    """A red/amber/green value, documented once in the schema as `Rag`."""

    def __init__(self, **kwargs):
        super().__init__(choices=Rag.choices, **kwargs)


class RagFieldSchema(OpenApiSerializerFieldExtension):
    """One `Rag` schema component for every RAG field, however the field is named."""

    target_class = RagField

    def get_name(self):
        return "Rag"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": RAG_VALUES, "description": "Red / amber / green health."}


class ProjectSerializer(serializers.ModelSerializer):
    """A project; `health` and `percent_complete` come from its latest status report.
    `forecast_finish` is computed by the schedule; `calendar` is its default working time.

    Scheduling rules: `schedule_dialect` is `msproject` (Microsoft Project's) or `p6`
    (Primavera P6's). `data_date`, `progress_mode`, `lag_calendar`, `float_mode`,
    `critical_mode` and `must_finish_by` are P6's options (kept, and ignored, under
    `msproject`); `critical_float_minutes` (working minutes, may be negative) is the critical
    threshold in both. Changing any of them reschedules the project."""

    calendar = VisiblePrimaryKeyRelatedField(queryset=Calendar.objects.all(), required=False, allow_null=True)

    program = VisiblePrimaryKeyRelatedField(queryset=Program.objects.all())
    program_code = serializers.CharField(source="program.code", read_only=True)
    portfolio = serializers.IntegerField(source="program.portfolio_id", read_only=True)
    portfolio_code = serializers.CharField(source="program.portfolio.code", read_only=True)
    manager = serializers.PrimaryKeyRelatedField(queryset=active_users(), allow_null=True, required=False)
    manager_username = serializers.CharField(source="manager.username", read_only=True, allow_null=True)
    health = RagField(
        source="latest_status_report.overall_rag",
        read_only=True,
        allow_null=True,
        help_text="Overall RAG of the latest status report (null before the first one).",
    )
    percent_complete = PercentField(source="latest_status_report.percent_complete", read_only=True, allow_null=True)
    last_reported = serializers.DateField(source="latest_status_report.period_end", read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "program",
            "program_code",
            "portfolio",
            "portfolio_code",
            "code",
            "name",
            "description",
            "manager",
            "manager_username",
            "phase",
            "status",
            "priority",
            "planned_start",
            "planned_finish",
            "time_zone",
            "calendar",
            "status_date",
            "schedule_dialect",
            "data_date",
            "progress_mode",
            "lag_calendar",
            "float_mode",
            "critical_mode",
            "critical_float_minutes",
            "must_finish_by",
            "forecast_finish",
            "latest_status_report",
            "health",
            "percent_complete",
            "last_reported",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["latest_status_report", "forecast_finish", "version", "created_at", "updated_at"]

    def validate_program(self, value):
        return fixed_after_create(self, "program", value)

    def validate_calendar(self, value):
        if (
            value is not None
            and value.project_id is not None
            and value.project_id != getattr(self.instance, "pk", None)
        ):
            raise serializers.ValidationError(CALENDAR_OTHER_PROJECT)
        return value

    def validate(self, attrs):
        program = attrs.get("program") or getattr(self.instance, "program", None)
        if attrs.get("manager") is not None and program is not None:
            # Only people with a role in the program's scope qualify (portfolio.selectors.program_people),
            # as in the HTML form: an API client cannot probe which usernames exist.
            from portfolio.selectors import program_people

            keep = getattr(self.instance, "manager_id", None)
            try:
                scoped_person(attrs["manager"], program_people(program=program), keep=keep)
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"manager": error.detail}) from None
        start = attrs.get("planned_start", getattr(self.instance, "planned_start", None))
        finish = attrs.get("planned_finish", getattr(self.instance, "planned_finish", None))
        if start and finish and finish < start:
            raise serializers.ValidationError({"planned_finish": FINISH_BEFORE_START})
        return attrs


class StatusReportSerializer(serializers.ModelSerializer):
    """A project's report for one reporting period (a calendar month; `period_end` its last day).
    One per project and period: POST for a period that has one answers 400 on `period_end`;
    PATCH/PUT corrects a report in place (its project and period stay)."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    program = serializers.IntegerField(source="project.program_id", read_only=True)
    program_code = serializers.CharField(source="project.program.code", read_only=True)
    submitted_by_username = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True)
    overall_rag = RagField()
    schedule_rag = RagField()
    cost_rag = RagField()
    scope_rag = RagField()
    risk_rag = RagField()

    class Meta:
        model = StatusReport
        fields = [
            "id",
            "project",
            "project_code",
            "program",
            "program_code",
            "period_end",
            "overall_rag",
            "schedule_rag",
            "cost_rag",
            "scope_rag",
            "risk_rag",
            "percent_complete",
            "summary",
            "accomplishments",
            "next_steps",
            "submitted_by",
            "submitted_by_username",
            "submitted_at",
        ]
        read_only_fields = ["submitted_by", "submitted_at"]
        # The one-per-period rule is the service's, which names `period_end` (DRF's generated
        # unique-together validator would answer a nameless non_field_errors).
        validators = []
