"""Writes for stage gates and their checklists, and the gate decision.

The project team (PROJECT_EDITORS) prepares a gate and ticks its criteria; the program manager
(GATE_APPROVERS — the views and API check who) decides it. Every write is atomic and audited;
a decided gate and its checklist are frozen."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from budgets.services._common import create_audited, delete_audited
from core.services import versioned_update
from projects.models import Project
from projects.services import project_update

from ..models import GATED_PHASES, GateCriterion, StageGate, phase_index, previous_phase
from ..selectors import phases_missing_gate
from ._common import locked, log_decision, refuse, save_transition, touch

UNKNOWN_PHASE = "“{phase}” is not a phase a gate leads into; choose one of: {phases}."
PHASE_ALREADY_ENTERED = "The project is already in or past {phase}; a gate leads into a later phase."
GATE_ALREADY_APPROVED = "This project already has an approved gate into {phase}."
GATE_ALREADY_PENDING = "This project already has a pending gate into {phase}; decide or update that one."
GATE_DECIDED = "This gate was decided ({decision}); a new review is a new gate."
CRITERIA_NOT_MET = "Every criterion must be met before the gate is approved; not met: {criteria}."
REASON_REQUIRED = "Say why the gate is {decision}."
UNKNOWN_DECISION = "“{decision}” is not a decision: approve, reject or defer."
DECISION_REQUIRED = "Choose a decision: approve, reject or defer."

# What a decision will do, in the words of the confirmation step (and the API's preview).
WILL_MOVE = "Approving moves {code} from {current} into {phase}."
WILL_STAY_PASSED = "Approving records the gate; {code} is already in {current}, so its phase stays."
WILL_STAY_MISSING = "Approving records the gate; {code} stays in {current} until {missing} is approved too."
WILL_REJECT = "Rejecting closes this gate for good; {code} stays in {current}. A new review is a new gate."
WILL_DEFER = "Deferring closes this gate; {code} stays in {current}. A new review is a new gate."

DECISIONS = {
    "approve": StageGate.Decision.APPROVED,
    "reject": StageGate.Decision.REJECTED,
    "defer": StageGate.Decision.DEFERRED,
}
DEFAULT_CRITERIA = {
    "planning": ["Business case approved", "Sponsor and project manager named", "High-level scope agreed"],
    "execution": ["Schedule baselined", "Budget approved", "Key risks assessed", "Resources committed"],
    "closing": ["Deliverables accepted", "Open risks and issues handed over", "Operations ready"],
    "closed": ["Lessons learned recorded", "Final costs reconciled", "Contracts closed"],
}


def _check_pending(gate: StageGate) -> None:
    if gate.decision != StageGate.Decision.PENDING:
        refuse("decision", GATE_DECIDED.format(decision=gate.get_decision_display().lower()))


def _check_to_phase(project: Project, to_phase: str) -> None:
    if to_phase not in GATED_PHASES:
        refuse("to_phase", UNKNOWN_PHASE.format(phase=to_phase, phases=", ".join(GATED_PHASES)))
    label = Project.Phase(to_phase).label
    if phase_index(to_phase) <= phase_index(project.phase):
        refuse("to_phase", PHASE_ALREADY_ENTERED.format(phase=label))
    gates = StageGate.objects.filter(project=project, to_phase=to_phase)
    if gates.filter(decision=StageGate.Decision.APPROVED).exists():
        refuse("to_phase", GATE_ALREADY_APPROVED.format(phase=label))
    if gates.filter(decision=StageGate.Decision.PENDING).exists():
        refuse("to_phase", GATE_ALREADY_PENDING.format(phase=label))


@transaction.atomic
def stage_gate_create(
    *,
    actor,
    project: Project,
    to_phase: str,
    name: str = "",
    planned_date: dt.date | None = None,
    decision_notes: str = "",
    criteria: list[str] | None = None,
) -> StageGate:
    """Prepare a pending gate into `to_phase` (a phase after the project's current one, with no
    approved or pending gate yet). `criteria` seeds the checklist; None uses the standard
    checklist of that phase, [] starts it empty."""
    Project.objects.select_for_update().filter(pk=project.pk).get()
    _check_to_phase(project, to_phase)
    gate = StageGate(
        project=project,
        from_phase=previous_phase(to_phase),
        to_phase=to_phase,
        name=name or f"Gate into {Project.Phase(to_phase).label.lower()}",
        planned_date=planned_date,
        decision_notes=decision_notes,
    )
    create_audited(actor=actor, obj=gate, fields=["project", "to_phase", "name", "planned_date"])
    texts = DEFAULT_CRITERIA.get(to_phase, []) if criteria is None else criteria
    for order, text in enumerate(texts, start=1):
        gate_criterion_create(actor=actor, gate=gate, text=text, order=order)
    touch(gate)
    return gate


@transaction.atomic
def stage_gate_update(
    *, actor, gate: StageGate, data: dict[str, Any], expected_version: int | None = None
) -> StageGate:
    """Change a pending gate's name, planned date, notes or target phase."""
    current = locked(gate, expected_version)
    _check_pending(current)
    data = dict(data)
    if "to_phase" in data and data["to_phase"] != current.to_phase:
        _check_to_phase(current.project, data["to_phase"])
        data["from_phase"] = previous_phase(data["to_phase"])
    gate = versioned_update(instance=gate, data=data, actor=actor, expected_version=expected_version)
    touch(gate)
    return gate


