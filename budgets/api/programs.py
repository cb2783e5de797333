"""API viewsets for a program's money: lifecycle cost estimates and their lines, vendors and
contracts (conventions in core.api).

Everyone who sees a program reads them (a contract also those who see a project it serves);
PROGRAM_FINANCE_EDITORS on the program or its portfolio change them. The vendor register is
shared: people with a program-finance role anywhere maintain it.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import IntegerField
from rest_framework.response import Response

from core.api import (
    IF_MATCH_HEADER,
    EditableObjectPermission,
    PreconditionFailed,
    ServiceCreateMixin,
    VersionedModelViewSetMixin,
    parse_if_match,
    require_editable,
    versioned_schema,
)
from core.serializers import ErrorSerializer

from .. import services
from ..filters import ContractFilterSet, LifecycleCostEstimateFilterSet, LifecycleCostLineFilterSet, VendorFilterSet
from ..models import Contract, LifecycleCostEstimate, LifecycleCostLine, Vendor
from ..querysets import finance_programs
from ..selectors import (
    LCCE_OTHER_PROGRAM,
    contract_burn,
    contract_list,
    lcce_compare,
    lifecycle_estimate_list,
    vendor_list,
)
from ..serializers import (
    ContractBurnSerializer,
    ContractSecurityRequirementSerializer,
    ContractSerializer,
    LcceComparisonSerializer,
    LifecycleCostEstimateSerializer,
    LifecycleCostLineSerializer,
    NewVersionSerializer,
    VendorSerializer,
)
from ._common import (
    NO_DELETE,
    PROGRAM_FINANCE_EDIT_DENIED,
    VENDOR_EDIT_DENIED,
    ETagRetrieveMixin,
    as_of_param,
    may_manage_contracts,
    require,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
UNKNOWN_ESTIMATE = "No estimate you can see has the id {pk}."
AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="Count invoices dated on or before this day.")

# -- lifecycle cost estimates --------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        responses={201: LifecycleCostEstimateSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        description="A new, empty draft for the program, numbered after its latest version.",
    ),
    retrieve=extend_schema(responses={200: LifecycleCostEstimateSerializer, 404: ErrorSerializer}),
)
class LifecycleCostEstimateViewSet(
    ETagRetrieveMixin,
    ServiceCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Lifecycle cost estimates of the programs you can see, one row per version. Edit a draft's
    lines at /lifecycle-cost-lines/; approve it to freeze it; start a new version from any."""

    serializer_class = LifecycleCostEstimateSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = LifecycleCostEstimateFilterSet
    ordering_fields = ["number", "created_at", "approved_at"]

    def get_queryset(self):
        return lifecycle_estimate_list(user=self.request.user)

    def get_editable_queryset(self):
        return LifecycleCostEstimate.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(finance_programs(self.request.user), data["program"], PROGRAM_FINANCE_EDIT_DENIED)
        return services.lcce_create(actor=self.request.user, **data)

    @extend_schema(
        request=NewVersionSerializer,
        responses={201: LifecycleCostEstimateSerializer, **ERRORS},
        description="A new draft version of the program's estimate, starting as a copy of this one's lines.",
    )
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        estimate = self.get_object()
        serializer = NewVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = services.lcce_new_version(actor=request.user, estimate=estimate, **serializer.validated_data)
        return self.respond_with(new, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        parameters=[IF_MATCH_HEADER],
        responses={200: LifecycleCostEstimateSerializer, 412: ErrorSerializer, **ERRORS},
        description="Approve a draft: it is frozen from now on, with who approved it and when.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        estimate = self.get_object()
        expected = parse_if_match(request)
        if expected is not None and expected != estimate.version:
            raise PreconditionFailed()
        approved = services.lcce_approve(actor=request.user, estimate=estimate, expected_version=expected)
        return self.respond_with(approved)

    @extend_schema(
        parameters=[
            OpenApiParameter("with", OpenApiTypes.INT, required=True, description="The estimate to compare with.")
        ],
        responses={200: LcceComparisonSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description=(
            "This version and `with` side by side, line by line, in the portfolio's base currency. The "
            "older version is `left` and the newer `right` whichever is asked first; every `delta` is "
            "newer − older (named in `delta_label`), so a rise in cost is positive."
        ),
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def compare(self, request, pk=None):
        estimate = self.get_object()
        try:
            other_pk = IntegerField(min_value=1).run_validation(request.query_params.get("with"))
        except exceptions.ValidationError as error:
            raise exceptions.ValidationError({"with": error.detail}) from None
        other = self.get_queryset().filter(pk=other_pk).first()
        if other is None:
            raise exceptions.ValidationError({"with": UNKNOWN_ESTIMATE.format(pk=other_pk)})
        if other.program_id != estimate.program_id:
            raise exceptions.ValidationError({"with": LCCE_OTHER_PROGRAM})
        return Response(LcceComparisonSerializer(lcce_compare(left=estimate, right=other)).data)


@extend_schema_view(
    create=extend_schema(
        responses={
            201: OpenApiResponse(LifecycleCostLineSerializer, description="A line was added."),
            200: OpenApiResponse(LifecycleCostLineSerializer, description="The existing line was set."),
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
        description="Set a draft's amount for (phase, fiscal year, category), adding the line if needed.",
    ),
    retrieve=extend_schema(responses={200: LifecycleCostLineSerializer, 404: ErrorSerializer}),
    update=extend_schema(responses={200: LifecycleCostLineSerializer, **ERRORS}),
    partial_update=extend_schema(responses={200: LifecycleCostLineSerializer, **ERRORS}),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class LifecycleCostLineViewSet(ServiceCreateMixin, viewsets.ModelViewSet):
    """Lines of the estimates you can see. Only a draft's lines change (400 on `status` for an
    approved estimate); the phase, year and category of a line are its identity."""

    serializer_class = LifecycleCostLineSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = LifecycleCostLineFilterSet
    ordering_fields = ["phase", "fiscal_year", "amount", "category__code"]

    def get_queryset(self):
        return LifecycleCostLine.objects.visible_to(self.request.user).select_related("estimate", "category")

    def get_editable_queryset(self):
        return LifecycleCostLine.objects.editable_by(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        editable = LifecycleCostEstimate.objects.editable_by(request.user)
        require_editable(editable, data["estimate"], PROGRAM_FINANCE_EDIT_DENIED)
        key = {name: data[name] for name in ("estimate", "phase", "fiscal_year", "category")}
        existed = LifecycleCostLine.objects.filter(**key).exists()
        line = services.lcce_line_set(actor=request.user, **data)
        return self.respond_with(line, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        line, data = serializer.instance, serializer.validated_data
        serializer.instance = services.lcce_line_set(
            actor=self.request.user,
            estimate=line.estimate,
            phase=line.phase,
            fiscal_year=line.fiscal_year,
            category=line.category,
            amount=data.get("amount", line.amount),
            currency=data.get("currency", line.currency),
        )

    def perform_destroy(self, instance):
        services.lcce_line_delete(actor=self.request.user, line=instance)


# -- vendors and contracts -----------------------------------------------------------------------


@versioned_schema(VendorSerializer)
class VendorViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Suppliers and their supply-chain risk rating. People who manage contracts see and keep the
    whole register; others see the vendors of the contracts they can see."""

    serializer_class = VendorSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = VendorFilterSet
    http_method_names = NO_DELETE
    search_fields = ["name"]
    ordering_fields = ["name", "risk_rating"]

    def get_queryset(self):
        return vendor_list(user=self.request.user)

    def get_editable_queryset(self):
        return Vendor.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        require(may_manage_contracts(self.request.user), VENDOR_EDIT_DENIED)
        return services.vendor_create(actor=self.request.user, **serializer.validated_data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.vendor_update(
            actor=self.request.user,
            vendor=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )


@versioned_schema(ContractSerializer)
class ContractViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Contracts you can see: those of your programs and those serving your projects. Invoices
    against a contract are cost entries with source "invoice"; …/burn/ sums them."""

    serializer_class = ContractSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = ContractFilterSet
    http_method_names = NO_DELETE
    search_fields = ["number", "title", "vendor__name"]
    ordering_fields = ["number", "title", "ceiling", "obligated", "period_start", "period_end"]

    def get_queryset(self):
        return contract_list(user=self.request.user)

    def get_editable_queryset(self):
        return Contract.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(finance_programs(self.request.user), data["program"], PROGRAM_FINANCE_EDIT_DENIED)
        return services.contract_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        projects = data.pop("projects", None)
        if "program" in data and data["program"] != serializer.instance.program:
            require_editable(finance_programs(self.request.user), data["program"], PROGRAM_FINANCE_EDIT_DENIED)
        contract = services.contract_update(
            actor=self.request.user, contract=serializer.instance, data=data, expected_version=expected_version
        )
        if projects is not None:
            contract = services.contract_projects_set(actor=self.request.user, contract=contract, projects=projects)
        return contract

    @extend_schema(
        parameters=[AS_OF],
        responses={200: ContractBurnSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="Invoiced against obligated and ceiling, in the contract's currency.",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def burn(self, request, pk=None):
        contract = self.get_object()
        burn = contract_burn(contracts=Contract.objects.filter(pk=contract.pk), as_of=as_of_param(request))[0]
        return Response(ContractBurnSerializer(burn).data)

    @extend_schema(
        methods=["GET"],
        responses={200: ContractSecurityRequirementSerializer(many=True), 404: ErrorSerializer},
        description="The contract's information-security checklist.",
    )
    @extend_schema(
        methods=["POST"],
        request=ContractSecurityRequirementSerializer,
        responses={
            201: OpenApiResponse(ContractSecurityRequirementSerializer, description="Added to the checklist."),
            200: OpenApiResponse(ContractSecurityRequirementSerializer, description="Its status was updated."),
            **ERRORS,
        },
        description="Add a requirement to the checklist, or update the status of one it lists.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="security-requirements",
        serializer_class=ContractSecurityRequirementSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def security_requirements(self, request, pk=None):
        contract = self.get_object()
        if request.method == "GET":
            items = contract.security_requirements.all()
            return Response(self.get_serializer(items, many=True).data)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = contract.security_requirements.filter(requirement=data["requirement"]).exists()
        item = services.contract_security_requirement_set(
            actor=request.user,
            contract=contract,
            requirement=data["requirement"],
            status=data.get("status", "not_started"),
            notes=data.get("notes", ""),
        )
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(self.get_serializer(item).data, status=code)
