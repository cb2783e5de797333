import django_filters

from core import events

from .models import WebhookDelivery, WebhookSubscription


class WebhookSubscriptionFilterSet(django_filters.FilterSet):
    class Meta:
        model = WebhookSubscription
        fields = ["portfolio", "program", "is_active"]


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    event = django_filters.ChoiceFilter(choices=[*events.KINDS.items(), ("webhook.test", "Test")])

    class Meta:
        model = WebhookDelivery
        fields = ["subscription", "status", "event", "is_test"]
