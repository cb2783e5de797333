"""Governance fixtures: money reference data and an API client factory."""

import pytest
from rest_framework.test import APIClient

from tests.budgets.money_setup import reference_data


@pytest.fixture
def ref(db):
    return reference_data()


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
