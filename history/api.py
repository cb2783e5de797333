"""/api/v1/audit-entries/: the audit log, read-only, filtered like the page; each user sees the
entries of the objects they can see (history.selectors.entries_visible_to), outsiders none."""

from rest_framework import mixins, viewsets

from .filters import AuditEntryFilterSet
from .selectors import entries_visible_to
from .serializers import AuditEntrySerializer


class AuditEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Who changed what, when: newest first, filterable by actor (username), action, object type
    and id, date range (`at_after`, `at_before`) and scope (portfolio, program, project ids)."""

    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    ordering_fields = ["at"]

    def get_queryset(self):
        return entries_visible_to(self.request.user).order_by("-at", "-pk")


ROUTES = [("audit-entries", AuditEntryViewSet, "audit-entry")]
