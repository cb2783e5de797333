"""Every Celery task run, recorded in core.models.TaskRun from queueing to its end.

Celery's signals write the row (`connect()`, called from core.apps):

- before_task_publish notes the time; after_task_publish writes a QUEUED row with it (and a
  label for people, see `label_with`);
- task_prerun: STARTED, started_at, attempts + 1 (the row is made here when there was no
  publish: eager mode runs tasks in-process without one, and a lost queued row is recreated);
- task_retry: RETRYING with the reason; task_failure: FAILED with the error;
- task_postrun in state SUCCESS: SUCCEEDED.

The queued row is written after the message is sent, not before: with the broker down nothing is
sent and no "queued" row is left behind for a message that never existed. Each event is one
insert or one update in a savepoint of its own; a failure to record is logged and never fails
(or rolls back) the task or the write that enqueued it.

A long task reports progress with `report_progress(done, total)`; the jobs page
(`/admin-tools/jobs/`) polls the row. `taskruns_prune(days)` deletes old rows (a beat job).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from .models import TaskRun

log = logging.getLogger(__name__)

Status = TaskRun.Status

# Progress is written at most this often (seconds), and always for the last step.
PROGRESS_EVERY = 1.0
# Errors are stored up to this many characters (the traceback's tail, where the cause is).
ERROR_MAX = 4000

# task name -> callable(*args, **kwargs) -> the run's label ("ERP replacement").
_labellers: dict[str, Callable[..., str]] = {}
# task name -> what its progress counts ("projects", "rows").
_units: dict[str, str] = {}
# Pages offering an admin action above the runs list: (url name, button text); see register_action.
_actions: list[tuple[str, str]] = []
_local = threading.local()


def label_with(task_name: str, labeller: Callable[..., str], *, unit: str = "") -> None:
    """Label the runs of `task_name` with `labeller(*args, **kwargs)`, called when the run is
    recorded (at most one cheap query: it runs in the code that enqueues). `unit` names what its
    progress counts ("projects", "rows")."""
    _labellers[task_name] = labeller
    if unit:
        _units[task_name] = unit


def register_action(url_name: str, text: str) -> None:
    """Offer a button to the page `url_name` on the jobs page (an app above core registers its
    heavy jobs here, e.g. "Recompute everything"), so core's page names no app."""
    if (url_name, text) not in _actions:
        _actions.append((url_name, text))


def actions() -> list[tuple[str, str]]:
    return list(_actions)


def _label(name: str, args, kwargs) -> str:
    labeller = _labellers.get(name)
    if labeller is None:
        return ""
    try:
        return str(labeller(*(args or ()), **(kwargs or {})))[:200]
    except Exception:  # a label is a nicety: never let it stop the run being recorded
        log.warning("Could not label a %s run", name, exc_info=True)
        return ""


def _record(what: str, write: Callable[[], object]) -> None:
    """Run one recording write in a savepoint; log and swallow any failure."""
    try:
        with transaction.atomic():
            write()
    except Exception:
        log.warning("Could not record a task run (%s)", what, exc_info=True)


def _json_args(args) -> list:
    try:
        return [a if isinstance(a, int | str | float | bool | None) else repr(a) for a in (args or ())]
    except TypeError:
        return []


# -- signal receivers --------------------------------------------------------------------------


def _on_publishing(sender=None, headers=None, **_kwargs) -> None:
    # The queued time is taken before sending: a fast worker may start the task before the
    # row is written (after sending), and its start must not precede its queueing.
    task_id = (headers or {}).get("id")
    if task_id:
        _local.publishing = (task_id, timezone.now())


def _on_published(sender=None, headers=None, body=None, **_kwargs) -> None:
    headers = headers or {}
    task_id, name = headers.get("id"), headers.get("task") or sender
    publishing = getattr(_local, "publishing", None)
    _local.publishing = None
    if not task_id or headers.get("retries"):  # a retry re-publishes the same run
        return
    queued_at = publishing[1] if publishing and publishing[0] == task_id else timezone.now()
    args, kwargs = (body[0], body[1]) if isinstance(body, list | tuple) and len(body) >= 2 else ((), {})

    def write():  # the label's query too inside the savepoint
        label = _label(name, args, kwargs)
        run = TaskRun(task_id=task_id, name=name, label=label, args=_json_args(args), queued_at=queued_at)
        # ignore_conflicts: a fast worker may have made the row already (task_prerun).
        TaskRun.objects.bulk_create([run], ignore_conflicts=True)

    _record("queued", write)


