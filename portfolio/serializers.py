"""API representations of portfolios, strategic objectives, programs and memberships.

Related objects appear as ids with read-only codes or names beside them. Validation here
only reads; every write goes through portfolio.services.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import MoneyModelSerializer, VisiblePrimaryKeyRelatedField, active_users, fixed_after_create
from projects.models import Project
from projects.serializers import RagField

from .models import Membership, Portfolio, Program, ProgramObjective, StrategicObjective
from .selectors import membership_candidates, program_health
from .services import MEMBERSHIP_NEEDS_ONE_SCOPE

FINISH_BEFORE_START = "Must be on or after the start date."
OBJECTIVE_CODE_TAKEN = "This portfolio already has an objective with this code."
OBJECTIVE_LISTED_TWICE = "Objective {code} is listed more than once."
MEMBERSHIP_EXISTS = "{user} already holds this role here."


def objectives_visible_to(queryset, user):
    """Objectives of the portfolios `user` can see (StrategicObjective.objects.visible_to)."""
    return queryset.visible_to(user)


class PortfolioSerializer(serializers.ModelSerializer):
    program_count = serializers.IntegerField(read_only=True, help_text="Programs in the portfolio.")

    class Meta:
        model = Portfolio
        fields = [
            "id",
            "code",
            "name",
            "description",
            "base_currency",
            "program_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]


class StrategicObjectiveSerializer(serializers.ModelSerializer):
    portfolio = VisiblePrimaryKeyRelatedField(queryset=Portfolio.objects.all())
    portfolio_code = serializers.CharField(source="portfolio.code", read_only=True)

    class Meta:
        model = StrategicObjective
        fields = [
            "id",
            "portfolio",
            "portfolio_code",
            "code",
            "title",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]
        # (portfolio, code) uniqueness is checked in validate() so the error names `code`.
        validators = []

    def validate_portfolio(self, value):
        return fixed_after_create(self, "portfolio", value)

    def validate(self, attrs):
        portfolio = attrs.get("portfolio", getattr(self.instance, "portfolio", None))
        code = attrs.get("code", getattr(self.instance, "code", None))
        taken = StrategicObjective.objects.filter(portfolio=portfolio, code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError({"code": OBJECTIVE_CODE_TAKEN}, code="unique")
        return attrs


class ProgramObjectiveSerializer(serializers.ModelSerializer):
    """One strategic objective the program contributes to, with its weight in percent."""

    objective = VisiblePrimaryKeyRelatedField(queryset=StrategicObjective.objects.all(), visible=objectives_visible_to)
    objective_code = serializers.CharField(source="objective.code", read_only=True)
    objective_title = serializers.CharField(source="objective.title", read_only=True)
    weight = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), default=Decimal("100")
    )

    class Meta:
        model = ProgramObjective
        fields = ["objective", "objective_code", "objective_title", "weight"]

    def validate(self, attrs):
        # Each item is whole even inside a PATCH, where DRF would skip its missing fields.
        if "objective" not in attrs:
            message = self.fields["objective"].error_messages["required"]
            raise serializers.ValidationError({"objective": message}, code="required")
        attrs.setdefault("weight", self.fields["weight"].default)
        return attrs


class ProgramSerializer(MoneyModelSerializer):
    """A program. Writing `objectives` replaces the whole list of (objective, weight)."""

    portfolio = VisiblePrimaryKeyRelatedField(queryset=Portfolio.objects.all())
    portfolio_code = serializers.CharField(source="portfolio.code", read_only=True)
    manager = serializers.PrimaryKeyRelatedField(queryset=active_users(), allow_null=True, required=False)
    manager_username = serializers.CharField(source="manager.username", read_only=True, allow_null=True)
    sponsor = serializers.PrimaryKeyRelatedField(queryset=active_users(), allow_null=True, required=False)
    sponsor_username = serializers.CharField(source="sponsor.username", read_only=True, allow_null=True)
    objectives = ProgramObjectiveSerializer(source="objective_links", many=True, required=False)
    project_count = serializers.IntegerField(
        read_only=True, help_text="All the program's projects, closed ones included."
    )
    open_project_count = serializers.IntegerField(
        source="open_count", read_only=True, help_text="Projects still running: the ones `health` covers."
    )
    closed_project_count = serializers.IntegerField(
        source="closed_count",
        read_only=True,
        help_text="Completed, cancelled or closed projects: their final reports do not count towards `health`.",
    )
    health = serializers.SerializerMethodField(
        help_text="Worst latest RAG reported by the program's open projects (closed projects are left out)."
    )

    class Meta:
        model = Program
        fields = [
            "id",
            "portfolio",
            "portfolio_code",
            "code",
            "name",
            "description",
            "status",
            "manager",
            "manager_username",
            "sponsor",
            "sponsor_username",
            "start_date",
            "finish_date",
            "contingency_reserve",
            "objectives",
            "project_count",
            "open_project_count",
            "closed_project_count",
            "health",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    @extend_schema_field(RagField(allow_null=True))
    def get_health(self, program):
        return program_health(program) if hasattr(program, "red_count") else None

    def validate_portfolio(self, value):
        return fixed_after_create(self, "portfolio", value)

    def validate_objectives(self, links):
        seen = set()
        for link in links:
            objective = link["objective"]
            if objective.pk in seen:
                raise serializers.ValidationError(OBJECTIVE_LISTED_TWICE.format(code=objective.code))
            seen.add(objective.pk)
        return links

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        finish = attrs.get("finish_date", getattr(self.instance, "finish_date", None))
        if start and finish and finish < start:
            raise serializers.ValidationError({"finish_date": FINISH_BEFORE_START})
        return attrs


class MembershipSerializer(serializers.ModelSerializer):
    """A user's role on exactly one of portfolio, program or project."""

    # Only people already in the requester's portfolios (membership_candidates): an unknown id
    # and someone else's give the same "does not exist".
    user = VisiblePrimaryKeyRelatedField(queryset=active_users(), visible=lambda qs, user: membership_candidates(user))
    username = serializers.CharField(source="user.username", read_only=True)
    portfolio = VisiblePrimaryKeyRelatedField(queryset=Portfolio.objects.all(), allow_null=True, required=False)
    program = VisiblePrimaryKeyRelatedField(queryset=Program.objects.all(), allow_null=True, required=False)
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all(), allow_null=True, required=False)
    scope_kind = serializers.CharField(read_only=True)
    scope_code = serializers.CharField(source="scope.code", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "username",
            "role",
            "portfolio",
            "program",
            "project",
            "scope_kind",
            "scope_code",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        # The conditional unique constraints are checked in validate() to name the field.
        validators = []

    def validate(self, attrs):
        scopes = {name: attrs.get(name) for name in ("portfolio", "program", "project") if attrs.get(name)}
        if len(scopes) != 1:
            raise serializers.ValidationError({"scope": MEMBERSHIP_NEEDS_ONE_SCOPE}, code="invalid")
        if Membership.objects.filter(user=attrs["user"], role=attrs["role"], **scopes).exists():
            raise serializers.ValidationError(
                {"role": MEMBERSHIP_EXISTS.format(user=attrs["user"].username)}, code="unique"
            )
        return attrs
