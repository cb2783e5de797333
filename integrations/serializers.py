from rest_framework import serializers

from core import events
from portfolio.models import Portfolio, Program

from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    """A webhook as listed: `secret_prefix` identifies the secret, which is never shown again."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=list(events.KINDS)), allow_empty=False)
    portfolio = serializers.PrimaryKeyRelatedField(queryset=Portfolio.objects.none(), required=False, allow_null=True)
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.none(), required=False, allow_null=True)
    previous_secret_expires_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "name",
            "url",
            "events",
            "is_active",
            "portfolio",
            "program",
            "secret_prefix",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "secret_prefix", "previous_secret_expires_at", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Only scopes the user manages can be named; another one reads as "does not exist".
            fields["portfolio"].queryset = Portfolio.objects.editable_by(request.user)
            fields["program"].queryset = Program.objects.editable_by(request.user)
        if self.instance is not None and not isinstance(self.instance, list):
            fields["portfolio"].read_only = True
            fields["program"].read_only = True
        return fields


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    """The one response that carries the secret (creation, rotation): store it now."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "at",
            "request_headers",
            "request_body",
            "status_code",
            "response_excerpt",
            "duration_ms",
            "error",
        ]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "event_id",
            "event",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "is_test",
            "created_at",
            "finished_at",
            "attempt_log",
        ]
        read_only_fields = fields
