"""API representations of a program's money: lifecycle cost estimates and their lines,
vendors, contracts (with their security checklists) and contract burn."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import (
    MoneyField,
    MoneyModelSerializer,
    PercentField,
    VisiblePrimaryKeyRelatedField,
    fixed_after_create,
)
from portfolio.models import Program
from projects.models import Project

from ..models import (
    Contract,
    ContractSecurityRequirement,
    CostCategory,
    LifecycleCostEstimate,
    LifecycleCostLine,
    Vendor,
)
from ..models.contracts import CONTRACT_DATES_ORDERED, OBLIGATED_ABOVE_CEILING
from ..services.contracts import CONTRACT_PROJECT_OTHER_PROGRAM
from .reference import CurrencyField
from .values import named_choice_field

EstimateStatusField = named_choice_field("EstimateStatus", LifecycleCostEstimate.Status.choices)
LifecyclePhaseField = named_choice_field("LifecyclePhase", LifecycleCostLine.Phase.choices)
ContractTypeField = named_choice_field("ContractType", Contract.Type.choices)
SecurityRequirementStatusField = named_choice_field(
    "SecurityRequirementStatus", ContractSecurityRequirement.Status.choices
)

# -- lifecycle cost estimates -------------------------------------------------------------------


class LifecycleCostEstimateSerializer(serializers.ModelSerializer):
    """One numbered version of a program's lifecycle cost estimate. A draft is edited line by line
    (/lifecycle-cost-lines/); an approved version is frozen. `number` is the estimate's version
    number; `version` is the row's ETag counter."""

    program = VisiblePrimaryKeyRelatedField(queryset=Program.objects.all())
    program_code = serializers.CharField(source="program.code", read_only=True)
    status = EstimateStatusField(read_only=True)
    based_on_number = serializers.IntegerField(source="based_on.number", read_only=True, allow_null=True)
    approved_by_username = serializers.CharField(source="approved_by.username", read_only=True, allow_null=True)

    class Meta:
        model = LifecycleCostEstimate
        fields = [
            "id",
            "program",
            "program_code",
            "number",
            "status",
            "based_on",
            "based_on_number",
            "approved_by",
            "approved_by_username",
            "approved_at",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "based_on",
            "approved_by",
            "approved_at",
            "version",
            "created_at",
            "updated_at",
        ]


class NewVersionSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, help_text="Default: the copied version's notes.")


class LifecycleCostLineSerializer(MoneyModelSerializer):
    """The estimated cost of one phase, fiscal year and category of a draft estimate. Creating a
    line whose (phase, fiscal year, category) the estimate already has sets that line's amount."""

    estimate = VisiblePrimaryKeyRelatedField(queryset=LifecycleCostEstimate.objects.all())
    program = serializers.IntegerField(source="estimate.program_id", read_only=True)
    phase = LifecyclePhaseField()
    category = serializers.PrimaryKeyRelatedField(queryset=CostCategory.objects.all())
    category_code = serializers.CharField(source="category.code", read_only=True)
    currency = CurrencyField(required=False, help_text="ISO code; default: the portfolio's base currency.")

    class Meta:
        model = LifecycleCostLine
        fields = [
            "id",
            "estimate",
            "program",
            "phase",
            "fiscal_year",
            "category",
            "category_code",
            "amount",
            "currency",
        ]
        validators = []  # (estimate, phase, fiscal year, category) is an upsert key, not a conflict

    def validate_estimate(self, value):
        return fixed_after_create(self, "estimate", value)

    def validate_phase(self, value):
        return fixed_after_create(self, "phase", value)

    def validate_fiscal_year(self, value):
        return fixed_after_create(self, "fiscal_year", value)

    def validate_category(self, value):
        return fixed_after_create(self, "category", value)


class LcceRowSerializer(serializers.Serializer):
    phase = serializers.CharField()
    phase_label = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    category_code = serializers.CharField()
    category_name = serializers.CharField()
    left = MoneyField(read_only=True)
    right = MoneyField(read_only=True)
    delta = MoneyField(read_only=True)


class PhaseTotalSerializer(serializers.Serializer):
    phase = serializers.CharField()
    left = MoneyField(read_only=True)
    right = MoneyField(read_only=True)
    delta = MoneyField(read_only=True)


