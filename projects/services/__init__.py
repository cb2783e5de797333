"""Writes for projects and status reports. Each is atomic, validated and audited."""

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import events
from core.changes import inputs_changed
from core.models import AuditEntry
from core.services import audit_record, model_changes, versioned_update
from portfolio.models import Program

from ..models import Project, StatusReport

SCHEDULE_INPUTS = {
    "planned_start",
    "calendar",
    "time_zone",
    "status_date",
    # the scheduling dialect and P6's options
    "schedule_dialect",
    "data_date",
    "progress_mode",
    "lag_calendar",
    "float_mode",
    "critical_mode",
    "critical_float_minutes",
    "must_finish_by",
}
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
    inputs_changed(projects=[project], programs=[project.program_id])
    return project


def project_update(*, actor, project: Project, data: dict[str, Any], expected_version: int | None = None) -> Project:
    """Update a project under optimistic concurrency (StaleVersionError when stale). A change to
    what its schedule hangs on (start, calendar, time zone, status date, the scheduling dialect and
    its options) reschedules it.

    Moving `phase` forward needs an approved stage gate (governance.StageGate) into each phase
    entered — skipping a phase needs its gate too; otherwise ValidationError on `phase` naming the
    missing gates. Moving back needs none, and re-entering a phase whose gate was approved before
    needs no new one."""
    from .schedule import schedule_reschedule

    with transaction.atomic():
        if "phase" in data:
            _check_phase_gates(project, data["phase"])
        program_before = project.program_id
        project = versioned_update(instance=project, data=data, actor=actor, expected_version=expected_version)
        if SCHEDULE_INPUTS & set(data):
            schedule_reschedule(project=project)
            project.refresh_from_db()
        # Both programs when it moved: one loses it from its roll-up, the other gains it.
        inputs_changed(projects=[project], programs={program_before, project.program_id})
    return project


def _check_phase_gates(project: Project, new_phase: str) -> None:
    # A read of governance (imported here: governance imports projects, never the reverse at load).
    from governance.selectors import phases_missing_gate

    current = Project.objects.select_for_update().values_list("phase", flat=True).get(pk=project.pk)
    missing = phases_missing_gate(project=project, from_phase=current, to_phase=new_phase)
    if missing:
        labels = ", ".join(f"the gate into {Project.Phase(p).label.lower()}" for p in missing)
        raise ValidationError({"phase": PHASE_NEEDS_GATE.format(phase=Project.Phase(new_phase).label, missing=labels)})


REPORT_FIELDS = [
    "overall_rag",
    "schedule_rag",
    "cost_rag",
    "scope_rag",
    "risk_rag",
    "percent_complete",
    "summary",
    "accomplishments",
    "next_steps",
]
PERIOD_NOT_MONTH_END = (
    "A reporting period is a calendar month: the period end is the month's last day ({month_end:%-d %b %Y})."
)
PERIOD_BEFORE_START = "The period ends before the project starts ({start:%-d %b %Y})."
PERIOD_AFTER_FINISH = "The period starts after the project finishes ({finish:%-d %b %Y})."
PERIOD_IN_FUTURE = "The period ends after the current reporting period (which ends {current:%-d %b %Y})."
PERIOD_TAKEN = (
    "{code} already has a report for {month:%B %Y} (submitted {submitted:%-d %b %Y}); "
    "correct that report instead of filing a second one."
)
REPORT_KEEPS_PERIOD = "A correction keeps the report's project and period; file a new report for another period."


def month_end(day: date) -> date:
    """The last day of `day`'s month: the end of its reporting period."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def reporting_period_current() -> date:
    """The end of the reporting period running today (the current calendar month)."""
    return month_end(timezone.localdate())


def report_period_next(project: Project) -> date:
    """The period a new report is for by default: the month after the latest report's (else the
    last month that has ended, or the project's first month), never after the current month."""
    current = reporting_period_current()
    latest = project.latest_status_report
    if latest is not None:
        candidate = month_end(latest.period_end + timedelta(days=1))
    else:
        candidate = month_end(current.replace(day=1) - timedelta(days=1))
        if project.planned_start and candidate < project.planned_start:
            candidate = month_end(project.planned_start)
    return min(candidate, current)


