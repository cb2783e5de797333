"""Threshold alerts and status-report reminders, as notifications (core.notifications).

`alerts_evaluate` compares each open project's roll-up with its portfolio's HealthPolicy and
source rows (milestones, risks), and notifies the project's manager and its program's
managers. Each condition has a key ("cpi_below:project:12"); a condition that already has an
open notification is not notified again, and one that stopped holding is cleared, so an alert
fires once per transition (green → red notifies, red → red does not, red → green → red
notifies again).

Which threshold an alert uses:
- CPI / SPI: at or below the policy's red threshold (an index wobbling around amber would
  notify every few days; red is the line health calls red too).
- over-allocation: at or above the policy's amber count (by default one person: a named
  person overloaded is worth acting on at once).
- exposure above reserve: residual exposure not covered by the remaining reserves (> 0).
- milestone slipped: a milestone's forecast finish day later than in the project's
  lowest-numbered baseline (the one the schedule page compares with by default).
- risk critical: an active risk scored in the critical band of risks.scoring.
- health red: the computed overall health is red.

`status_reminders_evaluate`: the report for the period ending this month is due from
REPORT_DUE_DAYS before its end; last month's report missing is overdue. To the project manager.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core import events
from core.models import Notification
from core.notifications import Alert, notifications_clear, notifications_raise, notifications_send_immediate
from portfolio.models import Membership
from projects.models import Baseline, BaselineTask, Project, StatusReport
from projects.models.project import open_projects_q
from risks import scoring
from risks.models import Risk

from ..models import Health, HealthPolicy, ProjectRollup

Kind = Notification.Kind

ALERT_KINDS = (
    Kind.CPI_BELOW,
    Kind.SPI_BELOW,
    Kind.MILESTONE_SLIPPED,
    Kind.RISK_CRITICAL,
    Kind.EXPOSURE_ABOVE_RESERVE,
    Kind.OVERALLOCATION,
    Kind.HEALTH_RED,
)
REPORT_DUE_DAYS = 5  # a report is due this many days before its period ends

CPI_TITLE = "CPI {value} at or below {threshold} on {project}"
SPI_TITLE = "SPI {value} at or below {threshold} on {project}"
EXPOSURE_TITLE = "Risk exposure above the remaining reserve on {project}"
EXPOSURE_BODY = "{uncovered} of residual exposure is not covered by the remaining reserves ({reserve})."
OVERALLOCATION_TITLE = "{count} people over-allocated on {project}"
HEALTH_TITLE = "{project} turned red"
MILESTONE_TITLE = "Milestone “{milestone}” of {project} slipped to {finish}"
MILESTONE_BODY = "Baseline finish {baseline}, forecast finish {finish} ({days} days later)."
RISK_TITLE = "Risk {reference} “{title}” is critical (score {score})"
RISK_BODY = "A risk on {scope}; critical means a score of 20 or more (probability × impact)."
DUE_TITLE = "Status report of {project} for {period:%B %Y} is due by {period:%d %b}"
OVERDUE_TITLE = "Status report of {project} for {period:%B %Y} is overdue"


@dataclass
class _Scope:
    """Who hears about a project: its manager and its program's managers."""

    recipients: dict[int, set[int]]  # project id → user ids
    program_recipients: dict[int, set[int]]  # program id → user ids


def _recipients(projects: list[Project]) -> _Scope:
    program_ids = {p.program_id for p in projects}
    by_program: dict[int, set[int]] = defaultdict(set)
    for program_id, user_id in Membership.objects.filter(
        role=Membership.Role.PROGRAM_MANAGER, program_id__in=program_ids
    ).values_list("program_id", "user_id"):
        by_program[program_id].add(user_id)
    recipients = {p.pk: ({p.manager_id} if p.manager_id else set()) | by_program[p.program_id] for p in projects}
    return _Scope(recipients=recipients, program_recipients=by_program)


