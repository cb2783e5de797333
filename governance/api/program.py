"""The program registers: decisions, benefits and their measurements, OLAs. Visible with the
program (decisions: see DecisionQuerySet); edited by PROGRAM_EDITORS. Decisions are never deleted
(DELETE answers 405): mark one superseded instead."""

from rest_framework import viewsets

from core.api import EditableObjectPermission, VersionedModelViewSetMixin, require_editable, versioned_schema
from portfolio.models import Program

from .. import services
from ..filters import (
    BenefitFilterSet,
    BenefitMeasurementFilterSet,
    DecisionFilterSet,
    OperatingLevelAgreementFilterSet,
)
from ..models import Benefit, BenefitMeasurement, Decision, OperatingLevelAgreement
from ..selectors import benefit_list, benefit_measurement_list, decision_list, ola_list
from ..serializers import (
    BenefitMeasurementSerializer,
    BenefitSerializer,
    DecisionSerializer,
    OperatingLevelAgreementSerializer,
)
from ._common import NO_DELETE, PROGRAM_EDIT_DENIED


@versioned_schema(DecisionSerializer)
class DecisionViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """The decision log of the programs you can see."""

    serializer_class = DecisionSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = DecisionFilterSet
    search_fields = ["title", "decision"]
    ordering_fields = ["decided_on", "status", "title", "updated_at"]
    http_method_names = NO_DELETE

    def get_queryset(self):
        return decision_list(user=self.request.user).order_by("-decided_on", "-pk")

    def get_editable_queryset(self):
        return Decision.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Program.objects.editable_by(self.request.user), data["program"], PROGRAM_EDIT_DENIED)
        return services.decision_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.decision_update(
            actor=self.request.user,
            decision=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )


@versioned_schema(BenefitSerializer)
class BenefitViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """The benefits registers of the programs you can see, with latest actual and realisation %."""

    serializer_class = BenefitSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = BenefitFilterSet
    search_fields = ["name", "kpi"]
    ordering_fields = ["name", "status", "realisation_date", "updated_at"]

    def get_queryset(self):
        return benefit_list(user=self.request.user).order_by("program__code", "name", "pk")

    def get_editable_queryset(self):
        return Benefit.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Program.objects.editable_by(self.request.user), data["program"], PROGRAM_EDIT_DENIED)
        return services.benefit_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.benefit_update(
            actor=self.request.user,
            benefit=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )


@versioned_schema(BenefitMeasurementSerializer)
class BenefitMeasurementViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Actuals of the benefits you can see. POST records a day's value (replacing an earlier one
    for that day)."""

    serializer_class = BenefitMeasurementSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = BenefitMeasurementFilterSet
    ordering_fields = ["measured_on", "value"]

    def get_queryset(self):
        return benefit_measurement_list(user=self.request.user).order_by("benefit", "measured_on", "pk")

    def get_editable_queryset(self):
        return BenefitMeasurement.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Benefit.objects.editable_by(self.request.user), data["benefit"], PROGRAM_EDIT_DENIED)
        return services.benefit_measurement_record(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        return services.benefit_measurement_update(
            actor=self.request.user,
            measurement=serializer.instance,
            data=dict(serializer.validated_data),
            expected_version=expected_version,
        )


@versioned_schema(OperatingLevelAgreementSerializer)
class OperatingLevelAgreementViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Operating level agreements of the programs you can see, with their targets."""

    serializer_class = OperatingLevelAgreementSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = OperatingLevelAgreementFilterSet
    search_fields = ["service", "owner_name"]
    ordering_fields = ["review_date", "start_date", "service", "status", "updated_at"]

    def get_queryset(self):
        return ola_list(user=self.request.user).order_by("program__code", "review_date", "pk")

    def get_editable_queryset(self):
        return OperatingLevelAgreement.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Program.objects.editable_by(self.request.user), data["program"], PROGRAM_EDIT_DENIED)
        data["targets"] = [dict(t) for t in data.get("targets", [])]
        return services.ola_create(actor=self.request.user, **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        targets = data.pop("targets", None)
        return services.ola_update(
            actor=self.request.user,
            ola=serializer.instance,
            data=data,
            targets=None if targets is None else [dict(t) for t in targets],
            expected_version=expected_version,
        )
