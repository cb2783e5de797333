"""Webhook reads for the pages and the API."""

from django.db.models import Count, Prefetch, Q

from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def subscriptions_for(user):
    """The subscriptions `user` manages, with their scope and delivery counts; one query."""
    return (
        WebhookSubscription.objects.visible_to(user)
        .select_related("portfolio", "program")
        .annotate(
            failed_count=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
            delivery_count=Count("deliveries"),
        )
        .order_by("name", "pk")
    )


def deliveries_of(subscription):
    """A subscription's deliveries, newest first, each with its attempts (two queries a page)."""
    return subscription.deliveries.order_by("-created_at", "-pk").prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
    )
