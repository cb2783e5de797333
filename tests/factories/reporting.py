import factory
from django.utils import timezone

from reporting.models import ProjectRollup

from .projects import ProjectFactory


class ProjectRollupFactory(factory.django.DjangoModelFactory):
    """A computed roll-up row with the given figures (tests set what they compare)."""

    class Meta:
        model = ProjectRollup

    project = factory.SubFactory(ProjectFactory)
    computed_at = factory.LazyFunction(timezone.now)
    as_of = factory.LazyFunction(timezone.localdate)
