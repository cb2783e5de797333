import datetime
from decimal import Decimal

import factory

from staffing.models import Absence, Allocation, CostRate, Person, Role, StaffingRequest

from .budgets import CurrencyFactory
from .portfolio import PortfolioFactory
from .projects import ProjectFactory


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    portfolio = factory.SubFactory(PortfolioFactory)
    code = factory.Sequence(lambda n: f"R{n}")
    name = factory.Sequence(lambda n: f"Role {n}")
    standard_rate = Decimal("80.00")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    portfolio = factory.SubFactory(PortfolioFactory)
    name = factory.Sequence(lambda n: f"Person {n:04d}")
    email = factory.LazyAttribute(lambda p: f"{p.name.replace(' ', '.').lower()}@example.com")
    department = "Delivery"
    weekly_capacity_hours = Decimal(40)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook signature
        if create and extracted:
            obj.roles.set(extracted)


class CostRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostRate

    person = factory.SubFactory(PersonFactory)
    effective_from = datetime.date(2026, 1, 1)
    hourly_rate = Decimal("100.00")
    currency = factory.SubFactory(CurrencyFactory, code="EUR")


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    person = factory.SubFactory(PersonFactory)
    start = datetime.date(2026, 3, 2)
    end = datetime.date(2026, 3, 6)
    kind = Absence.Kind.HOLIDAY


class StaffingRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffingRequest

    project = factory.SubFactory(ProjectFactory)
    role = factory.SubFactory(RoleFactory, portfolio=factory.SelfAttribute("..project.program.portfolio"))
    start = datetime.date(2026, 3, 2)
    end = datetime.date(2026, 3, 27)
    fte_percent = Decimal(100)


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    project = factory.SubFactory(ProjectFactory)
    person = factory.SubFactory(PersonFactory, portfolio=factory.SelfAttribute("..project.program.portfolio"))
    role = factory.SubFactory(RoleFactory, portfolio=factory.SelfAttribute("..project.program.portfolio"))
    start = datetime.date(2026, 3, 2)
    end = datetime.date(2026, 3, 27)
    fte_percent = Decimal(50)
