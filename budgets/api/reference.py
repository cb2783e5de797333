"""API viewsets for finance reference data: currencies, exchange rates, cost categories, fiscal
calendars and their periods. Everyone signed in reads them; portfolio admins and finance
analysts maintain them (a portfolio's own calendar: those roles on that portfolio)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import EditableObjectPermission, ServiceCreateMixin, VersionedModelViewSetMixin, versioned_schema
from core.serializers import ErrorSerializer
from portfolio.querysets import memberships_of, scope_ids, sees_everything
from portfolio.roles import REFERENCE_DATA_EDITORS

from .. import services
from ..filters import (
    CostCategoryFilterSet,
    CurrencyFilterSet,
    ExchangeRateFilterSet,
    FiscalCalendarFilterSet,
    FiscalPeriodFilterSet,
)
from ..models import CostCategory, Currency, ExchangeRate, FiscalCalendar, FiscalPeriod
from ..selectors import cost_category_list, currency_list, exchange_rate_list, fiscal_calendar_list
from ..serializers import (
    CostCategorySerializer,
    CurrencySerializer,
    ExchangeRateSerializer,
    FiscalCalendarSerializer,
    FiscalPeriodSerializer,
    GeneratePeriodsSerializer,
)
from ._common import NO_DELETE, REFERENCE_EDIT_DENIED, may_edit_reference_data, require

PORTFOLIO_CALENDAR_DENIED = "You need the portfolio admin or finance analyst role on this portfolio."
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    create=extend_schema(responses={201: CurrencySerializer, 400: ErrorSerializer, 403: ErrorSerializer}),
    retrieve=extend_schema(responses={200: CurrencySerializer, 404: ErrorSerializer}),
    update=extend_schema(responses={200: CurrencySerializer, **ERRORS}),
    partial_update=extend_schema(responses={200: CurrencySerializer, **ERRORS}),
)
class CurrencyViewSet(
    ServiceCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """ISO 4217 currencies, addressed by code (/currencies/EUR/). A code never changes; a
    currency in use cannot be removed, so there is no DELETE."""

    serializer_class = CurrencySerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = CurrencyFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{3}"

    def get_queryset(self):
        return currency_list(user=self.request.user)

    def get_editable_queryset(self):
        return Currency.objects.editable_by(self.request.user)

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()

    def perform_create(self, serializer):
        require(may_edit_reference_data(self.request.user), REFERENCE_EDIT_DENIED)
        return services.currency_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("code", None)  # validated as unchanged
        serializer.instance = services.currency_update(actor=self.request.user, currency=serializer.instance, data=data)


@versioned_schema(ExchangeRateSerializer)
class ExchangeRateViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Dated exchange rates. A conversion on a day uses the newest rate of the pair on or before
    it, in either direction (budgets.selectors.rates)."""

    serializer_class = ExchangeRateSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = ExchangeRateFilterSet
    http_method_names = NO_DELETE
    ordering_fields = ["valid_on", "from_currency", "to_currency", "rate"]

    def get_queryset(self):
        return exchange_rate_list(user=self.request.user)

    def get_editable_queryset(self):
        return ExchangeRate.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        require(may_edit_reference_data(self.request.user), REFERENCE_EDIT_DENIED)
        return services.exchange_rate_create(actor=self.request.user, **serializer.validated_data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.exchange_rate_update(
            actor=self.request.user,
            exchange_rate=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )


@versioned_schema(CostCategorySerializer)
class CostCategoryViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """What money is spent on: capex or opex, and a kind (labour, materials, contracts …)."""

    serializer_class = CostCategorySerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = CostCategoryFilterSet
    http_method_names = NO_DELETE
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "expense_type", "kind"]

    def get_queryset(self):
        return cost_category_list(user=self.request.user)

    def get_editable_queryset(self):
        return CostCategory.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        require(may_edit_reference_data(self.request.user), REFERENCE_EDIT_DENIED)
        return services.cost_category_create(actor=self.request.user, **serializer.validated_data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.cost_category_update(
            actor=self.request.user,
            category=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )


@versioned_schema(FiscalCalendarSerializer)
class FiscalCalendarViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Fiscal calendars: shared ones and those of the portfolios you can see. Their stored
    periods are at /fiscal-periods/?calendar=<id>; POST …/generate-periods/ adds whole years."""

    serializer_class = FiscalCalendarSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = FiscalCalendarFilterSet
    http_method_names = NO_DELETE
    search_fields = ["name"]
    ordering_fields = ["name", "start_month", "created_at"]

    def get_queryset(self):
        return fiscal_calendar_list(user=self.request.user)

    def get_editable_queryset(self):
        return FiscalCalendar.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        user = self.request.user
        portfolio = data.get("portfolio")
        if portfolio is None:
            require(may_edit_reference_data(user), REFERENCE_EDIT_DENIED)
        else:
            own = scope_ids(memberships_of(user, REFERENCE_DATA_EDITORS), "portfolio_id")
            require(sees_everything(user) or own.filter(portfolio_id=portfolio.pk).exists(), PORTFOLIO_CALENDAR_DENIED)
        return services.fiscal_calendar_create(actor=user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("portfolio", None)  # fixed after creation (validated as unchanged)
        return services.fiscal_calendar_update(
            actor=self.request.user, calendar=serializer.instance, data=data, expected_version=expected_version
        )

    @extend_schema(
        request=GeneratePeriodsSerializer,
        responses={201: FiscalPeriodSerializer(many=True), **ERRORS},
        description="Store the twelve periods of each fiscal year from `first_year` to `last_year`. Idempotent: "
        "periods that exist are kept. Returns every period of those years.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="generate-periods",
        serializer_class=GeneratePeriodsSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def generate_periods(self, request, pk=None):
        calendar = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        periods = services.fiscal_periods_generate(actor=request.user, calendar=calendar, **serializer.validated_data)
        return Response(FiscalPeriodSerializer(periods, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(retrieve=extend_schema(responses={200: FiscalPeriodSerializer, 404: ErrorSerializer}))
class FiscalPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """The stored periods of the calendars you can see (generate them on the calendar)."""

    serializer_class = FiscalPeriodSerializer
    filterset_class = FiscalPeriodFilterSet
    ordering_fields = ["start", "fiscal_year", "number"]

    def get_queryset(self):
        return FiscalPeriod.objects.visible_to(self.request.user)