def _on_prerun(sender=None, task_id=None, task=None, args=None, kwargs=None, **_kwargs) -> None:
    if not task_id:
        return
    now = timezone.now()

    def write():
        updated = TaskRun.objects.filter(task_id=task_id).update(
            status=Status.STARTED, started_at=now, finished_at=None, attempts=F("attempts") + 1
        )
        if not updated:  # eager mode, or the queued row was never written
            TaskRun.objects.bulk_create(
                [
                    TaskRun(
                        task_id=task_id,
                        name=task.name,
                        label=_label(task.name, args, kwargs),
                        args=_json_args(args),
                        status=Status.STARTED,
                        queued_at=now,
                        started_at=now,
                        attempts=1,
                    )
                ],
                ignore_conflicts=True,
            )

    _record("started", write)


def _on_retry(sender=None, request=None, reason=None, **_kwargs) -> None:
    task_id = getattr(request, "id", None)
    if task_id:
        text = str(reason)[:ERROR_MAX]
        _record("retrying", lambda: TaskRun.objects.filter(task_id=task_id).update(status=Status.RETRYING, error=text))


def _error_text(exception: BaseException, trace: str) -> str:
    # The exception first (what an administrator reads), then the traceback's tail (where).
    text = f"{type(exception).__name__}: {exception}"
    if trace:
        text = f"{text}\n\n{trace[-(ERROR_MAX - len(text) - 2) :]}"
    return text[:ERROR_MAX]


def _failed(task_id: str, text: str) -> None:
    now = timezone.now()
    _record(
        "failed",
        lambda: TaskRun.objects.filter(task_id=task_id).update(status=Status.FAILED, finished_at=now, error=text),
    )


def _on_failure(sender=None, task_id=None, exception=None, einfo=None, **_kwargs) -> None:
    if task_id:
        _failed(task_id, _error_text(exception, getattr(einfo, "traceback", "") or ""))


def _on_postrun(sender=None, task_id=None, state=None, **_kwargs) -> None:
    if not task_id:
        return
    if state is None:
        # An eager run whose error propagates to the caller (task_eager_propagates) sends no
        # task_failure: postrun comes with no state while the exception is on its way out.
        exception = sys.exc_info()[1]
        if exception is not None:
            _failed(task_id, _error_text(exception, "".join(traceback.format_exception(exception))))
        return
    if state != "SUCCESS":
        return
    now = timezone.now()
    _record(
        "succeeded",
        lambda: TaskRun.objects.filter(task_id=task_id).update(status=Status.SUCCEEDED, finished_at=now, error=""),
    )


def connect() -> None:
    """Connect the receivers to Celery's signals (idempotent; core.apps calls it)."""
    from celery import signals

    signals.before_task_publish.connect(_on_publishing, weak=False, dispatch_uid="keel.taskruns.publishing")
    signals.after_task_publish.connect(_on_published, weak=False, dispatch_uid="keel.taskruns.published")
    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="keel.taskruns.prerun")
    signals.task_retry.connect(_on_retry, weak=False, dispatch_uid="keel.taskruns.retry")
    signals.task_failure.connect(_on_failure, weak=False, dispatch_uid="keel.taskruns.failure")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="keel.taskruns.postrun")


# -- progress ----------------------------------------------------------------------------------


def _current_task_id() -> str | None:
    from celery import current_task

    request = getattr(current_task, "request", None)
    return getattr(request, "id", None)


