"""API of user administration: /users/ (the people in the portfolios you administer, with
deactivate/reactivate) and /invitations/. Roles themselves are /memberships/ (portfolio.api).
People outside your portfolios are 404, as for every other object."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.serializers import ErrorSerializer

from . import selectors, services
from .serializers import AdministeredUserSerializer, InvitationSerializer


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """People holding a role in a portfolio you administer (everyone, for a superuser); the list
    is empty for anyone who administers no portfolio."""

    serializer_class = AdministeredUserSerializer
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "last_login", "date_joined"]
    filterset_fields = ["is_active"]

    def get_queryset(self):
        user = self.request.user
        memberships = selectors.administered_memberships(user).select_related("portfolio", "program", "project", "sso")
        return (
            selectors.administrable_users(user)
            .prefetch_related(Prefetch("memberships", queryset=memberships, to_attr="administered"))
            .order_by("username")
        )

    def _change(self, request, service):
        person = self.get_object()
        service(actor=request.user, person=person)
        return Response(self.get_serializer(self.get_queryset().get(pk=person.pk)).data)

    @extend_schema(
        request=None,
        responses={200: AdministeredUserSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="Deactivate the account: no sign-in, sessions end, API tokens refused. Roles are kept.",
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        return self._change(request, services.user_deactivate)

    @extend_schema(
        request=None, responses={200: AdministeredUserSerializer, 400: ErrorSerializer, 404: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._change(request, services.user_reactivate)


@extend_schema_view(
    create=extend_schema(responses={201: InvitationSerializer, 400: ErrorSerializer}),
    destroy=extend_schema(
        responses={204: OpenApiResponse(description="Withdrawn: the link stops working."), 404: ErrorSerializer}
    ),
)
class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations to the portfolios you administer. Creating one e-mails the link; deleting
    withdraws it (it stays listed with `revoked_at`)."""

    serializer_class = InvitationSerializer
    filterset_fields = ["email", "role", "portfolio", "program", "project"]
    ordering_fields = ["created_at", "expires_at", "email"]

    def get_queryset(self):
        return (
            selectors.administered_invitations(self.request.user)
            .select_related("portfolio", "program", "project", "invited_by")
            .order_by("-created_at", "-pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation = services.invitation_create(
            actor=request.user, email=data["email"], role=data["role"], scope=data["scope"]
        )
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.invitation_revoke(actor=self.request.user, invitation=instance)
