"""Earned value over the API: money at exactly two places, indices at four, percentages and days
at two, rounded half to even from the full-precision figures (which the engine keeps)."""

import datetime as dt
import json
import re
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from rest_framework.test import APIClient

from budgets.selectors import project_evm
from tests.budgets.test_api_reports import fill
from tests.factories.budgets import CostEntryFactory

from .money_setup import reference_data

AS_OF = dt.date(2026, 2, 14)  # mid-period: planned value is prorated, so figures have many places
MONEY = ("bac", "pv", "ev", "ac", "sv", "cv", "eac", "eac_cpi", "eac_at_budget_rate", "eac_cpi_spi", "etc", "vac")
INDICES = ("spi", "cpi", "tcpi", "tcpi_eac", "spi_t")
TWO_PLACES = ("percent_complete", "percent_spent", "es", "at", "pd", "sv_t", "ieac_t")

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(project, member):
    ref = reference_data()
    fill(project, ref)
    CostEntryFactory(
        project=project, category=ref.labour, currency=ref.eur, amount=Decimal("0.07"), date=dt.date(2026, 2, 3)
    )
    client = APIClient()
    client.force_login(member)
    response = client.get(f"/api/v1/projects/{project.pk}/evm/", {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def test_evm_money_has_exactly_two_places(body):
    for name in MONEY:
        assert isinstance(body[name], str), name
        assert re.fullmatch(r"-?\d+\.\d{2}", body[name]), (name, body[name])


def test_evm_indices_have_four_places_and_percentages_and_days_two(body):
    for name in INDICES:
        assert re.fullmatch(r"-?\d+\.\d{4}", body[name]), (name, body[name])
    for name in TWO_PLACES:
        assert re.fullmatch(r"-?\d+\.\d{2}", body[name]), (name, body[name])


def test_evm_rounds_only_at_output_half_to_even(body, project):
    figures = project_evm(project=project, as_of=AS_OF).figures
    assert figures.ev.as_tuple().exponent < -2  # the engine keeps full precision
    assert body["ev"] == f"{figures.ev.quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):f}"
    assert body["cpi"] == f"{figures.cpi.quantize(Decimal('0.0001'), rounding=ROUND_HALF_EVEN):f}"
    assert body["sv"] == f"{(figures.ev - figures.pv).quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):f}"
