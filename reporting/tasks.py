"""Celery tasks of the reporting app: thin, idempotent, taking ids (docs/architecture.md)."""

from celery import shared_task

from .services import rollups, sweep


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


@shared_task(name="reporting.rollups_sweep")
def rollups_sweep() -> dict:
    """Re-enqueue every roll-up that is missing, stale or of an earlier day (the beat runs it)."""
    return sweep.rollups_sweep()
