"""Serializer building blocks shared by every app, and the serializers of `me` and `tokens`."""

import re

from django.contrib.auth import get_user_model
from rest_framework import serializers

from .models import ApiToken

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
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "is_active"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at", "is_active"]


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
