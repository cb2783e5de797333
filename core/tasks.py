"""Core Celery tasks: small, thin and idempotent (docs/architecture.md, Roll-ups)."""

from celery import shared_task


@shared_task(name="core.tasks.ping")
def ping() -> str:
    """Answer "pong". Reads and writes nothing, so it is safe to run any number of times.

    Used to prove the whole path works: web/test process → broker → worker → result backend.
    """
    return "pong"
