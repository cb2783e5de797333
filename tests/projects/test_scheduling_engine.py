"""The working-time calendar and the critical-path engine, on small networks worked out by hand.

Dates are in January 2024 (Monday the 8th is the project start unless a test says otherwise) on
Microsoft Project's standard calendar: Monday-Friday 08:00-12:00 and 13:00-17:00, 480 minutes a day.
"""

from __future__ import annotations

import gc
import itertools
from datetime import date, datetime, time, timedelta

import pytest

from projects.scheduling.calendar import CalendarError, WorkCalendar, WorkWeek
from projects.scheduling.engine import schedule
from projects.scheduling.model import (
    ConstraintType,
    LinkIn,
    LinkType,
    ScheduleCycleError,
    ScheduleInputError,
    ScheduleOptions,
    ScheduleResult,
    TaskIn,
)

DAY = 480
MON = datetime(2024, 1, 8, 8)
STD = WorkCalendar.standard()
SEVEN_DAYS = WorkCalendar("Seven days", week={wd: ((time(8), time(12)), (time(13), time(17))) for wd in range(7)})
ALWAYS = WorkCalendar("24 hours", week=dict.fromkeys(range(7), ((0, 1440),)))
CALENDARS = {"std": STD, "seven": SEVEN_DAYS, "always": ALWAYS}


def at(day: int, hour: int = 8) -> datetime:
    """A moment in January 2024."""
    return datetime(2024, 1, day, hour)


def run(tasks: list[TaskIn], links: list[LinkIn] | tuple = (), **kwargs: object) -> ScheduleResult:
    kwargs.setdefault("project_start", MON)
    return schedule(tasks, links, calendars=CALENDARS, default_calendar_id="std", **kwargs)  # type: ignore[arg-type]


# -- calendar -------------------------------------------------------------------------------


def test_adding_working_days_skips_weekends_and_holidays() -> None:
    calendar = WorkCalendar.standard(holidays=[date(2024, 12, 25), date(2024, 12, 26)])
    assert calendar.add_working_minutes(datetime(2024, 12, 20, 8), 3 * DAY) == datetime(2024, 12, 24, 17)
    assert calendar.add_working_minutes(datetime(2024, 12, 20, 8), 4 * DAY) == datetime(2024, 12, 27, 17)
    assert calendar.add_working_minutes(datetime(2024, 12, 27, 17), -4 * DAY, as_finish=False) == datetime(
        2024, 12, 20, 8
    )
    assert calendar.working_minutes_between(datetime(2024, 12, 23, 10), datetime(2024, 12, 27, 9)) == 360 + DAY + 60


def test_start_and_finish_bias_on_a_boundary() -> None:
    friday_evening = datetime(2024, 1, 12, 17)
    assert STD.next_work_start(friday_evening) == at(15, 8)
    assert STD.previous_work_finish(at(15, 8)) == friday_evening
    assert STD.working_minutes_at(friday_evening) == STD.working_minutes_at(at(15, 8))
    assert STD.next_work_start(at(10, 12)) == at(10, 13)  # lunch
    assert STD.next_work_start(at(10, 10)) == at(10, 10)  # inside working time


def test_a_thousand_working_days_agrees_with_counting_day_by_day() -> None:
    holidays = [date(2025, 1, 1) + timedelta(days=37 * n) for n in range(40)]
    calendar = WorkCalendar.standard(holidays=holidays)
    start = datetime(2024, 3, 4, 8)
    day, left = start.date(), 1000
    while True:
        if calendar.is_working_day(day):
            left -= 1
            if left == 0:
                break
        day += timedelta(days=1)
    assert calendar.add_working_minutes(start, 1000 * DAY) == datetime.combine(day, time(17))
    far = calendar.add_working_minutes(start, 100_000 * DAY)  # ~384 years: whole weeks are jumped
    assert (far.year, far.weekday() < 5, far.hour) == (2407, True, 17)
    assert calendar.working_minutes_between(start, far) == 100_000 * DAY
    assert calendar.add_working_minutes(start, -3 * DAY, as_finish=False) == datetime(2024, 2, 28, 8)


