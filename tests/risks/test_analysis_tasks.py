"""The analysis Celery tasks: a run reports progress into its task run; the nightly job queues a
run for every active project with an uncertainty input and no run in flight; and a real worker
runs one from queued to succeeded."""

import time
from decimal import Decimal

import pytest

from budgets.models import CostRange
from config.celery import app as celery_app
from core.models import TaskRun
from projects.models import DurationRange, Project
from risks.models import AnalysisRun
from risks.services.analysis import analysis_run_request
from risks.tasks import nightly_analyses, nightly_projects
from tests.factories.budgets import CostCategoryFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.risks import AnalysisRunFactory

from .analysis_data import chain

RESULT_TIMEOUT = 60


@pytest.mark.django_db(transaction=True)
def test_a_run_reports_its_progress_into_its_task_run(owner, project, engine):
    """Committed rows, as in production: the run starts in-process when the request commits."""
    chain(project)
    run = analysis_run_request(user=owner, project=project, iterations=150)
    run.refresh_from_db()
    task_run = TaskRun.objects.get(pk=run.task_run_id)
    assert run.status == AnalysisRun.Status.SUCCEEDED
    assert task_run.name == "risks.run_analysis"
    assert task_run.status == TaskRun.Status.SUCCEEDED
    assert task_run.label == "Risk analysis of MOD-ERP"
    assert task_run.progress_total > 0
    assert task_run.progress_done == task_run.progress_total


@pytest.mark.django_db
def test_nightly_picks_only_active_projects_with_uncertainty(program, project, engine):
    chain(project)  # three-point estimates and a branch range
    by_range = ProjectFactory(program=program, code="RANGE")
    TaskFactory(project=by_range)
    DurationRange.objects.create(project=by_range, low_percent=Decimal(5), high_percent=Decimal(20))
    by_cost = ProjectFactory(program=program, code="COST")
    TaskFactory(project=by_cost)
    CostRange.objects.create(
        project=by_cost, category=CostCategoryFactory(), low_amount=Decimal(1), high_amount=Decimal(2)
    )
    plain = ProjectFactory(program=program, code="PLAIN")
    TaskFactory(project=plain)
    on_hold = ProjectFactory(program=program, code="HOLD", status=Project.Status.ON_HOLD)
    DurationRange.objects.create(project=on_hold, low_percent=Decimal(5), high_percent=Decimal(20))
    busy = ProjectFactory(program=program, code="BUSY")
    DurationRange.objects.create(project=busy, low_percent=Decimal(5), high_percent=Decimal(20))
    AnalysisRunFactory(project=busy, status=AnalysisRun.Status.RUNNING)

    assert [p.code for p in nightly_projects()] == ["MOD-ERP", "RANGE", "COST"]
    assert nightly_analyses() == 3
    nightly = AnalysisRun.objects.filter(trigger=AnalysisRun.Trigger.NIGHTLY)
    assert sorted(nightly.values_list("project__code", flat=True)) == ["COST", "MOD-ERP", "RANGE"]
    assert all(run.requested_by is None for run in nightly)


def test_the_nightly_job_is_on_the_beat_schedule():
    entry = celery_app.conf.beat_schedule["risk-analyses-nightly"]
    assert entry["task"] == nightly_analyses.name


@pytest.mark.postgres
@pytest.mark.redis_server
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_an_analysis_with_progress(start_worker, owner, project, engine):
    chain(project)
    worker = start_worker()
    run = analysis_run_request(user=owner, project=project, iterations=2000)

    # The run's own status is written inside the task; its task run's status by Celery's
    # task_success signal just after the task returns, so wait for both.
    deadline = time.monotonic() + RESULT_TIMEOUT
    while not (
        AnalysisRun.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).exists()
        and TaskRun.objects.filter(pk=run.task_run_id, status__in=["succeeded", "failed"]).exists()
    ):
        if time.monotonic() > deadline:
            pytest.fail(f"the run did not finish\n{worker.log()[-3000:]}")
        time.sleep(0.1)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    task_run = TaskRun.objects.get(pk=run.task_run_id)
    assert task_run.status == TaskRun.Status.SUCCEEDED
    assert task_run.queued_at <= task_run.started_at <= task_run.finished_at
    assert task_run.progress_total > 0
    assert task_run.progress_done == task_run.progress_total
