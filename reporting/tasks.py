"""Celery tasks of the reporting app: thin, idempotent, taking ids (docs/architecture.md)."""

from celery import shared_task

from .services import alerts, rollups, snapshots, sweep


@shared_task(name="reporting.project_recompute")
def project_recompute(project_id: int) -> str:
    """Bring one project's roll-up up to its current input version ("current" if it was)."""
    return rollups.project_rollup_recompute(project_id=project_id)


@shared_task(name="reporting.program_recompute")
def program_recompute(program_id: int) -> str:
    return rollups.program_rollup_recompute(program_id=program_id)


@shared_task(name="reporting.portfolio_recompute")
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


@shared_task(name="reporting.rollups_sweep")
def rollups_sweep() -> dict:
    """Re-enqueue every roll-up that is missing, stale or of an earlier day (the beat runs it)."""
    return sweep.rollups_sweep()
