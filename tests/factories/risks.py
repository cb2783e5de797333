"""Factories for the risks app. They build rows directly (with a per-program number); use
risks.services to get the history rows and audit the services write."""

import datetime
from decimal import Decimal

import factory
from django.db.models import Max
from django.utils import timezone

from risks import scoring
from risks.models import AnalysisRun, Issue, MitigationAction, Risk, RiskScoreHistory

from .portfolio import ProgramFactory
from .projects import ProjectFactory


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


def analysis_results(
    *,
    start: datetime.date = datetime.date(2026, 1, 5),
    p50_days: int = 300,
    p80_days: int = 320,
    cost_p50: Decimal = Decimal("1000000.00"),
    cost_p80: Decimal = Decimal("1100000.00"),
    budget: Decimal | None = Decimal("1050000.00"),
) -> dict:
    """A results JSON in the shape risks.models.analysis documents (mc-pages): a plausible
    finish and cost distribution around the P50/P80 given, drivers, criticality, contingency."""

    def day(offset: float) -> str:
        moment = datetime.datetime.combine(start, datetime.time(17), tzinfo=datetime.UTC)
        return (moment + datetime.timedelta(days=round(offset))).isoformat()

    spread = max(p80_days - p50_days, 1)
    cost_spread = max(cost_p80 - cost_p50, Decimal(1))

    def cost(offset: float) -> str:
        return str((cost_p50 + cost_spread * Decimal(str(offset))).quantize(Decimal("0.01")))

    bins, cdf, cost_bins, cost_cdf, total = [], [], [], [], 0
    counts = [2, 6, 14, 28, 45, 60, 62, 52, 38, 24, 12, 5]
    for i, count in enumerate(counts):
        total += count
        share = total / sum(counts)
        bins.append(
            {"start": day(p50_days + (i - 6) * spread / 2), "end": day(p50_days + (i - 5) * spread / 2), "count": count}
        )
        cdf.append([day(p50_days + (i - 5) * spread / 2), share])
        cost_bins.append({"low": cost((i - 6) / 2), "high": cost((i - 5) / 2), "count": count})
        cost_cdf.append([cost((i - 5) / 2), share])
    p80 = cost_p80
    budget_str = None if budget is None else str(budget)
    needed = max(p80 - (budget or p80), Decimal(0))
    return {
        "finish": {
            "deterministic": day(p50_days - spread),
            "mean": day(p50_days + 2),
            "p10": day(p50_days - 2 * spread),
            "p50": day(p50_days),
            "p80": day(p80_days),
            "p90": day(p80_days + spread),
            "baseline": day(p50_days - spread // 2),
            "p_baseline": 0.31,
            "target": None,
            "p_target": None,
            "deterministic_percentile": 0.23,
            "histogram": bins,
            "cdf": cdf,
        },
        "cost": {
            "deterministic": cost(-1),
            "mean": cost(0.1),
            "p10": cost(-2),
            "p50": str(cost_p50),
            "p80": str(cost_p80),
            "p90": cost(1.5),
            "budget": budget_str,
            "p_budget": 0.64 if budget is not None else None,
            "deterministic_percentile": 0.18,
            "histogram": cost_bins,
            "cdf": cost_cdf,
        },
        "criticality": [
            {
                "task_id": 1000 + i,
                "name": f"Critical task {i}",
                "project": "MOD-ERP",
                "index": round(0.95 - i * 0.07, 2),
            }
            for i in range(8)
        ],
        "finish_drivers": [
            {
                "key": f"task:{i}",
                "label": f"Finish driver {i}",
                "kind": "task",
                "correlation": round(0.8 - i * 0.1, 2),
                "low": day(p50_days - 20 + i * 2),
                "high": day(p50_days + 30 - i * 3),
            }
            for i in range(5)
        ]
        + [
            {
                "key": "risk:1",
                "label": "Vendor delivers late",
                "kind": "risk",
                "correlation": 0.25,
                "low": day(p50_days - 2),
                "high": day(p50_days + 12),
            }
        ],
        "cost_drivers": [
            {
                "key": f"cost:{i}",
                "label": f"Cost driver {i}",
                "kind": "cost",
                "correlation": round(0.7 - i * 0.1, 2),
                "low": cost(-0.8 + i * 0.1),
                "high": cost(0.9 - i * 0.1),
            }
            for i in range(4)
        ],
        "contingency": {
            "p80_cost": str(p80),
            "budget": budget_str or "0.00",
            "needed": str(needed),
            "contingency_remaining": "30000.00",
            "management_reserve_remaining": "10000.00",
            "shortfall": str(max(needed - Decimal("40000.00"), Decimal(0))),
        },
        "schedule_margin_days": float(p80_days - p50_days + spread),
    }


class AnalysisRunFactory(factory.django.DjangoModelFactory):
    """A queued analysis run of `program` when given, else of `project` (a new one by default);
    `completed=True` gives a succeeded run with contract-shaped results (analysis_results) and
    its headline columns."""

    class Meta:
        model = AnalysisRun

    program = None
    # A project's run unless a program is given (exactly one scope: a check constraint).
    project = factory.LazyAttribute(lambda r: None if r.program else ProjectFactory())
    iterations = 5000
    seed = factory.Sequence(lambda n: 1000 + n)
    engine_version = "test"

    class Params:
        completed = factory.Trait(
            status=AnalysisRun.Status.SUCCEEDED,
            started_at=factory.LazyFunction(timezone.now),
            finished_at=factory.LazyFunction(timezone.now),
            results=factory.LazyFunction(analysis_results),
            p50_finish=factory.LazyAttribute(lambda r: datetime.datetime.fromisoformat(r.results["finish"]["p50"])),
            p80_finish=factory.LazyAttribute(lambda r: datetime.datetime.fromisoformat(r.results["finish"]["p80"])),
            p50_cost=factory.LazyAttribute(lambda r: Decimal(r.results["cost"]["p50"])),
            p80_cost=factory.LazyAttribute(lambda r: Decimal(r.results["cost"]["p80"])),
        )
