"""Writes for risks: create, update, delete, escalate, realise. Every write is audited, and
every change to the assessment (probability, impact, cost, residual levels, status) appends a
RiskScoreHistory row."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets.models import ReserveTransaction
from budgets.services import reserve_drawdown
from core import events
from core.models import AuditEntry
from core.services import audit_record, model_changes, versioned_delete, versioned_update
from portfolio.models import Program
from projects.models import Project, Task

from .. import scoring
from ..models import Issue, Risk, RiskScoreHistory
from ._common import check_fields, next_number, resolve_scope, touch

PROBABILITY_RANGE = "Probability is a level from 1 (rare) to 5 (almost certain)."
PERCENT_RANGE = "The probability percentage must be between 0 and 100."
PERCENT_MISMATCH = (
    "{percent}% is not a level-{level} probability: level {level} covers {low}% (exclusive) to {high}% "
    "(level 1 from 0%). Change the level, or leave one of the two out to have it derived."
)
RESIDUAL_BOTH = "Give the residual probability and the residual impact together, or neither."
RESIDUAL_ABOVE_INHERENT = "The residual {name} ({residual}) cannot exceed the inherent {name} ({inherent})."
TRIGGER_AFTER_PROXIMITY = "The trigger date must be on or before the proximity date (when the risk would occur)."
PROXIMITY_PAST = "The proximity date of a new open risk cannot be in the past."
CONTRACT_OTHER_PROGRAM = "This contract belongs to program {contract_program}, not to the risk's program {program}."
VENDOR_NOT_CONTRACT_VENDOR = "The vendor must be the contract's vendor ({vendor})."
TASK_OTHER_PROJECT = "Task {task} belongs to project {task_project}; a risk of {project} links only its own tasks."
TASK_OTHER_PROGRAM = "Task {task} belongs to a project outside program {program}."
REALISED_ONLY_BY_REALISING = "A risk becomes realised by realising it (which opens its issue), not by editing it."
REALISED_FINAL = "A realised risk can only be closed; its issue carries on."
ESCALATE_PROGRAM_RISK = "This is already a program risk; only project risks are escalated."
ALREADY_ESCALATED = "This risk is already on the program register."
NOT_ESCALATED = "This risk is not escalated."
ESCALATE_INACTIVE = "Only open or mitigating risks are escalated."
REALISE_INACTIVE = "Only open or mitigating risks can be realised (this one is {status})."
DRAWDOWN_NEEDS_RESERVE = "Name the reserve to draw from (contingency or management)."
DRAWDOWN_NEEDS_AMOUNT = "Give the amount to draw from the reserve."
DRAWDOWN_REASON = "Risk {reference} realised: {title}"

RISK_FIELDS = frozenset(
    {
        "title",
        "description",
        "category",
        "cause",
        "event",
        "effect",
        "probability",
        "probability_percent",
        "impact",
        "cost_impact",
        "schedule_impact_days",
        "owner",
        "response",
        "trigger",
        "trigger_date",
        "proximity_date",
        "status",
        "residual_probability",
        "residual_impact",
        "vendor",
        "contract",
        "escalation_note",
    }
)
# The fields whose change appends a score history row.
HISTORY_FIELDS = (
    "probability",
    "probability_percent",
    "impact",
    "cost_impact",
    "residual_probability",
    "residual_impact",
    "status",
)
SEVERITY_OF_BAND = {
    scoring.LOW: Issue.Severity.LOW,
    scoring.MEDIUM: Issue.Severity.MEDIUM,
    scoring.HIGH: Issue.Severity.HIGH,
    scoring.CRITICAL: Issue.Severity.CRITICAL,
}


# -- validation ------------------------------------------------------------------------------


def _level(value, field: str) -> int | None:
    if value is None:
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: PROBABILITY_RANGE}) from None
    if level not in scoring.LEVELS:
        raise ValidationError({field: PROBABILITY_RANGE if "probability" in field else _impact_range()})
    return level


def _impact_range() -> str:
    return "Impact is a level from 1 (minimal) to 5 (severe)."


def _probability(data: dict, current: Risk | None) -> None:
    """Make `probability` and `probability_percent` agree (risks.scoring): given one, derive the
    other; given both, check them; on an update changing one of them, derive the other."""
    has_level, has_percent = "probability" in data, "probability_percent" in data
    if has_level:
        data["probability"] = _level(data["probability"], "probability")
    if has_percent and data["probability_percent"] is not None:
        try:
            percent = Decimal(data["probability_percent"])
        except (InvalidOperation, TypeError, ValueError):
            raise ValidationError({"probability_percent": PERCENT_RANGE}) from None
        if percent < 0 or percent > 100:
            raise ValidationError({"probability_percent": PERCENT_RANGE})
        data["probability_percent"] = percent
    else:
        has_percent = False
        data.pop("probability_percent", None)
    if has_level and has_percent:
        level, percent = data["probability"], data["probability_percent"]
        if current is not None and level == current.probability and percent == current.probability_percent:
            return
        if not scoring.percent_matches(level, percent):
            low, high, _default = scoring.PROBABILITY_RANGES[level]
            raise ValidationError(
                {
                    "probability_percent": PERCENT_MISMATCH.format(
                        percent=f"{percent.normalize():f}", level=level, low=low, high=high
                    )
                }
            )
    elif has_level:
        if current is None or data["probability"] != current.probability:
            data["probability_percent"] = scoring.default_percent(data["probability"])
    elif has_percent:
        data["probability"] = scoring.level_for_percent(data["probability_percent"])
    elif current is None:
        raise ValidationError({"probability": "Give the probability level or percentage."})


def _merged(data: dict, current: Risk | None, name: str, default=None):
    if name in data:
        return data[name]
    return getattr(current, name) if current is not None else default


def _check(data: dict, current: Risk | None, *, program: Program, project: Project | None, tasks) -> None:
    """Everything a risk's fields must satisfy together, each refusal naming its field."""
    _probability(data, current)
    if "impact" in data:
        level = data["impact"]
        try:
            ok = level is not None and int(level) in scoring.LEVELS
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValidationError({"impact": _impact_range()})
        data["impact"] = int(level)
    for name in ("residual_probability", "residual_impact"):
        if name in data and data[name] is not None:
            data[name] = _level(data[name], name)
    residual_p, residual_i = _merged(data, current, "residual_probability"), _merged(data, current, "residual_impact")
    if (residual_p is None) != (residual_i is None):
        raise ValidationError({"residual_impact" if residual_i is None else "residual_probability": RESIDUAL_BOTH})
    for name, residual in (("probability", residual_p), ("impact", residual_i)):
        inherent = _merged(data, current, name)
        if residual is not None and inherent is not None and residual > inherent:
            raise ValidationError(
                {f"residual_{name}": RESIDUAL_ABOVE_INHERENT.format(name=name, residual=residual, inherent=inherent)}
            )
    trigger, proximity = _merged(data, current, "trigger_date"), _merged(data, current, "proximity_date")
    if trigger and proximity and trigger > proximity:
        raise ValidationError({"trigger_date": TRIGGER_AFTER_PROXIMITY})
    status = _merged(data, current, "status", Risk.Status.OPEN)
    if current is None and proximity and proximity < timezone.localdate() and status in Risk.ACTIVE:
        raise ValidationError({"proximity_date": PROXIMITY_PAST})
    if "status" in data:
        old = current.status if current is not None else None
        if data["status"] == Risk.Status.REALISED and old != Risk.Status.REALISED:
            raise ValidationError({"status": REALISED_ONLY_BY_REALISING})
        if old == Risk.Status.REALISED and data["status"] not in (Risk.Status.REALISED, Risk.Status.CLOSED):
            raise ValidationError({"status": REALISED_FINAL})
    contract, vendor = _merged(data, current, "contract"), _merged(data, current, "vendor")
    if contract is not None:
        if contract.program_id != program.pk:
            raise ValidationError(
                {
                    "contract": CONTRACT_OTHER_PROGRAM.format(
                        contract_program=contract.program.code, program=program.code
                    )
                }
            )
        if vendor is None or ("contract" in data and "vendor" not in data):
            data["vendor"] = contract.vendor
        elif vendor.pk != contract.vendor_id:
            raise ValidationError({"vendor": VENDOR_NOT_CONTRACT_VENDOR.format(vendor=contract.vendor.name)})
    if tasks is not None:
        _check_tasks(tasks, program=program, project=project)


