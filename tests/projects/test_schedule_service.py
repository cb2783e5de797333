"""The scheduling service: database → engine → database, cycles, cross-project links, baselines."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Calendar, CalendarException, Dependency, Task
from projects.services.schedule import (
    baseline_set,
    dependency_create,
    schedule_recompute,
    task_create,
    task_update,
)
from tests.factories.projects import ProjectFactory, TaskFactory

DAY = 480
UTC = dt.UTC


def at(y, m, d, h=8):
    return dt.datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def plan(project, owner):
    """Design (5d) → Build (10d) → Go-live (milestone), on a project starting Monday 2026-03-02."""
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    design = task_create(actor=owner, project=project, name="Design", duration_minutes=5 * DAY)
    build = task_create(actor=owner, project=project, name="Build", duration_minutes=10 * DAY)
    live = task_create(actor=owner, project=project, name="Go-live", duration_minutes=0, is_milestone=True)
    task_create(actor=owner, project=project, name="Training", duration_minutes=3 * DAY)
    dependency_create(actor=owner, predecessor=design, successor=build)
    dependency_create(actor=owner, predecessor=build, successor=live)
    return {t.name: t for t in Task.objects.filter(project=project)}


@pytest.mark.django_db
class TestScheduleRecompute:
    def test_finish_to_start_chain_is_scheduled_in_working_time(self, plan, project):
        assert plan["Design"].start == at(2026, 3, 2)
        assert plan["Design"].finish == at(2026, 3, 6, 17)
        assert plan["Build"].start == at(2026, 3, 9)  # Monday after the weekend
        assert plan["Build"].finish == at(2026, 3, 20, 17)
        assert plan["Go-live"].start == at(2026, 3, 20, 17)  # a milestone stays on Friday 17:00
        project.refresh_from_db()
        assert project.forecast_finish == at(2026, 3, 20, 17)

    def test_critical_path_and_float(self, plan):
        assert [plan[n].is_critical for n in ("Design", "Build", "Go-live")] == [True, True, True]
        assert plan["Training"].is_critical is False
        assert plan["Training"].total_float_minutes == 12 * DAY  # 15 working days minus 3
        assert plan["Training"].free_float_minutes == 12 * DAY

    def test_recompute_is_idempotent(self, plan, project):
        assert schedule_recompute(project=project).changed_count == 0

    def test_slip_moves_successors(self, plan, owner):
        task_update(actor=owner, task=plan["Design"], data={"duration_minutes": 7 * DAY})
        build = Task.objects.get(pk=plan["Build"].pk)
        assert build.start == at(2026, 3, 11)

    def test_cycle_is_refused_naming_the_tasks_and_nothing_is_written(self, plan, owner):
        before = Dependency.objects.count()
        with pytest.raises(ValidationError) as error:
            dependency_create(actor=owner, predecessor=plan["Go-live"], successor=plan["Design"])
        message = str(error.value)
        assert "cycle" in message.lower()
        for name in ("Design", "Build", "Go-live"):
            assert name in message
        assert Dependency.objects.count() == before

    def test_holiday_in_project_calendar_pushes_dates(self, plan, project, owner):
        calendar = Calendar.objects.create(name="With holiday", project=project)
        CalendarException.objects.create(
            calendar=calendar, name="Spring holiday", start_date=dt.date(2026, 3, 4), end_date=dt.date(2026, 3, 4)
        )
        project.calendar = calendar
        project.save()
        schedule_recompute(project=project)
        assert Task.objects.get(pk=plan["Design"].pk).finish == at(2026, 3, 9, 17)

    def test_summary_task_rolls_up_its_children(self, plan, project, owner):
        phase = task_create(actor=owner, project=project, name="Phase 1", sort_order=1)
        task_update(actor=owner, task=plan["Design"], data={"parent": phase})
        task_update(actor=owner, task=plan["Build"], data={"parent": phase})
        phase.refresh_from_db()
        assert phase.is_summary
        assert (phase.start, phase.finish) == (at(2026, 3, 2), at(2026, 3, 20, 17))
        assert Task.objects.get(pk=plan["Design"].pk).outline_number == "1.1"

    def test_task_cannot_move_under_its_own_subtask(self, plan, project, owner):
        phase = task_create(actor=owner, project=project, name="Phase", sort_order=1)
        task_update(actor=owner, task=plan["Design"], data={"parent": phase})
        with pytest.raises(ValidationError, match="under itself"):
            task_update(actor=owner, task=phase, data={"parent": Task.objects.get(pk=plan["Design"].pk)})

    def test_milestone_with_duration_is_refused(self, project, owner):
        with pytest.raises(ValidationError) as error:
            task_create(actor=owner, project=project, name="M", is_milestone=True, duration_minutes=DAY)
        assert "duration_minutes" in error.value.message_dict

    def test_query_count_does_not_grow_with_tasks(self, project, owner):
        def count(n):
            p = ProjectFactory(program=project.program)
            tasks = [TaskFactory(project=p, duration_minutes=DAY) for _ in range(n)]
            Dependency.objects.bulk_create(
                [Dependency(predecessor=a, successor=b) for a, b in itertools.pairwise(tasks)]
            )
            with CaptureQueriesContext(connection) as ctx:
                schedule_recompute(project=p)
            return len(ctx)

        assert count(5) == count(60)


@pytest.mark.django_db
class TestCrossProjectLinks:
    def test_slip_upstream_moves_downstream_project(self, plan, project, owner, django_capture_on_commit_callbacks):
        downstream = ProjectFactory(program=project.program, code="MOD-CRM", planned_start=dt.date(2026, 3, 2))
        cutover = task_create(actor=owner, project=downstream, name="Cut-over", duration_minutes=2 * DAY)
        dependency_create(actor=owner, predecessor=plan["Go-live"], successor=cutover)
        cutover.refresh_from_db()
        assert cutover.start == at(2026, 3, 23)
        # The downstream project moves in the worker (projects.schedule_propagate, enqueued on
        # commit; eager here): run the commit callbacks.
        with django_capture_on_commit_callbacks(execute=True):
            task_update(actor=owner, task=plan["Build"], data={"duration_minutes": 15 * DAY})
        cutover.refresh_from_db()
        assert cutover.start == at(2026, 3, 30)
        downstream.refresh_from_db()
        assert downstream.forecast_finish == at(2026, 3, 31, 17)

    def test_link_to_another_program_is_refused(self, plan, owner):
        elsewhere = TaskFactory(project=ProjectFactory())
        with pytest.raises(ValidationError, match="same program"):
            dependency_create(actor=owner, predecessor=plan["Build"], successor=elsewhere)

    def test_later_project_start_is_honoured_in_a_linked_network(self, plan, project, owner):
        later = ProjectFactory(program=project.program, code="LATE", planned_start=dt.date(2026, 6, 1))
        kickoff = task_create(actor=owner, project=later, name="Kick-off", duration_minutes=DAY)
        follow = task_create(actor=owner, project=later, name="Follow", duration_minutes=DAY)
        dependency_create(actor=owner, predecessor=plan["Design"], successor=follow)
        kickoff.refresh_from_db()
        assert kickoff.start == at(2026, 6, 1)


@pytest.mark.django_db
def test_baseline_snapshots_current_dates(plan, project, owner):
    baseline = baseline_set(actor=owner, project=project, number=0)
    assert baseline.tasks.count() == 4
    snap = baseline.tasks.get(task=plan["Build"])
    assert (snap.start, snap.finish, snap.duration_minutes) == (at(2026, 3, 9), at(2026, 3, 20, 17), 10 * DAY)
    again = baseline_set(actor=owner, project=project, number=0, name="Re-baselined")
    assert project.baselines.count() == 1
    assert again.name == "Re-baselined"


@pytest.mark.django_db
def test_moving_the_project_start_reschedules_it(plan, project, owner):
    from projects.services import project_update

    project_update(actor=owner, project=project, data={"planned_start": dt.date(2026, 4, 6)})
    assert Task.objects.get(pk=plan["Design"].pk).start == at(2026, 4, 6)
    project.refresh_from_db()
    assert project.forecast_finish == at(2026, 4, 24, 17)


@pytest.mark.django_db
def test_constraint_without_date_names_the_field(project, owner):
    with pytest.raises(ValidationError) as error:
        task_create(actor=owner, project=project, name="Fixed", constraint_type=Task.Constraint.SNET)
    assert "constraint_date" in error.value.message_dict
