"""The staffing API: access per resource, bad input as 400 naming the field, the computed actions."""

import datetime as dt
from decimal import Decimal

import pytest

from staffing.models import Allocation, StaffingRequest
from tests.factories.portfolio import PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.staffing import (
    AbsenceFactory,
    AllocationFactory,
    CostRateFactory,
    PersonFactory,
    RoleFactory,
    StaffingRequestFactory,
)

from .conftest import MON

D = Decimal

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(project, person, analyst_role, eur):
    request = StaffingRequestFactory(project=project, role=analyst_role)
    return {
        "people": person,
        "staffing-roles": analyst_role,
        "cost-rates": CostRateFactory(person=person, currency=eur),
        "absences": AbsenceFactory(person=person),
        "allocations": AllocationFactory(person=person, project=project, role=analyst_role, request=request),
        "staffing-requests": request,
    }


def url(prefix, obj=None):
    return f"/api/v1/{prefix}/" + (f"{obj.pk}/" if obj is not None else "")


PATCHES = {
    "people": {"department": "Finance"},
    "staffing-roles": {"name": "Senior analyst"},
    "cost-rates": {"hourly_rate": "110.00"},
    "absences": {"note": "Ski trip"},
    "allocations": {"notes": "Core team"},
    "staffing-requests": {"notes": "Urgent"},
}


