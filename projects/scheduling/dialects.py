"""Scheduling dialects: the rules that make the one engine schedule like Microsoft Project or P6.

The engine (:mod:`projects.scheduling.engine`) is one forward/backward pass. What differs between
the tools is a set of rules, selected by :attr:`ScheduleOptions.p6
<projects.scheduling.model.ScheduleOptions.p6>`:

* ``ScheduleOptions()`` (``p6=None``): **Microsoft Project**, the engine's historical behaviour,
  checked against Project's own files (``tests/projects/test_mspdi.py``). Nothing in this module
  is used.
* ``ScheduleOptions(p6=P6Options(data_date=..., ...))``: **Primavera P6**. The options mirror P6's
  Schedule Options dialog and the project's data date / must-finish-by::

      from projects.scheduling import P6Options, ProgressMode, schedule, ScheduleOptions

      result = schedule(
          tasks, links, calendars=cals, default_calendar_id="std", project_start=start,
          options=ScheduleOptions(
              critical_slack_minutes=0,  # "critical if total float <= this" (both dialects)
              p6=P6Options(data_date=datetime(2021, 11, 30), progress_mode=ProgressMode.RETAINED_LOGIC),
          ),
      )

  A caller that has a :class:`TaskIn` per activity sets ``TaskIn.activity_type`` to
  :attr:`ActivityType.LOE` or :attr:`ActivityType.WBS_SUMMARY` for P6's level-of-effort and
  WBS-summary activities, :attr:`ActivityType.START_MILESTONE` or
  :attr:`ActivityType.FINISH_MILESTONE` for its two kinds of milestone (the Microsoft Project
  dialect ignores the field and schedules them as plain tasks / milestones).

The P6 rules (each switched on by ``p6`` and implemented at a named hook of the engine):

**Data date** (``P6Options.data_date``, an *instant*). The project start is moved up to it, and
work not yet done never starts before it: a not-started activity starts at the first working
minute of its calendar at or after the data date (2021-11-30 00:00 → 30 Nov 08:00 on a standard
calendar, not 1 Dec), and the remaining work of an activity in progress resumes there. Late
dates do not see the data date, so an activity pushed past its must-finish-by shows negative
float. (Microsoft Project's *status date* is a day, end of day; the engine's ``status_date``
argument keeps that meaning and is ignored when ``p6`` is set.)

**Progressed activities** (``P6Options.progress_mode``, P6's "when scheduling progressed
activities use"). An activity is *progressed* when it has an actual start (or percent complete
> 0) but no actual finish. Its ``start`` is the actual start; its early start / late start are
P6's *remaining* early / late start (where the remaining work resumes), its finish is the
remaining early start plus the remaining duration:

* :attr:`ProgressMode.RETAINED_LOGIC` — the remaining work still obeys the activity's
  relationships: it cannot resume before an FS predecessor has finished (or an SS predecessor's
  remaining work has resumed, an FF predecessor's finish allows...), nor before the data date.
  Backward, its late dates keep constraining its predecessors' late dates.
* :attr:`ProgressMode.PROGRESS_OVERRIDE` — the progress overrides the logic: the remaining work
  resumes at the data date, whatever its predecessors; its relationships no longer constrain it
  nor (backward) its predecessors.
* :attr:`ProgressMode.ACTUAL_DATES` — as progress override, and the activity's own actual dates
  are honoured even after the data date: the remaining work resumes at the later of the data
  date and the point the actual progress reached (actual start + the duration already worked).
  (Completed activities' actual finishes drive their successors in every mode.)

A lag on an SS or SF relationship from an activity in progress is reduced by the predecessor's
*actual duration* -- P6's working time of its calendar from the actual start to the data date, not
its duration less its remaining duration -- and what is left runs from where its remaining work
resumes.

**Lag calendar** (``P6Options.lag_calendar``): a relationship's lag is counted in the
predecessor's calendar, the successor's, a 24-hour calendar (wall-clock minutes) or the project
default calendar. (Microsoft Project: always the successor's.) An SS relationship without lag from
a not-started predecessor still counts its zero lag in the lag calendar: the successor may start at
that calendar's next work start at or after the predecessor's start (after a five-day finish
milestone at Friday 17:00, a Monday-Thursday successor starts Monday 08:00 with the predecessor's
lag calendar, 07:00 with its own).

**A finish in non-working time.** When an FF relationship without lag (from a not-started
predecessor) drives a not-started activity -- no FS or SS relationship sets the same start -- and
asks for a finish in the activity's non-working time (a five-day predecessor's Friday noon for a
Monday-Thursday activity), the early finish is the activity's next work start (Monday 07:00), not
its previous work finish (Thursday 17:30): the same working instant, but the finish never precedes
what the predecessor asks for, so a five-day successor starts on Monday. With a lag on the FF
relationship the finish stays at the previous work finish (as MPXJ's scheduler has it).

**Several relationships between one pair** (e.g. SS + FF): the network keeps every link as its
own edge, in both dialects; every one of them constrains.

**Total float** (``P6Options.float_mode``): start float (late start - early start), finish float
(late finish - early finish) or the smaller of the two, in the activity's calendar. Completed
activities have 0 and are never critical.

**Critical** (``P6Options.critical_mode``): total float ≤ ``ScheduleOptions.critical_slack_minutes``,
or on the *longest path*: from the unfinished activities with the latest early finish, back along
*driving* relationships (the ones that set the successor's early start), stopping where an
activity is set by the data date, a constraint or the project start.

**Must finish by** (``P6Options.must_finish_by``): when set, every open-ended activity's late
finish is this instant (earlier or later than the early finish), so a late project shows
negative float.

**Constraints.** P6 names in brackets. SNET [start on or after] and FNET [finish on or after] only
move early dates; SNLT [start on or before] and FNLT [finish on or before] only late dates (unlike
Microsoft Project, they never pull early dates back against the logic); MSO/MFO [mandatory start
/ finish] set both, overriding the logic either way; SO/FO [start on / finish on] act as
on-or-after forward and on-or-before backward. ALAP [as late as possible]: the activity's early
dates move as late as its successors' *early* dates allow (its free float is used up, its total
float shrinks by as much); without successors it ends at the project finish. (Microsoft Project
plans it on its late dates and shows 0 slack.) Each may give negative float.

**Start and finish milestones.** A zero-duration activity sits at an instant between two
working periods, and P6 tells which one: a *finish milestone*
(:attr:`ActivityType.FINISH_MILESTONE`, or a plain milestone) sits at the *previous work
finish* (Friday 17:00) when logic drives it there -- unless its predecessor finished in the
milestone's own non-working time, or nothing drives it (then it is at the next work start) --
and its late dates are at the previous work finish. A *start milestone*
(:attr:`ActivityType.START_MILESTONE`) sits at the *next work start* (Monday 08:00), early and
late alike. Only the instant differs: both are the same working-time position, so floats and
successors' dates do not change.

**Level of effort** (:attr:`ActivityType.LOE`): spans from the earliest date its predecessors give
(SS: their start, FS: their finish, plus lag) to the latest its successors give (FF: their finish,
FS/SS: their start, minus lag); early from early dates, late from late dates. It never drives:
its relationships are left out of both passes, it is never critical and not on the longest path.
Without predecessors it starts at the project start, without successors it ends at the project
finish.

**WBS summary** (:attr:`ActivityType.WBS_SUMMARY`): spans the activities of its WBS branch — the
other activities under its parent (all activities when it has none), LOE and WBS summaries
excluded: earliest start to latest finish, early and late alike. Its relationships are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Dialect(StrEnum):
    """Which tool's rules the engine follows."""

    MSPROJECT = "msproject"
    P6 = "p6"


