import datetime
from decimal import Decimal

import factory

from projects.models import Project, Rag, ScheduleAssignment, ScheduleResource, StatusReport, Task

from .portfolio import ProgramFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    program = factory.SubFactory(ProgramFactory)
    code = factory.Sequence(lambda n: f"PRJ{n}")
    name = factory.Sequence(lambda n: f"Project {n}")
    phase = Project.Phase.EXECUTION
    planned_start = datetime.date(2026, 1, 5)
    planned_finish = datetime.date(2026, 12, 18)


class StatusReportFactory(factory.django.DjangoModelFactory):
    """Builds a report row directly; use projects.services.status_report_submit to keep
    Project.latest_status_report current."""

    class Meta:
        model = StatusReport

    project = factory.SubFactory(ProjectFactory)
    period_end = datetime.date(2026, 10, 31)
    overall_rag = Rag.GREEN
    schedule_rag = Rag.GREEN
    cost_rag = Rag.AMBER
    scope_rag = Rag.GREEN
    risk_rag = Rag.GREEN
    percent_complete = Decimal("40.00")
    summary = "On track."


class TaskFactory(factory.django.DjangoModelFactory):
    """A raw Task row; use projects.services.schedule.task_create to get it scheduled."""

    class Meta:
        model = Task

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Task {n}")
    duration_minutes = 480 * 5
    sort_order = factory.Sequence(lambda n: n * 10)


class ScheduleResourceFactory(factory.django.DjangoModelFactory):
    """A resource of a project's schedule file (staffing matches it to a person or role)."""

    class Meta:
        model = ScheduleResource

    project = factory.SubFactory(ProjectFactory)
    external_ref = factory.Sequence(lambda n: str(n + 1))
    name = factory.Sequence(lambda n: f"Resource {n}")
    standard_rate = Decimal("50.00")


class ScheduleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleAssignment

    task = factory.SubFactory(TaskFactory)
    resource = factory.SubFactory(ScheduleResourceFactory, project=factory.SelfAttribute("..task.project"))
    work_minutes = 480 * 5
    remaining_work_minutes = 480 * 5
    cost = Decimal("2000.00")


def wbs_plan(project: Project, sizes: list[int], *, day: int = 480) -> list[Task]:
    """A WBS in `project`, in bulk: one top-level summary "Branch i" per entry of `sizes`, with
    that many one-to-four-day tasks "Task i.j" under it chained finish-to-start; renumbered and
    scheduled once. Returns the summaries in outline order. For big schedules (thousands of
    tasks) where task_create per task would be slow."""
    import itertools

    from projects.models import Dependency
    from projects.services.schedule import outline_renumber, schedule_recompute

    start = Task.objects.filter(project=project).count()
    summaries = Task.objects.bulk_create(
        [
            Task(project=project, name=f"Branch {b}", sort_order=(start + b + 1) * 10, duration_minutes=0)
            for b in range(len(sizes))
        ]
    )
    leaves = Task.objects.bulk_create(
        [
            Task(
                project=project,
                parent=summary,
                name=f"Task {b}.{i}",
                duration_minutes=day * (1 + (b + i) % 4),
                sort_order=(i + 1) * 10,
            )
            for b, (summary, size) in enumerate(zip(summaries, sizes, strict=True))
            for i in range(size)
        ],
        batch_size=2000,
    )
    links, at = [], 0
    for size in sizes:
        chain = leaves[at : at + size]
        links += [Dependency(predecessor=p, successor=s) for p, s in itertools.pairwise(chain)]
        at += size
    Dependency.objects.bulk_create(links, batch_size=2000)
    outline_renumber(project=project)
    schedule_recompute(project=project)
    return summaries
