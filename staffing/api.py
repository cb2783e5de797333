"""The staffing API: (prefix, viewset, basename) routes registered on the one /api/v1/ router.

Access (staffing.querysets): people, job roles and absences are read by everyone who sees the
portfolio and written by its resource managers; cost rates are read and written only by rate
viewers (a person's current rate is left out of the person representation for everyone else);
allocations and staffing requests are read with their project and written by its project
editors and the portfolio's resource managers. 404 for what the user cannot see, 403 for writes
to what they may only read. Every write goes through staffing.services; updates and deletes
honour If-Match.

Computed, read-only: people/{id}/utilisation/, people/capacity/, allocations/conflicts/,
allocations/labour-forecast/, staffing-requests/gaps/.
"""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from budgets.selectors import fiscal_calendar_for
from core.api import (
    EditableObjectPermission,
    VersionedModelViewSetMixin,
    require_editable,
    versioned_schema,
)
from core.serializers import ErrorSerializer, FixedDecimalField, MoneyField, money_text
from portfolio.models import Portfolio, Program
from projects.api_schedule import VersionedServiceDestroyMixin
from projects.models import Project

from . import selectors, services
from .filters import (
    AbsenceFilterSet,
    AllocationFilterSet,
    CostRateFilterSet,
    PersonFilterSet,
    RoleFilterSet,
    StaffingRequestFilterSet,
)
from .models import Absence, Allocation, CostRate, Person, Role, StaffingRequest
from .querysets import managed_pools, rate_pools, staffing_projects
from .serializers import (
    AbsenceSerializer,
    AllocationSerializer,
    CapacityScopeSerializer,
    ConflictScopeSerializer,
    CostRateSerializer,
    GapScopeSerializer,
    PersonSerializer,
    PersonWeeksSerializer,
    ProjectScopeSerializer,
    RoleSerializer,
    StaffingRequestSerializer,
    WeekSerializer,
    WindowSerializer,
)

POOL_EDIT_DENIED = "The resource pool is managed by the portfolio's admins and the program managers in it."
RATE_EDIT_DENIED = "Cost rates are managed by the resource managers and finance analysts of the portfolio."
STAFFING_EDIT_DENIED = "You need a project editor role on this project, or to manage its portfolio's resource pool."
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _params(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _d(value, places: int = 2) -> str | None:
    """A Decimal as the API writes decimals: a string at `places` (never a float)."""
    if value is None:
        return None
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places)):f}"


def _hours(**kwargs) -> FixedDecimalField:
    return FixedDecimalField(places=2, read_only=True, **kwargs)


# The labour forecast's answer, documented field by field (it is built as a dict below).
LABOUR_FORECAST = inline_serializer(
    "LabourForecast",
    fields={
        "project": serializers.IntegerField(),
        "currency": serializers.CharField(help_text="The portfolio's base currency."),
        "from": serializers.DateField(help_text="The first day counted."),
        "total": MoneyField(read_only=True),
        "total_hours": _hours(),
        "unrated_hours": _hours(help_text="Hours of people without a rate, left out of the cost."),
        "assignment_hours": _hours(
            help_text="Of total_hours, those from schedule assignments that no allocation covers (where an "
            "allocation of the person on the project covers a day, the allocation counts, not the assignment)."
        ),
        "rates_withheld": serializers.BooleanField(
            help_text="True when some people are costed at their role's standard rate because you may not "
            "see their own cost rate."
        ),
        "periods": inline_serializer(
            "LabourForecastPeriod",
            fields={
                "label": serializers.CharField(),
                "fiscal_year": serializers.IntegerField(),
                "number": serializers.IntegerField(),
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "hours": _hours(),
                "amount": MoneyField(read_only=True),
            },
            many=True,
        ),
        "replaced": serializers.ListField(child=serializers.CharField(), help_text="Periods with a manual forecast."),
    },
)


def _week_rows(weeks) -> list:
    return WeekSerializer(weeks, many=True).data


def _allocation_row(a, visible: set[int]) -> dict:
    """An allocation in a computed answer; a project the reader cannot see is not named."""
    shown = a.project_id in visible
    return {
        "id": a.pk if shown else None,
        "project": a.project_id if shown else None,
        "project_code": a.project.code if shown else None,
        "role_name": a.role.name,
        "start": a.start,
        "end": a.end,
        "fte_percent": _d(a.fte_percent),
        "hours_per_week": _d(a.hours_per_week),
    }


class _StaffingViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    permission_classes = [EditableObjectPermission]
    model = None

    def get_editable_queryset(self):
        return self.model.objects.editable_by(self.request.user)


