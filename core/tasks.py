"""Core Celery tasks: small, thin and idempotent (docs/architecture.md, Roll-ups)."""

from celery import shared_task

from .notifications import notifications_send_digest, notifications_send_immediate


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
