"""MSPDI reading and writing, and the engine checked against Microsoft Project's own numbers.

The six sample files were written by Microsoft Project (from MPXJ's test corpus; see the samples'
README). For every task in every file the engine is run on what a user entered -- durations,
links, constraints, actuals, calendars, project start, never Project's computed dates -- and
Project's EarlyStart, EarlyFinish, LateStart, LateFinish, Start, Finish, TotalSlack, FreeSlack
and Critical are compared.

Dates are compared in working time, as positions on the working-minute axis of the calendar the
task is scheduled in: Project writes a late date on a day boundary as the next working day at
08:00 where the engine says 17:00 the day before, and both are the same working minute. The
engine works in whole minutes while Project keeps tenths of a minute; where Project's value has
a sub-minute part (one task: 150 % units on 125 h of work) one minute of difference is allowed,
everywhere else none.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from projects.scheduling.calendar import WorkCalendar
from projects.scheduling.engine import schedule
from projects.scheduling.interop import engine_input_from_mspdi
from projects.scheduling.model import ConstraintType, LinkIn, LinkType, ScheduleResult, TaskIn
from projects.scheduling.mspdi import (
    MspdiBaseline,
    MspdiDocument,
    ScheduleImportError,
    parse_duration,
    read_mspdi,
    write_mspdi,
)
from projects.scheduling.mspdi_export import document_from_schedule

# Real files written by Microsoft Project (from MPXJ's test corpus, LGPL; see data/mspdi/README.md),
# kept in the repository so that the suite never skips them.
SAMPLE_DIR = Path(__file__).parent / "data" / "mspdi"
SAMPLES = (
    "task-links-project2019-mspdi.xml",
    "mspdirelations.xml",
    "sample.xml",
    "task-baselines-project2019-mspdi.xml",
    "mspditimephased.xml",
    "calendar-calendars-project2019-mspdi.xml",
)

# mspditimephased.xml: tasks 1-24 were created in Nov/Dec 2008, tasks 25-42 in April 2009, and the
# 2009 tasks moved the project finish from 2008-12-12 05:00 to 2009-01-02 11:00. Project did not
# recompute the late dates of most 2008 tasks afterwards (only tasks 10 and 11, edited later, were
# recomputed): their late finish is still the old project finish, so their late start, total and
# free slack are stale too. No single schedule of the file gives these values together with the
# late dates of tasks 10, 11 and 25-42; the engine gives the consistent ones. The test
# ``test_timephased_stale_late_dates_are_the_2008_schedule`` proves the diagnosis: scheduling the
# 2008 tasks alone reproduces exactly these values.
LATE_FIELDS = ("late_start", "late_finish", "total_slack", "free_slack")
IN_PROGRESS_LATE_FIELDS = ("late_finish", "total_slack", "free_slack")  # late start = actual start
STALE = {
    **dict.fromkeys((1, 2, 3, 5, 9, 13, 17, 18, 19, 21), LATE_FIELDS),
    **dict.fromkeys((4, 6, 12, 14, 20, 22), IN_PROGRESS_LATE_FIELDS),
}
FIELDS = ("early_start", "early_finish", "late_start", "late_finish", "start", "finish")


@functools.cache
def _load(name: str) -> tuple[MspdiDocument, object, ScheduleResult]:
    assert SAMPLE_DIR is not None
    document = read_mspdi((SAMPLE_DIR / name).read_bytes())
    engine_input = engine_input_from_mspdi(document)
    result = schedule(engine_input.tasks, engine_input.links, **engine_input.schedule_kwargs())
    return document, engine_input, result


def _cases() -> list:
    cases = []
    for name in SAMPLES:
        document = read_mspdi((SAMPLE_DIR / name).read_bytes())
        for task in document.tasks:
            if not task.is_null:
                cases.append(pytest.param(name, task.uid, id=f"{name}-UID{task.uid}-{task.name or 'project'}"))
    return cases


def _mismatches(name: str, uid: int, fields: tuple[str, ...]) -> list[str]:
    """Differences between the engine and Microsoft Project for one task, over ``fields``."""
    document, engine_input, result = _load(name)
    task = next(t for t in document.tasks if t.uid == uid)
    ours, theirs = result.tasks[uid], task.computed
    calendar = engine_input.calendars[engine_input.calendar_of_task[uid]]  # type: ignore[attr-defined]
    problems = []
    for field in fields:
        if field in ("total_slack", "free_slack"):
            expected = getattr(theirs, field)  # tenths of a minute
            mine = ours.total_float_minutes if field == "total_slack" else ours.free_float_minutes
            allowed = 0 if expected % 10 == 0 else 10
            if abs(mine * 10 - expected) > allowed:
                problems.append(f"{field}: engine {mine} min, Project {expected / 10} min")
            continue
        expected = getattr(theirs, field)
        mine = getattr(ours, field)
        allowed = 0 if expected.second == 0 else 1
        shift = calendar.working_minutes_at(mine) - calendar.working_minutes_at(expected)
        if abs(shift) > allowed:
            problems.append(f"{field}: engine {mine:%Y-%m-%d %H:%M}, Project {expected} ({shift:+} working min)")
    return problems


@pytest.mark.parametrize(("sample", "uid"), _cases())
def test_engine_matches_microsoft_project(sample: str, uid: int) -> None:
    stale = STALE.get(uid, ()) if sample == "mspditimephased.xml" else ()
    fields = tuple(f for f in (*FIELDS, "total_slack", "free_slack") if f not in stale)
    problems = _mismatches(sample, uid, fields)
    document, _engine_input, result = _load(sample)
    expected_critical = next(t for t in document.tasks if t.uid == uid).computed.critical
    if result.tasks[uid].is_critical != expected_critical:
        problems.append(f"critical: engine {result.tasks[uid].is_critical}, Project {expected_critical}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("uid", "field"),
    [pytest.param(uid, field, id=f"UID{uid}-{field}") for uid, fields in STALE.items() for field in fields],
)
@pytest.mark.xfail(strict=True, reason="Project left these late dates stale (see STALE above)")
def test_timephased_stale_late_dates(uid: int, field: str) -> None:
    assert not _mismatches("mspditimephased.xml", uid, (field,))


def test_timephased_stale_late_dates_are_the_2008_schedule() -> None:
    document, engine_input, _result = _load("mspditimephased.xml")
    created = {t.uid: t.created for t in document.tasks}
    before_2009 = [t for t in engine_input.tasks if created[t.id] < datetime(2009, 1, 1)]  # type: ignore[attr-defined]
    assert len(before_2009) == 25  # the project summary and tasks 1-24
    result = schedule(before_2009, (), **engine_input.schedule_kwargs())  # type: ignore[attr-defined]
    assert result.project_finish == datetime(2008, 12, 12, 5, 0)
    for uid, fields in STALE.items():
        task = next(t for t in document.tasks if t.uid == uid)
        calendar = engine_input.calendars[engine_input.calendar_of_task[uid]]  # type: ignore[attr-defined]
        ours, theirs = result.tasks[uid], task.computed
        assert calendar.working_minutes_at(ours.late_finish) == calendar.working_minutes_at(theirs.late_finish)
        assert ours.total_float_minutes * 10 == theirs.total_slack, uid
        assert ours.free_float_minutes * 10 == theirs.free_slack, uid
        if "late_start" in fields:
            assert calendar.working_minutes_at(ours.late_start) == calendar.working_minutes_at(theirs.late_start)


# -- reading --------------------------------------------------------------------------------

HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="http://schemas.microsoft.com/project">\n'


def _doc(body: str, start: str = "<StartDate>2024-01-08T08:00:00</StartDate>") -> str:
    return f"{HEADER}{start}<CalendarUID>1</CalendarUID>\n{body}\n</Project>\n"


def test_mismatched_tag_names_the_line() -> None:
    text = _doc("<Tasks>\n<Task><UID>1</UID></Tsk>\n</Tasks>")
    with pytest.raises(ScheduleImportError, match=r"^line 5: mismatched tag"):
        read_mspdi(text)


def test_truncated_document_is_reported_as_truncated() -> None:
    text = _doc("<Tasks><Task><UID>1</UID></Task></Tasks>")[:-20]
    with pytest.raises(ScheduleImportError, match=r"^line \d+: .*truncated"):
        read_mspdi(text.encode())


def test_bad_duration_names_task_and_value() -> None:
    text = _doc("<Tasks><Task><UID>7</UID><Duration>abc</Duration></Task></Tasks>")
    expected = r"^element <Task> on line \d+, Task UID 7: Duration 'abc' is not an ISO-8601 duration$"
    with pytest.raises(ScheduleImportError, match=expected):
        read_mspdi(text)


def test_bad_date_names_task_and_field() -> None:
    text = _doc("<Tasks><Task><UID>3</UID><ActualStart>2024-13-01T08:00:00</ActualStart></Task></Tasks>")
    with pytest.raises(ScheduleImportError, match="Task UID 3: ActualStart '2024-13-01T08:00:00'"):
        read_mspdi(text)


def test_task_without_uid_is_refused_naming_the_line_of_its_element() -> None:
    text = _doc("<Tasks>\n<Task><UID>1</UID></Task>\n\n<Task><Name>x</Name></Task></Tasks>")
    line = text[: text.index("<Task><Name>")].count("\n") + 1
    with pytest.raises(ScheduleImportError, match=rf"^element <Task> on line {line} has no <UID>$"):
        read_mspdi(text)


def test_link_without_predecessor_is_refused() -> None:
    text = _doc("<Tasks><Task><UID>2</UID><PredecessorLink><Type>1</Type></PredecessorLink></Task></Tasks>")
    with pytest.raises(ScheduleImportError, match="Task UID 2 PredecessorLink: PredecessorUID is missing"):
        read_mspdi(text)


def test_unknown_link_type_is_refused() -> None:
    text = _doc(
        "<Tasks><Task><UID>2</UID><PredecessorLink><PredecessorUID>1</PredecessorUID>"
        "<Type>9</Type></PredecessorLink></Task></Tasks>"
    )
    with pytest.raises(ScheduleImportError, match="Type 9 is not one of 0-3"):
        read_mspdi(text)


def test_missing_project_start_is_refused() -> None:
    with pytest.raises(ScheduleImportError, match="Project: StartDate is missing"):
        read_mspdi(_doc("", start=""))


def test_other_root_element_is_refused() -> None:
    with pytest.raises(ScheduleImportError, match="root element"):
        read_mspdi(b"<?xml version='1.0'?><Plan/>")


def test_dtd_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><Project xmlns="http://schemas.microsoft.com/project"/>'
    )
    with pytest.raises(ScheduleImportError, match="DTD"):
        read_mspdi(bomb)


def test_empty_document_is_refused() -> None:
    with pytest.raises(ScheduleImportError, match="empty"):
        read_mspdi(b"   ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT8H0M0S", timedelta(hours=8)),
        ("PT138H53M18S", timedelta(hours=138, minutes=53, seconds=18)),
        ("PT6H59M60S", timedelta(hours=7)),
        ("-PT4H0M0S", timedelta(hours=-4)),
        ("P2DT1H", timedelta(days=2, hours=1)),
    ],
)
def test_iso_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["8h", "PT", "P1Y", "PTxH"])
def test_invalid_iso_durations(text: str) -> None:
    with pytest.raises(ValueError, match=text):
        parse_duration(text)


def test_sample_fields_are_read() -> None:
    document, _engine_input, _result = _load("task-links-project2019-mspdi.xml")
    assert document.project.start_date == datetime(2018, 10, 18, 8)
    assert document.project.minutes_per_day == 480
    task = next(t for t in document.tasks if t.uid == 8)
    assert task.duration == timedelta(hours=8)
    (link,) = task.predecessors
    assert (link.predecessor_uid, link.type, link.lag_tenths, link.lag_format) == (7, 1, 24000, 9)
    baselines, _ei, _r = _load("task-baselines-project2019-mspdi.xml")
    cost_task = next(t for t in baselines.tasks if t.name == "Baseline Cost - Task")
    assert cost_task.baselines[0].number == 0
    assert cost_task.baselines[0].cost == Decimal("1")
    numbers = {b.number for t in baselines.tasks for b in t.baselines}
    assert numbers == set(range(11))


CALENDARS = """
<Calendars>
 <Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID>
  <WeekDays>
   <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
   {weekdays}
   <WeekDay><DayType>7</DayType><DayWorking>0</DayWorking></WeekDay>
   <WeekDay><DayType>0</DayType><DayWorking>0</DayWorking>
    <TimePeriod><FromDate>2024-01-10T00:00:00</FromDate><ToDate>2024-01-11T23:59:00</ToDate></TimePeriod>
   </WeekDay>
  </WeekDays>
 </Calendar>
 <Calendar><UID>2</UID><Name>Shifted</Name><IsBaseCalendar>0</IsBaseCalendar><BaseCalendarUID>1</BaseCalendarUID>
  <WeekDays>
   <WeekDay><DayType>7</DayType><DayWorking>1</DayWorking>
    <WorkingTimes><WorkingTime><FromTime>09:00:00</FromTime><ToTime>13:00:00</ToTime></WorkingTime></WorkingTimes>
   </WeekDay>
  </WeekDays>
  <Exceptions>
   <Exception><EnteredByOccurrences>0</EnteredByOccurrences>
    <TimePeriod><FromDate>2024-01-15T00:00:00</FromDate><ToDate>2024-01-15T23:59:00</ToDate></TimePeriod>
    <Occurrences>1</Occurrences><Name>Half day</Name><Type>1</Type><DayWorking>1</DayWorking>
    <WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>10:00:00</ToTime></WorkingTime></WorkingTimes>
   </Exception>
   <Exception><EnteredByOccurrences>1</EnteredByOccurrences>
    <TimePeriod><FromDate>2024-01-01T00:00:00</FromDate><ToDate>2024-12-31T23:59:00</ToDate></TimePeriod>
    <Occurrences>3</Occurrences><Name>Fridays off</Name><Type>6</Type><Period>1</Period><DaysOfWeek>32</DaysOfWeek>
    <DayWorking>0</DayWorking>
   </Exception>
  </Exceptions>
 </Calendar>