class LcceComparisonSerializer(serializers.Serializer):
    """Two versions side by side in the portfolio's base currency. `left` is always the older
    version and `right` the newer, whichever was asked first; every delta is newer - older."""

    currency = serializers.CharField()
    left = serializers.IntegerField(source="left.pk")
    left_number = serializers.IntegerField(source="left.number")
    right = serializers.IntegerField(source="right.pk")
    right_number = serializers.IntegerField(source="right.number")
    left_total = MoneyField(read_only=True)
    right_total = MoneyField(read_only=True)
    delta = MoneyField(read_only=True)
    delta_label = serializers.CharField(
        help_text='What every delta is, e.g. "v3 − v1": newer minus older, positive when the newer costs more.'
    )
    phases = serializers.SerializerMethodField()
    rows = LcceRowSerializer(many=True)

    @extend_schema_field(PhaseTotalSerializer(many=True))
    def get_phases(self, comparison) -> list[dict]:
        rows = [
            {"phase": phase, "left": left, "right": right, "delta": right - left}
            for phase, (left, right) in comparison.phase_totals().items()
        ]
        return PhaseTotalSerializer(rows, many=True).data


# -- vendors and contracts -----------------------------------------------------------------------


class VendorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "name", "risk_rating", "notes", "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]


class ContractSecurityRequirementSerializer(serializers.ModelSerializer):
    """One item of a contract's information-security checklist. Posting a requirement the
    contract already lists updates its status."""

    status = SecurityRequirementStatusField(required=False)

    class Meta:
        model = ContractSecurityRequirement
        fields = ["id", "requirement", "status", "notes", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # posting an existing requirement updates it


class ContractSerializer(MoneyModelSerializer):
    """A program's contract with a vendor, the projects (of that program) it serves and its
    security checklist (read-only here; set items at /contracts/{id}/security-requirements/)."""

    program = VisiblePrimaryKeyRelatedField(queryset=Program.objects.all())
    program_code = serializers.CharField(source="program.code", read_only=True)
    vendor = VisiblePrimaryKeyRelatedField(queryset=Vendor.objects.all())
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    type = ContractTypeField()
    currency = CurrencyField(required=False, help_text="ISO code; default: the portfolio's base currency.")
    projects = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all(), many=True, required=False)
    security_requirements = ContractSecurityRequirementSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "program",
            "program_code",
            "vendor",
            "vendor_name",
            "number",
            "title",
            "type",
            "ceiling",
            "obligated",
            "currency",
            "period_start",
            "period_end",
            "projects",
            "notes",
            "security_requirements",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def validate(self, attrs):
        def current(name):
            return attrs.get(name, getattr(self.instance, name, None))

        start, end = current("period_start"), current("period_end")
        if start and end and end < start:
            raise serializers.ValidationError({"period_end": CONTRACT_DATES_ORDERED})
        ceiling, obligated = current("ceiling"), current("obligated")
        if ceiling is not None and obligated is not None and obligated > ceiling:
            raise serializers.ValidationError({"obligated": OBLIGATED_ABOVE_CEILING})
        program = current("program")
        if program is not None and any(p.program_id != program.pk for p in attrs.get("projects", ())):
            raise serializers.ValidationError({"projects": CONTRACT_PROJECT_OTHER_PROGRAM})
        return attrs


class ContractBurnSerializer(serializers.Serializer):
    """How much of the contract is spent, in its currency: invoiced (invoices dated on or before
    `as_of`) against obligated and ceiling. Percentages are null when their base is zero."""

    contract = serializers.IntegerField(source="contract.pk")
    number = serializers.CharField(source="contract.number")
    currency = serializers.CharField()
    ceiling = MoneyField(read_only=True)
    obligated = MoneyField(read_only=True)
    invoiced = MoneyField(read_only=True)
    remaining_obligation = MoneyField(read_only=True)
    unobligated_ceiling = MoneyField(read_only=True)
    percent_of_obligated = PercentField(read_only=True, allow_null=True)
    percent_of_ceiling = PercentField(read_only=True, allow_null=True)
    over_obligated = serializers.BooleanField()
