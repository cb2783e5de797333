"""What the governance viewsets share: refusal texts and the decision-action plumbing."""

from rest_framework import exceptions

PROJECT_EDIT_DENIED = "You need the project manager role on this project (or a manager role above it)."
PROGRAM_EDIT_DENIED = "You need the program manager role on this program (or portfolio admin on its portfolio)."
DECIDE_DENIED = (
    "Gates and change requests are decided by the program manager (or a portfolio admin), not the project team."
)
NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise exceptions.PermissionDenied(message)


def respond_as(viewset, serializer_class, instance):
    """An action's answer: `instance` re-read through the viewset's queryset, in the resource's
    own representation (not the action's input serializer), with its ETag."""
    from rest_framework.response import Response

    instance = viewset.get_queryset().filter(pk=instance.pk).first() or instance
    response = Response(serializer_class(instance, context=viewset.get_serializer_context()).data)
    response["ETag"] = instance.etag
    return response
