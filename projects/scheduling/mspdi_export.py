"""From engine input and its computed schedule to an MSPDI document (export to Microsoft Project).

:func:`document_from_schedule` lays the tasks out in outline order with UIDs 1..n below a project
summary (UID 0), writes WBS and outline numbers, links with their lags, the calendars the tasks
use (and their base calendars), progress and actual dates, baselines, and the engine's dates,
slack and critical flags as Project's computed fields. Pass the result to
:func:`projects.scheduling.mspdi.write_mspdi`. Importing the file again
(:func:`projects.scheduling.interop.engine_input_from_mspdi`) schedules to the same dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from projects.scheduling.calendar import DayPattern, WorkCalendar
from projects.scheduling.model import ConstraintType, LinkIn, LinkType, ScheduleResult, TaskId, TaskIn
from projects.scheduling.mspdi_model import (
    MspComputed,
    MspdiBaseline,
    MspdiCalendar,
    MspdiDocument,
    MspdiException,
    MspdiLink,
    MspdiProject,
    MspdiTask,
    MspdiWeekDay,
    MspdiWorkWeek,
)

CONSTRAINT_CODES = {
    ConstraintType.ASAP: 0,
    ConstraintType.ALAP: 1,
    ConstraintType.MSO: 2,
    ConstraintType.MFO: 3,
    ConstraintType.SNET: 4,
    ConstraintType.SNLT: 5,
    ConstraintType.FNET: 6,
    ConstraintType.FNLT: 7,
}
LINK_CODES = {LinkType.FF: 0, LinkType.FS: 1, LinkType.SF: 2, LinkType.SS: 3}
DAYS, ELAPSED_DAYS, PERCENT = 7, 8, 19
MINUTES_PER_DAY = 480


def document_from_schedule(
    *,
    name: str,
    tasks: Sequence[TaskIn],
    links: Sequence[LinkIn],
    calendars: Mapping[str, WorkCalendar],
    default_calendar_id: str,
    result: ScheduleResult,
    status_date: datetime | None = None,
    wbs: Mapping[TaskId, str] | None = None,
    notes: Mapping[TaskId, str] | None = None,
    costs: Mapping[TaskId, Decimal] | None = None,
    baselines: Mapping[TaskId, Sequence[MspdiBaseline]] | None = None,
    uids: Mapping[TaskId, int] | None = None,
    guids: Mapping[TaskId, str] | None = None,
) -> MspdiDocument:
    """Build the MSPDI document of a schedule; ``result`` is what the engine returned for it.

    ``wbs`` overrides the WBS code (default: the outline number). ``notes``, ``costs`` (currency
    units) and ``baselines`` are optional per-task extras. Tasks on a combined (union or
    intersection) calendar, resource calendars and splits have no MSPDI form without resources
    and raise ``ValueError``. ``uids`` gives tasks their UID (default: the row number) and
    ``guids`` their GUID, so that a file imported back finds the tasks it came from.
    """
    wbs, notes, costs, baselines = wbs or {}, notes or {}, costs or {}, baselines or {}
    ordered, levels, numbers = _outline(tasks)
    row_of = {task.id: n for n, task in enumerate(ordered, start=1)}
    uid_of = {task.id: (uids or row_of).get(task.id, row_of[task.id]) for task in ordered}
    calendar_uids = _calendar_uids(calendars, default_calendar_id, tasks)
    has_children = {task.parent_id for task in tasks if task.parent_id is not None}
    predecessors: dict[TaskId, list[MspdiLink]] = {}
    for link in links:
        predecessors.setdefault(link.successor_id, []).append(_link(link, uid_of))
    default = calendars[default_calendar_id]
    out = [_project_summary(name, result, default, [t for t in ordered if t.parent_id is None])]
    for task in ordered:
        if task.resource_calendar_id is not None or task.split_minutes:
            raise ValueError(f"Task {task.id!r}: resource calendars and splits cannot be exported")
        done = result.tasks[task.id]
        is_summary = task.id in has_children
        done_minutes = 0 if is_summary else round(task.duration_minutes * done.percent_complete / 100)
        out.append(
            MspdiTask(
                uid=uid_of[task.id],
                guid=(guids or {}).get(task.id),
                id=row_of[task.id],
                name=task.name or str(task.id),
                outline_level=levels[task.id],
                outline_number=numbers[task.id],
                wbs=wbs.get(task.id, numbers[task.id]),
                is_summary=is_summary,
                is_milestone=task.is_milestone,
                is_manual=task.is_manual,
                duration=timedelta(minutes=done.duration_minutes if is_summary else task.duration_minutes),
                manual_start=task.manual_start if task.is_manual else None,
                manual_finish=task.manual_finish if task.is_manual else None,
                constraint_type=CONSTRAINT_CODES[ConstraintType(task.constraint_type)],
                constraint_date=task.constraint_date,
                deadline=task.deadline,
                percent_complete=round(done.percent_complete),
                actual_start=task.actual_start,
                actual_finish=task.actual_finish,
                actual_duration=timedelta(minutes=done_minutes),
                remaining_duration=timedelta(minutes=_remaining(task, done_minutes)),
                calendar_uid=calendar_uids[task.calendar_id] if task.calendar_id is not None else -1,
                cost=costs.get(task.id),
                notes=notes.get(task.id),
                predecessors=tuple(predecessors.get(task.id, ())),
                baselines=tuple(baselines.get(task.id, ())),
                computed=_computed(done),
            )
        )
    minutes_per_week = default.minutes_per_week
    project = MspdiProject(
        name=name,
        title=name,
        start_date=result.project_start,
        finish_date=result.project_finish,
        status_date=status_date,
        calendar_uid=calendar_uids[default_calendar_id],
        minutes_per_day=MINUTES_PER_DAY,
        minutes_per_week=minutes_per_week if minutes_per_week else MINUTES_PER_DAY * 5,
        days_per_month=20,
        schedule_from_start=True,
        critical_slack_limit=0,
        multiple_critical_paths=False,
        honor_constraints=False,
    )
    mspdi_calendars = tuple(
        _calendar(calendars[cid], uid, calendar_uids.get(_base_id(calendars, cid)))
        for cid, uid in calendar_uids.items()
    )
    return MspdiDocument(project=project, calendars=mspdi_calendars, tasks=tuple(out))


def _remaining(task: TaskIn, done_minutes: int) -> int:
    """Remaining duration as the engine assumes it (Project and MPXJ want it written)."""
    if task.remaining_minutes is not None:
        return task.remaining_minutes
    return 0 if task.percent_complete >= 100 else task.duration_minutes - done_minutes


def _outline(tasks: Sequence[TaskIn]) -> tuple[list[TaskIn], dict[TaskId, int], dict[TaskId, str]]:
    """Tasks depth-first (siblings in input order), their outline levels and numbers."""
    children: dict[TaskId | None, list[TaskIn]] = {}
    for task in tasks:
        children.setdefault(task.parent_id, []).append(task)
    ordered: list[TaskIn] = []
    levels: dict[TaskId, int] = {}
    numbers: dict[TaskId, str] = {}
    stack: list[tuple[TaskIn, str, int]] = [
        (task, str(n), 1) for n, task in reversed(list(enumerate(children.get(None, []), start=1)))
    ]
    while stack:
        task, number, level = stack.pop()
        ordered.append(task)
        levels[task.id], numbers[task.id] = level, number
        kids = children.get(task.id, [])
        stack.extend((kid, f"{number}.{n}", level + 1) for n, kid in reversed(list(enumerate(kids, start=1))))
    return ordered, levels, numbers


def _link(link: LinkIn, uid_of: Mapping[TaskId, int]) -> MspdiLink:
    if link.lag_percent is not None:
        return MspdiLink(uid_of[link.predecessor_id], LINK_CODES[LinkType(link.type)], round(link.lag_percent), PERCENT)
    return MspdiLink(
        predecessor_uid=uid_of[link.predecessor_id],
        type=LINK_CODES[LinkType(link.type)],
        lag_tenths=link.lag_minutes * 10,
        lag_format=ELAPSED_DAYS if link.lag_elapsed else DAYS,
    )


def _computed(done: object) -> MspComputed:
    return MspComputed(
        start=done.start,  # type: ignore[attr-defined]
        finish=done.finish,  # type: ignore[attr-defined]
        early_start=done.early_start,  # type: ignore[attr-defined]
        early_finish=done.early_finish,  # type: ignore[attr-defined]
        late_start=done.late_start,  # type: ignore[attr-defined]
        late_finish=done.late_finish,  # type: ignore[attr-defined]
        total_slack=done.total_float_minutes * 10,  # type: ignore[attr-defined]
        free_slack=done.free_float_minutes * 10,  # type: ignore[attr-defined]
        critical=done.is_critical,  # type: ignore[attr-defined]
    )


def _project_summary(name: str, result: ScheduleResult, calendar: WorkCalendar, top: list[TaskIn]) -> MspdiTask:
    """UID 0, rolled up from the top-level tasks the way the engine rolls up a summary."""
    outs = [result.tasks[task.id] for task in top]
    if not outs:
        start = result.project_start
        empty = MspComputed(start, start, start, start, start, start, 0, 0, True)
        return MspdiTask(0, 0, name, 0, "0", "0", is_summary=True, duration=timedelta(0), computed=empty)
    es, ef = min(o.early_start for o in outs), max(o.early_finish for o in outs)
    ls, lf = min(o.late_start for o in outs), max(o.late_finish for o in outs)
    start, finish = min(o.start for o in outs), max(o.finish for o in outs)
    w = calendar.working_minutes_at
    started = any(o.percent_complete > 0 for o in outs) or any(t.actual_start for t in top)
    finished = all(o.percent_complete >= 100 for o in outs)
    slack = 0 if finished else (w(lf) - w(ef) if started else min(w(ls) - w(es), w(lf) - w(ef)))
    weights = [w(o.finish) - w(o.start) for o in outs]
    percent = (
        sum(o.percent_complete * d for o, d in zip(outs, weights, strict=True)) / sum(weights) if sum(weights) else 0
    )
    return MspdiTask(
        uid=0,
        id=0,
        name=name,
        outline_level=0,
        outline_number="0",
        wbs="0",
        is_summary=True,
        duration=timedelta(minutes=w(finish) - w(start)),
        percent_complete=round(percent),
        constraint_type=0,
        calendar_uid=-1,
        computed=MspComputed(
            start, finish, es, ef, ls, lf, slack * 10, max(slack, 0) * 10, slack <= 0 and not finished
        ),
    )


def _base_id(calendars: Mapping[str, WorkCalendar], calendar_id: str) -> str | None:
    base = calendars[calendar_id].base
    return next((cid for cid, cal in calendars.items() if cal is base), None) if base is not None else None


def _calendar_uids(calendars: Mapping[str, WorkCalendar], default_id: str, tasks: Sequence[TaskIn]) -> dict[str, int]:
    """UIDs for the default calendar, the calendars tasks use, and their bases (1, 2, ...)."""
    wanted = [default_id, *(t.calendar_id for t in tasks if t.calendar_id is not None)]
    uids: dict[str, int] = {}
    while wanted:
        cid = wanted.pop(0)
        if cid in uids:
            continue
        if calendars[cid].is_combined:
            raise ValueError(f"Calendar {cid!r} is a union/intersection and has no MSPDI form")
        uids[cid] = len(uids) + 1
        base = _base_id(calendars, cid)
        if base is None and calendars[cid].base is not None:
            raise ValueError(f"Calendar {cid!r} has a base calendar that is not among the calendars")
        if base is not None:
            wanted.append(base)
    return uids


def _times(pattern: DayPattern) -> tuple[tuple[time, time], ...]:
    def clock(minute: int) -> time:
        return time(0) if minute == 1440 else time(minute // 60, minute % 60)

    return tuple((clock(start), clock(end)) for start, end in pattern)


def _day_type(weekday: int) -> int:
    """``date.weekday()`` (Monday=0) to MSPDI DayType (1=Sunday .. 7=Saturday)."""
    return (weekday + 1) % 7 + 1


def _calendar(calendar: WorkCalendar, uid: int, base_uid: int | None) -> MspdiCalendar:
    week = calendar.own_week()
    days = range(7) if calendar.base is None else sorted(week)
    weekdays = tuple(
        MspdiWeekDay(_day_type(wd), bool(week.get(wd)), _times(week.get(wd, ()))) for wd in sorted(days, key=_day_type)
    )
    exceptions: list[MspdiException] = []
    run: list[date] = []
    items = sorted(calendar.own_exceptions().items())
    for n, (day, pattern) in enumerate(items):
        run.append(day)
        following = items[n + 1] if n + 1 < len(items) else None
        if following is None or following[0] != day + timedelta(days=1) or following[1] != pattern:
            exceptions.append(
                MspdiException(
                    from_date=datetime.combine(run[0], time(0)),
                    to_date=datetime.combine(run[-1], time(23, 59)),
                    working=bool(pattern),
                    intervals=_times(pattern),
                    occurrences=len(run),
                    entered_by_occurrences=False,
                )
            )
            run = []
    work_weeks = tuple(
        MspdiWorkWeek(
            datetime.combine(start, time(0)),
            datetime.combine(end, time(23, 59)),
            None,
            tuple(
                MspdiWeekDay(_day_type(wd), bool(p), _times(p))
                for wd, p in sorted(days_.items(), key=lambda i: _day_type(i[0]))
            ),
        )
        for start, end, days_ in calendar.own_work_weeks()
    )
    return MspdiCalendar(
        uid=uid,
        name=calendar.name or f"Calendar {uid}",
        is_base=calendar.base is None,
        base_uid=base_uid if base_uid is not None else -1,
        weekdays=weekdays,
        exceptions=tuple(exceptions),
        work_weeks=work_weeks,
    )
