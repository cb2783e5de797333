"""A real Celery worker on Redis runs a task sent from this process.

Every other test runs tasks eagerly (no CELERY_BROKER_URL in the test settings); this one
points the app at REDIS_URL for its duration only and restores the eager defaults after.
"""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from config.celery import app as celery_app
from core.tasks import ping

READY_TIMEOUT = 60  # seconds; a cold worker on a busy 2-core machine takes a few
RESULT_TIMEOUT = 30


def _forget_connections(app) -> None:
    """Drop the app's cached producer pool and result backend so the next use builds them
    from the current configuration (Celery caches both on first use)."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_celery():
    """Point the test-side Celery app at REDIS_URL (broker and result backend), eager off;
    restore the previous configuration afterwards."""
    url = os.environ["REDIS_URL"]
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _forget_connections(celery_app)
    yield celery_app
    celery_app.conf.update(saved)
    _forget_connections(celery_app)


@pytest.fixture
def worker(redis_celery, tmp_path):
    """A `celery -A config worker` subprocess on its own queue, ready to take tasks.

    The private queue keeps this test from feeding (or being fed by) any other worker that
    shares the Redis server. Yields the queue name; the worker is stopped in teardown."""
    url = os.environ["REDIS_URL"]
    token = uuid.uuid4().hex[:10]
    queue, nodename = f"keel-test-{token}", f"keel-test-{token}@localhost"
    env = {**os.environ, "CELERY_BROKER_URL": url, "CELERY_RESULT_BACKEND": url, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["--queues", queue, "--hostname", nodename, "--without-gossip", "--without-mingle"]
    with (tmp_path / "worker.log").open("w+") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            while not redis_celery.control.ping(destination=[nodename], timeout=0.5):
                if process.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    pytest.fail(f"Celery worker did not become ready (exit code {process.poll()}):\n{output.read()}")
            yield queue
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


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
