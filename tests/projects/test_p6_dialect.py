"""The Primavera P6 dialect of the scheduling engine, on small networks worked out by hand.

Dates are in January 2024 (Monday the 8th is the project start unless a test says otherwise) on
the standard calendar: Monday-Friday 08:00-12:00 and 13:00-17:00, 480 minutes a day. Every test
states the P6 rule it checks (see projects/scheduling/dialects.py for the rules).
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from projects.scheduling import (
    ActivityType,
    ConstraintType,
    CriticalMode,
    FloatMode,
    LagCalendar,
    LinkIn,
    LinkType,
    P6Options,
    ProgressMode,
    ScheduleInputError,
    ScheduleOptions,
    ScheduleResult,
    TaskIn,
    WorkCalendar,
    schedule,
)

DAY = 480
MON = datetime(2024, 1, 8, 8)
STD = WorkCalendar.standard()
SEVEN = WorkCalendar("Seven days", week={wd: ((time(8), time(12)), (time(13), time(17))) for wd in range(7)})
ALWAYS = WorkCalendar("24 hours", week=dict.fromkeys(range(7), ((0, 1440),)))
MORNINGS = WorkCalendar("Mornings", week=dict.fromkeys(range(5), ((time(8), time(12)),)))
# Mornings, with Thursday 11 January off.
MORNINGS_THU_OFF = WorkCalendar(
    "Mornings, Thursday off", week=dict.fromkeys(range(5), ((time(8), time(12)),)), exceptions={date(2024, 1, 11): ()}
)
# Four ten-hour days: Monday-Thursday 07:00-12:00 and 12:30-17:30.
TENS = WorkCalendar("Four tens", week=dict.fromkeys(range(4), ((time(7), time(12)), (time(12, 30), time(17, 30)))))
CALENDARS = {
    "std": STD,
    "seven": SEVEN,
    "always": ALWAYS,
    "mornings": MORNINGS,
    "thu_off": MORNINGS_THU_OFF,
    "tens": TENS,
}


def at(day: int, hour: int = 8, minute: int = 0, month: int = 1) -> datetime:
    """A moment in January 2024 (or ``month``)."""
    return datetime(2024, month, day, hour, minute)


def p6(
    tasks: list[TaskIn],
    links: list[LinkIn] | tuple = (),
    *,
    critical_slack_minutes: int = 0,
    default_calendar_id: str = "std",
    project_start: datetime = MON,
    **options: object,
) -> ScheduleResult:
    """Schedule with the P6 dialect and these ``P6Options``."""
    return schedule(
        tasks,
        links,
        calendars=CALENDARS,
        default_calendar_id=default_calendar_id,
        project_start=project_start,
        options=ScheduleOptions(critical_slack_minutes=critical_slack_minutes, p6=P6Options(**options)),  # type: ignore[arg-type]
    )


def msp(tasks: list[TaskIn], links: list[LinkIn] | tuple = (), **kwargs: object) -> ScheduleResult:
    """The same input in the Microsoft Project dialect."""
    return schedule(tasks, links, calendars=CALENDARS, default_calendar_id="std", project_start=MON, **kwargs)  # type: ignore[arg-type]


def fs(a: str, b: str, lag: int = 0, kind: LinkType = LinkType.FS) -> LinkIn:
    return LinkIn(a, b, kind, lag)


def dates(result: ScheduleResult, task_id: str) -> tuple[datetime, datetime]:
    out = result.tasks[task_id]
    return out.start, out.finish


# -- data date -----------------------------------------------------------------------------------


def test_data_date_is_an_instant_work_starts_at_the_first_working_minute_of_that_day() -> None:
    """2024-01-10 00:00 is the start of Wednesday: work starts Wednesday 08:00, not Thursday."""
    result = p6([TaskIn("A", duration_minutes=DAY)], data_date=at(10, 0))
    assert dates(result, "A") == (at(10, 8), at(10, 17))
    assert result.project_start == at(10, 0)  # the project start moves up to the data date
    mid_morning = p6([TaskIn("A", duration_minutes=DAY)], data_date=at(10, 10))
    assert dates(mid_morning, "A") == (at(10, 10), at(11, 10))


def test_microsoft_project_dialect_ignores_the_data_date() -> None:
    """The same input without P6 options: the status date (a day, end of day) is separate."""
    assert dates(msp([TaskIn("A", duration_minutes=DAY)]), "A") == (at(8), at(8, 17))


def test_not_started_work_never_before_the_data_date_gives_negative_float_against_must_finish_by() -> None:
    """A 20-day activity due on 2 February, not started when the data date is 60 working days
    after the project start: it finishes 60 working days late, its float is -60 days."""
    result = p6(
        [TaskIn("A", duration_minutes=20 * DAY)],
        data_date=datetime(2024, 4, 1),  # Monday, 12 weeks after Monday 8 January
        must_finish_by=at(2, 17, month=2),
    )
    out = result.tasks["A"]
    assert (out.start, out.finish) == (at(1, 8, month=4), at(26, 17, month=4))
    assert (out.late_start, out.late_finish) == (MON, at(2, 17, month=2))
    assert out.total_float_minutes == -60 * DAY
    assert out.is_critical


def test_must_finish_by_later_than_the_early_finish_gives_positive_float() -> None:
    tasks = [TaskIn("A", duration_minutes=5 * DAY), TaskIn("B", duration_minutes=2 * DAY)]
    result = p6(tasks, [fs("A", "B")], must_finish_by=at(19, 17))
    assert dates(result, "B") == (at(15), at(16, 17))
    assert result.tasks["B"].late_finish == at(19, 17)
    assert [result.tasks[t].total_float_minutes for t in "AB"] == [3 * DAY, 3 * DAY]
    assert not result.tasks["A"].is_critical


def test_chain_pushed_past_the_data_date_shows_the_delay_as_negative_float() -> None:
    tasks = [TaskIn("A", duration_minutes=5 * DAY), TaskIn("B", duration_minutes=5 * DAY)]
    result = p6(tasks, [fs("A", "B")], data_date=at(22, 0), must_finish_by=at(19, 17))
    assert dates(result, "A") == (at(22), at(26, 17))
    assert dates(result, "B") == (at(29), at(2, 17, month=2))
    assert result.tasks["A"].late_finish == at(12, 17)
    assert [result.tasks[t].total_float_minutes for t in "AB"] == [-10 * DAY, -10 * DAY]


# -- progressed activities -----------------------------------------------------------------------

# A (5 days) -> B (5 days, started out of sequence on Monday 8th, 3 days left) -> C (2 days);
# data date Wednesday 10th 00:00; A has not started.
PROGRESS = [
    TaskIn("A", duration_minutes=5 * DAY),
    TaskIn("B", duration_minutes=5 * DAY, actual_start=at(8), percent_complete=40, remaining_minutes=3 * DAY),
    TaskIn("C", duration_minutes=2 * DAY),
]
PROGRESS_LINKS = [fs("A", "B"), fs("B", "C")]


def test_retained_logic_remaining_work_waits_for_the_predecessor() -> None:
    result = p6(PROGRESS, PROGRESS_LINKS, data_date=at(10, 0), progress_mode=ProgressMode.RETAINED_LOGIC)
    assert dates(result, "A") == (at(10), at(16, 17))
    b = result.tasks["B"]
    assert (b.start, b.finish) == (at(8), at(19, 17))  # started Monday 8th, resumes after A
    assert b.early_start == at(17)  # P6's remaining early start
    assert dates(result, "C") == (at(22), at(23, 17))
    assert all(result.tasks[t].total_float_minutes == 0 for t in "ABC")
    assert result.critical_path == ("A", "B", "C")


def test_progress_override_remaining_work_resumes_at_the_data_date() -> None:
    result = p6(PROGRESS, PROGRESS_LINKS, data_date=at(10, 0), progress_mode=ProgressMode.PROGRESS_OVERRIDE)
    b = result.tasks["B"]
    assert (b.start, b.early_start, b.finish) == (at(8), at(10), at(12, 17))
    assert dates(result, "C") == (at(15), at(16, 17))
    assert dates(result, "A") == (at(10), at(16, 17))
    # A no longer drives B: it ends at the project finish with no float, B and C have none either
    assert [result.tasks[t].total_float_minutes for t in "ABC"] == [0, 0, 0]


def test_actual_dates_honour_an_actual_start_after_the_data_date() -> None:
    """B's actual start (Thursday 11th) lies after the data date: under actual dates its 2 days
    already worked run from there, so the remaining 3 days resume on Monday 15th."""
    late_b = TaskIn("B", duration_minutes=5 * DAY, actual_start=at(11), remaining_minutes=3 * DAY)
    tasks = [PROGRESS[0], late_b, PROGRESS[2]]
    actual = p6(tasks, PROGRESS_LINKS, data_date=at(10, 0), progress_mode=ProgressMode.ACTUAL_DATES)
    assert (actual.tasks["B"].start, actual.tasks["B"].early_start, actual.tasks["B"].finish) == (
        at(11),
        at(15),
        at(17, 17),
    )
    assert dates(actual, "C") == (at(18), at(19, 17))
    override = p6(tasks, PROGRESS_LINKS, data_date=at(10, 0), progress_mode=ProgressMode.PROGRESS_OVERRIDE)
    assert override.tasks["B"].finish == at(12, 17)


def test_completed_activity_keeps_its_actual_dates_and_drives_its_successor() -> None:
    tasks = [
        TaskIn("A", duration_minutes=2 * DAY, actual_start=at(8), actual_finish=at(11, 12), percent_complete=100),
        TaskIn("B", duration_minutes=DAY),
    ]
    result = p6(tasks, [fs("A", "B")], data_date=at(10, 0))
    assert dates(result, "A") == (at(8), at(11, 12))
    assert dates(result, "B") == (at(11, 13), at(12, 12))
    assert result.tasks["A"].total_float_minutes == 0
    assert not result.tasks["A"].is_critical


def test_start_to_start_lag_from_a_progressed_activity_counts_the_work_already_done() -> None:
    """A started Monday and has done 2 of its 5 days by the data date (Wednesday 00:00); B
    follows it SS + 3 days: one day of lag is left, from where A resumes, so B starts Thursday."""
    tasks = [
        TaskIn("A", duration_minutes=5 * DAY, actual_start=at(8), remaining_minutes=3 * DAY),
        TaskIn("B", duration_minutes=DAY),
    ]
    result = p6(tasks, [fs("A", "B", 3 * DAY, LinkType.SS)], data_date=at(10, 0))
    assert result.tasks["A"].early_start == at(10)
    assert dates(result, "B") == (at(11), at(11, 17))
    assert result.tasks["A"].free_float_minutes == 0


def test_start_to_start_lag_counts_the_actual_duration_to_the_data_date() -> None:
    """P6's actual duration of an activity in progress is the working time from its actual start
    to the data date: A (4 h) started Friday 13:00 and reports 3 h left on Monday 00:00, but its
    actual duration is 4 h, not 1 h. Of B's SS lag of 6 h, 2 h are left from where A resumes
    (Monday 08:00): B starts at 10:00 (counting the duration less the remaining, 1 h, it would
    start at 14:00)."""
    tasks = [
        TaskIn("A", duration_minutes=4 * 60, actual_start=at(12, 13), remaining_minutes=3 * 60),
        TaskIn("B", duration_minutes=DAY),
    ]
    result = p6(tasks, [fs("A", "B", 6 * 60, LinkType.SS)], data_date=at(15, 0))
    assert result.tasks["A"].early_start == at(15)
    assert dates(result, "B") == (at(15, 10), at(16, 10))


# -- lag calendars -------------------------------------------------------------------------------

# A (1 day, seven-day calendar) finishes Friday 12th 17:00; A -> B FS with a lag of 2,880 minutes;
# B works the standard calendar. The project calendar is "mornings" (240 minutes a day).
LAG_TASKS = [
    TaskIn("A", duration_minutes=DAY, calendar_id="seven", constraint_type=ConstraintType.SNET, constraint_date=at(12)),
    TaskIn("B", duration_minutes=DAY, calendar_id="std"),
]


@pytest.mark.parametrize(
    ("lag_calendar", "b_start", "a_late_finish"),
    [
        (LagCalendar.PREDECESSOR, at(19), at(12, 17)),  # 6 seven-day days: Thursday 18th 17:00
        # 6 weekdays: Monday 22nd 17:00. Backward, A (which works weekends) may finish as late as
        # Sunday 17:00: the lag, counted in weekdays, still ends on Monday 22nd.
        (LagCalendar.SUCCESSOR, at(23), at(14, 17)),
        (LagCalendar.HOURS_24, at(15), at(12, 17)),  # 48 hours: Sunday 14th 17:00
        (LagCalendar.PROJECT, at(30, 13), at(14, 17)),  # 12 mornings: Tuesday 30th 12:00
    ],
)
def test_lag_is_counted_in_the_chosen_lag_calendar(
    lag_calendar: LagCalendar, b_start: datetime, a_late_finish: datetime
) -> None:
    result = p6(LAG_TASKS, [fs("A", "B", 2880)], lag_calendar=lag_calendar, default_calendar_id="mornings")
    assert dates(result, "A") == (at(12), at(12, 17))
    assert result.tasks["B"].start == b_start
    a = result.tasks["A"]
    assert a.late_finish == a_late_finish
    assert a.total_float_minutes == SEVEN.working_minutes_between(at(12, 17), a_late_finish)


# -- several relationships between one pair ------------------------------------------------------


def test_start_to_start_and_finish_to_finish_between_the_same_pair_both_constrain() -> None:
    tasks = [TaskIn("A", duration_minutes=5 * DAY), TaskIn("B", duration_minutes=3 * DAY)]
    both = [fs("A", "B", DAY, LinkType.SS), fs("A", "B", 2 * DAY, LinkType.FF)]
    result = p6(tasks, both)
    # SS+1d allows Tuesday 9th; FF+2d needs the finish on Tuesday 16th, so B starts Friday 12th
    assert dates(result, "B") == (at(12), at(16, 17))
    assert result.tasks["A"].late_finish == at(12, 17)
    assert result.tasks["A"].total_float_minutes == 0
    assert result.critical_path == ("A", "B")
    assert dates(p6(tasks, both[:1]), "B") == (at(9), at(11, 17))  # the SS link alone
    assert dates(msp(tasks, both), "B") == (at(12), at(16, 17))  # Microsoft Project keeps both too


# -- total float and critical -------------------------------------------------------------------

# T is laid out in mornings with Thursday off (1 day of work = 2 mornings) and measured in the
# standard calendar; L (5 days) sets the project finish. Early: Mon 08:00 - Tue 12:00. Late:
# Wed 08:00 - Fri 12:00 (Thursday is off). Start float 2 days, finish float 3 days.
FLOAT_TASKS = [
    TaskIn("T", duration_minutes=DAY, calendar_id="std", resource_calendar_id="thu_off"),
    TaskIn("L", duration_minutes=5 * DAY),
]


@pytest.mark.parametrize(
    ("mode", "expected"), [(FloatMode.START, 2 * DAY), (FloatMode.FINISH, 3 * DAY), (FloatMode.SMALLEST, 2 * DAY)]
)
def test_total_float_is_start_finish_or_smallest_float(mode: FloatMode, expected: int) -> None:
    result = p6(FLOAT_TASKS, float_mode=mode)
    t = result.tasks["T"]
    assert (t.early_start, t.early_finish, t.late_start, t.late_finish) == (at(8), at(9, 12), at(10), at(12, 12))
    assert t.total_float_minutes == expected


def test_critical_when_total_float_is_at_most_the_threshold() -> None:
    tasks = [TaskIn("A", duration_minutes=5 * DAY), TaskIn("B", duration_minutes=4 * DAY)]
    assert p6(tasks).critical_path == ("A",)
    assert p6(tasks, critical_slack_minutes=DAY).critical_path == ("A", "B")


def test_longest_path_follows_driving_links_back_from_the_latest_finish() -> None:
    """Must finish by leaves every activity positive float, so none is critical by float; the
    longest path still runs A -> B (B driven by A), not through C nor the SS branch D."""
    tasks = [
        TaskIn("A", duration_minutes=5 * DAY),
        TaskIn("B", duration_minutes=2 * DAY),
        TaskIn("C", duration_minutes=DAY),
        TaskIn("D", duration_minutes=DAY),
    ]
    links = [fs("A", "B"), fs("C", "B"), fs("A", "D", 0, LinkType.SS)]
    by_float = p6(tasks, links, must_finish_by=at(26, 17))
    assert by_float.critical_path == ()
    longest = p6(tasks, links, must_finish_by=at(26, 17), critical_mode=CriticalMode.LONGEST_PATH)
    assert longest.critical_path == ("A", "B")
    assert longest.tasks["A"].total_float_minutes == 8 * DAY


def test_longest_path_stops_where_a_constraint_sets_the_start() -> None:
    tasks = [
        TaskIn("A", duration_minutes=DAY),
        TaskIn("B", duration_minutes=DAY, constraint_type=ConstraintType.SNET, constraint_date=at(15)),
    ]
    result = p6(tasks, [fs("A", "B")], critical_mode=CriticalMode.LONGEST_PATH)
    assert result.critical_path == ("B",)


# -- constraints ---------------------------------------------------------------------------------

# A (5 days) -> B (2 days); B's constraint varies. Logic alone: B from Monday 15th to Tuesday 16th.
CHAIN = [TaskIn("A", duration_minutes=5 * DAY), TaskIn("B", duration_minutes=2 * DAY)]


def constrained(kind: ConstraintType, on: datetime | None) -> list[TaskIn]:
    return [CHAIN[0], TaskIn("B", duration_minutes=2 * DAY, constraint_type=kind, constraint_date=on)]


@pytest.mark.parametrize(
    ("kind", "on", "b_start", "b_late_finish", "float_days"),
    [
        # "start on or before": early dates keep the logic, the late finish is capped
        (ConstraintType.SNLT, at(10), at(15), at(11, 17), -3),
        # "finish on or before"
        (ConstraintType.FNLT, at(12, 17), at(15), at(12, 17), -2),
        # "start on or after" / "finish on or after": early dates only
        (ConstraintType.SNET, at(17), at(17), at(18, 17), 0),
        (ConstraintType.FNET, at(19, 17), at(18), at(19, 17), 0),
        # mandatory start / finish: both passes, against the logic
        (ConstraintType.MSO, at(10), at(10), at(11, 17), 0),
        (ConstraintType.MFO, at(12, 17), at(11), at(12, 17), 0),
        # P6's "start on" / "finish on": on or after forward, on or before backward
        (ConstraintType.SO, at(17), at(17), at(18, 17), 0),
        (ConstraintType.SO, at(10), at(15), at(11, 17), -3),
        (ConstraintType.FO, at(19, 17), at(18), at(19, 17), 0),
        (ConstraintType.FO, at(12, 17), at(15), at(12, 17), -2),
    ],
)
def test_activity_constraints(
    kind: ConstraintType, on: datetime, b_start: datetime, b_late_finish: datetime, float_days: int
) -> None:
    result = p6(constrained(kind, on), [fs("A", "B")])
    b = result.tasks["B"]
    assert (b.start, b.late_finish) == (b_start, b_late_finish)
    assert b.total_float_minutes == float_days * DAY


def test_mandatory_start_before_the_logic_gives_the_predecessor_negative_float() -> None:
    result = p6(constrained(ConstraintType.MSO, at(10)), [fs("A", "B")])
    assert result.tasks["A"].late_finish == at(9, 17)
    assert result.tasks["A"].total_float_minutes == -3 * DAY
    assert result.critical_path == ("A", "B")


def test_start_no_later_than_does_not_pull_early_dates_back_as_microsoft_project_does() -> None:
    tasks, links = constrained(ConstraintType.SNLT, at(10)), [fs("A", "B")]
    assert p6(tasks, links).tasks["B"].start == at(15)
    assert msp(tasks, links).tasks["B"].start == at(10)


def test_as_late_as_possible_without_successors_ends_at_the_project_finish() -> None:
    tasks = [CHAIN[0], TaskIn("C", duration_minutes=DAY, constraint_type=ConstraintType.ALAP)]
    result = p6(tasks)
    c = result.tasks["C"]
    assert (c.start, c.finish) == (at(12), at(12, 17))
    assert (c.early_start, c.late_start) == (at(12), at(12))
    assert c.total_float_minutes == 0


def test_as_late_as_possible_uses_up_its_free_float_not_its_total_float() -> None:
    """A (5 days) -> D (1 day), C (1 day, ALAP) -> D; must finish by Friday 19th. C moves up to
    D's early start (Friday 12th) and keeps the 4 days of float D has."""
    tasks = [
        CHAIN[0],
        TaskIn("C", duration_minutes=DAY, constraint_type=ConstraintType.ALAP),
        TaskIn("D", duration_minutes=DAY),
    ]
    result = p6(tasks, [fs("A", "D"), fs("C", "D")], must_finish_by=at(19, 17))
    c = result.tasks["C"]
    assert (c.start, c.finish, c.early_start) == (at(12), at(12, 17), at(12))
    assert c.late_finish == at(18, 17)
    assert c.total_float_minutes == 4 * DAY
    assert c.free_float_minutes == 0
    assert dates(result, "D") == (at(15), at(15, 17))


