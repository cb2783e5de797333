"""Query-string checks shared by every API list.

A list silently ignoring a parameter it does not know (`/api/v1/projects/?code=X` answering every
project) looks like a filter that worked. `KnownQueryParamsFilter` runs first among the default
filter backends and answers 400 naming each unknown parameter instead. What a list knows is read
from the same places that act on the query string, so the check cannot drift from them: the
view's FilterSet (with the suffixes of range widgets, `x_after`/`x_before`), `search` when the
view has search fields, `ordering` when it orders, the paginator's `page`/`page_size`, and DRF's
`format`.
"""

import datetime as dt
from collections.abc import Iterable

import django_filters
from django import forms
from django.http import QueryDict
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters
from rest_framework.exceptions import ErrorDetail
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.settings import api_settings

from .models import TaskRun

DATETIME_OUT_OF_RANGE = "Enter a date and time that is still within year 1 to 9999 in UTC."


class UtcDateTimeField(forms.DateTimeField):
    """A date and time, converted to UTC: PostgreSQL refuses UTC offsets past ±15:59, which
    ISO 8601 and Python accept (`…T02:23:17+17:48` reached the query and answered 500); in UTC
    the offset is 0. A time whose UTC equivalent leaves years 1-9999 is a 400."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return result.astimezone(dt.UTC)
        except OverflowError:
            raise forms.ValidationError(DATETIME_OUT_OF_RANGE, code="invalid") from None


class DateTimeFilter(django_filters.DateTimeFilter):
    """django-filter's DateTimeFilter on UtcDateTimeField: use it for every date-time filter."""

    field_class = UtcDateTimeField


UNKNOWN_PARAMETER = "Unknown query parameter “{name}”: this list accepts {known}."


class SearchFilter(filters.SearchFilter):
    """DRF's search, documented only where the view has search fields (DRF documents `search`
    on every list, including those where it does nothing, which KnownQueryParamsFilter refuses)."""

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "search_fields", None):
            return []
        return super().get_schema_operation_parameters(view)


def filter_param_names(filterset) -> set[str]:
    """The query parameters a FilterSet reads: each filter's name, or name_suffix for a
    multi-part widget (a date range reads `x_after` and `x_before`). `filterset` is a class (its
    declared filters) or an instance (the filters it kept: a page may drop one it scopes itself)."""
    names = set()
    filters_ = filterset.base_filters if isinstance(filterset, type) else filterset.filters
    for name, filter_ in filters_.items():
        widget = filter_.extra.get("widget") or getattr(filter_.field_class, "widget", None)
        suffixes = getattr(widget, "suffixes", None)
        if suffixes:
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        else:
            names.add(name)
    return names


def known_query_params(view, request, queryset) -> set[str]:
    """Every query parameter the list `view` acts on."""
    known = set()
    format_param = api_settings.URL_FORMAT_OVERRIDE
    if format_param:
        known.add(format_param)
    for backend_class in view.filter_backends:
        backend = backend_class()
        if isinstance(backend, DjangoFilterBackend):
            filterset_class = backend.get_filterset_class(view, queryset)
            if filterset_class is not None:
                known |= filter_param_names(filterset_class)
        elif isinstance(backend, filters.SearchFilter):
            if backend.get_search_fields(view, request):
                known.add(backend.search_param)
        elif isinstance(backend, OrderingFilter):
            known.add(backend.ordering_param)
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        for attribute in ("page_query_param", "page_size_query_param", "limit_query_param", "offset_query_param"):
            if value := getattr(paginator, attribute, None):
                known.add(value)
    return known


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the FilterSet's
    parameters. Building a FilterSet copies every declared filter and builds its form (about a
    millisecond per filter with choices or a queryset) only to find all of them empty, and an
    empty filter filters nothing: an unfiltered page (most API reads) no longer pays for it."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not set(request.query_params) & filter_param_names(filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)


class KnownQueryParamsFilter(BaseFilterBackend):
    """Answers 400 for a list request with a query parameter the list does not know.

    Only `list` is checked: detail routes and actions read their own parameters (`as_of`,
    `with`) with serializers of their own that name what they accept."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) != "list":
            return queryset
        known = known_query_params(view, request, queryset)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            listed = ", ".join(sorted(known))
            raise exceptions.ValidationError(
                {
                    name: [ErrorDetail(UNKNOWN_PARAMETER.format(name=name, known=listed), code="unknown_parameter")]
                    for name in unknown
                }
            )
        return queryset


def unknown_list_params(query: QueryDict, filters, *, also: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """For an HTML list: the parameters in `query` that neither `filters` (a FilterSet, or a plain
    filter form) nor the page reads (`page`, `sort`, `export` and the names in `also`), and the names it does
    read; both sorted."""
    names = set(filters.fields) if isinstance(filters, forms.BaseForm) else filter_param_names(filters)
    known = names | {"page", "sort", "export", *also}  # export: core.exports (?export=csv|xlsx)
    return sorted(set(query) - known), sorted(known)


def _task_names() -> list[tuple[str, str]]:
    from .taskruns import task_names

    return [(name, name) for name in task_names()]


class TaskRunFilterSet(django_filters.FilterSet):
    """The administrators' jobs page: runs by status, task name, or words of their label."""

    status = django_filters.ChoiceFilter(choices=TaskRun.Status.choices, empty_label="Any status")
    name = django_filters.ChoiceFilter(choices=_task_names, label="Task", empty_label="Any task")
    q = django_filters.CharFilter(field_name="label", lookup_expr="icontains", label="About")

    class Meta:
        model = TaskRun
        fields = ["status", "name"]
