"""Money and dates at the edges of core.bounds on the cost pages and the EVM API: the largest
amount and the last date Keel keeps render (no 500, no megabytes); one past them is refused."""

import datetime as dt

import pytest
from django.urls import reverse

from budgets.models import BudgetLine, CostEntry
from core import bounds
from tests.factories.budgets import BudgetLineFactory, CostEntryFactory

from .test_views_support import *  # noqa: F403
from .test_views_support import D

PROJECT_COSTS = reverse("budgets:project-costs", args=["MOD-ERP"])
PROGRAM_COSTS = reverse("budgets:program-costs", args=["MOD"])
COST_PAGES = [PROJECT_COSTS, PROGRAM_COSTS, reverse("budgets:cost-entry-list", args=["MOD-ERP"])]
# A cost page of the worked example is about 100 kB; a far-off entry must not multiply it.
PAGE_LIMIT = 400_000

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", [bounds.DATE_MAX, bounds.DATE_MIN])
@pytest.mark.parametrize("url", COST_PAGES)
def test_a_cost_entry_on_the_first_or_last_day_kept_leaves_the_cost_pages_small(
    client_for, owner, money, category, eur, url, day
):
    CostEntryFactory(project=money, category=category, date=day, amount=D("12.34"), currency=eur)
    response = client_for(owner).get(url)
    assert response.status_code == 200
    assert len(response.content) < PAGE_LIMIT, len(response.content)


@pytest.mark.parametrize("url", COST_PAGES)
def test_the_largest_amounts_render_on_the_cost_pages_in_trillions(client_for, owner, money, category, eur, url):
    BudgetLine.objects.filter(project=money).update(amount=bounds.MONEY_MAX)
    CostEntryFactory(project=money, category=category, date=dt.date(2026, 2, 1), amount=bounds.MONEY_MAX, currency=eur)
    response = client_for(owner).get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "999,999,999,999.99" in text or "1T" in text
    assert "1000B" not in text
    assert "00000B" not in text


def test_a_huge_budget_with_little_earned_answers_the_program_evm_without_a_forecast_date(
    client_for, owner, money, periods, category, eur
):
    BudgetLineFactory(project=money, category=category, period=periods[12], amount=bounds.MONEY_MAX, currency=eur)
    for url in (f"/api/v1/programs/{money.program.pk}/evm/", PROJECT_COSTS, PROGRAM_COSTS):
        response = client_for(owner).get(url)
        assert response.status_code == 200, (url, response.content[:300])


def test_a_budget_line_patched_past_the_largest_amount_is_refused_and_kept(client_for, project_manager, money):
    line = BudgetLine.objects.filter(project=money).first()
    response = client_for(project_manager).patch(
        f"/api/v1/budget-lines/{line.pk}/",
        {"amount": "99999999999999999.99", "version": line.version},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "amount" in response.content.decode()
    line.refresh_from_db()
    assert line.amount == D("3100")


@pytest.mark.parametrize("day", ["9999-12-31", "3000-01-01", "1899-12-31"])
def test_a_cost_entry_dated_outside_the_kept_dates_is_refused(client_for, owner, money, category, eur, day):
    before = CostEntry.objects.count()
    response = client_for(owner).post(
        "/api/v1/cost-entries/",
        {"project": money.pk, "category": category.pk, "date": day, "amount": "1.00", "currency": "EUR"},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "date" in response.content.decode()
    assert CostEntry.objects.count() == before


ENTRY_ADD = reverse("budgets:cost-entry-add", args=["MOD-ERP"])
ENTRY = {"date": "2026-03-04", "amount": "12.50", "currency": "EUR", "description": "Edge"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "99999999999999999.99"),
        ("amount", str(bounds.MONEY_MAX + D("0.01"))),
        ("amount", str(-bounds.MONEY_MAX - D("0.01"))),
        ("date", "9999-12-31"),
        ("date", "3000-01-01"),
        ("date", "1899-12-31"),
    ],
)
def test_the_cost_entry_form_refuses_a_value_past_the_range_and_stores_nothing(
    client_for, project_manager, money, category, field, value
):
    before = CostEntry.objects.count()
    response = client_for(project_manager).post(ENTRY_ADD, ENTRY | {"category": category.pk, field: value})
    assert response.status_code in (200, 400)  # the form again, with its errors
    assert field in response.context["form"].errors
    assert CostEntry.objects.count() == before


@pytest.mark.parametrize(("amount", "day"), [(bounds.MONEY_MAX, bounds.DATE_MAX), (-bounds.MONEY_MAX, bounds.DATE_MIN)])
def test_a_cost_entry_at_the_edges_is_stored_through_the_form_and_listed(
    client_for, project_manager, money, category, amount, day
):
    data = ENTRY | {"category": category.pk, "amount": str(amount), "date": day.isoformat()}
    assert client_for(project_manager).post(ENTRY_ADD, data).status_code == 302
    assert CostEntry.objects.filter(amount=amount, date=day).exists()
    page = client_for(project_manager).get(reverse("budgets:cost-entry-list", args=["MOD-ERP"]))
    assert page.status_code == 200
    assert f"{amount:,.2f}" in page.content.decode()


def test_the_cost_page_axis_reads_the_largest_amounts_in_trillions(client_for, owner, money):
    BudgetLine.objects.filter(project=money).update(amount=bounds.MONEY_MAX)
    page = client_for(owner).get(PROJECT_COSTS).content.decode()
    assert ">1T<" in page or ">2T<" in page
    assert "000B<" not in page


@pytest.mark.parametrize("day", ["9999-12-31", "3000-01-01", "1899-12-31"])
def test_an_as_of_past_the_kept_dates_is_refused(client_for, owner, money, day):
    response = client_for(owner).get(f"/api/v1/projects/{money.pk}/evm/", {"as_of": day})
    assert response.status_code == 400
    assert "as_of" in {e["field"] for e in response.json()["errors"]}
    page = client_for(owner).get(PROJECT_COSTS, {"as_of": day})
    assert page.status_code == 200
    assert "showing the default instead" in page.content.decode()


@pytest.mark.parametrize(
    ("prefix", "body", "field"),
    [
        ("exchange-rates", {"from_currency": "USD", "to_currency": "EUR", "rate": "0.9"}, "valid_on"),
        ("cost-entries", {"amount": "1.00", "currency": "EUR"}, "date"),
    ],
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "3000-01-01", "1899-12-31"])
def test_the_api_refuses_a_date_past_the_kept_dates(client_for, owner, money, category, prefix, body, field, day):
    body = body | {field: day, "project": money.pk, "category": category.pk}
    response = client_for(owner).post(f"/api/v1/{prefix}/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}


def test_an_earned_schedule_forecast_past_the_kept_dates_is_not_defined_instead_of_a_crash():
    from budgets.evm import earned_value

    # A year of planned value of the largest amount, a cent earned by the last day Keel keeps:
    # IEAC(t) runs past any date Python holds (this answered 500 on the EVM pages and API).
    start = dt.date(2026, 1, 1)
    figures = earned_value(
        status_date=bounds.DATE_MAX,
        bac=bounds.MONEY_MAX,
        pv_curve={start: D(0), dt.date(2026, 12, 31): bounds.MONEY_MAX},
        ev=D("0.01"),
        ac=D("0.01"),
        start=start,
    )
    assert figures.forecast_finish is None
