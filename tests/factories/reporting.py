"""Roll-up rows made directly, for page tests that need figures without running the computation
(tests/conftest.py `recompute_rollups` runs the real one). A row is current by default: its
`input_version` is the source's (core.changes.current_versions) and `computed_at` is now."""

import factory
from django.utils import timezone

from core import changes
from reporting.models import PortfolioRollup, ProgramRollup, ProjectRollup

from .portfolio import PortfolioFactory, ProgramFactory
from .projects import ProjectFactory


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
