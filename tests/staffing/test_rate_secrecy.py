"""Defect 2 of issue 12: a person's hidden cost rate must not be recoverable from money figures.

The attack: a project manager (who may edit allocations but not see rates) adds a one-week
allocation of one person and reads the labour forecast, or any money figure fed by it, before and
after; the difference divided by the hours is the person's rate. The fix costs every allocation
of a person whose rate the reader may not see at the role's standard rate (which every reader of
the pool sees), so the difference is hours x standard rate, whatever the hidden rate is."""

import datetime as dt
from decimal import Decimal

import pytest

from reporting.services.figures import cost_figures
from tests.factories.staffing import CostRateFactory

from .conftest import MON

D = Decimal
HIDDEN = D("102.00")  # the person's own rate
STANDARD = D("80")  # the role's standard rate (analyst_role)
WEEK_HOURS = D(40)  # a one-week allocation at 100 % of a 40-hour week


@pytest.fixture
def rated(project, person, eur, calendar):
    project.status_date = dt.date(2026, 3, 1)
    project.save()
    CostRateFactory(person=person, effective_from=dt.date(2026, 1, 1), hourly_rate=HIDDEN, currency=eur)
    return person


def _allocate(client, project, person, role, start=MON):
    response = client.post(
        "/api/v1/allocations/",
        {
            "person": person.pk,
            "project": project.pk,
            "role": role.pk,
            "start": start.isoformat(),
            "end": (start + dt.timedelta(days=4)).isoformat(),
            "fte_percent": "100.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _forecast(client, project) -> dict:
    response = client.get(f"/api/v1/allocations/labour-forecast/?project={project.pk}")
    assert response.status_code == 200
    return response.json()


def _budget_forecast(client, project) -> Decimal:
    body = client.get(f"/api/v1/projects/{project.pk}/budget-by-period/").json()
    return sum((D(row["forecast"]) for row in body["rows"]), D(0))


class TestTheDifferencingAttack:
    def test_project_manager_reads_only_standard_rate_off_the_labour_forecast(
        self, api_for, project_manager, project, rated, analyst_role
    ):
        client = api_for(project_manager)
        before = D(_forecast(client, project)["total"])
        _allocate(client, project, rated, analyst_role)
        after = _forecast(client, project)
        assert after["rates_withheld"] is True
        assert D(after["total"]) - before == WEEK_HOURS * STANDARD
        assert str(HIDDEN) not in str(after)

    def test_two_allocations_of_different_people_cannot_isolate_either(
        self, api_for, project_manager, project, rated, analyst_role, portfolio, eur
    ):
        from tests.factories.staffing import PersonFactory

        other = PersonFactory(portfolio=portfolio, roles=[analyst_role])
        CostRateFactory(person=other, effective_from=dt.date(2026, 1, 1), hourly_rate=D("63.75"), currency=eur)
        client = api_for(project_manager)
        _allocate(client, project, rated, analyst_role)
        first = D(_forecast(client, project)["total"])
        _allocate(client, project, other, analyst_role, start=MON + dt.timedelta(days=7))
        second = D(_forecast(client, project)["total"])
        assert first == WEEK_HOURS * STANDARD
        assert second - first == WEEK_HOURS * STANDARD

    def test_finance_analyst_sees_the_real_figure(
        self, api_for, project_manager, finance, project, rated, analyst_role
    ):
        _allocate(api_for(project_manager), project, rated, analyst_role)
        body = _forecast(api_for(finance), project)
        assert body["rates_withheld"] is False
        assert D(body["total"]) == WEEK_HOURS * HIDDEN

    def test_budget_by_period_forecast_moves_by_the_standard_rate_only(
        self, api_for, project_manager, finance, project, rated, analyst_role
    ):
        client = api_for(project_manager)
        before = _budget_forecast(client, project)
        _allocate(client, project, rated, analyst_role)
        assert _budget_forecast(client, project) - before == WEEK_HOURS * STANDARD
        assert _budget_forecast(api_for(finance), project) - before == WEEK_HOURS * HIDDEN

    def test_evm_does_not_move_with_the_hidden_rate(
        self, api_for, project_manager, finance, project, rated, analyst_role
    ):
        client, finance_client = api_for(project_manager), api_for(finance)
        _allocate(client, project, rated, analyst_role)
        url = f"/api/v1/projects/{project.pk}/evm/?as_of=2026-03-01"
        cheap, finance_cheap = client.get(url).json(), finance_client.get(url).json()
        rated.cost_rates.update(hourly_rate=D("500"))
        assert client.get(url).json() == cheap
        assert finance_client.get(url).json()["etc"] != finance_cheap["etc"]  # the figure does use rates

    def test_project_staffing_page_does_not_show_the_hidden_figure(
        self, api_for, client_for, project_manager, project, rated, analyst_role
    ):
        _allocate(api_for(project_manager), project, rated, analyst_role)
        page = client_for(project_manager).get(f"/projects/{project.code}/staffing/").content.decode()
        assert "4,080" not in page  # 40 h x 102.00
        assert "4080" not in page
        assert "3,200" in page  # 40 h x 80 (the standard rate)
        assert 'id="rates-withheld"' in page

    def test_stored_summary_figures_ignore_personal_rates(self, project, rated, analyst_role, project_manager, api_for):
        _allocate(api_for(project_manager), project, rated, analyst_role)
        first = cost_figures(project, as_of=dt.date(2026, 3, 1))
        rated.cost_rates.update(hourly_rate=D("500"))
        assert cost_figures(project, as_of=dt.date(2026, 3, 1)) == first
