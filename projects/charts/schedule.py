"""Gantt charts of Keel data: a project's schedule and a program's timeline.

These adapters turn what the selectors read into GanttRow/GanttLink rows for render_gantt, so
the same SVG appears in the page and in reports. Dates are drawn in the project's wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from projects.models import ActivityType
from projects.services.schedule import MILESTONE_TYPES, project_zone, to_local

from .gantt import ZOOMS, GanttLink, GanttRow, render_gantt

if TYPE_CHECKING:
    from projects.models import Dependency, Project, Task
    from projects.selectors.schedule import ProjectSchedule

DEFAULT_ZOOM = "week"


def zoom_or_default(value: str | None, moments: Iterable[dt.datetime | dt.date | None]) -> str:
    """`value` when it is a zoom level; otherwise the level that suits the span of `moments`:
    weeks up to four months, months up to two years, quarters beyond."""
    if value in ZOOMS:
        return value
    days = [m.date() if isinstance(m, dt.datetime) else m for m in moments if m is not None]
    if not days:
        return DEFAULT_ZOOM
    span = (max(days) - min(days)).days
    if span <= 120:
        return "week"
    return "month" if span <= 730 else "quarter"


def _when(value: dt.datetime | None) -> str:
    return f"{value:%a %d %b %Y %H:%M}" if value else "—"


def _shown_as_milestone(task: Task) -> bool:
    """The flag, or P6's start / finish milestone type (which the services keep at zero duration)."""
    return task.is_milestone or (task.activity_type in MILESTONE_TYPES and not task.is_summary)


def _task_title(task: Task, start, finish, label: str, duration: str, total_float: str) -> str:
    lines = [label]
    if task.activity_type != ActivityType.TASK and not task.is_summary:
        lines.append(f"Activity type: {task.get_activity_type_display()}")
    if _shown_as_milestone(task):
        lines.append(f"Milestone {_when(finish)}")
    else:
        lines.append(f"{_when(start)} – {_when(finish)} · {duration} d")
        lines.append(f"{task.percent_complete.normalize():f}% complete · total float {total_float} d")
    if task.is_critical:
        lines.append("Critical")
    return "\n".join(lines)


def _links(deps: Iterable[Dependency], critical: set[int]) -> list[GanttLink]:
    return [
        GanttLink(
            predecessor=d.predecessor_id,
            successor=d.successor_id,
            type=d.type,
            is_critical=d.predecessor_id in critical and d.successor_id in critical,
        )
        for d in deps
    ]


def project_gantt(schedule: ProjectSchedule, *, zoom: str, editable: bool = False) -> str:
    """The project's Gantt chart: outline-indented rows, summaries, milestones, percent complete,
    the chosen baseline beneath the bars, links (red between two critical tasks), today.
    `editable`: task bars (not summaries, milestones or manual tasks) can be dragged. The
    time scale covers the whole plan even when `schedule.rows` is a window of it."""
    zone = schedule.zone
    rows = []
    for row in schedule.rows:
        task = row.task
        start, finish = to_local(task.start, zone), to_local(task.finish, zone)
        label = f"{task.outline_number} {task.name}".strip()
        if row.is_open is False:  # a collapsed summary: its rolled-up bar, its tasks folded away
            label = f"▸ {label}"
        rows.append(
            GanttRow(
                key=task.pk,
                label=label,
                start=start,
                finish=finish,
                level=row.level,
                is_summary=task.is_summary,
                is_milestone=_shown_as_milestone(task),
                is_critical=task.is_critical,
                percent_complete=float(task.percent_complete),
                baseline_start=to_local(row.baseline_start, zone),
                baseline_finish=to_local(row.baseline_finish, zone),
                title=_task_title(task, start, finish, label, row.duration_days, row.total_float_days),
                draggable=editable and not (task.is_summary or _shown_as_milestone(task) or task.is_manual),
            )
        )
    critical = {row.task.pk for row in schedule.rows if row.task.is_critical}
    return render_gantt(
        rows,
        _links(schedule.links, critical),
        zoom=zoom,
        today=schedule.today,
        title="Schedule",
        include_today=_near_today([m for r in rows for m in (r.start, r.finish) if m], schedule.today),
        span=tuple(to_local(m, zone) for m in schedule.span) if schedule.span else None,
    )


# A schedule that ends (or starts) this close to today reaches today, so that the page can open on
# it; one further away keeps to its own dates rather than draw months of empty weeks.
TODAY_REACH = dt.timedelta(days=183)


def _near_today(moments: list[dt.datetime], today: dt.date) -> bool:
    if not moments:
        return False
    return min(moments).date() - TODAY_REACH <= today <= max(moments).date() + TODAY_REACH


def timeline_gantt(
    *,
    projects: list[Project],
    tasks_of: dict[int, list[Task]],
    links: list[Dependency],
    zoom: str,
    today: dt.date,
    href_of: Callable[[Project], str] = lambda project: "",
) -> str:
    """A program's timeline: each project as a summary bar (its tasks' span, else its planned
    dates), under it the tasks to show (milestones, ends of cross-project links), and the
    cross-project links as arrows."""
    rows = []
    critical: set[int] = set()
    for project in projects:
        zone = project_zone(project)
        start = to_local(getattr(project, "task_start", None), zone)
        finish = to_local(getattr(project, "task_finish", None), zone)
        if start is None and project.planned_start:
            start = dt.datetime.combine(project.planned_start, dt.time(8))
        if finish is None and project.planned_finish:
            finish = dt.datetime.combine(project.planned_finish, dt.time(17))
        label = f"{project.code} {project.name}"
        span = f"{start:%d %b %Y} – {finish:%d %b %Y}" if start and finish else "no dates"
        rows.append(
            GanttRow(
                key=("project", project.pk),
                label=label,
                start=start,
                finish=finish if start else None,
                is_summary=True,
                href=href_of(project),
                title=f"{label}\n{span}",
            )
        )
        for task in tasks_of.get(project.pk, []):
            t_start, t_finish = to_local(task.start, zone), to_local(task.finish, zone)
            if task.is_critical:
                critical.add(task.pk)
            rows.append(
                GanttRow(
                    key=task.pk,
                    label=task.name,
                    start=t_start,
                    finish=t_finish,
                    level=1,
                    is_milestone=task.is_milestone,
                    is_critical=task.is_critical,
                    percent_complete=float(task.percent_complete),
                    title=f"{project.code}: {task.name}\n"
                    + (
                        f"Milestone {_when(t_finish)}" if task.is_milestone else f"{_when(t_start)} – {_when(t_finish)}"
                    ),
                )
            )
    return render_gantt(
        rows,
        _links(links, critical),
        zoom=zoom,
        today=today,
        heading="Project",
        include_today=True,
        title="Program timeline",
    )
