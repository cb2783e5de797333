"""What the risk-analysis pages and reports read of a run beyond risks.selectors.analysis: its
results JSON (documented on risks.models.analysis) as typed values (`summarise`), two runs'
headline figures side by side for people (`compare_figures`), and how much uncertainty a scope's
data describes (`analysis_inputs_summary`).

The scope (a project or a program) is found by the caller through its access querysets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..models import AnalysisRun

HISTORY_RUNS = 20  # runs listed in a page's history table


# -- a run's results as typed values -------------------------------------------------------------


def _moment(value) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _money(value) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def _float(value) -> float | None:
    return float(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class Driver:
    """One bar of a tornado: the driver and the finish (datetime) or cost (Decimal) when it sits
    at its low and its high end."""

    key: str
    label: str
    kind: str
    correlation: float
    low: object
    high: object


@dataclass(frozen=True, slots=True)
class Outcome:
    """One side of a run's results (the finish or the cost)."""

    deterministic: object
    mean: object
    p10: object
    p50: object
    p80: object
    p90: object
    deterministic_percentile: float | None
    histogram: list  # (low, high, count)
    cdf: list  # (value, probability)
    reference: object = None  # the baseline finish or the budget
    p_reference: float | None = None
    target: object = None
    p_target: float | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    finish: Outcome
    cost: Outcome
    criticality: list
    finish_drivers: list[Driver]
    cost_drivers: list[Driver]
    contingency: dict = field(default_factory=dict)
    schedule_margin_days: float | None = None


def summarise(run: AnalysisRun) -> Summary | None:
    """`run.results` with dates as aware datetimes and money as Decimal, or None when the run
    has no results (queued, running, failed)."""
    results = run.results or {}
    if not results.get("finish") or not results.get("cost"):
        return None
    finish, cost = results["finish"], results["cost"]
    contingency = {key: _money(value) for key, value in (results.get("contingency") or {}).items()}
    return Summary(
        finish=Outcome(
            **{k: _moment(finish.get(k)) for k in ("deterministic", "mean", "p10", "p50", "p80", "p90")},
            deterministic_percentile=_float(finish.get("deterministic_percentile")),
            histogram=[(_moment(b["start"]), _moment(b["end"]), int(b["count"])) for b in finish.get("histogram", [])],
            cdf=[(_moment(x), float(p)) for x, p in finish.get("cdf", [])],
            reference=_moment(finish.get("baseline")),
            p_reference=_float(finish.get("p_baseline")),
            target=_moment(finish.get("target")),
            p_target=_float(finish.get("p_target")),
        ),
        cost=Outcome(
            **{k: _money(cost.get(k)) for k in ("deterministic", "mean", "p10", "p50", "p80", "p90")},
            deterministic_percentile=_float(cost.get("deterministic_percentile")),
            histogram=[(_money(b["low"]), _money(b["high"]), int(b["count"])) for b in cost.get("histogram", [])],
            cdf=[(_money(x), float(p)) for x, p in cost.get("cdf", [])],
            reference=_money(cost.get("budget")),
            p_reference=_float(cost.get("p_budget")),
        ),
        criticality=list(results.get("criticality") or []),
        finish_drivers=[
            Driver(
                d["key"],
                d["label"],
                d.get("kind", ""),
                float(d.get("correlation") or 0),
                _moment(d["low"]),
                _moment(d["high"]),
            )
            for d in results.get("finish_drivers") or []
        ],
        cost_drivers=[
            Driver(
                d["key"],
                d["label"],
                d.get("kind", ""),
                float(d.get("correlation") or 0),
                _money(d["low"]),
                _money(d["high"]),
            )
            for d in results.get("cost_drivers") or []
        ],
        contingency=contingency,
        schedule_margin_days=_float(results.get("schedule_margin_days")),
    )


# -- two runs compared ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComparedFigure:
    label: str
    kind: str  # "date", "money", "probability" or "text"
    first: object
    second: object
    change: object  # days (int), money (Decimal), percentage points (float) or None