def _project_finish(project: Project) -> date | None:
    """The later of the planned finish and the scheduled forecast (a late project still reports)."""
    dates = [project.planned_finish]
    if project.forecast_finish is not None:
        dates.append(timezone.localdate(project.forecast_finish))
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None


def _check_period(project: Project, period_end: date) -> None:
    """Reporting periods are calendar months (as seed_demo files them): the period end is a month's
    last day, the month overlaps the project's dates, and it is not after the current month."""
    if period_end != month_end(period_end):
        raise ValidationError({"period_end": PERIOD_NOT_MONTH_END.format(month_end=month_end(period_end))})
    if project.planned_start and period_end < project.planned_start:
        raise ValidationError({"period_end": PERIOD_BEFORE_START.format(start=project.planned_start)})
    finish = _project_finish(project)
    if finish and period_end.replace(day=1) > finish:
        raise ValidationError({"period_end": PERIOD_AFTER_FINISH.format(finish=finish)})
    current = reporting_period_current()
    if period_end > current:
        raise ValidationError({"period_end": PERIOD_IN_FUTURE.format(current=current)})


def _latest_refresh(project: Project) -> None:
    latest = StatusReport.objects.filter(project=project).order_by("-period_end", "-submitted_at", "-pk").first()
    Project.objects.filter(pk=project.pk).update(latest_status_report=latest)
    project.latest_status_report = latest


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
    """File the project's report for the period ending `period_end` and make it the latest when
    its period is the newest. One report per project and period: a second one is refused on
    `period_end` (correct the first with status_report_correct). The period must be a calendar
    month overlapping the project's dates and not after the current month (_check_period)."""
    Project.objects.select_for_update().filter(pk=project.pk).get()
    period_end = StatusReport._meta.get_field("period_end").to_python(period_end)
    _check_period(project, period_end)
    existing = StatusReport.objects.filter(project=project, period_end=period_end).first()
    if existing is not None:
        raise ValidationError(
            {
                "period_end": PERIOD_TAKEN.format(
                    code=project.code, month=period_end, submitted=timezone.localdate(existing.submitted_at)
                )
            }
        )
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
    _latest_refresh(project)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=report,
        changes=model_changes(report, ["period_end", "overall_rag", "percent_complete"]),
    )
    inputs_changed(projects=[project])  # reported RAG and data freshness
    _emit_submitted(project, report)
    return report


def _emit_submitted(project: Project, report: StatusReport) -> None:
    program = Program.objects.only("portfolio_id").get(pk=project.program_id)
    events.emit(
        events.STATUS_REPORT_SUBMITTED,
        portfolio_id=program.portfolio_id,
        program_id=project.program_id,
        payload={
            "project": {"id": project.pk, "code": project.code, "name": project.name},
            "status_report": {
                "id": report.pk,
                "period_end": report.period_end.isoformat(),
                "overall_rag": report.overall_rag,
                "schedule_rag": report.schedule_rag,
                "cost_rag": report.cost_rag,
                "scope_rag": report.scope_rag,
                "risk_rag": report.risk_rag,
                "percent_complete": str(report.percent_complete),
                "summary": report.summary,
                "submitted_by": getattr(report.submitted_by, "username", None),
            },
        },
    )


@transaction.atomic
def status_report_correct(*, actor, report: StatusReport, data: dict[str, Any]) -> StatusReport:
    """Correct a filed report in place (its ratings and text; `project` and `period_end` stay, a
    change to either is refused naming it). The submitter stays; the audit log records who
    corrected what, every changed field as [old, new]. Returns the corrected report."""
    current = StatusReport.objects.select_for_update().get(pk=report.pk)
    for name in ("project", "period_end"):
        if name in data and getattr(current, name) != data[name]:
            raise ValidationError({name: REPORT_KEEPS_PERIOD})
    unknown = set(data) - {*REPORT_FIELDS, "project", "period_end"}
    if unknown:
        raise ValueError(f"status_report_correct cannot change {sorted(unknown)}")
    changes = {
        name: [str(getattr(current, name)), str(data[name])]
        for name in REPORT_FIELDS
        if name in data and str(getattr(current, name)) != str(data[name])
    }
    for name in REPORT_FIELDS:
        if name in data:
            setattr(current, name, data[name])
    if changes:
        current.full_clean()
        current.save()
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=current, changes=changes)
        inputs_changed(projects=[current.project_id])
    return current
