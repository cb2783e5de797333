"""Celery tasks of the risks app: quantitative risk analysis runs (thin, taking ids).

`run_analysis` runs one AnalysisRun (risks.services.analysis), reporting the engine's progress
into its task run (core.taskruns); `nightly_analyses` (beat, config/celery.py) queues a fresh
run of every active project that has an uncertainty input, so the risk pages show a trend."""

from celery import shared_task
from django.db.models import Exists, OuterRef

from budgets.models import CostRange
from core import taskruns
from core.tasks import LONG_TASK
from projects.models import DurationRange, Project, Task

from .models import AnalysisRun
from .services.analysis import analysis_run_execute, analysis_run_request


@shared_task(name="risks.run_analysis", **LONG_TASK)
def run_analysis(run_id: int) -> str:
    """Simulate AnalysisRun `run_id`; returns its final status ("gone" when deleted meanwhile)."""
    run = AnalysisRun.objects.filter(pk=run_id).first()
    if run is None:
        return "gone"
    run = analysis_run_execute(run=run, progress=lambda done, total: taskruns.report_progress(done, total))
    return run.status


def nightly_projects():
    """Active projects with a three-point estimate, a duration range or a cost range, and no
    run queued or running."""
    return (
        Project.objects.filter(status=Project.Status.ACTIVE)
        .filter(
            Exists(Task.objects.filter(project=OuterRef("pk"), optimistic_minutes__isnull=False))
            | Exists(DurationRange.objects.filter(project=OuterRef("pk")))
            | Exists(CostRange.objects.filter(project=OuterRef("pk")))
        )
        .exclude(
            Exists(
                AnalysisRun.objects.filter(
                    project=OuterRef("pk"), status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING]
                )
            )
        )
        .order_by("pk")
    )


@shared_task(name="risks.nightly_analyses", **LONG_TASK)
def nightly_analyses() -> int:
    """Queue one nightly run (default iterations, residual basis) per eligible project; returns
    how many were queued."""
    projects = list(nightly_projects())
    for done, project in enumerate(projects, start=1):
        analysis_run_request(user=None, project=project, trigger=AnalysisRun.Trigger.NIGHTLY)
        taskruns.report_progress(done, len(projects))
    return len(projects)


def _label(run_id: int) -> str:
    row = AnalysisRun.objects.filter(pk=run_id).values_list("project__code", "program__code").first()
    return f"Risk analysis of {row[0] or row[1]}" if row else f"analysis {run_id}"


taskruns.label_with(run_analysis.name, _label, unit="iterations")
taskruns.label_with(nightly_analyses.name, lambda: "every active project", unit="projects")
