"""Heavy jobs an administrator starts by hand (the jobs page's "Recompute everything")."""

import logging
import uuid

from django.db import transaction

log = logging.getLogger(__name__)


def recompute_all_enqueue(*, actor) -> str:
    """Send one full recompute of every roll-up after commit and return its task id (its run
    appears on the jobs page under that id). With no broker (the embedded default) it runs
    in-process before this returns. A broker that cannot be reached raises kombu's
    OperationalError: nothing was sent, and the caller says so."""
    from .. import tasks  # tasks import the services; import late to keep the cycle out

    task_id = uuid.uuid4().hex
    log.info("Full roll-up recompute %s requested by %s", task_id, actor)
    transaction.on_commit(lambda: tasks.recompute_all_task.apply_async(task_id=task_id))
    return task_id
