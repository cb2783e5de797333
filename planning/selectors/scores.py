"""A score per project of a portfolio from its scoring criteria (planning.ScoringCriterion).

Raw values per criterion kind, read from the domains for every open project at once (a fixed
number of queries), unless a CriterionValue is entered for the project (an entered value wins):

- objective_alignment: Σ of the program's strategic-objective weights (ProgramObjective, %),
- financial_value: entered values only (0 where none),
- benefits: the program's benefits (not cancelled) shared equally among its open projects,
- risk_exposure: the EMV of the project's active risks (lower is better by default),
- cost: the project's CURRENT budget total in its budget currencies' base (lower is better),
- urgency: from the project's priority (critical 4, high 3, medium 2, low 1),
- custom: entered values only.

Weights: the criteria's pairwise judgements through AHP when every pair of criteria is judged
(with Saaty's consistency ratio), else their direct weights (percent, normalised to sum 1; equal
weights while every direct weight is 0). Normalisation (min-max to 0-100 per criterion) and
the weighted sum are planning.optimiser.scoring's: 0-100 per project.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from budgets.models import BudgetLine
from governance.models import Benefit
from portfolio.models import ProgramObjective
from projects.models import Project
from projects.models.project import open_projects_q
from risks.models import Risk

from ..models import CriterionValue, PairwiseJudgement, ScoringCriterion
from ..optimiser.scoring import score_projects
from ..optimiser.weights import CONSISTENCY_LIMIT, MAX_CRITERIA, ahp_weights, direct_weights

ZERO = Decimal(0)
URGENCY = {1: Decimal(4), 2: Decimal(3), 3: Decimal(2), 4: Decimal(1)}
METHOD_DIRECT, METHOD_PAIRWISE = "direct", "pairwise"


@dataclass
class ProjectScore:
    project_id: int
    score: Decimal  # 0-100
    values: dict[int, Decimal] = field(default_factory=dict)  # criterion id → raw value
    normalised: dict[int, Decimal | None] = field(default_factory=dict)  # criterion id → 0-100
    benefits: Decimal | None = None


@dataclass
class CriterionWeights:
    method: str
    weights: dict[int, Decimal]  # criterion id → weight, summing to 1 (empty: no criteria)
    consistency_ratio: Decimal | None = None
    judged_pairs: int = 0  # pairs with a judgement
    pairs: int = 0  # pairs there are

    @property
    def consistent(self) -> bool | None:
        """Saaty's rule (ratio at most 0.10); None with direct weights."""
        return None if self.consistency_ratio is None else self.consistency_ratio <= CONSISTENCY_LIMIT


class Scores(dict):
    """project id → ProjectScore, with how the weights were found (`weighting`)."""

    method: str = METHOD_DIRECT
    consistency_ratio: Decimal | None = None
    weights: dict[int, Decimal]
    criteria: list[ScoringCriterion]
    weighting: CriterionWeights | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weights, self.criteria = {}, []


def criterion_weights(criteria: list[ScoringCriterion], judgements: list[PairwiseJudgement]) -> CriterionWeights:
    """AHP weights when every pair of `criteria` is judged, else the direct weights."""
    ids = [c.pk for c in criteria]
    pairs = len(ids) * (len(ids) - 1) // 2
    known = set(ids)
    pairwise = {
        (j.criterion_a_id, j.criterion_b_id): j.value
        for j in judgements
        if j.criterion_a_id in known and j.criterion_b_id in known
    }
    if not ids:
        return CriterionWeights(METHOD_DIRECT, {})
    if pairs and len(pairwise) == pairs and len(ids) <= MAX_CRITERIA:
        found, ratio = ahp_weights(ids, pairwise)
        return CriterionWeights(METHOD_PAIRWISE, dict(found), ratio, len(pairwise), pairs)
    given = {c.pk: c.weight for c in criteria}
    if not any(given.values()):
        given = dict.fromkeys(ids, Decimal(1))
    return CriterionWeights(METHOD_DIRECT, direct_weights(given), None, len(pairwise), pairs)


