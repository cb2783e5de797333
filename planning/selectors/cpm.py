"""Where a project would finish if it started on another day: the CPM engine on an in-memory copy.

Nothing is written. Each shifted project is scheduled on its own (its own tasks and the links
between them, its own calendars, its start moved), which is what projects.services.schedule
does for a project without cross-project links; a link from another project is left out (the
scenario moves whole projects, and the other project's own start is what it is in the
scenario). Reads are batched: three queries for any number of shifted projects, plus the
calendars.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from projects.models import Dependency, Project, Task
from projects.scheduling import CalendarError, ScheduleCycleError, ScheduleInputError, WorkCalendar, schedule
from projects.services.schedule import (
    STANDARD_CALENDAR_ID,
    _load_calendars,
    link_in,
    project_zone,
    task_in,
    work_calendars,
)


def shifted_finishes(projects: list[Project], starts: dict[int, dt.date]) -> dict[int, dt.date | None]:
    """project id → the finish day the engine computes when the project starts on
    `starts[id]` (None for a project without tasks, or one the engine refuses)."""
    if not projects:
        return {}
    ids = [p.pk for p in projects]
    tasks: dict[int, list[Task]] = defaultdict(list)
    for task in Task.objects.filter(project_id__in=ids).order_by("project_id", "sort_order", "pk"):
        tasks[task.project_id].append(task)
    links: dict[int, list[Dependency]] = defaultdict(list)
    for dep in Dependency.objects.filter(successor__project_id__in=ids).select_related("predecessor", "successor"):
        if dep.predecessor.project_id == dep.successor.project_id:
            links[dep.successor.project_id].append(dep)
    calendar_ids = {p.calendar_id for p in projects if p.calendar_id} | {
        t.calendar_id for rows in tasks.values() for t in rows if t.calendar_id
    }
    calendars = work_calendars(_load_calendars(calendar_ids)) if calendar_ids else {}
    calendars.setdefault(STANDARD_CALENDAR_ID, WorkCalendar.standard())
    found: dict[int, dt.date | None] = {}
    for project in projects:
        found[project.pk] = _finish(project, starts[project.pk], tasks[project.pk], links[project.pk], calendars)
    return found


def _finish(project, start: dt.date, tasks, links, calendars) -> dt.date | None:
    if not tasks:
        return None
    zone = project_zone(project)
    default_id = str(project.calendar_id) if project.calendar_id else STANDARD_CALENDAR_ID
    calendar = calendars.get(default_id, calendars[STANDARD_CALENDAR_ID])
    rows = []
    for task in tasks:
        row = task_in(task, zone)
        if row.calendar_id is None and project.calendar_id:
            row = dataclasses.replace(row, calendar_id=str(project.calendar_id))
        rows.append(row)
    try:
        result = schedule(
            rows,
            [link_in(d) for d in links],
            calendars=calendars,
            default_calendar_id=default_id,
            project_start=calendar.next_work_start(dt.datetime.combine(start, dt.time())),
            status_date=None,
        )
    except (ScheduleCycleError, ScheduleInputError, CalendarError):
        return None
    return result.project_finish.date() if result.project_finish else None