def _check_tasks(tasks: Iterable[Task], *, program: Program, project: Project | None) -> None:
    for task in tasks:
        if project is not None and task.project_id != project.pk:
            raise ValidationError(
                {
                    "tasks": TASK_OTHER_PROJECT.format(
                        task=task.name, task_project=task.project.code, project=project.code
                    )
                }
            )
        if project is None and task.project.program_id != program.pk:
            raise ValidationError({"tasks": TASK_OTHER_PROGRAM.format(task=task.name, program=program.code)})


# -- history ---------------------------------------------------------------------------------


def _snapshot(risk: Risk, actor) -> RiskScoreHistory:
    """Append the risk's current assessment to its score history."""
    residual = (
        risk.residual_probability * risk.residual_impact
        if risk.residual_probability is not None and risk.residual_impact is not None
        else None
    )
    return RiskScoreHistory.objects.create(
        risk=risk,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        probability=risk.probability,
        probability_percent=risk.probability_percent,
        impact=risk.impact,
        score=risk.probability * risk.impact,
        residual_probability=risk.residual_probability,
        residual_impact=risk.residual_impact,
        residual_score=residual,
        status=risk.status,
        cost_impact=risk.cost_impact,
        emv=scoring.emv(risk.probability_percent, risk.cost_impact),
    )