def report_progress(done: int, total: int, *, task_id: str | None = None) -> None:
    """Record that the running task has done `done` of `total` steps ("312 of 1,240 projects").

    Call it from inside a task (the current run is found from Celery's request) as often as
    convenient: the row is written at most once a second, and always for the last step. Outside
    a task it does nothing. The update is visible to the jobs page at once even when the task
    holds a transaction open (on PostgreSQL it goes through a side connection in autocommit;
    SQLite shows it when the transaction ends). Never raises."""
    task_id = task_id or _current_task_id()
    if not task_id:
        return
    total = max(int(total), 0)
    done = min(max(int(done), 0), total)
    now = time.monotonic()
    last = getattr(_local, "progress", {})
    if done < total and now - last.get(task_id, 0.0) < PROGRESS_EVERY:
        return
    _local.progress = {task_id: now}  # one running task per thread
    try:
        _write_progress(task_id, done, total)
    except Exception:
        log.warning("Could not record progress of task %s", task_id, exc_info=True)


def _write_progress(task_id: str, done: int, total: int) -> None:
    if not connection.in_atomic_block:
        TaskRun.objects.filter(task_id=task_id).update(progress_done=done, progress_total=total)
        return
    if connection.vendor != "postgresql":
        with transaction.atomic():
            TaskRun.objects.filter(task_id=task_id).update(progress_done=done, progress_total=total)
        return
    # Inside the task's transaction an update would stay invisible until it commits: write
    # through a connection of our own, kept for the thread (dropped when it breaks).
    side = getattr(_local, "side", None)
    if side is None:
        side = _local.side = connections.create_connection("default")
    try:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TaskRun._meta.db_table} SET progress_done = %s, progress_total = %s WHERE task_id = %s",  # noqa: S608 - our table name
                [done, total, task_id],
            )
    except Exception:
        _local.side = None
        side.close()
        raise


# -- housekeeping ------------------------------------------------------------------------------


def taskruns_prune(*, days: int | None = None) -> int:
    """Delete the runs queued more than `days` ago (KEEL_TASKRUN_KEEP_DAYS by default), whatever
    their status; returns how many rows went."""
    days = settings.KEEL_TASKRUN_KEEP_DAYS if days is None else days
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = TaskRun.objects.filter(queued_at__lt=cutoff).delete()
    return deleted


# -- reading -----------------------------------------------------------------------------------


@functools.cache
def task_names() -> tuple[str, ...]:
    """Every Keel task's name (Celery's own `celery.*` left out). Importing every app's tasks
    module first (Celery's autodiscovery, which a web process otherwise never runs) also
    registers their labels and progress units."""
    from celery import current_app

    current_app.loader.import_default_modules()
    return tuple(sorted(name for name in current_app.tasks if not name.startswith("celery.")))


def _seconds_text(delta: dt.timedelta | None) -> str:
    if delta is None:
        return ""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def progress_text(run: TaskRun) -> str:
    """ "312 of 1,240 projects", or "" when the run reports no progress."""
    if not run.progress_total:
        return ""
    unit = _units.get(run.name, "steps")
    return f"{run.progress_done:,} of {run.progress_total:,} {unit}"


def is_finished(run: TaskRun) -> bool:
    return run.status in (Status.SUCCEEDED, Status.FAILED)


def describe(run: TaskRun, *, now: dt.datetime | None = None) -> dict:
    """What the jobs page shows of one run, computed once here (templates only display)."""
    task_names()  # every app's labels and units registered
    now = now or timezone.now()
    waited_until = run.started_at or (None if is_finished(run) else now)
    ran_until = run.finished_at or (None if is_finished(run) else now)
    # A run still "started" after the longest hard time limit lost its worker (killed, or the
    # machine went down) before it could say so; its message, if any, is redelivered as a new
    # attempt, and the roll-up sweep re-enqueues whatever it left stale.
    lost = (
        run.status == Status.STARTED
        and run.started_at is not None
        and (now - run.started_at > dt.timedelta(seconds=settings.KEEL_TASK_LONG_TIME_LIMIT))
    )
    return {
        "run": run,
        "lost": lost,
        "status_text": "Lost (no news from its worker)" if lost else run.get_status_display(),
        "status_class": "failed" if lost else run.status,
        "finished": is_finished(run) or lost,
        "waited": _seconds_text(waited_until - run.queued_at if waited_until else None),
        "took": _seconds_text(ran_until - run.started_at if run.started_at and ran_until else None),
        "progress": progress_text(run),
        "percent": run.progress_percent,
        "error_summary": run.error.splitlines()[0][:200] if run.error else "",
    }
