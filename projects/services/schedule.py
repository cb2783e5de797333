"""Scheduling: load a network from the database, run the engine, write the dates back.

A project's *network* is its own tasks plus those of every project linked to it through
cross-project dependencies (transitively, inside one program). Linked projects are scheduled as
one network — as Microsoft Project schedules a master project with inserted subprojects — so a
slip in one moves the projects downstream, and float is measured against the finish of the
whole linked group. A project with no cross-project links is scheduled on its own, with its own
critical path.

The engine (projects.scheduling) is pure Python; this module feeds it from one query per table
and writes back only the rows whose computed fields changed, with one bulk UPDATE per project.

Every write service here reschedules the edited project before it returns, so its Gantt moves at
once: `schedule_recompute(project=…, own_only=True)` schedules the project's own tasks with
each cross-project predecessor pinned at its current dates. The projects linked to it are
brought along in the worker (`schedule_propagate`, enqueued after commit by
`propagation_enqueue`), which schedules the whole linked group as one network — exactly what a
synchronous recompute of the network used to write — and reports every project that moved to
the roll-ups (core.changes). Until it has run, the edited project's float and critical path are
measured against its own finish rather than the group's.

A change to the shape of a linked network (a link, a task's summary) is the exception: only the
whole network can show a cycle running through another project, so it is validated and
scheduled on the whole network in the request, as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from core.changes import inputs_changed
from core.models import AuditEntry
from core.services import audit_record, model_changes, versioned_delete, versioned_update
from projects.scheduling import (
    ActivityType,
    CalendarError,
    ConstraintType,
    CriticalMode,
    FloatMode,
    LagCalendar,
    LinkIn,
    LinkType,
    P6Options,
    ProgressMode,
    ScheduleCycleError,
    ScheduleInputError,
    ScheduleOptions,
    TaskIn,
    WorkCalendar,
    WorkWeek,
    schedule,
)

from ..models import Baseline, BaselineTask, Calendar, CalendarException, Dependency, Project, ScheduleDialect, Task
from .schedule_resources import resource_calendar_plan, with_resource_calendars
from .schedule_undo import task_values, undo_forget, undo_remember
from .uncertainty import three_point_errors

log = logging.getLogger(__name__)
STANDARD_CALENDAR_ID = "standard"
# Wait this long before propagating, so a burst of edits to one project propagates mostly once
# (each run is idempotent: a late one finds nothing to move).
PROPAGATE_AFTER_SECONDS = 2
COMPUTED_TASK_FIELDS = [
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_minutes",
    "free_float_minutes",
    "is_critical",
    "is_summary",
    "duration_minutes",  # only summaries': their span rolled up from the subtasks
]

CROSS_PROGRAM_LINK = "Both tasks must belong to projects of the same program."
DUPLICATE_LINK = "These tasks are already linked by a link of this type."
DUPLICATE_LINK_TYPE = "These tasks already have a {type} link."
LINK_TO_ANCESTOR = "A task cannot be linked to its own summary task or subtask."
PARENT_OTHER_PROJECT = "The summary task must belong to the same project."
PARENT_IS_DESCENDANT = "A task cannot be placed under itself or one of its subtasks."
CALENDAR_OTHER_PROJECT = "The calendar belongs to another project."
CONSTRAINT_NEEDS_DATE = "This constraint needs a date."
ACTUAL_FINISH_BEFORE_START = "The actual finish is before the actual start."
MANUAL_NEEDS_DATES = "A manually scheduled task needs both a manual start and a manual finish."
BASE_IS_DERIVED = "A calendar cannot be based on itself or on a calendar derived from it."
CALENDAR_WITHOUT_WORK = "The working week has no working time."
WORK_WEEK_MALFORMED = 'Working time must be lists of ["HH:MM", "HH:MM"] intervals inside one day.'
EXCEPTION_DATES_REVERSED = "Must be on or after the start date."
EXCEPTIONS_OVERLAP = "Exceptions starting {first} and {second} overlap."


class ScheduleCycleValidationError(ValidationError):
    """A dependency cycle, as a validation error on `field` naming the tasks in the cycle."""

    def __init__(self, cycle: ScheduleCycleError, field: str = "predecessor"):
        super().__init__({field: str(cycle)})
        self.task_ids = cycle.task_ids


@dataclass(frozen=True, slots=True)
class ScheduleOutcome:
    """What one recompute did: the projects in the network, how many tasks it scheduled and
    how many rows changed, the network's finish, and its critical path (task pks)."""

    project_ids: tuple[int, ...]
    task_count: int
    changed_count: int
    finish: dt.datetime | None
    critical_path: tuple[int, ...]
    moved_project_ids: tuple[int, ...] = ()  # the projects whose tasks or forecast finish changed


# -- calendars --------------------------------------------------------------------------------


def _hhmm(text: str) -> dt.time | int:
    hours, minutes = (int(part) for part in text.split(":"))
    return 1440 if (hours, minutes) == (24, 0) else dt.time(hours, minutes)


def _day(intervals: Iterable[Iterable[str]]) -> tuple:
    return tuple((_hhmm(a), _hhmm(b)) for a, b in intervals)