def _set_tasks(risk: Risk, tasks, actor) -> None:
    old = sorted(risk.tasks.values_list("pk", flat=True))
    new = sorted(task.pk for task in tasks)
    if old != new:
        risk.tasks.set(tasks)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=risk,
            changes={"tasks": [",".join(map(str, old)), ",".join(map(str, new))]},
        )


# -- create, update, delete ------------------------------------------------------------------


@transaction.atomic
def risk_create(
    *,
    actor,
    project: Project | None = None,
    program: Program | None = None,
    tasks: Iterable[Task] | None = None,
    **fields: Any,
) -> Risk:
    """Add a risk to `project` (a project risk; its program is the project's) or to `program`
    (a program risk). `fields` are Risk's editable fields; probability may be given as a level,
    a percentage or both (risks.scoring). Appends the first score history row."""
    check_fields(fields, RISK_FIELDS)
    program, project = resolve_scope(project=project, program=program)
    tasks = list(tasks or [])
    _check(fields, None, program=program, project=project, tasks=tasks)
    risk = Risk(program=program, project=project, number=next_number(Risk, program), **fields)
    risk.full_clean()
    risk.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=risk,
        changes=model_changes(risk, ["program", "project", "number", *fields]),
    )
    if tasks:
        risk.tasks.set(tasks)
    _snapshot(risk, actor)
    touch(risk)
    _emit_if_became_critical(risk, was_critical=False)
    return risk


@transaction.atomic
def risk_update(
    *, actor, risk: Risk, data: dict[str, Any], tasks: Iterable[Task] | None = None, expected_version: int | None = None
) -> Risk:
    """Change a risk's fields (not its scope). `tasks`, when given, replaces the linked tasks.
    Appends a score history row when the assessment or status changed."""
    data = dict(data)
    check_fields(data, RISK_FIELDS)
    tasks = list(tasks) if tasks is not None else None
    _check(data, risk, program=risk.program, project=risk.project, tasks=tasks)
    before = {name: getattr(risk, name) for name in HISTORY_FIELDS}
    was_critical = _is_critical(risk)
    risk = versioned_update(instance=risk, data=data, actor=actor, expected_version=expected_version)
    if tasks is not None:
        _set_tasks(risk, tasks, actor)
    if any(getattr(risk, name) != value for name, value in before.items()):
        _snapshot(risk, actor)
    touch(risk, program_too=risk.escalated_at is not None)
    _emit_if_became_critical(risk, was_critical=was_critical)
    return risk


def _is_critical(risk: Risk) -> bool:
    return risk.status in Risk.ACTIVE and scoring.band_for_score(risk.score) == scoring.CRITICAL


def _emit_if_became_critical(risk: Risk, *, was_critical: bool) -> None:
    """Announce a risk that is active and in the critical band now and was not before."""
    if was_critical or not _is_critical(risk):
        return
    program = Program.objects.only("portfolio_id").get(pk=risk.program_id)
    project = Project.objects.only("code", "name").get(pk=risk.project_id) if risk.project_id else None
    events.emit(
        events.RISK_BECAME_CRITICAL,
        portfolio_id=program.portfolio_id,
        program_id=risk.program_id,
        payload={
            "project": {"id": project.pk, "code": project.code, "name": project.name} if project else None,
            "risk": {
                "id": risk.pk,
                "reference": risk.reference,
                "title": risk.title,
                "score": risk.score,
                "probability": risk.probability,
                "impact": risk.impact,
                "status": risk.status,
                "cost_impact": str(risk.cost_impact) if risk.cost_impact is not None else None,
            },
        },
    )


