from decimal import Decimal

import factory

from portfolio.models import Membership, Portfolio, Program, ProgramObjective, StrategicObjective

from .users import UserFactory


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    code = factory.Sequence(lambda n: f"PF{n}")
    name = factory.Sequence(lambda n: f"Portfolio {n}")
    base_currency = "EUR"


class StrategicObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicObjective

    portfolio = factory.SubFactory(PortfolioFactory)
    code = factory.Sequence(lambda n: f"OBJ{n}")
    title = factory.Sequence(lambda n: f"Objective {n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    portfolio = factory.SubFactory(PortfolioFactory)
    code = factory.Sequence(lambda n: f"PRG{n}")
    name = factory.Sequence(lambda n: f"Program {n}")
    manager = factory.SubFactory(UserFactory)
    contingency_reserve = Decimal("100000.00")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.TEAM_MEMBER


class ProgramObjectiveFactory(factory.django.DjangoModelFactory):
    """A program's contribution (weight, percent) to a strategic objective of its portfolio."""

    class Meta:
        model = ProgramObjective

    program = factory.SubFactory(ProgramFactory)
    objective = factory.SubFactory(StrategicObjectiveFactory, portfolio=factory.SelfAttribute("..program.portfolio"))
    weight = Decimal("100")