def work_calendars(calendars: Iterable[Calendar]) -> dict[str, WorkCalendar]:
    """Build engine calendars (by str(pk)) from Calendar rows, each resolved against its base.

    Every base must be among `calendars` (see `_load_calendars`). A weekday missing from
    `work_week` is inherited from the base calendar."""
    rows = {c.pk: c for c in calendars}
    exceptions_of: dict[int, dict[dt.date, tuple]] = {pk: {} for pk in rows}
    for exc in CalendarException.objects.filter(calendar__in=list(rows)).order_by("start_date"):
        day = exc.start_date
        while day <= exc.end_date:
            exceptions_of[exc.calendar_id][day] = _day(exc.work_intervals)
            day += dt.timedelta(days=1)
    built: dict[int, WorkCalendar] = {}

    def build(pk: int, trail: tuple[int, ...] = ()) -> WorkCalendar:
        if pk in built:
            return built[pk]
        row = rows[pk]
        base = None
        if row.base_calendar_id in rows and row.base_calendar_id not in (*trail, pk):
            base = build(row.base_calendar_id, (*trail, pk))
        week = {int(day): _day(intervals) for day, intervals in (row.work_week or {}).items()}
        weeks = [
            WorkWeek(
                dt.date.fromisoformat(ww["start"]),
                dt.date.fromisoformat(ww["end"]),
                {int(day): _day(iv) for day, iv in ww.get("week", {}).items()},
            )
            for ww in row.work_weeks or []
        ]
        built[pk] = WorkCalendar(row.name, week=week, exceptions=exceptions_of[pk], work_weeks=weeks, base=base)
        return built[pk]

    return {str(pk): build(pk) for pk in rows}


def _load_calendars(calendar_ids: set[int]) -> list[Calendar]:
    """The calendars with these pks and, transitively, their bases (one query per level)."""
    found: dict[int, Calendar] = {}
    wanted = set(calendar_ids)
    while wanted:
        rows = list(Calendar.objects.filter(pk__in=wanted))
        found.update({c.pk: c for c in rows})
        wanted = {c.base_calendar_id for c in rows if c.base_calendar_id and c.base_calendar_id not in found}
    return list(found.values())


# -- the network -------------------------------------------------------------------------------


