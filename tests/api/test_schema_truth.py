"""Defect 8 (issue 12): the schema says what the API answers. Nullable fields are documented as
nullable, a field some readers do not get is not `required`, money is a decimal string, and every
operation documents the errors the shared machinery answers with the one error body."""

from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator

from staffing.serializers import PersonSerializer
from tests.factories.risks import IssueFactory, RiskFactory
from tests.factories.staffing import PersonFactory

ERROR_REF = "#/components/schemas/Error"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def response_component(schema, name):
    return schema["components"]["schemas"][name]


class TestNullsAndOmissions:
    @pytest.mark.parametrize(
        ("component", "field"),
        [
            ("Risk", "escalated_by"),
            ("Risk", "residual_score"),
            ("Issue", "risk"),
            ("Issue", "reserve_transaction"),
        ],
    )
    def test_fields_that_can_be_null_are_documented_nullable(self, schema, component, field):
        assert response_component(schema, component)["properties"][field].get("nullable") is True

    def test_an_unescalated_risk_without_residual_and_an_issue_of_no_risk_answer_null(
        self, api_for, portfolio_admin, project
    ):
        risk = RiskFactory(project=project)
        issue = IssueFactory(project=project)
        client = api_for(portfolio_admin)
        body = client.get(f"/api/v1/risks/{risk.pk}/").json()
        assert body["escalated_by"] is None
        assert body["residual_score"] is None
        body = client.get(f"/api/v1/issues/{issue.pk}/").json()
        assert body["risk"] is None
        assert body["reserve_transaction"] is None

    def test_person_rate_is_optional_because_readers_without_rates_do_not_get_it(
        self, schema, api_for, member, portfolio
    ):
        person = response_component(schema, "Person")
        for field in PersonSerializer.RATE_FIELDS:
            assert field in person["properties"]
            assert field not in person.get("required", [])
        assert "name" in person["required"]
        row = PersonFactory(portfolio=portfolio)
        body = api_for(member).get(f"/api/v1/people/{row.pk}/").json()
        assert "current_rate" not in body

    def test_risk_emv_is_a_decimal_string_as_documented(self, schema, api_for, portfolio_admin, project):
        risk = RiskFactory(project=project, probability=3, cost_impact=Decimal("10000.00"))
        emv = api_for(portfolio_admin).get(f"/api/v1/risks/{risk.pk}/").json()["emv"]
        documented = response_component(schema, "Risk")["properties"]["emv"]
        assert documented["type"] == "string"
        assert documented["format"] == "decimal"
        assert isinstance(emv, str)
        assert Decimal(emv) == risk.emv


class TestDocumentedErrors:
    def test_every_operation_documents_the_shared_errors_as_json_error_bodies(self, schema):
        missing = []
        for path, method, operation in operations(schema):
            wanted = {"400", "401", "403", "404", "429"}
            if method in ("post", "put", "patch"):
                wanted.add("413")
            for code in sorted(wanted):
                response = operation["responses"].get(code)
                content = (response or {}).get("content", {}).get("application/json", {})
                # The shared error body, or an operation's own documented one (the bulk API's
                # BulkError adds the failing rows to it).
                if not content.get("schema", {}).get("$ref", "").startswith("#/components/schemas/"):
                    missing.append(f"{method.upper()} {path} {code}")
        assert not missing, missing[:20]

    def test_if_match_writes_document_412_and_428(self, schema):
        for method in ("put", "patch", "delete"):
            responses = schema["paths"]["/api/v1/risks/{id}/"][method]["responses"]
            assert {"412", "428"} <= set(responses)

    def test_list_404_says_invalid_page(self, schema):
        description = schema["paths"]["/api/v1/risks/"]["get"]["responses"]["404"]["description"]
        assert "page" in description

    def test_a_file_export_documents_its_errors_as_json(self, schema):
        exports = [
            (path, op)
            for path, method, op in operations(schema)
            if method == "get"
            and "application/json" not in op["responses"].get("200", {}).get("content", {"application/json": 1})
        ]
        assert exports
        for path, op in exports:
            assert "application/json" in op["responses"]["404"]["content"], path

    @pytest.mark.parametrize("page", ["0", "-1", "x", "999"])
    def test_a_bad_page_is_the_documented_404_with_the_error_body(self, api_for, portfolio_admin, project, page):
        response = api_for(portfolio_admin).get("/api/v1/projects/", {"page": page})
        assert response.status_code == 404
        assert set(response.json()) == {"status", "detail", "errors"}

    def test_a_filter_error_is_the_documented_400_naming_the_parameter(self, api_for, portfolio_admin, project):
        response = api_for(portfolio_admin).get("/api/v1/risks/", {"project": "not-a-number"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "project"


class TestFuzzFindings:
    """What Schemathesis found (tests/api/test_schemathesis.py), each pinned down."""

    @pytest.mark.parametrize(
        "query",
        [
            {"before": "3293-06-17T17:36:35.09-15:26"},
            {"after": "9611-06-02T02:23:17+17:48"},
            {"risk": "143179440582276816"},
            {"program": "385007909", "project": "2793067"},
        ],
    )
    def test_risk_history_filters_never_answer_500(self, api_for, portfolio_admin, query):
        response = api_for(portfolio_admin).get("/api/v1/risk-history/", query)
        assert response.status_code in (200, 400), response.content

    def test_a_time_past_year_9999_in_utc_is_a_400_naming_the_filter(self, api_for, portfolio_admin):
        response = api_for(portfolio_admin).get("/api/v1/risk-history/", {"after": "9999-12-31T23:00:00-05:00"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "after"
