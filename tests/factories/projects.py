import datetime
from decimal import Decimal

import factory

from projects.models import Project, Rag, StatusReport

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
