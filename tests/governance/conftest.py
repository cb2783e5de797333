"""Governance fixtures: money reference data and an API client factory."""

import pytest

from tests.budgets.money_setup import reference_data


@pytest.fixture
def ref(db):
    return reference_data()