def test_night_shift_runs_across_midnight() -> None:
    night = WorkCalendar(
        "Night", week={0: [(time(23), time(0))], 1: [(time(0), time(3)), (time(4), time(8)), (time(23), time(0))]}
    )
    monday_night = datetime(2024, 1, 8, 23)
    assert night.add_working_minutes(monday_night, 60) == datetime(2024, 1, 9, 0, 0)
    assert night.add_working_minutes(monday_night, 61) == datetime(2024, 1, 9, 0, 1)
    assert night.add_working_minutes(monday_night, 5 * 60) == datetime(2024, 1, 9, 5)
    assert night.minutes_per_week == 9 * 60


def test_union_and_intersection_of_calendars() -> None:
    early = WorkCalendar("Early", week={wd: [(time(6), time(10))] for wd in range(5)})
    union = WorkCalendar.union([STD, early])
    both = WorkCalendar.intersection([STD, early])
    monday = date(2024, 1, 8)
    assert union.day_pattern(monday) == ((360, 720), (780, 1020))
    assert both.day_pattern(monday) == ((480, 600),)
    assert union.is_combined
    assert not STD.is_combined


def test_derived_calendar_inherits_base_holidays_and_overrides_weekdays() -> None:
    company = WorkCalendar.standard(holidays=[date(2024, 1, 10)])
    person = WorkCalendar(
        "Part time", base=company, week={4: ()}, exceptions={date(2024, 1, 16): [(time(9), time(11))]}
    )
    assert person.working_minutes_on(date(2024, 1, 10)) == 0  # the company holiday
    assert person.working_minutes_on(date(2024, 1, 12)) == 0  # works no Fridays
    assert person.working_minutes_on(date(2024, 1, 15)) == DAY  # Monday as the company
    assert person.working_minutes_on(date(2024, 1, 16)) == 120
    assert person.add_working_minutes(at(9), 2 * DAY) == at(11, 17)  # Tuesday, (holiday), Thursday


def test_work_week_replaces_the_default_week_between_two_dates() -> None:
    summer = WorkWeek(date(2024, 7, 1), date(2024, 8, 31), {wd: [(time(8), time(14))] for wd in range(4)} | {4: []})
    calendar = WorkCalendar("Summer hours", base=STD, work_weeks=[summer])
    assert calendar.working_minutes_on(date(2024, 7, 1)) == 360
    assert calendar.working_minutes_on(date(2024, 7, 5)) == 0
    assert calendar.working_minutes_on(date(2024, 9, 2)) == DAY


def test_calendar_without_working_time_cannot_place_work() -> None:
    never = WorkCalendar("Never", week={})
    with pytest.raises(CalendarError, match="no working time"):
        never.add_working_minutes(MON, 60)


def test_inverted_interval_is_refused() -> None:
    with pytest.raises(CalendarError, match="empty or outside"):
        WorkCalendar("Bad", week={0: [(time(17), time(8))]})


# -- links ------------------------------------------------------------------------------------


def test_finish_to_start_network_dates_floats_and_critical_path() -> None:
    tasks = [
        TaskIn("A", duration_minutes=2 * DAY),
        TaskIn("B", duration_minutes=3 * DAY),
        TaskIn("C", duration_minutes=DAY),
        TaskIn("D", duration_minutes=DAY),
    ]
    links = [LinkIn("A", "B"), LinkIn("A", "C"), LinkIn("B", "D"), LinkIn("C", "D")]
    result = run(tasks, links)
    a, b, c, d = (result.tasks[k] for k in "ABCD")
    assert (a.early_start, a.early_finish) == (at(8), at(9, 17))
    assert (b.early_start, b.early_finish) == (at(10), at(12, 17))
    assert (c.early_start, c.early_finish, c.late_start, c.late_finish) == (at(10), at(10, 17), at(12), at(12, 17))
    assert (d.early_start, d.late_finish) == (at(15), at(15, 17))
    assert result.project_finish == at(15, 17)
    assert (c.total_float_minutes, c.free_float_minutes) == (2 * DAY, 2 * DAY)
    assert [t.total_float_minutes for t in (a, b, d)] == [0, 0, 0]
    assert result.critical_path == ("A", "B", "D")
    assert not c.is_critical