def _policies(projects: list[Project]) -> dict[int, HealthPolicy]:
    portfolio_ids = {p.program.portfolio_id for p in projects}
    stored = {p.portfolio_id: p for p in HealthPolicy.objects.filter(portfolio_id__in=portfolio_ids)}
    return {pid: stored.get(pid) or HealthPolicy(portfolio_id=pid) for pid in portfolio_ids}


def _fmt(value) -> str:
    return f"{value:.2f}"


def _rollup_conditions(rollup: ProjectRollup, policy: HealthPolicy) -> list[tuple[str, str, str]]:
    """(kind, title, body) for each threshold condition the roll-up meets."""
    project = rollup.project
    found = []
    if rollup.cpi is not None and rollup.cpi <= policy.cpi_red:
        title = CPI_TITLE.format(value=_fmt(rollup.cpi), threshold=_fmt(policy.cpi_red), project=project)
        found.append((Kind.CPI_BELOW, title, rollup.health_reasons.get("cost", "")))
    if rollup.spi is not None and rollup.spi <= policy.spi_red:
        title = SPI_TITLE.format(value=_fmt(rollup.spi), threshold=_fmt(policy.spi_red), project=project)
        found.append((Kind.SPI_BELOW, title, rollup.health_reasons.get("schedule", "")))
    if rollup.exposure_uncovered is not None and rollup.exposure_uncovered > 0:
        body = EXPOSURE_BODY.format(
            uncovered=_fmt(rollup.exposure_uncovered), reserve=_fmt(rollup.reserve_remaining or 0)
        )
        found.append((Kind.EXPOSURE_ABOVE_RESERVE, EXPOSURE_TITLE.format(project=project), body))
    if policy.overallocated_amber and rollup.people_overallocated >= policy.overallocated_amber:
        title = OVERALLOCATION_TITLE.format(count=rollup.people_overallocated, project=project)
        found.append((Kind.OVERALLOCATION, title, rollup.health_reasons.get("staffing", "")))
    if rollup.health_overall == Health.RED:
        reasons = "; ".join(f"{k}: {v}" for k, v in sorted(rollup.health_reasons.items()) if v)
        found.append((Kind.HEALTH_RED, HEALTH_TITLE.format(project=project), reasons))
    return found


def _slipped_milestones(projects: list[Project]) -> list[tuple[Project, BaselineTask]]:
    """Milestones whose forecast finish day is later than in their project's lowest-numbered
    baseline: two queries."""
    by_pk = {p.pk: p for p in projects}
    first_baseline: dict[int, int] = {}
    for baseline_id, project_id in (
        Baseline.objects.filter(project_id__in=by_pk).order_by("project_id", "-number").values_list("pk", "project_id")
    ):
        first_baseline[project_id] = baseline_id  # the last one seen is the lowest number
    values = BaselineTask.objects.filter(
        baseline_id__in=first_baseline.values(),
        task__is_milestone=True,
        finish__isnull=False,
        task__finish__gt=F("finish"),
    ).select_related("task", "baseline")
    slipped = []
    for value in values:
        project = by_pk[value.baseline.project_id]
        zone = _zone(project)
        if value.task.finish.astimezone(zone).date() > value.finish.astimezone(zone).date():
            slipped.append((project, value))
    return slipped


