"""Serializer fields of the money apps (numbers are written by core.serializers' MoneyField etc.)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


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