def test_start_start_finish_finish_and_start_finish_links_with_lag() -> None:
    tasks = [TaskIn(k, duration_minutes=n * DAY) for k, n in (("A", 3), ("B", 2), ("C", 1), ("D", 1))]
    links = [
        LinkIn("A", "B", LinkType.SS, lag_minutes=DAY),
        LinkIn("A", "C", LinkType.FF, lag_minutes=DAY),
        LinkIn("A", "D", LinkType.SF, lag_minutes=2 * DAY),
    ]
    result = run(tasks, links)
    assert (result.tasks["B"].early_start, result.tasks["B"].early_finish) == (at(9), at(10, 17))
    assert (result.tasks["C"].early_start, result.tasks["C"].early_finish) == (at(11), at(11, 17))
    assert (result.tasks["D"].early_start, result.tasks["D"].early_finish) == (at(9), at(9, 17))
    # A is driven late by the FF link: it must finish a day before C's late finish (Thursday).
    assert result.tasks["A"].late_finish == at(10, 17)
    assert result.tasks["A"].total_float_minutes == 0
    assert result.tasks["B"].total_float_minutes == DAY
    assert result.tasks["D"].total_float_minutes == 2 * DAY
    assert result.tasks["A"].free_float_minutes == 0


def test_start_finish_link_never_starts_a_task_before_the_project() -> None:
    result = run(
        [TaskIn("A", duration_minutes=3 * DAY), TaskIn("D", duration_minutes=DAY)], [LinkIn("A", "D", LinkType.SF)]
    )
    assert result.tasks["D"].early_start == at(8)


def test_negative_lag_overlaps_tasks_but_not_the_project_start() -> None:
    tasks = [
        TaskIn("A", duration_minutes=3 * DAY),
        TaskIn("B", duration_minutes=2 * DAY),
        TaskIn("C", duration_minutes=DAY),
    ]
    links = [LinkIn("A", "B", lag_minutes=-DAY), LinkIn("A", "C", lag_minutes=-5 * DAY)]
    result = run(tasks, links)
    assert result.tasks["B"].early_start == at(10)
    assert result.tasks["C"].early_start == at(8)
    assert result.tasks["B"].free_float_minutes == 0


def test_percent_lag_is_a_share_of_the_predecessor_duration() -> None:
    tasks = [TaskIn("A", duration_minutes=4 * DAY), TaskIn("B", duration_minutes=DAY)]
    result = run(tasks, [LinkIn("A", "B", LinkType.SS, lag_percent=50)])
    assert result.tasks["B"].early_start == at(10)


def test_elapsed_lag_runs_through_the_weekend_working_lag_does_not() -> None:
    tasks = [TaskIn("A", duration_minutes=DAY), TaskIn("E", duration_minutes=DAY), TaskIn("W", duration_minutes=DAY)]
    links = [LinkIn("A", "E", lag_minutes=2 * 1440, lag_elapsed=True), LinkIn("A", "W", lag_minutes=2 * DAY)]
    result = run(tasks, links, project_start=at(11))
    assert result.tasks["E"].early_start == at(15)  # Thursday 17:00 + 48 h = Saturday 17:00 -> Monday
    assert result.tasks["W"].early_start == at(16)  # two working days: Friday, Monday -> Tuesday


def test_lag_is_counted_in_the_successor_calendar() -> None:
    tasks = [TaskIn("A", duration_minutes=DAY), TaskIn("B", duration_minutes=DAY, calendar_id="seven")]
    result = run(tasks, [LinkIn("A", "B", lag_minutes=DAY)], project_start=at(12))
    assert result.tasks["B"].early_start == at(14)  # Friday 17:00 + one Saturday = Sunday 08:00


def test_milestone_successor_sits_at_the_end_of_the_working_day() -> None:
    result = run([TaskIn("A", duration_minutes=DAY), TaskIn("M", is_milestone=True)], [LinkIn("A", "M")])
    assert result.tasks["M"].early_start == result.tasks["M"].early_finish == at(8, 17)


# -- constraints ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "on", "start", "a_float"),
    [
        (ConstraintType.SNET, at(11), at(11), DAY),  # B waits for Thursday, A gains a day
        (ConstraintType.FNET, at(12, 17), at(12), 2 * DAY),
        (ConstraintType.MSO, at(11), at(11), DAY),
        (ConstraintType.MFO, at(12, 17), at(12), 2 * DAY),
        (ConstraintType.SNLT, at(9), at(9), -DAY),  # the constraint wins over the link: negative float
        (ConstraintType.FNLT, at(9, 17), at(9), -DAY),
        (ConstraintType.ASAP, None, at(10), 0),
    ],
)
def test_constraints(constraint: ConstraintType, on: datetime | None, start: datetime, a_float: int) -> None:
    tasks = [
        TaskIn("A", duration_minutes=2 * DAY),
        TaskIn("B", duration_minutes=DAY, constraint_type=constraint, constraint_date=on),
    ]
    result = run(tasks, [LinkIn("A", "B")])
    assert result.tasks["B"].early_start == start
    assert result.tasks["A"].total_float_minutes == a_float
    assert result.tasks["A"].is_critical == (a_float <= 0)


