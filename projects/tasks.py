"""Celery tasks of the projects app: thin, idempotent, taking ids (docs/architecture.md)."""

from celery import shared_task

from core.tasks import RETRY_ON_DB_ERRORS

from .services import schedule


@shared_task(name="projects.schedule_propagate", **RETRY_ON_DB_ERRORS)
def schedule_propagate(project_id: int) -> list[int]:
    """Reschedule the linked network of one project; the ids of the projects that moved."""
    return list(schedule.schedule_propagate(project_id=project_id))
