"""Factories for portfolio planning, and `planning_world`: a small portfolio whose figures the
planning tests can work out by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import factory

from budgets.models import BudgetLine, FiscalPeriod
from budgets.services import fiscal_periods_generate
from planning.models import (
    BudgetCap,
    CriterionValue,
    OptimisationRun,
    PairwiseJudgement,
    Scenario,
    ScenarioBudget,
    ScenarioDemand,
    ScenarioProject,
    ScoringCriterion,
)
from projects.models import Project
from projects.services.schedule import dependency_create, task_create

from .budgets import CostCategoryFactory, CurrencyFactory, FiscalCalendarFactory
from .portfolio import PortfolioFactory
from .projects import ProjectFactory
from .staffing import PersonFactory, RoleFactory, StaffingRequestFactory


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario

    portfolio = factory.SubFactory(PortfolioFactory)
    name = factory.Sequence(lambda n: f"Scenario {n}")
    horizon_start = dt.date(2027, 1, 1)
    horizon_months = 12


class ScenarioProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScenarioProject

    scenario = factory.SubFactory(ScenarioFactory)
    project = factory.SubFactory(ProjectFactory)


class ScenarioBudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScenarioBudget

    scenario = factory.SubFactory(ScenarioFactory)
    project = factory.SubFactory(ProjectFactory)
    amount = Decimal("1000.00")


class ScenarioDemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScenarioDemand

    scenario = factory.SubFactory(ScenarioFactory)
    project = factory.SubFactory(ProjectFactory)
    role = factory.SubFactory(RoleFactory, portfolio=factory.SelfAttribute("..scenario.portfolio"))
    month = dt.date(2027, 1, 1)
    fte = Decimal("1.00")


class BudgetCapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetCap

    scenario = factory.SubFactory(ScenarioFactory)
    fiscal_year = 2027
    amount = Decimal("100000.00")


class ScoringCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringCriterion

    portfolio = factory.SubFactory(PortfolioFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    kind = ScoringCriterion.Kind.CUSTOM
    weight = Decimal("50")


class PairwiseJudgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PairwiseJudgement

    criterion_a = factory.SubFactory(ScoringCriterionFactory)
    criterion_b = factory.SubFactory(
        ScoringCriterionFactory, portfolio=factory.SelfAttribute("..criterion_a.portfolio")
    )
    value = Decimal("3")


class CriterionValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionValue

    criterion = factory.SubFactory(ScoringCriterionFactory)
    project = factory.SubFactory(ProjectFactory)
    value = Decimal("1")


class OptimisationRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptimisationRun

    scenario = factory.SubFactory(ScenarioFactory)
    status = OptimisationRun.Status.SUCCEEDED


# -- a small world -------------------------------------------------------------------------------


@dataclass
class World:
    """Three projects of one program in calendar-year fiscal years, planned in 2027:

    - `active` (active): 2027-01-04 start, two chained 20-day tasks; budget 10,000 a month
      January to June 2027; one Developer at 100 % January to March 2027;
    - `proposed` (proposed): 2027-03-01 start, one 40-day task; budget 20,000 a month March to
      August 2027; one Developer at 100 % March to May 2027;
    - `second` (active): 2027-02-01 start, no tasks; budget 5,000 a month February to April 2027.

    One Developer in the pool (40 h a week: 1 FTE a month)."""

    portfolio: object
    program: object
    active: Project
    proposed: Project
    second: Project
    role: object
    category: object
    periods: dict[dt.date, FiscalPeriod]

    def period(self, year: int, month: int) -> FiscalPeriod:
        return self.periods[dt.date(year, month, 1)]


def _budget(project, category, periods, months: list[tuple[int, int]], amount: str) -> None:
    currency = CurrencyFactory(code="EUR")
    BudgetLine.objects.bulk_create(
        BudgetLine(
            project=project,
            category=category,
            period=periods[dt.date(y, m, 1)],
            amount=Decimal(amount),
            currency=currency,
        )
        for y, m in months
    )


def planning_world(program, *, actor=None) -> World:
    portfolio = program.portfolio
    calendar = FiscalCalendarFactory(portfolio=portfolio, name=f"FY of {portfolio.code}")
    fiscal_periods_generate(actor=actor, calendar=calendar, first_year=2026, last_year=2029)
    periods = {p.start: p for p in FiscalPeriod.objects.filter(calendar=calendar)}
    category = CostCategoryFactory(code="LAB", name="Labour")
    active = ProjectFactory(
        program=program,
        code="P-ACT",
        name="Active one",
        status=Project.Status.ACTIVE,
        planned_start=dt.date(2027, 1, 4),
        planned_finish=dt.date(2027, 6, 30),
    )
    proposed = ProjectFactory(
        program=program,
        code="P-NEW",
        name="Proposed one",
        status=Project.Status.PROPOSED,
        phase=Project.Phase.INITIATION,
        planned_start=dt.date(2027, 3, 1),
        planned_finish=dt.date(2027, 8, 31),
    )
    second = ProjectFactory(
        program=program,
        code="P-TWO",
        name="Second one",
        status=Project.Status.ACTIVE,
        planned_start=dt.date(2027, 2, 1),
        planned_finish=dt.date(2027, 4, 30),
    )
    first = task_create(actor=actor, project=active, name="Design", duration_minutes=480 * 20)
    then = task_create(actor=actor, project=active, name="Build", duration_minutes=480 * 20)
    dependency_create(actor=actor, predecessor=first, successor=then)
    task_create(actor=actor, project=proposed, name="Everything", duration_minutes=480 * 40)
    _budget(active, category, periods, [(2027, m) for m in range(1, 7)], "10000.00")
    _budget(proposed, category, periods, [(2027, m) for m in range(3, 9)], "20000.00")
    _budget(second, category, periods, [(2027, m) for m in range(2, 5)], "5000.00")
    role = RoleFactory(portfolio=portfolio, code="DEV", name="Developer")
    PersonFactory(portfolio=portfolio, name="Dev One", primary_role=role, roles=[role])
    StaffingRequestFactory(
        project=active, role=role, start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31), fte_percent=Decimal(100)
    )
    StaffingRequestFactory(
        project=proposed, role=role, start=dt.date(2027, 3, 1), end=dt.date(2027, 5, 31), fte_percent=Decimal(100)
    )
    for p in (active, proposed, second):
        p.refresh_from_db()
    return World(portfolio, program, active, proposed, second, role, category, periods)
