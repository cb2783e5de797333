"""Serializer fields for computed figures."""

from decimal import Decimal

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from core.money import MONEY_DECIMAL_PLACES, MONEY_QUANTUM


class ExactDecimalField(serializers.DecimalField):
    """A computed Decimal as a string, never rounded, with at least two decimal places: "300.00",
    "0.8928571428571428571428571429". Figures are computed at full precision and rounded only for
    display, so the API hands them over exactly and leaves rounding to the client; the padding
    only makes a sum read the same on every database (SQLite drops trailing zeros)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=None, decimal_places=None, read_only=True, **kwargs)

    def to_representation(self, value):
        value = Decimal(value)
        if value.is_finite() and value.as_tuple().exponent > -MONEY_DECIMAL_PLACES:
            value = value.quantize(MONEY_QUANTUM)
        return f"{value:f}"


def exact_decimal(**kwargs) -> ExactDecimalField:
    return ExactDecimalField(**kwargs)


def named_choice_field(component: str, choices, description: str = "") -> type[serializers.ChoiceField]:
    """A ChoiceField class documented as its own schema component `component`.

    Several money models have a `status` or `kind` with choices of their own; left to itself the
    schema generator would give them hashed names (Status8a5Enum) and rename the projects'
    StatusEnum on the way. Each gets a stable name instead (as projects.serializers.RagField)."""
    values = [value for value, _ in choices]

    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    class NamedChoiceFieldSchema(OpenApiSerializerFieldExtension):
        target_class = NamedChoiceField

        def get_name(self):
            return component

        def map_serializer_field(self, auto_schema, direction):
            labels = "\n".join(f"* `{value}` - {label}" for value, label in choices)
            return {"type": "string", "enum": values, "description": (description + "\n\n" + labels).strip()}

    NamedChoiceField.__name__ = NamedChoiceField.__qualname__ = f"{component}Field"
    NamedChoiceFieldSchema.__name__ = NamedChoiceFieldSchema.__qualname__ = f"{component}FieldSchema"
    return NamedChoiceField
