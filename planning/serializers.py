"""API representations of portfolio planning. Validation here only reads; every write goes
through planning.services. A scenario's status moves only through its actions (commit, archive)."""

from __future__ import annotations

from rest_framework import serializers

from budgets.models import FiscalPeriod
from core.serializers import (
    PERCENT_DECIMAL_PLACES,
    MoneyModelSerializer,
    VisiblePrimaryKeyRelatedField,
    decimal_text,
    fixed_after_create,
    money_text,
)
from portfolio.models import Portfolio
from projects.models import Project
from staffing.models import Role

from .models import (
    DELAY_MONTHS_MAX,
    BudgetCap,
    CriterionValue,
    OptimisationRun,
    PairwiseJudgement,
    Scenario,
    ScenarioBudget,
    ScenarioDemand,
    ScenarioProject,
    ScoringCriterion,
)

_READ_ONLY = ["version", "created_at", "updated_at"]


def _portfolio_projects(queryset, user):
    return queryset.visible_to(user)


class ScenarioSerializer(serializers.ModelSerializer):
    """A what-if of one portfolio over `horizon_months` months from `horizon_start` (a month's
    first day). `based_on` on creation copies that scenario's overlay."""

    portfolio = VisiblePrimaryKeyRelatedField(queryset=Portfolio.objects.all())
    created_by_username = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    committed_by_username = serializers.CharField(source="committed_by.username", read_only=True, allow_null=True)
    based_on = VisiblePrimaryKeyRelatedField(queryset=Scenario.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Scenario
        fields = [
            "id",
            "portfolio",
            "name",
            "description",
            "status",
            "horizon_start",
            "horizon_months",
            "delay_max_months",
            "based_on",
            "created_by",
            "created_by_username",
            "committed_at",
            "committed_by",
            "committed_by_username",
            *_READ_ONLY,
        ]
        read_only_fields = ["status", "created_by", "committed_at", "committed_by", *_READ_ONLY]
        extra_kwargs = {"horizon_start": {"required": False}}

    def validate_portfolio(self, value):
        return fixed_after_create(self, "portfolio", value)

    def validate_based_on(self, value):
        return fixed_after_create(self, "based_on", value)


class ScenarioProjectSerializer(serializers.ModelSerializer):
    """How a project differs from live in a scenario. `included` / `start` null: as live.
    `shift_months` (write only) moves the live start by whole months instead of `start`."""

    scenario = VisiblePrimaryKeyRelatedField(queryset=Scenario.objects.all())
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    requires = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all(), many=True, required=False)
    shift_months = serializers.IntegerField(
        write_only=True, required=False, min_value=-DELAY_MONTHS_MAX * 10, max_value=DELAY_MONTHS_MAX * 10
    )

    class Meta:
        model = ScenarioProject
        fields = [
            "id",
            "scenario",
            "project",
            "project_code",
            "included",
            "start",
            "shift_months",
            "mandatory",
            "exclusive_group",
            "requires",
            "delay_max_months",
            "notes",
            *_READ_ONLY,
        ]
        read_only_fields = _READ_ONLY

    def validate_scenario(self, value):
        return fixed_after_create(self, "scenario", value)

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)


class ScenarioBudgetSerializer(MoneyModelSerializer):
    """A project's budget in one fiscal period of the scenario (base currency), replacing the live one."""

    scenario = VisiblePrimaryKeyRelatedField(queryset=Scenario.objects.all())
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    period = VisiblePrimaryKeyRelatedField(queryset=FiscalPeriod.objects.all())
    period_label = serializers.CharField(source="period.span.label", read_only=True)

    class Meta:
        model = ScenarioBudget
        fields = ["id", "scenario", "project", "period", "period_label", "amount", *_READ_ONLY]
        read_only_fields = _READ_ONLY

    def validate(self, attrs):
        for name in ("scenario", "project", "period"):
            if name in attrs:
                fixed_after_create(self, name, attrs[name])
        return attrs