def stage_gate_delete(*, actor, gate: StageGate) -> None:
    """Remove a pending gate prepared by mistake (decided gates are history and stay)."""
    with transaction.atomic():
        _check_pending(locked(gate, None))
        delete_audited(actor=actor, obj=gate)
        touch(gate)


@transaction.atomic
def stage_gate_decide(
    *, actor, gate: StageGate, decision: str, notes: str = "", expected_version: int | None = None
) -> StageGate:
    """Approve, reject or defer a pending gate and log the decision in the program's decision log.

    Approval needs every criterion met; it moves the project into the gate's phase (through
    project_update, audited, in this transaction) when the project is before that phase and every
    phase it enters has its approved gate — otherwise the phase stays (see
    stage_gate_decision_preview, which says which). Rejection and deferral need `notes` (the
    reason). The decision is final for this gate row."""
    notes = (notes or "").strip()
    if not decision:
        refuse("decision", DECISION_REQUIRED)
    if decision not in DECISIONS:
        refuse("decision", UNKNOWN_DECISION.format(decision=decision))
    current = locked(gate, expected_version)
    project = Project.objects.select_for_update().get(pk=current.project_id)
    outcome = _check_decision(current, decision, notes)
    old = current.decision
    current.decision = outcome
    current.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    current.decided_at = timezone.now()
    if notes:
        current.decision_notes = notes
    save_transition(
        actor=actor,
        obj=current,
        changes={"decision": (old, outcome)},
        fields=["decision", "decided_by", "decided_at", "decision_notes"],
    )
    moved = ""
    if outcome == StageGate.Decision.APPROVED:
        new_phase, _ = _phase_after_approval(current, project.phase)
        if new_phase:
            project = project_update(actor=actor, project=project, data={"phase": new_phase})
            moved = f" {project.code} moved into {_phase_label(new_phase).lower()}."
    log_decision(
        actor=actor,
        program=project.program,
        project=project,
        title=f"{project.code}: gate into {current.get_to_phase_display().lower()} {outcome.label.lower()}",
        text=(notes or f"{current.name} {outcome.label.lower()}; every criterion met.") + moved,
        context=f"Stage gate “{current.name}”.",
        stage_gate=current,
    )
    touch(current)
    return current


@dataclass(frozen=True)
class GateDecisionPreview:
    """What deciding `gate` with `decision` will do, checked as stage_gate_decide checks it.
    `new_phase` is the phase the project moves into (None when it stays)."""

    gate: StageGate
    decision: str
    outcome: str
    notes: str
    current_phase: str
    new_phase: str | None
    consequence: str


def _phase_label(phase: str) -> str:
    return Project.Phase(phase).label


def _check_decision(gate: StageGate, decision: str, notes: str) -> str:
    """The outcome of a valid decision on pending `gate`; ValidationError otherwise."""
    if not decision:
        refuse("decision", DECISION_REQUIRED)
    if decision not in DECISIONS:
        refuse("decision", UNKNOWN_DECISION.format(decision=decision))
    _check_pending(gate)
    outcome = DECISIONS[decision]
    if outcome == StageGate.Decision.APPROVED:
        unmet = list(gate.criteria.filter(met=False).values_list("text", flat=True))
        if unmet:
            refuse("decision", CRITERIA_NOT_MET.format(criteria="; ".join(unmet)))
    elif not notes:
        refuse("decision_notes", REASON_REQUIRED.format(decision=outcome.label.lower()))
    return outcome


