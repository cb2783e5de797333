"""A real Celery worker on Redis runs a task sent from this process.

Every other test runs tasks eagerly (no CELERY_BROKER_URL in the test settings); this one
points the app at REDIS_URL for its duration only (tests/conftest.py: `redis_celery`, `worker`)
and restores the eager defaults after.
"""

import pytest

from config.celery import app as celery_app
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
