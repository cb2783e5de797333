"""The capacity page's conflicts: the heat map lists the over-allocations of the people on its
page; `staffing:capacity-conflicts` lists them all for the same filters, paginated, in a fixed
number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from staffing import views
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.staffing import AllocationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def this_monday():
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


def over_allocate(project, role, *, name, percent=120):
    """A person booked `percent` % this week on `project` (two allocations)."""
    person = PersonFactory(portfolio=project.program.portfolio, name=name)
    monday = this_monday()
    for share in (percent / 2, percent / 2):
        AllocationFactory(
            person=person,
            project=project,
            role=role,
            start=monday,
            end=monday + dt.timedelta(days=4),
            fte_percent=Decimal(share),
        )
    return person


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "PEOPLE_PER_PAGE", 2)
    monkeypatch.setattr(views, "CONFLICTS_PER_PAGE", 2)


@pytest.fixture
def crowd(project, analyst_role, small_pages):
    """Five over-allocated people on the cast's project (worst first: 160 % down to 120 %), and
    one on another program's project."""
    people = [over_allocate(project, analyst_role, name=f"Over {n}", percent=160 - 10 * n) for n in range(5)]
    elsewhere = ProjectFactory(program=ProgramFactory(portfolio=project.program.portfolio))
    other = over_allocate(elsewhere, analyst_role, name="Elsewhere", percent=200)
    return people, other


def conflicts_of(response):
    return [row["person"].name for row in response.context["conflicts"]]


def test_the_heat_map_links_to_every_conflict_for_its_filters(client_for, resource_manager, crowd, program):
    response = client_for(resource_manager).get(reverse("staffing:capacity"), {"program": program.pk, "weeks": 26})
    assert len(conflicts_of(response)) == 2  # only its page of people
    link = reverse("staffing:capacity-conflicts") + f"?program={program.pk}&amp;weeks=26"
    assert link in response.content.decode()


def test_the_conflicts_page_lists_everyone_the_filters_select_worst_first(client_for, resource_manager, crowd, program):
    people, other = crowd
    assert all(p.name.startswith("Over") for p in people)
    client = client_for(resource_manager)
    pages = [client.get(reverse("staffing:capacity-conflicts"), {"program": program.pk, "page": n}) for n in (1, 2, 3)]
    assert [conflicts_of(p) for p in pages] == [["Over 0", "Over 1"], ["Over 2", "Over 3"], ["Over 4"]]
    assert pages[0].context["page"].paginator.count == 5
    everyone = client.get(reverse("staffing:capacity-conflicts"))
    assert everyone.context["page"].paginator.count == 6
    assert conflicts_of(everyone)[0] == other.name  # 200 %: the worst of all


def test_the_conflicts_page_shows_nothing_to_an_outsider(client_for, outsider, crowd):
    response = client_for(outsider).get(reverse("staffing:capacity-conflicts"))
    assert response.status_code == 200
    assert response.context["conflicts"] == []


@pytest.mark.parametrize(
    "query", [{"start": "0001-01-01"}, {"weeks": "100000"}, {"program": "abc"}, {"page": "999999"}], ids=repr
)
def test_bad_filters_are_reported_not_computed(client_for, resource_manager, crowd, query):
    response = client_for(resource_manager).get(reverse("staffing:capacity-conflicts"), query)
    assert response.status_code == 200
    field = next(iter(query))
    if field != "page":
        assert field in response.context["form"].errors
    else:
        assert response.context["page"].number == 3  # the last page


def test_the_conflicts_page_does_not_grow_with_people_or_allocations(
    client_for, resource_manager, project, analyst_role
):
    client = client_for(resource_manager)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("staffing:capacity-conflicts"), {"program": project.program_id})
        assert response.status_code == 200
        return len(captured), len(response.context["conflicts"])

    over_allocate(project, analyst_role, name="First")
    small = count()
    for n in range(8):
        over_allocate(ProjectFactory(program=project.program), analyst_role, name=f"More {n}")
    large = count()
    assert (small[1], large[1]) == (1, 9)
    assert small[0] == large[0], (small, large)
    print("capacity-conflicts queries", large[0])
