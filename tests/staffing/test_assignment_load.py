"""Schedule assignments feed a person's load and the labour cost forecast where no allocation of
that person on that project covers the day: the allocation wins, never both
(staffing.assignment_load)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets.services import fiscal_periods_generate
from projects.models import Project, ScheduleResource, Task
from staffing import selectors
from staffing.models import ResourceMatch
from tests.factories.projects import ProjectFactory, ScheduleAssignmentFactory, ScheduleResourceFactory, TaskFactory
from tests.factories.staffing import AllocationFactory, CostRateFactory, PersonFactory

D = Decimal
MON = dt.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def assign(project, *, person=None, role=None, start=MON, days=10, hours=40, remaining=None, name="Build"):
    """A task of `project` from `start` over `days` working days (two weeks by default) with a
    resource matched to `person` or `role`, assigned `hours` of work."""
    finish = start + dt.timedelta(days=days + 2 * ((days - 1) // 5) - 1)
    task = TaskFactory(project=project, name=name, duration_minutes=days * 480)
    Task.objects.filter(pk=task.pk).update(start=at(start, 8), finish=at(finish, 17))
    resource = ScheduleResourceFactory(project=project, name=f"{name} resource")
    ResourceMatch.objects.create(resource=resource, person=person, role=role, basis="chosen")
    return ScheduleAssignmentFactory(
        task=Task.objects.get(pk=task.pk),
        resource=resource,
        work_minutes=hours * 60,
        remaining_work_minutes=(hours if remaining is None else remaining) * 60,
    )


@pytest.fixture
def rated(person, eur):
    CostRateFactory(person=person, effective_from=dt.date(2026, 1, 1), hourly_rate=D("100"), currency=eur)
    return person


@pytest.fixture
def fiscal(calendar):
    fiscal_periods_generate(actor=None, calendar=calendar, first_year=2026)
    return calendar


@pytest.fixture
def from_march(project):
    project.status_date = dt.date(2026, 3, 1)
    project.save()
    return Project.objects.select_related("program__portfolio").get(pk=project.pk)


class TestLoad:
    def test_assignment_work_loads_the_matched_person_over_the_tasks_days(self, project, person):
        assign(project, person=person)
        (load,) = selectors.utilisation([person], start=MON, weeks=3)
        assert [w.load for w in load.weeks] == [D(20), D(20), D(0)]
        assert load.assignment_hours == D(40)

    def test_an_allocation_on_the_project_wins_over_the_assignment_on_the_days_it_covers(
        self, project, person, analyst_role
    ):
        assign(project, person=person)
        AllocationFactory(person=person, project=project, role=analyst_role, start=MON, end=MON + dt.timedelta(4))
        (load,) = selectors.utilisation([person], start=MON, weeks=2)
        # week 1: the allocation's 50 % of 40 h only; week 2: the assignment's 20 h
        assert [w.load for w in load.weeks] == [D(20), D(20)]
        assert load.assignment_hours == D(20)

    def test_an_allocation_on_another_project_does_not_hide_this_projects_assignment(
        self, project, person, analyst_role
    ):
        assign(project, person=person)
        other = ProjectFactory(program=project.program)
        AllocationFactory(person=person, project=other, role=analyst_role, start=MON, end=MON + dt.timedelta(4))
        (load,) = selectors.utilisation([person], start=MON, weeks=1)
        assert load.weeks[0].load == D(40)  # 20 h allocated elsewhere + 20 h assigned here
        assert load.weeks[0].over_allocated is False

    def test_unmatched_and_role_matched_resources_load_nobody(self, project, person, analyst_role):
        assign(project, role=analyst_role)
        assignment = assign(project, name="Test")
        ResourceMatch.objects.filter(resource=assignment.resource).update(person=None, role=None)
        (load,) = selectors.utilisation([person], start=MON, weeks=2)
        assert load.total_load == D(0)

    def test_material_resources_load_nobody(self, project, person):
        assignment = assign(project, person=person)
        ScheduleResource.objects.filter(pk=assignment.resource_id).update(type="material")
        (load,) = selectors.utilisation([person], start=MON, weeks=2)
        assert load.total_load == D(0)

    def test_a_finished_project_loads_nobody(self, project, person):
        assign(project, person=person)
        Project.objects.filter(pk=project.pk).update(status=Project.Status.COMPLETED)
        (load,) = selectors.utilisation([person], start=MON, weeks=2)
        assert load.total_load == D(0)


class TestLabourForecast:
    def test_remaining_assignment_work_is_costed_at_the_persons_rate(self, from_march, rated, fiscal):
        assign(from_march, person=rated, hours=40, remaining=30)
        forecast = selectors.labour_forecast(from_march, fiscal)
        assert forecast.total_hours == D(30)
        assert forecast.total == D(3000)
        assert forecast.total_assignment_hours == D(30)

    def test_allocation_wins_so_no_hour_is_counted_twice(self, from_march, rated, analyst_role, fiscal):
        assign(from_march, person=rated, hours=40)
        AllocationFactory(
            person=rated,
            project=from_march,
            role=analyst_role,
            start=MON,
            end=MON + dt.timedelta(4),
            fte_percent=D(50),
        )
        forecast = selectors.labour_forecast(from_march, fiscal)
        # 20 h of allocation in week 1 + 20 h of the assignment in week 2 (not 20 + 40)
        assert forecast.total_hours == D(40)
        assert forecast.total_assignment_hours == D(20)
        assert forecast.total == D(4000)

    def test_a_role_matched_resource_is_costed_at_the_roles_standard_rate(self, from_march, analyst_role, fiscal):
        assign(from_march, role=analyst_role, hours=10)
        forecast = selectors.labour_forecast(from_march, fiscal)
        assert (forecast.total_hours, forecast.total) == (D(10), D(800))

    def test_a_reader_who_may_not_see_the_rate_gets_the_role_rate(self, from_march, rated, analyst_role, fiscal):
        rated.primary_role = analyst_role
        rated.save()
        assign(from_march, person=rated, hours=10)
        forecast = selectors.labour_forecast(from_march, fiscal, rate_portfolios=set())
        assert (forecast.total, forecast.rates_withheld) == (D(800), True)


class TestPages:
    def test_capacity_page_says_allocations_win_and_the_cell_gives_the_assigned_hours(
        self, client_for, executive, project, person
    ):
        monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
        assign(project, person=person, start=monday)
        html = client_for(executive).get(reverse("staffing:capacity")).content.decode()
        assert "allocations win" in html
        assert "20.0 h booked of 40.0 h capacity (50 %), of which 20.0 h from schedule assignments" in html

    def test_project_staffing_page_labels_the_assignment_hours(
        self, client_for, executive, project, person, eur, fiscal
    ):
        monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
        CostRateFactory(person=person, effective_from=dt.date(2020, 1, 1), hourly_rate=D("100"), currency=eur)
        if monday.year != 2026:  # the fixture made 2026's periods
            fiscal_periods_generate(actor=None, calendar=fiscal, first_year=monday.year)
        assign(project, person=person, start=monday, hours=40)
        html = client_for(executive).get(reverse("staffing:project-staffing", args=[project.code])).content.decode()
        assert "allocations win" in html
        assert 'data-figure="assignment-hours">40.0 of these hours' in html


class TestCapacityFilters:
    """The capacity filters by program / project find the people whose load they would show: an
    assignment with no allocation loads its person, so it selects them too (page, conflicts page
    and API alike)."""

    @pytest.fixture
    def assigned_only(self, project, portfolio):
        """Bob: two weeks of 60 h on `project` from MON, no allocation (over-allocated)."""
        bob = PersonFactory(portfolio=portfolio, name="Bob Builder")
        assign(project, person=bob, hours=120)
        return bob

    def test_project_and_program_filters_find_a_person_with_only_an_assignment(self, executive, project, assigned_only):
        _, first, last = selectors.window(MON, 4)
        by_project = selectors.people_for_capacity(user=executive, project=project, first=first, last=last)
        by_program = selectors.people_for_capacity(user=executive, program=project.program, first=first, last=last)
        assert list(by_project) == [assigned_only]
        assert list(by_program) == [assigned_only]

    def test_assignments_elsewhere_or_outside_the_window_select_nobody(
        self, executive, project, program, assigned_only, portfolio
    ):
        other = ProjectFactory(program=program)
        _, first, last = selectors.window(MON + dt.timedelta(weeks=2), 4)  # after Bob's task
        assert list(selectors.people_for_capacity(user=executive, project=project, first=first, last=last)) == []
        _, first, last = selectors.window(MON, 4)
        assert list(selectors.people_for_capacity(user=executive, project=other, first=first, last=last)) == []

    def test_a_person_with_an_allocation_and_an_assignment_is_listed_once(
        self, executive, project, person, analyst_role
    ):
        assign(project, person=person)
        AllocationFactory(person=person, project=project, role=analyst_role, start=MON, end=MON + dt.timedelta(4))
        _, first, last = selectors.window(MON, 4)
        assert list(selectors.people_for_capacity(user=executive, program=project.program, first=first, last=last)) == [
            person
        ]

    def test_capacity_page_and_its_conflicts_list_the_assignment_only_person(
        self, client_for, executive, project, assigned_only
    ):
        query = {"project": project.code, "start": MON.isoformat(), "weeks": 12}
        client = client_for(executive)
        response = client.get(reverse("staffing:capacity"), query)
        assert [r["person"] for r in response.context["rows"]] == [assigned_only]
        html = response.content.decode()
        assert "60.0 h booked of 40.0 h capacity (150 %), of which 60.0 h from schedule assignments" in html
        assert 'data-figure="conflict-assignment-hours">120.0 h in those weeks from schedule assignments' in html
        conflicts = client.get(reverse("staffing:capacity-conflicts"), query)
        assert [c["person"] for c in conflicts.context["conflicts"]] == [assigned_only]

    def test_program_staffing_page_and_card_find_the_assignment_only_person(self, client_for, executive, project):
        """The program's staffing page and its card on the program page count the same people as
        the capacity page filtered by the program: Bob's only work there is an assignment."""
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday())
        bob = PersonFactory(portfolio=project.program.portfolio, name="Bob Builder")
        assign(project, person=bob, start=monday, hours=120)  # 60 h a week: over-allocated
        response = client_for(executive).get(reverse("staffing:program-staffing", args=[project.program.code]))
        assert response.context["people_count"] == 1
        assert [row["person"] for row in response.context["conflicts"]] == [bob]
        card = selectors.program_staffing_summary(program=project.program, user=executive)
        assert card["over_allocated_people"] == [bob]
        first, last = response.context["first"], response.context["last"]
        by_program = selectors.people_for_capacity(user=executive, program=project.program, first=first, last=last)
        assert list(by_program) == [bob]

    def test_api_capacity_and_conflicts_give_the_same_people_as_the_page(
        self, api_for, client_for, executive, project, assigned_only, person
    ):
        query = f"project={project.pk}&start={MON.isoformat()}&weeks=12"
        body = api_for(executive).get(f"/api/v1/people/capacity/?{query}").json()
        page = client_for(executive).get(
            reverse("staffing:capacity"), {"project": project.code, "start": MON.isoformat(), "weeks": 12}
        )
        assert [row["person"] for row in body["results"]] == [r["person"].pk for r in page.context["rows"]]
        assert [row["person"] for row in body["results"]] == [assigned_only.pk]
        assert sum(D(w["load_hours"]) for w in body["results"][0]["weeks"]) == D(120)
        conflicts = api_for(executive).get(f"/api/v1/allocations/conflicts/?{query}").json()
        assert [(c["name"], c["allocations"], c["assignment_hours"]) for c in conflicts["results"]] == [
            (assigned_only.name, [], "120.00")
        ]