def raw_values(portfolio, projects: list[Project], criteria: list[ScoringCriterion]) -> dict[int, dict[int, Decimal]]:
    """project id → criterion id → raw value (see the module docstring)."""
    ids = [p.pk for p in projects]
    kinds = {c.kind for c in criteria}
    entered: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for project_id, criterion_id, value in CriterionValue.objects.filter(
        criterion__in=[c.pk for c in criteria], project_id__in=ids
    ).values_list("project_id", "criterion_id", "value"):
        entered[project_id][criterion_id] = value
    alignment: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if ScoringCriterion.Kind.OBJECTIVE_ALIGNMENT in kinds:
        for program_id, weight in ProgramObjective.objects.filter(
            program_id__in={p.program_id for p in projects}
        ).values_list("program_id", "weight"):
            alignment[program_id] += weight
    benefits = project_benefits(projects) if ScoringCriterion.Kind.BENEFITS in kinds else {}
    exposure: dict[int, Decimal] = {}
    if ScoringCriterion.Kind.RISK_EXPOSURE in kinds:
        exposure = dict(
            Risk.objects.active()
            .filter(project_id__in=ids)
            .order_by()
            .values("project_id")
            .annotate(total=Sum("emv"))
            .values_list("project_id", "total")
        )
    cost: dict[int, Decimal] = {}
    if ScoringCriterion.Kind.COST in kinds:
        cost = dict(
            BudgetLine.objects.filter(project_id__in=ids, budget_version=BudgetLine.Version.CURRENT)
            .order_by()
            .values("project_id")
            .annotate(total=Sum("amount"))
            .values_list("project_id", "total")
        )
    found: dict[int, dict[int, Decimal]] = {}
    for p in projects:
        row = {}
        for c in criteria:
            if c.pk in entered.get(p.pk, {}):
                row[c.pk] = entered[p.pk][c.pk]
            elif c.kind == ScoringCriterion.Kind.OBJECTIVE_ALIGNMENT:
                row[c.pk] = alignment[p.program_id]
            elif c.kind == ScoringCriterion.Kind.BENEFITS:
                row[c.pk] = benefits.get(p.pk, ZERO)
            elif c.kind == ScoringCriterion.Kind.RISK_EXPOSURE:
                row[c.pk] = exposure.get(p.pk) or ZERO
            elif c.kind == ScoringCriterion.Kind.COST:
                row[c.pk] = cost.get(p.pk) or ZERO
            elif c.kind == ScoringCriterion.Kind.URGENCY:
                row[c.pk] = URGENCY.get(p.priority, ZERO)
            else:
                row[c.pk] = ZERO
        found[p.pk] = row
    return found


def project_benefits(projects: list[Project]) -> dict[int, Decimal]:
    """Each program's benefits (not cancelled) shared equally among its open projects in
    `projects` (one query)."""
    per_program = dict(
        Benefit.objects.filter(program_id__in={p.program_id for p in projects})
        .exclude(status=Benefit.Status.CANCELLED)
        .order_by()
        .values("program_id")
        .annotate(n=Count("pk"))
        .values_list("program_id", "n")
    )
    size: dict[int, int] = defaultdict(int)
    for p in projects:
        size[p.program_id] += 1
    return {p.pk: Decimal(per_program.get(p.program_id, 0)) / size[p.program_id] for p in projects}


def project_scores(portfolio, projects: list[Project] | None = None) -> Scores:
    """Every open project's score (0-100) in `portfolio` under its criteria; an empty Scores
    when the portfolio has no criteria. A fixed number of queries."""
    criteria = list(ScoringCriterion.objects.filter(portfolio=portfolio).order_by("name", "pk"))
    scores = Scores()
    scores.criteria = criteria
    if not criteria:
        return scores
    if projects is None:
        projects = list(Project.objects.filter(program__portfolio=portfolio).filter(open_projects_q()))
    judgements = list(PairwiseJudgement.objects.filter(criterion_a__portfolio=portfolio))
    weighting = criterion_weights(criteria, judgements)
    scores.method, scores.consistency_ratio, scores.weights, scores.weighting = (
        weighting.method,
        weighting.consistency_ratio,
        weighting.weights,
        weighting,
    )
    values = raw_values(portfolio, projects, criteria)
    directions = {c.pk: c.direction == ScoringCriterion.Direction.HIGHER_BETTER for c in criteria}
    result = score_projects(values, weighting.weights, higher_is_better=directions)
    benefit_ids = [c.pk for c in criteria if c.kind == ScoringCriterion.Kind.BENEFITS]
    for p in projects:
        scored = result[p.pk]
        scores[p.pk] = ProjectScore(
            project_id=p.pk,
            score=scored.score,
            values=values[p.pk],
            normalised=dict(scored.normalised),
            benefits=values[p.pk][benefit_ids[0]] if benefit_ids else None,
        )
    return scores