def _change(kind: str, first, second):
    if first is None or second is None:
        return None
    if kind == "date":
        return (second.date() - first.date()).days
    if kind == "money":
        return second - first
    if kind == "probability":
        return round((second - first) * 100, 1)
    return None


def compare_figures(first: AnalysisRun, second: AnalysisRun) -> list[ComparedFigure]:
    """The headline figures of two runs side by side with the change from `first` to `second`
    (days, money, percentage points), and what they were run with. No query."""
    a, b = summarise(first), summarise(second)
    rows = [
        ComparedFigure("Iterations", "text", first.iterations, second.iterations, None),
        ComparedFigure("Seed", "text", first.seed, second.seed, None),
        ComparedFigure("Basis", "text", first.get_basis_display(), second.get_basis_display(), None),
        ComparedFigure("Engine version", "text", first.engine_version, second.engine_version, None),
    ]
    if a is None or b is None:
        return rows
    figures = [
        ("P50 finish", "date", a.finish.p50, b.finish.p50),
        ("P80 finish", "date", a.finish.p80, b.finish.p80),
        ("P90 finish", "date", a.finish.p90, b.finish.p90),
        ("Plan's finish (deterministic)", "date", a.finish.deterministic, b.finish.deterministic),
        ("Chance of meeting the baseline finish", "probability", a.finish.p_reference, b.finish.p_reference),
        ("P50 cost", "money", a.cost.p50, b.cost.p50),
        ("P80 cost", "money", a.cost.p80, b.cost.p80),
        ("P90 cost", "money", a.cost.p90, b.cost.p90),
        ("Chance of staying within budget", "probability", a.cost.p_reference, b.cost.p_reference),
        ("Contingency needed for P80", "money", a.contingency.get("needed"), b.contingency.get("needed")),
    ]
    return rows + [ComparedFigure(label, kind, x, y, _change(kind, x, y)) for label, kind, x, y in figures]


# -- what a run reads ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InputsSummary:
    """How much uncertainty the scope's data describes: tasks with their own three-point
    estimate, percentage ranges on branches, correlation groups, cost ranges, and the active
    risks with a probability and a schedule or cost impact."""

    tasks: int
    tasks_estimated: int
    duration_ranges: int
    correlation_groups: int
    cost_ranges: int
    risks: int
    risks_with_schedule: int
    risks_with_cost: int

    @property
    def empty(self) -> bool:
        return not (self.tasks_estimated or self.duration_ranges or self.cost_ranges or self.risks)


def analysis_inputs_summary(*, project=None, program=None) -> InputsSummary:
    """The counts behind InputsSummary for a project, or a program's projects and its own
    risks. Five queries."""
    from django.db.models import Count, Q

    from budgets.models import CostRange
    from projects.models import CorrelationGroup, DurationRange, Task

    from ..models import Risk

    projects = {"project": project} if project is not None else {"project__program": program}
    tasks = Task.objects.filter(**projects, is_summary=False).aggregate(
        tasks=Count("pk"), estimated=Count("pk", filter=Q(optimistic_minutes__isnull=False))
    )
    risk_scope = {"project": project} if project is not None else {"program": program}
    risks = (
        Risk.objects.filter(**risk_scope)
        .active()
        .aggregate(
            risks=Count("pk"),
            schedule=Count("pk", filter=Q(schedule_impact_days__gt=0)),
            cost=Count("pk", filter=Q(cost_impact__gt=0)),
        )
    )
    return InputsSummary(
        tasks=tasks["tasks"],
        tasks_estimated=tasks["estimated"],
        duration_ranges=DurationRange.objects.filter(**projects).count(),
        correlation_groups=CorrelationGroup.objects.filter(**projects).count(),
        cost_ranges=CostRange.objects.filter(**projects).count(),
        risks=risks["risks"],
        risks_with_schedule=risks["schedule"],
        risks_with_cost=risks["cost"],
    )