# -- start and finish milestones -----------------------------------------------------------------


def milestone_network(kind: ActivityType) -> tuple[list[TaskIn], list[LinkIn]]:
    """A (2 days) -> M (milestone of ``kind``) -> B (1 day) -> F (finish milestone), and C (6 days)
    -> F, so M has float and its late dates fall on Monday 15 January."""
    tasks = [
        TaskIn("A", duration_minutes=2 * DAY),
        TaskIn("M", is_milestone=True, activity_type=kind),
        TaskIn("B", duration_minutes=DAY),
        TaskIn("C", duration_minutes=6 * DAY),
        TaskIn("F", is_milestone=True, activity_type=ActivityType.FINISH_MILESTONE),
    ]
    return tasks, [fs("A", "M"), fs("M", "B"), fs("B", "F"), fs("C", "F")]


def test_start_milestone_sits_at_the_next_work_start_early_and_late() -> None:
    # A: Mon 8 08:00 - Tue 9 17:00. M (start milestone): early at the next work start, Wed 10
    # 08:00 (not Tue 17:00). B: Wed 10. C: Mon 8 - Mon 15 17:00 sets F and the project finish.
    # Backward: F late Mon 15 17:00, B late Mon 15 08:00-17:00, so M's late start and finish are
    # Mon 15 08:00 (not the previous work finish, Fri 12 17:00); A late finish Fri 12 17:00.
    result = p6(*milestone_network(ActivityType.START_MILESTONE))
    m = result.tasks["M"]
    assert (m.early_start, m.early_finish) == (at(10), at(10))
    assert (m.late_start, m.late_finish) == (at(15), at(15))
    # Only the instant differs from a finish milestone: the float is 3 days either way.
    assert m.total_float_minutes == 3 * DAY
    assert not m.is_critical
    assert dates(result, "B") == (at(10), at(10, 17))
    assert result.tasks["A"].late_finish == at(12, 17)
    f = result.tasks["F"]
    assert (f.early_start, f.late_finish) == (at(15, 17), at(15, 17))


