"""A real Celery worker on Redis runs a task sent from this process.

Every other test runs tasks eagerly (no CELERY_BROKER_URL in the test settings); this one
points the app at REDIS_URL for its duration only (tests/conftest.py: `redis_celery`, `worker`)
and restores the eager defaults after.
"""

import time

import pytest

from config.celery import app as celery_app
from core.models import TaskRun
from core.tasks import ping

RESULT_TIMEOUT = 30


@pytest.mark.redis
@pytest.mark.celery_worker
def test_worker_runs_ping_sent_from_this_process(worker, redis_celery):
    result = ping.apply_async(queue=worker)

    assert result.get(timeout=RESULT_TIMEOUT) == "pong"
    assert result.successful()


def test_other_tests_run_tasks_eagerly():
    """The default the rest of the suite relies on: no broker configured, tasks run in-process."""
    assert celery_app.conf.task_always_eager is True
    assert ping.delay().get() == "pong"


@pytest.mark.postgres
@pytest.mark.redis_server
@pytest.mark.django_db(transaction=True)
def test_a_run_through_a_real_worker_is_recorded_from_queued_to_succeeded(start_worker):
    """The test's own redis-server and prefork worker, on this test's database: the run is
    queued here (after publish) and started and finished there (task_prerun/postrun)."""
    worker = start_worker()

    result = ping.apply_async()

    deadline = time.monotonic() + RESULT_TIMEOUT
    while not TaskRun.objects.filter(task_id=result.id, status=TaskRun.Status.SUCCEEDED).exists():
        if time.monotonic() > deadline:
            pytest.fail(f"no succeeded run recorded: {list(TaskRun.objects.values())}\n{worker.log()[-3000:]}")
        time.sleep(0.1)
    run = TaskRun.objects.get(task_id=result.id)
    assert run.name == "core.tasks.ping"
    assert run.attempts == 1
    assert run.queued_at <= run.started_at <= run.finished_at
