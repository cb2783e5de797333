"""Writes for projects and status reports. Each is atomic, validated and audited."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import AuditEntry
from core.services import audit_record, model_changes, versioned_update
from portfolio.models import Program

from ..models import Project, StatusReport

SCHEDULE_INPUTS = {"planned_start", "calendar", "time_zone", "status_date"}
PHASE_NEEDS_GATE = "Moving to {phase} needs an approved stage gate for each phase entered; missing: {missing}."


@transaction.atomic
def project_create(*, actor, program: Program, code: str, name: str, **fields: Any) -> Project:
    """Create a project in any phase. No stage gate is asked for here: a gate belongs to a project
    that exists, and a project registered past initiation is one already under way whose earlier
    gates were passed outside Keel (creating a project needs a program editor, who is the gate
    approver anyway). Every later forward move of its phase needs gates (project_update)."""
    project = Project(program=program, code=code, name=name, **fields)
    project.full_clean()
    project.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=project,
        changes=model_changes(project, ["program", "code", "name", *fields]),
    )
    return project


def project_update(*, actor, project: Project, data: dict[str, Any], expected_version: int | None = None) -> Project:
    """Update a project under optimistic concurrency (StaleVersionError when stale). A change to
    what its schedule hangs on (start, calendar, time zone, status date) reschedules it.

    Moving `phase` forward needs an approved stage gate (governance.StageGate) into each phase
    entered — skipping a phase needs its gate too; otherwise ValidationError on `phase` naming the
    missing gates. Moving back needs none, and re-entering a phase whose gate was approved before
    needs no new one."""
    from .schedule import schedule_recompute

    with transaction.atomic():
        if "phase" in data:
            _check_phase_gates(project, data["phase"])
        project = versioned_update(instance=project, data=data, actor=actor, expected_version=expected_version)
        if SCHEDULE_INPUTS & set(data):
            schedule_recompute(project=project)
            project.refresh_from_db()
    return project


def _check_phase_gates(project: Project, new_phase: str) -> None:
    # A read of governance (imported here: governance imports projects, never the reverse at load).
    from governance.selectors import phases_missing_gate

    current = Project.objects.select_for_update().values_list("phase", flat=True).get(pk=project.pk)
    missing = phases_missing_gate(project=project, from_phase=current, to_phase=new_phase)
    if missing:
        labels = ", ".join(f"the gate into {Project.Phase(p).label.lower()}" for p in missing)
        raise ValidationError({"phase": PHASE_NEEDS_GATE.format(phase=Project.Phase(new_phase).label, missing=labels)})


@transaction.atomic
def status_report_submit(
    *,
    actor,
    project: Project,
    period_end: date,
    overall_rag: str,
    schedule_rag: str,
    cost_rag: str,
    scope_rag: str,
    risk_rag: str,
    percent_complete: Decimal,
    summary: str,
    accomplishments: str = "",
    next_steps: str = "",
) -> StatusReport:
    """Append a status report (reports are never overwritten) and make it the project's
    latest when its period is the newest."""
    report = StatusReport(
        project=project,
        period_end=period_end,
        overall_rag=overall_rag,
        schedule_rag=schedule_rag,
        cost_rag=cost_rag,
        scope_rag=scope_rag,
        risk_rag=risk_rag,
        percent_complete=percent_complete,
        summary=summary,
        accomplishments=accomplishments,
        next_steps=next_steps,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        submitted_at=timezone.now(),
    )
    report.full_clean()
    report.save()
    latest = StatusReport.objects.filter(project=project).order_by("-period_end", "-submitted_at", "-pk").first()
    Project.objects.filter(pk=project.pk).update(latest_status_report=latest)
    project.latest_status_report = latest
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=report,
        changes=model_changes(report, ["period_end", "overall_rag", "percent_complete"]),
    )
    return report
