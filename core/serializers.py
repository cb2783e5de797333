"""Serializer building blocks shared by every app, and the serializers of `me` and `tokens`."""

import re
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from .models import ApiToken
from .money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, quantize_money

PARENT_FIXED = "Cannot be changed after creation."
# The largest primary key a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1
WHOLE_NUMBER = re.compile(r"[0-9]+")


def _whole_number(value) -> bool:
    return not isinstance(value, bool) and (
        isinstance(value, int) or (isinstance(value, str) and WHOLE_NUMBER.fullmatch(value) is not None)
    )


def is_whole_id(value) -> bool:
    """Whether `value` (an int or text) is a whole number in the primary key range."""
    return _whole_number(value) and 0 < int(value) <= MAX_ID


# -- numbers out --------------------------------------------------------------------------------
# Every number the API writes that is not a count is a decimal string with a fixed number of
# places, never a JSON float: money at the project's one money precision (core.money; amounts are
# stored at it whatever Currency.decimal_places says, which is a display hint for pages),
# indices (CPI, SPI, TCPI...) at RATIO_DECIMAL_PLACES, percentages and durations in days at two.
# Figures are computed at full precision and rounded only here, half to even like
# core.money.quantize_money. Exchange rates, hours and benefit values keep their column's places.
RATIO_DECIMAL_PLACES = 4
PERCENT_DECIMAL_PLACES = 2
DAYS_DECIMAL_PLACES = 2


def decimal_text(value, places: int) -> str | None:
    """`value` (a Decimal, int or decimal string) as a decimal string with exactly `places` places,
    rounded half to even; None stays None (a figure that is not defined)."""
    if value is None:
        return None
    value = Decimal(value)
    value = quantize_money(value) if places == MONEY_DECIMAL_PLACES else value.quantize(Decimal(1).scaleb(-places))
    return f"{value.copy_abs() if value.is_zero() else value:f}"  # -0.001 is "0.00", not "-0.00"


def money_text(value) -> str | None:
    """Money as the API writes it ("1234.50"), for computed answers built as dicts."""
    return decimal_text(value, MONEY_DECIMAL_PLACES)


class FixedDecimalField(serializers.DecimalField):
    """A decimal written as a string with exactly `places` places (see decimal_text); read as
    DRF's DecimalField reads it. Computed figures need no `max_digits`: they are only written."""

    kind = "Answered as a decimal string"

    def __init__(self, *, places: int, max_digits=None, **kwargs):
        self.places = places
        help_text = kwargs.pop("help_text", "")
        kwargs["help_text"] = f"{help_text} {self.kind} with exactly {places} decimal places.".strip()
        super().__init__(max_digits=max_digits, decimal_places=places, coerce_to_string=True, **kwargs)

    def to_representation(self, value):
        return decimal_text(value, self.places)


class MoneyField(FixedDecimalField):
    """Money: a decimal string at the project's money precision, e.g. "1234.50" or "-0.01"."""

    kind = "Money, answered as a decimal string"

    def __init__(self, **kwargs):
        kwargs.pop("decimal_places", None)
        super().__init__(places=MONEY_DECIMAL_PLACES, **kwargs)


class RatioField(FixedDecimalField):
    """An index such as CPI or SPI: a decimal string at RATIO_DECIMAL_PLACES ("0.9649")."""

    kind = "An index, answered as a decimal string"

    def __init__(self, **kwargs):
        super().__init__(places=RATIO_DECIMAL_PLACES, **kwargs)


class PercentField(FixedDecimalField):
    """A percentage (50 means half): a decimal string at PERCENT_DECIMAL_PLACES ("50.94")."""

    kind = "A percentage, answered as a decimal string"

    def __init__(self, **kwargs):
        kwargs.pop("decimal_places", None)
        super().__init__(places=PERCENT_DECIMAL_PLACES, **kwargs)


class DaysField(FixedDecimalField):
    """A duration in calendar days: a decimal string at DAYS_DECIMAL_PLACES ("783.79")."""

    kind = "Days, answered as a decimal string"

    def __init__(self, **kwargs):
        super().__init__(places=DAYS_DECIMAL_PLACES, **kwargs)


def fixed_places_pattern(places: int) -> str:
    return rf"^-?\d+\.\d{{{places}}}$"


