"""The health thresholds form: one amber and one red threshold per dimension, each showing its
default. Range checks run here; the ordering rules (and the same ranges again, for the API) are
reporting.services.health_policy's, whose errors land back on the field they name."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from core.forms import KeelFormMixin

from .models import HealthPolicy
from .services.health_policy import INDEX_PAIRS, LIMIT_PAIRS

# What each dimension's thresholds measure, shown beside them.
UNITS = {
    "CPI": "index; lower is worse",
    "SPI": "index; lower is worse",
    "Schedule slip": "working days beyond the baseline finish",
    "Exposure": "% of the remaining reserves used by residual exposure",
    "Over-allocated people": "people this month",
    "Status report age": "days since the newest status report's period end",
    "Actuals age": "days since the newest actual cost",
}


def _default(name: str):
    return HealthPolicy._meta.get_field(name).default


class HealthPolicyForm(KeelFormMixin, forms.Form):
    def __init__(self, *args, policy: HealthPolicy, **kwargs):
        initial = {name: getattr(policy, name) for pair in (*INDEX_PAIRS, *LIMIT_PAIRS) for name in pair[:2]}
        super().__init__(*args, initial=initial, **kwargs)
        for amber, red, label in INDEX_PAIRS:
            for name, colour in ((amber, "amber"), (red, "red")):
                self.fields[name] = forms.DecimalField(
                    label=f"{label} {colour}",
                    max_digits=4,
                    decimal_places=2,
                    min_value=Decimal("0.01"),
                    max_value=Decimal("2"),
                    help_text=f"Default {_default(name)}",
                )
        for amber, red, label, limit in LIMIT_PAIRS:
            for name, colour in ((amber, "amber"), (red, "red")):
                self.fields[name] = forms.IntegerField(
                    label=f"{label} {colour}",
                    min_value=0,
                    max_value=limit,
                    help_text=f"Default {_default(name)}",
                )

    def rows(self) -> list[dict]:
        """One row per dimension for the template: its label, unit, and amber and red fields."""
        pairs = [(a, r, label) for a, r, label in INDEX_PAIRS] + [(a, r, label) for a, r, label, _ in LIMIT_PAIRS]
        return [{"label": label, "unit": UNITS[label], "amber": self[a], "red": self[r]} for a, r, label in pairs]
