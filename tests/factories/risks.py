"""Factories for the risks app. They build rows directly (with a per-program number); use
risks.services to get the history rows and audit the services write."""

import datetime
from decimal import Decimal

import factory
from django.db.models import Max

from risks import scoring
from risks.models import AnalysisRun, Issue, MitigationAction, Risk, RiskScoreHistory

from .portfolio import ProgramFactory


def _next_number(model, program) -> int:
    return (model.objects.filter(program=program).aggregate(top=Max("number"))["top"] or 0) + 1


class RiskFactory(factory.django.DjangoModelFactory):
    """A project risk when given `project` (its program follows), else a program risk."""

    class Meta:
        model = Risk

    project = None
    program = factory.LazyAttribute(lambda r: r.project.program if r.project else ProgramFactory())
    number = factory.LazyAttribute(lambda r: _next_number(Risk, r.program))
    title = factory.Sequence(lambda n: f"Risk {n}")
    category = Risk.Category.TECHNICAL
    probability = 3
    probability_percent = factory.LazyAttribute(lambda r: scoring.default_percent(r.probability))
    impact = 3
    cost_impact = Decimal("10000.00")


class MitigationActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MitigationAction

    risk = factory.SubFactory(RiskFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    due_date = datetime.date(2026, 6, 30)
    cost = Decimal("500.00")


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    project = None
    program = factory.LazyAttribute(lambda i: i.project.program if i.project else ProgramFactory())
    number = factory.LazyAttribute(lambda i: _next_number(Issue, i.program))
    title = factory.Sequence(lambda n: f"Issue {n}")


class RiskScoreHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskScoreHistory

    risk = factory.SubFactory(RiskFactory)
    probability = 3
    probability_percent = Decimal("40.00")
    impact = 3
    score = 9
    status = Risk.Status.OPEN
    cost_impact = Decimal("10000.00")
    emv = Decimal("4000.00")


class AnalysisRunFactory(factory.django.DjangoModelFactory):
    """A stored run row (not simulated): a project run when given `project`, else a program run.
    Use risks.services.analysis_run_request to get one simulated."""

    class Meta:
        model = AnalysisRun

    project = None
    program = factory.LazyAttribute(lambda r: None if r.project else ProgramFactory())
    status = AnalysisRun.Status.SUCCEEDED
    iterations = 500
    seed = factory.Sequence(lambda n: 1000 + n)
    engine_version = "1.0"
    results = factory.LazyFunction(dict)
