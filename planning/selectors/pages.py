"""Reads of the planning pages that scenario_view does not cover: the scenario list, a scenario's
optimisation runs. Each is a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q

from ..models import OptimisationRun, Scenario
from .scenario import add_months
from .scores import raw_values


def scenario_list_rows(portfolio) -> list[Scenario]:
    """The portfolio's scenarios, newest first, each annotated with `changes` (projects whose
    place differs in its overlay), `caps` (fiscal years capped) and `last_run_at` (one query)."""
    return list(
        Scenario.objects.filter(portfolio=portfolio)
        .select_related("based_on", "created_by", "committed_by")
        .annotate(
            changes=Count("project_rows", distinct=True),
            caps=Count("budget_caps", distinct=True),
            last_run_at=Max("runs__created_at", filter=Q(runs__status=OptimisationRun.Status.SUCCEEDED)),
        )
        .order_by("-created_at", "-pk")
    )


# -- an optimisation run's result ---------------------------------------------------------------

BINDING_LABELS = {
    "budget": "Budget cap",
    "capacity": "Capacity",
    "mandatory": "Mandatory project",
    "dependency": "Dependency",
    "exclusive": "Mutually exclusive group",
}
PLAN_STATUS_LABELS = {
    "optimal": "Optimal: no plan scores higher",
    "feasible": "Feasible: the best plan found within the time limit (it may not be optimal)",
    "infeasible": "Infeasible: the limits cannot all be met",
    "no-solution-in-time": "No plan found within the time limit",
}


@dataclass(frozen=True, slots=True)
class PlannedProject:
    row: object  # ScenarioRow (the scenario as it is now)
    start: dt.date | None  # the plan's start month
    shift_months: int  # against the scenario's current start (0: unchanged)
    finish: dt.date | None  # the current finish moved by the shift (the engine recomputes it when applied)
    in_scenario_now: bool

    @property
    def changes_scenario(self) -> bool:
        return bool(self.shift_months) or not self.in_scenario_now


@dataclass(frozen=True, slots=True)
class ExcludedProject:
    row: object
    reason: str
    in_scenario_now: bool


@dataclass(frozen=True, slots=True)
class BindingLine:
    kind: str
    label: str
    key: str
    used: Decimal
    limit: Decimal
    slack: Decimal
    near: bool
    money: bool


@dataclass(frozen=True, slots=True)
class RunResult:
    """An OptimisationRun's plan as the result page shows it, set against the scenario now."""

    run: OptimisationRun
    status: str
    status_label: str
    value: Decimal | None
    bound: Decimal | None
    solve_seconds: float | None
    chosen: list[PlannedProject]
    excluded: list[ExcludedProject]
    binding: list[BindingLine]
    infeasible_reason: str
    stale: bool  # the scenario changed since the run started
    has_plan: bool

    @property
    def shifted(self) -> list[PlannedProject]:
        return [p for p in self.chosen if p.shift_months]

    @property
    def changes(self) -> int:
        """How many projects applying the plan changes in the scenario."""
        return sum(1 for p in self.chosen if p.changes_scenario) + sum(1 for e in self.excluded if e.in_scenario_now)


def _decimal(value) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except ArithmeticError:
        return None


def run_result(run: OptimisationRun, view) -> RunResult:
    """Read `run.plan` (planning.services.optimise.plan_json) against `view`, the scenario's
    scenario_view now. No query."""
    plan = run.plan or {}
    rows = {r.key: r for r in view.rows}
    months = view.months
    chosen = []
    starts = plan.get("starts", {})
    # key → [the start month index the scenario has, the plan's]: only moved starts are listed
    # (a project under way is fixed at the horizon's first month, its real start earlier).
    moved = plan.get("shifted", {})
    for key, index in starts.items():
        row = rows.get(key)
        if row is None:
            continue
        shift = 0
        if key in moved and moved[key][0] is not None:
            shift = int(moved[key][1]) - int(moved[key][0])
        if row.start is not None:
            start = add_months(row.start, shift) if shift else row.start
        else:
            start = months[int(index)] if 0 <= int(index) < len(months) else None
        finish = row.finish
        if shift and finish:
            finish = add_months(finish, shift)
        chosen.append(PlannedProject(row, start, shift, finish, row.included))
    chosen.sort(key=lambda p: (p.start or dt.date.max, p.row.label))
    excluded = [
        ExcludedProject(rows[key], reason, rows[key].included)
        for key, reason in plan.get("excluded", {}).items()
        if key in rows
    ]
    excluded.sort(key=lambda e: e.row.label)
    binding = [
        BindingLine(
            kind=b.get("kind", ""),
            label=BINDING_LABELS.get(b.get("kind", ""), b.get("kind", "")),
            key=b.get("key", ""),
            used=_decimal(b.get("used")) or Decimal(0),
            limit=_decimal(b.get("limit")) or Decimal(0),
            slack=_decimal(b.get("slack")) or Decimal(0),
            near=bool(b.get("near")),
            money=b.get("kind") == "budget",
        )
        for b in plan.get("binding", [])
    ]
    status = plan.get("status", "")
    return RunResult(
        run=run,
        status=status,
        status_label=PLAN_STATUS_LABELS.get(status, status),
        value=_decimal(plan.get("value")),
        bound=_decimal(plan.get("bound")),
        solve_seconds=plan.get("solve_seconds"),
        chosen=chosen,
        excluded=excluded,
        binding=binding,
        infeasible_reason=plan.get("infeasible_reason") or "",
        stale=run.params.get("scenario_version") not in (None, view.scenario.version),
        has_plan=status in ("optimal", "feasible"),
    )


# -- the commit confirmation ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommitGroup:
    kind: str
    title: str
    explanation: str
    changes: list  # planning.services.commit.ProjectChange


