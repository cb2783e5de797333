"""How the API writes numbers: money is a decimal string with exactly the money places, indices
(CPI, SPI, ...) and percentages have fixed places, nothing is a JSON float, and the schema says so.

The walk reads every GET endpoint of the schema (lists, details and computed actions) over the
small demo and checks each value against the schema's pattern for it, plus the money fields by
name, so a figure the schema forgets is still caught."""

import itertools
import json
import re
from decimal import Decimal

import pytest
import yaml
from django.contrib.auth import get_user_model
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from budgets.models import LifecycleCostEstimate
from core.serializers import MoneyField, RatioField, decimal_text, money_text
from demo.seed import demo_seed
from portfolio.models import Portfolio, Program
from projects.models import Project

MONEY = re.compile(r"-?\d+\.\d{2}")
MONEY_PATTERN = r"^-?\d+\.\d{2}$"
INDEX_PATTERN = r"^-?\d+\.\d{4}$"
# Money by name wherever it appears (a computed answer may not be documented field by field).
MONEY_KEYS = {
    "amount",
    "amount_delta",
    "cost",
    "cost_impact",
    "emv",
    "residual_emv",
    "reserve_amount",
    "contingency_reserve",
    "contingency_remaining",
    "management_remaining",
    "uncovered",
    "ceiling",
    "obligated",
    "invoiced",
    "remaining_obligation",
    "unobligated_ceiling",
    "hourly_rate",
    "standard_rate",
    "current_rate",
    "bac",
    "pv",
    "ev",
    "ac",
    "sv",
    "cv",
    "eac",
    "etc",
    "vac",
    "task_budget",
    "original",
    "budget",
    "actual",
    "forecast",
    "variance",
    "left",
    "right",
    "delta",
    "left_total",
    "right_total",
    "value",
}
# Where a money name means something else: an id, a period count, a benefit's KPI value.
NOT_MONEY = {
    ("/api/v1/lifecycle-cost-estimates/{id}/compare/", "left"),
    ("/api/v1/lifecycle-cost-estimates/{id}/compare/", "right"),
    ("/api/v1/benefit-measurements/", "value"),
    ("/api/v1/benefit-measurements/{id}/", "value"),
    # Planning: a pairwise judgement's Saaty value and an entered criterion value (4 places).
    ("/api/v1/pairwise-judgements/", "value"),
    ("/api/v1/pairwise-judgements/{id}/", "value"),
    ("/api/v1/criterion-values/", "value"),
    ("/api/v1/criterion-values/{id}/", "value"),
    # The audit log records any field named `value` (a judgement, a benefit's KPI) as it was.
    ("/api/v1/audit-entries/", "value"),
}
# Money under a name that is money only there.
MONEY_KEYS_AT = {"/api/v1/allocations/labour-forecast/": {"total"}}
COMPUTED = [
    "/api/v1/projects/{id}/evm/",
    "/api/v1/programs/{id}/evm/",
    "/api/v1/projects/{id}/s-curve/",
    "/api/v1/programs/{id}/budget-by-period/",
    "/api/v1/risks/exposure/",
    "/api/v1/lifecycle-cost-estimates/{id}/compare/",
    "/api/v1/contracts/{id}/burn/",
    "/api/v1/allocations/labour-forecast/",
]
LISTS_WITH_MONEY = [
    "/api/v1/budget-lines/",
    "/api/v1/cost-entries/",
    "/api/v1/forecasts/",
    "/api/v1/reserve-transactions/",
    "/api/v1/contracts/",
    "/api/v1/risks/",
    "/api/v1/mitigation-actions/",
    "/api/v1/change-requests/",
    "/api/v1/change-request-lines/",
    "/api/v1/cost-rates/",
    "/api/v1/staffing-roles/",
    "/api/v1/programs/",
    "/api/v1/tasks/",
    "/api/v1/lifecycle-cost-lines/",
]


