"""Budgets' Celery tasks: thin and idempotent (docs/architecture.md, Roll-ups). Each takes a job id and calls
the import service, which reads everything else from the database; a task delivered twice,
or for a job already finished, does nothing the second time (budgets.imports.jobs).

An import may take a while: it runs under the long time limits (core.tasks.LONG_TASK) and writes
its progress into its ImportJob row and its task run (core.taskruns)."""

from celery import shared_task

from core import taskruns
from core.tasks import LONG_TASK

from .imports import import_job_run, import_jobs_prune
from .models import ImportJob


@shared_task(name="budgets.tasks.actuals_import_run", **LONG_TASK)
def actuals_import_run(job_id: int) -> str:
    """Validate and import an actual-costs ImportJob; returns its final status."""
    return import_job_run(job_id=job_id)


@shared_task(name="budgets.tasks.budget_import_run", **LONG_TASK)
def budget_import_run(job_id: int) -> str:
    """Validate and import a budget ImportJob; returns its final status."""
    return import_job_run(job_id=job_id)


@shared_task(name="budgets.imports_prune")
def imports_prune() -> list[int]:
    """Delete uploads never started for KEEL_IMPORT_ABANDONED_HOURS, and the files of finished
    jobs that old (an hourly beat job); returns [jobs deleted, files removed]."""
    return list(import_jobs_prune())


def _label(job_id: int) -> str:
    filename = ImportJob.objects.filter(pk=job_id).values_list("filename", flat=True).first()
    return f"{filename} (import {job_id})" if filename else f"import {job_id}"


taskruns.label_with(actuals_import_run.name, _label, unit="rows")
taskruns.label_with(budget_import_run.name, _label, unit="rows")
