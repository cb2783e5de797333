"""Celery's reliability settings (config/settings.py): late acks, a lost worker's task handed
back, one task prefetched, time limits, and a Redis visibility timeout above the longest task."""

import os
import subprocess
import sys

from django.conf import settings
from django.db import OperationalError

from budgets.tasks import actuals_import_run
from config.celery import app
from core.tasks import LONG_TASK
from reporting.tasks import project_recompute, recompute_all_task


def test_tasks_are_acknowledged_late_and_handed_back_when_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_visibility_timeout_exceeds_the_longest_hard_time_limit():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    limits = [app.conf.task_time_limit, LONG_TASK["time_limit"]]
    limits += [task.time_limit for task in (recompute_all_task, actuals_import_run) if task.time_limit]
    assert visibility > max(limits)


def test_soft_time_limits_come_before_the_hard_ones():
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert 0 < LONG_TASK["soft_time_limit"] < LONG_TASK["time_limit"]
    assert recompute_all_task.time_limit == LONG_TASK["time_limit"]


def test_sending_to_a_broker_that_is_down_gives_up_quickly():
    options = app.conf.broker_transport_options
    assert options["socket_connect_timeout"] <= 5
    assert options["socket_timeout"] <= 5
    assert app.conf.broker_connection_timeout <= 5
    assert app.conf.task_publish_retry_policy["max_retries"] <= 1


def test_recomputes_retry_database_errors_with_backoff():
    assert OperationalError in project_recompute.autoretry_for
    assert project_recompute.retry_backoff is True
    assert project_recompute.max_retries == settings.KEEL_TASK_MAX_RETRIES


def test_a_visibility_timeout_below_the_long_limit_stops_start_up(tmp_path):
    env = {
        **{k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ},
        "KEEL_DATA_DIR": str(tmp_path),
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "KEEL_TASK_LONG_TIME_LIMIT": "600",
        "CELERY_VISIBILITY_TIMEOUT": "600",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT must be greater than KEEL_TASK_LONG_TIME_LIMIT" in result.stderr
