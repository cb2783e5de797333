"""What the governance pages show, computed in a fixed number of queries whatever the rows."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from portfolio.models import Program
from projects.models import Project

from ..models import (
    PHASE_ORDER,
    Benefit,
    BenefitMeasurement,
    ChangeRequest,
    GateCriterion,
    StageGate,
    phase_index,
)
from ..querysets import GATE_APPROVERS, _programs

# How far ahead the summary card looks for gates and OLA reviews.
DUE_WITHIN_DAYS = 30
DECISIONS_SHOWN = 10


@dataclass
class GateStep:
    """One phase of the stepper: done, current or ahead, with the gate that leads into it (the
    approved one, else the pending one, else the latest decided) and every review of it."""

    phase: str
    label: str
    state: str
    gate: StageGate | None = None
    reviews: list[StageGate] = field(default_factory=list)


@dataclass
class ProjectGovernance:
    project: Project
    steps: list[GateStep]
    gates: list[StageGate]
    change_requests: list[ChangeRequest]
    next_phase: str | None
    may_prepare: bool
    may_decide: bool


def may_decide(*, user, program: Program) -> bool:
    """Whether `user` decides gates and change requests in `program` (GATE_APPROVERS on it or
    its portfolio; the same role tuple as CHANGE_APPROVERS)."""
    return user.is_authenticated and _programs(user, GATE_APPROVERS).filter(pk=program.pk).exists()


def _best_gate(reviews: list[StageGate]) -> StageGate | None:
    for decision in (StageGate.Decision.APPROVED, StageGate.Decision.PENDING):
        for gate in reviews:
            if gate.decision == decision:
                return gate
    return reviews[-1] if reviews else None


def project_governance(*, project: Project, user) -> ProjectGovernance:
    """The phase stepper, every gate with its checklist, and the project's change requests."""
    gates = list(
        StageGate.objects.filter(project=project)
        .select_related("decided_by")
        .prefetch_related(Prefetch("criteria", queryset=GateCriterion.objects.select_related("checked_by")))
        .order_by("to_phase", "pk")
    )
    by_phase: dict[str, list[StageGate]] = {}
    for gate in gates:
        by_phase.setdefault(gate.to_phase, []).append(gate)
    current = phase_index(project.phase)
    steps = []
    for index, phase in enumerate(PHASE_ORDER):
        state = "done" if index < current else "current" if index == current else "ahead"
        reviews = by_phase.get(phase, [])
        steps.append(GateStep(phase, Project.Phase(phase).label, state, _best_gate(reviews), reviews))
    gates.sort(key=lambda g: (phase_index(g.to_phase), g.pk))
    next_phase = PHASE_ORDER[current + 1] if current + 1 < len(PHASE_ORDER) else None
    change_requests = list(
        ChangeRequest.objects.filter(project=project)
        .select_related("project", "requested_by", "decided_by")
        .order_by("-number")
    )
    return ProjectGovernance(
        project=project,
        steps=steps,
        gates=gates,
        change_requests=change_requests,
        next_phase=next_phase,
        may_prepare=Project.objects.editable_by(user).filter(pk=project.pk).exists(),
        may_decide=may_decide(user=user, program=project.program),
    )


@dataclass
class PipelineRow:
    project: Project
    next_phase: str | None
    gate: StageGate | None
    overdue: bool


@dataclass
class BenefitRow:
    benefit: Benefit
    realisation: Decimal | None
    measurements: list[BenefitMeasurement]


@dataclass
class ProgramGovernance:
    program: Program
    pipeline: list[PipelineRow]
    awaiting: list[ChangeRequest]
    decisions: list
    benefits: list[BenefitRow]
    olas: list
    may_edit: bool
    may_decide: bool
    today: dt.date


def _pending_gates(projects) -> dict[int, StageGate]:
    """The pending gate into each project's next phase (one query)."""
    gates = StageGate.objects.filter(project__in=projects, decision=StageGate.Decision.PENDING).annotate(
        criteria_count=Count("criteria"), criteria_met=Count("criteria", filter=Q(criteria__met=True))
    )
    by_project: dict[int, StageGate] = {}
    for gate in gates.order_by("to_phase", "pk"):
        by_project.setdefault(gate.project_id, gate)
    return by_project