def test_start_no_earlier_than_without_predecessors() -> None:
    result = run([TaskIn("A", duration_minutes=DAY, constraint_type=ConstraintType.SNET, constraint_date=at(10, 10))])
    assert result.tasks["A"].early_start == at(10, 10)


def test_deadline_tightens_the_late_finish() -> None:
    result = run([TaskIn("A", duration_minutes=3 * DAY, deadline=at(9, 17))])
    assert result.tasks["A"].late_finish == at(9, 17)
    assert result.tasks["A"].total_float_minutes == -DAY
    assert result.tasks["A"].is_critical


def test_as_late_as_possible_task_is_planned_on_its_late_dates() -> None:
    tasks = [
        TaskIn("A", duration_minutes=DAY, constraint_type=ConstraintType.ALAP),
        TaskIn("B", duration_minutes=DAY),
        TaskIn("C", duration_minutes=3 * DAY),
    ]
    result = run(tasks, [LinkIn("A", "B")])
    a, b = result.tasks["A"], result.tasks["B"]
    assert (a.early_start, a.late_start) == (at(8), at(9))
    assert (a.start, a.finish) == (at(9), at(9, 17))
    assert (b.early_start, b.start) == (at(10), at(10))  # the successor follows A's late dates
    # Microsoft Project gives an ALAP task zero total slack, so it shows as critical.
    assert a.total_float_minutes == 0
    assert a.is_critical


# -- progress -------------------------------------------------------------------------------


def test_finished_task_uses_its_actual_dates_and_is_never_critical() -> None:
    tasks = [
        TaskIn("A", duration_minutes=2 * DAY, percent_complete=100, actual_start=at(8), actual_finish=at(10, 12)),
        TaskIn("B", duration_minutes=DAY),
    ]
    result = run(tasks, [LinkIn("A", "B")])
    a, b = result.tasks["A"], result.tasks["B"]
    assert (a.early_start, a.early_finish, a.late_start, a.late_finish) == (at(8), at(10, 12), at(8), at(10, 12))
    assert (a.total_float_minutes, a.free_float_minutes, a.is_critical) == (0, 0, False)
    assert (b.early_start, b.early_finish) == (at(10, 13), at(11, 12))
    assert b.is_critical


def test_task_in_progress_keeps_its_actual_start_and_slack_is_its_finish_slack() -> None:
    tasks = [
        TaskIn("A", duration_minutes=4 * DAY, percent_complete=50, actual_start=at(8)),
        TaskIn("B", duration_minutes=DAY),
        TaskIn("C", duration_minutes=7 * DAY),
    ]
    result = run(tasks, [LinkIn("A", "B")])
    a = result.tasks["A"]
    assert (a.early_finish, a.late_start, a.late_finish) == (at(11, 17), at(8), at(15, 17))
    assert a.total_float_minutes == 2 * DAY


def test_percent_complete_alone_counts_as_started_at_the_scheduled_start() -> None:
    result = run([TaskIn("A", duration_minutes=2 * DAY, percent_complete=50), TaskIn("B", duration_minutes=5 * DAY)])
    assert result.tasks["A"].late_start == at(8)
    assert result.tasks["A"].total_float_minutes == 3 * DAY


def test_status_date_pushes_remaining_work_after_it() -> None:
    tasks = [
        TaskIn("A", duration_minutes=4 * DAY, percent_complete=25, actual_start=at(8)),
        TaskIn("B", duration_minutes=DAY),
    ]
    plain = run(tasks)
    assert (plain.tasks["A"].early_finish, plain.tasks["B"].early_start) == (at(11, 17), at(8))
    updated = run(tasks, status_date=at(10))
    assert updated.tasks["A"].early_finish == at(12, 17)  # three days of work left from Wednesday
    assert updated.tasks["B"].early_start == at(10)


# -- summaries ------------------------------------------------------------------------------


