"""API representations of governance rows. Validation here only reads; every write goes through
governance.services. State fields (a gate's decision, a change request's status, its number and
cost impact) are read-only: they move through the action endpoints."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from budgets.models import CostCategory, FiscalPeriod
from budgets.serializers.reference import CurrencyField
from core import bounds
from core.serializers import (
    PERCENT_DECIMAL_PLACES,
    MoneyModelSerializer,
    PercentField,
    VisiblePrimaryKeyRelatedField,
    active_users,
    decimal_text,
    fixed_after_create,
)
from portfolio.models import Program
from projects.models import Project

from .models import (
    Benefit,
    BenefitMeasurement,
    ChangeRequest,
    ChangeRequestLine,
    Decision,
    GateCriterion,
    OlaTarget,
    OperatingLevelAgreement,
    StageGate,
)
from .selectors import realisation_percent

_READ_ONLY = ["version", "created_at", "updated_at"]
LINES_ON_CREATE = "Lines are given only when the change request is created; then use /change-request-lines/."
CRITERIA_ON_CREATE = "Criteria are given only when the gate is created; then use /gate-criteria/."


class StageGateSerializer(serializers.ModelSerializer):
    """A gate review into `to_phase`. `criteria` (texts) seeds the checklist on creation; left out,
    the phase's standard checklist is used. `decision` moves only through POST …/decide/."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    criteria = serializers.ListField(
        child=serializers.CharField(max_length=300), write_only=True, required=False, help_text="Checklist texts."
    )
    criteria_count = serializers.IntegerField(read_only=True, default=None)
    criteria_met = serializers.IntegerField(read_only=True, default=None)
    decided_by_username = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)

    class Meta:
        model = StageGate
        fields = [
            "id",
            "project",
            "project_code",
            "from_phase",
            "to_phase",
            "name",
            "planned_date",
            "decision",
            "decided_by",
            "decided_by_username",
            "decided_at",
            "decision_notes",
            "criteria",
            "criteria_count",
            "criteria_met",
            *_READ_ONLY,
        ]
        read_only_fields = ["from_phase", "decision", "decided_by", "decided_at", *_READ_ONLY]
        extra_kwargs = {"name": {"required": False}}

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)

    def validate_criteria(self, value):
        if self.instance is not None:
            raise serializers.ValidationError(CRITERIA_ON_CREATE)
        return value


class GateDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject", "defer"])
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class GateCriterionSerializer(serializers.ModelSerializer):
    """One checklist item; PATCH `met` to tick it (who and when are recorded)."""

    gate = VisiblePrimaryKeyRelatedField(queryset=StageGate.objects.all())
    checked_by_username = serializers.CharField(source="checked_by.username", read_only=True, allow_null=True)

    class Meta:
        model = GateCriterion
        fields = [
            "id",
            "gate",
            "order",
            "text",
            "met",
            "evidence",
            "checked_by",
            "checked_by_username",
            "checked_at",
            *_READ_ONLY,
        ]
        read_only_fields = ["checked_by", "checked_at", *_READ_ONLY]
        extra_kwargs = {"order": {"required": False}}

    def validate_gate(self, value):
        return fixed_after_create(self, "gate", value)


class ChangeRequestLineInputSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=CostCategory.objects.all())
    period = VisiblePrimaryKeyRelatedField(queryset=FiscalPeriod.objects.all())
    amount_delta = serializers.DecimalField(
        max_digits=19, decimal_places=2, min_value=bounds.MONEY_MIN_SIGNED, max_value=bounds.MONEY_MAX
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ChangeRequestSerializer(MoneyModelSerializer):
    """A change request. `reference` is CR-001…; `cost_impact` is the sum of its lines
    (read-only). `lines` may be given on creation; afterwards use /change-request-lines/."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    reference = serializers.CharField(read_only=True)
    currency = CurrencyField(required=False, help_text="ISO code; default: the portfolio's base currency.")
    lines = ChangeRequestLineInputSerializer(many=True, write_only=True, required=False)
    requested_by_username = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True)
    decided_by_username = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "project",
            "project_code",
            "number",
            "reference",
            "title",
            "description",
            "reason",
            "scope_impact",
            "schedule_impact_days",
            "cost_impact",
            "currency",
            "rebaseline",
            "status",
            "requested_by",
            "requested_by_username",
            "submitted_at",
            "decided_by",
            "decided_by_username",
            "decided_at",
            "decision_notes",
            "baseline",
            "lines",
            *_READ_ONLY,
        ]
        read_only_fields = [
            "number",
            "cost_impact",
            "status",
            "requested_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_notes",
            "baseline",
            *_READ_ONLY,
        ]

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)

    def validate_lines(self, value):
        if self.instance is not None:
            raise serializers.ValidationError(LINES_ON_CREATE)
        return value


class ChangeRequestDecideSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ChangeRequestLineSerializer(MoneyModelSerializer):
    """How a draft change request moves the current budget of one category in one period."""

    change_request = VisiblePrimaryKeyRelatedField(queryset=ChangeRequest.objects.all())
    category = serializers.PrimaryKeyRelatedField(queryset=CostCategory.objects.all())
    category_code = serializers.CharField(source="category.code", read_only=True)
    period = VisiblePrimaryKeyRelatedField(queryset=FiscalPeriod.objects.all())
    period_label = serializers.CharField(source="period.span.label", read_only=True)
    currency = CurrencyField(required=False, help_text="Must be the change request's currency.")

    class Meta:
        model = ChangeRequestLine
        fields = [
            "id",
            "change_request",
            "category",
            "category_code",
            "period",
            "period_label",
            "amount_delta",
            "currency",
            "notes",
            *_READ_ONLY,
        ]
        read_only_fields = _READ_ONLY
        validators = []  # (change_request, category, period): the service reports a duplicate on `period`

    def validate_change_request(self, value):
        return fixed_after_create(self, "change_request", value)


class DecisionSerializer(serializers.ModelSerializer):
    """A decision-log entry; `stage_gate` / `change_request` link the entries written by those
    decisions."""

    program = VisiblePrimaryKeyRelatedField(queryset=Program.objects.all())
    program_code = serializers.CharField(source="program.code", read_only=True)
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all(), allow_null=True, required=False)
    stage_gate = VisiblePrimaryKeyRelatedField(queryset=StageGate.objects.all(), allow_null=True, required=False)
    change_request = VisiblePrimaryKeyRelatedField(
        queryset=ChangeRequest.objects.all(), allow_null=True, required=False
    )
    decided_by = serializers.PrimaryKeyRelatedField(queryset=active_users(), allow_null=True, required=False)

    class Meta:
        model = Decision
        fields = [
            "id",
            "program",
            "program_code",
            "project",
            "title",
            "context",
            "decision",
            "decided_by",
            "decided_on",
            "status",
            "stage_gate",
            "change_request",
            *_READ_ONLY,
        ]
        read_only_fields = _READ_ONLY

    def validate_program(self, value):
        return fixed_after_create(self, "program", value)


class BenefitSerializer(serializers.ModelSerializer):
    """A program benefit with its latest actual and realisation % = (latest - baseline) /
    (target - baseline) * 100, null before the first measurement."""

    program = VisiblePrimaryKeyRelatedField(queryset=Program.objects.all())
    program_code = serializers.CharField(source="program.code", read_only=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=active_users(), allow_null=True, required=False)
    latest_value = serializers.DecimalField(max_digits=18, decimal_places=4, read_only=True, default=None)
    latest_on = serializers.DateField(read_only=True, default=None)
    realisation_percent = serializers.SerializerMethodField()

    class Meta:
        model = Benefit
        fields = [
            "id",
            "program",
            "program_code",
            "name",
            "description",
            "kpi",
            "unit",
            "baseline_value",
            "target_value",
            "non_negative",
            "owner",
            "realisation_date",
            "status",
            "latest_value",
            "latest_on",
            "realisation_percent",
            *_READ_ONLY,
        ]
        read_only_fields = _READ_ONLY

    def validate_program(self, value):
        return fixed_after_create(self, "program", value)

    @extend_schema_field(PercentField(allow_null=True))
    def get_realisation_percent(self, obj) -> str | None:
        value = realisation_percent(
            baseline=obj.baseline_value, target=obj.target_value, latest=getattr(obj, "latest_value", None)
        )
        return decimal_text(value, PERCENT_DECIMAL_PLACES)


class BenefitMeasurementSerializer(serializers.ModelSerializer):
    """An actual of a benefit's KPI (one per day; posting the same day again replaces it)."""

    benefit = VisiblePrimaryKeyRelatedField(queryset=Benefit.objects.all())
    recorded_by_username = serializers.CharField(source="recorded_by.username", read_only=True, allow_null=True)

    class Meta:
        model = BenefitMeasurement
        fields = ["id", "benefit", "measured_on", "value", "note", "recorded_by", "recorded_by_username", *_READ_ONLY]
        read_only_fields = ["recorded_by", *_READ_ONLY]
        validators = []  # one per day: the service replaces the day's value instead

    def validate_benefit(self, value):
        return fixed_after_create(self, "benefit", value)


class OlaTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = OlaTarget
        fields = ["metric", "direction", "target", "unit"]


class OperatingLevelAgreementSerializer(serializers.ModelSerializer):
    """An OLA with its targets (a PUT/PATCH with `targets` replaces them) and `review_overdue`."""

    program = VisiblePrimaryKeyRelatedField(queryset=Program.objects.all())
    program_code = serializers.CharField(source="program.code", read_only=True)
    it_process_owner = serializers.PrimaryKeyRelatedField(queryset=active_users(), allow_null=True, required=False)
    targets = OlaTargetSerializer(many=True, required=False)
    review_overdue = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = OperatingLevelAgreement
        fields = [
            "id",
            "program",
            "program_code",
            "service",
            "it_process_owner",
            "owner_name",
            "start_date",
            "review_date",
            "status",
            "notes",
            "targets",
            "review_overdue",
            *_READ_ONLY,
        ]
        read_only_fields = _READ_ONLY

    def validate_program(self, value):
        return fixed_after_create(self, "program", value)
