"""One FilterSet per listable risks model, shared by the HTML lists and the API viewsets.

The heat map's cells link to the register with `?probability=&impact=` (or
`?residual_probability=&residual_impact=` for the residual matrix) and the active statuses.
"""

import re

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from core.filters import DateTimeFilter
from core.serializers import MAX_ID
from projects.models import Project

from . import scoring
from .models import AnalysisRun, Issue, MitigationAction, Risk, RiskScoreHistory

LEVEL_CHOICES = [(level, f"{level} {scoring.PROBABILITY_LABELS[level]}") for level in scoring.LEVELS]
IMPACT_CHOICES = [(level, f"{level} {scoring.IMPACT_LABELS[level]}") for level in scoring.LEVELS]
SCOPE_CHOICES = [("project", "Project risks"), ("program", "Program risks")]
REFERENCE = re.compile(r"^(?:(?P<program>[\w-]+)-)?[RI](?P<number>\d+)$", re.IGNORECASE)
NOT_A_BOOLEAN = "Give true or false."
TRUE_TEXTS = frozenset({"true", "1", "yes", "on", "2"})  # "2" / "3": NullBooleanSelect's own values
FALSE_TEXTS = frozenset({"false", "0", "no", "off", "3"})


def _id_filter(field_name: str, **kwargs) -> django_filters.NumberFilter:
    """An id to match: a whole number in the key range, so `?program=1.5` or `?program=1e30`
    name the parameter instead of matching id 1 or overflowing the query."""
    return django_filters.NumberFilter(field_name=field_name, min_value=1, max_value=MAX_ID, decimal_places=0, **kwargs)


class _StrictNullBooleanSelect(forms.NullBooleanSelect):
    """Hands an unrecognised value on to the field (the stock widget turns it into "any")."""

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        raw = data.get(name)
        return raw if value is None and raw not in (None, "", "unknown") else value


class StrictBooleanField(forms.NullBooleanField):
    """Yes, no or not given; anything else is an error rather than silently "any"."""

    widget = _StrictNullBooleanSelect

    def to_python(self, value):
        if value in (True, False, None):
            return value
        text = str(value).strip().lower()
        if text in ("", "unknown"):
            return None
        if text in TRUE_TEXTS:
            return True
        if text in FALSE_TEXTS:
            return False
        raise ValidationError(NOT_A_BOOLEAN, code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def _reference_q(value: str) -> Q:
    """`MOD-R007`, `R7` or `I12` as a match on the program code and number (nothing otherwise)."""
    match = REFERENCE.match(value.strip())
    if not match:
        return Q(pk__in=[])
    q = Q(number=int(match["number"]))
    if match["program"]:
        q &= Q(program__code__iexact=match["program"])
    return q


class _ScopedFilters(django_filters.FilterSet):
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all())
    program = _id_filter("program")
    portfolio = _id_filter("program__portfolio")
    scope = django_filters.ChoiceFilter(choices=SCOPE_CHOICES, method="by_scope", label="Scope")
    owner = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.filter(is_active=True))

    def by_scope(self, queryset, name, value):
        return queryset.filter(project__isnull=value == "program")


class RiskFilterSet(_ScopedFilters):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=Risk.Status.choices)
    category = django_filters.MultipleChoiceFilter(choices=Risk.Category.choices)
    band = django_filters.MultipleChoiceFilter(choices=Risk.Band.choices)
    residual_band = django_filters.MultipleChoiceFilter(choices=Risk.Band.choices)
    probability = django_filters.TypedChoiceFilter(choices=LEVEL_CHOICES, coerce=int)
    impact = django_filters.TypedChoiceFilter(choices=IMPACT_CHOICES, coerce=int)
    residual_probability = django_filters.TypedChoiceFilter(choices=LEVEL_CHOICES, coerce=int)
    residual_impact = django_filters.TypedChoiceFilter(choices=IMPACT_CHOICES, coerce=int)
    response = django_filters.MultipleChoiceFilter(choices=Risk.Response.choices)
    escalated = StrictBooleanFilter(field_name="escalated_at", lookup_expr="isnull", exclude=True)
    proximity_before = django_filters.DateFilter(
        field_name="proximity_date", lookup_expr="lte", label="Proximity on or before"
    )
    proximity_after = django_filters.DateFilter(
        field_name="proximity_date", lookup_expr="gte", label="Proximity on or after"
    )
    min_score = django_filters.NumberFilter(
        field_name="score", lookup_expr="gte", label="Score at least", min_value=0, max_value=25
    )
    vendor = _id_filter("vendor")
    contract = _id_filter("contract")
    all = StrictBooleanFilter(method="every_project_risk", label="Every project risk, not only escalated ones")

    class Meta:
        model = Risk
        fields = []

    def every_project_risk(self, queryset, name, value):
        """The program register's toggle (`?all=1`): the register view widens its base query to
        every project risk of the program when it is set; as a filter it narrows nothing."""
        return queryset

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(cause__icontains=value)
            | _reference_q(value)
        )


class MitigationActionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Search")
    risk = _id_filter("risk")
    project = _id_filter("risk__project")
    program = _id_filter("risk__program")
    status = django_filters.MultipleChoiceFilter(choices=MitigationAction.Status.choices)
    owner = _id_filter("owner")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    overdue = StrictBooleanFilter(field_name="overdue", label="Overdue")

    class Meta:
        model = MitigationAction
        fields = []


class IssueFilterSet(_ScopedFilters):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=Issue.Status.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Issue.Severity.choices)
    from_risk = StrictBooleanFilter(field_name="risk", lookup_expr="isnull", exclude=True, label="From a risk")
    risk = _id_filter("risk")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label="Due on or before")

    class Meta:
        model = Issue
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value) | _reference_q(value))


class RiskScoreHistoryFilterSet(django_filters.FilterSet):
    risk = _id_filter("risk")
    project = _id_filter("risk__project")
    program = _id_filter("risk__program")
    after = DateTimeFilter(field_name="at", lookup_expr="gte")
    before = DateTimeFilter(field_name="at", lookup_expr="lte")

    class Meta:
        model = RiskScoreHistory
        fields = []


class AnalysisRunFilterSet(django_filters.FilterSet):
    project = _id_filter("project")
    program = _id_filter("program")
    status = django_filters.ChoiceFilter(choices=AnalysisRun.Status.choices)
    trigger = django_filters.ChoiceFilter(choices=AnalysisRun.Trigger.choices)

    class Meta:
        model = AnalysisRun
        fields = []
