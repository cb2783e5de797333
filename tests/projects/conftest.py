"""API fixtures: `api_for(user)` is a DRF test client signed in as `user` (None: anonymous),
and `portfolio_admin` holds the portfolio admin role on the cast's portfolio."""

import pytest
from rest_framework.test import APIClient

from portfolio.models import Membership
from tests.factories.portfolio import MembershipFactory
from tests.factories.users import UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The cast's passwords are hashed at set-up; the production hasher costs ~0.5 s a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_for():
    def make(user=None, **kwargs) -> APIClient:
        client = APIClient(**kwargs)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def portfolio_admin(portfolio):
    user = UserFactory(username="padmin")
    MembershipFactory(user=user, role=Membership.Role.PORTFOLIO_ADMIN, portfolio=portfolio)
    return user
