"""The links of a project's schedule are read by a UNION of two indexed lookups, not an OR
across the link-task join (which scans every link in the database)."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from projects.models import Dependency
from projects.selectors.schedule import project_schedule
from tests.factories.projects import ProjectFactory, TaskFactory


@pytest.fixture
def linked(program, project):
    """`project` with links inside it, into it and out of it, and links elsewhere."""
    sibling, elsewhere = ProjectFactory(program=program), ProjectFactory()
    mine = [TaskFactory(project=project) for _ in range(4)]
    theirs = [TaskFactory(project=sibling) for _ in range(2)]
    far = [TaskFactory(project=elsewhere) for _ in range(2)]
    for pred, succ in [(mine[0], mine[1]), (mine[1], mine[2]), (theirs[0], mine[3]), (mine[2], theirs[1])]:
        Dependency.objects.create(predecessor=pred, successor=succ)
    Dependency.objects.create(predecessor=far[0], successor=far[1])
    Dependency.objects.create(predecessor=theirs[0], successor=theirs[1])
    return project


@pytest.mark.django_db
def test_touching_finds_the_links_the_or_query_found(linked):
    expected = set(Dependency.objects.filter(Q(successor__project=linked) | Q(predecessor__project=linked)))
    assert len(expected) == 4
    assert set(Dependency.objects.touching(linked)) == expected


@pytest.mark.django_db
def test_schedule_reads_links_by_union_without_an_or_across_the_join(linked):
    with CaptureQueriesContext(connection) as captured:
        schedule = project_schedule(project=linked)
    link_sql = [q["sql"] for q in captured.captured_queries if 'FROM "projects_dependency"' in q["sql"]]
    assert len(link_sql) == 1
    assert " UNION " in link_sql[0].upper()
    assert " OR " not in link_sql[0].upper()
    assert sum(len(row.predecessors) for row in schedule.rows) >= 3