def linked_project_ids(project: Project) -> set[int]:
    """`project` and every project of its program reachable through cross-project links."""
    pairs = (
        Dependency.objects.filter(successor__project__program_id=project.program_id)
        .exclude(successor__project_id=F("predecessor__project_id"))
        .values_list("predecessor__project_id", "successor__project_id")
        .distinct()
    )
    neighbours: dict[int, set[int]] = {}
    for a, b in pairs:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    seen, stack = {project.pk}, [project.pk]
    while stack:
        for other in neighbours.get(stack.pop(), ()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def has_cross_project_links(project: Project) -> bool:
    """Whether a dependency links a task of `project` with a task of another project (one query)."""
    return Dependency.objects.touching(project).exclude(successor__project_id=F("predecessor__project_id")).exists()


def project_zone(project: Project) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(project.time_zone or "UTC")


def to_local(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """Aware datetime → the naive wall-clock time the engine works in."""
    if value is None:
        return None
    return value.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def to_aware(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=zone)


def schedule_options(project: Project, zone: zoneinfo.ZoneInfo | None = None) -> ScheduleOptions:
    """The engine options for `project`: its dialect and, for Primavera P6, its P6 options (data
    date and must-finish-by as naive local datetimes in `zone`, the project's by default).
    `critical_float_minutes` is the critical threshold in both dialects."""
    zone = zone or project_zone(project)
    if project.schedule_dialect != ScheduleDialect.P6:
        return ScheduleOptions(critical_slack_minutes=project.critical_float_minutes)
    return ScheduleOptions(
        critical_slack_minutes=project.critical_float_minutes,
        p6=P6Options(
            data_date=to_local(project.data_date, zone),
            progress_mode=ProgressMode(project.progress_mode),
            lag_calendar=LagCalendar(project.lag_calendar),
            float_mode=FloatMode(project.float_mode),
            critical_mode=CriticalMode(project.critical_mode),
            must_finish_by=to_local(project.must_finish_by, zone),
        ),
    )


def _project_start(project: Project, calendar: WorkCalendar) -> dt.datetime:
    """The instant the plan starts: its start day at its start time (a project may start at 09:00
    on a calendar that opens at 08:00), moved to the next working time."""
    day = project.planned_start or timezone.localdate()
    at = project.planned_start_time if project.planned_start else None
    return calendar.next_work_start(dt.datetime.combine(day, at or dt.time()))


@dataclass(slots=True)
class Network:
    """Everything the engine needs for one linked group of projects, plus the rows."""

    projects: list[Project]
    tasks: list[Task]
    dependencies: list[Dependency]
    task_in: list[TaskIn]
    link_in: list[LinkIn]
    calendars: dict[str, WorkCalendar]
    default_calendar_id: str
    start: dt.datetime
    status_date: dt.datetime | None
    zone: zoneinfo.ZoneInfo
    options: ScheduleOptions = dataclasses.field(default_factory=ScheduleOptions)  # the anchor's dialect


def task_in(
    task: Task, zone: zoneinfo.ZoneInfo, *, name: str | None = None, floor: dt.datetime | None = None
) -> TaskIn:
    """A Task row as engine input. `floor` (naive) keeps an ASAP task from starting before its
    own project's start when it is scheduled in a network that starts earlier."""
    constraint, constraint_date = ConstraintType(task.constraint_type), to_local(task.constraint_date, zone)
    if floor is not None and constraint == ConstraintType.ASAP:
        constraint, constraint_date = ConstraintType.SNET, floor
    return TaskIn(
        id=task.pk,
        name=name or task.name,
        parent_id=task.parent_id,
        duration_minutes=task.duration_minutes,
        is_milestone=task.is_milestone,
        constraint_type=constraint,
        constraint_date=constraint_date,
        calendar_id=str(task.calendar_id) if task.calendar_id else None,
        percent_complete=float(task.percent_complete),
        actual_start=to_local(task.actual_start, zone),
        actual_finish=to_local(task.actual_finish, zone),
        remaining_minutes=task.remaining_minutes,
        deadline=to_local(task.deadline, zone),
        is_manual=task.is_manual,
        manual_start=to_local(task.manual_start, zone),
        manual_finish=to_local(task.manual_finish, zone),
        activity_type=ActivityType(task.activity_type),
        split_minutes=task.split_minutes,
    )


def link_in(dep: Dependency) -> LinkIn:
    return LinkIn(
        predecessor_id=dep.predecessor_id,
        successor_id=dep.successor_id,
        type=LinkType(dep.type),
        lag_minutes=dep.lag_minutes,
        lag_percent=float(dep.lag_percent) if dep.lag_percent is not None else None,
        lag_elapsed=dep.lag_elapsed,
    )


def load_network(project: Project, *, own_only: bool = False, project_ids: Iterable[int] | None = None) -> Network:
    """Read the linked group of `project` (a fixed number of queries, whatever its size).

    `project_ids`: read these projects (and `project`, the anchor whose zone and calendar the
    network uses) instead of the linked group, e.g. every project of a program for its risk
    analysis; their links to each other are kept, links to projects outside are left out.

    `own_only`: read only `project`'s tasks, with each task of another project that precedes
    one of them pinned (manually scheduled) at its current start and finish. Successor projects
    are left out; `Network.tasks` holds only `project`'s rows."""
    if project_ids is not None:
        ids = {project.pk, *project_ids}
    else:
        ids = {project.pk} if own_only else linked_project_ids(project)
    projects = sorted(Project.objects.filter(pk__in=ids), key=lambda p: p.pk)
    anchor = next(p for p in projects if p.pk == project.pk)
    zone = project_zone(anchor)
    tasks = list(Task.objects.filter(project_id__in=ids).order_by("project_id", "sort_order", "pk"))
    pinned: list[Task] = []
    if own_only:
        dependencies = list(
            Dependency.objects.filter(successor__project_id=project.pk).select_related("predecessor__project")
        )
        outside = {d.predecessor_id: d.predecessor for d in dependencies if d.predecessor.project_id != project.pk}
        # A predecessor never scheduled has no dates to pin: its link waits for the propagation.
        pinned = [t for t in outside.values() if t.start is not None and t.finish is not None]
        kept = {t.pk for t in tasks} | {t.pk for t in pinned}
        dependencies = [d for d in dependencies if d.predecessor_id in kept]
    else:
        dependencies = list(Dependency.objects.filter(successor__project_id__in=ids, predecessor__project_id__in=ids))
    # Tasks with work resources are laid out in their calendars (schedule_resources).
    resource_plan = resource_calendar_plan(ids)
    calendar_ids = (
        {p.calendar_id for p in projects if p.calendar_id}
        | {t.calendar_id for t in tasks if t.calendar_id}
        | {t.calendar_id or t.project.calendar_id for t in pinned if t.calendar_id or t.project.calendar_id}
        | {pk for used in resource_plan.values() for pk in used}
    )
    calendars = work_calendars(_load_calendars(calendar_ids))
    calendars.setdefault(STANDARD_CALENDAR_ID, WorkCalendar.standard())
    default_id = str(anchor.calendar_id) if anchor.calendar_id else STANDARD_CALENDAR_ID

    starts = {
        p.pk: _project_start(p, calendars[str(p.calendar_id) if p.calendar_id else STANDARD_CALENDAR_ID])
        for p in projects
    }
    network_start = min(starts.values())
    codes = {p.pk: p.code for p in projects}
    multi = len(projects) > 1
    rows = []
    project_calendar = {p.pk: p.calendar_id for p in projects}
    for task in tasks:
        floor = starts[task.project_id] if starts[task.project_id] > network_start else None
        name = f"{codes[task.project_id]}: {task.name}" if multi else task.name
        row = task_in(task, zone, name=name, floor=floor)
        if row.calendar_id is None and project_calendar[task.project_id]:
            # A task without a calendar of its own works on its project's calendar.
            row = dataclasses.replace(row, calendar_id=str(project_calendar[task.project_id]))
        rows.append(row)
    rows = with_resource_calendars(
        rows, plan=resource_plan, own_calendar={t.pk: t.calendar_id for t in tasks}, calendars=calendars
    )
    for task in pinned:
        # Another project's task as it stands: fixed where it is, in its own calendar.
        calendar_id = task.calendar_id or task.project.calendar_id
        rows.append(
            TaskIn(
                id=task.pk,
                name=f"{task.project.code}: {task.name}",
                parent_id=None,
                duration_minutes=task.duration_minutes,
                is_milestone=task.is_milestone,
                calendar_id=str(calendar_id) if calendar_id else None,
                is_manual=True,
                manual_start=to_local(task.start, zone),
                manual_finish=to_local(task.finish, zone),
            )
        )
    status = anchor.status_date
    return Network(
        projects=projects,
        tasks=tasks,
        dependencies=dependencies,
        task_in=rows,
        link_in=[link_in(d) for d in dependencies],
        calendars=calendars,
        default_calendar_id=default_id,
        start=network_start,
        status_date=dt.datetime.combine(status, dt.time(17)) if status else None,
        zone=zone,
        options=schedule_options(anchor, zone),
    )


def schedule_recompute(*, project: Project, own_only: bool = False) -> ScheduleOutcome:
    """Reschedule the network of `project` and store every changed computed field.

    `own_only`: schedule and write only `project`'s tasks, its cross-project predecessors pinned
    where they are (load_network); the linked projects are left to `schedule_propagate`.

    Raises ScheduleCycleValidationError (a ValidationError naming the tasks) on a cycle, and
    ValidationError for input the engine refuses. Idempotent: a second run changes nothing."""
    net = load_network(project, own_only=own_only)
    if not net.tasks:
        finished = [p.pk for p in net.projects if p.forecast_finish is not None]
        Project.objects.filter(pk__in=[p.pk for p in net.projects]).update(forecast_finish=None)
        return ScheduleOutcome(tuple(p.pk for p in net.projects), 0, 0, None, (), tuple(finished))
    try:
        result = schedule(
            net.task_in,
            net.link_in,
            calendars=net.calendars,
            default_calendar_id=net.default_calendar_id,
            project_start=net.start,
            status_date=net.status_date,
            options=net.options,
        )
    except ScheduleCycleError as cycle:
        raise ScheduleCycleValidationError(cycle) from None
    except (ScheduleInputError, CalendarError) as error:
        raise ValidationError({"schedule": str(error)}) from None

    zone = net.zone
    changed: dict[int, list[Task]] = {}
    finish_of: dict[int, dt.datetime] = {}
    for task in net.tasks:
        out = result.tasks[task.pk]
        values = {
            "start": to_aware(out.start, zone),
            "finish": to_aware(out.finish, zone),
            "early_start": to_aware(out.early_start, zone),
            "early_finish": to_aware(out.early_finish, zone),
            "late_start": to_aware(out.late_start, zone),
            "late_finish": to_aware(out.late_finish, zone),
            "total_float_minutes": out.total_float_minutes,
            "free_float_minutes": out.free_float_minutes,
            "is_critical": out.is_critical,
            "is_summary": out.is_summary,
            "duration_minutes": out.duration_minutes if out.is_summary else task.duration_minutes,
        }
        if any(getattr(task, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(task, name, value)
            changed.setdefault(task.project_id, []).append(task)
        if values["finish"] and (task.project_id not in finish_of or values["finish"] > finish_of[task.project_id]):
            finish_of[task.project_id] = values["finish"]
    moved = set(changed)
    with transaction.atomic():
        for rows in changed.values():
            Task.objects.bulk_update(rows, COMPUTED_TASK_FIELDS, batch_size=5000)
        for p in net.projects:
            if p.forecast_finish != finish_of.get(p.pk):
                Project.objects.filter(pk=p.pk).update(forecast_finish=finish_of.get(p.pk))
                moved.add(p.pk)
    own = {t.pk for t in net.tasks}
    return ScheduleOutcome(
        project_ids=tuple(p.pk for p in net.projects),
        task_count=len(net.tasks),
        changed_count=sum(len(rows) for rows in changed.values()),
        finish=to_aware(result.project_finish, zone),
        critical_path=tuple(pk for pk in result.critical_path if pk in own),
        moved_project_ids=tuple(sorted(moved)),
    )


def schedule_lock(projects: Iterable[Project | int]) -> None:
    """Lock the rows of the projects whose schedule a write is about to change, in Project's
    default order (code) — the order dependency_create and schedule_propagate lock a program's or
    a network's — and before any task row: two edits of one project then queue instead of each
    holding one task and waiting for the other's in the reschedule's bulk update (a deadlock, seen
    under load as a 500 on concurrent task PATCHes). FOR NO KEY UPDATE, not FOR UPDATE: rows that
    only point at the project (a cost entry's insert takes FOR KEY SHARE for its foreign key) are
    not held up, so they cannot close a cycle with a schedule edit either."""
    ids = {p if isinstance(p, int) else p.pk for p in projects}
    if ids:
        list(Project.objects.select_for_update(no_key=True).filter(pk__in=ids).values_list("pk"))


def schedule_reschedule(*, project: Project, whole_network: bool = False) -> ScheduleOutcome:
    """What a write service calls after changing `project`'s schedule inputs, in its transaction:
    reschedule `project` now (its own tasks; the whole linked network when `whole_network`, for
    changes of the network's shape), tell the roll-ups about every project that moved and
    `project` itself, and hand the linked projects to the worker after commit."""
    linked = has_cross_project_links(project)
    outcome = schedule_recompute(project=project, own_only=linked and not whole_network)
    inputs_changed(projects={project.pk, *outcome.moved_project_ids})
    if linked and not whole_network:
        propagation_enqueue(project_ids=[project.pk])
    return outcome


def propagation_enqueue(*, project_ids: Iterable[int]) -> None:
    """After commit, send `projects.schedule_propagate` for each project (the linked group of
    each is rescheduled in the worker). A broker that cannot be reached is logged; the edited
    project's own dates are already stored and the next edit in the group propagates again."""
    from .. import tasks  # tasks import this module

    def send(pk: int) -> None:
        try:
            tasks.schedule_propagate.apply_async((pk,), countdown=PROPAGATE_AFTER_SECONDS)
        except Exception:
            log.warning("Could not enqueue the schedule propagation of project %s.", pk, exc_info=True)

    for pk in sorted(set(project_ids)):
        transaction.on_commit(lambda pk=pk: send(pk), robust=True)


@transaction.atomic
def schedule_propagate(*, project_id: int) -> tuple[int, ...]:
    """Reschedule the whole linked network of project `project_id` (as one network, see the
    module docstring) and bump the input version of every project that moved. Returns their
    ids (empty when nothing moved or the project is gone). Idempotent."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return ()
    # One propagation per network at a time: lock its projects, in the order dependency_create
    # locks a program's (Project's default ordering), so the two never deadlock.
    ids = linked_project_ids(project)
    list(Project.objects.select_for_update(no_key=True).filter(pk__in=ids).values_list("pk"))
    try:
        outcome = schedule_recompute(project=project)
    except ValidationError:
        # A cycle that slipped past validation (two links created at once in two projects):
        # nothing is written; the next edit that breaks the cycle propagates again.
        log.warning("Schedule propagation of project %s refused by the engine.", project_id, exc_info=True)
        return ()
    inputs_changed(projects=outcome.moved_project_ids)
    return outcome.moved_project_ids


# -- outline -------------------------------------------------------------------------------------


def outline_renumber(*, project: Project) -> None:
    """Recompute outline numbers (1, 1.1, 1.2, 2 …) from parent and sort order; write only
    changed rows. A blank WBS code follows the outline number."""
    tasks = list(Task.objects.filter(project=project).only("pk", "parent_id", "sort_order", "outline_number", "wbs"))
    children: dict[int | None, list[Task]] = {}
    for task in tasks:
        children.setdefault(task.parent_id, []).append(task)
    for siblings in children.values():
        siblings.sort(key=lambda t: (t.sort_order, t.pk))
    changed, stack = [], [(None, "")]
    while stack:
        parent, prefix = stack.pop()
        for index, task in reversed(list(enumerate(children.get(parent, []), start=1))):
            number = f"{prefix}{index}"
            if task.outline_number != number:
                if not task.wbs or task.wbs == task.outline_number:
                    task.wbs = number
                task.outline_number = number
                changed.append(task)
            stack.append((task.pk, f"{number}."))
    Task.objects.bulk_update(changed, ["outline_number", "wbs"], batch_size=5000)


# -- writes --------------------------------------------------------------------------------------


MILESTONE_ZERO_DURATION = "A milestone has zero duration."
MILESTONE_TYPES = (ActivityType.START_MILESTONE, ActivityType.FINISH_MILESTONE)


def milestone_errors(task: Task) -> dict[str, str]:
    """A milestone — the flag, or P6's start / finish milestone activity type — has zero
    duration: {"duration_minutes": message} when `task` breaks that, else {}. task_create and
    task_update (the API's and the task form's writes) check it; the task form also asks before
    submitting its data."""
    if (task.is_milestone or task.activity_type in MILESTONE_TYPES) and task.duration_minutes:
        return {"duration_minutes": MILESTONE_ZERO_DURATION}
    return {}


def _check_task(task: Task) -> None:
    if task.parent_id:
        if task.parent.project_id != task.project_id:
            raise ValidationError({"parent": PARENT_OTHER_PROJECT})
        ancestor = task.parent
        while ancestor is not None:
            if ancestor.pk == task.pk:
                raise ValidationError({"parent": PARENT_IS_DESCENDANT})
            ancestor = ancestor.parent
    if task.calendar_id and task.calendar.project_id not in (None, task.project_id):
        raise ValidationError({"calendar": CALENDAR_OTHER_PROJECT})
    if task.is_manual and (task.manual_start is None or task.manual_finish is None):
        raise ValidationError({"manual_start": MANUAL_NEEDS_DATES})
    if errors := milestone_errors(task):
        raise ValidationError(errors)
    if task.constraint_type not in (Task.Constraint.ASAP, Task.Constraint.ALAP) and task.constraint_date is None:
        raise ValidationError({"constraint_date": CONSTRAINT_NEEDS_DATE})
    if task.actual_start and task.actual_finish and task.actual_finish < task.actual_start:
        raise ValidationError({"actual_finish": ACTUAL_FINISH_BEFORE_START})
    estimate_errors = three_point_errors(task)
    if estimate_errors:
        raise ValidationError(estimate_errors)


@transaction.atomic
def task_create(*, actor, project: Project, name: str, **fields: Any) -> Task:
    """Add a task (at the end of its parent's children unless `sort_order` is given) and reschedule."""
    schedule_lock([project])
    if "sort_order" not in fields:
        last = Task.objects.filter(project=project).order_by("-sort_order").values_list("sort_order", flat=True).first()
        fields["sort_order"] = (last or 0) + 10
    task = Task(project=project, name=name, **fields)
    _check_task(task)  # first: its messages name the field, the database constraints' do not
    task.full_clean()
    task.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=task, changes=model_changes(task, ["name", *fields]))
    outline_renumber(project=project)
    schedule_reschedule(project=project)
    task.refresh_from_db()
    undo_remember(
        actor=actor,
        project=project,
        label=f"added “{task.name}”",
        operations=[{"op": "delete", "task": task.pk, "version": task.version}],
    )
    return task


@transaction.atomic
def task_update(*, actor, task: Task, data: dict[str, Any], expected_version: int | None = None) -> Task:
    """Change what a user enters on a task (optimistic concurrency) and reschedule."""
    schedule_lock([task.project_id])
    candidate = Task.objects.select_related("parent", "calendar").get(pk=task.pk)
    if {"constraint_type", "constraint_date"} & set(data) and "constraint_origin" not in data:
        # A constraint typed in is no longer the one a drag set.
        data = {**data, "constraint_origin": ""}
    before = task_values(candidate, data)
    for name, value in data.items():
        setattr(candidate, name, value)
    _check_task(candidate)
    task = versioned_update(instance=task, data=data, actor=actor, expected_version=expected_version)
    if {"parent", "sort_order"} & set(data):
        outline_renumber(project=task.project)
    # A new summary can close a cycle through another project: validate on the whole network.
    schedule_reschedule(project=task.project, whole_network="parent" in data)
    task.refresh_from_db()
    undo_remember(
        actor=actor,
        project=task.project,
        label=f"edited “{task.name}”",
        operations=[{"op": "fields", "task": task.pk, "version": task.version, "values": before}],
    )
    return task


@transaction.atomic
def task_delete(*, actor, task: Task, expected_version: int | None = None) -> None:
    """Delete a task (and its subtasks and links) and reschedule what remains: its project now,
    the projects linked to it in the worker."""
    project = task.project
    schedule_lock([project])
    others = set(linked_project_ids(project)) - {project.pk}
    versioned_delete(instance=task, actor=actor, expected_version=expected_version)
    undo_forget(actor=actor, project=project)
    outline_renumber(project=project)
    schedule_reschedule(project=project)
    propagation_enqueue(project_ids=others)  # a removed cross-project link may have split the group


def _check_link(dep: Dependency) -> None:
    pred, succ = dep.predecessor, dep.successor
    if pred.project.program_id != succ.project.program_id:
        raise ValidationError({"predecessor": CROSS_PROGRAM_LINK})
    node = succ
    while node is not None:
        if node.pk == pred.pk:
            raise ValidationError({"predecessor": LINK_TO_ANCESTOR})
        node = node.parent
    node = pred
    while node is not None:
        if node.pk == succ.pk:
            raise ValidationError({"predecessor": LINK_TO_ANCESTOR})
        node = node.parent


@transaction.atomic
def dependency_create(
    *,
    actor,
    predecessor: Task,
    successor: Task,
    type: str = Dependency.Type.FS,
    lag_minutes: int = 0,
    lag_percent: Decimal | None = None,
    lag_elapsed: bool = False,
) -> Dependency:
    """Link two tasks (same project, or two projects of one program) and reschedule.

    A link that would close a cycle is refused with a ValidationError naming the tasks; nothing
    is written."""
    # Serialise link changes per program: two links created at once could otherwise close a
    # cycle that neither saw.
    list(
        Project.objects.select_for_update(no_key=True).filter(program_id=successor.project.program_id).values_list("pk")
    )
    # Several links may join one pair (P6 planners pair SS with FF), one of each type.
    if Dependency.objects.filter(predecessor=predecessor, successor=successor, type=type).exists():
        raise ValidationError({"predecessor": DUPLICATE_LINK})
    dep = Dependency(
        predecessor=predecessor,
        successor=successor,
        type=type,
        lag_minutes=lag_minutes,
        lag_percent=lag_percent,
        lag_elapsed=lag_elapsed,
    )
    dep.full_clean(validate_unique=False)
    _check_link(dep)
    dep.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=dep,
        changes=model_changes(dep, ["predecessor", "successor", "type", "lag_minutes"]),
    )
    # A link changes the network's shape: scheduled (and checked for cycles) as a whole, now.
    schedule_reschedule(project=successor.project, whole_network=True)
    undo_remember(
        actor=actor,
        project=successor.project,
        label=f"linked “{predecessor.name}” to “{successor.name}”",
        operations=[{"op": "link_delete", "link": dep.pk}],
    )
    return dep


@transaction.atomic
def dependency_update(*, actor, dependency: Dependency, data: dict[str, Any]) -> Dependency:
    """Change a link's type or lag (its two ends are fixed: delete and create to move it)."""
    if {"predecessor", "successor"} & set(data):
        raise ValidationError({"predecessor": "A link's tasks cannot change; delete it and create another."})
    schedule_lock(
        Project.objects.filter(program_id=dependency.successor.project.program_id).values_list("pk", flat=True)
    )
    if data.get("type", dependency.type) != dependency.type:
        clash = Dependency.objects.filter(
            predecessor_id=dependency.predecessor_id, successor_id=dependency.successor_id, type=data["type"]
        ).exclude(pk=dependency.pk)
        if clash.exists():
            raise ValidationError({"type": DUPLICATE_LINK_TYPE.format(type=data["type"])})

    def text(value):
        return None if value is None else str(value)

    changes = {name: [text(getattr(dependency, name)), text(value)] for name, value in data.items()}
    for name, value in data.items():
        setattr(dependency, name, value)
    dependency.full_clean(validate_unique=False)
    _check_link(dependency)
    dependency.save()
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=dependency, changes=changes)
    schedule_reschedule(project=dependency.successor.project, whole_network=True)
    return dependency


@transaction.atomic
def dependency_delete(*, actor, dependency: Dependency) -> None:
    projects = {dependency.successor.project, dependency.predecessor.project}
    schedule_lock(
        Project.objects.filter(program_id=dependency.successor.project.program_id).values_list("pk", flat=True)
    )
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=dependency)
    dependency.delete()
    undo_forget(actor=actor, project=dependency.successor.project)
    for project in sorted(projects, key=lambda p: p.pk):
        schedule_reschedule(project=project, whole_network=True)


def _check_calendar(calendar: Calendar) -> None:
    """A calendar's base must be shared or of the same project and must not derive from the
    calendar itself, and its week must leave some working time (or the engine cannot place
    a single minute of work)."""
    base = calendar.base_calendar
    if base is not None:
        if base.project_id not in (None, calendar.project_id):
            raise ValidationError({"base_calendar": CALENDAR_OTHER_PROJECT})
        node = base
        while node is not None:
            if calendar.pk is not None and node.pk == calendar.pk:
                raise ValidationError({"base_calendar": BASE_IS_DERIVED})
            node = node.base_calendar
    malformed = (CalendarError, ValueError, TypeError, AttributeError, KeyError)
    try:
        week = {int(day): _day(intervals) for day, intervals in (calendar.work_week or {}).items()}
        WorkCalendar(calendar.name, week=week)
    except malformed:
        raise ValidationError({"work_week": WORK_WEEK_MALFORMED}) from None
    try:
        weeks = [
            WorkWeek(
                dt.date.fromisoformat(ww["start"]),
                dt.date.fromisoformat(ww["end"]),
                {int(day): _day(iv) for day, iv in ww.get("week", {}).items()},
            )
            for ww in calendar.work_weeks or []
        ]
        WorkCalendar(calendar.name, work_weeks=weeks)
    except malformed:
        raise ValidationError({"work_weeks": WORK_WEEK_MALFORMED}) from None
    inherited = work_calendars(_load_calendars({base.pk}))[str(base.pk)] if base is not None else None
    try:
        WorkCalendar(calendar.name, week=week, base=inherited).next_work_start(dt.datetime(2000, 1, 3))
    except CalendarError:
        raise ValidationError({"work_week": CALENDAR_WITHOUT_WORK}) from None


def _exceptions_text(rows: Iterable[CalendarException]) -> str:
    return "; ".join(f"{r.start_date}–{r.end_date} {r.name}".strip() for r in rows)


def _exceptions_replace(*, actor, calendar: Calendar, exceptions: Iterable[dict[str, Any]]) -> None:
    """Replace the calendar's exceptions (validated, audited); the caller reschedules."""
    rows = [
        CalendarException(
            calendar=calendar,
            name=item.get("name", ""),
            start_date=item["start_date"],
            end_date=item["end_date"],
            work_intervals=item.get("work_intervals", []),
        )
        for item in exceptions
    ]
    for index, row in enumerate(rows):
        if row.start_date > row.end_date:
            raise ValidationError({f"exceptions[{index}].end_date": EXCEPTION_DATES_REVERSED})
        try:
            WorkCalendar(calendar.name, exceptions={row.start_date: _day(row.work_intervals)})
        except (CalendarError, ValueError, TypeError, AttributeError):
            raise ValidationError({f"exceptions[{index}].work_intervals": WORK_WEEK_MALFORMED}) from None
        row.full_clean(exclude=["calendar"])
    ordered = sorted(rows, key=lambda r: r.start_date)
    for before, after in itertools.pairwise(ordered):
        if after.start_date <= before.end_date:
            raise ValidationError(
                {"exceptions": EXCEPTIONS_OVERLAP.format(first=before.start_date, second=after.start_date)}
            )
    old = list(calendar.exceptions.all())
    calendar.exceptions.all().delete()
    CalendarException.objects.bulk_create(rows)
    if _exceptions_text(old) != _exceptions_text(ordered):
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=calendar,
            changes={"exceptions": [_exceptions_text(old) or None, _exceptions_text(ordered) or None]},
        )