</Calendars>
"""
WORKDAY = (
    "<WeekDay><DayType>{n}</DayType><DayWorking>1</DayWorking><WorkingTimes>"
    "<WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>"
    "<WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>"
    "</WorkingTimes></WeekDay>"
)


def test_calendars_old_and_new_exceptions_and_derived_calendars() -> None:
    weekdays = "".join(WORKDAY.format(n=n) for n in range(2, 7))
    document = read_mspdi(_doc(CALENDARS.format(weekdays=weekdays)))
    calendars = engine_input_from_mspdi(document).calendars
    standard, shifted = calendars["1"], calendars["2"]
    # Project 2003-style exception (WeekDay DayType 0): 10 and 11 January are holidays.
    assert standard.working_minutes_on(datetime(2024, 1, 10).date()) == 0
    assert standard.working_minutes_on(datetime(2024, 1, 11).date()) == 0
    assert standard.working_minutes_on(datetime(2024, 1, 12).date()) == 480
    # The derived calendar inherits the base holidays and weekdays, and works Saturday mornings.
    assert shifted.working_minutes_on(datetime(2024, 1, 10).date()) == 0
    assert shifted.day_pattern(datetime(2024, 1, 13).date()) == ((540, 780),)
    assert shifted.working_minutes_on(datetime(2024, 1, 14).date()) == 0
    # Its own exceptions: a half day, and a weekly recurrence on Fridays for three occurrences.
    assert shifted.day_pattern(datetime(2024, 1, 15).date()) == ((480, 600),)
    fridays = [datetime(2024, 1, d).date() for d in (5, 12, 19, 26)]
    assert [shifted.working_minutes_on(d) for d in fridays] == [0, 0, 0, 480]


def test_percent_and_elapsed_lags_are_read_and_applied() -> None:
    weekdays = "".join(WORKDAY.format(n=n) for n in range(2, 7))
    tasks = """<Tasks>
      <Task><UID>1</UID><Name>A</Name><OutlineLevel>1</OutlineLevel><Duration>PT32H0M0S</Duration></Task>
      <Task><UID>2</UID><Name>B</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
        <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>3</Type><LinkLag>50</LinkLag><LagFormat>19</LagFormat></PredecessorLink>
      </Task>
      <Task><UID>3</UID><Name>C</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>
        <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>28800</LinkLag><LagFormat>8</LagFormat></PredecessorLink>
      </Task>
    </Tasks>"""
    document = read_mspdi(
        _doc(CALENDARS.format(weekdays=weekdays) + tasks, "<StartDate>2024-01-01T08:00:00</StartDate>")
    )
    engine_input = engine_input_from_mspdi(document)
    b, c = (link for link in engine_input.links)
    assert (b.type, b.lag_percent, b.lag_elapsed) == (LinkType.SS, 50.0, False)
    assert (c.type, c.lag_minutes, c.lag_elapsed) == (LinkType.FS, 2880, True)
    result = schedule(engine_input.tasks, engine_input.links, **engine_input.schedule_kwargs())
    # A: Mon 1 Jan - Thu 4 Jan. B starts after 50 % of A's 4 days: Wed 3 Jan 08:00.
    assert result.tasks[2].early_start == datetime(2024, 1, 3, 8)
    # C: two calendar days after Thu 17:00 is Sat 17:00, so Monday 8 Jan 08:00.
    assert result.tasks[3].early_start == datetime(2024, 1, 8, 8)


# -- writing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES)
def test_round_trip_is_lossless(sample: str) -> None:
    document, _engine_input, _result = _load(sample)
    written = write_mspdi(document)
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert read_mspdi(written) == document


def test_written_task_elements_follow_the_schema_order() -> None:
    document = _export()
    text = write_mspdi(document).decode()
    task = text[text.index("<Task>", text.index("<Tasks>")) : text.index("</Task>")]
    order = ["<UID>", "<ID>", "<Name>", "<Active>", "<Manual>", "<OutlineNumber>", "<OutlineLevel>", "<Start>",
             "<Finish>", "<Duration>", "<Milestone>", "<Summary>", "<Critical>", "<EarlyStart>", "<LateFinish>",
             "<FreeSlack>", "<TotalSlack>", "<PercentComplete>", "<ConstraintType>", "<CalendarUID>"]  # fmt: skip
    positions = [task.index(tag) for tag in order]
    assert positions == sorted(positions)
    assert 'xmlns="http://schemas.microsoft.com/project"' in text


def _export() -> MspdiDocument:
    """A small Keel schedule exported through :func:`document_from_schedule`."""
    six_days = WorkCalendar(
        "Six days", week={wd: ((time(7), time(15)),) for wd in range(6)}, exceptions={datetime(2024, 1, 20).date(): ()}
    )
    calendars = {"std": WorkCalendar.standard(holidays=[datetime(2024, 1, 12).date()]), "sat": six_days}
    tasks = [
        TaskIn("P", "Phase"),
        TaskIn(
            "A",
            "Dig",
            parent_id="P",
            duration_minutes=3 * 480,
            percent_complete=40,
            actual_start=datetime(2024, 1, 8, 8),
        ),
        TaskIn("B", "Pour", parent_id="P", duration_minutes=2 * 480, calendar_id="sat"),
        TaskIn(
            "C",
            "Cure",
            duration_minutes=480,
            constraint_type=ConstraintType.SNET,
            constraint_date=datetime(2024, 1, 22, 8),
        ),
        TaskIn("M", "Done", is_milestone=True),
    ]
    links = [
        LinkIn("A", "B", LinkType.FS, lag_minutes=-240),
        LinkIn("B", "C", LinkType.SS, lag_percent=50),
        LinkIn("P", "M", LinkType.FF, lag_minutes=60, lag_elapsed=True),
    ]
    result = schedule(
        tasks, links, calendars=calendars, default_calendar_id="std", project_start=datetime(2024, 1, 8, 8)
    )
    return document_from_schedule(
        name="Export",
        tasks=tasks,
        links=links,
        calendars=calendars,
        default_calendar_id="std",
        result=result,
        baselines={
            "A": [
                MspdiBaseline(
                    0, datetime(2024, 1, 8, 8), datetime(2024, 1, 10, 17), timedelta(hours=24), Decimal("1200.50")
                )
            ]
        },
        notes={"B": "Pour slab"},
    )


def test_export_reimports_to_the_same_schedule() -> None:
    document = _export()
    again = read_mspdi(write_mspdi(document))
    assert again == document
    engine_input = engine_input_from_mspdi(again)
    result = schedule(engine_input.tasks, engine_input.links, **engine_input.schedule_kwargs())
    by_name = {t.name: t for t in again.tasks}
    for task in again.tasks:
        computed, ours = task.computed, result.tasks[task.uid]
        assert (ours.early_start, ours.early_finish) == (computed.early_start, computed.early_finish), task.name
        assert (ours.late_start, ours.late_finish) == (computed.late_start, computed.late_finish), task.name
        assert ours.total_float_minutes * 10 == computed.total_slack, task.name
        assert ours.is_critical == computed.critical, task.name
    assert by_name["Dig"].percent_complete == 40
    assert by_name["Dig"].baselines[0].cost == Decimal("1200.50")
    assert by_name["Pour"].notes == "Pour slab"
    assert [b.outline_number for b in again.tasks] == ["0", "1", "1.1", "1.2", "2", "3"]
    saturday = next(c for c in again.calendars if c.name == "Six days")
    assert saturday.exceptions[0].from_date == datetime(2024, 1, 20)


def test_changed_value_is_visible_after_round_trip() -> None:
    document = _export()
    task = document.tasks[2]
    changed = replace(
        document, tasks=(*document.tasks[:2], replace(task, duration=timedelta(hours=3)), *document.tasks[3:])
    )
    assert read_mspdi(write_mspdi(changed)) != document
