"""Roll-up rows made directly, for page tests that need figures without running the computation
(tests/conftest.py `recompute_rollups` runs the real one). A row is current by default: its
`input_version` is the source's (core.changes.current_versions) and `computed_at` is now."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from core import changes
from projects.models import Project, Rag
from reporting.models import MetricSnapshot, PortfolioRollup, ProgramRollup, ProjectRollup

from .portfolio import PortfolioFactory, ProgramFactory
from .projects import ProjectFactory, StatusReportFactory


def _current(kind: str, field: str):
    def version(row) -> int:
        pk = getattr(row, field).pk
        return changes.current_versions(kind, [pk])[pk]

    return factory.LazyAttribute(version)


class _RollupFactory(factory.django.DjangoModelFactory):
    computed_at = factory.LazyFunction(timezone.now)
    as_of = factory.LazyFunction(timezone.localdate)
    health_overall = "green"
    health_reasons = factory.LazyFunction(dict)


class ProjectRollupFactory(_RollupFactory):
    class Meta:
        model = ProjectRollup
        django_get_or_create = ("project",)

    project = factory.SubFactory(ProjectFactory)
    input_version = _current("project", "project")


class ProgramRollupFactory(_RollupFactory):
    class Meta:
        model = ProgramRollup
        django_get_or_create = ("program",)

    program = factory.SubFactory(ProgramFactory)
    input_version = _current("program", "program")


class PortfolioRollupFactory(_RollupFactory):
    class Meta:
        model = PortfolioRollup
        django_get_or_create = ("portfolio",)

    portfolio = factory.SubFactory(PortfolioFactory)
    input_version = _current("portfolio", "portfolio")


# --- Ready-made summaries for page and API tests --------------------------------------------

RED_CPI = {"cost": "CPI 0.82 < 0.90"}


def report(project, rag):
    """A status report made the project's latest, as status_report_submit would."""
    row = StatusReportFactory(project=project, overall_rag=rag, period_end=dt.date(2026, 10, 31))
    Project.objects.filter(pk=project.pk).update(latest_status_report=row)
    return row


def red_inside(project):
    """A project reported green whose summary computes red on cost."""
    report(project, Rag.GREEN)
    return ProjectRollupFactory(
        project=project,
        health_overall="red",
        health_cost="red",
        health_reasons=RED_CPI,
        reported_rag="green",
        health_disagrees=True,
        cpi=Decimal("0.8200"),
        spi=Decimal("0.9700"),
        eac=Decimal("1250000.00"),
    )


def program_figures(program, **fields):
    values = {
        "health_overall": "red",
        "health_cost": "red",
        "health_reasons": RED_CPI,
        "reported_rag": "green",
        "health_disagrees": True,
        "bac": Decimal("1000000.00"),
        "eac": Decimal("1219512.20"),
        "vac": Decimal("-219512.20"),
        "cpi": Decimal("0.8200"),
        "spi": Decimal("0.9700"),
        "emv": Decimal("45000.00"),
        "exposure_uncovered": Decimal("5000.00"),
        "gates_due": 2,
        "change_requests_waiting": 3,
        "milestones_due_30": 4,
        "projects_open": 1,
        "projects_red": 1,
        "projects_disagreeing": 1,
    }
    values.update(fields)
    return ProgramRollupFactory(program=program, **values)


class MetricSnapshotFactory(factory.django.DjangoModelFactory):
    """A trend snapshot on one day: pass exactly one of `project=`, `program=` or `portfolio=`."""

    class Meta:
        model = MetricSnapshot

    day = factory.LazyFunction(timezone.localdate)
    health_overall = "green"
