"""API representations of the reporting app."""

from decimal import Decimal

from rest_framework import serializers

from core.serializers import FixedDecimalField

from .models import HealthPolicy
from .services.health_policy import INDEX_PAIRS, LIMIT_PAIRS


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