def floats_in(body, where=""):
    """Every JSON float in a decoded body, as (path, value)."""
    if isinstance(body, float):
        return [(where, body)]
    if isinstance(body, dict):
        return [hit for key, value in body.items() for hit in floats_in(value, f"{where}.{key}")]
    if isinstance(body, list):
        return [hit for item in body for hit in floats_in(item, f"{where}[]")]
    return []


class Walk:
    """Reads responses against the schema; collects what does not match."""

    def __init__(self, schema):
        self.components = schema["components"]["schemas"]
        self.problems: list[str] = []
        self.money_checked: dict[str, int] = {}

    def resolve(self, schema):
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
        if "allOf" in schema:
            merged = {}
            for part in schema["allOf"]:
                merged.update(self.resolve(part))
            merged.update({k: v for k, v in schema.items() if k != "allOf"})
            return merged
        return schema

    def check(self, path, body, schema, where="", key=None):
        schema = self.resolve(schema) if schema else {}
        if isinstance(body, dict):
            properties = schema.get("properties", {})
            for name, value in body.items():
                self.check(path, value, properties.get(name), f"{where}.{name}", name)
        elif isinstance(body, list):
            for item in body:
                self.check(path, item, schema.get("items"), f"{where}[]", key)
        elif body is not None:
            pattern = schema.get("pattern") if schema.get("format") == "decimal" else None
            if pattern and not re.search(pattern, body):
                self.problems.append(f"{path} {where}: {body!r} does not match {pattern}")
            named = key in MONEY_KEYS | MONEY_KEYS_AT.get(path, set()) and (path, key) not in NOT_MONEY
            money = pattern == MONEY_PATTERN or named
            if money:
                if not (isinstance(body, str) and MONEY.fullmatch(body)):
                    self.problems.append(f"{path} {where}: money {body!r} is not a string with two places")
                self.money_checked[path] = self.money_checked.get(path, 0) + 1