def calendar_users(calendar: Calendar) -> list[Project]:
    """Projects scheduled in `calendar`: as their calendar, a task's, or through a calendar
    derived from it (transitively)."""
    family, level = {calendar.pk}, {calendar.pk}
    while level:
        level = set(Calendar.objects.filter(base_calendar__in=level).values_list("pk", flat=True)) - family
        family |= level
    return list(Project.objects.filter(Q(calendar__in=family) | Q(tasks__calendar__in=family)).distinct())


@transaction.atomic
def calendar_create(
    *,
    actor,
    name: str,
    project: Project | None = None,
    exceptions: Iterable[dict[str, Any]] = (),
    **fields: Any,
) -> Calendar:
    """Add a calendar (`project` None: shared by every project) with its exceptions, dicts of
    name, start_date, end_date and work_intervals. Nothing uses it yet: nothing reschedules."""
    calendar = Calendar(name=name, project=project, **fields)
    calendar.full_clean()
    _check_calendar(calendar)
    calendar.save()
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=calendar, changes=model_changes(calendar, ["name"]))
    _exceptions_replace(actor=actor, calendar=calendar, exceptions=exceptions)
    return calendar


@transaction.atomic
def calendar_update(
    *,
    actor,
    calendar: Calendar,
    data: dict[str, Any],
    expected_version: int | None = None,
    exceptions: Iterable[dict[str, Any]] | None = None,
) -> Calendar:
    """Change a calendar (optimistic concurrency) and reschedule every project that uses it,
    directly or through a derived calendar. `exceptions`, when given, replaces all of its
    exceptions (see calendar_exceptions_set); the version moves on either way."""
    schedule_lock(calendar_users(calendar))
    candidate = Calendar.objects.select_related("base_calendar").get(pk=calendar.pk)
    for name, value in data.items():
        setattr(candidate, name, value)
    _check_calendar(candidate)
    calendar = versioned_update(instance=calendar, data=data, actor=actor, expected_version=expected_version)
    if exceptions is not None:
        _exceptions_replace(actor=actor, calendar=calendar, exceptions=exceptions)
    for project in calendar_users(calendar):
        schedule_reschedule(project=project)
    return calendar


