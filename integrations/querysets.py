"""Who manages webhooks: portfolio admins those of their portfolios (and of the programs in
them), program managers those of their programs. Everyone else sees none (404)."""

from django.db import models
from django.db.models import Q


class WebhookSubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Subscriptions the user manages; managing is seeing (no read-only access: a
        subscription's target URL and delivery log are for those who run the integration)."""
        from portfolio.models import Portfolio, Program

        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(portfolio__in=Portfolio.objects.editable_by(user).values("pk"))
            | Q(program__in=Program.objects.editable_by(user).values("pk"))
        )

    editable_by = visible_to


class WebhookDeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import WebhookSubscription

        return self.filter(subscription__in=WebhookSubscription.objects.visible_to(user).values("pk"))
