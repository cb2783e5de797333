from datetime import timedelta

import factory
from django.utils import timezone

from access.models import Invitation
from portfolio.roles import Role


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation; give it exactly one of portfolio, program or project."""

    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.TEAM_MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=72))
