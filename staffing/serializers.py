"""API representations of staffing: job roles, people, cost rates, absences, allocations and
staffing requests, plus the computed read-only shapes (utilisation, conflicts, gaps, labour
forecast).

Hours and percentages are decimal strings. Validation here only reads; every write goes
through staffing.services (which names the field of any broken rule). A person's current cost
rate is in the representation only for readers who may see rates (the viewset passes
`rate_pools`, the portfolio ids whose rates the user sees).
"""

from rest_framework import serializers

from budgets.serializers.reference import CurrencyField
from core.serializers import (
    MAX_ID,
    MoneyField,
    MoneyModelSerializer,
    PercentField,
    VisiblePrimaryKeyRelatedField,
    fixed_after_create,
)
from portfolio.models import Portfolio
from projects.models import Project

from . import selectors
from .models import Absence, Allocation, CostRate, Person, Role, StaffingRequest

_READ_ONLY = ["version", "created_at", "updated_at"]


class RoleSerializer(MoneyModelSerializer):
    """A job role of a portfolio's resource pool; `standard_rate` is hourly, in the portfolio's
    base currency (the fallback for people without a cost rate)."""

    portfolio = VisiblePrimaryKeyRelatedField(queryset=Portfolio.objects.all())
    portfolio_code = serializers.CharField(source="portfolio.code", read_only=True)

    class Meta:
        model = Role
        fields = ["id", "portfolio", "portfolio_code", "code", "name", "standard_rate", "is_active", *_READ_ONLY]
        read_only_fields = _READ_ONLY
        validators = []  # (portfolio, code) uniqueness is the model's, reported on `code`

    def validate_portfolio(self, value):
        return fixed_after_create(self, "portfolio", value)


class PersonSerializer(serializers.ModelSerializer):
    """A member of a portfolio's resource pool. `current_rate` / `current_rate_currency` (the
    hourly cost rate in force today) appear only for readers allowed to see rates."""

    RATE_FIELDS = ("current_rate", "current_rate_currency")
    # Absent (not null) for readers who may not see rates: the schema lists them as optional.
    omitted_for_some_readers = RATE_FIELDS

    portfolio = VisiblePrimaryKeyRelatedField(queryset=Portfolio.objects.all())
    portfolio_code = serializers.CharField(source="portfolio.code", read_only=True)
    roles = VisiblePrimaryKeyRelatedField(queryset=Role.objects.all(), many=True, required=False)
    primary_role = VisiblePrimaryKeyRelatedField(queryset=Role.objects.all(), allow_null=True, required=False)
    primary_role_name = serializers.CharField(source="primary_role.name", read_only=True, allow_null=True)
    username = serializers.CharField(source="user.username", read_only=True, allow_null=True)
    current_rate = MoneyField(read_only=True, allow_null=True)
    current_rate_currency = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "portfolio",
            "portfolio_code",
            "name",
            "email",
            "department",
            "user",
            "username",
            "roles",
            "primary_role",
            "primary_role_name",
            "weekly_capacity_hours",
            "is_active",
            "current_rate",
            "current_rate_currency",
            *_READ_ONLY,
        ]
        read_only_fields = _READ_ONLY
        validators = []
        extra_kwargs = {"user": {"required": False, "allow_null": True}}

    def validate_portfolio(self, value):
        return fixed_after_create(self, "portfolio", value)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.portfolio_id not in self.context.get("rate_pools", ()):
            for name in self.RATE_FIELDS:
                data.pop(name, None)
        return data


class CostRateSerializer(MoneyModelSerializer):
    """A person's hourly cost rate from `effective_from` on (currency: default the portfolio's
    base currency). Posting a rate for a day that already has one replaces it."""

    person = VisiblePrimaryKeyRelatedField(queryset=Person.objects.all())
    person_name = serializers.CharField(source="person.name", read_only=True)
    currency = CurrencyField(required=False, help_text="ISO code; default: the portfolio's base currency.")

    class Meta:
        model = CostRate
        fields = ["id", "person", "person_name", "effective_from", "hourly_rate", "currency", *_READ_ONLY]
        read_only_fields = _READ_ONLY
        validators = []  # (person, effective_from): a second rate that day replaces the first

    def validate_person(self, value):
        return fixed_after_create(self, "person", value)


class AbsenceSerializer(serializers.ModelSerializer):
    """Days (inclusive) a person is away: they remove both capacity and load."""

    person = VisiblePrimaryKeyRelatedField(queryset=Person.objects.all())
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Absence
        fields = ["id", "person", "person_name", "start", "end", "kind", "note", *_READ_ONLY]
        read_only_fields = _READ_ONLY

    def validate_person(self, value):
        return fixed_after_create(self, "person", value)


class _AmountFields(serializers.Serializer):
    fte_percent = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    hours_per_week = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)


