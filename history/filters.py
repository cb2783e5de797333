"""One FilterSet for the audit log, shared by the page, its CSV and the API."""

import django_filters
from django_filters.widgets import DateRangeWidget

from core.models import AuditEntry

from .selectors import object_types


class AuditEntryFilterSet(django_filters.FilterSet):
    # By username, typed: a list of every user to choose from would enumerate the accounts.
    actor = django_filters.CharFilter(field_name="actor__username", label="Who (username)")
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices, empty_label="Any action")
    object_type = django_filters.ChoiceFilter(choices=object_types, label="Object type", empty_label="Any type")
    object_id = django_filters.CharFilter(label="Object id")
    at = django_filters.DateFromToRangeFilter(label="Date (from – to)", widget=DateRangeWidget(attrs={"type": "date"}))
    portfolio = django_filters.NumberFilter(field_name="portfolio_id", label="Portfolio id")
    program = django_filters.NumberFilter(field_name="program_id", label="Program id")
    project = django_filters.NumberFilter(field_name="project_id", label="Project id")

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "object_type", "object_id", "at", "portfolio", "program", "project"]