@pytest.mark.parametrize("kind", [ActivityType.FINISH_MILESTONE, ActivityType.TASK])
def test_finish_milestone_sits_at_the_previous_work_finish_early_and_late(kind: ActivityType) -> None:
    result = p6(*milestone_network(kind))
    m = result.tasks["M"]
    assert (m.early_start, m.early_finish) == (at(9, 17), at(9, 17))
    assert (m.late_start, m.late_finish) == (at(12, 17), at(12, 17))
    assert m.total_float_minutes == 3 * DAY
    assert dates(result, "B") == (at(10), at(10, 17))


def test_microsoft_project_dialect_ignores_the_start_milestone_type() -> None:
    ours = msp(*milestone_network(ActivityType.START_MILESTONE)).tasks["M"]
    plain = msp(*milestone_network(ActivityType.TASK)).tasks["M"]
    assert (ours.early_start, ours.late_finish) == (plain.early_start, plain.late_finish) == (at(9, 17), at(12, 17))


# -- links into another calendar's non-working time ----------------------------------------------


def ff_network() -> tuple[list[TaskIn], list[LinkIn]]:
    """Three four-tens activities whose finish a five-day predecessor's Friday asks for, each
    followed by a one-day five-day activity:

    * B (16 h) FF from A (36 h, Mon 8 08:00 - Fri 12 12:00), no lag;
    * E (16 h) FF + 8 h from D (28 h, Mon 8 - Thu 11 12:00): the lag ends Friday 12:00;
    * H (16 h) SS and FF from G (16 h, after F: Wed 10 11:00 - Fri 12 11:00), both setting
      Wed 10 11:00 as H's start.
    """
    tens = {"calendar_id": "tens", "duration_minutes": 16 * 60}
    tasks = [
        TaskIn("A", duration_minutes=36 * 60),
        TaskIn("B", **tens),
        TaskIn("C", duration_minutes=DAY),
        TaskIn("D", duration_minutes=28 * 60),
        TaskIn("E", **tens),
        TaskIn("X", duration_minutes=DAY),
        TaskIn("F", duration_minutes=19 * 60),
        TaskIn("G", duration_minutes=16 * 60),
        TaskIn("H", **tens),
        TaskIn("Y", duration_minutes=DAY),
    ]
    links = [
        fs("A", "B", kind=LinkType.FF),
        fs("B", "C"),
        fs("D", "E", 8 * 60, LinkType.FF),
        fs("E", "X"),
        fs("F", "G"),
        fs("G", "H", kind=LinkType.SS),
        fs("G", "H", kind=LinkType.FF),
        fs("H", "Y"),
    ]
    return tasks, links


