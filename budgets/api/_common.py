"""What the money viewsets share: who may create what, and small mixins over core.api."""

from rest_framework import exceptions

from portfolio.querysets import memberships_of, sees_everything
from portfolio.roles import PROGRAM_FINANCE_EDITORS, REFERENCE_DATA_EDITORS
from projects.api_schedule import VersionedServiceDestroyMixin

from ..serializers.reports import AsOfSerializer

FINANCE_EDIT_DENIED = (
    "You need a finance role on this project (finance analyst, project manager, or a manager role above it)."
)
PROGRAM_FINANCE_EDIT_DENIED = (
    "You need the finance analyst or program manager role on this program (or portfolio admin on its portfolio)."
)
REFERENCE_EDIT_DENIED = (
    "Finance reference data is maintained by portfolio admins and finance analysts (a role held on a portfolio)."
)
VENDOR_EDIT_DENIED = "The vendor register is maintained by people who manage contracts (a program finance role)."

# The methods of a viewset whose model has no delete service: DELETE answers 405.
NO_DELETE = ["get", "post", "put", "patch", "head", "options"]

__all__ = [
    "FINANCE_EDIT_DENIED",
    "NO_DELETE",
    "PROGRAM_FINANCE_EDIT_DENIED",
    "REFERENCE_EDIT_DENIED",
    "VENDOR_EDIT_DENIED",
    "ETagRetrieveMixin",
    "VersionedServiceDestroyMixin",
    "as_of_param",
    "may_edit_reference_data",
    "may_manage_contracts",
    "require",
]


def may_edit_reference_data(user) -> bool:
    """Whether `user` maintains shared reference data (a REFERENCE_DATA_EDITORS role on a
    portfolio; see budgets.querysets)."""
    if not user.is_authenticated:
        return False
    return (
        sees_everything(user) or memberships_of(user, REFERENCE_DATA_EDITORS).filter(portfolio__isnull=False).exists()
    )


def may_manage_contracts(user) -> bool:
    """Whether `user` holds a program-finance role on some program or portfolio (vendors)."""
    if not user.is_authenticated:
        return False
    return sees_everything(user) or memberships_of(user, PROGRAM_FINANCE_EDITORS).filter(project__isnull=True).exists()


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise exceptions.PermissionDenied(message)


def as_of_param(request):
    """`?as_of=YYYY-MM-DD` as a date (None when absent); 400 naming `as_of` when malformed."""
    serializer = AsOfSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data.get("as_of")


class ETagRetrieveMixin:
    """A detail read with the row's ETag, for viewsets that are not VersionedModelViewSetMixin
    (which would also route PUT, PATCH and DELETE). Needs ServiceCreateMixin's respond_with."""

    def retrieve(self, request, *args, **kwargs):
        return self.respond_with(self.get_object(), reload=False)
