"""API representations of risks, mitigation actions, issues and score history, and of the
computed heat map and exposure.

Money is a decimal string at the money precision, in the portfolio's base currency (`currency`
names it). Validation here only reads; every write goes through risks.services, whose refusals
come back as 400 naming the field.
"""

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers

from budgets.models import Contract, ReserveTransaction, Vendor
from core import bounds
from core.serializers import (
    MAX_ID,
    IdField,
    MoneyField,
    MoneyModelSerializer,
    VisiblePrimaryKeyRelatedField,
    active_users,
    fixed_after_create,
    scoped_person,
)
from portfolio.models import Program
from projects.models import Project, Task

from .models import Issue, MitigationAction, Risk, RiskScoreHistory

_READ_ONLY = ["version", "created_at", "updated_at"]
ONE_SCOPE = "Give exactly one of project, program or portfolio."


class _ScopedSerializer(MoneyModelSerializer):
    reference = serializers.CharField(read_only=True)
    program = VisiblePrimaryKeyRelatedField(
        queryset=Program.objects.all(), required=False, help_text="Set for a program-level row; else the project's."
    )
    program_code = serializers.CharField(source="program.code", read_only=True)
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all(), allow_null=True, required=False)
    project_code = serializers.CharField(source="project.code", read_only=True, allow_null=True)
    owner = IdField(queryset=active_users(), allow_null=True, required=False)
    owner_username = serializers.CharField(source="owner.username", read_only=True, allow_null=True)
    currency = serializers.CharField(source="program.portfolio.base_currency", read_only=True)

    def validate_program(self, value):
        return fixed_after_create(self, "program", value)

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)

    def check_owner(self, attrs) -> None:
        """The owner must have a role in the scope (the program's people, as the HTML form offers)."""
        project = attrs.get("project") or getattr(self.instance, "project", None)
        program = attrs.get("program") or getattr(self.instance, "program", None) or getattr(project, "program", None)
        if attrs.get("owner") is None or program is None:
            return
        from portfolio.selectors import program_people

        try:
            scoped_person(
                attrs["owner"], program_people(program=program), keep=getattr(self.instance, "owner_id", None)
            )
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"owner": error.detail}) from None


class RiskSerializer(_ScopedSerializer):
    """A risk at project scope (`project` set) or program scope (`project` null, `program` set).
    Give the probability as a level (1-5), a percentage, or both in agreement; `score`, `band`,
    `emv` and the residual figures are computed. Escalation and realisation are actions."""

    scope = serializers.CharField(read_only=True)
    probability = serializers.IntegerField(min_value=1, max_value=5, required=False)
    probability_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), required=False
    )
    vendor = VisiblePrimaryKeyRelatedField(queryset=Vendor.objects.all(), allow_null=True, required=False)
    contract = VisiblePrimaryKeyRelatedField(queryset=Contract.objects.all(), allow_null=True, required=False)
    tasks = VisiblePrimaryKeyRelatedField(queryset=Task.objects.all(), many=True, required=False)
    # Plain strings (low, medium, high, critical): the choice set is Vendor.risk_rating's enum.
    band = serializers.CharField(
        read_only=True, help_text="low (score 1-4), medium (5-9), high (10-16), critical (20-25)"
    )
    # Null until residual probability and impact are both given (a generated column).
    residual_score = serializers.IntegerField(read_only=True, allow_null=True)
    residual_band = serializers.CharField(read_only=True, allow_null=True)
    escalated = serializers.BooleanField(source="is_escalated", read_only=True)
    escalated_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    issue = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id",
            "reference",
            "scope",
            "program",
            "program_code",
            "project",
            "project_code",
            "title",
            "description",
            "category",
            "cause",
            "event",
            "effect",
            "probability",
            "probability_percent",
            "impact",
            "cost_impact",
            "currency",
            "schedule_impact_days",
            "score",
            "band",
            "emv",
            "owner",
            "owner_username",
            "response",
            "trigger",
            "trigger_date",
            "proximity_date",
            "status",
            "residual_probability",
            "residual_impact",
            "residual_score",
            "residual_band",
            "residual_emv",
            "vendor",
            "contract",
            "tasks",
            "escalated",
            "escalated_at",
            "escalated_by",
            "escalation_note",
            "issue",
            *_READ_ONLY,
        ]
        read_only_fields = ["score", "band", "emv", "residual_score", "residual_band", "residual_emv", *_READ_ONLY]

    def get_issue(self, obj) -> int | None:
        """The issue opened when the risk was realised."""
        try:
            return obj.issue.pk
        except ObjectDoesNotExist:
            return None

    def validate(self, attrs):
        if self.instance is None and attrs.get("project") is None and attrs.get("program") is None:
            raise serializers.ValidationError({"program": "Give the project, or the program for a program risk."})
        if self.instance is None and "probability" not in attrs and "probability_percent" not in attrs:
            raise serializers.ValidationError({"probability": "Give the probability level or percentage."})
        self.check_owner(attrs)
        return attrs


class RiskEscalateSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RiskRealiseSerializer(serializers.Serializer):
    """Realise the risk; optionally draw `amount` from the project's (program's, for a program
    risk) contingency or management `reserve`."""

    amount = serializers.DecimalField(
        max_digits=19, decimal_places=2, min_value=Decimal("0.01"), max_value=bounds.MONEY_MAX, required=False
    )
    reserve = serializers.ChoiceField(choices=ReserveTransaction.Reserve.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MitigationActionSerializer(MoneyModelSerializer):
    """An action against a risk; `cost` in the base currency; `overdue` when open past its due date."""

    risk = VisiblePrimaryKeyRelatedField(queryset=Risk.objects.all())
    risk_reference = serializers.CharField(source="risk.reference", read_only=True)
    owner = IdField(queryset=active_users(), allow_null=True, required=False)
    owner_username = serializers.CharField(source="owner.username", read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = MitigationAction
        fields = [
            "id",
            "risk",
            "risk_reference",
            "title",
            "owner",
            "owner_username",
            "due_date",
            "status",
            "cost",
            "completed_on",
            "overdue",
            *_READ_ONLY,
        ]
        read_only_fields = _READ_ONLY

    def validate_risk(self, value):
        return fixed_after_create(self, "risk", value)


class IssueSerializer(_ScopedSerializer):
    """A problem to resolve; `risk` and `reserve_transaction` are set when realising a risk."""

    risk = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    reserve_transaction = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    reserve_amount = MoneyField(source="reserve_transaction.amount", read_only=True, allow_null=True)

    class Meta:
        model = Issue
        fields = [
            "id",
            "reference",
            "program",
            "program_code",
            "project",
            "project_code",
            "title",
            "description",
            "severity",
            "owner",
            "owner_username",
            "due_date",
            "status",
            "resolution",
            "resolved_on",
            "risk",
            "reserve_transaction",
            "reserve_amount",
            "currency",
            *_READ_ONLY,
        ]
        read_only_fields = _READ_ONLY

    def validate(self, attrs):
        if self.instance is None and attrs.get("project") is None and attrs.get("program") is None:
            raise serializers.ValidationError({"program": "Give the project, or the program for a program issue."})
        self.check_owner(attrs)
        return attrs


class RiskScoreHistorySerializer(MoneyModelSerializer):
    actor_username = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    # A plain string here: the same choices as Risk.status, which names the enum in the schema.
    status = serializers.CharField(read_only=True, help_text="The risk's status at the time (see Risk.status).")

    class Meta:
        model = RiskScoreHistory
        fields = [
            "id",
            "risk",
            "at",
            "actor",
            "actor_username",
            "probability",
            "probability_percent",
            "impact",
            "score",
            "residual_probability",
            "residual_impact",
            "residual_score",
            "status",
            "cost_impact",
            "emv",
        ]
        read_only_fields = fields


# -- computed reads --------------------------------------------------------------------------


class ScopeQuerySerializer(serializers.Serializer):
    """`?project=` | `?program=` | `?portfolio=` (exactly one), `residual`, `include_projects`."""

    project = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    program = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    portfolio = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    residual = serializers.BooleanField(required=False, default=False)
    include_projects = serializers.BooleanField(
        required=False, default=False, help_text="Program heat map: every project risk, not only escalated ones."
    )

    def validate(self, attrs):
        if sum(attrs.get(name) is not None for name in ("project", "program", "portfolio")) != 1:
            raise serializers.ValidationError({"project": ONE_SCOPE})
        return attrs


class HeatCellSerializer(serializers.Serializer):
    probability = serializers.IntegerField()
    impact = serializers.IntegerField()
    score = serializers.IntegerField()
    band = serializers.CharField()
    count = serializers.IntegerField()


class HeatMapSerializer(serializers.Serializer):
    residual = serializers.BooleanField()
    total = serializers.IntegerField()
    unassessed = serializers.IntegerField(help_text="Residual map: active risks without a residual assessment.")
    by_band = serializers.DictField(child=serializers.IntegerField())
    rows = serializers.ListField(
        child=HeatCellSerializer(many=True), help_text="Probability 5 first; impact 1 to 5 within a row."
    )


class ExposureRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    risks = serializers.IntegerField()
    emv = MoneyField(read_only=True)
    residual_emv = MoneyField(read_only=True)
    contingency_remaining = MoneyField(read_only=True)
    management_remaining = MoneyField(read_only=True)
    uncovered = MoneyField(read_only=True)


class ExposureSerializer(serializers.Serializer):
    currency = serializers.CharField()
    rows = ExposureRowSerializer(many=True)
    total = ExposureRowSerializer()


__all__ = [
    "ExposureSerializer",
    "HeatMapSerializer",
    "IssueSerializer",
    "MitigationActionSerializer",
    "RiskEscalateSerializer",
    "RiskRealiseSerializer",
    "RiskScoreHistorySerializer",
    "RiskSerializer",
    "ScopeQuerySerializer",
]
