"""From an MSPDI document to engine input: calendars, tasks and links as a user entered them.

:func:`engine_input_from_mspdi` uses only what a user types into Microsoft Project -- durations,
links and lags, constraints, deadlines, actual dates, percent complete, remaining duration,
calendars, resource calendars and the project start -- never the dates Project computed
(:class:`~projects.scheduling.mspdi.MspComputed`).

Microsoft Project's rules applied while translating:

* Task UID 0 is the project summary; tasks hang below it by ``OutlineLevel``. Null (blank) and
  inactive tasks are left out.
* A task with work resources is scheduled in its resources' working time: the union of their
  calendars (its duration counts the time at least one of them works), intersected with the task's
  own calendar if it has one, unless "ignore resource calendars" is set.
* A manually scheduled task keeps its ``ManualStart``/``ManualFinish`` (its ``Start``/``Finish``
  when a file has no manual fields); those are what the user typed.
* Split tasks: where an assignment's work was edited by hand (contour 8, "contoured") and its
  work pattern has idle stretches, the task spans more working time than its duration. The split
  is measured on the assignment's timephased work pattern -- the user's input -- as the working
  time between its first and last worked period minus the duration. The pattern's periods carry
  the dates where Project placed them; only the distance between them is used, never the dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from projects.scheduling.calendar import IntervalSpec, WorkCalendar, WorkWeek, daterange
from projects.scheduling.model import ConstraintType, LinkIn, LinkType, ScheduleOptions, TaskId, TaskIn
from projects.scheduling.mspdi import MspdiCalendar, MspdiDocument, MspdiException, MspdiTask, MspdiWeekDay

CONSTRAINTS = {
    0: ConstraintType.ASAP,
    1: ConstraintType.ALAP,
    2: ConstraintType.MSO,
    3: ConstraintType.MFO,
    4: ConstraintType.SNET,
    5: ConstraintType.SNLT,
    6: ConstraintType.FNET,
    7: ConstraintType.FNLT,
}
LINK_TYPES = {0: LinkType.FF, 1: LinkType.FS, 2: LinkType.SF, 3: LinkType.SS}
PERCENT_LAG_FORMATS = frozenset({19, 20, 51, 52})
ELAPSED_LAG_FORMATS = frozenset({4, 6, 8, 10, 12, 20, 36, 38, 40, 42, 44, 52})
UNASSIGNED_RESOURCE = -65535
CONTOURED = 8


@dataclass(frozen=True, slots=True)
class EngineInput:
    """Keyword arguments for :func:`projects.scheduling.engine.schedule`, plus the UID map."""

    tasks: tuple[TaskIn, ...]
    links: tuple[LinkIn, ...]
    calendars: dict[str, WorkCalendar]
    default_calendar_id: str
    project_start: datetime
    status_date: datetime | None
    options: ScheduleOptions
    calendar_of_task: dict[TaskId, str] = field(default_factory=dict)

    def schedule_kwargs(self) -> dict:
        return {
            "calendars": self.calendars,
            "default_calendar_id": self.default_calendar_id,
            "project_start": self.project_start,
            "status_date": self.status_date,
            "options": self.options,
        }


def _minutes(value: timedelta | None) -> int:
    return 0 if value is None else round(value.total_seconds() / 60)


# -- calendars ------------------------------------------------------------------------------


def _weekday_index(day_type: int) -> int:
    """MSPDI DayType (1=Sunday .. 7=Saturday) to ``date.weekday()`` (Monday=0)."""
    return (day_type + 5) % 7


def _day(working: bool, intervals: tuple[tuple[time, time], ...]) -> tuple[IntervalSpec, ...]:
    return tuple(intervals) if working else ()


def exception_dates(exception: MspdiException) -> list[date]:
    """The dates a (possibly recurring) calendar exception covers."""
    first, last = exception.from_date.date(), exception.to_date.date()
    period = max(exception.period or 1, 1)
    kind = exception.recurrence_type
    dates: list[date]
    if kind in (1, 7):  # daily
        dates = list(daterange(first, last))[::period]
    elif kind == 6:  # weekly
        mask = exception.days_of_week or 0
        week_zero = first - timedelta(days=(first.weekday() + 1) % 7)  # the Sunday starting the week
        dates = [
            d
            for d in daterange(first, last)
            if mask & (1 << ((d.weekday() + 1) % 7)) and ((d - week_zero).days // 7) % period == 0
        ]
    else:
        dates = [d for d in daterange(first, last) if _matches(exception, d, first)]
    if exception.occurrences and exception.entered_by_occurrences:
        dates = dates[: exception.occurrences]
    return dates


def _matches(exception: MspdiException, day: date, first: date) -> bool:
    """Monthly (4 absolute, 5 relative) and yearly (2 absolute, 3 relative) recurrences."""
    kind = exception.recurrence_type
    if kind in (2, 3) and day.month != (exception.month or 0) + 1:
        return False
    if kind in (4, 5):
        months = (day.year - first.year) * 12 + day.month - first.month
        if months % max(exception.period or 1, 1):
            return False
    if kind in (2, 4):
        return day.day == exception.month_day
    weekday = ((exception.month_item or 3) - 3 + 6) % 7  # 3=Sunday -> 6
    if day.weekday() != weekday:
        return False
    position = exception.month_position or 0
    if position >= 4:  # last such weekday of the month
        return (day + timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 == position


def build_calendars(document: MspdiDocument) -> dict[int, WorkCalendar]:
    """Every calendar of the document by UID, derived calendars resolved against their base."""
    by_uid = {cal.uid: cal for cal in document.calendars}
    built: dict[int, WorkCalendar] = {}

    def build(uid: int, trail: tuple[int, ...] = ()) -> WorkCalendar:
        if uid in built:
            return built[uid]
        source = by_uid[uid]
        base = None
        if source.base_uid is not None and source.base_uid in by_uid and source.base_uid not in (*trail, uid):
            base = build(source.base_uid, (*trail, uid))
        built[uid] = _calendar(source, base)
        return built[uid]

    for uid in by_uid:
        build(uid)
    return built


def _calendar(source: MspdiCalendar, base: WorkCalendar | None) -> WorkCalendar:
    week: dict[int, tuple[IntervalSpec, ...]] = {}
    old_style: list[MspdiWeekDay] = []
    for day in source.weekdays:
        if day.day_type == 0:
            old_style.append(day)
        elif day.working and not day.intervals and base is not None:
            continue  # "working, hours as the base calendar"
        else:
            week[_weekday_index(day.day_type)] = _day(day.working, day.intervals)
    exceptions: dict[date, tuple[IntervalSpec, ...]] = {}
    if source.exceptions:
        for exception in source.exceptions:
            for d in exception_dates(exception):
                exceptions[d] = _day(exception.working, exception.intervals)
    else:  # Project 2003 files list exceptions as WeekDay elements with DayType 0
        for day in old_style:
            if day.from_date is not None and day.to_date is not None:
                for d in daterange(day.from_date.date(), day.to_date.date()):
                    exceptions[d] = _day(day.working, day.intervals)
    work_weeks = [
        WorkWeek(
            ww.from_date.date(),
            ww.to_date.date(),
            {_weekday_index(d.day_type): _day(d.working, d.intervals) for d in ww.weekdays if d.day_type},
        )
        for ww in source.work_weeks
    ]
    if base is None and not week and not source.weekdays:
        week = {wd: ((time(8), time(12)), (time(13), time(17))) for wd in range(5)}
    return WorkCalendar(
        source.name or str(source.uid), week=week, exceptions=exceptions, work_weeks=work_weeks, base=base
    )


# -- tasks and links ------------------------------------------------------------------------


def engine_input_from_mspdi(document: MspdiDocument) -> EngineInput:
    """Translate ``document`` into engine input (see the module docstring for the rules)."""
    project = document.project
    by_uid = build_calendars(document)
    calendars: dict[str, WorkCalendar] = {str(uid): cal for uid, cal in by_uid.items()}
    default_id = str(project.calendar_uid) if project.calendar_uid in by_uid else "standard"
    calendars.setdefault(default_id, WorkCalendar.standard())
    resources = {res.uid: res for res in document.resources}
    work_assignments: dict[int, list] = {}
    for assignment in document.assignments:
        resource = resources.get(assignment.resource_uid)
        if (
            assignment.resource_uid != UNASSIGNED_RESOURCE
            and resource is not None
            and resource.type == 1
            and (assignment.units is None or assignment.units > 0)
        ):
            work_assignments.setdefault(assignment.task_uid, []).append((assignment, resource))

    kept = [t for t in document.tasks if not t.is_null and t.is_active]
    kept_uids = {t.uid for t in kept}
    parents = _parents(kept)
    tasks: list[TaskIn] = []
    links: list[LinkIn] = []
    calendar_of_task: dict[TaskId, str] = {}
    for task in kept:
        own_id = str(task.calendar_uid) if task.calendar_uid in by_uid else default_id
        work_id = _resource_calendar(task, work_assignments.get(task.uid, []), by_uid, calendars, own_id)
        calendar_of_task[task.uid] = work_id or own_id
        split = _split_minutes(task, work_assignments.get(task.uid, []), calendars[work_id or own_id])
        tasks.append(_task_in(task, parents.get(task.uid), own_id, work_id, split))
        for link in task.predecessors:
            if link.predecessor_uid not in kept_uids or link.cross_project:
                continue
            percent = link.lag_format in PERCENT_LAG_FORMATS
            links.append(
                LinkIn(
                    predecessor_id=link.predecessor_uid,
                    successor_id=task.uid,
                    type=LINK_TYPES[link.type],
                    lag_minutes=0 if percent else round(link.lag_tenths / 10),
                    lag_percent=float(link.lag_tenths) if percent else None,
                    lag_elapsed=link.lag_format in ELAPSED_LAG_FORMATS,
                )
            )
    options = ScheduleOptions(
        critical_slack_minutes=(project.critical_slack_limit or 0) * (project.minutes_per_day or 480),
        multiple_critical_paths=bool(project.multiple_critical_paths),
    )
    return EngineInput(
        tasks=tuple(tasks),
        links=tuple(links),
        calendars=calendars,
        default_calendar_id=default_id,
        project_start=project.start_date,  # type: ignore[arg-type]  # the reader requires it
        status_date=None,  # Project's own calculation ignores the status date (see engine docs)
        options=options,
        calendar_of_task=calendar_of_task,
    )


def _parents(tasks: list[MspdiTask]) -> dict[int, int]:
    """Parent UID of each task from the outline levels (UID 0, level 0, is the root)."""
    parents: dict[int, int] = {}
    stack: list[tuple[int, int]] = []  # (level, uid)
    for task in tasks:
        level = task.outline_level if task.outline_level is not None else (0 if task.uid == 0 else 1)
        while stack and stack[-1][0] >= level:
            stack.pop()
        if stack:
            parents[task.uid] = stack[-1][1]
        stack.append((level, task.uid))
    return parents


def _resource_calendar(
    task: MspdiTask,
    assignments: list,
    by_uid: dict[int, WorkCalendar],
    calendars: dict[str, WorkCalendar],
    own_id: str,
) -> str | None:
    """Id of the calendar the task's work resources work in (registered on the fly), if any."""
    resource_uids = sorted({res.calendar_uid for _a, res in assignments if res.calendar_uid in by_uid})
    if task.is_summary or task.ignore_resource_calendar or not resource_uids:
        return None
    key = "res:" + "+".join(map(str, resource_uids))
    if key not in calendars:
        parts = [by_uid[uid] for uid in resource_uids]
        calendars[key] = parts[0] if len(parts) == 1 else WorkCalendar.union(parts, key)
    own = str(task.calendar_uid) if task.calendar_uid in by_uid else None
    if own is None:
        return key
    combined = f"{own}&{key}"
    if combined not in calendars:
        calendars[combined] = WorkCalendar.intersection([calendars[own], calendars[key]], combined)
    return combined


