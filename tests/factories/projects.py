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