class ProgressMode(StrEnum):
    """P6's "when scheduling progressed activities use" (see the module docstring)."""

    RETAINED_LOGIC = "retained_logic"
    PROGRESS_OVERRIDE = "progress_override"
    ACTUAL_DATES = "actual_dates"


class LagCalendar(StrEnum):
    """The calendar P6 counts a relationship's lag in."""

    PREDECESSOR = "predecessor"
    SUCCESSOR = "successor"
    HOURS_24 = "24h"
    PROJECT = "project"


class FloatMode(StrEnum):
    """How P6 computes total float."""

    START = "start"
    FINISH = "finish"
    SMALLEST = "smallest"


class CriticalMode(StrEnum):
    """How P6 decides that an activity is critical."""

    TOTAL_FLOAT = "total_float"
    LONGEST_PATH = "longest_path"


class ActivityType(StrEnum):
    """P6 activity types the engine treats apart (the P6 dialect only)."""

    TASK = "task"
    START_MILESTONE = "start_milestone"
    FINISH_MILESTONE = "finish_milestone"
    LOE = "loe"
    WBS_SUMMARY = "wbs_summary"


@dataclass(frozen=True, slots=True)
class P6Options:
    """Primavera P6's scheduling options; passing them as ``ScheduleOptions.p6`` selects P6.

    ``data_date``: naive local datetime, an instant (``None``: the project start). Floats and the
    critical threshold are working minutes in each activity's calendar. ``must_finish_by``:
    naive local datetime or ``None``.
    """

    data_date: datetime | None = None
    progress_mode: ProgressMode = ProgressMode.RETAINED_LOGIC
    lag_calendar: LagCalendar = LagCalendar.PREDECESSOR
    float_mode: FloatMode = FloatMode.FINISH
    critical_mode: CriticalMode = CriticalMode.TOTAL_FLOAT
    must_finish_by: datetime | None = None


def total_float(mode: FloatMode, start_float: int, finish_float: int) -> int:
    """Total float from start and finish float, as ``mode`` says."""
    if mode == FloatMode.START:
        return start_float
    if mode == FloatMode.FINISH:
        return finish_float
    return min(start_float, finish_float)


def longest_path(ends: list[int], drivers: list[list[int]], eligible: list[bool]) -> set[int]:
    """Nodes reached from ``ends`` walking back along driving predecessors (iterative).

    ``drivers[i]``: the predecessors whose relationship set node ``i``'s early start;
    ``eligible[i]``: whether node ``i`` may be on the path (unfinished, not LOE/WBS summary).
    """
    path: set[int] = set()
    stack = [i for i in ends if eligible[i]]
    while stack:
        node = stack.pop()
        if node in path:
            continue
        path.add(node)
        stack.extend(p for p in drivers[node] if eligible[p] and p not in path)
    return path
