"""/api/v1/webhooks/ and /api/v1/webhook-deliveries/: what the pages do, for integrators. Only
the subscriptions a user manages exist for them (404 otherwise)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.serializers import ErrorSerializer

from . import services
from .filters import WebhookDeliveryFilterSet, WebhookSubscriptionFilterSet
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from .serializers import (
    WebhookDeliverySerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionSerializer,
)


@extend_schema_view(
    create=extend_schema(
        responses={201: WebhookSubscriptionCreatedSerializer, 400: ErrorSerializer},
        description="Create a webhook on one portfolio or one program you manage. The response carries "
        "the signing secret, once.",
    ),
    update=extend_schema(responses={200: WebhookSubscriptionSerializer, 400: ErrorSerializer, 404: ErrorSerializer}),
    partial_update=extend_schema(
        responses={200: WebhookSubscriptionSerializer, 400: ErrorSerializer, 404: ErrorSerializer}
    ),
    destroy=extend_schema(responses={204: None, 404: ErrorSerializer}),
)
class WebhookSubscriptionViewSet(viewsets.ModelViewSet):
    """Webhooks of the portfolios (portfolio admins) and programs (program managers) you manage."""

    serializer_class = WebhookSubscriptionSerializer
    filterset_class = WebhookSubscriptionFilterSet
    search_fields = ["name", "url"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return WebhookSubscription.objects.visible_to(self.request.user).order_by("name", "pk")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription, secret = services.webhook_create(
            actor=request.user,
            name=data["name"],
            url=data["url"],
            events=data["events"],
            is_active=data.get("is_active", True),
            portfolio=data.get("portfolio"),
            program=data.get("program"),
        )
        subscription.secret = secret
        return Response(WebhookSubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in services.FIELDS}
        serializer.instance = services.webhook_update(
            actor=self.request.user, subscription=serializer.instance, data=data
        )

    def perform_destroy(self, instance):
        services.webhook_delete(actor=self.request.user, subscription=instance)

    @extend_schema(
        request=None,
        responses={200: WebhookSubscriptionCreatedSerializer, 404: ErrorSerializer},
        description="Make a new signing secret and return it, once. The previous secret keeps signing "
        "beside it for KEEL_WEBHOOK_SECRET_GRACE_HOURS.",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        subscription, secret = services.webhook_secret_rotate(actor=request.user, subscription=self.get_object())
        subscription.secret = secret
        return Response(WebhookSubscriptionCreatedSerializer(subscription).data)

    @extend_schema(
        request=None,
        responses={202: WebhookDeliverySerializer, 404: ErrorSerializer},
        description="Queue a signed `webhook.test` delivery; follow it at /webhook-deliveries/{id}/.",
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = services.webhook_send_test(actor=request.user, subscription=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log of the webhooks you manage: each event sent, with every attempt's request,
    response status, body excerpt, duration and error."""

    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilterSet
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return (
            WebhookDelivery.objects.visible_to(self.request.user)
            .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number")))
            .order_by("-created_at", "-pk")
        )


ROUTES = [
    ("webhooks", WebhookSubscriptionViewSet, "webhook"),
    ("webhook-deliveries", WebhookDeliveryViewSet, "webhook-delivery"),
]
