"""What overwriting an approved baseline would change: the confirmation step's read."""

import datetime as dt
from dataclasses import dataclass

from ..models import Baseline, Project
from .schedule import ScheduleRow, format_days, project_schedule

SHOWN_TASKS = 25  # the confirmation lists this many moved tasks; the count covers all of them


@dataclass(slots=True)
class BaselineOverwritePreview:
    """Baseline `baseline` (approved) against today's schedule. `moved` are the leaf and summary
    tasks whose start or finish differs from the baseline (or that are new since), largest finish
    move first; the variances are in working days, as the schedule page shows them."""

    project: Project
    baseline: Baseline
    task_count: int
    moved: list[ScheduleRow]
    moved_count: int
    added_count: int
    finish_before: dt.datetime | None
    finish_after: dt.datetime | None
    variance_before: str
    variance_after: str


def baseline_overwrite_preview(*, project: Project, number: int) -> BaselineOverwritePreview | None:
    """None when the project has no approved baseline `number` (nothing needs confirming)."""
    baseline = Baseline.objects.filter(project=project, number=number, approved=True).first()
    if baseline is None:
        return None
    schedule = project_schedule(project=project, baseline=number)
    moved = [
        row
        for row in schedule.rows
        if row.baseline_finish is None or row.start_variance_minutes or row.finish_variance_minutes
    ]
    moved.sort(key=lambda row: (row.baseline_finish is not None, -abs(row.finish_variance_minutes or 0)))
    return BaselineOverwritePreview(
        project=project,
        baseline=baseline,
        task_count=len(schedule.rows),
        moved=moved[:SHOWN_TASKS],
        moved_count=len(moved),
        added_count=sum(1 for row in moved if row.baseline_finish is None),
        finish_before=schedule.baseline_finish,
        finish_after=project.forecast_finish,
        variance_before=schedule.finish_variance_days,
        variance_after=format_days(0, signed=True) if project.forecast_finish else "—",
    )


def may_overwrite_approved_plan(*, user, project: Project) -> bool:
    """Whether `user` may replace `project`'s approved baseline (Project.plan_approvable_by)."""
    return Project.objects.plan_approvable_by(user).filter(pk=project.pk).exists()


def baseline_overwrite_needs_confirmation(*, user, project: Project, number: int) -> bool:
    """True when baseline `number` is approved and `user` may overwrite it: such a save goes through
    the confirmation page. (Anyone else saving it is refused by baseline_set.)"""
    return Baseline.objects.filter(
        project=project, number=number, approved=True
    ).exists() and may_overwrite_approved_plan(user=user, project=project)
