"""Durations, lags and dates of a schedule at the edges of core.bounds: one past the edge is a
form error naming the field (a task of 20,000 days is refused) and nothing is stored; the edge
itself is stored and the schedule page shows it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core import bounds
from projects.models import Dependency, Task
from projects.services.schedule import task_create

pytestmark = pytest.mark.django_db

CODE = "MOD-ERP"
SCHEDULE = reverse("projects:schedule", args=[CODE])
TASK_ADD = reverse("projects:schedule-task-add", args=[CODE])
HTMX = {"HTTP_HX_REQUEST": "true"}
NEW_TASK = {"name": "Long", "duration_days": "1", "percent_complete": "0", "constraint_type": "ASAP"}
# The schedule page of a one-task plan is a few tens of kB; a far-off date must not multiply it.
PAGE_LIMIT = 400_000


@pytest.fixture
def started(project):
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    return project


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_days": "20000"}, "duration_days"),
        ({"duration_days": str(bounds.DAYS_MAX + Decimal("0.01"))}, "duration_days"),
        ({"duration_days": "-0.01"}, "duration_days"),
        ({"constraint_type": "SNET", "constraint_day": "3000-01-01"}, "constraint_day"),
        ({"constraint_type": "SNET", "constraint_day": "1899-12-31"}, "constraint_day"),
    ],
)
def test_the_task_form_refuses_a_value_past_the_range_and_stores_nothing(
    client_for, project_manager, started, changes, field
):
    response = client_for(project_manager).post(TASK_ADD, NEW_TASK | changes, **HTMX)
    assert response.status_code == 422
    assert field in response.context["task_form"].errors
    assert not Task.objects.exists()


@pytest.mark.parametrize("lag", [str(bounds.DAYS_MAX + 1), str(-bounds.DAYS_MAX - 1)])
def test_the_link_form_refuses_a_lag_past_the_range(client_for, project_manager, owner, started, lag):
    first = task_create(actor=owner, project=started, name="First", duration_minutes=480)
    second = task_create(actor=owner, project=started, name="Second", duration_minutes=480)
    url = reverse("projects:schedule-link-add", args=[CODE, second.pk])
    response = client_for(project_manager).post(url, {"predecessor": first.pk, "type": "FS", "lag_days": lag}, **HTMX)
    assert response.status_code == 422
    assert not Dependency.objects.exists()


def test_the_api_refuses_a_task_of_20000_days_naming_the_field(client_for, project_manager, started):
    body = {"project": started.pk, "name": "Long", "duration_minutes": 20_000 * bounds.MINUTES_PER_DAY}
    response = client_for(project_manager).post("/api/v1/tasks/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "duration_minutes" in {e["field"] for e in response.json()["errors"]}
    assert not Task.objects.exists()


def test_a_task_of_the_longest_duration_is_stored_and_shown(client_for, project_manager, started):
    response = client_for(project_manager).post(TASK_ADD, NEW_TASK | {"duration_days": str(bounds.DAYS_MAX)}, **HTMX)
    assert response.status_code == 200
    assert Task.objects.get().duration_minutes == bounds.DURATION_MINUTES_MAX
    page = client_for(project_manager).get(SCHEDULE)
    assert page.status_code == 200
    assert len(page.content) < PAGE_LIMIT, len(page.content)
    assert "3650" in page.content.decode() or "3,650" in page.content.decode()


@pytest.mark.parametrize("day", [bounds.DATE_MIN, bounds.DATE_MAX - dt.timedelta(days=2)])
def test_a_task_pinned_to_the_first_or_last_days_kept_leaves_the_schedule_page_small(
    client_for, project_manager, owner, started, day
):
    moment = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)
    task_create(actor=owner, project=started, name="Near", duration_minutes=480)
    task_create(
        actor=owner, project=started, name="Far", duration_minutes=480, constraint_type="MSO", constraint_date=moment
    )
    page = client_for(project_manager).get(SCHEDULE)
    assert page.status_code == 200
    assert len(page.content) < PAGE_LIMIT, len(page.content)
