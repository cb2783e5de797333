"""A risk's cost impact, schedule impact and dates at the edges of core.bounds: one past the edge
is refused by the form and the API naming the field, with nothing stored; the edge itself is
stored and shown on every page and endpoint that lists the risk."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core import bounds
from risks.models import Risk
from tests.factories.risks import RiskFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

THE_ISSUES_AMOUNT = "99999999999999999.99"  # accepted before, then every register answered 500
FORM = {"title": "Huge", "category": "resource", "probability": "3", "impact": "4", "response": "mitigate"}
FORM |= {"status": "open", "cost_impact": "0", "schedule_impact_days": "0"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cost_impact", THE_ISSUES_AMOUNT),
        ("cost_impact", str(bounds.MONEY_MAX + Decimal("0.01"))),
        ("cost_impact", "-0.01"),
        ("schedule_impact_days", str(bounds.DAYS_MAX + 1)),
        ("schedule_impact_days", "-1"),
        ("trigger_date", "3000-01-01"),
        ("proximity_date", "1899-12-31"),
    ],
)
def test_the_risk_form_refuses_a_value_past_the_range_and_stores_nothing(
    client_for, project_manager, project, field, value
):
    url = reverse("risks:risk-create-project", args=[project.code])
    response = client_for(project_manager).post(url, FORM | {field: value})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Risk.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cost_impact", THE_ISSUES_AMOUNT),
        ("cost_impact", str(bounds.MONEY_MAX + Decimal("0.01"))),
        ("schedule_impact_days", bounds.DAYS_MAX + 1),
        ("trigger_date", "9999-12-31"),
    ],
)
def test_the_risk_api_refuses_a_value_past_the_range_naming_the_field(
    client_for, project_manager, project, field, value
):
    body = {"project": project.pk, "title": "Huge", "category": "resource", "probability": 3, "impact": 4}
    response = client_for(project_manager).post(
        "/api/v1/risks/", body | {field: value}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Risk.objects.exists()


def test_a_risk_at_the_largest_amount_is_stored_through_the_form(client_for, project_manager, project):
    url = reverse("risks:risk-create-project", args=[project.code])
    data = FORM | {"cost_impact": str(bounds.MONEY_MAX), "schedule_impact_days": str(bounds.DAYS_MAX)}
    response = client_for(project_manager).post(url, data | {"trigger_date": "2999-12-31"})
    assert response.status_code == 302
    risk = Risk.objects.get()
    assert (risk.cost_impact, risk.schedule_impact_days) == (bounds.MONEY_MAX, bounds.DAYS_MAX)


def test_a_risk_at_the_largest_amount_renders_everywhere_it_is_listed(client_for, owner, portfolio, program, project):
    risk = RiskFactory(
        project=project,
        probability=5,
        probability_percent=Decimal("100"),
        cost_impact=bounds.MONEY_MAX,
        schedule_impact_days=bounds.DAYS_MAX,
        trigger_date=bounds.DATE_MAX,
    )
    risk.refresh_from_db()
    assert risk.emv == bounds.MONEY_MAX  # the generated column holds the largest EMV
    client = client_for(owner)
    for url in (
        reverse("risks:project-register", args=[project.code]),
        reverse("risks:program-register", args=[program.code]),
        reverse("risks:portfolio-risks", args=[portfolio.code]),
        reverse("risks:risk-detail", args=[risk.pk]),
        reverse("risks:risk-edit", args=[risk.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert any(shown in page for shown in ("999,999,999,999.99", "999999999999.99", "1T")), url
    response = client.get("/api/v1/risks/")
    assert response.status_code == 200
    assert str(bounds.MONEY_MAX) in response.content.decode()


def test_the_admin_shows_a_risk_at_the_largest_amount(client_for, project):
    # Risks are read-only in the admin (audited rows: core.admin_site); it still shows one.
    risk = RiskFactory(project=project, cost_impact=bounds.MONEY_MAX)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = client_for(admin)
    assert client.get(reverse("admin:risks_risk_change", args=[risk.pk])).status_code == 200
    assert client.post(reverse("admin:risks_risk_delete", args=[risk.pk]), {"post": "yes"}).status_code == 403
    assert Risk.objects.exists()