def calendar_exceptions_set(
    *, actor, calendar: Calendar, exceptions: Iterable[dict[str, Any]], expected_version: int | None = None
) -> Calendar:
    """Replace all of the calendar's exceptions (dicts of name, start_date, end_date and
    work_intervals: [] for a holiday, else [["HH:MM", "HH:MM"], …]) and reschedule its users.
    Overlapping exceptions are refused with a ValidationError on `exceptions`."""
    return calendar_update(
        actor=actor, calendar=calendar, data={}, expected_version=expected_version, exceptions=exceptions
    )


@transaction.atomic
def calendar_delete(*, actor, calendar: Calendar, expected_version: int | None = None) -> None:
    """Delete a calendar; its tasks and projects fall back to their project's calendar or the
    standard one and are rescheduled. A calendar other calendars derive from is protected."""
    users = calendar_users(calendar)
    schedule_lock(users)
    versioned_delete(instance=calendar, actor=actor, expected_version=expected_version)
    for project in users:
        schedule_reschedule(project=project)


BASELINE_APPROVED_KEPT = (
    "{name} is the approved plan and is kept. Save under a free number ({free}) instead, or raise a "
    "change request with “Re-baseline the schedule”: once the program manager approves it, the "
    "schedule is re-baselined under the next number."
)
BASELINE_APPROVED_NO_FREE = (
    "{name} is the approved plan and is kept. Every other baseline number is in use; raise a change "
    "request, or ask the program manager to overwrite the approved plan."
)
BASELINE_OVERWRITE_DENIED = (
    "Only the program manager (or a portfolio admin) can overwrite an approved baseline. Save under a "
    "free number, or raise a change request with “Re-baseline the schedule”."
)