class StaffingRequestSerializer(_AmountFields, serializers.ModelSerializer):
    """Demand: a role on a project over [start, end] at an FTE percentage (of a 40-hour week) or
    hours per week. `status` is computed from the allocations filling it (cancel with POST
    …/cancel/)."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    role = VisiblePrimaryKeyRelatedField(queryset=Role.objects.all())
    role_name = serializers.CharField(source="role.name", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True)
    allocation_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = StaffingRequest
        fields = [
            "id",
            "project",
            "project_code",
            "role",
            "role_name",
            "start",
            "end",
            "fte_percent",
            "hours_per_week",
            "status",
            "notes",
            "requested_by",
            "allocation_count",
            *_READ_ONLY,
        ]
        read_only_fields = ["status", *_READ_ONLY]

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)


class AllocationSerializer(_AmountFields, serializers.ModelSerializer):
    """Supply: a person on a project in a role over [start, end], at an FTE percentage of their
    weekly capacity or fixed hours per week (exactly one). `request` is the staffing request it
    fills (same project and role)."""

    person = VisiblePrimaryKeyRelatedField(queryset=Person.objects.all())
    person_name = serializers.CharField(source="person.name", read_only=True)
    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    role = VisiblePrimaryKeyRelatedField(queryset=Role.objects.all())
    role_name = serializers.CharField(source="role.name", read_only=True)
    request = VisiblePrimaryKeyRelatedField(queryset=StaffingRequest.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "person",
            "person_name",
            "project",
            "project_code",
            "role",
            "role_name",
            "start",
            "end",
            "fte_percent",
            "hours_per_week",
            "request",
            "notes",
            *_READ_ONLY,
        ]
        read_only_fields = _READ_ONLY

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)


# -- computed shapes (documentation and input parsing) ---------------------------------------------


class WindowSerializer(serializers.Serializer):
    """`start` (any day of the first week; default this week) and `weeks` (1-104, default 12)."""

    start = serializers.DateField(required=False)
    weeks = serializers.IntegerField(
        required=False, min_value=1, max_value=selectors.MAX_WEEKS, default=selectors.DEFAULT_WEEKS
    )

    def validate_start(self, value):
        if not selectors.EARLIEST_START <= value <= selectors.LATEST_START:
            raise serializers.ValidationError(selectors.START_OUT_OF_RANGE)
        return value


SCOPE_EXACTLY_ONE = "Give exactly one of {names}."
SCOPE_AT_MOST_ONE = "Give at most one of {names}: they would narrow the people differently."


def _id(**kwargs) -> serializers.IntegerField:
    """A row id in a query string: positive and within a database integer (so `1e30` is a 400)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _scopes(attrs, names, *, required: bool) -> None:
    given = [name for name in names if attrs.get(name) is not None]
    if len(given) > 1 or (required and not given):
        message = SCOPE_EXACTLY_ONE if required else SCOPE_AT_MOST_ONE
        raise serializers.ValidationError({given[-1] if given else names[0]: message.format(names=" / ".join(names))})


class ConflictScopeSerializer(WindowSerializer):
    """Exactly one of `portfolio`, `program`, `project`: the people allocated there (in the window)."""

    SCOPES = ("portfolio", "program", "project")

    portfolio = _id(required=False)
    program = _id(required=False)
    project = _id(required=False)

    def validate(self, attrs):
        _scopes(attrs, self.SCOPES, required=True)
        return attrs


class CapacityScopeSerializer(WindowSerializer):
    """Filters of the heat map; at most one of `program` / `project` (no filter: every active
    person you can see, paginated)."""

    portfolio = _id(required=False)
    department = serializers.CharField(required=False, allow_blank=True, max_length=100)
    role = _id(required=False)
    program = _id(required=False)
    project = _id(required=False)

    def validate(self, attrs):
        _scopes(attrs, ("program", "project"), required=False)
        return attrs


class GapScopeSerializer(serializers.Serializer):
    program = _id(required=False)
    project = _id(required=False)
    current_from = serializers.DateField(required=False)

    def validate(self, attrs):
        _scopes(attrs, ("program", "project"), required=True)
        return attrs


class ProjectScopeSerializer(serializers.Serializer):
    project = _id()


class WeekSerializer(serializers.Serializer):
    week = serializers.DateField()
    capacity_hours = serializers.DecimalField(max_digits=10, decimal_places=2, source="capacity")
    load_hours = serializers.DecimalField(max_digits=10, decimal_places=2, source="load")
    utilisation_percent = PercentField(source="percent", allow_null=True, help_text="null: no capacity that week")
    over_allocated = serializers.BooleanField()
    band = serializers.CharField()
    available_days = serializers.IntegerField()
    absent_days = serializers.IntegerField()
    booked_on_absence_hours = serializers.DecimalField(max_digits=10, decimal_places=2, source="booked_on_absence")


class PersonWeeksSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    name = serializers.CharField(source="person.name")
    department = serializers.CharField(source="person.department")
    weekly_capacity_hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, source="person.weekly_capacity_hours"
    )
    weeks = WeekSerializer(many=True)
