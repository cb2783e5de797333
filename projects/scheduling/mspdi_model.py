"""Plain dataclasses for the contents of a Microsoft Project XML (MSPDI) document.

Values keep MSPDI's own encodings (see :mod:`projects.scheduling.mspdi`): durations are
:class:`~datetime.timedelta`, dates naive datetimes, money :class:`~decimal.Decimal` currency
units, slack and link lag tenths of a minute, enumerations their MSPDI codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

NS = "http://schemas.microsoft.com/project"


class ScheduleImportError(ValueError):
    """The file is not a usable MSPDI document; the message says where and why."""


Intervals = tuple[tuple[time, time], ...]


@dataclass(frozen=True, slots=True)
class MspdiWeekDay:
    """A ``WeekDay``: ``day_type`` 1=Sunday .. 7=Saturday (0 = an old-style exception day)."""

    day_type: int
    working: bool
    intervals: Intervals = ()
    from_date: datetime | None = None  # only for day_type 0
    to_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class MspdiException:
    """A Project 2007+ calendar ``Exception``; ``recurrence_type`` 1=daily (a plain date range),
    2/3 yearly (absolute/relative), 4/5 monthly (absolute/relative), 6 weekly."""

    from_date: datetime
    to_date: datetime
    working: bool
    intervals: Intervals = ()
    name: str | None = None
    recurrence_type: int = 1
    occurrences: int | None = None
    entered_by_occurrences: bool | None = None
    period: int | None = None
    days_of_week: int | None = None  # bit mask, 1=Sunday, 2=Monday, 4=Tuesday ...
    month_item: int | None = None  # 3=Sunday .. 9=Saturday
    month_position: int | None = None  # 0=first .. 4=last
    month: int | None = None  # 0=January
    month_day: int | None = None


@dataclass(frozen=True, slots=True)
class MspdiWorkWeek:
    """A ``WorkWeek``: weekday definitions that apply between two dates (Project 2007+)."""

    from_date: datetime
    to_date: datetime
    name: str | None
    weekdays: tuple[MspdiWeekDay, ...]


@dataclass(frozen=True, slots=True)
class MspdiCalendar:
    """A ``Calendar``; ``base_uid`` names the calendar it derives from (None/-1: none)."""

    uid: int
    name: str | None
    is_base: bool
    base_uid: int | None  # None or -1: no base calendar
    weekdays: tuple[MspdiWeekDay, ...] = ()
    exceptions: tuple[MspdiException, ...] = ()
    work_weeks: tuple[MspdiWorkWeek, ...] = ()
    guid: str | None = None


@dataclass(frozen=True, slots=True)
class MspdiBaseline:
    """One ``Baseline`` of a task: number 0 is "Baseline", 1-10 "Baseline1".."Baseline10"."""

    number: int  # 0 = "Baseline", 1..10 = "Baseline1".."Baseline10"
    start: datetime | None = None
    finish: datetime | None = None
    duration: timedelta | None = None
    cost: Decimal | None = None
    work: timedelta | None = None


@dataclass(frozen=True, slots=True)
class MspdiLink:
    """A ``PredecessorLink`` as stored on the successor task."""

    predecessor_uid: int
    type: int = 1  # 0=FF, 1=FS, 2=SF, 3=SS
    lag_tenths: int = 0  # tenths of a minute; the percentage for percent formats
    lag_format: int = 7  # 7 = days; even codes are elapsed time; 19/20/51/52 percent
    cross_project: bool = False


@dataclass(frozen=True, slots=True)
class MspComputed:
    """What Microsoft Project computed for a task. Slack is in tenths of a minute."""

    start: datetime | None = None
    finish: datetime | None = None
    early_start: datetime | None = None
    early_finish: datetime | None = None
    late_start: datetime | None = None
    late_finish: datetime | None = None
    total_slack: int | None = None
    free_slack: int | None = None
    critical: bool | None = None


@dataclass(frozen=True, slots=True)
class MspdiTask:
    """A ``Task`` as entered, plus what Project computed for it in ``computed``."""

    uid: int
    id: int | None = None
    name: str | None = None
    outline_level: int | None = None
    outline_number: str | None = None
    wbs: str | None = None
    is_summary: bool = False
    is_milestone: bool = False
    is_null: bool = False
    is_active: bool = True
    is_manual: bool = False
    is_recurring: bool = False
    created: datetime | None = None
    task_type: int | None = None  # 0 fixed units, 1 fixed duration, 2 fixed work
    duration: timedelta | None = None
    manual_start: datetime | None = None
    manual_finish: datetime | None = None
    constraint_type: int | None = None
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    percent_complete: int | None = None
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    actual_duration: timedelta | None = None
    remaining_duration: timedelta | None = None
    calendar_uid: int | None = None  # -1 or None: the project calendar
    ignore_resource_calendar: bool = False
    cost: Decimal | None = None
    notes: str | None = None
    predecessors: tuple[MspdiLink, ...] = ()
    baselines: tuple[MspdiBaseline, ...] = ()
    computed: MspComputed = MspComputed()
    guid: str | None = None  # the task's GUID (Keel writes a stable one per task row)
    # Custom field values (``ExtendedAttribute``): (FieldID, raw Value) pairs, as in the file.
    extended_attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class MspdiResource:
    """A ``Resource``; its calendar decides when its assignments can be worked."""

    uid: int
    name: str | None = None
    type: int = 1  # 0 material, 1 work, 2 cost
    calendar_uid: int | None = None
    email: str | None = None  # EmailAddress
    max_units: Decimal | None = None  # 1 = 100 %
    standard_rate: Decimal | None = None  # per hour (StandardRateFormat 2), not x 100


@dataclass(frozen=True, slots=True)
class MspdiTimephased:
    """One ``TimephasedData`` period of an assignment (``value``: work in the period)."""

    type: int  # 1 = remaining work, 2 = actual work, ...
    start: datetime
    finish: datetime
    unit: int | None = None
    value: timedelta | None = None


@dataclass(frozen=True, slots=True)
class MspdiAssignment:
    """An ``Assignment`` of a resource to a task."""

    uid: int
    task_uid: int
    resource_uid: int  # -65535 = unassigned
    units: Decimal | None = None  # 1 = 100 %
    work: timedelta | None = None
    actual_work: timedelta | None = None
    remaining_work: timedelta | None = None
    work_contour: int | None = None  # 0 flat .. 8 contoured (edited by hand)
    timephased: tuple[MspdiTimephased, ...] = ()
    cost: Decimal | None = None  # currency units (the file stores x 100)
    actual_cost: Decimal | None = None


@dataclass(frozen=True, slots=True)
class MspdiProject:
    """Project-level properties (the ``Project`` element's own children)."""

    name: str | None = None
    title: str | None = None
    start_date: datetime | None = None
    finish_date: datetime | None = None
    current_date: datetime | None = None
    status_date: datetime | None = None
    calendar_uid: int | None = None
    minutes_per_day: int | None = None
    minutes_per_week: int | None = None
    days_per_month: int | None = None
    schedule_from_start: bool | None = None
    critical_slack_limit: int | None = None  # days
    multiple_critical_paths: bool | None = None
    honor_constraints: bool | None = None
    currency_code: str | None = None
    save_version: int = 14  # 12 = Project 2007, 14 = Project 2010 and later (the default)


@dataclass(frozen=True, slots=True)
class MspdiCustomField:
    """A custom field the project defines (``Project/ExtendedAttributes/ExtendedAttribute``):
    its FieldID, its field name (``Text1``, ``Duration2``, ``Number3``…) and the user's alias."""

    field_id: str
    field_name: str | None = None
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class MspdiDocument:
    """A whole MSPDI file: what :func:`~projects.scheduling.mspdi.read_mspdi` returns."""

    project: MspdiProject
    calendars: tuple[MspdiCalendar, ...] = ()
    tasks: tuple[MspdiTask, ...] = ()
    resources: tuple[MspdiResource, ...] = ()
    assignments: tuple[MspdiAssignment, ...] = ()
    custom_fields: tuple[MspdiCustomField, ...] = ()
