"""Core Celery tasks and the options other apps' tasks share (docs/architecture.md, Roll-ups)."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import taskruns
from .notifications import notifications_send_digest, notifications_send_immediate

# Options for a task whose body is idempotent and may meet a passing database fault (a restart,
# a dropped connection, a lock timeout): retried with exponential backoff and jitter.
RETRY_ON_DB_ERRORS = {
    # Not IntegrityError or DataError: those fail the same way every time.
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": settings.KEEL_TASK_RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": settings.KEEL_TASK_MAX_RETRIES,
}

# Options for a long job (a full recompute, an import): the long time limits instead of the
# default ones (the broker's visibility timeout exceeds them; config/settings.py checks it).
LONG_TASK = {
    "time_limit": settings.KEEL_TASK_LONG_TIME_LIMIT,
    # The soft limit a little earlier, so the job can stop cleanly before it is killed.
    "soft_time_limit": settings.KEEL_TASK_LONG_TIME_LIMIT - max(1, min(60, settings.KEEL_TASK_LONG_TIME_LIMIT // 10)),
}


@shared_task(name="core.tasks.ping")
def ping() -> str:
    """Answer "pong". Reads and writes nothing, so it is safe to run any number of times.

    Used to prove the whole path works: web/test process → broker → worker → result backend.
    """
    return "pong"


@shared_task(name="core.notifications_digest")
def notifications_digest() -> int:
    """One e-mail per user gathering their digest notifications not yet e-mailed."""
    return notifications_send_digest()


@shared_task(name="core.notifications_send")
def notifications_send() -> int:
    """E-mail the notifications that want an immediate e-mail and have not had it (retries
    what a failed send left)."""
    return notifications_send_immediate()


@shared_task(name="core.taskruns_prune", **RETRY_ON_DB_ERRORS)
def taskruns_prune_task() -> int:
    """Delete task-run records older than KEEL_TASKRUN_KEEP_DAYS (a daily beat job)."""
    return taskruns.taskruns_prune()


@shared_task(name="core.idempotency_prune", **RETRY_ON_DB_ERRORS)
def idempotency_prune() -> int:
    """Delete bulk answers kept for Idempotency-Key replay past KEEL_IDEMPOTENCY_HOURS."""
    from .bulk import idempotency_keys_prune

    return idempotency_keys_prune()
