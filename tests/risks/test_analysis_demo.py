"""The analysis stage of the demo at `small`: the demo program's projects carry three-point
estimates, a branch range, a correlation group, cost ranges and risks linked to tasks, and its
program manager can run an analysis of the program that succeeds."""

import time
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from budgets.models import CostRange
from demo.analysis import DEMO_ITERATIONS
from demo.seed import demo_seed, demo_seed_stages
from portfolio.models import Program
from projects.models import CorrelationGroup, DurationRange, Task
from risks.models import AnalysisRun, Risk
from risks.selectors.analysis import can_run_analysis
from risks.services.analysis import analysis_run_request

TODAY = date(2026, 11, 26)
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(engine):
    demo_seed(scale="small", seed=1, today=TODAY, history=False)


def test_the_demo_program_has_every_kind_of_uncertainty_input(demo):
    manager = get_user_model().objects.get(username="program_manager")
    program = Program.objects.get(manager=manager)
    estimated = Task.objects.filter(project__program=program, optimistic_minutes__isnull=False)
    work = Task.objects.filter(
        project__program=program,
        is_summary=False,
        is_milestone=False,
        actual_finish__isnull=True,
        duration_minutes__gt=0,
    )
    assert 0.15 * work.count() < estimated.count() < 0.6 * work.count()
    assert set(estimated) <= set(work)
    assert all(t.optimistic_minutes <= t.duration_minutes <= t.pessimistic_minutes for t in estimated)
    assert DurationRange.objects.filter(project__program=program, branch__isnull=False).count() == 1
    assert CorrelationGroup.objects.filter(project__program=program).exists()
    assert CostRange.objects.filter(project__program=program).exists()
    linked = Risk.objects.active().filter(program=program, tasks__isnull=False, schedule_impact_days__gt=0)
    assert linked.distinct().count() >= 5
    # Only the demo program is given uncertainty.
    assert not Task.objects.exclude(project__program=program).filter(optimistic_minutes__isnull=False).exists()
    assert can_run_analysis(manager, program)
    # The seed asked for one analysis of the program, run when the seed commits.
    (seeded,) = AnalysisRun.objects.all()
    assert seeded.program == program
    assert seeded.requested_by == manager


def test_the_program_manager_runs_the_demo_program_analysis(demo, django_capture_on_commit_callbacks):
    manager = get_user_model().objects.get(username="program_manager")
    program = Program.objects.get(manager=manager)
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_run_request(user=manager, program=program, iterations=DEMO_ITERATIONS, seed=1)
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    assert run.results["finish_drivers"]
    assert run.results["cost"]["budget"]
    assert len(run.inputs["project_ids"]) == program.projects.count()
    print(f"demo program analysis, {DEMO_ITERATIONS} iterations: {seconds:.2f} s")


def test_the_analysis_stage_runs_again_on_an_existing_demo(demo):
    before = DurationRange.objects.count(), CostRange.objects.count()
    demo_seed_stages(stages=["analysis"], seed=2, today=TODAY)
    assert DurationRange.objects.count() == before[0]
    assert CostRange.objects.count() == before[1]