class FixedDecimalFieldSchema(OpenApiSerializerFieldExtension):
    """Responses document the exact shape (string, format decimal, a pattern with the places);
    requests keep DRF's DecimalField description of what is accepted."""

    target_class = FixedDecimalField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {"type": "string", "format": "decimal", "pattern": fixed_places_pattern(self.target.places)}


def is_money_column(model_field) -> bool:
    """A column made by core.money.MoneyField (or a generated column of that precision)."""
    if isinstance(model_field, models.GeneratedField):
        model_field = model_field.output_field
    return (
        isinstance(model_field, models.DecimalField)
        and model_field.max_digits == MONEY_MAX_DIGITS
        and model_field.decimal_places == MONEY_DECIMAL_PLACES
    )


class MoneyModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose money columns are written by MoneyField: exactly the money places,
    never a float (a generated column such as Risk.emv would otherwise be a JSON float). Input
    keeps what the column accepts (its digits and validators)."""

    def build_standard_field(self, field_name, model_field):
        if not is_money_column(model_field):
            return super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.GeneratedField):
            return MoneyField, {"read_only": True}
        _, kwargs = super().build_standard_field(field_name, model_field)
        return MoneyField, kwargs


class IdField(serializers.PrimaryKeyRelatedField):
    """A related id that must be a whole number in the key range, as a JSON integer or a string of
    digits: 1.5 or true would otherwise match object 1, and 1e999 or 10**30 overflow the lookup
    (a 400 naming no field)."""

    def to_internal_value(self, data):
        if not _whole_number(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not is_whole_id(data):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class VisiblePrimaryKeyRelatedField(IdField):
    """A related id that must name an object the requesting user can see.

    `queryset` is the model's unrestricted query (it also gives the schema its type); the
    choices are narrowed to `queryset.visible_to(user)` when validating, or to
    `visible(queryset, user)` for a model without that helper. An unknown id and an
    invisible one give the same "does not exist" error, so nothing leaks.
    """

    def __init__(self, *, visible=None, **kwargs):
        self.visible = visible
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset, user = super().get_queryset(), self.context["request"].user
        return self.visible(queryset, user) if self.visible else queryset.visible_to(user)


def fixed_after_create(serializer, name: str, value):
    """Validate a parent chosen at creation: a PUT may repeat it but not change it."""
    if serializer.instance is not None and value != getattr(serializer.instance, name):
        raise serializers.ValidationError(PARENT_FIXED)
    return value


def scoped_person(value, people, *, keep=None):
    """`value` (a user, or None) when it is one of `people` (the members of the scope it is named
    in) or `keep` (whoever holds the post now); otherwise the error an unknown id gives, so
    naming someone outside the scope does not tell whether that account exists."""
    if value is None or value.pk == keep or people.filter(pk=value.pk, is_active=True).exists():
        return value
    message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    raise serializers.ValidationError(message.format(pk_value=value.pk))


def active_users():
    """Who may be named as a manager, sponsor or member."""
    return get_user_model().objects.filter(is_active=True)


class MeSerializer(serializers.ModelSerializer):
    """The authenticated user. Their roles are listed at /memberships/?user=<id>."""

    full_name = serializers.CharField(source="get_full_name", read_only=True)
    authenticated_by = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "is_superuser",
            "authenticated_by",
        ]
        read_only_fields = fields

    def get_authenticated_by(self, user) -> str:
        """Either "token" or "session"."""
        return "token" if isinstance(self.context["request"].auth, ApiToken) else "session"


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: the prefix identifies it; the secret is never shown again."""

    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scope",
            "expires_at",
            "created_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at", "is_active"]
        extra_kwargs = {
            "scope": {"help_text": "`read`: only GET, HEAD and OPTIONS (a write answers 403); default `read_write`."},
            "expires_at": {
                "help_text": "When the token stops working (401 after it); null: never. At most "
                "KEEL_API_TOKEN_MAX_DAYS ahead, in the future."
            },
            "last_used_at": {"help_text": "Updated at most every few minutes, not on every request."},
        }


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """The one response that carries the secret: store it now, it cannot be shown again."""

    secret = serializers.CharField(read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "secret"]


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text='The input field, e.g. "program" or "objectives[0].weight".'
    )
    code = serializers.CharField(help_text='A stable code, e.g. "required", "invalid", "does_not_exist", "unique".')
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """The body of every API error (core.api.exception_handler)."""

    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldErrorSerializer(many=True)