def baseline_free_numbers(project: Project) -> list[int]:
    """The baseline numbers (0-10) the project has not used yet."""
    used = set(Baseline.objects.filter(project=project).values_list("number", flat=True))
    return [n for n in range(0, 11) if n not in used]


def _baseline_finish(baseline: Baseline | None) -> dt.datetime | None:
    if baseline is None:
        return None
    return BaselineTask.objects.filter(baseline=baseline).aggregate(finish=Max("finish"))["finish"]


@transaction.atomic
def baseline_set(
    *,
    actor,
    project: Project,
    number: int = 0,
    name: str = "",
    approved: bool = False,
    overwrite_approved: bool = False,
    reason: str = "",
) -> Baseline:
    """Snapshot every task's current dates, duration and cost as baseline `number` (0-10),
    replacing an earlier snapshot with that number.

    An approved baseline (the plan of record) is kept: replacing it is refused on `number`
    (naming a free number and the change-request route) unless `overwrite_approved` — which the
    caller passes only for a program manager (or portfolio admin) who has confirmed, having seen
    what changes. The replacement stays approved, keeps the old name unless `name` is given, and
    is audited as an UPDATE with the finish before/after and `reason`. `approved` marks a new
    snapshot as the plan of record (an approved change request's re-baseline)."""
    if not 0 <= number <= 10:
        raise ValidationError({"number": "A baseline number is 0 to 10."})
    Project.objects.select_for_update().filter(pk=project.pk).get()
    existing = Baseline.objects.filter(project=project, number=number).first()
    replacing_approved = existing is not None and existing.approved
    if replacing_approved and not overwrite_approved:
        free = baseline_free_numbers(project)
        label = existing.name or f"Baseline {number}"
        if free:
            raise ValidationError({"number": BASELINE_APPROVED_KEPT.format(name=label, free=", ".join(map(str, free)))})
        raise ValidationError({"number": BASELINE_APPROVED_NO_FREE.format(name=label)})
    old = (
        {"name": existing.name, "created_at": existing.created_at, "finish": _baseline_finish(existing)}
        if replacing_approved
        else None
    )
    Baseline.objects.filter(project=project, number=number).delete()
    baseline = Baseline.objects.create(
        project=project,
        number=number,
        name=name or (old["name"] if old else "") or f"Baseline {number}",
        approved=approved or replacing_approved,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    rows = Task.objects.filter(project=project).values_list("pk", "start", "finish", "duration_minutes", "cost")
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(baseline=baseline, task_id=pk, start=s, finish=f, duration_minutes=d, cost=c)
            for pk, s, f, d, c in rows
        ],
        batch_size=5000,
    )
    if old is None:
        changes = {"number": [None, str(number)]}
        if baseline.approved:
            changes["approved"] = [None, "True"]
        audit_record(actor=actor, action=AuditEntry.Action.CREATE, obj=baseline, changes=changes)
        inputs_changed(projects=[project])  # slip is measured against the baseline
        return baseline
    new_finish = _baseline_finish(baseline)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=baseline,
        changes={
            "approved_plan_overwritten": [old["created_at"].isoformat(), baseline.created_at.isoformat()],
            "finish": [
                old["finish"].isoformat() if old["finish"] else None,
                new_finish.isoformat() if new_finish else None,
            ],
            "name": [old["name"], baseline.name],
            "reason": [None, reason or None],
        },
    )
    inputs_changed(projects=[project])
    return baseline
