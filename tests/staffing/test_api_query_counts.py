"""Every staffing list endpoint and computed action issues the same number of queries for few rows as
for many. The viewer is a finance analyst on the portfolio (sees rates, so the person list
includes them) or, for the rates-free reads, the cast's executive."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.staffing import (
    AbsenceFactory,
    AllocationFactory,
    CostRateFactory,
    PersonFactory,
    RoleFactory,
    StaffingRequestFactory,
)

pytestmark = pytest.mark.django_db
SMALL, LARGE = 2, 12


def add_rows(count, *, portfolio, program, project):
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    for _ in range(count):
        role = RoleFactory(portfolio=portfolio)
        person = PersonFactory(portfolio=portfolio, roles=[role], primary_role=role)
        CostRateFactory(person=person)
        AbsenceFactory(person=person, start=monday, end=monday + dt.timedelta(days=1))
        other = ProjectFactory(program=program)
        for target in (project, other):
            request = StaffingRequestFactory(
                project=target, role=role, start=monday, end=monday + dt.timedelta(days=20)
            )
            AllocationFactory(
                person=person,
                project=target,
                role=role,
                start=monday,
                end=monday + dt.timedelta(days=40),
                request=request,
                fte_percent=60,
            )


ENDPOINTS = [
    "/api/v1/people/",
    "/api/v1/people/?search=Person&ordering=-name",
    "/api/v1/staffing-roles/",
    "/api/v1/cost-rates/",
    "/api/v1/absences/",
    "/api/v1/allocations/",
    "/api/v1/allocations/?program_code=MOD&ordering=-start",
    "/api/v1/staffing-requests/",
    "/api/v1/staffing-requests/?status=open&status=partially_filled",
    "/api/v1/people/capacity/?weeks=26",
    "/api/v1/allocations/conflicts/?program={program}",
    "/api/v1/staffing-requests/gaps/?program={program}",
    "/api/v1/allocations/labour-forecast/?project={project}",
    "/api/v1/people/{person}/utilisation/",
]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_query_count_does_not_grow_with_rows(api_for, finance, portfolio, program, project, calendar, eur, endpoint):
    client = api_for(finance)
    add_rows(SMALL, portfolio=portfolio, program=program, project=project)
    person = project.allocations.first().person
    url = endpoint.format(program=program.pk, project=project.pk, person=person.pk)
    client.get(url)  # warm per-process caches
    small = queries_for(client, url)
    add_rows(LARGE, portfolio=portfolio, program=ProgramFactory(portfolio=portfolio), project=project)
    large = queries_for(client, url)
    print(f"QUERIES {endpoint}: {small} -> {large}")
    assert small == large
