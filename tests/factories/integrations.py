import factory

from integrations.models import WebhookSubscription

from .portfolio import PortfolioFactory


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    """A subscription built directly (no URL check): use integrations.services.webhook_create to
    go through the SSRF checks."""

    class Meta:
        model = WebhookSubscription

    portfolio = factory.SubFactory(PortfolioFactory)
    program = None
    name = factory.Sequence(lambda n: f"Hook {n}")
    url = "https://hooks.example.com/keel"
    events = factory.LazyFunction(lambda: ["status_report.submitted"])
    secret = factory.Sequence(lambda n: f"whsec_{n:048d}")
    secret_prefix = factory.LazyAttribute(lambda o: o.secret[6:14])
