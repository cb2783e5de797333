"""API viewsets for portfolios, strategic objectives, programs and memberships.

Conventions (404 for what you cannot see, 403 for what you may not change, ETag/If-Match,
service-backed writes) are in core.api.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied

from core.api import (
    EditableObjectPermission,
    ServiceCreateMixin,
    VersionedModelViewSetMixin,
    require_editable,
    versioned_schema,
)
from core.serializers import ErrorSerializer
from projects.models import Project

from .filters import MembershipFilterSet, PortfolioFilterSet, ProgramFilterSet, StrategicObjectiveFilterSet
from .models import Membership, Portfolio, Program, ProgramObjective, StrategicObjective
from .querysets import sees_everything
from .selectors import portfolio_list, program_list_with_health
from .serializers import (
    MembershipSerializer,
    PortfolioSerializer,
    ProgramSerializer,
    StrategicObjectiveSerializer,
    objectives_visible_to,
)
from .services import (
    membership_create,
    membership_delete,
    objective_create,
    portfolio_create,
    program_create,
    program_update,
)

PORTFOLIO_CREATE_DENIED = "Only administrators may create portfolios."
PORTFOLIO_EDIT_DENIED = "You need the portfolio admin role on this portfolio."
PROGRAM_EDIT_DENIED = "You need the program manager role on this program (or portfolio admin on its portfolio)."


@versioned_schema(PortfolioSerializer)
class PortfolioViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Portfolios you hold a role in (or in something inside them). Only administrators create
    them; portfolio admins edit them. Detail responses carry an ETag; send it as If-Match."""

    serializer_class = PortfolioSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = PortfolioFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "created_at", "updated_at"]

    def get_queryset(self):
        return portfolio_list(user=self.request.user)  # visible_to(user), annotated

    def get_editable_queryset(self):
        return Portfolio.objects.editable_by(self.request.user)

    def create(self, request, *args, **kwargs):
        # Before validation: nobody but an administrator can hold a role on a new portfolio.
        if not sees_everything(request.user):
            raise PermissionDenied(PORTFOLIO_CREATE_DENIED)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        return portfolio_create(actor=self.request.user, **serializer.validated_data)


@versioned_schema(StrategicObjectiveSerializer)
class StrategicObjectiveViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Strategic objectives of the portfolios you can see; portfolio admins create and edit them."""

    serializer_class = StrategicObjectiveSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = StrategicObjectiveFilterSet
    search_fields = ["code", "title"]
    ordering_fields = ["code", "title", "created_at", "updated_at"]

    def get_queryset(self):
        return objectives_visible_to(StrategicObjective.objects.select_related("portfolio"), self.request.user)

    def get_editable_queryset(self):
        portfolios = Portfolio.objects.editable_by(self.request.user)
        return StrategicObjective.objects.filter(portfolio__in=portfolios.values("pk"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        require_editable(Portfolio.objects.editable_by(self.request.user), data["portfolio"], PORTFOLIO_EDIT_DENIED)
        return objective_create(actor=self.request.user, **data)


def _objective_pairs(links):
    return [(link["objective"], link["weight"]) for link in links]


@versioned_schema(ProgramSerializer)
class ProgramViewSet(VersionedModelViewSetMixin, viewsets.ModelViewSet):
    """Programs you can see, with their projects' reported health. Program managers (and portfolio
    admins) edit them; `objectives` sets the weighted strategic objectives in one go."""

    serializer_class = ProgramSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = ProgramFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "status", "start_date", "finish_date", "project_count", "updated_at"]

    def get_queryset(self):
        user = self.request.user
        links = ProgramObjective.objects.select_related("objective")
        programs = (
            Program.objects.visible_to(user)
            .select_related("sponsor")
            .prefetch_related(Prefetch("objective_links", queryset=links))
        )
        return program_list_with_health(user=user, queryset=programs)

    def get_editable_queryset(self):
        return Program.objects.editable_by(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        require_editable(Portfolio.objects.editable_by(self.request.user), data["portfolio"], PORTFOLIO_EDIT_DENIED)
        links = data.pop("objective_links", [])
        return program_create(actor=self.request.user, objectives=_objective_pairs(links), **data)

    def perform_versioned_update(self, serializer, *, expected_version):
        data = dict(serializer.validated_data)
        data.pop("portfolio", None)  # fixed after creation (validated as unchanged)
        links = data.pop("objective_links", None)
        return program_update(
            actor=self.request.user,
            program=serializer.instance,
            data=data,
            expected_version=expected_version,
            objectives=None if links is None else _objective_pairs(links),
        )


@extend_schema_view(
    create=extend_schema(responses={201: MembershipSerializer, 400: ErrorSerializer, 403: ErrorSerializer}),
    destroy=extend_schema(
        responses={204: OpenApiResponse(description="Removed."), 403: ErrorSerializer, 404: ErrorSerializer}
    ),
)
class MembershipViewSet(
    ServiceCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Roles on portfolios, programs and projects. A role is changed by removing it and
    granting another, so there is no update."""

    serializer_class = MembershipSerializer
    permission_classes = [EditableObjectPermission]
    filterset_class = MembershipFilterSet
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    ordering_fields = ["created_at", "role", "user__username"]

    def get_queryset(self):
        return Membership.objects.visible_to(self.request.user).select_related(
            "user", "portfolio", "program", "project"
        )

    def get_editable_queryset(self):
        return Membership.objects.editable_by(self.request.user)

    def create(self, request, *args, **kwargs):
        # Before validation: someone who manages no memberships anywhere gets 403, not a 400
        # about the person they named (who is checked against the requester's reach).
        user = request.user
        if not (
            sees_everything(user)
            or Portfolio.objects.editable_by(user).exists()
            or Program.objects.editable_by(user).exists()
        ):
            raise PermissionDenied(PROGRAM_EDIT_DENIED)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        user = self.request.user
        # The same rule as MembershipQuerySet.editable_by, for a row that does not exist yet.
        if data.get("portfolio"):
            require_editable(Portfolio.objects.editable_by(user), data["portfolio"], PORTFOLIO_EDIT_DENIED)
        elif data.get("program"):
            require_editable(Program.objects.editable_by(user), data["program"], PROGRAM_EDIT_DENIED)
        else:
            projects = Project.objects.filter(program__in=Program.objects.editable_by(user).values("pk"))
            require_editable(projects, data["project"], PROGRAM_EDIT_DENIED)
        return membership_create(actor=user, **data)

    def perform_destroy(self, instance):
        membership_delete(actor=self.request.user, membership=instance)
