"""Every task run is recorded in TaskRun (core.taskruns): queued, started, succeeded or failed
with its error, retried; progress is throttled; recording never fails the task."""

import datetime as dt
from types import SimpleNamespace

import pytest
from celery import shared_task
from celery.exceptions import Retry
from django.db import OperationalError
from django.utils import timezone

from budgets.tasks import actuals_import_run
from core import taskruns
from core.models import TaskRun
from core.tasks import ping

Status = TaskRun.Status
pytestmark = pytest.mark.django_db


@shared_task(name="tests.core.boom")
def boom(what: str) -> None:
    raise ValueError(f"{what} went wrong")


@shared_task(name="tests.core.flaky", autoretry_for=(OperationalError,), max_retries=1)
def flaky() -> str:
    raise OperationalError("the database went away")


@shared_task(name="tests.core.counts")
def counts(total: int) -> int:
    for done in range(1, total + 1):
        taskruns.report_progress(done, total)
    return total


taskruns.label_with(boom.name, lambda what: f"about {what}")


def test_an_eager_run_is_recorded_from_start_to_success():
    result = ping.delay()

    run = TaskRun.objects.get(task_id=result.id)
    assert (run.name, run.status, run.attempts) == ("core.tasks.ping", Status.SUCCEEDED, 1)
    assert run.started_at is not None
    assert run.finished_at >= run.started_at
    assert run.error == ""


def test_a_failed_run_keeps_its_error_and_label():
    with pytest.raises(ValueError, match="budget went wrong"):
        boom.delay("budget")

    run = TaskRun.objects.get(name="tests.core.boom")
    assert run.status == Status.FAILED
    assert run.label == "about budget"
    assert run.args == ["budget"]
    assert run.error.startswith("ValueError: budget went wrong")
    assert run.finished_at is not None


def test_a_retry_is_recorded_with_its_reason_and_the_next_attempt_counted():
    TaskRun.objects.create(task_id="r1", name="tests.core.flaky", status=Status.STARTED, attempts=1)

    taskruns._on_retry(request=SimpleNamespace(id="r1"), reason=OperationalError("the database went away"))
    run = TaskRun.objects.get(task_id="r1")
    assert (run.status, run.error) == (Status.RETRYING, "the database went away")

    taskruns._on_prerun(task_id="r1", task=flaky, args=(), kwargs={})
    run.refresh_from_db()
    assert (run.status, run.attempts) == (Status.STARTED, 2)


def test_an_eager_retry_that_propagates_is_recorded_as_failed():
    """Eagerly (the embedded default) Celery hands a retry back to the caller instead of
    running it again, so the run ends there."""
    with pytest.raises(Retry):
        flaky.delay()

    run = TaskRun.objects.get(name="tests.core.flaky")
    assert run.status == Status.FAILED
    assert "the database went away" in run.error


def test_published_message_makes_a_queued_row_and_a_retry_publish_does_not():
    headers = {"id": "abc123", "task": "core.tasks.ping", "retries": 0}
    taskruns._on_published(sender="core.tasks.ping", headers=headers, body=((), {}, {}))
    taskruns._on_published(sender="core.tasks.ping", headers=headers, body=((), {}, {}))  # delivered twice
    taskruns._on_published(sender="core.tasks.ping", headers={**headers, "retries": 1}, body=((), {}, {}))

    run = TaskRun.objects.get(task_id="abc123")
    assert (run.status, run.attempts) == (Status.QUEUED, 0)


def test_recording_that_fails_never_fails_the_task(monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("task-run table unavailable")

    monkeypatch.setattr(TaskRun.objects, "filter", broken)
    monkeypatch.setattr(TaskRun.objects, "bulk_create", broken)

    assert ping.delay().get() == "pong"
    monkeypatch.undo()
    # The test's transaction is still usable: each record ran in its own savepoint.
    assert TaskRun.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_for_the_last_step_and_throttled_between(monkeypatch):
    writes = []
    real = taskruns._write_progress
    monkeypatch.setattr(taskruns, "_write_progress", lambda *args: (writes.append(args[1:]), real(*args)))

    result = counts.delay(500)

    run = TaskRun.objects.get(task_id=result.id)
    assert (run.progress_done, run.progress_total, run.progress_percent) == (500, 500, 100)
    assert writes[-1] == (500, 500)
    assert len(writes) < 10  # one a second at most, plus the last
    assert taskruns.progress_text(run) == "500 of 500 steps"


def test_progress_outside_a_task_does_nothing():
    taskruns.report_progress(3, 10)
    assert not TaskRun.objects.exists()


def test_prune_deletes_runs_older_than_the_keep_period():
    old = TaskRun.objects.create(task_id="old", name="x", queued_at=timezone.now() - dt.timedelta(days=31))
    recent = TaskRun.objects.create(task_id="new", name="x", queued_at=timezone.now() - dt.timedelta(days=29))

    assert taskruns.taskruns_prune(days=30) == 1
    assert list(TaskRun.objects.values_list("task_id", flat=True)) == [recent.task_id]
    assert not TaskRun.objects.filter(pk=old.pk).exists()


def test_describe_gives_waits_durations_and_the_first_line_of_the_error():
    queued = timezone.now() - dt.timedelta(minutes=5)
    run = TaskRun(
        task_id="t",
        name=actuals_import_run.name,
        status=Status.FAILED,
        queued_at=queued,
        started_at=queued + dt.timedelta(seconds=12),
        finished_at=queued + dt.timedelta(seconds=12 + 75),
        error="ValueError: bad row\n\nTraceback …",
        progress_done=312,
        progress_total=1240,
    )
    shown = taskruns.describe(run)
    assert (shown["waited"], shown["took"], shown["error_summary"]) == ("12 s", "1 min 15 s", "ValueError: bad row")
    assert shown["progress"] == "312 of 1,240 rows"
    assert shown["finished"] is True


def test_a_run_started_longer_ago_than_any_time_limit_is_shown_as_lost(settings):
    long_ago = timezone.now() - dt.timedelta(seconds=settings.KEEL_TASK_LONG_TIME_LIMIT + 60)
    lost = TaskRun(task_id="l", name="x", status=Status.STARTED, queued_at=long_ago, started_at=long_ago)
    running = TaskRun(task_id="r", name="x", status=Status.STARTED, queued_at=timezone.now(), started_at=timezone.now())

    assert taskruns.describe(lost)["status_text"] == "Lost (no news from its worker)"
    assert taskruns.describe(lost)["finished"] is True  # its page stops polling
    assert taskruns.describe(running)["status_text"] == "Running"
