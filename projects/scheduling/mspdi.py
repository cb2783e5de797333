"""Microsoft Project XML (MSPDI) reader, into plain dataclasses; the writer is re-exported here.

:func:`read_mspdi` parses a document in the namespace ``http://schemas.microsoft.com/project``
(Project 2003 to 2019 files) into an :class:`MspdiDocument`. Values keep MSPDI's own encodings so
that :func:`write_mspdi` can write them back unchanged, with these conversions:

* durations (``PT8H0M0S``) become :class:`~datetime.timedelta`; dates become naive datetimes;
* currency amounts become :class:`~decimal.Decimal` currency units (MSPDI stores them x 100);
* ``LinkLag``, ``TotalSlack`` and ``FreeSlack`` stay in tenths of a minute, as in the file, with
  the link's ``LagFormat`` code kept beside the lag (19/20/51/52 are percent lags, whose
  ``LinkLag`` is the percentage itself);
* codes stay codes: link ``Type`` 0=FF, 1=FS, 2=SF, 3=SS; ``ConstraintType`` 0=ASAP, 1=ALAP,
  2=MSO, 3=MFO, 4=SNET, 5=SNLT, 6=FNET, 7=FNLT; ``DayType`` 1=Sunday .. 7=Saturday.

What Microsoft Project *computed* (early/late dates, slack, critical, scheduled start/finish) is
kept apart in :class:`MspComputed`, so that tests can check the engine against it and nothing
feeds it back into scheduling by accident.

Malformed or truncated XML and missing or unparsable required values raise
:class:`ScheduleImportError` whose message names the place ("line 12: mismatched tag",
"Task UID 7: Duration 'abc' is not an ISO-8601 duration"). Documents with a DTD are refused
(MSPDI never has one; refusing it shuts out entity-expansion attacks).

A value Keel does not use never refuses a file: an unreadable one (Project's computed early/late
dates and slack, a creation date, the project's finish date ...) is ignored, a negative work amount
(an assignment's "PT0H0M-5S" remaining work) is set to 0, and either is noted in the current
:class:`~projects.scheduling.repairs.RepairLog` for the import preview.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from projects.scheduling.mspdi_model import (
    NS,
    Intervals,
    MspComputed,
    MspdiAssignment,
    MspdiBaseline,
    MspdiCalendar,
    MspdiCustomField,
    MspdiDocument,
    MspdiException,
    MspdiLink,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    MspdiTimephased,
    MspdiWeekDay,
    MspdiWorkWeek,
    ScheduleImportError,
)
from projects.scheduling.mspdi_writer import format_duration, render
from projects.scheduling.repairs import note

_Q = "{" + NS + "}"


# -- value parsing --------------------------------------------------------------------------

_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta:
    """Parse an MSPDI ISO-8601 duration such as ``PT8H0M0S`` (days allowed, years/months not)."""
    match = _DURATION.match(text.strip())
    if match is None or text.strip() in ("P", "PT", "-P", "-PT"):
        raise ValueError(text)
    sign, days, hours, minutes, seconds = match.groups()
    value = timedelta(
        days=float(days or 0), hours=float(hours or 0), minutes=float(minutes or 0), seconds=float(seconds or 0)
    )
    return -value if sign else value


# Some writers put the sign on a part ("PT0H0M-5S", MPXJ on a tiny negative remaining work).
_PART = r"(-?\d+(?:\.\d+)?)"
_SIGNED_PARTS = re.compile(rf"^P(?:{_PART}D)?(?:T(?:{_PART}H)?(?:{_PART}M)?(?:{_PART}S)?)?$")


def _signed_parts_duration(text: str) -> timedelta | None:
    """A duration whose parts carry their own sign ("PT0H0M-5S"), or None if it is not one."""
    match = _SIGNED_PARTS.match(text.strip())
    if match is None or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


class _Element:
    """Typed access to the child values of one element; errors name ``owner``."""

    __slots__ = ("element", "owner", "values")

    def __init__(self, element: ET.Element, owner: str) -> None:
        self.element = element
        self.owner = owner
        self.values: dict[str, str] = {}
        for child in element:
            local = child.tag.removeprefix(_Q)
            if local not in self.values and len(child) == 0:
                self.values[local] = (child.text or "").strip()

    def _fail(self, name: str, value: str, what: str) -> ScheduleImportError:
        return ScheduleImportError(f"{self.owner}: {name} {value!r} is not {what}")

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if value else None

    def raw_text(self, name: str) -> str | None:
        """Text kept verbatim (names, notes): only a missing element is ``None``."""
        for child in self.element:
            if child.tag.removeprefix(_Q) == name:
                return child.text or ""
        return None

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.text(name)
        if value is None:
            if required:
                raise ScheduleImportError(f"{self.owner}: {name} is missing")
            return None
        try:
            return int(value)
        except ValueError:
            try:  # Project writes some integers as "0.00"
                number = Decimal(value)
            except InvalidOperation:
                raise self._fail(name, value, "an integer") from None
            if number != number.to_integral_value():
                raise self._fail(name, value, "an integer") from None
            return int(number)

    def boolean(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        if value.lower() in ("1", "true"):
            return True
        if value.lower() in ("0", "false"):
            return False
        raise self._fail(name, value, "a boolean (0/1)")

    def decimal(self, name: str) -> Decimal | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            raise self._fail(name, value, "a number") from None

    def currency(self, name: str) -> Decimal | None:
        value = self.decimal(name)
        return None if value is None else value / 100

    def moment(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            pass
        # Microsoft Project 2007 has been seen writing a "negative zero" minute in timephased
        # data ("2008-12-04T17:-0:00", in the sample mspditimephased.xml); it means :00.
        repaired = value.replace(":-0:", ":00:")
        try:
            return datetime.fromisoformat(repaired).replace(tzinfo=None)
        except ValueError:
            raise self._fail(name, value, "an ISO-8601 date-time") from None

    def clock(self, name: str) -> time | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise self._fail(name, value, "a time of day") from None

    def duration(self, name: str) -> timedelta | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return parse_duration(value)
        except ValueError:
            raise self._fail(name, value, "an ISO-8601 duration") from None

    # -- values Keel does not use: never a reason to refuse a file (projects.scheduling.repairs)

    def unused(self, kind: str, name: str, subject: str):
        """``self.<kind>(name)``, or None (noted as ignored) when the value cannot be read."""
        try:
            return getattr(self, kind)(name)
        except ScheduleImportError:
            note(subject, f"{name} unreadable, ignored", f"{self.owner} ({self.values.get(name)!r})")
            return None

    def amount_of_work(self, name: str, subject: str, label: str) -> timedelta | None:
        """A work amount: a negative one (tiny negative remainders are common in P6 exports) is
        set to 0, an unreadable one ignored; both are noted."""
        value = self.text(name)
        if value is None:
            return None
        try:
            amount = parse_duration(value)
        except ValueError:
            amount = _signed_parts_duration(value)
        if amount is None:
            note(subject, f"{label} unreadable, ignored", f"{self.owner} ({value!r})")
            return None
        if amount < timedelta(0):
            note(subject, f"negative {label} set to 0", f"{self.owner} ({value!r})")
            return timedelta(0)
        return amount


def _children(element: ET.Element, path: str) -> list[ET.Element]:
    """Elements at ``path`` ("Tasks/Task") below ``element``, namespace added."""
    return element.findall("/".join(_Q + part for part in path.split("/")))


# -- reading --------------------------------------------------------------------------------


def read_mspdi(source: bytes | str) -> MspdiDocument:
    """Parse an MSPDI document given as bytes (any declared encoding) or text."""
    root = _parse_root(source)
    project = _read_project(_Element(root, "Project"))
    calendars = tuple(_read_calendar(el, n) for n, el in enumerate(_children(root, "Calendars/Calendar"), 1))
    tasks = tuple(_read_task_at(el, n, source) for n, el in enumerate(_children(root, "Tasks/Task"), 1))
    resources = tuple(_read_resource(el, n) for n, el in enumerate(_children(root, "Resources/Resource"), 1))
    assignments = tuple(_read_assignment(el, n) for n, el in enumerate(_children(root, "Assignments/Assignment"), 1))
    custom_fields = tuple(_read_custom_field(el) for el in _children(root, "ExtendedAttributes/ExtendedAttribute"))
    return MspdiDocument(project, calendars, tasks, resources, assignments, tuple(f for f in custom_fields if f))


def _read_custom_field(element: ET.Element) -> MspdiCustomField | None:
    f = _Element(element, "ExtendedAttribute")
    field_id = f.text("FieldID")
    if not field_id:
        return None
    return MspdiCustomField(field_id=field_id, field_name=f.text("FieldName"), alias=f.raw_text("Alias"))


def _extended_values(element: ET.Element) -> tuple[tuple[str, str], ...]:
    values = []
    for attr_el in _children(element, "ExtendedAttribute"):
        attr = _Element(attr_el, "ExtendedAttribute")
        field_id, value = attr.text("FieldID"), attr.raw_text("Value")
        if field_id and value is not None:
            values.append((field_id, value))
    return tuple(values)


def _parse_root(source: bytes | str) -> ET.Element:
    data = source.encode() if isinstance(source, str) else source
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data:
        raise ScheduleImportError("line 1: a DTD or entity declaration is not allowed in an MSPDI document")
    if not data.strip():
        raise ScheduleImportError("line 1: the document is empty")
    try:
        root = ET.fromstring(data)  # noqa: S314 -- no DTD, so no entity expansion (checked above)
    except ET.ParseError as error:
        line = error.position[0]
        message = str(error).split(": line")[0]
        if message.startswith(("no element found", "unclosed token")):
            message += " (the document is truncated)"
        raise ScheduleImportError(f"line {line}: {message}") from None
    if root.tag != _Q + "Project":
        raise ScheduleImportError(f"line 1: the root element is {root.tag!r}, expected 'Project' in namespace {NS}")
    return root


def _read_project(el: _Element) -> MspdiProject:
    start = el.moment("StartDate")
    if start is None:
        raise ScheduleImportError("Project: StartDate is missing")
    return MspdiProject(
        name=el.raw_text("Name"),
        title=el.raw_text("Title"),
        start_date=start,
        finish_date=el.unused("moment", "FinishDate", "project"),
        current_date=el.unused("moment", "CurrentDate", "project"),
        status_date=el.moment("StatusDate"),
        calendar_uid=el.integer("CalendarUID"),
        minutes_per_day=el.integer("MinutesPerDay"),
        minutes_per_week=el.unused("integer", "MinutesPerWeek", "project"),
        days_per_month=el.unused("integer", "DaysPerMonth", "project"),
        schedule_from_start=el.boolean("ScheduleFromStart"),
        critical_slack_limit=el.integer("CriticalSlackLimit"),
        multiple_critical_paths=el.boolean("MultipleCriticalPaths"),
        honor_constraints=el.boolean("HonorConstraints"),
        currency_code=el.text("CurrencyCode"),
        save_version=el.integer("SaveVersion") or 14,
    )


def _intervals(element: ET.Element, owner: str) -> Intervals:
    result = []
    for time_el in _children(element, "WorkingTimes/WorkingTime"):
        fields = _Element(time_el, owner)
        start, end = fields.clock("FromTime"), fields.clock("ToTime")
        if start is not None and end is not None:
            result.append((start, end))
    return tuple(result)


def _read_weekday(element: ET.Element, owner: str) -> MspdiWeekDay:
    fields = _Element(element, owner)
    day_type = fields.integer("DayType", required=True)
    if not 0 <= day_type <= 7:  # type: ignore[operator]
        raise ScheduleImportError(f"{owner}: DayType {day_type} is not 0-7")
    period = element.find(_Q + "TimePeriod")
    from_date = to_date = None
    if period is not None:
        span = _Element(period, owner)
        from_date, to_date = span.moment("FromDate"), span.moment("ToDate")
    return MspdiWeekDay(
        day_type=day_type,  # type: ignore[arg-type]
        working=bool(fields.boolean("DayWorking")),
        intervals=_intervals(element, owner),
        from_date=from_date,
        to_date=to_date,
    )


def _read_calendar(element: ET.Element, position: int) -> MspdiCalendar:
    uid = _Element(element, f"Calendar #{position}").integer("UID", required=True)
    owner = f"Calendar UID {uid}"
    fields = _Element(element, owner)
    exceptions = []
    for exc_el in _children(element, "Exceptions/Exception"):
        exc = _Element(exc_el, owner)
        period = exc_el.find(_Q + "TimePeriod")
        span = _Element(period, owner) if period is not None else None
        from_date = span.moment("FromDate") if span else None
        to_date = span.moment("ToDate") if span else None
        if from_date is None or to_date is None:
            raise ScheduleImportError(f"{owner}: an exception has no TimePeriod FromDate/ToDate")
        exceptions.append(
            MspdiException(
                from_date=from_date,
                to_date=to_date,
                working=bool(exc.boolean("DayWorking")),
                intervals=_intervals(exc_el, owner),
                name=exc.raw_text("Name"),
                recurrence_type=exc.integer("Type") or 1,
                occurrences=exc.integer("Occurrences"),
                entered_by_occurrences=exc.boolean("EnteredByOccurrences"),
                period=exc.integer("Period"),
                days_of_week=exc.integer("DaysOfWeek"),
                month_item=exc.integer("MonthItem"),
                month_position=exc.integer("MonthPosition"),
                month=exc.integer("Month"),
                month_day=exc.integer("MonthDay"),
            )
        )
    work_weeks = []
    for week_el in _children(element, "WorkWeeks/WorkWeek"):
        week = _Element(week_el, owner)
        period = week_el.find(_Q + "TimePeriod")
        span = _Element(period, owner) if period is not None else None
        from_date = span.moment("FromDate") if span else None
        to_date = span.moment("ToDate") if span else None
        if from_date is None or to_date is None:
            raise ScheduleImportError(f"{owner}: a work week has no TimePeriod FromDate/ToDate")
        days = tuple(_read_weekday(d, owner) for d in _children(week_el, "WeekDays/WeekDay"))
        work_weeks.append(MspdiWorkWeek(from_date, to_date, week.raw_text("Name"), days))
    return MspdiCalendar(
        uid=uid,  # type: ignore[arg-type]
        name=fields.raw_text("Name"),
        is_base=bool(fields.boolean("IsBaseCalendar")),
        base_uid=fields.integer("BaseCalendarUID"),
        weekdays=tuple(_read_weekday(d, owner) for d in _children(element, "WeekDays/WeekDay")),
        exceptions=tuple(exceptions),
        work_weeks=tuple(work_weeks),
        guid=fields.text("GUID"),
    )


_TASK_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Task[\s>/]")


def _read_task_at(element: ET.Element, position: int, source: bytes | str) -> MspdiTask:
    """The `position`-th task; an error names the line its <Task> element opens on."""
    try:
        return _read_task(element, position)
    except ScheduleImportError as error:
        data = source.encode() if isinstance(source, str) else source
        found = list(itertools.islice(_TASK_TAG.finditer(data), position))
        if len(found) < position:
            raise
        line = data.count(b"\n", 0, found[-1].start()) + 1
        if str(error) == f"Task #{position}: UID is missing":
            raise ScheduleImportError(f"element <Task> on line {line} has no <UID>") from None
        raise ScheduleImportError(f"element <Task> on line {line}, {error}") from None


def _read_task(element: ET.Element, position: int) -> MspdiTask:
    uid = _Element(element, f"Task #{position}").integer("UID", required=True)
    owner = f"Task UID {uid}"
    f = _Element(element, owner)
    links = []
    for link_el in _children(element, "PredecessorLink"):
        link = _Element(link_el, owner + " PredecessorLink")
        links.append(
            MspdiLink(
                predecessor_uid=link.integer("PredecessorUID", required=True),  # type: ignore[arg-type]
                type=_code(link, "Type", 1, range(4)),
                lag_tenths=link.integer("LinkLag") or 0,
                lag_format=link.integer("LagFormat") or 7,
                cross_project=bool(link.boolean("CrossProject")),
            )
        )
    baselines = []
    for base_el in _children(element, "Baseline"):
        base = _Element(base_el, owner + " Baseline")
        baselines.append(
            MspdiBaseline(
                number=_code(base, "Number", 0, range(11)),
                start=base.moment("Start"),
                finish=base.moment("Finish"),
                duration=base.duration("Duration"),
                cost=base.currency("Cost"),
                work=base.amount_of_work("Work", "task", "baseline work"),
            )
        )
    return MspdiTask(
        uid=uid,  # type: ignore[arg-type]
        guid=f.text("GUID"),
        id=f.integer("ID"),
        name=f.raw_text("Name"),
        outline_level=f.integer("OutlineLevel"),
        outline_number=f.text("OutlineNumber"),
        wbs=f.text("WBS"),
        is_summary=bool(f.boolean("Summary")),
        is_milestone=bool(f.boolean("Milestone")),
        is_null=bool(f.boolean("IsNull")),
        is_active=f.boolean("Active") is not False,
        is_manual=bool(f.boolean("Manual")),
        is_recurring=bool(f.boolean("Recurring")),
        created=f.unused("moment", "CreateDate", "task"),
        task_type=f.integer("Type"),
        duration=f.duration("Duration"),
        manual_start=f.moment("ManualStart"),
        manual_finish=f.moment("ManualFinish"),
        constraint_type=_code(f, "ConstraintType", None, range(8)),
        constraint_date=f.moment("ConstraintDate"),
        deadline=f.moment("Deadline"),
        percent_complete=f.integer("PercentComplete"),
        actual_start=f.moment("ActualStart"),
        actual_finish=f.moment("ActualFinish"),
        actual_duration=f.duration("ActualDuration"),
        remaining_duration=f.duration("RemainingDuration"),
        calendar_uid=f.integer("CalendarUID"),
        ignore_resource_calendar=bool(f.boolean("IgnoreResourceCalendar")),
        cost=f.currency("Cost"),
        notes=f.raw_text("Notes"),
        predecessors=tuple(links),
        baselines=tuple(baselines),
        extended_attributes=_extended_values(element),
        computed=MspComputed(
            start=f.moment("Start"),
            finish=f.moment("Finish"),
            early_start=f.unused("moment", "EarlyStart", "task"),
            early_finish=f.unused("moment", "EarlyFinish", "task"),
            late_start=f.unused("moment", "LateStart", "task"),
            late_finish=f.unused("moment", "LateFinish", "task"),
            total_slack=f.unused("integer", "TotalSlack", "task"),
            free_slack=f.unused("integer", "FreeSlack", "task"),
            critical=f.unused("boolean", "Critical", "task"),
        ),
    )


def _code(fields: _Element, name: str, default: int | None, allowed: range) -> int:
    value = fields.integer(name)
    if value is None:
        return default  # type: ignore[return-value]
    if value not in allowed:
        raise ScheduleImportError(f"{fields.owner}: {name} {value} is not one of {allowed.start}-{allowed.stop - 1}")
    return value


def _read_resource(element: ET.Element, position: int) -> MspdiResource:
    uid = _Element(element, f"Resource #{position}").integer("UID", required=True)
    f = _Element(element, f"Resource UID {uid}")
    return MspdiResource(
        uid=uid,  # type: ignore[arg-type]
        name=f.raw_text("Name"),
        type=f.integer("Type") if f.integer("Type") is not None else 1,  # type: ignore[arg-type]
        calendar_uid=f.integer("CalendarUID"),
        email=f.text("EmailAddress"),
        max_units=f.decimal("MaxUnits"),
        standard_rate=f.decimal("StandardRate"),
    )


def _read_assignment(element: ET.Element, position: int) -> MspdiAssignment:
    uid = _Element(element, f"Assignment #{position}").integer("UID", required=True)
    owner = f"Assignment UID {uid}"
    f = _Element(element, owner)
    timephased = []
    for data_el in _children(element, "TimephasedData"):
        data = _Element(data_el, owner + " TimephasedData")
        start, finish = data.moment("Start"), data.moment("Finish")
        if start is None or finish is None:
            continue  # some tools write empty ranges; they carry nothing
        timephased.append(
            MspdiTimephased(
                type=data.integer("Type", required=True),  # type: ignore[arg-type]
                start=start,
                finish=finish,
                unit=data.integer("Unit"),
                value=data.amount_of_work("Value", "timephased period", "work"),
            )
        )
    return MspdiAssignment(
        uid=uid,  # type: ignore[arg-type]
        task_uid=f.integer("TaskUID", required=True),  # type: ignore[arg-type]
        resource_uid=f.integer("ResourceUID", required=True),  # type: ignore[arg-type]
        units=f.decimal("Units"),
        work=f.amount_of_work("Work", "assignment", "work"),
        actual_work=f.amount_of_work("ActualWork", "assignment", "actual work"),
        remaining_work=f.amount_of_work("RemainingWork", "assignment", "remaining work"),
        work_contour=f.integer("WorkContour"),
        timephased=tuple(timephased),
        cost=f.currency("Cost"),
        actual_cost=f.currency("ActualCost"),
    )


def write_mspdi(document: MspdiDocument) -> bytes:
    """Serialise ``document`` as MSPDI XML (UTF-8) that Microsoft Project opens.

    :func:`read_mspdi` reads the result back into an equal document. See
    :mod:`projects.scheduling.mspdi_writer` for what is written.
    """
    return render(document)


__all__ = [
    "MspComputed",
    "MspdiAssignment",
    "MspdiBaseline",
    "MspdiCalendar",
    "MspdiDocument",
    "MspdiException",
    "MspdiLink",
    "MspdiProject",
    "MspdiResource",
    "MspdiTask",
    "MspdiTimephased",
    "MspdiWeekDay",
    "MspdiWorkWeek",
    "ScheduleImportError",
    "format_duration",
    "parse_duration",
    "read_mspdi",
    "write_mspdi",
]
