"""API viewsets for a project's money — budget lines, actual costs, forecasts — and reserve
drawdowns (conventions in core.api).

Everyone who sees a project reads its money; FINANCE_EDITORS held on the project, its program or
its portfolio change it (403 for the others, 404 for those who cannot see the project). Every
write goes through budgets.services; updates and deletes honour If-Match.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import (
    EditableObjectPermission,
    ServiceCreateMixin,
    VersionedModelViewSetMixin,
    require_editable,
    versioned_schema,
)
from core.bulk import BulkActionMixin, bulk_schema
from core.serializers import ErrorSerializer

from .. import services
from ..filters import BudgetLineFilterSet, CostEntryFilterSet, ForecastFilterSet, ReserveTransactionFilterSet
from ..models import BudgetLine, CostEntry, Forecast
from ..querysets import finance_programs, finance_projects
from ..selectors import budget_line_list, cost_entry_list, forecast_list, reserve_transaction_list
from ..serializers import (
    BudgetLineSerializer,
    BudgetOriginalSerializer,
    CostEntrySerializer,
    ForecastSerializer,
    ReserveTransactionSerializer,
)
from ._common import FINANCE_EDIT_DENIED, PROGRAM_FINANCE_EDIT_DENIED, VersionedServiceDestroyMixin

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@versioned_schema(BudgetLineSerializer)
class BudgetLineViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Time-phased budget lines of the projects you can see: one per project, category, fiscal
    period and budget version (original baseline or current approved)."""

    serializer_class = BudgetLineSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = BudgetLineFilterSet
    search_fields = ["project__code", "category__code", "notes"]
    ordering_fields = ["period__start", "amount", "project__code", "category__code", "updated_at"]

    def get_queryset(self):
        return budget_line_list(user=self.request.user)

    def get_editable_queryset(self):
        return BudgetLine.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(finance_projects(self.request.user), data["project"], FINANCE_EDIT_DENIED)
        return services.budget_line_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)  # fixed after creation (validated as unchanged)
        return services.budget_line_update(
            actor=self.request.user, budget_line=serializer.instance, data=data, expected_version=expected_version
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.budget_line_delete(actor=self.request.user, budget_line=instance, expected_version=expected_version)

    @extend_schema(
        request=BudgetOriginalSerializer,
        responses={201: BudgetLineSerializer(many=True), **ERRORS},
        description="Copy the project's current budget into its original baseline (the budget as first "
        "approved). Refused when an original exists, unless `replace` (a formal re-baseline).",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="copy-to-original",
        serializer_class=BudgetOriginalSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def copy_to_original(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = serializer.validated_data["project"]
        require_editable(finance_projects(request.user), project, FINANCE_EDIT_DENIED)
        lines = services.budget_original_set(
            actor=request.user, project=project, replace=serializer.validated_data["replace"]
        )
        lines = self.get_queryset().filter(pk__in=[line.pk for line in lines])
        return Response(BudgetLineSerializer(lines, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    bulk=bulk_schema(
        name="CostEntry",
        row_serializer=CostEntrySerializer,
        result_serializer=CostEntrySerializer,
        description=(
            "Record many actual costs at once: a JSON array of cost entries, or CSV with a header "
            "row of the same field names (Content-Type: text/csv). All or nothing: any bad row "
            "answers 400 (403 for a project you may not change) naming its index and field, and "
            "nothing is written. Up to KEEL_BULK_MAX_ROWS rows and KEEL_BULK_MAX_BYTES bytes (413). "
            "With an Idempotency-Key header, a retry with the same body replays the first answer "
            "(Idempotent-Replayed: true) and a different body under the same key answers 422."
        ),
    )
)
@versioned_schema(CostEntrySerializer)
class CostEntryViewSet(
    BulkActionMixin, VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet
):
    """Actual costs of the projects you can see. An invoice (source "invoice") is recorded
    against its contract, which must serve the project. Many at once: POST /cost-entries/bulk/
    (JSON array or CSV, all or nothing, idempotent under Idempotency-Key); ledger files go
    through /imports/."""

    def bulk_prepare(self, index, row):
        return self.get_serializer(data=row)

    def bulk_write(self, index, serializer):
        return self.perform_create(serializer)  # the single create's access check and service

    serializer_class = CostEntrySerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = CostEntryFilterSet
    search_fields = ["description", "external_ref", "project__code"]
    ordering_fields = ["date", "amount", "project__code", "category__code", "source", "updated_at"]

    def get_queryset(self):
        return cost_entry_list(user=self.request.user)

    def get_editable_queryset(self):
        return CostEntry.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(finance_projects(self.request.user), data["project"], FINANCE_EDIT_DENIED)
        if data.get("source") == CostEntry.Source.INVOICE:
            return services.invoice_record(
                actor=self.request.user,
                contract=data["contract"],
                project=data["project"],
                category=data["category"],
                date=data["date"],
                amount=data["amount"],
                external_ref=data.get("external_ref", ""),
                currency=data.get("currency"),
                description=data.get("description", ""),
            )
        return services.cost_entry_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)  # fixed after creation (validated as unchanged)
        return services.cost_entry_update(
            actor=self.request.user, cost_entry=serializer.instance, data=data, expected_version=expected_version
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.cost_entry_delete(actor=self.request.user, cost_entry=instance, expected_version=expected_version)


@versioned_schema(ForecastSerializer)
class ForecastViewSet(VersionedServiceDestroyMixin, VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Forecasts (ETC) of the projects you can see: one per project, category and fiscal period."""

    serializer_class = ForecastSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = ForecastFilterSet
    search_fields = ["project__code", "category__code", "notes"]
    ordering_fields = ["period__start", "amount", "project__code", "category__code", "updated_at"]

    def get_queryset(self):
        return forecast_list(user=self.request.user)

    def get_editable_queryset(self):
        return Forecast.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(finance_projects(self.request.user), data["project"], FINANCE_EDIT_DENIED)
        return services.forecast_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("project", None)  # fixed after creation (validated as unchanged)
        return services.forecast_update(
            actor=self.request.user, forecast=serializer.instance, data=data, expected_version=expected_version
        )

    def perform_versioned_destroy(self, instance, *, expected_version):
        services.forecast_delete(actor=self.request.user, forecast=instance, expected_version=expected_version)


@extend_schema_view(
    create=extend_schema(
        responses={
            201: ReserveTransactionSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid, or it would overdraw the reserve."),
            403: ErrorSerializer,
        },
        description="Draw down a project's or a program's contingency or management reserve (exactly one of "
        "`project` / `program`). Refused with 400 on `amount` when it would overdraw what remains.",
    ),
    retrieve=extend_schema(responses={200: ReserveTransactionSerializer, 404: ErrorSerializer}),
)
class ReserveTransactionViewSet(
    ServiceCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The reserve drawdown log of the projects and programs you can see. Drawdowns are created
    and read, never changed or deleted (PUT, PATCH and DELETE answer 405)."""

    serializer_class = ReserveTransactionSerializer
    filterset_class = ReserveTransactionFilterSet
    search_fields = ["reason"]
    ordering_fields = ["at", "amount"]

    def get_queryset(self):
        return reserve_transaction_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        user = self.request.user
        project, program = data.pop("project", None), data.pop("program", None)
        if project is not None:
            require_editable(finance_projects(user), project, FINANCE_EDIT_DENIED)
        else:
            require_editable(finance_programs(user), program, PROGRAM_FINANCE_EDIT_DENIED)
        return services.reserve_drawdown(actor=user, project=project, program=program, **data)