@transaction.atomic
def risk_delete(*, actor, risk: Risk, expected_version: int | None = None) -> None:
    """Delete a risk with its mitigation actions and history; an issue it opened stays, unlinked."""
    versioned_delete(instance=risk, actor=actor, expected_version=expected_version)
    touch(risk, program_too=risk.escalated_at is not None)


# -- escalation ------------------------------------------------------------------------------


@transaction.atomic
def risk_escalate(*, actor, risk: Risk, note: str = "", expected_version: int | None = None) -> Risk:
    """Put a project risk on its program's register: the same row, still linked to its project
    (so exposure is counted once), marked with who escalated it, when and why."""
    if risk.project_id is None:
        raise ValidationError({"project": ESCALATE_PROGRAM_RISK})
    if risk.escalated_at is not None:
        raise ValidationError({"escalated_at": ALREADY_ESCALATED})
    if risk.status not in Risk.ACTIVE:
        raise ValidationError({"status": ESCALATE_INACTIVE})
    data = {
        "escalated_at": timezone.now(),
        "escalated_by": actor if getattr(actor, "is_authenticated", False) else None,
        "escalation_note": note.strip(),
    }
    risk = versioned_update(instance=risk, data=data, actor=actor, expected_version=expected_version)
    touch(risk, program_too=True)
    return risk


@transaction.atomic
def risk_deescalate(*, actor, risk: Risk, note: str = "", expected_version: int | None = None) -> Risk:
    """Hand an escalated risk back to its project: it leaves the program register."""
    if risk.escalated_at is None:
        raise ValidationError({"escalated_at": NOT_ESCALATED})
    data = {"escalated_at": None, "escalated_by": None, "escalation_note": note.strip()}
    risk = versioned_update(instance=risk, data=data, actor=actor, expected_version=expected_version)
    touch(risk, program_too=True)
    return risk


# -- realisation -----------------------------------------------------------------------------


@transaction.atomic
def risk_realise(
    *,
    actor,
    risk: Risk,
    amount: Decimal | None = None,
    reserve: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Issue:
    """The risk happened: mark it REALISED, open its Issue (severity from the risk's band, same
    scope and owner) and, when `amount` is given, draw it from the `reserve` ("contingency" or
    "management") of the risk's project — or of its program for a program risk — through
    budgets.services.reserve_drawdown, whose ReserveTransaction is the log (linked from the
    issue). All or nothing: a drawdown that would overdraw the reserve refuses the whole
    realisation (400 on `amount`)."""
    if risk.status not in Risk.ACTIVE:
        raise ValidationError({"status": REALISE_INACTIVE.format(status=risk.get_status_display().lower())})
    if amount is not None and not reserve:
        raise ValidationError({"reserve": DRAWDOWN_NEEDS_RESERVE})
    if reserve and amount is None:
        raise ValidationError({"amount": DRAWDOWN_NEEDS_AMOUNT})
    if reserve and reserve not in ReserveTransaction.Reserve.values:
        raise ValidationError({"reserve": DRAWDOWN_NEEDS_RESERVE})
    note = note.strip()
    drawdown = None
    if amount is not None:
        scope = {"project": risk.project} if risk.project_id else {"program": risk.program}
        reason = DRAWDOWN_REASON.format(reference=risk.reference, title=risk.title)
        drawdown = reserve_drawdown(
            actor=actor, reserve=reserve, amount=amount, reason=f"{reason}. {note}" if note else reason, **scope
        )
    risk = versioned_update(
        instance=risk, data={"status": Risk.Status.REALISED}, actor=actor, expected_version=expected_version
    )
    _snapshot(risk, actor)
    description = "\n\n".join(part for part in (risk.event, risk.effect, note) if part)
    issue = Issue(
        program=risk.program,
        project=risk.project,
        number=next_number(Issue, risk.program),
        title=f"Realised: {risk.title}"[:200],
        description=description,
        severity=SEVERITY_OF_BAND[scoring.band_for_score(risk.probability * risk.impact)],
        owner=risk.owner,
        risk=risk,
        reserve_transaction=drawdown,
    )
    issue.full_clean()
    issue.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=issue,
        changes=model_changes(
            issue, ["program", "project", "number", "title", "severity", "risk", "reserve_transaction"]
        ),
    )
    touch(risk, program_too=risk.escalated_at is not None)
    return issue
