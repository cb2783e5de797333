"""Celery tasks of the reporting app: thin, idempotent, taking ids (docs/architecture.md).

A recompute that meets a passing database fault is retried with backoff (core.tasks); one
killed with its worker is handed back to the queue (acks_late, reject_on_worker_lost), and
anything still stale is found by the sweep.
"""

from celery import shared_task

from core import taskruns
from core.tasks import LONG_TASK, RETRY_ON_DB_ERRORS
from portfolio.models import Portfolio, Program
from projects.models import Project

from .services import alerts, rollups, snapshots, sweep


@shared_task(name="reporting.project_recompute", **RETRY_ON_DB_ERRORS)
def project_recompute(project_id: int) -> str:
    """Bring one project's roll-up up to its current input version ("current" if it was)."""
    return rollups.project_rollup_recompute(project_id=project_id)


@shared_task(name="reporting.program_recompute", **RETRY_ON_DB_ERRORS)
def program_recompute(program_id: int) -> str:
    return rollups.program_rollup_recompute(program_id=program_id)


@shared_task(name="reporting.portfolio_recompute", **RETRY_ON_DB_ERRORS)
def portfolio_recompute(portfolio_id: int) -> str:
    return rollups.portfolio_rollup_recompute(portfolio_id=portfolio_id)


@shared_task(name="reporting.snapshots_take")
def snapshots_take() -> int:
    """Today's MetricSnapshot of every project, program and portfolio (replaces today's)."""
    return snapshots.snapshots_take()


@shared_task(name="reporting.alerts_evaluate")
def alerts_evaluate() -> dict:
    """Notify threshold conditions that started holding, clear those that stopped."""
    return alerts.alerts_evaluate()


@shared_task(name="reporting.status_reminders")
def status_reminders() -> dict:
    """Remind project managers of status reports due and overdue (once per period)."""
    return alerts.status_reminders_evaluate()


@shared_task(name="reporting.rollups_sweep", **RETRY_ON_DB_ERRORS)
def rollups_sweep() -> dict:
    """Re-enqueue every roll-up that is missing, stale or of an earlier day (the beat runs it)."""
    return sweep.rollups_sweep()


@shared_task(name="reporting.recompute_all_task", **RETRY_ON_DB_ERRORS, **LONG_TASK)
def recompute_all_task() -> dict:
    """Recompute every roll-up from source rows, reporting progress into the run's row."""
    return rollups.recompute_all(progress=taskruns.report_progress)


def _name(model, pk) -> str:
    return model.objects.filter(pk=pk).values_list("name", flat=True).first() or f"#{pk} (deleted)"


taskruns.label_with(project_recompute.name, lambda project_id: _name(Project, project_id))
taskruns.label_with(program_recompute.name, lambda program_id: _name(Program, program_id))
taskruns.label_with(portfolio_recompute.name, lambda portfolio_id: _name(Portfolio, portfolio_id))
taskruns.label_with(recompute_all_task.name, lambda: "every project, program and portfolio", unit="summaries")
