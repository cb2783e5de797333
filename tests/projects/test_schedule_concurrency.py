"""Two schedule edits of one project queue on the project's row instead of deadlocking.

Under load (bench/load.py: 50 users PATCHing task progress) two edits of one project each
locked their own task row, then each wanted the other's in the reschedule's bulk update:
PostgreSQL broke the deadlock by failing one request with a 500. Every schedule write now locks
the project row first (services.schedule.schedule_lock), so the second edit waits before it
holds any task row."""

import threading

import pytest
from django.db import connection

from projects.models import Task
from projects.services import schedule as schedule_services
from projects.services.schedule import task_create, task_update

DAY = 480


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_edit_of_the_project_waits_until_the_first_commits(owner, project, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL not available")
    first = task_create(actor=owner, project=project, name="Design", duration_minutes=DAY)
    second = task_create(actor=owner, project=project, name="Build", duration_minutes=2 * DAY)
    first_rescheduling, second_locked_its_task = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}
    real_reschedule, real_update = schedule_services.schedule_reschedule, schedule_services.versioned_update

    def reschedule(**kwargs):
        if kwargs["project"].pk == project.pk and threading.current_thread().name == "first":
            first_rescheduling.set()
            # With the lock, the second edit cannot reach its task row while this one is open.
            seen["second locked a task meanwhile"] = second_locked_its_task.wait(timeout=3)
        return real_reschedule(**kwargs)

    def versioned_update(**kwargs):
        outcome = real_update(**kwargs)
        if threading.current_thread().name == "second":
            second_locked_its_task.set()
        return outcome

    monkeypatch.setattr(schedule_services, "schedule_reschedule", reschedule)
    monkeypatch.setattr(schedule_services, "versioned_update", versioned_update)
    failures: list[BaseException] = []

    def edit(task, days):
        try:
            if threading.current_thread().name == "second":
                first_rescheduling.wait(timeout=30)
            task_update(actor=owner, task=Task.objects.get(pk=task.pk), data={"duration_minutes": days * DAY})
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            failures.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(first, 3), name="first"),
        threading.Thread(target=edit, args=(second, 4), name="second"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    assert seen == {"second locked a task meanwhile": False}
    assert sorted(Task.objects.filter(project=project).values_list("duration_minutes", flat=True)) == [3 * DAY, 4 * DAY]
