"""Celery tasks of the integrations app: thin and idempotent, taking ids."""

from celery import shared_task

from core.tasks import RETRY_ON_DB_ERRORS

from . import services


@shared_task(name="integrations.deliver", **RETRY_ON_DB_ERRORS)
def deliver(delivery_id: int) -> str:
    """One attempt of a webhook delivery if it is due (a duplicate message does nothing); the
    service schedules the next attempt itself."""
    return services.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="integrations.deliveries_sweep")
def deliveries_sweep() -> int:
    """Re-send deliveries whose message was lost."""
    return services.deliveries_sweep()
