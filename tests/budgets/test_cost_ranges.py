"""Cost ranges (three-point ranges on a project's budget per category, for the risk analysis):
services, the section on the risk analysis inputs page, the API."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets.models import CostRange
from budgets.services import cost_range_create, cost_range_delete, cost_range_update
from budgets.services.cost_ranges import COST_RANGE_TAKEN, LIKELY_OUTSIDE, LOW_ABOVE_HIGH
from core.models import AuditEntry
from tests.factories.budgets import BudgetLineFactory, CostCategoryFactory, CurrencyFactory

RANGES = "/api/v1/cost-ranges/"


@pytest.fixture
def labour(db):
    return CostCategoryFactory(code="LAB", name="Labour")


@pytest.fixture
def materials(db):
    return CostCategoryFactory(code="MAT", name="Materials")


def page(project):
    return reverse("projects:uncertainty", args=[project.pk])


def fields_of(response) -> list:
    return [error["field"] for error in response.json()["errors"]]


class TestServices:
    def test_create_update_delete_audited(self, project, owner, labour):
        rng = cost_range_create(
            actor=owner,
            project=project,
            category=labour,
            low_amount=Decimal("900"),
            likely_amount=Decimal("1000"),
            high_amount=Decimal("1500"),
            distribution="pert",
        )
        rng = cost_range_update(actor=owner, cost_range=rng, data={"high_amount": Decimal("1800")})
        assert rng.high_amount == Decimal("1800")
        cost_range_delete(actor=owner, cost_range=rng)
        assert not CostRange.objects.exists()
        actions = list(AuditEntry.objects.filter(object_type="budgets.costrange").values_list("action", flat=True))
        assert len(actions) == 3

    @pytest.mark.parametrize(
        ("low", "likely", "high", "field", "message"),
        [
            ("2000", None, "1000", "high_amount", LOW_ABOVE_HIGH),
            ("900", "2000", "1500", "likely_amount", LIKELY_OUTSIDE),
            ("900", "800", "1500", "likely_amount", LIKELY_OUTSIDE),
        ],
    )
    def test_refuses_unordered_amounts_naming_the_field(
        self, project, owner, labour, low, likely, high, field, message
    ):
        with pytest.raises(ValidationError) as caught:
            cost_range_create(
                actor=owner,
                project=project,
                category=labour,
                low_amount=Decimal(low),
                likely_amount=Decimal(likely) if likely else None,
                high_amount=Decimal(high),
            )
        assert caught.value.message_dict[field] == [message]

    def test_one_range_per_category(self, project, owner, labour):
        cost_range_create(actor=owner, project=project, category=labour, low_amount=1, high_amount=2)
        with pytest.raises(ValidationError) as caught:
            cost_range_create(actor=owner, project=project, category=labour, low_amount=1, high_amount=2)
        assert caught.value.message_dict["category"] == [COST_RANGE_TAKEN]


class TestPageSection:
    def test_shows_the_category_budget_beside_the_range(self, project, owner, labour, materials, client_for):
        eur = CurrencyFactory(code="EUR")
        BudgetLineFactory(project=project, category=labour, amount=Decimal("12000"), currency=eur)
        BudgetLineFactory(project=project, category=materials, amount=Decimal("3000"), currency=eur)
        cost_range_create(actor=owner, project=project, category=labour, low_amount=10000, high_amount=16000)
        body = client_for(owner).get(page(project)).content.decode()
        assert "12,000.00" in body  # the labour budget beside its range
        assert "16,000.00" in body
        assert "Budgeted categories without a range" in body
        assert "3,000.00" in body

    def test_editor_adds_edits_deletes(self, project, owner, labour, client_for):
        client = client_for(owner)
        add = reverse("budgets:cost-range-add", args=[project.pk])
        data = {"category": labour.pk, "low_amount": "100", "high_amount": "50", "distribution": "triangular"}
        response = client.post(add, data)
        assert response.status_code == 422
        assert response.context["cost_form"].errors["high_amount"] == [LOW_ABOVE_HIGH]
        assert LOW_ABOVE_HIGH in response.content.decode()
        response = client.post(add, {**data, "high_amount": "300"})
        assert response.status_code == 302
        rng = CostRange.objects.get()
        opened = client.get(page(project) + f"?edit=cost-{rng.pk}").content.decode()
        assert f'id="cost{rng.pk}_high_amount"' in opened
        save = reverse("budgets:cost-range", args=[project.pk, rng.pk])
        response = client.post(save, {**data, "high_amount": "400", "likely_amount": "200", "version": rng.version})
        assert response.status_code == 302
        rng.refresh_from_db()
        assert (rng.likely_amount, rng.high_amount) == (Decimal("200"), Decimal("400"))
        response = client.post(save, {**data, "high_amount": "500", "version": rng.version - 1})
        assert response.status_code == 409
        delete = reverse("budgets:cost-range-delete", args=[project.pk, rng.pk])
        assert client.post(delete, {"version": rng.version}).status_code == 302
        assert not CostRange.objects.exists()

    def test_viewer_and_outsider(self, project, owner, member, outsider, labour, client_for):
        cost_range_create(actor=owner, project=project, category=labour, low_amount=1, high_amount=2)
        body = client_for(member).get(page(project)).content.decode()
        assert "Labour" in body
        assert "cost-range-add-form" not in body
        add = reverse("budgets:cost-range-add", args=[project.pk])
        data = {"category": labour.pk, "low_amount": "1", "high_amount": "2", "distribution": "triangular"}
        assert client_for(member).post(add, data).status_code == 404
        assert client_for(outsider).post(add, data).status_code == 404


class TestApi:
    def test_crud(self, project, owner, labour, api_for):
        client = api_for(owner)
        response = client.post(
            RANGES,
            {"project": project.pk, "category": labour.pk, "low_amount": "100.00", "high_amount": "250.00"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["category_code"] == "LAB"
        assert body["likely_amount"] is None
        pk = body["id"]
        assert [r["id"] for r in client.get(RANGES, {"project": project.pk}).json()["results"]] == [pk]
        response = client.patch(f"{RANGES}{pk}/", {"likely_amount": "150.00"}, format="json")
        assert response.status_code == 200
        assert response.json()["likely_amount"] == "150.00"
        assert client.delete(f"{RANGES}{pk}/").status_code == 204

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"low_amount": "300", "high_amount": "200"}, "high_amount"),
            ({"low_amount": "100", "likely_amount": "900", "high_amount": "200"}, "likely_amount"),
            ({"low_amount": "-1", "high_amount": "200"}, "low_amount"),
            ({"low_amount": "1", "high_amount": "2", "distribution": "lognormal"}, "distribution"),
        ],
    )
    def test_400_naming_the_field(self, project, owner, labour, api_for, payload, field):
        response = api_for(owner).post(RANGES, {"project": project.pk, "category": labour.pk, **payload}, format="json")
        assert response.status_code == 400
        assert field in fields_of(response)

    def test_access(self, project, owner, member, outsider, labour, api_for):
        rng = cost_range_create(actor=owner, project=project, category=labour, low_amount=1, high_amount=2)
        assert api_for(member).get(f"{RANGES}{rng.pk}/").status_code == 200
        assert api_for(member).patch(f"{RANGES}{rng.pk}/", {"high_amount": "3"}, format="json").status_code == 403
        assert api_for(outsider).get(f"{RANGES}{rng.pk}/").status_code == 404
        assert api_for(outsider).get(RANGES).json()["results"] == []

    def test_list_query_count_does_not_grow(self, project, owner, api_for, django_assert_max_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = api_for(owner)
        cost_range_create(
            actor=owner, project=project, category=CostCategoryFactory(code="C0"), low_amount=1, high_amount=2
        )
        with CaptureQueriesContext(connection) as first:
            client.get(RANGES)
        for n in range(1, 6):
            cost_range_create(
                actor=owner, project=project, category=CostCategoryFactory(code=f"C{n}"), low_amount=1, high_amount=2
            )
        with django_assert_max_num_queries(len(first)):
            assert len(client.get(RANGES).json()["results"]) == 6


def test_a_budget_outside_an_open_range_is_flagged(project, owner, labour, client_for):
    BudgetLineFactory(project=project, category=labour, amount=Decimal("500"), currency=CurrencyFactory(code="EUR"))
    cost_range_create(actor=owner, project=project, category=labour, low_amount=100, high_amount=300)
    body = client_for(owner).get(page(project)).content.decode()
    assert "the budget: outside the range" in body