def response_schema(operation):
    content = operation["responses"].get("200", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


@pytest.mark.django_db
def test_every_money_value_in_the_api_is_a_string_with_two_places_and_nothing_is_a_float():
    demo_seed(scale="small", seed=1, history=False)
    user = get_user_model().objects.create_superuser("numbers", "numbers@example.com", "x")
    client = APIClient()
    client.force_login(user)
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    walk = Walk(schema)
    portfolio, program = Portfolio.objects.order_by("pk").first(), Program.objects.order_by("pk").first()
    project = Project.objects.filter(program=program).order_by("pk").first()
    estimates = list(LifecycleCostEstimate.objects.order_by("program", "number"))
    left, right = next((a, b) for a, b in itertools.pairwise(estimates) if a.program_id == b.program_id)
    scoped = {
        "/api/v1/risks/exposure/": [{"project": project.pk}, {"program": program.pk}, {"portfolio": portfolio.pk}],
        "/api/v1/risks/heat-map/": [{"program": program.pk}],
        "/api/v1/allocations/labour-forecast/": [{"project": p.pk} for p in program.projects.all()],
        "/api/v1/staffing-requests/gaps/": [{"program": program.pk}],
        "/api/v1/people/capacity/": [{"program": program.pk}],
        "/api/v1/allocations/conflicts/": [{"program": program.pk}],
        "/api/v1/scoring-criteria/scores/": [{"portfolio": program.portfolio_id}],
    }
    visited = set()
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation is None or path.endswith(("/schema/", "/schedule-export/")):
            continue
        if path.startswith("/api/v1/collab/"):  # comments and files nested under any object: no money
            continue
        if "{" in path:
            collection = path.split("{")[0]
            if collection == "/api/v1/projects/":
                pk = project.pk
            elif collection == "/api/v1/programs/":
                pk = program.pk
            elif collection == "/api/v1/lifecycle-cost-estimates/":
                pk = left.pk
            else:
                rows = client.get(collection).json()
                rows = rows["results"] if isinstance(rows, dict) else rows
                if not rows:
                    continue
                pk = rows[0].get("id", rows[0].get("code", rows[0].get("portfolio")))  # health-policies: by portfolio
            url = re.sub(r"\{\w+\}", str(pk), path)
            calls = [(url, {"with": right.pk} if path.endswith("/compare/") else {})]
        else:
            calls = [(path, params) for params in scoped.get(path, [{}])]
        for url, params in calls:
            response = client.get(url, params)
            assert response.status_code == 200, (url, params, response.content[:300])
            body = json.loads(response.content)
            assert floats_in(body) == [], url
            walk.check(path, body, response_schema(operation))
            visited.add(path)

    assert walk.problems == []
    for path in [*COMPUTED, *LISTS_WITH_MONEY]:
        assert path in visited, path
        assert walk.money_checked.get(path, 0) > 0, f"no money value checked at {path}"


class TestFormatting:
    def test_money_rounds_half_to_even_only_at_output(self):
        assert money_text(Decimal("3431407.173870967741935483871")) == "3431407.17"
        assert money_text(Decimal("9782165.780000000")) == "9782165.78"
        assert money_text(Decimal("215.00000000")) == "215.00"
        assert (money_text(Decimal("0.125")), money_text(Decimal("0.135"))) == ("0.12", "0.14")
        assert money_text(Decimal("-0.001")) == "0.00"
        assert money_text(7) == "7.00"
        assert money_text(None) is None

    def test_indices_have_four_places(self):
        assert decimal_text(Decimal("0.9649301805972840029594961958"), 4) == "0.9649"
        assert RatioField().to_representation(Decimal(1)) == "1.0000"

    def test_money_field_writes_two_places_and_reads_what_decimal_field_reads(self):
        field = MoneyField(max_digits=19)
        assert field.to_representation(Decimal("1224822.089")) == "1224822.09"
        assert field.to_internal_value("12.5") == Decimal("12.5")


@pytest.fixture(scope="module")
def components():
    """The schema's components, generated once (they depend on no data)."""
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


class TestSchema:
    def test_money_and_indices_are_documented_as_decimal_strings_with_their_places(self, components):
        evm = components["EvmReport"]["properties"]
        for name in ("bac", "pv", "ev", "ac", "eac", "vac", "task_budget"):
            assert evm[name]["type"] == "string"
            assert evm[name]["format"] == "decimal"
            assert evm[name]["pattern"] == MONEY_PATTERN
            assert "exactly 2 decimal places" in evm[name]["description"]
        for name in ("cpi", "spi", "spi_t", "tcpi"):
            assert (evm[name]["type"], evm[name]["pattern"], evm[name]["nullable"]) == ("string", INDEX_PATTERN, True)
        assert evm["percent_complete"]["pattern"] == MONEY_PATTERN
        risk = components["Risk"]["properties"]
        for name in ("cost_impact", "emv", "residual_emv"):
            assert (risk[name]["type"], risk[name]["format"], risk[name]["pattern"]) == (
                "string",
                "decimal",
                MONEY_PATTERN,
            )
        for name in ("emv", "residual_emv", "uncovered"):
            assert components["ExposureRow"]["properties"][name]["pattern"] == MONEY_PATTERN
        assert components["BudgetLine"]["properties"]["amount"]["pattern"] == MONEY_PATTERN

    def test_requests_still_document_what_is_accepted(self, components):
        amount = components["BudgetLineRequest"]["properties"]["amount"]
        assert (amount["type"], amount["format"]) == ("string", "decimal")
        assert amount["pattern"] != MONEY_PATTERN

    def test_exchange_rates_keep_their_own_precision(self, components):
        rate = components["ExchangeRate"]["properties"]["rate"]
        assert rate["pattern"] == r"^-?\d{0,10}(?:\.\d{0,8})?$"
