"""Writing an :class:`~projects.scheduling.mspdi_model.MspdiDocument` as MSPDI XML.

Elements are written in the order of Microsoft's MSPDI schema (``mspdi_pj12.xsd``: Project reads
by sequence), values in the encodings Project writes (``PT8H0M0S`` durations, currency x 100,
tenths of a minute for lag and slack). Fields that are ``None`` are left out, so
:func:`projects.scheduling.mspdi.read_mspdi` reads the output back into an equal document. The
computed fields (:class:`~projects.scheduling.mspdi_model.MspComputed`) are written where
Project writes them, so a file exported from Keel shows Keel's dates and critical path.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal

from projects.scheduling.mspdi_model import (
    NS,
    MspdiAssignment,
    MspdiCalendar,
    MspdiDocument,
    MspdiException,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    MspdiWeekDay,
)

_Q = "{" + NS + "}"
DAYS_FORMAT = 7  # DurationFormat: show durations in days


def format_duration(value: timedelta) -> str:
    """Format a duration as Microsoft Project does: ``PT{h}H{m}M{s}S``."""
    total = round(value.total_seconds(), 6)
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{seconds:.6f}".rstrip("0").rstrip(".")
    return f"{sign}PT{int(hours)}H{int(minutes)}M{text or '0'}S"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


class _Builder:
    """Appends child elements in call order, skipping ``None`` values."""

    def __init__(self, element: ET.Element) -> None:
        self.element = element

    def add(self, name: str, value: object) -> None:
        if value is not None:
            ET.SubElement(self.element, _Q + name).text = _text(value)

    def child(self, name: str) -> _Builder:
        return _Builder(ET.SubElement(self.element, _Q + name))

    def each(self, wrapper: str | None, name: str, items: tuple, write: Callable[[_Builder, object], None]) -> None:
        if not items:
            return
        parent = self.child(wrapper) if wrapper else self
        for item in items:
            write(parent.child(name), item)


def render(document: MspdiDocument) -> bytes:
    """The document as UTF-8 MSPDI XML, with an XML declaration, indented."""
    ET.register_namespace("", NS)
    root = ET.Element(_Q + "Project")
    out = _Builder(root)
    _project(out, document.project)
    out.each("Calendars", "Calendar", document.calendars, _calendar)  # type: ignore[arg-type]
    out.each("Tasks", "Task", document.tasks, _task)  # type: ignore[arg-type]
    out.each("Resources", "Resource", document.resources, _resource)  # type: ignore[arg-type]
    out.each("Assignments", "Assignment", document.assignments, _assignment)  # type: ignore[arg-type]
    ET.indent(root, space="\t")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _project(out: _Builder, project: MspdiProject) -> None:
    out.add("SaveVersion", project.save_version)
    out.add("Name", project.name)
    out.add("Title", project.title)
    out.add("ScheduleFromStart", project.schedule_from_start)
    out.add("StartDate", project.start_date)
    out.add("FinishDate", project.finish_date)
    out.add("CriticalSlackLimit", project.critical_slack_limit)
    out.add("CurrencyCode", project.currency_code)
    out.add("CalendarUID", project.calendar_uid)
    out.add("MinutesPerDay", project.minutes_per_day)
    out.add("MinutesPerWeek", project.minutes_per_week)
    out.add("DaysPerMonth", project.days_per_month)
    out.add("HonorConstraints", project.honor_constraints)
    out.add("MultipleCriticalPaths", project.multiple_critical_paths)
    out.add("StatusDate", project.status_date)
    out.add("CurrentDate", project.current_date)


def _working_times(out: _Builder, intervals: tuple[tuple[time, time], ...]) -> None:
    def write(el: _Builder, interval: object) -> None:
        start, end = interval  # type: ignore[misc]
        el.add("FromTime", start)
        el.add("ToTime", end)

    out.each("WorkingTimes", "WorkingTime", intervals, write)


def _period(out: _Builder, start: datetime | None, end: datetime | None) -> None:
    if start is not None or end is not None:
        period = out.child("TimePeriod")
        period.add("FromDate", start)
        period.add("ToDate", end)


def _weekday(out: _Builder, day: object) -> None:
    assert isinstance(day, MspdiWeekDay)
    out.add("DayType", day.day_type)
    out.add("DayWorking", day.working)
    _period(out, day.from_date, day.to_date)
    _working_times(out, day.intervals)


def _exception(out: _Builder, exc: object) -> None:
    assert isinstance(exc, MspdiException)
    out.add("EnteredByOccurrences", exc.entered_by_occurrences)
    _period(out, exc.from_date, exc.to_date)
    out.add("Occurrences", exc.occurrences)
    out.add("Name", exc.name)
    out.add("Type", exc.recurrence_type)
    out.add("Period", exc.period)
    out.add("DaysOfWeek", exc.days_of_week)
    out.add("MonthItem", exc.month_item)
    out.add("MonthPosition", exc.month_position)
    out.add("Month", exc.month)
    out.add("MonthDay", exc.month_day)
    out.add("DayWorking", exc.working)
    _working_times(out, exc.intervals)


def _calendar(out: _Builder, calendar: object) -> None:
    assert isinstance(calendar, MspdiCalendar)
    out.add("UID", calendar.uid)
    out.add("GUID", calendar.guid)
    out.add("Name", calendar.name)
    out.add("IsBaseCalendar", calendar.is_base)
    out.add("BaseCalendarUID", calendar.base_uid)
    out.each("WeekDays", "WeekDay", calendar.weekdays, _weekday)
    out.each("Exceptions", "Exception", calendar.exceptions, _exception)

    def week(el: _Builder, item: object) -> None:
        _period(el, item.from_date, item.to_date)  # type: ignore[attr-defined]
        el.add("Name", item.name)  # type: ignore[attr-defined]
        el.each("WeekDays", "WeekDay", item.weekdays, _weekday)  # type: ignore[attr-defined]

    out.each("WorkWeeks", "WorkWeek", calendar.work_weeks, week)


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value * 100


def _task(out: _Builder, task: object) -> None:
    assert isinstance(task, MspdiTask)
    computed = task.computed
    out.add("UID", task.uid)
    out.add("GUID", task.guid)
    out.add("ID", task.id)
    out.add("Name", task.name)
    out.add("Active", task.is_active)
    out.add("Manual", task.is_manual)
    out.add("Type", task.task_type)
    out.add("IsNull", task.is_null)
    out.add("CreateDate", task.created)
    out.add("WBS", task.wbs)
    out.add("OutlineNumber", task.outline_number)
    out.add("OutlineLevel", task.outline_level)
    out.add("Start", computed.start)
    out.add("Finish", computed.finish)
    out.add("Duration", task.duration)
    out.add("ManualStart", task.manual_start)
    out.add("ManualFinish", task.manual_finish)
    out.add("DurationFormat", DAYS_FORMAT if task.duration is not None else None)
    out.add("Recurring", task.is_recurring)
    out.add("Milestone", task.is_milestone)
    out.add("Summary", task.is_summary)
    out.add("Critical", computed.critical)
    out.add("EarlyStart", computed.early_start)
    out.add("EarlyFinish", computed.early_finish)
    out.add("LateStart", computed.late_start)
    out.add("LateFinish", computed.late_finish)
    out.add("FreeSlack", computed.free_slack)
    out.add("TotalSlack", computed.total_slack)
    out.add("PercentComplete", task.percent_complete)
    out.add("Cost", _money(task.cost))
    out.add("ActualStart", task.actual_start)
    out.add("ActualFinish", task.actual_finish)
    out.add("ActualDuration", task.actual_duration)
    out.add("RemainingDuration", task.remaining_duration)
    out.add("ConstraintType", task.constraint_type)
    out.add("CalendarUID", task.calendar_uid)
    out.add("ConstraintDate", task.constraint_date)
    out.add("Deadline", task.deadline)
    out.add("IgnoreResourceCalendar", task.ignore_resource_calendar)
    out.add("Notes", task.notes)

    def link(el: _Builder, item: object) -> None:
        el.add("PredecessorUID", item.predecessor_uid)  # type: ignore[attr-defined]
        el.add("Type", item.type)  # type: ignore[attr-defined]
        el.add("CrossProject", item.cross_project)  # type: ignore[attr-defined]
        el.add("LinkLag", item.lag_tenths)  # type: ignore[attr-defined]
        el.add("LagFormat", item.lag_format)  # type: ignore[attr-defined]

    def baseline(el: _Builder, item: object) -> None:
        el.add("Number", item.number)  # type: ignore[attr-defined]
        el.add("Work", item.work)  # type: ignore[attr-defined]
        el.add("Start", item.start)  # type: ignore[attr-defined]
        el.add("Finish", item.finish)  # type: ignore[attr-defined]
        el.add("Duration", item.duration)  # type: ignore[attr-defined]
        el.add("DurationFormat", DAYS_FORMAT if item.duration is not None else None)  # type: ignore[attr-defined]
        el.add("Cost", _money(item.cost))  # type: ignore[attr-defined]

    out.each(None, "PredecessorLink", task.predecessors, link)
    out.each(None, "Baseline", task.baselines, baseline)


def _resource(out: _Builder, resource: object) -> None:
    assert isinstance(resource, MspdiResource)
    out.add("UID", resource.uid)
    out.add("Name", resource.name)
    out.add("Type", resource.type)
    out.add("EmailAddress", resource.email)
    out.add("MaxUnits", resource.max_units)
    if resource.standard_rate is not None:
        out.add("StandardRate", resource.standard_rate)
        out.add("StandardRateFormat", 2)  # per hour
    out.add("CalendarUID", resource.calendar_uid)


def _assignment(out: _Builder, assignment: object) -> None:
    assert isinstance(assignment, MspdiAssignment)
    out.add("UID", assignment.uid)
    out.add("TaskUID", assignment.task_uid)
    out.add("ResourceUID", assignment.resource_uid)
    out.add("ActualCost", _money(assignment.actual_cost))
    out.add("ActualWork", assignment.actual_work)
    out.add("Cost", _money(assignment.cost))
    out.add("RemainingWork", assignment.remaining_work)
    out.add("Units", assignment.units)
    out.add("Work", assignment.work)
    out.add("WorkContour", assignment.work_contour)

    def data(el: _Builder, item: object) -> None:
        el.add("Type", item.type)  # type: ignore[attr-defined]
        el.add("UID", assignment.uid)
        el.add("Start", item.start)  # type: ignore[attr-defined]
        el.add("Finish", item.finish)  # type: ignore[attr-defined]
        el.add("Unit", item.unit)  # type: ignore[attr-defined]
        el.add("Value", item.value)  # type: ignore[attr-defined]

    out.each(None, "TimephasedData", assignment.timephased, data)