def _phase_after_approval(gate: StageGate, current_phase: str) -> tuple[str | None, str]:
    """(the phase the project moves into, or None; the missing gates' words when it stays)."""
    if phase_index(gate.to_phase) <= phase_index(current_phase):
        return None, ""
    # Every phase entered needs its approved gate (project_update's rule); this gate counts.
    missing = [
        p
        for p in phases_missing_gate(project=gate.project, from_phase=current_phase, to_phase=gate.to_phase)
        if p != gate.to_phase
    ]
    if missing:
        return None, ", ".join(f"the gate into {_phase_label(p).lower()}" for p in missing)
    return gate.to_phase, ""


def stage_gate_decision_preview(*, gate: StageGate, decision: str, notes: str = "") -> GateDecisionPreview:
    """Check a decision without recording it and say what recording it will do (the confirmation
    step of the decide page). Raises the ValidationError stage_gate_decide would raise."""
    notes = (notes or "").strip()
    outcome = _check_decision(gate, decision, notes)
    project = gate.project
    current = Project.objects.values_list("phase", flat=True).get(pk=project.pk)
    words = {"code": project.code, "current": _phase_label(current)}
    new_phase = None
    if outcome == StageGate.Decision.APPROVED:
        new_phase, missing = _phase_after_approval(gate, current)
        if new_phase:
            consequence = WILL_MOVE.format(phase=_phase_label(new_phase), **words)
        elif missing:
            consequence = WILL_STAY_MISSING.format(missing=missing, **words)
        else:
            consequence = WILL_STAY_PASSED.format(**words)
    elif outcome == StageGate.Decision.REJECTED:
        consequence = WILL_REJECT.format(**words)
    else:
        consequence = WILL_DEFER.format(**words)
    return GateDecisionPreview(
        gate=gate,
        decision=decision,
        outcome=outcome,
        notes=notes,
        current_phase=current,
        new_phase=new_phase,
        consequence=consequence,
    )


# -- the checklist ---------------------------------------------------------------------------------


@transaction.atomic
def gate_criterion_create(
    *, actor, gate: StageGate, text: str, order: int | None = None, met: bool = False, evidence: str = ""
) -> GateCriterion:
    """Add a criterion to a pending gate's checklist (at the end unless `order` is given)."""
    _check_pending(gate)
    if order is None:
        last = gate.criteria.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 1
    criterion = GateCriterion(gate=gate, text=text, order=order, met=met, evidence=evidence)
    if met:
        criterion.checked_by = actor if getattr(actor, "is_authenticated", False) else None
        criterion.checked_at = timezone.now()
    return create_audited(actor=actor, obj=criterion, fields=["gate", "text", "order", "met"])


@transaction.atomic
def gate_criterion_update(
    *, actor, criterion: GateCriterion, data: dict[str, Any], expected_version: int | None = None
) -> GateCriterion:
    """Edit or tick a criterion of a pending gate; ticking records who and when."""
    _check_pending(StageGate.objects.select_for_update().get(pk=criterion.gate_id))
    data = dict(data)
    data.pop("gate", None)
    if "met" in data and data["met"] != criterion.met:
        data["checked_by"] = actor if (data["met"] and getattr(actor, "is_authenticated", False)) else None
        data["checked_at"] = timezone.now() if data["met"] else None
    return versioned_update(instance=criterion, data=data, actor=actor, expected_version=expected_version)


def gate_criterion_tick(*, actor, criterion: GateCriterion, met: bool, evidence: str | None = None) -> GateCriterion:
    data: dict[str, Any] = {"met": met}
    if evidence is not None:
        data["evidence"] = evidence
    return gate_criterion_update(actor=actor, criterion=criterion, data=data)


def gate_criterion_delete(*, actor, criterion: GateCriterion) -> None:
    with transaction.atomic():
        _check_pending(StageGate.objects.select_for_update().get(pk=criterion.gate_id))
        delete_audited(actor=actor, obj=criterion)