def benefit_rows(benefits, *, with_measurements: bool = True) -> list[BenefitRow]:
    """Realisation per benefit (annotated by benefit_list) and, optionally, its measurements —
    read in one query for all the benefits."""
    from . import realisation_percent

    benefits = list(benefits)
    series: dict[int, list[BenefitMeasurement]] = {b.pk: [] for b in benefits}
    if with_measurements and benefits:
        for m in BenefitMeasurement.objects.filter(benefit__in=[b.pk for b in benefits]).order_by("measured_on"):
            series[m.benefit_id].append(m)
    return [
        BenefitRow(
            b,
            realisation_percent(baseline=b.baseline_value, target=b.target_value, latest=b.latest_value),
            series[b.pk],
        )
        for b in benefits
    ]


def program_governance(*, program: Program, user, today: dt.date | None = None) -> ProgramGovernance:
    from . import benefit_list, decision_list, ola_list

    today = today or timezone.localdate()
    projects = list(Project.objects.visible_to(user).filter(program=program).select_related("manager").order_by("code"))
    pending = _pending_gates([p.pk for p in projects])
    pipeline = []
    for project in projects:
        index = phase_index(project.phase)
        next_phase = PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None
        gate = pending.get(project.pk)
        overdue = bool(gate and gate.planned_date and gate.planned_date < today)
        pipeline.append(PipelineRow(project, next_phase, gate, overdue))
    # Gates coming up first (soonest planned, overdue on top), then projects without one.
    pipeline.sort(
        key=lambda row: (
            row.gate is None,
            row.next_phase is None,
            (row.gate.planned_date or dt.date.max) if row.gate else dt.date.max,
            row.project.code,
        )
    )
    awaiting = list(
        ChangeRequest.objects.visible_to(user)
        .filter(project__program=program, status=ChangeRequest.Status.SUBMITTED)
        .select_related("project", "requested_by")
        .order_by("submitted_at")
    )
    decisions = list(decision_list(user=user).filter(program=program)[:DECISIONS_SHOWN])
    benefits = benefit_rows(benefit_list(user=user).filter(program=program))
    olas = list(ola_list(user=user, today=today).filter(program=program))
    return ProgramGovernance(
        program=program,
        pipeline=pipeline,
        awaiting=awaiting,
        decisions=decisions,
        benefits=benefits,
        olas=olas,
        may_edit=Program.objects.editable_by(user).filter(pk=program.pk).exists(),
        may_decide=may_decide(user=user, program=program),
        today=today,
    )


@dataclass
class ProgramGovernanceSummary:
    program: Program
    gates_due: list[StageGate]
    gates_due_count: int
    awaiting_count: int
    benefits_at_risk: int
    olas_due: int


def program_governance_summary(*, program: Program, user, today: dt.date | None = None) -> ProgramGovernanceSummary:
    """The program page's governance card: pending gates planned within DUE_WITHIN_DAYS (or
    overdue, first five listed), change requests awaiting approval, benefits at risk and OLAs
    whose review falls within DUE_WITHIN_DAYS or is overdue. Five queries."""
    from . import benefit_list, ola_list

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_WITHIN_DAYS)
    gates = StageGate.objects.visible_to(user).filter(
        project__program=program, decision=StageGate.Decision.PENDING, planned_date__lte=horizon
    )
    gates_due = list(gates.select_related("project").order_by("planned_date", "pk")[:5])
    return ProgramGovernanceSummary(
        program=program,
        gates_due=gates_due,
        gates_due_count=gates.count(),
        awaiting_count=ChangeRequest.objects.visible_to(user)
        .filter(project__program=program, status=ChangeRequest.Status.SUBMITTED)
        .count(),
        benefits_at_risk=benefit_list(user=user).filter(program=program, status=Benefit.Status.AT_RISK).count(),
        olas_due=ola_list(user=user, today=today)
        .filter(program=program, status__in=["active", "under_review"], review_date__lte=horizon)
        .count(),
    )
