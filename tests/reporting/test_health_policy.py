"""Health thresholds per portfolio: the page for portfolio admins (defaults shown, errors on the
field they name, reset with a confirmation), the service (audited, marks the portfolio and every
project of it changed so health recomputes), the API and the Django admin."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.changes import current_versions
from core.models import AuditEntry
from reporting.models import HealthPolicy
from reporting.services.health_policy import (
    INDEX_RED_ABOVE_AMBER,
    LIMIT_RED_BELOW_AMBER,
    UNKNOWN_FIELD,
    health_policy_reset,
    health_policy_update,
)
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.users import UserFactory

D = Decimal


@pytest.fixture(autouse=True)
def plain_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def page(portfolio) -> str:
    return reverse("reporting:health-thresholds", args=[portfolio.pk])


def reset_page(portfolio) -> str:
    return reverse("reporting:health-thresholds-reset", args=[portfolio.pk])


def form_data(**overrides) -> dict:
    data = {
        name: HealthPolicy._meta.get_field(name).default
        for name in (
            "cpi_amber",
            "cpi_red",
            "spi_amber",
            "spi_red",
            "slip_amber_days",
            "slip_red_days",
            "exposure_amber_percent",
            "exposure_red_percent",
            "overallocated_amber",
            "overallocated_red",
            "report_stale_amber_days",
            "report_stale_red_days",
            "actuals_stale_amber_days",
            "actuals_stale_red_days",
        )
    }
    data.update(overrides)
    return {name: str(value) for name, value in data.items()}


@pytest.mark.django_db
class TestService:
    def test_first_save_creates_the_row_audits_and_marks_every_project_changed(
        self, portfolio_admin, portfolio, program
    ):
        projects = [ProjectFactory(program=program), ProjectFactory(program=ProgramFactory(portfolio=portfolio))]
        elsewhere = ProjectFactory()
        before = current_versions("project", [p.pk for p in [*projects, elsewhere]])
        portfolio_before = current_versions("portfolio", [portfolio.pk])[portfolio.pk]

        policy = health_policy_update(actor=portfolio_admin, portfolio=portfolio, data={"cpi_red": D("0.85")})

        assert (policy.cpi_red, policy.cpi_amber) == (D("0.85"), D("0.95"))
        after = current_versions("project", [p.pk for p in [*projects, elsewhere]])
        assert all(after[p.pk] == before[p.pk] + 1 for p in projects)
        assert after[elsewhere.pk] == before[elsewhere.pk]
        assert current_versions("portfolio", [portfolio.pk])[portfolio.pk] == portfolio_before + 1
        entry = AuditEntry.objects.get(object_type="reporting.healthpolicy")
        assert entry.action == AuditEntry.Action.CREATE
        assert entry.changes["cpi_red"] == ["0.90", "0.85"]

    def test_an_update_without_a_change_is_neither_audited_nor_recomputed(self, portfolio_admin, portfolio, project):
        health_policy_update(actor=portfolio_admin, portfolio=portfolio, data={"slip_red_days": 20})
        version = current_versions("project", [project.pk])[project.pk]
        health_policy_update(actor=portfolio_admin, portfolio=portfolio, data={"slip_red_days": 20})
        assert current_versions("project", [project.pk])[project.pk] == version
        assert AuditEntry.objects.filter(object_type="reporting.healthpolicy").count() == 1

    @pytest.mark.parametrize(
        ("data", "field", "text"),
        [
            ({"cpi_red": "0.97"}, "cpi_red", INDEX_RED_ABOVE_AMBER.format(label="CPI", red="0.97", amber="0.95")),
            (
                {"slip_red_days": 3},
                "slip_red_days",
                LIMIT_RED_BELOW_AMBER.format(label="Schedule slip", red=3, amber=5),
            ),
            ({"spi_amber": "2.5"}, "spi_amber", "Enter a SPI threshold above 0 and at most 2."),
            ({"cpi_red": "0"}, "cpi_red", "Enter a CPI threshold above 0 and at most 2."),
            ({"report_stale_red_days": 4000}, "report_stale_red_days", "Enter at most 3650."),
            ({"overallocated_red": "-1"}, "overallocated_red", "Enter a whole number, 0 or more."),
            ({"cpi_amber": "abc"}, "cpi_amber", "Enter a number with at most two decimal places."),
            ({"colour": "blue"}, "colour", UNKNOWN_FIELD),
        ],
    )
    def test_bad_values_are_refused_naming_the_field(self, portfolio_admin, portfolio, data, field, text):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as caught:
            health_policy_update(actor=portfolio_admin, portfolio=portfolio, data=data)
        assert caught.value.message_dict[field] == [text]
        assert not HealthPolicy.objects.exists()

    def test_reset_deletes_the_row_audited(self, portfolio_admin, portfolio, project):
        health_policy_update(actor=portfolio_admin, portfolio=portfolio, data={"cpi_red": D("0.80")})
        version = current_versions("project", [project.pk])[project.pk]
        policy = health_policy_reset(actor=portfolio_admin, portfolio=portfolio)
        assert policy.pk is None
        assert policy.cpi_red == D("0.90")
        assert not HealthPolicy.objects.exists()
        assert current_versions("project", [project.pk])[project.pk] == version + 1
        assert AuditEntry.objects.filter(object_type="reporting.healthpolicy", action=AuditEntry.Action.DELETE).exists()


@pytest.mark.django_db
class TestPage:
    def test_admin_sees_the_defaults(self, client_for, portfolio_admin, portfolio):
        response = client_for(portfolio_admin).get(page(portfolio))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'name="cpi_red"' in body
        assert 'value="0.90"' in body
        assert "Default 0.90" in body
        assert "This portfolio uses the defaults." in body
        assert "Reset to defaults" not in body  # nothing to reset

    @pytest.mark.parametrize("who", ["owner", "executive", "member", "outsider"])
    def test_everyone_but_its_portfolio_admins_gets_404(self, client_for, request, portfolio, who):
        client = client_for(request.getfixturevalue(who))
        assert client.get(page(portfolio)).status_code == 404
        assert client.post(page(portfolio), form_data()).status_code == 404
        assert client.post(reset_page(portfolio)).status_code == 404
        assert not HealthPolicy.objects.exists()

    def test_saving_stores_the_thresholds_and_says_so(self, client_for, portfolio_admin, portfolio):
        client = client_for(portfolio_admin)
        response = client.post(page(portfolio), form_data(cpi_amber="0.97", cpi_red="0.92"), follow=True)
        assert response.status_code == 200
        policy = HealthPolicy.objects.get(portfolio=portfolio)
        assert (policy.cpi_amber, policy.cpi_red) == (D("0.97"), D("0.92"))
        body = response.content.decode()
        assert "Health thresholds of Corporate portfolio saved" in body
        assert "This portfolio has its own thresholds." in body

    def test_a_red_threshold_on_the_wrong_side_is_reported_on_its_field(self, client_for, portfolio_admin, portfolio):
        response = client_for(portfolio_admin).post(page(portfolio), form_data(slip_amber_days=20, slip_red_days=10))
        assert response.status_code == 400
        assert response.context["form"].errors["slip_red_days"] == [
            LIMIT_RED_BELOW_AMBER.format(label="Schedule slip", red=10, amber=20)
        ]
        assert not HealthPolicy.objects.exists()

    def test_an_out_of_range_value_is_reported_on_its_field(self, client_for, portfolio_admin, portfolio):
        response = client_for(portfolio_admin).post(page(portfolio), form_data(cpi_amber="3"))
        assert response.status_code == 400
        assert "cpi_amber" in response.context["form"].errors
        assert "has-error" in response.content.decode()

    def test_reset_asks_first_then_restores_the_defaults(self, client_for, portfolio_admin, portfolio):
        health_policy_update(actor=portfolio_admin, portfolio=portfolio, data={"cpi_red": D("0.80")})
        client = client_for(portfolio_admin)
        confirm = client.get(reset_page(portfolio))
        assert confirm.status_code == 200
        assert b"Every threshold goes back to its default" in confirm.content
        assert HealthPolicy.objects.exists()  # a GET changes nothing
        response = client.post(reset_page(portfolio), follow=True)
        assert not HealthPolicy.objects.exists()
        assert b"back to the defaults" in response.content

    def test_the_home_page_links_the_thresholds_for_admins_only(
        self, client_for, portfolio_admin, executive, portfolio
    ):
        link = page(portfolio).encode()
        assert link in client_for(portfolio_admin).get(reverse("portfolio:home")).content  # the overview is their home
        assert link not in client_for(executive).get(reverse("portfolio:home"), {"view": "overview"}).content


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
class TestApi:
    def url(self, portfolio) -> str:
        return f"/api/v1/health-policies/{portfolio.pk}/"

    def test_readers_get_the_defaults(self, executive, portfolio):
        body = api(executive).get(self.url(portfolio)).json()
        assert body["portfolio"] == portfolio.pk
        assert body["customised"] is False
        assert (body["cpi_amber"], body["cpi_red"], body["slip_red_days"]) == ("0.95", "0.90", 15)

    def test_list_has_one_entry_per_visible_portfolio(self, executive, portfolio, outsider):
        body = api(executive).get("/api/v1/health-policies/").json()
        assert [entry["portfolio"] for entry in body["results"]] == [portfolio.pk]

    def test_outsider_gets_404(self, outsider, portfolio):
        client = api(outsider)
        assert client.get(self.url(portfolio)).status_code == 404
        assert client.patch(self.url(portfolio), {"cpi_red": "0.80"}, format="json").status_code == 404
        assert client.delete(self.url(portfolio)).status_code == 404

    def test_readers_may_not_change_them(self, executive, owner, portfolio):
        for user in (executive, owner):
            response = api(user).patch(self.url(portfolio), {"cpi_red": "0.80"}, format="json")
            assert response.status_code == 403
        assert not HealthPolicy.objects.exists()

    def test_admin_patches_and_resets(self, portfolio_admin, portfolio, project):
        client = api(portfolio_admin)
        response = client.patch(self.url(portfolio), {"cpi_red": "0.80", "slip_red_days": 30}, format="json")
        assert response.status_code == 200, response.json()
        assert (response.json()["cpi_red"], response.json()["slip_red_days"], response.json()["customised"]) == (
            "0.80",
            30,
            True,
        )
        assert client.delete(self.url(portfolio)).status_code == 204
        assert not HealthPolicy.objects.exists()

    def test_put_needs_every_threshold(self, portfolio_admin, portfolio):
        response = api(portfolio_admin).put(self.url(portfolio), {"cpi_red": "0.80"}, format="json")
        assert response.status_code == 400
        assert "cpi_amber" in {error["field"] for error in response.json()["errors"]}

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"cpi_red": "0.99"}, "cpi_red"),
            ({"exposure_amber_percent": 120}, "exposure_red_percent"),
            ({"spi_amber": "9"}, "spi_amber"),
            ({"slip_red_days": "soon"}, "slip_red_days"),
        ],
    )
    def test_bad_values_are_400_naming_the_field(self, portfolio_admin, portfolio, data, field):
        response = api(portfolio_admin).patch(self.url(portfolio), data, format="json")
        assert response.status_code == 400
        assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.django_db
def test_django_admin_edits_through_the_service(client, portfolio, project):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(staff)
    add = client.post(
        reverse("admin:reporting_healthpolicy_add"), {"portfolio": portfolio.pk, **form_data(cpi_red="0.85")}
    )
    assert add.status_code == 302, add.content[:2000]
    assert HealthPolicy.objects.get(portfolio=portfolio).cpi_red == D("0.85")
    assert AuditEntry.objects.filter(object_type="reporting.healthpolicy", action=AuditEntry.Action.CREATE).exists()
    bad = client.post(
        reverse("admin:reporting_healthpolicy_change", args=[HealthPolicy.objects.get().pk]),
        form_data(cpi_red="0.99"),
    )
    assert bad.status_code == 200
    assert "cpi_red" in bad.context["adminform"].form.errors
    assert client.get(reverse("admin:reporting_healthpolicy_changelist")).status_code == 200