class ScenarioDemandSerializer(serializers.ModelSerializer):
    """A project's demand for a staffing role in one month of the scenario, in FTE (40-hour weeks)."""

    scenario = VisiblePrimaryKeyRelatedField(queryset=Scenario.objects.all())
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    role = VisiblePrimaryKeyRelatedField(queryset=Role.objects.all())
    role_name = serializers.CharField(source="role.name", read_only=True)

    class Meta:
        model = ScenarioDemand
        fields = ["id", "scenario", "project", "role", "role_name", "month", "fte", *_READ_ONLY]
        read_only_fields = _READ_ONLY

    def validate(self, attrs):
        for name in ("scenario", "project", "role", "month"):
            if name in attrs:
                fixed_after_create(self, name, attrs[name])
        return attrs


class BudgetCapSerializer(MoneyModelSerializer):
    scenario = VisiblePrimaryKeyRelatedField(queryset=Scenario.objects.all())

    class Meta:
        model = BudgetCap
        fields = ["id", "scenario", "fiscal_year", "amount", *_READ_ONLY]
        read_only_fields = _READ_ONLY

    def validate(self, attrs):
        for name in ("scenario", "fiscal_year"):
            if name in attrs:
                fixed_after_create(self, name, attrs[name])
        return attrs


class ScoringCriterionSerializer(serializers.ModelSerializer):
    """A criterion projects are scored on; `weight` is the direct weight in percent (used while
    the portfolio has no pairwise judgement)."""

    portfolio = VisiblePrimaryKeyRelatedField(queryset=Portfolio.objects.all())
    direction = serializers.ChoiceField(choices=ScoringCriterion.Direction.choices, required=False)

    class Meta:
        model = ScoringCriterion
        fields = ["id", "portfolio", "name", "kind", "direction", "weight", "description", *_READ_ONLY]
        read_only_fields = _READ_ONLY

    def validate_portfolio(self, value):
        return fixed_after_create(self, "portfolio", value)


class PairwiseJudgementSerializer(serializers.ModelSerializer):
    """How much more important criterion_a is than criterion_b on Saaty's scale (1/9 … 9).
    Posting a pair sets it (either order); the stored row has the lower id first."""

    criterion_a = VisiblePrimaryKeyRelatedField(queryset=ScoringCriterion.objects.all())
    criterion_b = VisiblePrimaryKeyRelatedField(queryset=ScoringCriterion.objects.all())

    class Meta:
        model = PairwiseJudgement
        fields = ["id", "criterion_a", "criterion_b", "value", *_READ_ONLY]
        read_only_fields = _READ_ONLY


class CriterionValueSerializer(serializers.ModelSerializer):
    criterion = VisiblePrimaryKeyRelatedField(queryset=ScoringCriterion.objects.all())
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())

    class Meta:
        model = CriterionValue
        fields = ["id", "criterion", "project", "value", *_READ_ONLY]
        read_only_fields = _READ_ONLY

    def validate(self, attrs):
        for name in ("criterion", "project"):
            if name in attrs:
                fixed_after_create(self, name, attrs[name])
        return attrs


class OptimisationRunSerializer(serializers.ModelSerializer):
    """One optimiser run: `plan` holds the chosen starts (month index and first day), the reason
    each project was left out, the binding constraints and the solve time."""

    created_by_username = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)

    class Meta:
        model = OptimisationRun
        fields = [
            "id",
            "scenario",
            "status",
            "params",
            "plan",
            "error",
            "created_by",
            "created_by_username",
            "created_at",
            "started_at",
            "finished_at",
            "applied_at",
        ]
        read_only_fields = fields


class OptimiseSerializer(serializers.Serializer):
    time_limit_s = serializers.FloatField(required=False, min_value=1, help_text="Seconds; default from the server.")
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1, default=0)


class ApplyPlanSerializer(serializers.Serializer):
    run = serializers.IntegerField(min_value=1, help_text="An optimisation run of this scenario.")


class CommitSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="Must be true: the changes the commit preview lists are applied.")
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The scenario version the preview showed (or send If-Match)."
    )


# -- computed answers --------------------------------------------------------------------------


class ProjectChangeSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project.pk")
    project_code = serializers.CharField(source="project.code")
    label = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    status_to = serializers.CharField(allow_null=True)
    start_from = serializers.DateField(allow_null=True)
    start_to = serializers.DateField(allow_null=True)
    finish_to = serializers.DateField(allow_null=True)
    budget_delta = serializers.SerializerMethodField()
    currency = serializers.CharField()
    lines = serializers.SerializerMethodField()

    def get_budget_delta(self, obj) -> str:
        return money_text(obj.budget_delta)

    def get_lines(self, obj) -> list[str]:
        return obj.lines()