def test_summary_rolls_up_and_links_on_it_apply_to_its_subtasks() -> None:
    tasks = [
        TaskIn("Y", duration_minutes=DAY),
        TaskIn("S", "Phase"),
        TaskIn("A", parent_id="S", duration_minutes=2 * DAY),
        TaskIn("B", parent_id="S", duration_minutes=DAY),
        TaskIn("X", duration_minutes=DAY),
    ]
    links = [LinkIn("Y", "S"), LinkIn("A", "B"), LinkIn("S", "X")]
    result = run(tasks, links)
    s = result.tasks["S"]
    assert s.is_summary
    assert (s.early_start, s.early_finish, s.duration_minutes) == (at(9), at(11, 17), 3 * DAY)
    assert result.tasks["A"].early_start == at(9)
    assert result.tasks["X"].early_start == at(12)
    assert result.tasks["B"].late_finish == at(11, 17)  # X, a successor of the summary, needs B done
    assert s.total_float_minutes == 0
    assert s.is_critical
    assert result.critical_path == ("Y", "A", "B", "X")


def test_summary_percent_complete_is_weighted_by_duration() -> None:
    tasks = [
        TaskIn("S"),
        TaskIn("A", parent_id="S", duration_minutes=2 * DAY, percent_complete=100),
        TaskIn("B", parent_id="S", duration_minutes=DAY),
    ]
    result = run(tasks, [LinkIn("A", "B")])
    assert result.tasks["S"].percent_complete == pytest.approx(200 / 3)
    assert result.tasks["A"].late_finish == result.tasks["A"].early_finish  # finished: no slack


def test_start_to_start_from_a_summary_binds_only_its_earliest_subtask() -> None:
    tasks = [
        TaskIn("S", "Phase"),
        TaskIn(
            "A", parent_id="S", duration_minutes=2 * DAY, constraint_type=ConstraintType.SNET, constraint_date=at(9)
        ),
        TaskIn("B", parent_id="S", duration_minutes=3 * DAY),
        TaskIn("X", duration_minutes=3 * DAY),
    ]
    result = run(tasks, [LinkIn("S", "X", LinkType.SS, lag_minutes=DAY)])
    assert result.tasks["X"].early_start == at(9)
    assert result.tasks["B"].total_float_minutes == 0  # B starts the summary
    assert result.tasks["A"].total_float_minutes == DAY


def test_free_slack_of_a_summary_looks_at_links_leaving_it() -> None:
    tasks = [
        TaskIn("S"),
        TaskIn("A", parent_id="S", duration_minutes=DAY),
        TaskIn("B", parent_id="S", duration_minutes=DAY),
        TaskIn("C", duration_minutes=DAY, constraint_type=ConstraintType.SNET, constraint_date=at(11)),
        TaskIn("D", duration_minutes=5 * DAY),
    ]
    result = run(tasks, [LinkIn("A", "B"), LinkIn("B", "C")])
    assert result.tasks["S"].free_float_minutes == DAY  # S ends Tuesday, C starts Thursday
    assert result.tasks["A"].free_float_minutes == 0


# -- manual tasks, options, calendars per task ------------------------------------------------


def test_manual_task_keeps_its_dates_and_is_critical_only_when_linked() -> None:
    alone = TaskIn("M", duration_minutes=5 * DAY, is_manual=True, manual_start=at(8), manual_finish=at(12, 17))
    result = run([alone, TaskIn("A", duration_minutes=2 * DAY)])
    assert result.tasks["M"].total_float_minutes == 0
    assert not result.tasks["M"].is_critical
    follower = TaskIn("F", duration_minutes=DAY, is_manual=True, manual_start=at(8), manual_finish=at(8, 17))
    linked = run([alone, follower], [LinkIn("M", "F")])
    assert linked.tasks["F"].early_start == at(8)  # links do not move a manual task
    assert linked.tasks["M"].is_critical


def test_multiple_critical_paths_option() -> None:
    tasks = [TaskIn("A", duration_minutes=DAY), TaskIn("B", duration_minutes=3 * DAY)]
    assert run(tasks).tasks["A"].total_float_minutes == 2 * DAY
    result = run(tasks, options=ScheduleOptions(multiple_critical_paths=True))
    assert result.tasks["A"].total_float_minutes == 0
    assert result.tasks["A"].is_critical


def test_critical_slack_limit_option() -> None:
    tasks = [TaskIn("A", duration_minutes=2 * DAY), TaskIn("B", duration_minutes=3 * DAY)]
    assert not run(tasks).tasks["A"].is_critical
    assert run(tasks, options=ScheduleOptions(critical_slack_minutes=DAY)).tasks["A"].is_critical