def test_ff_link_into_non_working_time_finishes_where_work_resumes() -> None:
    """P6: an FF link without lag that drives a four-tens activity asks for a finish on Friday
    12:00, its non-working time. Thursday 17:30 is the same working instant but precedes the
    predecessor's finish: the activity finishes at Monday 07:00, and its five-day successor starts
    on Monday, not Friday (MPXJ's PrimaveraScheduler agrees)."""
    result = p6(*ff_network())
    b = result.tasks["B"]
    assert (b.early_start, b.early_finish) == (at(10, 11), at(15, 7))
    assert dates(result, "C") == (at(15), at(15, 17))
    # With a lag the finish stays at Thursday 17:30, and so it does when an SS link sets the
    # same start as the FF link (as MPXJ's scheduler has it).
    assert result.tasks["E"].early_finish == result.tasks["H"].early_finish == at(11, 17, 30)
    assert dates(result, "X") == dates(result, "Y") == (at(12), at(12, 17))
    # Only the instant moves: B's float is measured in working time as before.
    assert b.total_float_minutes == result.tasks["E"].total_float_minutes


def test_microsoft_project_dialect_keeps_the_previous_work_finish_after_an_ff_link() -> None:
    result = msp(*ff_network())
    assert result.tasks["B"].early_finish == at(11, 17, 30)
    assert dates(result, "C") == (at(12), at(12, 17))


