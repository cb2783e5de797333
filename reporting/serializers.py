"""API representations of the summaries: computed health beside reported health, and the
roll-up figures, nested read-only in the project, program and portfolio resources
(reporting/api.py extends the domains' serializers; the domains know nothing of them).

Program and portfolio `rollup` figures sum every project below them, so they are null for
someone who does not see the program (portfolio) whole, as on the pages.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.serializers import FixedDecimalField, MoneyField, PercentField, RatioField
from portfolio.serializers import PortfolioSerializer, ProgramSerializer
from projects.serializers import ProjectSerializer

from .models import Health, HealthPolicy
from .selectors import (
    overseen_portfolio_ids,
    overseen_program_ids,
    portfolio_rollups,
    program_rollups,
    project_rollups,
)
from .services.health_policy import INDEX_PAIRS, LIMIT_PAIRS


class HealthValueField(serializers.ChoiceField):
    """A computed health: "red", "amber", "green", or "" when there is no data."""

    def __init__(self, **kwargs):
        super().__init__(choices=Health.choices, allow_blank=True, **kwargs)


class DimensionHealthSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="schedule, cost, risk, staffing, governance or freshness.")
    label = serializers.CharField()
    health = HealthValueField()
    reason = serializers.CharField(help_text='The rule that decided it, e.g. "CPI 0.82 < 0.90"; "" when none.')


class ComputedHealthSerializer(serializers.Serializer):
    """Computed health (overall and per dimension, with the rule that fired) beside the reported RAG,
    and how fresh the summary is."""

    computed = serializers.BooleanField(source="exists", help_text="False before the first summary: all else is empty.")
    overall = HealthValueField(source="health", help_text="Computed overall health: the worst dimension.")
    reason = serializers.CharField(help_text="The rule behind the overall health.")
    dimensions = DimensionHealthSerializer(many=True)
    reported_rag = serializers.CharField(
        help_text="The reported RAG the summary compared with (a program's: the worst of its open projects'); "
        '"" when none was reported.'
    )
    disagrees = serializers.BooleanField(help_text="Computed and reported overall health differ.")
    computed_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField(
        help_text="The inputs changed since computed_at (or it was never computed): a recompute is pending."
    )


class RollupFiguresSerializer(serializers.Serializer):
    """The figures of a roll-up row (null: not defined, e.g. no baseline or no actuals).
    Money is in the portfolio's base currency."""

    as_of = serializers.DateField(allow_null=True)
    forecast_finish = serializers.DateField(allow_null=True)
    baseline_finish = serializers.DateField(allow_null=True)
    slip_working_days = serializers.IntegerField(allow_null=True)
    critical_path_working_days = serializers.IntegerField(allow_null=True)
    percent_complete = PercentField(allow_null=True, help_text="Earned: EV / BAC.")
    milestones_late = serializers.IntegerField()
    milestones_due_30 = serializers.IntegerField()
    milestones_due_90 = serializers.IntegerField()
    bac = MoneyField(allow_null=True)
    pv = MoneyField(allow_null=True)
    ev = MoneyField(allow_null=True)
    ac = MoneyField(allow_null=True)
    eac = MoneyField(allow_null=True)
    etc = MoneyField(allow_null=True)
    vac = MoneyField(allow_null=True)
    cpi = RatioField(allow_null=True)
    spi = RatioField(allow_null=True)
    spi_t = RatioField(allow_null=True)
    tcpi = RatioField(allow_null=True)
    emv = MoneyField(allow_null=True)
    residual_emv = MoneyField(allow_null=True)
    risks_high = serializers.IntegerField()
    risks_critical = serializers.IntegerField()
    reserve_remaining = MoneyField(allow_null=True)
    exposure_uncovered = MoneyField(allow_null=True)
    p80_finish = serializers.DateField(
        allow_null=True, help_text="Simulated (Monte Carlo), not the plan: the newest risk analysis's P80 finish."
    )
    p80_cost = MoneyField(
        allow_null=True, help_text="Simulated (Monte Carlo), not the plan: the newest risk analysis's P80 cost."
    )
    simulated_at = serializers.DateTimeField(allow_null=True, help_text="When that risk analysis finished.")
    fte_requested = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    fte_allocated = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    people_overallocated = serializers.IntegerField()
    gates_due = serializers.IntegerField()
    change_requests_waiting = serializers.IntegerField()
    last_status_report_on = serializers.DateField(allow_null=True)
    last_actuals_on = serializers.DateField(allow_null=True)


