"""Budgets' Celery tasks: thin and idempotent (docs/architecture.md, Roll-ups). Each takes a job id and calls
the import service, which reads everything else from the database; a task delivered twice,
or for a job already finished, does nothing the second time (budgets.imports.jobs)."""

from celery import shared_task

from .imports import import_job_run


@shared_task(name="budgets.tasks.actuals_import_run")
def actuals_import_run(job_id: int) -> str:
    """Validate and import an actual-costs ImportJob; returns its final status."""
    return import_job_run(job_id=job_id)


@shared_task(name="budgets.tasks.budget_import_run")
def budget_import_run(job_id: int) -> str:
    """Validate and import a budget ImportJob; returns its final status."""
    return import_job_run(job_id=job_id)
