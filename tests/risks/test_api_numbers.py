"""Risk money over the API: emv and residual emv are decimal strings with two places (they were
JSON floats), and exposure writes every amount the same way."""

import json
import re
from decimal import Decimal

import pytest
import yaml

from tests.factories.risks import MitigationActionFactory, RiskFactory

API = "/api/v1"
MONEY = re.compile(r"-?\d+\.\d{2}")
EXPOSURE_MONEY = ("emv", "residual_emv", "contingency_remaining", "management_remaining", "uncovered")

pytestmark = pytest.mark.django_db


def raw(response):
    """The body as JSON decodes it, floats and all (response.json() would too; this says why)."""
    return json.loads(response.content)


def test_risk_emv_and_residual_emv_are_strings_with_two_places(api_for, owner, project):
    risk = RiskFactory(
        project=project,
        probability=3,
        probability_percent=Decimal("33.33"),
        cost_impact=Decimal("1000.00"),
        residual_probability=1,
        residual_impact=2,
    )
    body = raw(api_for(owner).get(f"{API}/risks/{risk.pk}/"))
    assert (body["cost_impact"], body["emv"]) == ("1000.00", "333.30")
    assert body["residual_emv"] == "50.00"  # residual level 1 stands for 5 %
    listed = raw(api_for(owner).get(f"{API}/risks/", {"project": project.pk}))["results"][0]
    assert (listed["emv"], listed["residual_emv"]) == ("333.30", "50.00")
    history = raw(api_for(owner).get(f"{API}/risk-history/", {"risk": risk.pk}))["results"]
    assert all(MONEY.fullmatch(row["emv"]) for row in history)


def test_emv_is_rounded_to_the_money_places(api_for, owner, project):
    percent = Decimal("33.33")
    risk = RiskFactory(project=project, probability=3, probability_percent=percent, cost_impact=Decimal("10.01"))
    body = raw(api_for(owner).get(f"{API}/risks/{risk.pk}/"))
    assert body["emv"] == "3.34"  # 3.336333 at full precision


def test_mitigation_cost_is_a_string_with_two_places(api_for, owner, project):
    action = MitigationActionFactory(risk=RiskFactory(project=project), cost=Decimal("1500"))
    assert raw(api_for(owner).get(f"{API}/mitigation-actions/{action.pk}/"))["cost"] == "1500.00"


@pytest.mark.parametrize("scope", ["project", "program", "portfolio"])
def test_exposure_writes_every_amount_as_a_string_with_two_places(api_for, owner, project, scope):
    RiskFactory(project=project, probability=3, probability_percent=Decimal("33.33"), cost_impact=Decimal(1000))
    RiskFactory(program=project.program, probability=2, probability_percent=Decimal(12), cost_impact=Decimal("9.99"))
    scope_id = {"project": project.pk, "program": project.program_id, "portfolio": project.program.portfolio_id}
    response = api_for(owner).get(f"{API}/risks/exposure/", {scope: scope_id[scope]})
    assert response.status_code == 200, response.content
    body = raw(response)
    for row in [*body["rows"], body["total"]]:
        for name in EXPOSURE_MONEY:
            assert isinstance(row[name], str), name
            assert MONEY.fullmatch(row[name]), (name, row[name])
    if scope == "project":
        assert body["total"]["emv"] == "333.30"


def test_exposure_schema_documents_money_as_decimal_strings_with_two_places(client):
    schema = yaml.safe_load(client.get(f"{API}/schema/").content)["components"]["schemas"]
    for name in EXPOSURE_MONEY:
        field = schema["ExposureRow"]["properties"][name]
        assert (field["type"], field["format"], field["pattern"]) == ("string", "decimal", r"^-?\d+\.\d{2}$")
