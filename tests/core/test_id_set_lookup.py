"""`__in_array` (core.lookups): the access checks' id sets as `= ANY(ARRAY(subquery))` on
PostgreSQL, and read once per API list page (KeelPagination) so its COUNT and page filter on
literal ids. Same rows as the IN it replaces, for every member of the cast."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import CostEntry
from core.lookups import materialize_id_sets
from projects.models import Project, Task
from tests.factories.projects import ProjectFactory, TaskFactory

CAST = ["owner", "project_manager", "member", "executive", "outsider"]


@pytest.fixture
def tasks(program, project):
    other = ProjectFactory(program=program)
    elsewhere = ProjectFactory()
    return [TaskFactory(project=p) for p in (project, project, other, elsewhere)]


@pytest.mark.django_db
@pytest.mark.parametrize("who", CAST)
def test_in_array_selects_what_in_selects(request, tasks, who):
    user = request.getfixturevalue(who)
    visible = Project.objects.visible_to(user).values("pk")
    expected = set(Task.objects.filter(project__in=visible))
    assert set(Task.objects.filter(project__in_array=visible)) == expected
    assert set(Task.objects.visible_to(user)) == expected
    assert set(materialize_id_sets(Task.objects.visible_to(user))) == expected


@pytest.mark.django_db
def test_postgres_reads_the_id_set_as_an_array(owner, tasks):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: other databases keep the IN")
    sql = str(Task.objects.visible_to(owner).query)
    assert "= ANY(ARRAY(SELECT" in sql


@pytest.mark.django_db
def test_materialized_list_filters_on_literal_ids_in_count_and_page(api_for, owner, tasks):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: other databases keep the subquery")
    with CaptureQueriesContext(connection) as captured:
        response = api_for(owner).get("/api/v1/tasks/")
    assert response.status_code == 200
    assert response.json()["count"] == 3
    task_queries = [q["sql"] for q in captured.captured_queries if 'FROM "projects_task"' in q["sql"]]
    assert len(task_queries) == 2  # the COUNT and the page
    assert all("ARRAY(SELECT" not in sql and "= ANY(" in sql for sql in task_queries)


@pytest.mark.django_db
def test_a_user_who_sees_nothing_gets_an_empty_list(api_for, outsider, tasks):
    response = api_for(outsider).get("/api/v1/tasks/")
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert CostEntry.objects.visible_to(outsider).count() == 0
