"""Celery tasks of portfolio planning (thin, taking ids): `optimise` solves one OptimisationRun
(planning.services.optimise), recorded in its task run (core.taskruns)."""

from celery import shared_task

from core import taskruns
from core.tasks import LONG_TASK

from .models import OptimisationRun
from .services.optimise import optimisation_run_execute


@shared_task(name="planning.optimise", **LONG_TASK)
def optimise(run_id: int) -> str:
    """Solve OptimisationRun `run_id`; returns its final status ("gone" when deleted meanwhile)."""
    run = OptimisationRun.objects.filter(pk=run_id).first()
    if run is None:
        return "gone"
    return optimisation_run_execute(run=run).status


def _label(run_id: int) -> str:
    name = OptimisationRun.objects.filter(pk=run_id).values_list("scenario__name", flat=True).first()
    return f"Optimise {name}" if name else f"optimisation run {run_id}"


taskruns.label_with(optimise.name, _label, unit="runs")