def test_resource_calendar_lays_out_the_work_and_task_calendar_measures_slack() -> None:
    tasks = [
        TaskIn("A", duration_minutes=1440, resource_calendar_id="always"),
        TaskIn("B", duration_minutes=5 * DAY),
    ]
    result = run(tasks, project_start=at(12))
    a = result.tasks["A"]
    assert (a.early_start, a.early_finish) == (at(12), datetime(2024, 1, 13, 8))
    assert (a.late_start, a.late_finish) == (at(17, 17), at(18, 17))
    assert a.total_float_minutes == 4 * DAY  # in the standard calendar, not 24-hour days


def test_split_task_spans_its_duration_plus_the_split() -> None:
    result = run([TaskIn("A", duration_minutes=2 * DAY, split_minutes=DAY)])
    assert result.tasks["A"].early_finish == at(10, 17)


def test_long_chain_is_scheduled_without_recursion() -> None:
    n = 20_000
    tasks = [TaskIn(i, duration_minutes=DAY) for i in range(n)]
    links = [LinkIn(i, i + 1) for i in range(n - 1)]
    result = run(tasks, links)
    assert result.project_finish == STD.add_working_minutes(MON, n * DAY)
    assert len(result.critical_path) == n


# -- errors ---------------------------------------------------------------------------------


def test_cycle_is_refused_with_the_tasks_named_in_order() -> None:
    tasks = [
        TaskIn("A", "Alpha", duration_minutes=DAY),
        TaskIn("B", "Beta"),
        TaskIn("C", "Gamma"),
        TaskIn("D", "After"),
    ]
    links = [LinkIn("A", "B"), LinkIn("B", "C"), LinkIn("C", "A"), LinkIn("C", "D")]
    with pytest.raises(ScheduleCycleError) as caught:
        run(tasks, links)
    ids = caught.value.task_ids
    assert ids[0] == ids[-1]
    assert set(ids) == {"A", "B", "C"}
    assert len(ids) == 4
    assert all((a, b) in {("A", "B"), ("B", "C"), ("C", "A")} for a, b in itertools.pairwise(ids))
    message = str(caught.value)
    assert message.startswith("Dependency cycle: ")
    assert all(name in message for name in ("'Alpha' (A)", "'Beta' (B)", "'Gamma' (C)"))
    assert "After" not in message
    assert gc.isenabled()  # the engine pauses the cyclic collector only while it runs


def test_cycle_through_a_summary_is_refused() -> None:
    tasks = [TaskIn("S", "Phase"), TaskIn("A", "Dig", parent_id="S"), TaskIn("B", "Check")]
    with pytest.raises(ScheduleCycleError, match="Phase") as caught:
        run(tasks, [LinkIn("S", "B"), LinkIn("B", "A")])
    assert set(caught.value.task_ids) == {"S", "A", "B"}


def test_linking_a_summary_to_its_own_subtask_is_a_cycle() -> None:
    with pytest.raises(ScheduleCycleError, match="own subtask"):
        run([TaskIn("S", "Phase"), TaskIn("A", parent_id="S")], [LinkIn("A", "S")])


@pytest.mark.parametrize(
    ("tasks", "links", "message"),
    [
        ([TaskIn("A"), TaskIn("A")], [], "appears more than once"),
        ([TaskIn("A")], [LinkIn("A", "Z")], "unknown task 'Z'"),
        ([TaskIn("A")], [LinkIn("A", "A")], "linked to itself"),
        ([TaskIn("A", parent_id="Q")], [], "unknown parent"),
        ([TaskIn("A", parent_id="B"), TaskIn("B", parent_id="A")], [], "its own ancestor"),
        ([TaskIn("A", constraint_type=ConstraintType.MSO)], [], "needs a constraint date"),
        ([TaskIn("A", calendar_id="lunar")], [], "unknown calendar 'lunar'"),
        ([TaskIn("A", duration_minutes=-5)], [], "must not be negative"),
        ([TaskIn("A", is_manual=True)], [], "manually scheduled task needs"),
        ([TaskIn("A", percent_complete=120)], [], "0-100"),
        ([TaskIn("A", deadline=datetime(2024, 1, 9, tzinfo=MON.astimezone().tzinfo))], [], "naive"),
    ],
)
def test_bad_input_is_refused_with_a_reason(tasks: list[TaskIn], links: list[LinkIn], message: str) -> None:
    with pytest.raises(ScheduleInputError, match=message):
        run(tasks, links)