COMMIT_GROUPS = (
    ("approve", "Approved", "Proposed or on-hold projects the scenario includes: their status becomes active."),
    ("hold", "Put on hold", "Active projects the scenario leaves out: their status becomes on hold."),
    ("shift", "Starts moved", "Planned start moved; the schedule is recomputed and the finish moves with it."),
    (
        "budget",
        "Budget change requests",
        "One change request per project (drafted, submitted and approved in your name) moves its budget.",
    ),
    ("demand", "Staffing requests", "Staffing requests added or cancelled for the scenario's demand."),
)


def commit_groups(preview) -> list[CommitGroup]:
    """The preview's changes by kind, in the order the page lists them (a project with several
    kinds of change is listed under each). No query."""
    return [
        CommitGroup(kind, title, explanation, [c for c in preview.changes if kind in c.kinds])
        for kind, title, explanation in COMMIT_GROUPS
    ]


# -- the scoring page ------------------------------------------------------------------------------

CONSISTENCY_LIMIT = Decimal("0.1")  # Saaty: judgements with a ratio above 0.1 are inconsistent


@dataclass(frozen=True, slots=True)
class CriterionLine:
    criterion: object  # ScoringCriterion
    weight: Decimal | None  # the weight in force, 0 to 1 (None: no criterion weighs anything)

    @property
    def weight_percent(self) -> Decimal | None:
        return None if self.weight is None else self.weight * 100


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One cell of the pairwise matrix: row criterion against column criterion. `value` is the
    judgement as read from the row (None: not judged); only cells above the diagonal are edited,
    those below show the reciprocal."""

    row: object
    column: object
    value: Decimal | None
    editable: bool
    diagonal: bool

    @property
    def shown(self) -> str:
        if self.diagonal:
            return "1"
        if self.value is None:
            return "—"
        if self.value >= 1:
            return f"{self.value.quantize(Decimal('0.01')).normalize():f}"
        return f"1/{(1 / self.value).quantize(Decimal(1)):f}"

    @property
    def choice(self) -> str:
        """The form's choice nearest the stored value ("" when not judged)."""
        if self.value is None:
            return ""
        from ..forms import SAATY_CHOICES

        return min((c for c, _ in SAATY_CHOICES), key=lambda c: abs(Decimal(c) - self.value))


@dataclass(frozen=True, slots=True)
class ScoredProject:
    row: object  # ScenarioRow
    values: list[Decimal | None]  # raw value per criterion (in the criteria's order)
    entered: list[bool]  # whether each value was entered (else read from the domains)
    score: Decimal | None

    @property
    def cells(self) -> list[tuple[Decimal | None, bool]]:
        return list(zip(self.values, self.entered, strict=True))


@dataclass(frozen=True, slots=True)
class ScoringPage:
    criteria: list[CriterionLine]
    method: str
    consistency_ratio: Decimal | None
    inconsistent: bool
    matrix: list[list[MatrixCell]]
    projects: list[ScoredProject]
    frontier: list[tuple[Decimal, Decimal]]  # (total cost, best total score)
    selection: tuple[Decimal, Decimal]  # the scenario's included projects: (cost, score)


def scoring_page(view, scores, frontier_points) -> ScoringPage:
    """The scoring page of a scenario: `view` its scenario_view made with `scores`
    (planning.selectors.scores.project_scores), `frontier_points` the efficient frontier as
    (cost, value) pairs. Two queries: the judgements and the entered values."""
    from ..models import CriterionValue, PairwiseJudgement, ScoringCriterion

    # Read here, not from `scores`: the page lists the criteria even before any score is made.
    criteria = list(ScoringCriterion.objects.filter(portfolio=view.scenario.portfolio_id).order_by("name", "pk"))
    ids = [c.pk for c in criteria]
    lines = [CriterionLine(c, scores.weights.get(c.pk)) for c in criteria]
    judged = {
        (j.criterion_a_id, j.criterion_b_id): j.value
        for j in PairwiseJudgement.objects.filter(criterion_a_id__in=ids, criterion_b_id__in=ids)
    }
    matrix = []
    for i, a in enumerate(criteria):
        cells = []
        for j, b in enumerate(criteria):
            if i == j:
                cells.append(MatrixCell(a, b, Decimal(1), False, True))
                continue
            value = judged.get((a.pk, b.pk))
            if value is None and (b.pk, a.pk) in judged:
                value = 1 / judged[(b.pk, a.pk)]
            cells.append(MatrixCell(a, b, value, j > i, False))
        matrix.append(cells)
    entered = set(CriterionValue.objects.filter(criterion_id__in=ids).values_list("project_id", "criterion_id"))
    # The raw values straight from the domains (and entered values), so the page shows them
    # whatever the weights and scores.
    raw = raw_values(view.scenario.portfolio, [r.project for r in view.rows], criteria) if criteria else {}
    projects = []
    for row in view.rows:
        found = raw.get(row.project.pk, {})
        values = [found.get(c.pk) for c in criteria]
        projects.append(ScoredProject(row, values, [(row.project.pk, c.pk) in entered for c in criteria], row.score))
    projects.sort(key=lambda p: (p.score is None, -(p.score or 0), p.row.label))
    ratio = scores.consistency_ratio
    included = [r for r in view.rows if r.included]
    return ScoringPage(
        criteria=lines,
        method=scores.method,
        consistency_ratio=ratio,
        inconsistent=ratio is not None and ratio > CONSISTENCY_LIMIT,
        matrix=matrix,
        projects=projects,
        frontier=list(frontier_points),
        selection=(sum((r.total_cost for r in included), Decimal(0)), view.total_score),
    )