@pytest.mark.parametrize(
    ("lag_calendar", "start"),
    [(LagCalendar.PREDECESSOR, at(15, 8)), (LagCalendar.SUCCESSOR, at(15, 7)), (LagCalendar.HOURS_24, at(15, 7))],
)
def test_ss_link_without_lag_starts_at_the_lag_calendars_next_work_start(
    lag_calendar: LagCalendar, start: datetime
) -> None:
    """P6: the zero lag of an SS link is still counted in the lag calendar. After a five-day
    finish milestone at Friday 17:00, a four-tens SS successor starts at the next work start of
    the lag calendar: Monday 08:00 in the predecessor's, 07:00 in its own; an FS successor, or an
    SS successor with a lag, is not moved."""
    tens = {"calendar_id": "tens", "duration_minutes": DAY}
    tasks = [
        TaskIn("A", duration_minutes=5 * DAY),
        TaskIn("M", is_milestone=True, activity_type=ActivityType.FINISH_MILESTONE),
        TaskIn("S", **tens),
        TaskIn("F", **tens),
        TaskIn("L", **tens),
    ]
    links = [fs("A", "M"), fs("M", "S", kind=LinkType.SS), fs("M", "F"), fs("M", "L", DAY, LinkType.SS)]
    result = p6(tasks, links, lag_calendar=lag_calendar)
    assert result.tasks["M"].early_start == at(12, 17)
    assert result.tasks["S"].early_start == start
    assert result.tasks["F"].early_start == at(15, 7)
    if lag_calendar == LagCalendar.PREDECESSOR:
        assert result.tasks["L"].early_start == at(15, 17)  # 8 h after Friday 17:00, five-day


