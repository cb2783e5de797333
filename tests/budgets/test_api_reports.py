"""Computed money over the API: /projects/{id}/ and /programs/{id}/ evm, s-curve and
budget-by-period — every figure as a decimal string with fixed places or null, warnings, `as_of`, access,
a missing exchange rate as a 400 on `currency`, and a query count that does not grow."""

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import evm
from budgets.selectors import project_evm
from tests.factories.budgets import BudgetLineFactory, CostEntryFactory, ForecastFactory
from tests.factories.projects import ProjectFactory, TaskFactory

from .money_setup import reference_data

D = Decimal
AS_OF = dt.date(2026, 2, 28)
FIGURES = [f.name for f in dataclasses.fields(evm.EarnedValue) if f.name not in ("warnings", "status_date")]


@pytest.fixture
def ref(db):
    return reference_data()


def fill(project, ref, *, months=4):
    """1,000 EUR budgeted a month from January, 900 spent a month, half the work earned."""
    for month in range(1, months + 1):
        BudgetLineFactory(project=project, category=ref.labour, period=ref.period(2026, month), currency=ref.eur)
        CostEntryFactory(
            project=project, category=ref.labour, currency=ref.eur, amount=D("900"), date=dt.date(2026, month, 10)
        )
    ForecastFactory(
        project=project, category=ref.labour, period=ref.period(2026, 6), currency=ref.eur, amount=D("3000")
    )
    TaskFactory(
        project=project,
        cost=D(1000 * months),
        percent_complete=D("50"),
        actual_start=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
    )
    project.status_date = AS_OF
    project.save()


INDICES = {"spi", "cpi", "tcpi", "tcpi_eac", "spi_t"}


