"""The staffing pages: access, the heat map, inline editing, and query counts that do not grow."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from staffing.models import Allocation, Person, StaffingRequest
from tests.factories.projects import ProjectFactory
from tests.factories.staffing import (
    AbsenceFactory,
    AllocationFactory,
    CostRateFactory,
    PersonFactory,
    StaffingRequestFactory,
)

D = Decimal

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def this_monday():
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


@pytest.fixture
def booked(project, person, analyst_role):
    """`person` 120 % booked this week and next, with a request for the role."""
    monday = this_monday()
    request = StaffingRequestFactory(
        project=project, role=analyst_role, start=monday, end=monday + dt.timedelta(days=13)
    )
    AllocationFactory(
        person=person,
        project=project,
        role=analyst_role,
        start=monday,
        end=monday + dt.timedelta(days=13),
        fte_percent=D(80),
        request=request,
    )
    AllocationFactory(
        person=person,
        project=ProjectFactory(program=project.program),
        role=analyst_role,
        start=monday,
        end=monday + dt.timedelta(days=13),
        fte_percent=D(40),
    )
    return person


class TestCapacityPage:
    def test_heat_map_shows_people_by_week_with_over_allocation(self, client_for, executive, booked):
        response = client_for(executive).get(reverse("staffing:capacity"))
        assert response.status_code == 200
        html = response.content.decode()
        assert booked.name in html
        assert html.count('<td class="heat heat-over"') == 2
        assert "48.0 h booked of 40.0 h capacity (120 %)" in html
        assert "Over-allocations among the people on this page" in html
        assert len(response.context["weeks"]) == 12

    def test_26_weeks_and_filters(self, client_for, executive, booked, project, developer_role):
        response = client_for(executive).get(reverse("staffing:capacity"), {"weeks": 26, "project": project.code})
        assert len(response.context["weeks"]) == 26
        assert [r["person"] for r in response.context["rows"]] == [booked]
        response = client_for(executive).get(reverse("staffing:capacity"), {"role": developer_role.pk})
        assert response.context["rows"] == []

    def test_holiday_week_is_marked_absent(self, client_for, executive, booked):
        monday = this_monday()
        AbsenceFactory(person=booked, start=monday, end=monday + dt.timedelta(days=4))
        html = client_for(executive).get(reverse("staffing:capacity")).content.decode()
        assert 'class="heat heat-absent"' in html
        assert "48.0 h booked on those days not counted" in html

    def test_outsider_sees_no_people(self, client_for, outsider, booked):
        response = client_for(outsider).get(reverse("staffing:capacity"))
        assert response.status_code == 200
        assert response.context["rows"] == []


class TestPersonPages:
    def test_outsider_gets_404(self, client_for, outsider, person):
        assert client_for(outsider).get(reverse("staffing:person-detail", args=[person.pk])).status_code == 404
        assert client_for(outsider).get(reverse("staffing:person-edit", args=[person.pk])).status_code == 404

    def test_rates_hidden_from_team_members_and_shown_to_finance(self, client_for, member, finance, person, eur):
        CostRateFactory(person=person, hourly_rate=D("123.45"), currency=eur)
        page = client_for(member).get(reverse("staffing:person-detail", args=[person.pk])).content.decode()
        assert "123.45" not in page
        assert "Cost rates" not in page
        page = client_for(finance).get(reverse("staffing:person-detail", args=[person.pk])).content.decode()
        assert "123.45" in page

    def test_member_cannot_edit_or_add_absences(self, client_for, member, person):
        assert client_for(member).get(reverse("staffing:person-edit", args=[person.pk])).status_code == 404
        response = client_for(member).post(
            reverse("staffing:absence-add", args=[person.pk]),
            {"start": "2026-03-02", "end": "2026-03-03", "kind": "holiday"},
        )
        assert response.status_code == 404
        response = client_for(member).post(
            reverse("staffing:cost-rate-add", args=[person.pk]), {"effective_from": "2026-03-02", "hourly_rate": "1"}
        )
        assert response.status_code == 404

    def test_detail_shows_chart_and_allocations(self, client_for, member, booked):
        response = client_for(member).get(reverse("staffing:person-detail", args=[booked.pk]))
        html = response.content.decode()
        assert "<svg" in html
        assert "band-over" in html
        assert "MOD-ERP" in html
        assert "Another project" in html  # the second allocation's project is hidden from the member
        assert response.context["over_weeks"] == 2

    def test_resource_manager_creates_and_edits_a_person(self, client_for, resource_manager, portfolio, analyst_role):
        client = client_for(resource_manager)
        response = client.post(
            reverse("staffing:person-add"),
            {
                "portfolio": portfolio.pk,
                "name": "New Person",
                "roles": [analyst_role.pk],
                "weekly_capacity_hours": "30",
                "is_active": "on",
            },
        )
        person = Person.objects.get(name="New Person")
        assert response.status_code == 302
        assert person.primary_role == analyst_role
        response = client.post(
            reverse("staffing:person-edit", args=[person.pk]),
            {"name": "Renamed", "roles": [analyst_role.pk], "weekly_capacity_hours": "-3", "version": person.version},
        )
        assert response.status_code == 200
        assert "weekly_capacity_hours" in response.context["form"].errors

    def test_absence_end_before_start_shows_the_error(self, client_for, resource_manager, person):
        response = client_for(resource_manager).post(
            reverse("staffing:absence-add", args=[person.pk]),
            {"start": "2026-03-05", "end": "2026-03-04", "kind": "holiday"},
        )
        assert response.status_code == 400
        assert "end" in response.context["absence_form"].errors

    def test_person_list_filters(self, client_for, executive, person, portfolio):
        PersonFactory(portfolio=portfolio, name="Zed", department="Ops")
        response = client_for(executive).get(reverse("staffing:person-list"), {"department": "Ops"})
        assert [p.name for p in response.context["page"].object_list] == ["Zed"]


class TestProjectStaffing:
    def test_outsider_404_and_member_read_only(self, client_for, outsider, member, project, booked):
        url = reverse("staffing:project-staffing", args=[project.code])
        assert client_for(outsider).get(url).status_code == 404
        response = client_for(member).get(url)
        assert response.status_code == 200
        assert "Add allocation" not in response.content.decode()
        post = client_for(member).post(reverse("staffing:allocation-add", args=[project.code]), {})
        assert post.status_code == 404

    def test_htmx_add_edit_delete_allocation(self, client_for, project_manager, project, person, analyst_role):
        client = client_for(project_manager)
        data = {
            "person": person.pk,
            "role": analyst_role.pk,
            "start": "2026-03-02",
            "end": "2026-03-27",
            "fte_percent": "50",
        }
        response = client.post(reverse("staffing:allocation-add", args=[project.code]), data, **HTMX)
        assert response.status_code == 200
        assert response.templates[0].name == "staffing/_allocation_rows.html"
        allocation = Allocation.objects.get()
        edit_url = reverse("staffing:allocation-edit", args=[project.code, allocation.pk])
        assert "Edit the allocation" in client.get(edit_url, **HTMX).content.decode()
        response = client.post(edit_url, {**data, "fte_percent": "", "hours_per_week": "12", "version": 1}, **HTMX)
        assert response.status_code == 200
        allocation.refresh_from_db()
        assert (allocation.fte_percent, allocation.hours_per_week) == (None, D(12))
        response = client.post(
            reverse("staffing:allocation-delete", args=[project.code, allocation.pk]), {"version": 2}, **HTMX
        )
        assert response.status_code == 200
        assert not Allocation.objects.exists()

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"fte_percent": "150"}, "fte_percent"),
            ({"end": "2026-03-01"}, "end"),
            ({"hours_per_week": "10"}, "fte_percent"),
        ],
    )
    def test_bad_allocation_shows_the_error_on_the_field(
        self, client_for, project_manager, project, person, analyst_role, change, field
    ):
        data = {
            "person": person.pk,
            "role": analyst_role.pk,
            "start": "2026-03-02",
            "end": "2026-03-27",
            "fte_percent": "50",
        }
        response = client_for(project_manager).post(
            reverse("staffing:allocation-add", args=[project.code]), {**data, **change}, **HTMX
        )
        assert response.status_code == 422  # htmx swaps 422 in (see base.html)
        assert field in response.context["allocation_form"].errors

    def test_add_and_cancel_a_request(self, client_for, owner, project, analyst_role):
        client = client_for(owner)
        response = client.post(
            reverse("staffing:request-add", args=[project.code]),
            {"role": analyst_role.pk, "start": "2026-03-02", "end": "2026-03-27", "fte_percent": "100"},
        )
        assert response.status_code == 302
        request = StaffingRequest.objects.get()
        assert request.requested_by == owner
        client.post(reverse("staffing:request-cancel", args=[project.code, request.pk]), **HTMX)
        request.refresh_from_db()
        assert request.status == StaffingRequest.Status.CANCELLED

    def test_htmx_edit_request_and_stale_version(self, client_for, owner, project, analyst_role):
        client = client_for(owner)
        request = StaffingRequestFactory(project=project, role=analyst_role)
        url = reverse("staffing:request-edit", args=[project.code, request.pk])
        assert "Edit the Business analyst request" in client.get(url, **HTMX).content.decode()
        data = {"role": analyst_role.pk, "start": "2026-03-02", "end": "2026-04-24", "fte_percent": "50"}
        response = client.post(url, {**data, "version": 1}, **HTMX)
        assert response.status_code == 200
        request.refresh_from_db()
        assert (request.end, request.fte_percent, request.version) == (dt.date(2026, 4, 24), D(50), 2)
        stale = client.post(url, {**data, "notes": "late", "version": 1}, **HTMX)
        assert stale.status_code == 409
        assert "changed by someone else" in stale.content.decode()


class TestProgramStaffing:
    def test_requested_vs_filled_and_conflicts(self, client_for, owner, program, booked, analyst_role):
        response = client_for(owner).get(reverse("staffing:program-staffing", args=[program.code]))
        assert response.status_code == 200
        (role,) = response.context["gaps"].by_role
        assert role.role == analyst_role
        assert role.requested_hours == D(80)
        assert role.filled_hours == D(64)
        assert [c["person"] for c in response.context["conflicts"]] == [booked]

    def test_outsider_gets_404(self, client_for, outsider, program):
        assert client_for(outsider).get(reverse("staffing:program-staffing", args=[program.code])).status_code == 404

    def test_summary_card_renders(self, owner, program, booked):
        from django.template.loader import render_to_string

        from staffing.selectors import program_staffing_summary

        html = render_to_string(
            "staffing/_program_summary.html", {"staffing": program_staffing_summary(program=program, user=owner)}
        )
        assert "Over-allocated in" in html
        assert booked.name in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


class TestQueryCounts:
    def _grow(self, portfolio, program, role, n):
        monday = this_monday()
        projects = [ProjectFactory(program=program) for _ in range(2)]
        for _i in range(n):
            person = PersonFactory(portfolio=portfolio, roles=[role])
            CostRateFactory(person=person)
            AbsenceFactory(person=person, start=monday, end=monday)
            for project in projects:
                request = StaffingRequestFactory(
                    project=project, role=role, start=monday, end=monday + dt.timedelta(days=30)
                )
                AllocationFactory(
                    person=person,
                    project=project,
                    role=role,
                    start=monday,
                    end=monday + dt.timedelta(days=60),
                    request=request,
                )
        return projects[0]

    def test_pages_do_not_grow_with_rows(
        self, client_for, portfolio, program, analyst_role, eur, calendar, resource_manager
    ):
        client = client_for(resource_manager)
        counts = []
        for n in (1, 8):
            project = self._grow(portfolio, program, analyst_role, n)
            person = Person.objects.filter(allocations__project=project).first()
            urls = {
                "capacity": reverse("staffing:capacity"),
                "capacity 26 weeks, program": reverse("staffing:capacity") + f"?weeks=26&program={program.pk}",
                "person-list": reverse("staffing:person-list"),
                "person-detail": reverse("staffing:person-detail", args=[person.pk]),
                "program-staffing": reverse("staffing:program-staffing", args=[program.code]),
                "project-staffing": reverse("staffing:project-staffing", args=[project.code]),
            }
            counts.append({name: _queries(client, url) for name, url in urls.items()})
        assert counts[0] == counts[1], counts
        print("page query counts", counts[1])


def test_a_plain_post_of_a_bad_allocation_is_400_and_htmx_gets_422(client_for, project_manager, project, person):
    from tests.factories.staffing import RoleFactory

    role = RoleFactory(portfolio=project.program.portfolio)
    data = {"person": person.pk, "role": role.pk, "start": "2026-03-02", "end": "2026-03-01", "fte_percent": "50"}
    url = reverse("staffing:allocation-add", args=[project.code])
    client = client_for(project_manager)
    assert client.post(url, data).status_code == 400
    assert client.post(url, data, **HTMX).status_code == 422
