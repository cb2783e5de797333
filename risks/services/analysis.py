"""Quantitative risk analysis runs (Monte Carlo): request, execute, store.

`analysis_run_request` records a queued AnalysisRun and its core TaskRun and sends
`risks.tasks.run_analysis` after commit (in-process in the embedded default, where Celery is
eager). `analysis_run_execute` builds the engine input from the database
(risks.services.analysis_inputs), runs projects.scheduling.montecarlo.simulate and stores the
inputs, the results JSON (risks.services.analysis_results, contract in risks.models.analysis)
and the headline columns. The contingency is set against the reserves remaining as the exposure
figures work them out (risks.selectors.exposure), so the two pages never disagree.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import traceback
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.bounds import DATE_VALIDATORS
from core.models import TaskRun
from projects.scheduling import CalendarError, ScheduleCycleError, ScheduleInputError, montecarlo

from ..models import AnalysisRun
from ..models.analysis import ITERATIONS_MAX, ITERATIONS_MIN
from ..selectors.analysis import can_run_analysis
from ..selectors.exposure import program_exposure, project_exposure
from .analysis_inputs import inputs_json, prepare
from .analysis_results import money, results_json

log = logging.getLogger(__name__)

SCOPE_ONE = "Name exactly one of a project or a program."
ITERATIONS_RANGE = f"Iterations must be a whole number from {ITERATIONS_MIN:,} to {ITERATIONS_MAX:,}."
SEED_RANGE = "The seed must be a whole number from 0 to 9223372036854775807."
BASIS_INVALID = "Choose residual or inherent."
TRIGGER_INVALID = "Choose manual, nightly or api."
RUN_DENIED = "Running an analysis needs the right to edit this project or program."
PROGRAM_EMPTY = "The program has no projects to analyse."
NO_TASKS = "There are no tasks to simulate."
SEED_MAX = 2**63 - 1


def _validate(*, project, program, iterations, seed, basis, trigger, target_date) -> None:
    if (project is None) == (program is None):
        raise ValidationError({"project": SCOPE_ONE})
    if (
        isinstance(iterations, bool)
        or not isinstance(iterations, int)
        or not (ITERATIONS_MIN <= iterations <= ITERATIONS_MAX)
    ):
        raise ValidationError({"iterations": ITERATIONS_RANGE})
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX):
        raise ValidationError({"seed": SEED_RANGE})
    if basis not in AnalysisRun.Basis.values:
        raise ValidationError({"basis": BASIS_INVALID})
    if trigger not in AnalysisRun.Trigger.values:
        raise ValidationError({"trigger": TRIGGER_INVALID})
    if target_date is not None:
        try:
            for validator in DATE_VALIDATORS:
                validator(target_date)
        except ValidationError as error:
            raise ValidationError({"target_date": error.messages}) from None


@transaction.atomic
def analysis_run_request(
    *,
    user,
    project=None,
    program=None,
    iterations: int = 5000,
    seed: int | None = None,
    basis: str = AnalysisRun.Basis.RESIDUAL,
    target_date: dt.date | None = None,
    trigger: str = AnalysisRun.Trigger.MANUAL,
) -> AnalysisRun:
    """Record a queued run for exactly one of project/program and start it on Celery after commit
    (in-process in the embedded default). Raises ValidationError naming the field on bad input,
    PermissionDenied when `user` (None: the system, e.g. the nightly job) may not run it."""
    _validate(
        project=project,
        program=program,
        iterations=iterations,
        seed=seed,
        basis=basis,
        trigger=trigger,
        target_date=target_date,
    )
    if user is not None and not can_run_analysis(user, project or program):
        raise PermissionDenied(RUN_DENIED)
    from .. import tasks  # tasks import the services

    task_id = uuid.uuid4().hex
    scope = project or program
    task_run = TaskRun.objects.create(
        task_id=task_id, name=tasks.run_analysis.name, label=f"Risk analysis of {scope.code}"[:200]
    )
    run = AnalysisRun.objects.create(
        project=project,
        program=program,
        trigger=trigger,
        basis=basis,
        iterations=iterations,
        seed=secrets.randbits(48) if seed is None else seed,
        target_date=target_date,
        requested_by=user,
        task_run=task_run,
    )
    TaskRun.objects.filter(pk=task_run.pk).update(args=[run.pk])

    def send() -> None:
        try:
            tasks.run_analysis.apply_async((run.pk,), task_id=task_id)
        except Exception:
            log.exception("Could not start analysis run %s.", run.pk)

    transaction.on_commit(send, robust=True)
    return run


def _fail(run: AnalysisRun, text: str) -> AnalysisRun:
    run.status, run.error, run.finished_at = AnalysisRun.Status.FAILED, text[:4000], timezone.now()
    AnalysisRun.objects.filter(pk=run.pk).update(status=run.status, error=run.error, finished_at=run.finished_at)
    return run


def _reserves(run: AnalysisRun):
    exposure = program_exposure(program=run.program) if run.program_id else project_exposure(project=run.project)
    return exposure.total.contingency_remaining, exposure.total.management_remaining


def analysis_run_execute(*, run: AnalysisRun, progress=None) -> AnalysisRun:
    """Build the engine input from the database, simulate, store results and headline columns.

    Input the engine refuses (a cycle, a bad range, an empty network) fails the run with the
    reason in `error` and returns it; anything unexpected fails the run and is raised. A run
    that already succeeded is returned as it is (a task delivered twice)."""
    run = AnalysisRun.objects.select_related("project__program__portfolio", "program__portfolio").get(pk=run.pk)
    if run.status == AnalysisRun.Status.SUCCEEDED:
        return run
    run.status, run.started_at, run.error = AnalysisRun.Status.RUNNING, timezone.now(), ""
    run.engine_version = montecarlo.ENGINE_VERSION
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=run.status, started_at=run.started_at, error="", engine_version=run.engine_version
    )
    try:
        try:
            prepared = prepare(run)
        except ValueError as error:  # an empty program
            if "no projects" in str(error):
                return _fail(run, PROGRAM_EMPTY)
            raise
        if not prepared.data.tasks:
            return _fail(run, NO_TASKS)
        run.inputs = inputs_json(prepared)
        result = montecarlo.simulate(prepared.data, progress=progress)
        contingency, management = _reserves(run)
        run.results = results_json(
            result,
            prepared,
            target_date=run.target_date,
            contingency_remaining=contingency,
            management_remaining=management,
        )
    except (ScheduleInputError, ScheduleCycleError, CalendarError) as error:
        AnalysisRun.objects.filter(pk=run.pk).update(inputs=run.inputs)
        return _fail(run, str(error))
    except Exception:
        _fail(run, traceback.format_exc()[-4000:])
        raise
    finish, cost = run.results["finish"], run.results["cost"]
    run.p50_finish = dt.datetime.fromisoformat(finish["p50"])
    run.p80_finish = dt.datetime.fromisoformat(finish["p80"])
    run.p50_cost, run.p80_cost = money(cost["p50"]), money(cost["p80"])
    run.engine_version = str(getattr(result, "engine_version", "") or montecarlo.ENGINE_VERSION)[:20]
    run.status, run.finished_at = AnalysisRun.Status.SUCCEEDED, timezone.now()
    run.save(
        update_fields=[
            "inputs",
            "results",
            "p50_finish",
            "p80_finish",
            "p50_cost",
            "p80_cost",
            "engine_version",
            "status",
            "finished_at",
        ]
    )
    return run