class TestAccess:
    @pytest.mark.parametrize("prefix", list(PATCHES))
    def test_outsider_gets_404(self, api_for, rows, outsider, prefix):
        client = api_for(outsider)
        assert client.get(url(prefix, rows[prefix])).status_code == 404
        assert client.patch(url(prefix, rows[prefix]), PATCHES[prefix], format="json").status_code == 404
        assert client.get(url(prefix)).json()["count"] == 0

    @pytest.mark.parametrize("prefix", ["people", "staffing-roles", "absences", "allocations", "staffing-requests"])
    def test_team_member_reads_but_gets_403_on_writes(self, api_for, rows, member, prefix):
        client = api_for(member)
        assert client.get(url(prefix, rows[prefix])).status_code == 200
        assert client.patch(url(prefix, rows[prefix]), PATCHES[prefix], format="json").status_code == 403
        assert client.delete(url(prefix, rows[prefix])).status_code == 403

    @pytest.mark.parametrize("prefix", list(PATCHES))
    def test_resource_manager_edits_everything_in_the_pool(self, api_for, rows, resource_manager, prefix):
        response = api_for(resource_manager).patch(url(prefix, rows[prefix]), PATCHES[prefix], format="json")
        assert response.status_code == 200, response.json()
        assert response["ETag"] == '"2"'

    def test_rates_are_hidden_from_team_members_and_executives(self, api_for, rows, member, executive):
        for user in (member, executive):
            client = api_for(user)
            assert client.get(url("cost-rates", rows["cost-rates"])).status_code == 404
            assert client.get(url("cost-rates")).json()["count"] == 0
            body = client.get(url("people", rows["people"])).json()
            assert "current_rate" not in body
            assert all("current_rate" not in p for p in client.get(url("people")).json()["results"])
            created = client.post(
                url("cost-rates"),
                {"person": rows["people"].pk, "effective_from": "2026-06-01", "hourly_rate": "1"},
                format="json",
            )
            assert created.status_code == 403

    def test_rates_are_shown_to_finance_analysts_and_resource_managers(self, api_for, rows, finance, resource_manager):
        for user in (finance, resource_manager):
            body = api_for(user).get(url("people", rows["people"])).json()
            assert body["current_rate"] == "100.00"
            assert body["current_rate_currency"] == "EUR"
        response = api_for(finance).post(
            url("cost-rates"),
            {"person": rows["people"].pk, "effective_from": "2026-06-01", "hourly_rate": "125.50"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["currency"] == "EUR"

    def test_project_manager_allocates_on_their_project_but_not_on_others(
        self, api_for, project, program, person, analyst_role, project_manager
    ):
        client = api_for(project_manager)
        body = {
            "person": person.pk,
            "project": project.pk,
            "role": analyst_role.pk,
            "start": "2026-03-02",
            "end": "2026-03-27",
            "fte_percent": "50",
        }
        assert client.post(url("allocations"), body, format="json").status_code == 201
        # The project manager does not manage the pool: people and roles are read-only for them.
        assert client.patch(url("people", person), {"department": "X"}, format="json").status_code == 403
        other = ProjectFactory(program=program)
        assert client.post(url("allocations"), {**body, "project": other.pk}, format="json").status_code == 400

    def test_program_manager_is_a_resource_manager_of_the_portfolio(self, api_for, portfolio, owner, analyst_role):
        response = api_for(owner).post(
            url("people"),
            {
                "portfolio": portfolio.pk,
                "name": "Bob Builder",
                "roles": [analyst_role.pk],
                "weekly_capacity_hours": "32",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["primary_role"] == analyst_role.pk


def errors_of(response):
    assert response.status_code == 400, response.json()
    return [e["field"] for e in response.json()["errors"]]


class TestBadInput:
    @pytest.fixture
    def allocation_body(self, project, person, analyst_role):
        return {
            "person": person.pk,
            "project": project.pk,
            "role": analyst_role.pk,
            "start": "2026-03-02",
            "end": "2026-03-27",
            "fte_percent": "50",
        }

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"end": "2026-03-01"}, "end"),
            ({"fte_percent": "0"}, "fte_percent"),
            ({"fte_percent": "150"}, "fte_percent"),
            ({"hours_per_week": "10"}, ["fte_percent", "hours_per_week"]),  # both
            ({"fte_percent": None}, ["fte_percent", "hours_per_week"]),  # neither
            ({"fte_percent": None, "hours_per_week": "-4"}, "hours_per_week"),
        ],
    )
    def test_allocation_rules_name_the_field(self, api_for, resource_manager, allocation_body, change, field):
        response = api_for(resource_manager).post(url("allocations"), {**allocation_body, **change}, format="json")
        assert errors_of(response) == (field if isinstance(field, list) else [field])
        assert Allocation.objects.count() == 0

    def test_person_from_another_portfolio_is_refused_on_person(self, api_for, allocation_body, resource_manager):
        other_pool = PortfolioFactory()
        stranger = PersonFactory(portfolio=other_pool)
        # A superuser sees every pool, so only the pool rule can refuse the stranger.
        from tests.factories.users import UserFactory

        admin = UserFactory(username="root", is_superuser=True, is_staff=True)
        response = api_for(admin).post(url("allocations"), {**allocation_body, "person": stranger.pk}, format="json")
        assert errors_of(response) == ["person"]
        # For a resource manager of CORP only, the stranger is not even visible: also a 400 on person.
        response = api_for(resource_manager).post(
            url("allocations"), {**allocation_body, "person": stranger.pk}, format="json"
        )
        assert errors_of(response) == ["person"]

    def test_request_of_another_role_is_refused_on_request(
        self, api_for, resource_manager, allocation_body, project, developer_role
    ):
        request = StaffingRequestFactory(project=project, role=developer_role)
        response = api_for(resource_manager).post(
            url("allocations"), {**allocation_body, "request": request.pk}, format="json"
        )
        assert errors_of(response) == ["request"]

    def test_negative_capacity_is_refused(self, api_for, resource_manager, portfolio):
        response = api_for(resource_manager).post(
            url("people"), {"portfolio": portfolio.pk, "name": "Neg", "weekly_capacity_hours": "-1"}, format="json"
        )
        assert errors_of(response) == ["weekly_capacity_hours"]

    def test_zero_capacity_is_allowed(self, api_for, resource_manager, portfolio):
        response = api_for(resource_manager).post(
            url("people"),
            {"portfolio": portfolio.pk, "name": "Contractor", "weekly_capacity_hours": "0"},
            format="json",
        )
        assert response.status_code == 201

    @pytest.mark.parametrize("rate", ["-5", "0"])
    def test_non_positive_rate_is_refused(self, api_for, finance, person, rate):
        response = api_for(finance).post(
            url("cost-rates"), {"person": person.pk, "effective_from": "2026-06-01", "hourly_rate": rate}, format="json"
        )
        assert errors_of(response) == ["hourly_rate"]

    def test_absence_ending_before_it_starts(self, api_for, resource_manager, person):
        response = api_for(resource_manager).post(
            url("absences"), {"person": person.pk, "start": "2026-03-05", "end": "2026-03-04"}, format="json"
        )
        assert errors_of(response) == ["end"]

    def test_request_with_fte_over_100(self, api_for, resource_manager, project, analyst_role):
        response = api_for(resource_manager).post(
            url("staffing-requests"),
            {
                "project": project.pk,
                "role": analyst_role.pk,
                "start": "2026-03-02",
                "end": "2026-03-06",
                "fte_percent": "150",
            },
            format="json",
        )
        assert errors_of(response) == ["fte_percent"]

    def test_role_of_another_pool_is_refused(self, api_for, project, person):
        from tests.factories.users import UserFactory

        admin = UserFactory(username="root", is_superuser=True, is_staff=True)
        foreign = RoleFactory(portfolio=PortfolioFactory())
        response = api_for(admin).post(
            url("allocations"),
            {
                "person": person.pk,
                "project": project.pk,
                "role": foreign.pk,
                "start": "2026-03-02",
                "end": "2026-03-06",
                "fte_percent": "10",
            },
            format="json",
        )
        assert errors_of(response) == ["role"]

    def test_patch_switching_an_allocation_to_hours_clears_the_fte(self, api_for, resource_manager, rows):
        allocation = rows["allocations"]
        response = api_for(resource_manager).patch(
            url("allocations", allocation), {"hours_per_week": "12"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert (response.json()["fte_percent"], response.json()["hours_per_week"]) == (None, "12.00")

    def test_stale_if_match_is_412(self, api_for, resource_manager, rows):
        response = api_for(resource_manager).patch(
            url("allocations", rows["allocations"]), {"notes": "x"}, format="json", HTTP_IF_MATCH='"7"'
        )
        assert response.status_code == 412


class TestComputed:
    def test_person_utilisation(self, api_for, member, rows):
        body = api_for(member).get(url("people", rows["people"]) + "utilisation/?start=2026-03-02&weeks=2").json()
        assert [w["load_hours"] for w in body["weeks"]] == ["0.00", "20.00"]  # week 1 is the holiday
        assert body["weeks"][0]["band"] == "absent"
        assert body["allocations"][0]["project_code"] == "MOD-ERP"

    def test_utilisation_hides_projects_the_reader_cannot_see(self, api_for, portfolio, rows, member, analyst_role):
        hidden = ProjectFactory(program=ProgramFactory(portfolio=portfolio))
        AllocationFactory(person=rows["people"], project=hidden, role=analyst_role)
        body = api_for(member).get(url("people", rows["people"]) + "utilisation/?start=2026-03-09&weeks=1").json()
        assert body["weeks"][0]["load_hours"] == "40.00"  # both allocations count
        assert sorted(a["project_code"] or "" for a in body["allocations"]) == ["", "MOD-ERP"]

    def test_bad_window_is_400(self, api_for, member, rows):
        response = api_for(member).get(url("people", rows["people"]) + "utilisation/?weeks=500")
        assert errors_of(response) == ["weeks"]

    def test_conflicts_by_program(self, api_for, owner, program, project, person, analyst_role):
        AllocationFactory(person=person, project=project, role=analyst_role, fte_percent=D(80))
        AllocationFactory(person=person, project=ProjectFactory(program=program), role=analyst_role, fte_percent=D(40))
        body = (
            api_for(owner).get(f"/api/v1/allocations/conflicts/?program={program.pk}&start=2026-03-02&weeks=4").json()
        )
        assert body["count"] == 1
        conflict = body["results"][0]
        assert conflict["name"] == person.name
        assert len(conflict["weeks"]) == 4
        assert len(conflict["allocations"]) == 2

    def test_conflicts_of_an_invisible_program_is_404(self, api_for, outsider, program):
        assert api_for(outsider).get(f"/api/v1/allocations/conflicts/?program={program.pk}").status_code == 404

    def test_capacity_heat_map_is_paginated_by_people(self, api_for, resource_manager, portfolio, rows):
        for _ in range(3):
            PersonFactory(portfolio=portfolio)
        body = (
            api_for(resource_manager)
            .get(f"/api/v1/people/capacity/?portfolio={portfolio.pk}&start=2026-03-02&weeks=26&page_size=2")
            .json()
        )
        assert body["count"] == 4
        assert len(body["results"]) == 2
        assert len(body["results"][0]["weeks"]) == 26

    def test_gaps_of_a_project(self, api_for, member, project, rows):
        body = api_for(member).get(f"/api/v1/staffing-requests/gaps/?project={project.pk}").json()
        assert body["requested_hours"] == "160.00"
        assert body["filled_hours"] == "80.00"  # 50 % for the 20 working days: the plan ignores absences
        assert body["by_role"][0]["role_name"] == "Business analyst"

    def test_gaps_need_exactly_one_scope(self, api_for, member):
        assert errors_of(api_for(member).get("/api/v1/staffing-requests/gaps/")) == ["program"]

    def test_labour_forecast_endpoint(self, api_for, member, project, person, analyst_role, calendar):
        project.status_date = dt.date(2026, 3, 1)
        project.save()
        AllocationFactory(person=person, project=project, role=analyst_role, start=MON, end=MON + dt.timedelta(days=4))
        body = api_for(member).get(f"/api/v1/allocations/labour-forecast/?project={project.pk}").json()
        assert body["currency"] == "EUR"
        assert body["periods"][0]["label"] == "FY2026 P03"
        assert D(body["total"]) == D(20 * 80)

    def test_cancel_a_request(self, api_for, resource_manager, member, rows):
        request = rows["staffing-requests"]
        assert api_for(member).post(url("staffing-requests", request) + "cancel/").status_code == 403
        response = api_for(resource_manager).post(url("staffing-requests", request) + "cancel/")
        assert response.status_code == 200
        assert response.json()["status"] == StaffingRequest.Status.CANCELLED
        again = api_for(resource_manager).post(url("staffing-requests", request) + "cancel/")
        assert errors_of(again) == ["status"]

    def test_deleting_a_person_with_allocations_is_409(self, api_for, resource_manager, rows):
        assert api_for(resource_manager).delete(url("people", rows["people"])).status_code == 409