def _zone(project: Project):
    try:
        return zoneinfo.ZoneInfo(project.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _critical_risks(projects: list[Project]) -> list[Risk]:
    program_ids = {p.program_id for p in projects}
    return list(
        Risk.objects.filter(
            program_id__in=program_ids,
            status__in=Risk.ACTIVE,
            score__gte=scoring.BANDS[scoring.CRITICAL][0],
        )
        .filter(open_projects_q("project__") | Q(project__isnull=True))
        .select_related("program", "project")
    )


# Notification kinds announced as webhook events (core.events) when they start holding; health
# turning red is announced by the roll-up itself (health.changed), a critical risk by risks.
EVENT_OF_KIND = {
    Kind.CPI_BELOW: events.THRESHOLD_BREACHED,
    Kind.SPI_BELOW: events.THRESHOLD_BREACHED,
    Kind.EXPOSURE_ABOVE_RESERVE: events.THRESHOLD_BREACHED,
    Kind.OVERALLOCATION: events.THRESHOLD_BREACHED,
    Kind.MILESTONE_SLIPPED: events.MILESTONE_SLIPPED,
}


def _collect(projects: list[Project], conditions: dict | None = None) -> list[Alert]:
    """The alerts of every condition that holds; `conditions`, when given, receives each
    condition's key → (kind, project, title, body, extra payload) for the event hook."""
    scope = _recipients(projects)
    policies = _policies(projects)
    alerts: list[Alert] = []
    conditions = {} if conditions is None else conditions

    def add(users: set[int], kind: str, key: str, title: str, body: str, url: str) -> None:
        alerts.extend(
            Alert(user_id=u, kind=kind, title=title, body=body, url=url, dedupe_key=key) for u in sorted(users)
        )

    rollups = ProjectRollup.objects.filter(project__in=projects, computed_at__isnull=False).select_related(
        "project__program"
    )
    for rollup in rollups:
        project = rollup.project
        policy = policies[project.program.portfolio_id]
        url = reverse("projects:project-detail", args=[project.code])
        for kind, title, body in _rollup_conditions(rollup, policy):
            key = f"{kind}:project:{project.pk}"
            add(scope.recipients[project.pk], kind, key, title, body, url)
            conditions[key] = (kind, project, title, body, _threshold_values(kind, rollup, policy))
    for project, value in _slipped_milestones(projects):
        zone = _zone(project)
        finish, baseline = value.task.finish.astimezone(zone).date(), value.finish.astimezone(zone).date()
        title = MILESTONE_TITLE.format(milestone=value.task.name, project=project, finish=f"{finish:%d %b %Y}")
        days = (finish - baseline).days
        body = MILESTONE_BODY.format(baseline=f"{baseline:%d %b %Y}", finish=f"{finish:%d %b %Y}", days=days)
        url = reverse("projects:schedule", args=[project.code])
        key = f"{Kind.MILESTONE_SLIPPED}:task:{value.task_id}"
        add(scope.recipients[project.pk], Kind.MILESTONE_SLIPPED, key, title, body, url)
        milestone = {
            "id": value.task_id,
            "name": value.task.name,
            "baseline_finish": baseline.isoformat(),
            "forecast_finish": finish.isoformat(),
            "days_late": days,
        }
        conditions[key] = (Kind.MILESTONE_SLIPPED, project, title, body, {"milestone": milestone})
    for risk in _critical_risks(projects):
        users = scope.recipients.get(risk.project_id) if risk.project_id else None
        users = users if users is not None else scope.program_recipients.get(risk.program_id, set())
        title = RISK_TITLE.format(reference=risk.reference, title=risk.title, score=risk.score)
        body = RISK_BODY.format(scope=risk.project or f"the program {risk.program}")
        add(users, Kind.RISK_CRITICAL, f"{Kind.RISK_CRITICAL}:risk:{risk.pk}", title, body, _risk_url(risk))
    return alerts


def _threshold_values(kind: str, rollup: ProjectRollup, policy: HealthPolicy) -> dict:
    """What was breached, for the event's payload: the measured value and the threshold."""
    if kind == Kind.CPI_BELOW:
        return {"threshold": {"metric": "cpi", "value": str(rollup.cpi), "limit": str(policy.cpi_red)}}
    if kind == Kind.SPI_BELOW:
        return {"threshold": {"metric": "spi", "value": str(rollup.spi), "limit": str(policy.spi_red)}}
    if kind == Kind.EXPOSURE_ABOVE_RESERVE:
        return {"threshold": {"metric": "exposure_uncovered", "value": str(rollup.exposure_uncovered), "limit": "0"}}
    if kind == Kind.OVERALLOCATION:
        value, limit = str(rollup.people_overallocated), str(policy.overallocated_amber)
        return {"threshold": {"metric": "people_overallocated", "value": value, "limit": limit}}
    return {}


def _emit_events(created, conditions: dict) -> None:
    """One event per condition that was notified for the first time in this run (a condition
    still open from an earlier run created nothing, so it is not announced again)."""
    for key in sorted({n.dedupe_key for n in created}):
        kind, project, title, body, extra = conditions.get(key, (None, None, "", "", {}))
        event_kind = EVENT_OF_KIND.get(kind)
        if event_kind is None:
            continue
        events.emit(
            event_kind,
            portfolio_id=project.program.portfolio_id,
            program_id=project.program_id,
            payload={
                "project": {"id": project.pk, "code": project.code, "name": project.name},
                "condition": str(kind),
                "title": title,
                "detail": body,
                **extra,
            },
        )


def _risk_url(risk: Risk) -> str:
    return reverse("risks:risk-detail", args=[risk.pk])


def _open_projects() -> list[Project]:
    return list(Project.objects.filter(open_projects_q()).select_related("program__portfolio"))


def alerts_evaluate() -> dict[str, int]:
    """Notify every threshold condition that started holding since the last run and clear the
    ones that stopped; then e-mail the new notifications that want an immediate e-mail.
    Returns {"raised": n, "cleared": n, "emailed": n}."""
    with transaction.atomic():
        conditions: dict = {}
        alerts = _collect(_open_projects(), conditions)
        created = notifications_raise(alerts=alerts)
        _emit_events(created, conditions)
        cleared = notifications_clear(kinds=ALERT_KINDS, holding={a.dedupe_key for a in alerts})
    emailed = notifications_send_immediate()
    return {"raised": len(created), "cleared": cleared, "emailed": emailed}


def period_end_of(day: dt.date) -> dt.date:
    """The last day of `day`'s month (a reporting period ends there)."""
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def status_reminders_evaluate(*, today: dt.date | None = None) -> dict[str, int]:
    """Remind each active project's manager of a missing status report: the current period's
    from REPORT_DUE_DAYS before its end ("due"), the previous period's after it ended
    ("overdue"). Once per project and period (the period is in the key). Projects planned to
    start after a period are not asked for its report."""
    today = today or timezone.localdate()
    current = period_end_of(today)
    previous = today.replace(day=1) - dt.timedelta(days=1)
    checks: list[tuple[dt.date, str, str]] = [(previous, Kind.STATUS_REPORT_OVERDUE, OVERDUE_TITLE)]
    if (current - today).days <= REPORT_DUE_DAYS:
        checks.append((current, Kind.STATUS_REPORT_DUE, DUE_TITLE))
    projects = list(
        Project.objects.filter(open_projects_q(), status=Project.Status.ACTIVE, manager__isnull=False).order_by("code")
    )
    reported = set(
        StatusReport.objects.filter(project__in=projects, period_end__in=[c[0] for c in checks]).values_list(
            "project_id", "period_end"
        )
    )
    alerts = []
    for project in projects:
        for period, kind, title in checks:
            if (project.pk, period) in reported:
                continue
            if project.planned_start and project.planned_start > period:
                continue
            alerts.append(
                Alert(
                    user_id=project.manager_id,
                    kind=kind,
                    title=title.format(project=project, period=period),
                    url=reverse("projects:status-report-create", args=[project.code]),
                    dedupe_key=f"{kind}:project:{project.pk}:{period:%Y-%m-%d}",
                )
            )
    with transaction.atomic():
        created = notifications_raise(alerts=alerts)
    emailed = notifications_send_immediate()
    return {"raised": len(created), "emailed": emailed}