def expected(name, value):
    """The figure as the API writes it: indices at four places, money, percentages and days at two,
    rounded half to even from the full-precision figure."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.quantize(D('0.0001') if name in INDICES else D('0.01'), rounding=ROUND_HALF_EVEN):f}"
    return value


@pytest.mark.django_db
class TestProjectEvm:
    def test_every_figure_is_a_decimal_string_at_its_fixed_places_or_null(self, api_for, project, ref, member):
        fill(project, ref)
        response = api_for(member).get(f"/api/v1/projects/{project.pk}/evm/", {"as_of": AS_OF.isoformat()})
        assert response.status_code == 200, response.json()
        body = response.json()
        report = project_evm(project=project, as_of=AS_OF)
        for name in FIGURES:
            assert body[name] == expected(name, getattr(report.figures, name)), name
        assert (body["currency"], body["as_of"]) == ("EUR", "2026-02-28")
        assert "status_date" not in body  # it only repeated as_of
        assert (body["bac"], body["ac"], body["eac_method"]) == ("4000.00", "1800.00", "bottom_up")
        assert body["etc"] == "3000.00"
        assert body["warnings"] == [{"code": w.code, "message": w.message} for w in report.warnings]

    def test_undefined_figures_are_null(self, api_for, project, ref, owner):
        response = api_for(owner).get(f"/api/v1/projects/{project.pk}/evm/")
        body = response.json()
        assert (body["bac"], body["pv"], body["ac"]) == ("0.00", "0.00", "0.00")
        assert (body["spi"], body["cpi"], body["tcpi"], body["eac"]) == (None, None, None, None)

    def test_as_of_must_be_a_date(self, api_for, project, ref, owner):
        response = api_for(owner).get(f"/api/v1/projects/{project.pk}/evm/", {"as_of": "2026-02-30"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "as_of"

    def test_a_missing_exchange_rate_is_400_on_currency_naming_currency_and_day(self, api_for, project, ref, owner):
        CostEntryFactory(project=project, category=ref.labour, currency=ref.usd, date=dt.date(2026, 1, 20))
        for path in ("evm", "s-curve", "budget-by-period"):
            response = api_for(owner).get(f"/api/v1/projects/{project.pk}/{path}/", {"as_of": "2026-03-01"})
            assert response.status_code == 400, path
            error = response.json()["errors"][0]
            assert error["field"] == "currency"
            assert "USD" in error["message"]
            assert "2026-01-20" in error["message"]

    def test_outsider_gets_404(self, api_for, project, ref, outsider):
        for path in ("evm", "s-curve", "budget-by-period"):
            assert api_for(outsider).get(f"/api/v1/projects/{project.pk}/{path}/").status_code == 404
        assert api_for(None).get(f"/api/v1/projects/{project.pk}/evm/").status_code == 401

    def test_query_count_does_not_grow_with_the_rows(self, api_for, program, ref, executive):
        small, large = ProjectFactory(program=program), ProjectFactory(program=program)
        fill(small, ref, months=1)
        fill(large, ref, months=12)
        client = api_for(executive)
        counts = []
        for project in (small, large):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"/api/v1/projects/{project.pk}/evm/").status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1]


@pytest.mark.django_db
class TestCurvesAndPeriods:
    def test_s_curve(self, api_for, project, ref, member):
        fill(project, ref)
        body = api_for(member).get(f"/api/v1/projects/{project.pk}/s-curve/").json()
        labels = [point["period"]["label"] for point in body["points"]]
        assert labels == [f"FY2026 P{n:02d}" for n in range(1, 7)]
        first, third = body["points"][0], body["points"][2]
        assert (first["day"], first["pv"], first["ac"]) == ("2026-01-31", "1000.00", "900.00")
        assert (third["ev"], third["ac"]) == (None, None)  # after as_of
        assert body["evm"]["bac"] == "4000.00"
        assert body["eac_projection"][0] == {"day": "2026-02-28", "value": "1800.00"}

    def test_budget_by_period(self, api_for, project, ref, member):
        fill(project, ref, months=2)
        body = api_for(member).get(f"/api/v1/projects/{project.pk}/budget-by-period/").json()
        assert (body["currency"], body["calendar_name"]) == ("EUR", "Calendar year")
        january = body["rows"][0]
        assert (january["period"]["label"], january["budget"], january["actual"], january["variance"]) == (
            "FY2026 P01",
            "1000.00",
            "900.00",
            "100.00",
        )
        assert body["totals"] == {
            "original": "0.00",
            "budget": "2000.00",
            "actual": "1800.00",
            "forecast": "3000.00",
            "variance": "200.00",
        }

    def test_program_reports_sum_the_projects(self, api_for, program, project, ref, executive):
        fill(project, ref, months=2)
        fill(ProjectFactory(program=program), ref, months=2)
        client = api_for(executive)
        evm_body = client.get(f"/api/v1/programs/{program.pk}/evm/", {"as_of": "2026-02-28"}).json()
        assert (evm_body["bac"], evm_body["ac"]) == ("4000.00", "3600.00")
        assert client.get(f"/api/v1/programs/{program.pk}/s-curve/").status_code == 200
        assert client.get(f"/api/v1/programs/{program.pk}/budget-by-period/").json()["totals"]["budget"] == "4000.00"

    def test_program_reports_are_404_for_an_outsider(self, api_for, program, ref, outsider):
        assert api_for(outsider).get(f"/api/v1/programs/{program.pk}/evm/").status_code == 404


@pytest.mark.django_db
def test_browsable_api_renders_the_computed_reads(client_for, project, ref, owner):
    client = client_for(owner)
    assert client.get(f"/api/v1/projects/{project.pk}/evm/", HTTP_ACCEPT="text/html").status_code == 200
    root = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert root["projects"].endswith("/api/v1/projects/")
    assert root["imports"].endswith("/api/v1/imports/")

    def test_program_reports_are_404_for_a_reader_of_one_project(self, api_for, program, project, ref, member):
        """The sums cover every project of the program, so seeing the program through one
        project membership is not enough."""
        assert api_for(member).get(f"/api/v1/programs/{program.pk}/evm/").status_code == 404
        assert api_for(member).get(f"/api/v1/projects/{project.pk}/evm/").status_code == 200