# -- level of effort and WBS summary -------------------------------------------------------------


def test_level_of_effort_spans_its_predecessors_start_to_its_successors_finish_and_drives_nothing() -> None:
    tasks = [
        TaskIn("A", duration_minutes=3 * DAY),
        TaskIn("B", duration_minutes=2 * DAY),
        # its own duration (100 days) is ignored; it would drive B if it were a task
        TaskIn("L", duration_minutes=100 * DAY, activity_type=ActivityType.LOE),
    ]
    links = [fs("A", "B"), fs("A", "L", 0, LinkType.SS), fs("L", "B", 0, LinkType.FF)]
    result = p6(tasks, links)
    assert dates(result, "B") == (at(11), at(12, 17))
    loe = result.tasks["L"]
    assert (loe.start, loe.finish) == (at(8), at(12, 17))
    assert loe.duration_minutes == 5 * DAY
    # P6 flags a level of effort by its total float like any activity (0 here: it spans critical
    # work; MPXJ agrees, tests/projects/test_p6_oracle.py), but it is never on the critical path.
    assert loe.total_float_minutes == 0
    assert loe.is_critical
    assert result.critical_path == ("A", "B")
    # Microsoft Project has no level of effort: there it is a 100-day task that drives B
    assert msp(tasks, links).tasks["B"].finish > at(1, 8, month=5)


