"""API representations of administered people and invitations. Writes go through access.services."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from core.serializers import VisiblePrimaryKeyRelatedField
from portfolio.models import Membership, Portfolio, Program
from projects.models import Project

from .models import Invitation
from .selectors import administered_portfolios, administered_programs, administered_projects

INVITATION_NEEDS_ONE_SCOPE = "Give exactly one of portfolio, program or project."


class UserMembershipSerializer(serializers.ModelSerializer):
    scope_kind = serializers.CharField(read_only=True)
    scope_code = serializers.CharField(source="scope.code", read_only=True)
    sso_managed = serializers.SerializerMethodField(help_text="Granted (and removed) by single sign-on.")

    class Meta:
        model = Membership
        fields = ["id", "role", "portfolio", "program", "project", "scope_kind", "scope_code", "sso_managed"]

    def get_sso_managed(self, membership) -> bool:
        return hasattr(membership, "sso")


class AdministeredUserSerializer(serializers.ModelSerializer):
    """A person holding a role in a portfolio the requester administers; `memberships` lists
    only their roles there."""

    full_name = serializers.CharField(source="get_full_name", read_only=True)
    memberships = UserMembershipSerializer(source="administered", many=True, read_only=True)

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "is_active",
            "last_login",
            "date_joined",
            "memberships",
        ]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation. The link itself is only e-mailed, never returned."""

    portfolio = VisiblePrimaryKeyRelatedField(
        queryset=Portfolio.objects.all(),
        allow_null=True,
        required=False,
        visible=lambda qs, u: administered_portfolios(u),
    )
    program = VisiblePrimaryKeyRelatedField(
        queryset=Program.objects.all(), allow_null=True, required=False, visible=lambda qs, u: administered_programs(u)
    )
    project = VisiblePrimaryKeyRelatedField(
        queryset=Project.objects.all(), allow_null=True, required=False, visible=lambda qs, u: administered_projects(u)
    )
    scope_kind = serializers.CharField(read_only=True)
    scope_code = serializers.CharField(source="scope.code", read_only=True)
    invited_by = serializers.CharField(source="invited_by.username", read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "portfolio",
            "program",
            "project",
            "scope_kind",
            "scope_code",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
            "status",
        ]
        read_only_fields = ["created_at", "expires_at", "accepted_at", "revoked_at"]

    def get_status(self, invitation) -> str:
        from django.utils import timezone

        if invitation.accepted_at:
            return "accepted"
        if invitation.revoked_at:
            return "revoked"
        return "expired" if invitation.expires_at <= timezone.now() else "open"

    def validate(self, attrs):
        scopes = [attrs[name] for name in ("portfolio", "program", "project") if attrs.get(name)]
        if len(scopes) != 1:
            raise serializers.ValidationError({"scope": INVITATION_NEEDS_ONE_SCOPE}, code="invalid")
        attrs["scope"] = scopes[0]
        return attrs