@versioned_schema(RoleSerializer)
class RoleViewSet(_StaffingViewSet):
    """Job roles of the resource pools you can see (not the membership roles of the portfolio)."""

    model = Role
    serializer_class = RoleSerializer
    filterset_class = RoleFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "standard_rate", "updated_at"]

    def get_queryset(self):
        return selectors.role_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(
            Portfolio.objects.filter(pk__in=managed_pools(self.request.user)), data["portfolio"], POOL_EDIT_DENIED
        )
        return services.role_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.role_update(
            actor=self.request.user,
            role=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        from core.services import versioned_delete

        versioned_delete(instance=instance, actor=self.request.user, expected_version=expected_version)


@versioned_schema(PersonSerializer)
class PersonViewSet(_StaffingViewSet):
    """People in the resource pools you can see. Their current cost rate is shown only to those
    who may see rates."""

    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    search_fields = ["name", "email", "department"]
    ordering_fields = ["name", "department", "weekly_capacity_hours", "updated_at"]

    def get_queryset(self):
        return selectors.person_list(user=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not hasattr(self, "_rate_pools"):
            self._rate_pools = set(rate_pools(self.request.user).values_list("pk", flat=True))
        context["rate_pools"] = self._rate_pools
        return context

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(
            Portfolio.objects.filter(pk__in=managed_pools(self.request.user)), data["portfolio"], POOL_EDIT_DENIED
        )
        return services.person_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.person_update(
            actor=self.request.user,
            person=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        from core.services import versioned_delete

        versioned_delete(instance=instance, actor=self.request.user, expected_version=expected_version)

    @extend_schema(
        parameters=[WindowSerializer],
        responses={200: PersonWeeksSerializer, **ERRORS},
        description="The person's weekly capacity, load and utilisation over `weeks` weeks from the week of "
        "`start`, with the allocations loading them (projects you cannot see are not named).",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def utilisation(self, request, pk=None):
        person = self.get_object()
        window = _params(WindowSerializer, request)
        load = selectors.utilisation([person], start=window.get("start"), weeks=window["weeks"])[0]
        visible = selectors.visible_project_ids(request.user, {a.project_id for a in load.allocations.values()})
        body = PersonWeeksSerializer(load).data
        body["allocations"] = [_allocation_row(a, visible) for a in load.allocations.values()]
        return Response(body)

    @extend_schema(
        parameters=[CapacityScopeSerializer],
        responses={200: PersonWeeksSerializer(many=True), **ERRORS},
        description="The capacity heat map: active people (filtered by portfolio, department, role, or "
        "work on a program / project in the window: an allocation, or a schedule assignment that loads "
        "them where no allocation covers it) x weeks, paginated by people.",
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def capacity(self, request):
        scope = _params(CapacityScopeSerializer, request)
        user = request.user
        mondays, first, last = selectors.window(scope.get("start"), scope["weeks"])
        people = selectors.people_for_capacity(
            user=user,
            portfolio=_visible(Portfolio, user, scope.get("portfolio")),
            department=scope.get("department", ""),
            role=_visible(Role, user, scope.get("role")),
            program=_visible(Program, user, scope.get("program")),
            project=_visible(Project, user, scope.get("project")),
            first=first,
            last=last,
        )
        page = self.paginate_queryset(people)
        loads = selectors.utilisation(page, start=first, weeks=len(mondays))
        return self.get_paginated_response(PersonWeeksSerializer(loads, many=True).data)


def _visible(model, user, pk):
    """The row `pk` of `model` if the user may see it; None for no pk; 404 otherwise."""
    if pk is None:
        return None
    return get_object_or_404(model.objects.visible_to(user), pk=pk)


@versioned_schema(CostRateSerializer)
class CostRateViewSet(_StaffingViewSet):
    """Hourly cost rates of people, with effective dates: only for the resource managers and finance
    analysts of the portfolio (others get 404)."""

    model = CostRate
    serializer_class = CostRateSerializer
    filterset_class = CostRateFilterSet
    ordering_fields = ["effective_from", "hourly_rate", "updated_at"]

    def get_queryset(self):
        return selectors.cost_rate_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        person = data.pop("person")
        if not selectors.may_see_rates(self.request.user, person.portfolio_id):
            raise exceptions.PermissionDenied(RATE_EDIT_DENIED)
        return services.cost_rate_set(actor=self.request.user, person=person, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.cost_rate_update(
            actor=self.request.user,
            cost_rate=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.cost_rate_delete(actor=self.request.user, cost_rate=instance, expected_version=expected_version)


@versioned_schema(AbsenceSerializer)
class AbsenceViewSet(_StaffingViewSet):
    """Holidays, leave and training of the people you can see."""

    model = Absence
    serializer_class = AbsenceSerializer
    filterset_class = AbsenceFilterSet
    search_fields = ["note", "person__name"]
    ordering_fields = ["start", "end", "updated_at"]

    def get_queryset(self):
        return selectors.absence_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Person.objects.editable_by(self.request.user), data["person"], POOL_EDIT_DENIED)
        return services.absence_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.absence_update(
            actor=self.request.user,
            absence=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.absence_delete(actor=self.request.user, absence=instance, expected_version=expected_version)


@versioned_schema(AllocationSerializer)
class AllocationViewSet(_StaffingViewSet):
    """Allocations on the projects you can see."""

    model = Allocation
    serializer_class = AllocationSerializer
    filterset_class = AllocationFilterSet
    search_fields = ["person__name", "project__code", "role__name", "notes"]
    ordering_fields = ["start", "end", "person__name", "project__code", "updated_at"]

    def get_queryset(self):
        return selectors.allocation_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(staffing_projects(self.request.user), data["project"], STAFFING_EDIT_DENIED)
        return services.allocation_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.allocation_update(
            actor=self.request.user,
            allocation=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.allocation_delete(actor=self.request.user, allocation=instance, expected_version=expected_version)

    @extend_schema(
        parameters=[ConflictScopeSerializer],
        responses={200: OpenApiResponse(description="Paginated over-allocations, worst first."), **ERRORS},
        description="Over-allocated people in the window: the weeks where load exceeds capacity and the "
        "allocations involved (`assignment_hours`: the part of those weeks' load from schedule assignments no "
        "allocation covers). Scope by exactly one of `portfolio`, `program` or `project` (people allocated or "
        "assigned to them; 400 without one); load always counts all of a person's work.",
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def conflicts(self, request):
        scope = _params(ConflictScopeSerializer, request)
        user = request.user
        mondays, first, last = selectors.window(scope.get("start"), scope["weeks"])
        people = selectors.people_for_capacity(
            user=user,
            portfolio=_visible(Portfolio, user, scope.get("portfolio")),
            program=_visible(Program, user, scope.get("program")),
            project=_visible(Project, user, scope.get("project")),
            first=first,
            last=last,
        )
        found = selectors.conflicts(people, start=first, weeks=len(mondays))
        page = self.paginate_queryset(found)
        visible = selectors.visible_project_ids(user, {a.project_id for c in page for a in c.allocations})
        rows = [
            {
                "person": c.person.pk,
                "name": c.person.name,
                "excess_hours": _d(c.excess_hours),
                "assignment_hours": _d(c.assignment_hours),
                "weeks": _week_rows(c.weeks),
                "allocations": [_allocation_row(a, visible) for a in c.allocations],
            }
            for c in page
        ]
        return self.get_paginated_response(rows)

    @extend_schema(
        parameters=[ProjectScopeSerializer],
        responses={200: LABOUR_FORECAST, **ERRORS},
        description="The project's labour cost still ahead (from the day after its status date, else today), "
        "by fiscal period, in the portfolio's base currency: allocation hours (and the remaining work of "
        "schedule assignments where no allocation covers it) x the person's rate (else "
        "the role's standard rate; the role's standard rate for people whose rate you may not see, see "
        "`rates_withheld`). Periods with a manual labour forecast keep it and are listed in `replaced`.",
    )
    @action(detail=False, methods=["get"], url_path="labour-forecast", filter_backends=[], pagination_class=None)
    def labour_forecast(self, request):
        scope = _params(ProjectScopeSerializer, request)
        project = get_object_or_404(
            Project.objects.visible_to(request.user).select_related("program__portfolio"), pk=scope["project"]
        )
        calendar = fiscal_calendar_for(portfolio=project.program.portfolio)
        # Money follows the reader's right to see rates (selectors.labour_forecasts_for).
        forecast = selectors.labour_forecast(
            project, calendar, rate_portfolios=selectors.rate_portfolios_of(request.user)
        )
        return Response(
            {
                "project": project.pk,
                "currency": forecast.currency,
                "from": forecast.from_day,
                "total": money_text(forecast.total),
                "total_hours": _d(forecast.total_hours),
                "unrated_hours": _d(forecast.unrated_hours),
                "assignment_hours": _d(forecast.total_assignment_hours),
                "rates_withheld": forecast.rates_withheld,
                "periods": [
                    {
                        "label": p.label,
                        "fiscal_year": p.fiscal_year,
                        "number": p.number,
                        "start": p.start,
                        "end": p.end,
                        "hours": _d(hours),
                        "amount": money_text(amount),
                    }
                    for p, hours, amount in forecast.rows()
                ],
                "replaced": [p.label for p in forecast.replaced],
            }
        )


@versioned_schema(StaffingRequestSerializer)
class StaffingRequestViewSet(_StaffingViewSet):
    """Staffing requests of the projects you can see. DELETE removes a mistaken request; POST
    …/cancel/ withdraws one and keeps it on record."""

    model = StaffingRequest
    serializer_class = StaffingRequestSerializer
    filterset_class = StaffingRequestFilterSet
    search_fields = ["project__code", "role__name", "notes"]
    ordering_fields = ["start", "end", "status", "project__code", "updated_at"]

    def get_queryset(self):
        return selectors.staffing_request_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(staffing_projects(self.request.user), data["project"], STAFFING_EDIT_DENIED)
        return services.staffing_request_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.staffing_request_update(
            actor=self.request.user,
            staffing_request=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.staffing_request_delete(
            actor=self.request.user, staffing_request=instance, expected_version=expected_version
        )

    @extend_schema(request=None, responses={200: StaffingRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        staffing_request = self.get_object()
        if not self.get_editable_queryset().filter(pk=staffing_request.pk).exists():
            raise exceptions.PermissionDenied(STAFFING_EDIT_DENIED)
        from core.api import parse_if_match

        updated = services.staffing_request_cancel(
            actor=request.user, staffing_request=staffing_request, expected_version=parse_if_match(request)
        )
        return self.respond_with(updated)

    @extend_schema(
        parameters=[GapScopeSerializer],
        responses={200: OpenApiResponse(description="Requested vs filled hours."), **ERRORS},
        description="Staffing gaps of a `program` (its projects you can see) or a `project`: requested vs "
        "filled hours and unfilled FTE per request, per role, per project and per (role, month). "
        "`current_from` (a date) keeps only requests ending on or after it.",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def gaps(self, request):
        scope = _params(GapScopeSerializer, request)
        user = request.user
        if "project" in scope:
            projects = Project.objects.visible_to(user).filter(pk=scope["project"])
            get_object_or_404(projects)
        else:
            program = _visible(Program, user, scope["program"])
            projects = Project.objects.visible_to(user).filter(program=program)
        gaps = selectors.staffing_gaps(projects, current_from=scope.get("current_from"))
        return Response(
            {
                "requested_hours": _d(gaps.requested_hours),
                "filled_hours": _d(gaps.filled_hours),
                "unfilled_fte": _d(gaps.unfilled_fte, 3),
                "by_role": [
                    {
                        "role": g.role.pk,
                        "role_name": g.role.name,
                        "requested_hours": _d(g.requested_hours),
                        "filled_hours": _d(g.filled_hours),
                        "gap_hours": _d(g.gap_hours),
                        "unfilled_fte": _d(g.unfilled_fte, 3),
                        "allocated_hours": _d(g.allocated_hours),
                    }
                    for g in gaps.by_role
                ],
                "by_project": [
                    {
                        "project": row["project"].pk,
                        "project_code": row["project"].code,
                        "requested_hours": _d(row["requested_hours"]),
                        "filled_hours": _d(row["filled_hours"]),
                        "gap_hours": _d(row["gap_hours"]),
                        "unfilled_fte": _d(row["unfilled_fte"], 3),
                    }
                    for row in gaps.by_project.values()
                ],
                "by_role_month": [
                    {
                        "role": row["role"].pk,
                        "role_name": row["role"].name,
                        "month": row["month"],
                        "requested_hours": _d(row["requested_hours"]),
                        "filled_hours": _d(row["filled_hours"]),
                    }
                    for row in gaps.by_role_month
                ],
                "requests": [
                    {
                        "id": g.request.pk,
                        "project_code": g.request.project.code,
                        "role_name": g.request.role.name,
                        "start": g.request.start,
                        "end": g.request.end,
                        "status": g.request.status,
                        "requested_hours": _d(g.requested_hours),
                        "filled_hours": _d(g.filled_hours),
                        "gap_hours": _d(g.gap_hours),
                        "unfilled_fte": _d(g.unfilled_fte, 3),
                    }
                    for g in gaps.requests
                ],
            }
        )


ROUTES: list[tuple] = [
    ("people", PersonViewSet, "person"),
    ("staffing-roles", RoleViewSet, "staffing-role"),
    ("cost-rates", CostRateViewSet, "cost-rate"),
    ("absences", AbsenceViewSet, "absence"),
    ("allocations", AllocationViewSet, "allocation"),
    ("staffing-requests", StaffingRequestViewSet, "staffing-request"),
]