def _split_minutes(task: MspdiTask, assignments: list, calendar: WorkCalendar) -> int:
    """Idle working time inside a hand-contoured task (see the module docstring)."""
    duration = _minutes(task.duration)
    longest = 0
    for assignment, _resource in assignments:
        if assignment.work_contour != CONTOURED:
            continue
        worked = [p for p in assignment.timephased if p.type in (1, 2) and p.value and p.value > timedelta(0)]
        if not worked:
            continue
        first = min(p.start for p in worked)
        last = max(p.finish for p in worked)
        longest = max(longest, calendar.working_minutes_between(first, last))
    return max(0, longest - duration) if longest else 0


def _task_in(task: MspdiTask, parent: int | None, calendar_id: str, work_id: str | None, split: int) -> TaskIn:
    manual = task.is_manual and not task.is_summary
    computed = task.computed
    return TaskIn(
        id=task.uid,
        name=task.name or "",
        parent_id=parent,
        duration_minutes=_minutes(task.duration),
        is_milestone=task.is_milestone,
        is_summary=task.is_summary,
        constraint_type=CONSTRAINTS.get(task.constraint_type or 0, ConstraintType.ASAP),
        constraint_date=task.constraint_date if (task.constraint_type or 0) > 1 else None,
        calendar_id=calendar_id,
        resource_calendar_id=work_id,
        percent_complete=float(task.percent_complete or 0),
        actual_start=task.actual_start,
        actual_finish=task.actual_finish,
        remaining_minutes=None if task.remaining_duration is None else _minutes(task.remaining_duration),
        deadline=task.deadline,
        is_manual=manual,
        # A manual task's Start/Finish are typed by the user; Project 2010+ also writes them
        # as ManualStart/ManualFinish, which take precedence.
        manual_start=(task.manual_start or computed.start) if manual else None,
        manual_finish=(task.manual_finish or computed.finish) if manual else None,
        split_minutes=split,
    )