class CommitPreviewSerializer(serializers.Serializer):
    scenario = serializers.IntegerField(source="scenario.pk")
    version = serializers.IntegerField()
    changes = ProjectChangeSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class ScenarioRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    project = serializers.IntegerField(source="project.pk")
    label = serializers.CharField()
    program = serializers.CharField()
    included = serializers.BooleanField()
    change = serializers.CharField()
    live_start = serializers.DateField(allow_null=True)
    start = serializers.DateField(allow_null=True)
    live_finish = serializers.DateField(allow_null=True)
    finish = serializers.DateField(allow_null=True)
    shift_months = serializers.IntegerField()
    cost_by_fy = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    benefits = serializers.SerializerMethodField()
    risk_exposure = serializers.SerializerMethodField()
    mandatory = serializers.BooleanField()
    exclusive_group = serializers.CharField()
    requires = serializers.ListField(child=serializers.IntegerField())

    def get_cost_by_fy(self, obj) -> dict[str, str]:
        return {fy: money_text(v) for fy, v in obj.cost_by_fy.items()}

    def get_score(self, obj) -> str | None:
        return decimal_text(obj.score, PERCENT_DECIMAL_PLACES)

    def get_benefits(self, obj) -> str:
        return decimal_text(obj.benefits, 2)

    def get_risk_exposure(self, obj) -> str:
        return money_text(obj.risk_exposure)


class ScenarioViewSerializer(serializers.Serializer):
    """The scenario over its horizon: its projects, cost by fiscal year against the caps, FTE
    demand against supply by role and month, and the totals."""

    scenario = serializers.IntegerField(source="scenario.pk")
    currency = serializers.CharField()
    months = serializers.ListField(child=serializers.DateField())
    fiscal_years = serializers.ListField(child=serializers.CharField())
    rows = ScenarioRowSerializer(many=True)
    cost_by_fy = serializers.SerializerMethodField()
    budget_cap_by_fy = serializers.SerializerMethodField()
    demand = serializers.SerializerMethodField()
    supply = serializers.SerializerMethodField()
    total_score = serializers.SerializerMethodField()
    total_benefits = serializers.SerializerMethodField()
    total_risk_exposure = serializers.SerializerMethodField()

    def get_cost_by_fy(self, obj) -> dict[str, str]:
        return {fy: money_text(v) for fy, v in obj.cost_by_fy.items()}

    def get_budget_cap_by_fy(self, obj) -> dict[str, str | None]:
        return {fy: money_text(v) for fy, v in obj.budget_cap_by_fy.items()}

    @staticmethod
    def _grid(grid) -> dict[str, dict[str, str]]:
        return {role: {m.isoformat(): decimal_text(v, 2) for m, v in months.items()} for role, months in grid.items()}

    def get_demand(self, obj) -> dict[str, dict[str, str]]:
        return self._grid(obj.demand)

    def get_supply(self, obj) -> dict[str, dict[str, str]]:
        return self._grid(obj.supply)

    def get_total_score(self, obj) -> str:
        return decimal_text(obj.total_score, PERCENT_DECIMAL_PLACES)

    def get_total_benefits(self, obj) -> str:
        return decimal_text(obj.total_benefits, 2)

    def get_total_risk_exposure(self, obj) -> str:
        return money_text(obj.total_risk_exposure)


class ProjectScoreSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id")
    score = serializers.SerializerMethodField()
    values = serializers.SerializerMethodField()

    def get_score(self, obj) -> str:
        return decimal_text(obj.score, PERCENT_DECIMAL_PLACES)

    def get_values(self, obj) -> dict[str, str]:
        return {str(k): decimal_text(v, 4) for k, v in obj.values.items()}


class ScoresSerializer(serializers.Serializer):
    method = serializers.CharField()
    consistency_ratio = serializers.CharField(allow_null=True)
    weights = serializers.DictField(child=serializers.CharField())
    projects = ProjectScoreSerializer(many=True)
