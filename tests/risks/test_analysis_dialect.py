"""The risk analysis schedules under the project's own scheduling rules (Microsoft Project or
Primavera P6, projects.services.schedule.schedule_options): with every range collapsed
(optimistic = most likely = pessimistic), P50 and P80 are the project's scheduled finish to the
minute. A program run schedules each project under its own dialect and refuses linked projects
whose rules differ."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Dependency, DurationRange, Project
from projects.services.schedule import schedule_recompute
from risks.models import AnalysisRun
from tests.factories.projects import TaskFactory

pytestmark = pytest.mark.django_db
DAY = 480
UTC = dt.UTC


def at(y, m, d, h=8, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=UTC)


def updated_plan(project: Project, *, dialect: str = "p6", lag_minutes: int = 2 * 1440, build_days: int = 3) -> Project:
    """A progressed schedule that exercises P6's rules: a data date (Wednesday 14 January, 00:00)
    with an activity in progress and work not started, an SS + FF pair between the same two
    activities, a lag across a weekend counted in the 24-hour lag calendar, a level-of-effort
    activity and a finish milestone. Every duration range is zero-width. Scheduled."""
    project.schedule_dialect = dialect
    project.planned_start = dt.date(2026, 1, 5)  # Monday
    project.data_date = at(2026, 1, 14, 0)
    project.status_date = dt.date(2026, 1, 13)
    project.lag_calendar = "24h"
    project.save()
    survey = TaskFactory(
        project=project,
        name="Survey",
        duration_minutes=5 * DAY,
        optimistic_minutes=5 * DAY,
        pessimistic_minutes=5 * DAY,
        actual_start=at(2026, 1, 5),
        percent_complete=Decimal("40"),
        remaining_minutes=3 * DAY,
    )
    design = TaskFactory(project=project, name="Design", duration_minutes=4 * DAY)
    build = TaskFactory(project=project, name="Build", duration_minutes=build_days * DAY)
    support = TaskFactory(project=project, name="Support", duration_minutes=DAY, activity_type="loe")
    handover = TaskFactory(project=project, name="Handover", duration_minutes=0, activity_type="finish_milestone")
    Dependency.objects.create(predecessor=survey, successor=design, type="SS", lag_minutes=DAY)
    Dependency.objects.create(predecessor=survey, successor=design, type="FF", lag_minutes=2 * DAY)
    Dependency.objects.create(predecessor=design, successor=build, type="FS", lag_minutes=lag_minutes)
    Dependency.objects.create(predecessor=survey, successor=support, type="SS")
    Dependency.objects.create(predecessor=support, successor=handover, type="FS")
    Dependency.objects.create(predecessor=build, successor=handover, type="FS")
    DurationRange.objects.create(project=project, branch=None, low_percent=Decimal(0), high_percent=Decimal(0))
    schedule_recompute(project=project)
    project.refresh_from_db()
    return project


def finishes(run: AnalysisRun) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    finish = run.results["finish"]
    return tuple(dt.datetime.fromisoformat(finish[key]) for key in ("deterministic", "p50", "p80"))


def test_a_p6_project_collapsed_to_its_most_likely_finishes_on_its_scheduled_finish(run_for, owner, project, engine):
    project = updated_plan(project)
    run = run_for(owner, project=project, seed=5)

    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    assert project.forecast_finish is not None
    assert finishes(run) == (project.forecast_finish,) * 3
    assert run.p50_finish == run.p80_finish == project.forecast_finish
    assert run.inputs["options"]["p6"]["lag_calendar"] == "24h"
    assert run.scheduling_rules == "Primavera P6"
    # The level-of-effort activity spans the others: it takes no range of its own.
    support = project.tasks.get(name="Support")
    assert str(support.pk) not in run.inputs["durations"]


def test_the_rules_differ_between_the_dialects_on_this_plan(project, other_project):
    """The plan above is one where the dialect matters: the same plan under Microsoft Project's
    rules finishes elsewhere (so the test above would fail on an analysis that ignored P6)."""
    p6 = updated_plan(project)
    msproject = updated_plan(other_project, dialect="msproject")
    assert p6.forecast_finish != msproject.forecast_finish


def test_a_microsoft_project_project_collapsed_finishes_on_its_scheduled_finish(run_for, owner, project, engine):
    project = updated_plan(project, dialect="msproject")
    run = run_for(owner, project=project, seed=5)

    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    assert finishes(run) == (project.forecast_finish,) * 3
    assert run.inputs["options"]["p6"] is None
    assert run.scheduling_rules == "Microsoft Project"


def test_a_program_of_unlinked_projects_schedules_each_under_its_own_dialect(
    run_for, owner, program, project, other_project, engine
):
    # The program's first project (the network's anchor) is the Microsoft Project one; the
    # P6 project still schedules under its own rules and finishes the program.
    msproject = updated_plan(project, dialect="msproject", lag_minutes=0, build_days=1)
    p6 = updated_plan(other_project)
    assert p6.forecast_finish > msproject.forecast_finish
    run = run_for(owner, program=program, seed=5)

    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    assert finishes(run) == (p6.forecast_finish,) * 3
    assert len(run.inputs["parts"]) == 2
    assert run.scheduling_rules == "Primavera P6 and Microsoft Project"


def test_the_analysis_page_says_which_rules_the_run_scheduled_under(run_for, client_for, owner, project, engine):
    project = updated_plan(project)
    run_for(owner, project=project, seed=5)
    page = client_for(owner).get(reverse("risks:project-analysis", args=[project.code]))
    assert page.status_code == 200
    assert "scheduled under Primavera P6 rules" in page.content.decode()


def test_a_program_whose_linked_projects_schedule_under_different_rules_is_refused(
    run_for, owner, program, project, other_project, engine
):
    msproject = updated_plan(project, dialect="msproject")
    p6 = updated_plan(other_project)
    Dependency.objects.create(
        predecessor=msproject.tasks.get(name="Build"), successor=p6.tasks.get(name="Handover"), type="FS"
    )
    run = run_for(owner, program=program, seed=5)

    assert run.status == AnalysisRun.Status.FAILED
    assert run.error == (
        "Projects MOD-ERP and MOD-CRM are linked by cross-project dependencies but schedule under different "
        "rules (Microsoft Project and Primavera P6). Give the linked projects the same scheduling dialect and "
        "options, or analyse them one project at a time."
    )


def test_a_program_of_projects_under_the_same_rules_is_one_network(
    run_for, owner, program, project, other_project, engine
):
    first = updated_plan(project)
    second = updated_plan(other_project)
    Dependency.objects.create(
        predecessor=first.tasks.get(name="Build"), successor=second.tasks.get(name="Design"), type="FS"
    )
    schedule_recompute(project=first)
    second.refresh_from_db()
    run = run_for(owner, program=program, seed=5)

    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    assert run.inputs["parts"] == []
    assert finishes(run) == (second.forecast_finish,) * 3


@pytest.mark.parametrize("dialect", ["msproject", "p6"])
def test_linked_projects_differing_only_in_the_critical_float_threshold_are_one_network(
    run_for, owner, program, project, other_project, engine, dialect
):
    first = updated_plan(project, dialect=dialect)
    other_project.critical_float_minutes = 2 * DAY  # moves no date
    second = updated_plan(other_project, dialect=dialect)
    Dependency.objects.create(
        predecessor=first.tasks.get(name="Build"), successor=second.tasks.get(name="Design"), type="FS"
    )
    schedule_recompute(project=first)
    second.refresh_from_db()
    run = run_for(owner, program=program, seed=5)

    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    assert run.inputs["parts"] == []
    assert finishes(run) == (second.forecast_finish,) * 3
