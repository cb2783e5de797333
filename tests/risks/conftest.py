"""Fixtures of the risks tests: an API client maker and a second project in the cast's program."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.factories.projects import ProjectFactory


@pytest.fixture
def api_for():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def other_project(program):
    """A second project of MOD that the cast's project manager and member do not belong to."""
    return ProjectFactory(
        program=program,
        code="MOD-CRM",
        name="CRM",
        contingency_reserve=Decimal("50000"),
        management_reserve=Decimal("0"),
    )
