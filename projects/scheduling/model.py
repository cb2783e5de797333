"""Input and output types of the scheduling engine (no Django, no I/O).

Units and conventions, for every type in this module:

* Durations, lags, floats and slack are **working minutes** in the calendar of the task they
  belong to (a link's lag: the successor's calendar), unless a field says otherwise.
* Datetimes are **naive wall-clock datetimes in the project's local time**. The engine never
  looks at time zones; the Django service layer converts aware datetimes to the project's zone
  before calling it and makes the results aware again. Seconds are ignored (minute precision).
* A task id is any hashable the caller likes (primary key, UUID string, MSPDI UID).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from projects.scheduling.dialects import ActivityType, P6Options

TaskId = int | str


class LinkType(StrEnum):
    """Dependency types: finish-to-start, start-to-start, finish-to-finish, start-to-finish."""

    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class ConstraintType(StrEnum):
    """Date constraints, named as in Microsoft Project.

    ASAP/ALAP: as soon/late as possible. SNET/SNLT: start no earlier/later than. FNET/FNLT:
    finish no earlier/later than. MSO/MFO: must start/finish on. All but ASAP/ALAP need a date.
    As in Microsoft Project's default ("tasks will always honor their constraint dates"), a
    constraint wins over links, which can produce negative float.

    SO/FO are Primavera P6's "start on" / "finish on" (no Microsoft Project equivalent): on or
    after the date forward, on or before it backward. The P6 dialect reads the others with P6's
    meaning (see :mod:`projects.scheduling.dialects`).
    """

    ASAP = "ASAP"
    ALAP = "ALAP"
    SNET = "SNET"
    SNLT = "SNLT"
    FNET = "FNET"
    FNLT = "FNLT"
    MSO = "MSO"
    MFO = "MFO"
    SO = "SO"
    FO = "FO"


class ScheduleError(Exception):
    """Base class of the errors the engine raises on bad input."""


class ScheduleInputError(ScheduleError, ValueError):
    """The input is inconsistent (unknown id, missing constraint date, bad calendar...)."""


class ScheduleCycleError(ScheduleError):
    """The dependencies form a cycle; ``task_ids`` lists the cycle in order, first = last."""

    def __init__(self, message: str, task_ids: tuple[TaskId, ...]) -> None:
        super().__init__(message)
        self.task_ids = task_ids


@dataclass(frozen=True, slots=True)
class TaskIn:
    """One task as the user entered it.

    ``duration_minutes``: working duration (0 for a milestone). A task that has children (tasks
    whose ``parent_id`` is this id) is a *summary*: its duration, constraint and calendar are not
    used for scheduling, its dates roll up from its children; ``is_summary`` is informational.
    ``calendar_id``: the task's calendar (``None`` = the default calendar); its slack and the lags
    of links into it are measured in it. ``resource_calendar_id``: when set, the working time of
    the task's resources, in which its duration is laid out instead (Microsoft Project schedules
    a task with resources in their working time but still measures its slack in the task
    calendar).
    ``percent_complete``: 0-100; above 0 the task counts as started (at its scheduled start if
    ``actual_start`` is not given), at 100 as finished. ``remaining_minutes`` defaults to
    ``duration * (1 - percent/100)``. ``is_manual`` with ``manual_start``/``manual_finish``: a
    manually scheduled task (Microsoft Project) whose dates links do not move.
    ``split_minutes``: working time inside the task's span on which no work is done (a split);
    the task spans ``duration + split`` working minutes. ``deadline`` only tightens late dates.
    ``activity_type``: P6's start / finish milestones, level-of-effort and WBS-summary activities
    (the P6 dialect only; see
    :mod:`projects.scheduling.dialects`).
    """

    id: TaskId
    name: str = ""
    parent_id: TaskId | None = None
    duration_minutes: int = 0
    is_milestone: bool = False
    is_summary: bool = False
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: datetime | None = None
    calendar_id: str | None = None
    resource_calendar_id: str | None = None
    percent_complete: float = 0.0
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    remaining_minutes: int | None = None
    deadline: datetime | None = None
    is_manual: bool = False
    manual_start: datetime | None = None
    manual_finish: datetime | None = None
    split_minutes: int = 0
    activity_type: ActivityType = ActivityType.TASK


@dataclass(frozen=True, slots=True)
class LinkIn:
    """A dependency ``predecessor -> successor``.

    ``lag_minutes`` may be negative (a lead). It is working time in the successor's calendar (P6
    dialect: in the calendar ``P6Options.lag_calendar`` names), or wall-clock minutes if
    ``lag_elapsed``. Several links may join the same pair (e.g. SS and FF); each constrains. If
    ``lag_percent`` is set the lag is that percentage of the predecessor's duration instead and
    ``lag_minutes`` is ignored. Links to or from a summary task apply to its subtasks, as in
    Microsoft Project.
    """

    predecessor_id: TaskId
    successor_id: TaskId
    type: LinkType = LinkType.FS
    lag_minutes: int = 0
    lag_percent: float | None = None
    lag_elapsed: bool = False


@dataclass(frozen=True, slots=True)
class ScheduleOptions:
    """Project-level switches (Microsoft Project's names in brackets).

    ``critical_slack_minutes``: a task is critical when its total slack is at most this
    [CriticalSlackLimit, in minutes]. ``multiple_critical_paths``: a task without successors
    gets its own early finish as late finish instead of the project finish
    [MultipleCriticalPaths].

    ``p6``: ``None`` schedules with Microsoft Project's rules; :class:`P6Options` selects the
    Primavera P6 dialect and carries its options (data date, progress mode, lag calendar, float
    and critical modes, must-finish-by). See :mod:`projects.scheduling.dialects`.
    """

    critical_slack_minutes: int = 0
    multiple_critical_paths: bool = False
    p6: P6Options | None = None


@dataclass(frozen=True, slots=True)
class TaskOut:
    """The computed schedule of one task.

    ``start``/``finish`` are the dates the task is planned on: actual dates where known, the
    late dates for an ALAP task, the early dates otherwise. ``duration_minutes`` is the working
    span from ``start`` to ``finish`` in the task's calendar (rolled up for summaries).
    ``total_float_minutes`` may be negative; ``free_float_minutes`` never is. For a summary all
    dates and ``percent_complete`` are rolled up from its subtasks (duration-weighted percent).
    """

    id: TaskId
    early_start: datetime
    early_finish: datetime
    late_start: datetime
    late_finish: datetime
    start: datetime
    finish: datetime
    total_float_minutes: int
    free_float_minutes: int
    is_critical: bool
    is_summary: bool
    duration_minutes: int
    percent_complete: float


@dataclass(frozen=True, slots=True)
class ScheduleResult:
    """Everything :func:`projects.scheduling.engine.schedule` computed.

    ``critical_path`` lists the critical non-summary tasks in dependency (topological) order.
    """

    tasks: Mapping[TaskId, TaskOut]
    project_start: datetime
    project_finish: datetime
    critical_path: tuple[TaskId, ...]