def test_level_of_effort_without_successors_ends_at_the_project_finish() -> None:
    tasks = [TaskIn("A", duration_minutes=3 * DAY), TaskIn("L", duration_minutes=DAY, activity_type=ActivityType.LOE)]
    result = p6(tasks, [fs("A", "L", DAY, LinkType.SS)])
    assert dates(result, "L") == (at(9), at(10, 17))


def test_wbs_summary_spans_the_activities_of_its_branch() -> None:
    tasks = [
        TaskIn("P", name="WBS 1"),
        TaskIn("A", parent_id="P", duration_minutes=2 * DAY),
        TaskIn("B", parent_id="P", duration_minutes=3 * DAY),
        TaskIn("W", parent_id="P", activity_type=ActivityType.WBS_SUMMARY),
        TaskIn("X", duration_minutes=DAY),
        TaskIn("ALL", activity_type=ActivityType.WBS_SUMMARY),
    ]
    result = p6(tasks, [fs("A", "B"), fs("B", "X")])
    assert dates(result, "W") == (at(8), at(12, 17))
    assert dates(result, "ALL") == (at(8), at(15, 17))
    assert result.tasks["W"].duration_minutes == 5 * DAY
    assert dates(result, "P") == (at(8), at(12, 17))
    assert result.critical_path == ("A", "B", "X")


# -- input ---------------------------------------------------------------------------------------


def test_aware_data_date_is_refused() -> None:
    from datetime import UTC

    with pytest.raises(ScheduleInputError, match="naive"):
        p6([TaskIn("A", duration_minutes=DAY)], data_date=datetime(2024, 1, 10, tzinfo=UTC))