def attach_states(objects, states, overseen=None) -> None:
    """Hand the serializer each object's roll-up state (and whether its totals may be shown:
    without that, no figures and no rules, which quote them)."""
    for obj in objects:
        obj.rollup_state = states[obj.pk]
        if overseen is not None:
            obj.overseen = obj.pk in overseen
            if not obj.overseen:
                obj.rollup_state = obj.rollup_state.without_reasons()


class WithHealth(serializers.Serializer):
    """Adds `computed_health` and `rollup` from `.rollup_state` (set for a page of rows by the
    viewset, else read here for the one object). `health` stays the reported RAG, as before."""

    computed_health = serializers.SerializerMethodField(
        help_text="Computed health beside the reported one, with the rule that fired per dimension."
    )
    rollup = serializers.SerializerMethodField(help_text="The summary figures; null before the first summary.")
    # Program and portfolio figures sum every project: only for those who oversee it.
    guarded = False

    def _state(self, obj):
        if not hasattr(obj, "rollup_state"):
            self.attach([obj], self.context["request"].user)
        return obj.rollup_state

    @classmethod
    def attach(cls, objects, user) -> None:
        raise NotImplementedError

    @extend_schema_field(ComputedHealthSerializer)
    def get_computed_health(self, obj):
        return ComputedHealthSerializer(self._state(obj)).data

    @extend_schema_field(RollupFiguresSerializer(allow_null=True))
    def get_rollup(self, obj):
        state = self._state(obj)
        if state.rollup is None or (self.guarded and not getattr(obj, "overseen", False)):
            return None
        return RollupFiguresSerializer(state.rollup).data


# The resource keeps its schema name: the same resource, with its summary.
@extend_schema_serializer(component_name="Project")
class ProjectHealthSerializer(WithHealth, ProjectSerializer):
    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "computed_health", "rollup"]

    @classmethod
    def attach(cls, objects, user) -> None:
        attach_states(objects, project_rollups(objects))


# The resource keeps its schema name: the same resource, with its summary.
@extend_schema_serializer(component_name="Program")
class ProgramHealthSerializer(WithHealth, ProgramSerializer):
    guarded = True

    class Meta(ProgramSerializer.Meta):
        fields = [*ProgramSerializer.Meta.fields, "computed_health", "rollup"]

    @classmethod
    def attach(cls, objects, user) -> None:
        attach_states(objects, program_rollups(objects), overseen_program_ids(user=user, programs=objects))


# The resource keeps its schema name: the same resource, with its summary.
@extend_schema_serializer(component_name="Portfolio")
class PortfolioHealthSerializer(WithHealth, PortfolioSerializer):
    guarded = True

    class Meta(PortfolioSerializer.Meta):
        fields = [*PortfolioSerializer.Meta.fields, "computed_health", "rollup"]

    @classmethod
    def attach(cls, objects, user) -> None:
        attach_states(objects, portfolio_rollups(objects), overseen_portfolio_ids(user=user, portfolios=objects))


class HealthPolicySerializer(serializers.Serializer):
    """A portfolio's health thresholds (the defaults where it has set none). A value at or past
    a red threshold is red, past an amber one amber: for CPI and SPI lower is worse (red ≤ amber),
    for the others higher is worse (amber ≤ red)."""

    portfolio = serializers.IntegerField(source="portfolio_id", read_only=True)
    customised = serializers.SerializerMethodField(help_text="False while the portfolio uses the defaults.")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for amber, red, label in INDEX_PAIRS:
            for name, colour in ((amber, "amber"), (red, "red")):
                self.fields[name] = FixedDecimalField(
                    places=2,
                    max_digits=4,
                    min_value=Decimal("0.01"),
                    max_value=Decimal("2"),
                    help_text=f"{label} {colour} threshold (default {HealthPolicy._meta.get_field(name).default}).",
                )
        for amber, red, label, limit in LIMIT_PAIRS:
            for name, colour in ((amber, "amber"), (red, "red")):
                self.fields[name] = serializers.IntegerField(
                    min_value=0,
                    max_value=limit,
                    help_text=f"{label} {colour} threshold (default {HealthPolicy._meta.get_field(name).default}).",
                )

    def get_customised(self, policy) -> bool:
        return policy.pk is not None
