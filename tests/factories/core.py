import factory

from core.models import Notification

from .users import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = Notification.Kind.HEALTH_RED
    title = factory.Sequence(lambda n: f"Alert {n}")
    url = "/projects/"
