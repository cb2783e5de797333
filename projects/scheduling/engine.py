"""Critical-path scheduling engine: forward and backward pass in working time.

Pure Python, no Django or ORM. Call :func:`schedule` with :class:`~projects.scheduling.model.TaskIn`
and :class:`~projects.scheduling.model.LinkIn` rows, the calendars by id, and the project start.

**Datetimes are naive wall-clock datetimes in the project's local time**: the engine never sees a
time zone. The Django service layer converts aware datetimes to the project's zone (and drops
tzinfo) before calling, and makes the results aware again. Results have minute precision.

How it works. Every date is held as an absolute minute and, for arithmetic, as a position ``W`` on
the working-minute axis of the task's calendar (see :mod:`projects.scheduling.calendar`), so
"finish = start + duration" is one integer addition whatever lies between. The network is ordered
once (Kahn), then:

1. forward pass in that order: early start = latest of what the predecessors allow (FS: after the
   predecessor's finish, SS: after its start, FF/SF: the successor's finish after the
   predecessor's finish/start), plus lag in the successor's calendar; then the task's constraint;
   actual dates override;
2. backward pass in reverse order: late finish = earliest of what the successors allow, capped at
   the project finish (the latest early finish); then constraints and deadlines;
3. if any task is ALAP, a second forward pass in which successors of an ALAP task follow its late
   dates (an ALAP task is planned on its late dates);
4. summaries roll up; total slack = min(start slack, finish slack); free slack per link.

Everything is linear in tasks + links; each calendar conversion is O(log days).

Microsoft Project is the reference (checked against files it wrote, see
``tests/projects/test_mspdi.py``). Its behaviours that a textbook CPM would not give, all matched
here on purpose:

* Starts sit at the start of working time and finishes at its end: a successor of a task that
  finishes Friday 17:00 starts Monday 08:00, but a *milestone* successor stays on Friday 17:00.
* A task with no successors gets the project finish as late finish, and its free slack equals
  its total slack (not "project finish minus early finish" measured differently).
* Total slack is ``min(start slack, finish slack)`` measured in the task's calendar; for a task
  in progress it is the finish slack; for an ALAP task it is 0 (so ALAP tasks show critical).
* No link pulls a task before the project start, whatever the lag or link type (MPXJ's
  reconstruction of Project does this for FF links; the engine does it for all, the samples
  agree). Only a constraint date can place a task earlier.
* Backward pass through SS and SF links: the predecessor's late start is the successor's late
  start (SS) or late finish (SF) minus lag. For a *manually scheduled* predecessor Microsoft
  Project instead takes the successor's late finish when the successor has no successors of its
  own, and the project finish otherwise. An SS/SF link whose predecessor or successor has
  started no longer constrains the predecessor's late dates.
* Completed successors impose nothing in the backward pass; completed tasks have zero slack and
  are never critical. A manually scheduled task with no links at all is never critical.
* Summary tasks: links to a summary apply to all its subtasks; a FS/FF link from a summary
  constrains all its subtasks' finishes, a SS/SF link only its earliest subtask (the one that
  starts the summary). Summary slack comes from its rolled-up dates; its free slack considers
  links leaving the summary and otherwise equals its total slack.
* ``status_date`` is optional. Microsoft Project's default calculation ignores it, and so does
  the engine when it is ``None``. When given, work not yet done is never scheduled before it
  (Project's "reschedule uncompleted work to start after the status date").

**Dialects.** The above is the Microsoft Project dialect (``options.p6 is None``). Passing
``ScheduleOptions(p6=P6Options(...))`` makes the same passes apply Primavera P6's rules instead
at a few named hooks (``_p6_*`` methods: data date, progressed activities, lag calendars,
constraints, float and critical modes, must-finish-by, level-of-effort and WBS-summary
activities); :mod:`projects.scheduling.dialects` lists the rules and how a caller selects them.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from datetime import datetime

from projects.scheduling.calendar import WorkCalendar, from_abs_minute, to_abs_minute
from projects.scheduling.dialects import ActivityType, CriticalMode, LagCalendar, P6Options, ProgressMode
from projects.scheduling.dialects import longest_path as _longest_path
from projects.scheduling.dialects import total_float as _total_float
from projects.scheduling.model import (
    ConstraintType,
    LinkIn,
    ScheduleInputError,
    ScheduleOptions,
    ScheduleResult,
    TaskIn,
    TaskOut,
)
from projects.scheduling.network import FF, FS, SF, SS, Network, build_network, leaves_of

ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO, SO, FO = range(10)
_CONSTRAINT_CODES = {ct: code for code, ct in enumerate(ConstraintType)}


def schedule(
    tasks: Sequence[TaskIn],
    links: Sequence[LinkIn],
    *,
    calendars: Mapping[str, WorkCalendar],
    default_calendar_id: str,
    project_start: datetime,
    status_date: datetime | None = None,
    options: ScheduleOptions | None = None,
) -> ScheduleResult:
    """Schedule ``tasks`` and return every task's dates, slack and critical flag.

    ``calendars`` maps calendar ids to calendars; ``default_calendar_id`` is used by tasks
    without a ``calendar_id`` and by summaries. ``options.p6`` selects the Primavera P6 dialect
    (``status_date`` is then ignored: P6's data date is ``options.p6.data_date``). Raises
    :class:`~projects.scheduling.model.ScheduleInputError` for inconsistent input and
    :class:`~projects.scheduling.model.ScheduleCycleError` (naming the tasks) for a cycle.
    """
    if project_start.tzinfo is not None or (status_date is not None and status_date.tzinfo is not None):
        raise ScheduleInputError("project_start and status_date must be naive local datetimes")
    # A run allocates a few objects per task and creates no reference cycles, so the cyclic
    # garbage collector has nothing to find; pausing it saves about a fifth of the time on
    # 100k tasks. It is switched back on however the run ends.
    collecting = gc.isenabled()
    gc.disable()
    try:
        network = build_network(tasks, links)
        run = _Run(network, calendars, default_calendar_id, project_start, status_date, options or ScheduleOptions())
        run.forward(alap_pass=False)
        run.backward()
        if any(run.alap):
            run.forward(alap_pass=True)
        if run.p6 is not None:
            run.p6_spans()
        run.rollup()
        return run.result()
    finally:
        if collecting:
            gc.enable()


class _Run:
    """Arrays and passes of one scheduling run. Node ``i`` is ``network.tasks[i]``."""

    def __init__(
        self,
        net: Network,
        calendars: Mapping[str, WorkCalendar],
        default_calendar_id: str,
        project_start: datetime,
        status_date: datetime | None,
        options: ScheduleOptions,
    ) -> None:
        self.net, self.options = net, options
        n = len(net.tasks)
        summary_flags = net.is_summary
        if default_calendar_id not in calendars:
            raise ScheduleInputError(f"Default calendar {default_calendar_id!r} is not among the calendars")
        self.cal: list[WorkCalendar] = []  # where the duration is laid out (resources' time)
        self.tcal: list[WorkCalendar] = []  # the task's own calendar: slack and lags
        for i, task in enumerate(net.tasks):
            for calendar_id in (task.calendar_id, task.resource_calendar_id):
                if calendar_id is not None and calendar_id not in calendars:
                    raise ScheduleInputError(f"Task {task.id!r} uses unknown calendar {calendar_id!r}")
            own = calendars[task.calendar_id or default_calendar_id]
            self.tcal.append(own)
            resources = task.resource_calendar_id
            self.cal.append(calendars[resources] if resources and not summary_flags[i] else own)
        self.ps_a = to_abs_minute(project_start)
        self.status_a = None if status_date is None else to_abs_minute(status_date)
        summary = net.is_summary
        self.span = [0 if summary[i] else t.duration_minutes + t.split_minutes for i, t in enumerate(net.tasks)]
        self.ctype = [ASAP if summary[i] else _CONSTRAINT_CODES[t.constraint_type] for i, t in enumerate(net.tasks)]
        self.alap = [c == ALAP for c in self.ctype]
        self.manual = [t.is_manual and not summary[i] for i, t in enumerate(net.tasks)]
        self.finished = [t.actual_finish is not None or t.percent_complete >= 100 for t in net.tasks]
        self.started = [
            f or t.actual_start is not None or t.percent_complete > 0
            for f, t in zip(self.finished, net.tasks, strict=True)
        ]
        self.remaining = [self._remaining(i) for i in range(n)]
        self.cd_w = [0] * n
        self.cd_a: list[int | None] = [None] * n
        for i, task in enumerate(net.tasks):
            if task.constraint_date is not None and not summary[i]:
                self.cd_a[i] = to_abs_minute(task.constraint_date)
                self.cd_w[i] = self.cal[i].w(self.cd_a[i])
        self.es_a, self.ef_a, self.ls_a, self.lf_a = [0] * n, [0] * n, [0] * n, [0] * n
        self.es_w, self.ef_w, self.ls_w, self.lf_w = [0] * n, [0] * n, [0] * n, [0] * n
        self.cls_w = [0] * n  # late start the links use: late finish - remaining duration
        self.pf_a = self.ps_a
        # Dialect: the edges the passes follow, and P6's state (see _init_p6).
        self.pred_edges, self.succ_edges = net.pred_edges, net.succ_edges
        self.p6: P6Options | None = options.p6
        self.skip: list[bool] | None = None  # P6: LOE / WBS summary, laid out after the passes
        if self.p6 is not None:
            self._init_p6(self.p6, calendars[default_calendar_id])

    def _init_p6(self, p6: P6Options, project_calendar: WorkCalendar) -> None:
        """P6 dialect: data date (an instant, never before it; the project start moves up to
        it), must-finish-by, activity kinds and the edges that drive (none to or from a
        level-of-effort or WBS-summary activity)."""
        net, n = self.net, len(self.net.tasks)
        for value in (p6.data_date, p6.must_finish_by):
            if value is not None and value.tzinfo is not None:
                raise ScheduleInputError("data_date and must_finish_by must be naive local datetimes")
        self.status_a = self.ps_a if p6.data_date is None else to_abs_minute(p6.data_date)
        self.ps_a = max(self.ps_a, self.status_a)
        self.mfb_a = None if p6.must_finish_by is None else to_abs_minute(p6.must_finish_by)
        self.kind = [
            ActivityType.TASK if net.is_summary[i] else ActivityType(t.activity_type) for i, t in enumerate(net.tasks)
        ]
        skip = self.skip = [k in (ActivityType.LOE, ActivityType.WBS_SUMMARY) for k in self.kind]
        self.pred_edges = [[] if skip[i] else [e for e in es if not skip[e[0]]] for i, es in enumerate(net.pred_edges)]
        self.succ_edges = [[] if skip[i] else [e for e in es if not skip[e[0]]] for i, es in enumerate(net.succ_edges)]
        self.project_cal = project_calendar
        # P6 plans an ALAP activity on early dates delayed by its free float (in the backward
        # pass), not on its late dates: Microsoft Project's ALAP handling is switched off.
        self.p6_alap, self.alap = self.alap, [False] * n
        self.drivers: list[list[int]] = [[] for _ in range(n)]
        self.planned: dict[int, tuple[int, int]] = {}  # WBS summaries' (start, finish)

    def _remaining(self, i: int) -> int:
        task = self.net.tasks[i]
        if self.finished[i]:
            return 0
        if task.remaining_minutes is not None:
            return task.remaining_minutes
        return round(self.span[i] * (1 - task.percent_complete / 100))

    # -- forward ------------------------------------------------------------------------------

    def forward(self, *, alap_pass: bool) -> None:
        """Early dates, in topological order. ``alap_pass``: successors follow ALAP late dates."""
        net, cal, span = self.net, self.cal, self.span
        es_a, ef_a, es_w, ef_w = self.es_a, self.ef_a, self.es_w, self.ef_w
        ls_a, lf_a, ls_w, lf_w = self.ls_a, self.lf_a, self.ls_w, self.lf_w
        alap, ctype, cd_w, cd_a = self.alap, self.ctype, self.cd_w, self.cd_a
        p6, skip, pred_edges = self.p6, self.skip, self.pred_edges
        for i in net.order:
            if net.is_summary[i]:
                self._rollup_early(i, late_for_alap=alap_pass)
                continue
            if skip is not None and skip[i]:
                continue
            c, sp, task = cal[i], span[i], net.tasks[i]
            if self.manual[i]:
                es_a[i], ef_a[i] = to_abs_minute(task.manual_start), to_abs_minute(task.manual_finish)  # type: ignore[arg-type]
                es_w[i], ef_w[i] = c.w(es_a[i]), c.w(ef_a[i])
                continue
            if p6 is not None and self.started[i] and not self.finished[i]:
                self._p6_resume(i, c, p6)
            elif task.actual_start is not None:
                es_a[i] = to_abs_minute(task.actual_start)
                es_w[i] = x = c.w(es_a[i])
            else:
                psw = c.w(self.ps_a)
                best = None
                tc = self.tcal[i]
                candidates = []
                reach = None  # P6: the latest instant a link asks for (a milestone never precedes it)
                finish_reach = None  # P6: ...and an FF link without lag, for the finish (see below)
                start_driven: list[int] = []  # P6: the early start W each FS / SS link asks for
                for p, code, lag, elapsed in pred_edges[i]:
                    late = alap_pass and alap[p] and not alap[i]
                    if code in (FS, FF):
                        a, w = (lf_a[p], lf_w[p]) if late else (ef_a[p], ef_w[p])
                    else:
                        a, w = (ls_a[p], ls_w[p]) if late else (es_a[p], es_w[p])
                    if p6 is not None:
                        if code == SS and not lag and not self.started[p]:
                            moment = self._p6_zero_lag_start(p, i, a, elapsed)
                        else:
                            moment = self._p6_lag_forward(p, i, a, self._p6_lag_left(p, code, lag), elapsed)
                        reach = moment if reach is None else max(reach, moment)
                        x = c.w(moment)
                        if code == FF and not lag and not self.started[p]:
                            finish_reach = moment if finish_reach is None else max(finish_reach, moment)
                        elif code <= SS:
                            start_driven.append(x)
                    elif elapsed:
                        x = c.w(a + lag)
                    elif lag and tc is not c:  # the lag is working time of the task calendar
                        x = c.w(tc.finish_of(tc.w(a) + lag))
                    elif cal[p] is c:
                        x = w + lag
                    else:
                        x = c.w(a) + lag
                    if code >= FF:  # the link drives the finish
                        x -= sp
                    if x < psw:  # no link pulls a task before the project start
                        x = psw
                    if p6 is not None:
                        candidates.append((p, x))
                    if best is None or x > best:
                        best = x
                cdw = cd_w[i]
                if p6 is not None:
                    x = self._p6_early_constraints(i, c, psw if best is None else best)
                    self.drivers[i] = [p for p, y in candidates if y == x]
                else:
                    ct = ctype[i]
                    if best is not None:
                        x = best
                    elif ct == SNET:
                        x = cdw
                    elif ct == FNET:
                        x = cdw - sp
                    else:
                        x = psw
                    if self.status_a is not None and not self.started[i]:
                        x = max(x, c.w(self.status_a))  # no new work before the status date
                    if ct in (SNET, FNET):
                        x = max(x, cdw if ct == SNET else cdw - sp)
                    elif ct in (SNLT, FNLT):
                        x = min(x, cdw if ct == SNLT else cdw - sp)
                    elif ct in (MSO, MFO):
                        x = cdw if ct == MSO else cdw - sp
                es_w[i] = x
                if sp or (p6 is not None and self.kind[i] == ActivityType.START_MILESTONE):
                    es_a[i] = c.start_of(x)  # P6: a start milestone sits at the next work start
                elif cd_a[i] is not None and cdw == x:
                    es_a[i] = cd_a[i]  # type: ignore[assignment]
                elif best is not None and x == best and x != psw:
                    es_a[i] = c.finish_of(x)  # a milestone stays at the end of working time
                    if p6 is not None and reach is not None and es_a[i] < reach:
                        # ...unless its predecessor finished in the milestone's non-working time
                        # (a seven-day activity's Saturday): P6 places it at the next work start.
                        es_a[i] = c.start_of(x)
                else:
                    es_a[i] = c.start_of(x)
                self._early_finish(i, c, sp, task)
                if finish_reach is not None and sp and self.ef_a[i] < finish_reach and es_w[i] not in start_driven:
                    # P6: an FF link without lag drives the activity (no FS / SS link sets the
                    # same start) and asks for a finish in its non-working time (a five-day
                    # predecessor's Friday for a four-day activity): the same working instant,
                    # but the finish sits where work resumes, not before the instant asked for.
                    self.ef_a[i] = c.start_of(self.ef_w[i])
                continue
            self._early_finish(i, c, sp, task)

    def _early_finish(self, i: int, c: WorkCalendar, sp: int, task: TaskIn) -> None:
        es_w = self.es_w[i]
        if self.finished[i] and task.actual_finish is not None:
            self.ef_a[i] = to_abs_minute(task.actual_finish)
            self.ef_w[i] = c.w(self.ef_a[i])
            return
        x = es_w + sp
        if self.p6 is not None:  # a progressed activity's early start is where its remaining work resumes
            if self.started[i] and not self.finished[i]:
                x = es_w + self.remaining[i]
        elif self.started[i] and not self.finished[i]:
            if self.ctype[i] == FNET:
                x = max(x, self.cd_w[i])
            if self.status_a is not None:
                x = max(x, c.w(self.status_a) + self.remaining[i])
        self.ef_w[i] = x
        self.ef_a[i] = c.finish_of(x) if x > es_w else self.es_a[i]

    # -- P6 dialect hooks (see projects.scheduling.dialects) --------------------------------

    def _p6_lag_calendar(self, p: int, q: int) -> WorkCalendar | None:
        """The calendar a link ``p -> q`` counts its lag in (``None``: 24 hours, wall clock)."""
        mode = self.p6.lag_calendar  # type: ignore[union-attr]
        if mode == LagCalendar.PREDECESSOR:
            return self.tcal[p]
        if mode == LagCalendar.SUCCESSOR:
            return self.tcal[q]
        if mode == LagCalendar.PROJECT:
            return self.project_cal
        return None

    def _p6_lag_left(self, p: int, code: int, lag: int) -> int:
        """The lag still to run on a link from ``p``: from a progressed predecessor's start (SS,
        SF), its actual duration counts against the lag, which then runs from where its remaining
        work resumes."""
        if code in (SS, SF) and lag > 0 and self.started[p] and not self.finished[p]:
            return max(0, lag - self._p6_actual_duration(p))
        return lag

    def _p6_actual_duration(self, p: int) -> int:
        """P6's actual duration of an activity in progress: the working time of its calendar from
        its actual start to the data date (not its duration less the remaining duration: an
        activity that started on Friday 13:00 and reports three of its four hours left by a
        Monday data date has an actual duration of four hours). Without an actual start, the
        duration done."""
        actual = self.net.tasks[p].actual_start
        if actual is None:
            return self.span[p] - self.remaining[p]
        t = self.tcal[p]
        return max(0, t.w(self.status_a) - t.w(to_abs_minute(actual)))  # type: ignore[arg-type]

    def _p6_lag_forward(self, p: int, q: int, a: int, lag: int, elapsed: bool) -> int:
        """Absolute minute ``lag`` after absolute minute ``a`` on link ``p -> q``."""
        if not lag:
            return a
        lc = None if elapsed else self._p6_lag_calendar(p, q)
        if lc is None:
            return a + lag
        # Counting forward ends where work stops (Friday 17:00); counting back (a lead) ends
        # where work resumes (Tuesday 08:00 after a long weekend), as P6 does.
        return lc.finish_of(lc.w(a) + lag) if lag > 0 else lc.start_of(lc.w(a) + lag)

    def _p6_zero_lag_start(self, p: int, q: int, a: int, elapsed: bool) -> int:
        """An SS link without lag from a not-started predecessor: the lag, zero as it is, is
        still counted in the lag calendar, so the successor may start at that calendar's next
        work start at or after the predecessor's start (after a finish milestone at Friday 17:00
        on a five-day calendar: Monday 08:00, not a four-day calendar's Monday 07:00)."""
        lc = None if elapsed else self._p6_lag_calendar(p, q)
        return a if lc is None else lc.start_of(lc.w(a))

    def _p6_lag_back(self, p: int, q: int, a: int, lag: int, elapsed: bool) -> int:
        """Absolute minute ``lag`` before absolute minute ``a`` on link ``p -> q``."""
        if not lag:
            return a
        lc = None if elapsed else self._p6_lag_calendar(p, q)
        if lc is None:
            return a - lag
        return lc.start_of(lc.w(a) - lag) if lag > 0 else lc.finish_of(lc.w(a) - lag)

    def _p6_early_constraints(self, i: int, c: WorkCalendar, x: int) -> int:
        """Early start ``W`` of a not-started activity from its logic ``x``: never before the
        data date; SNET/SO and FNET/FO push it later, MSO/MFO set it; SNLT/FNLT do not act."""
        x = max(x, c.w(self.status_a))  # type: ignore[arg-type]
        ct, cdw, sp = self.ctype[i], self.cd_w[i], self.span[i]
        if ct in (SNET, SO):
            x = max(x, cdw)
        elif ct in (FNET, FO):
            x = max(x, cdw - sp)
        elif ct == MSO:
            x = cdw
        elif ct == MFO:
            x = cdw - sp
        return x

    def _p6_resume(self, i: int, c: WorkCalendar, p6: P6Options) -> None:
        """Where a progressed activity's remaining work resumes (its remaining early start),
        under the project's progress mode (see :class:`~projects.scheduling.dialects.ProgressMode`)."""
        x = c.w(self.status_a)  # type: ignore[arg-type]
        rem = self.remaining[i]
        task = self.net.tasks[i]
        if p6.progress_mode == ProgressMode.RETAINED_LOGIC:
            candidates = []
            for p, code, lag, elapsed in self.pred_edges[i]:
                if self.finished[p] and code in (SS, SF):
                    continue  # a finished predecessor's start drives nothing any more
                a = self.ef_a[p] if code in (FS, FF) else self.es_a[p]
                y = c.w(self._p6_lag_forward(p, i, a, self._p6_lag_left(p, code, lag), elapsed))
                if code >= FF:
                    y -= rem
                candidates.append((p, y))
                x = max(x, y)
            self.drivers[i] = [p for p, y in candidates if y == x]
        elif p6.progress_mode == ProgressMode.ACTUAL_DATES and task.actual_start is not None:
            x = max(x, c.w(to_abs_minute(task.actual_start)) + self.span[i] - rem)
        self.es_w[i] = x
        self.es_a[i] = c.start_of(x)

    def _p6_alap_adjust(self, i: int) -> None:
        """P6's as-late-as-possible: the early dates move as late as the successors' *early*
        dates allow (the free float is used up; the total float shrinks by it); without
        successors the activity ends at the project finish. Successors come first in the
        backward pass, so a chain of ALAP activities moves together."""
        c, sp = self.cal[i], self.span[i]
        bounds = []
        for q, code, lag, elapsed in self.succ_edges[i]:
            if self.finished[q]:
                continue
            a = self.es_a[q] if code in (FS, SS) else self.ef_a[q]
            y = c.w(self._p6_lag_back(i, q, a, lag, elapsed))
            bounds.append(y + sp if code in (SS, SF) else y)
        finish = min(bounds) if bounds else c.w(self.alap_finish_a)
        if finish <= self.ef_w[i]:
            return
        self.ef_w[i], self.es_w[i] = finish, finish - sp
        self.es_a[i] = c.start_of(finish - sp)
        self.ef_a[i] = c.finish_of(finish) if sp else self.es_a[i]

    def _p6_late_constraints(self, i: int, lf: int) -> int:
        """Late finish ``W`` after P6's constraints: SNLT/SO and FNLT/FO cap it, MSO/MFO set it."""
        ct, cdw, sp, started = self.ctype[i], self.cd_w[i], self.span[i], self.started[i]
        if ct == MSO and not started:
            lf = cdw + sp
        elif ct == MFO:
            lf = cdw
        elif ct == SNLT or (ct == SO and not started):
            lf = min(lf, cdw + sp)
        elif ct in (FNLT, FO):
            lf = min(lf, cdw)
        deadline = self.net.tasks[i].deadline
        if deadline is not None:
            lf = min(lf, self.cal[i].w(to_abs_minute(deadline)))
        return lf

    def p6_spans(self) -> None:
        """Lay out level-of-effort activities from their links and WBS summaries over their
        branch, once every other activity has its dates (they drive nothing)."""
        net, kind = self.net, self.kind
        leaves = [i for i in range(len(net.tasks)) if not net.is_summary[i] and not self.skip[i]]  # type: ignore[index]
        normal_finish = max((self.ef_a[i] for i in leaves), default=self.ps_a)
        for i in net.order:
            if kind[i] == ActivityType.LOE:
                self._p6_level_of_effort(i, normal_finish)
        for i in net.order:
            if kind[i] == ActivityType.WBS_SUMMARY:
                parent = net.parent[i]
                branch = leaves_of(net, parent) if parent != -1 else leaves
                self._p6_wbs_summary(i, [k for k in branch if not self.skip[k]])  # type: ignore[index]

    def _p6_level_of_effort(self, i: int, normal_finish: int) -> None:
        task, c = self.net.tasks[i], self.cal[i]
        if self.finished[i] and task.actual_start is not None and task.actual_finish is not None:
            start = late_start = to_abs_minute(task.actual_start)
            finish = late_finish = to_abs_minute(task.actual_finish)
        else:
            early_starts, late_starts, early_finishes, late_finishes = [], [], [], []
            pred_finishes, pred_late_finishes = [], []
            for p, code, lag, elapsed in self.net.pred_edges[i]:
                if self.skip[p]:  # type: ignore[index]
                    continue
                from_finish = code in (FS, FF)
                early = self.ef_a[p] if from_finish else self.es_a[p]
                late = self.lf_a[p] if from_finish else self.ls_a[p]
                if code in (FF, SF):  # an FF / SF predecessor sets the LOE's finish, not its start
                    pred_finishes.append(self._p6_lag_forward(p, i, early, lag, elapsed))
                    pred_late_finishes.append(self._p6_lag_forward(p, i, late, lag, elapsed))
                    continue
                early_starts.append(self._p6_lag_forward(p, i, early, lag, elapsed))
                late_starts.append(self._p6_lag_forward(p, i, late, lag, elapsed))
            for q, code, lag, elapsed in self.net.out_links[i]:
                if self.skip[q]:  # type: ignore[index]
                    continue
                to_finish = code in (FF, SF)
                early = self.ef_a[q] if to_finish else self.es_a[q]
                late = self.lf_a[q] if to_finish else self.ls_a[q]
                early_finishes.append(self._p6_lag_back(i, q, early, lag, elapsed))
                late_finishes.append(self._p6_lag_back(i, q, late, lag, elapsed))
            floor = self.status_a if not self.started[i] else self.ps_a
            start = max(min(early_starts, default=self.ps_a), floor)  # type: ignore[type-var]
            late_start = max(min(late_starts, default=self.ps_a), floor)  # type: ignore[type-var]
            early_finishes += pred_finishes
            late_finishes += pred_late_finishes
            finish = max(max(early_finishes, default=normal_finish), start)
            late_finish = max(max(late_finishes, default=self.pf_a), late_start)
        self._p6_set(i, c, start, finish, late_start, late_finish)

    def _p6_wbs_summary(self, i: int, members: list[int]) -> None:
        c = self.cal[i]
        if not members:
            self._p6_set(i, c, self.ps_a, self.ps_a, self.ps_a, self.ps_a)
            return
        self._p6_set(
            i,
            c,
            min(self.es_a[k] for k in members),
            max(self.ef_a[k] for k in members),
            min(self.ls_a[k] for k in members),
            max(self.lf_a[k] for k in members),
        )
        self.planned[i] = (min(self._planned(k)[0] for k in members), max(self._planned(k)[1] for k in members))

    def _planned(self, k: int) -> tuple[int, int]:
        """Planned (start, finish) of activity ``k`` before the roll-up: actual start if any."""
        start, finish = self._dates(k)
        actual = self.net.tasks[k].actual_start
        if self.started[k] and actual is not None:
            start = to_abs_minute(actual)
        return start, finish

    def _p6_set(self, i: int, c: WorkCalendar, es: int, ef: int, ls: int, lf: int) -> None:
        """Store dates of an activity laid out from others' (snapped to its working time)."""
        self.es_w[i], self.ef_w[i], self.ls_w[i], self.lf_w[i] = c.w(es), c.w(ef), c.w(ls), c.w(lf)
        self.cls_w[i] = self.ls_w[i]
        self.es_a[i] = c.start_of(self.es_w[i]) if self.ef_w[i] > self.es_w[i] else es
        self.ef_a[i] = c.finish_of(self.ef_w[i]) if self.ef_w[i] > self.es_w[i] else self.es_a[i]
        self.ls_a[i] = c.start_of(self.ls_w[i]) if self.lf_w[i] > self.ls_w[i] else ls
        self.lf_a[i] = c.finish_of(self.lf_w[i]) if self.lf_w[i] > self.ls_w[i] else self.ls_a[i]

    def _rollup_early(self, s: int, *, late_for_alap: bool) -> None:
        kids = self.net.children[s]
        if self.skip is not None:  # P6: LOE / WBS summaries have no dates yet
            kids = [k for k in kids if not self.skip[k]] or [s]
            if kids == [s]:
                self.es_a[s] = self.ef_a[s] = self.ps_a
                self.es_w[s] = self.ef_w[s] = self.cal[s].w(self.ps_a)
                return
        starts = [self.ls_a[k] if late_for_alap and self.alap[k] else self.es_a[k] for k in kids]
        finishes = [self.lf_a[k] if late_for_alap and self.alap[k] else self.ef_a[k] for k in kids]
        c = self.cal[s]
        self.es_a[s], self.ef_a[s] = min(starts), max(finishes)
        self.es_w[s], self.ef_w[s] = c.w(self.es_a[s]), c.w(self.ef_a[s])

    # -- backward -----------------------------------------------------------------------------

    def backward(self) -> None:
        """Late dates, in reverse topological order (successors and summaries first)."""
        net, cal, span = self.net, self.cal, self.span
        skip, p6 = self.skip, self.p6
        leaves = [i for i in range(len(net.tasks)) if not net.is_summary[i] and not (skip and skip[i])]
        self.pf_a = max((self.ef_a[i] for i in leaves), default=self.ps_a)
        self.alap_finish_a = self.pf_a  # P6: where an ALAP activity without successors ends
        if p6 is not None and self.mfb_a is not None:
            self.pf_a = self.mfb_a  # P6's must-finish-by: open ends finish there, early or late
            self.alap_finish_a = max(self.alap_finish_a, self.mfb_a)
        es_w, ef_w, ls_w, lf_w, cls_w = self.es_w, self.ef_w, self.ls_w, self.lf_w, self.cls_w
        started, finished, manual = self.started, self.finished, self.manual
        finish_limit: list[int | None] = [None] * len(net.tasks)  # from links of enclosing summaries
        start_limit: dict[int, int] = {}  # SS/SF from a summary, on its earliest subtask
        retained = p6 is not None and p6.progress_mode == ProgressMode.RETAINED_LOGIC
        for i in reversed(net.order):
            if net.is_summary[i]:
                self._summary_limits(i, finish_limit, start_limit)
                continue
            if skip is not None and skip[i]:
                continue
            c, sp = cal[i], span[i]
            if finished[i]:
                self.lf_a[i], lf_w[i], cls_w[i] = self.ef_a[i], ef_w[i], ef_w[i]
                self.ls_a[i], ls_w[i] = self.es_a[i], es_w[i]
                continue
            pfw = c.w(self.pf_a)
            best = None
            for q, code, lag, elapsed in self.succ_edges[i]:
                if finished[q]:
                    continue
                if p6 is not None:
                    if started[q] and not retained:
                        continue  # progress overrides the logic into a progressed activity
                    y = self._p6_back(i, q, code, lag, elapsed)
                elif code in (SS, SF):
                    if started[i] or started[q]:
                        y = pfw
                    elif manual[i]:  # Microsoft Project's rule for manually scheduled predecessors
                        y = pfw if net.succ_edges[q] else min(c.w(self.lf_a[q]), pfw)
                    else:
                        y = self._back(c, q, ls_w[q] if code == SS else lf_w[q], lag, elapsed) + sp
                else:
                    y = self._back(c, q, cls_w[q] if code == FS else lf_w[q], lag, elapsed)
                if y > pfw:
                    y = pfw
                if best is None or y < best:
                    best = y
            parent = net.parent[i]
            limit = finish_limit[parent] if parent != -1 else None
            if limit is not None:
                y = min(c.w(limit), pfw)
                best = y if best is None else min(best, y)
            if i in start_limit:
                y = min(c.w(start_limit[i]) + sp, pfw)
                best = y if best is None else min(best, y)
            if best is None:
                best = ef_w[i] if self.options.multiple_critical_paths else pfw
            best = self._late_constraints(i, best) if p6 is None else self._p6_late_constraints(i, best)
            rem = self.remaining[i] if started[i] else sp
            lf_w[i], cls_w[i] = best, best - rem
            if not rem and p6 is not None and self.kind[i] == ActivityType.START_MILESTONE:
                self.lf_a[i] = c.start_of(best)  # P6: a start milestone's late dates too
            else:
                self.lf_a[i] = c.finish_of(best)
            if started[i] and p6 is None:  # a started task's late start is its actual start
                self.ls_a[i], ls_w[i] = self.es_a[i], es_w[i]
            else:
                ls_w[i] = best - rem
                self.ls_a[i] = c.start_of(ls_w[i]) if rem else self.lf_a[i]
            if p6 is not None and self.p6_alap[i] and not started[i]:
                self._p6_alap_adjust(i)

    def _p6_back(self, i: int, q: int, code: int, lag: int, elapsed: bool) -> int:
        """P6: the late finish ``W`` (in ``i``'s calendar) that link ``i -> q`` allows ``i``."""
        c, qc = self.cal[i], self.cal[q]
        if code == FS:
            w = self.cls_w[q]
        elif code == SS:
            w = self.ls_w[q]
        else:
            w = self.lf_w[q]
        a = qc.start_of(w) if code in (FS, SS) else qc.finish_of(w)
        y = c.w(self._p6_lag_back(i, q, a, self._p6_lag_left(i, code, lag), elapsed))
        if code in (SS, SF):  # the link bounds i's (remaining) start: add what is left of it
            y += self.remaining[i] if self.started[i] else self.span[i]
        return y

    def _back(self, c: WorkCalendar, q: int, w: int, lag: int, elapsed: bool) -> int:
        """Position ``w`` of successor ``q`` minus the link lag, as a ``W`` of calendar ``c``."""
        qc = self.cal[q]
        if elapsed:
            return c.w(qc.start_of(w) - lag)
        tq = self.tcal[q]
        if lag and tq is not qc:  # the lag is working time of the successor's task calendar
            return c.w(tq.start_of(tq.w(qc.start_of(w)) - lag))
        if qc is c:
            return w - lag
        return c.w(qc.start_of(w - lag))

    def _late_constraints(self, i: int, lf: int) -> int:
        ct, cdw, sp = self.ctype[i], self.cd_w[i], self.span[i]
        if ct == MSO:
            lf = cdw + sp
        elif ct == MFO:
            lf = cdw
        elif ct == SNLT:
            lf = min(lf, cdw + sp)
        elif ct == FNLT:
            lf = min(lf, cdw)
        deadline = self.net.tasks[i].deadline
        if deadline is not None:
            lf = min(lf, self.cal[i].w(to_abs_minute(deadline)))
        return lf

    def _summary_limits(self, s: int, finish_limit: list[int | None], start_limit: dict[int, int]) -> None:
        """Turn links *from* summary ``s`` into limits on its subtasks (absolute minutes)."""
        finish: int | None = None
        start: int | None = None
        for q, code, lag, elapsed in self.net.succ_edges[s]:
            if self.finished[q] or (code in (SS, SF) and self.started[q]):
                continue
            if self.skip is not None and self.skip[q]:
                continue
            qc = self.cal[q]
            w = self.cls_w[q] if code == FS else self.ls_w[q] if code == SS else self.lf_w[q]
            bound = qc.start_of(w) - lag if elapsed else qc.start_of(w - lag)
            if code in (FS, FF):
                finish = bound if finish is None else min(finish, bound)
            else:
                start = bound if start is None else min(start, bound)
        parent = self.net.parent[s]
        inherited = finish_limit[parent] if parent != -1 else None
        if inherited is not None:
            finish = inherited if finish is None else min(finish, inherited)
        finish_limit[s] = finish
        if start is not None:
            first = min(leaves_of(self.net, s), key=lambda leaf: self.es_a[leaf])
            start_limit[first] = min(start, start_limit.get(first, start))

    # -- roll-up, slack, result ---------------------------------------------------------------

    def rollup(self) -> None:
        """Summary dates and progress from their children (children come first in the order)."""
        net = self.net
        self.pct = [float(t.percent_complete) for t in net.tasks]
        self.start_a = [0] * len(net.tasks)
        self.finish_a = [0] * len(net.tasks)
        self.dur = [0] * len(net.tasks)
        for i in net.order:
            c = self.cal[i]
            if not net.is_summary[i]:
                if self.started[i] or self.manual[i] or not self.alap[i]:
                    self.start_a[i], self.finish_a[i] = self.es_a[i], self.ef_a[i]
                else:
                    self.start_a[i], self.finish_a[i] = self.ls_a[i], self.lf_a[i]
                if self.p6 is not None:  # a progressed activity started at its actual start
                    self.start_a[i], self.finish_a[i] = self.planned.get(i) or self._planned(i)
                self.dur[i] = c.w(self.finish_a[i]) - c.w(self.start_a[i])
                continue
            kids = net.children[i]
            alap, manual = self.alap, self.manual
            self.es_a[i] = min(self.ls_a[k] if alap[k] else self.es_a[k] for k in kids)
            self.ef_a[i] = max(self.lf_a[k] if alap[k] else self.ef_a[k] for k in kids)
            self.ls_a[i] = min(self.es_a[k] if manual[k] else self.ls_a[k] for k in kids)
            self.lf_a[i] = max(self.ef_a[k] if manual[k] else self.lf_a[k] for k in kids)
            self.start_a[i] = min(self.start_a[k] for k in kids)
            self.finish_a[i] = max(self.finish_a[k] for k in kids)
            self.started[i] = any(self.started[k] for k in kids)
            self.finished[i] = all(self.finished[k] for k in kids)
            for arr_a, arr_w in (
                (self.es_a, self.es_w),
                (self.ef_a, self.ef_w),
                (self.ls_a, self.ls_w),
                (self.lf_a, self.lf_w),
            ):
                arr_w[i] = c.w(arr_a[i])
            self.dur[i] = c.w(self.finish_a[i]) - c.w(self.start_a[i])
            weight = sum(self.dur[k] for k in kids)
            if weight:
                self.pct[i] = sum(self.pct[k] * self.dur[k] for k in kids) / weight
            else:
                self.pct[i] = sum(self.pct[k] for k in kids) / len(kids)

    def _total_slack(self, i: int) -> int:
        if self.p6 is not None:
            return self._p6_total_float(i)
        if self.finished[i] or (self.alap[i] and not self.net.is_summary[i]):
            return 0
        t = self.tcal[i]
        if t is self.cal[i]:
            es, ef, ls, lf = self.es_w[i], self.ef_w[i], self.ls_w[i], self.lf_w[i]
        else:  # laid out in resource time, measured in the task calendar (as Project does)
            es, ef, ls, lf = t.w(self.es_a[i]), t.w(self.ef_a[i]), t.w(self.ls_a[i]), t.w(self.lf_a[i])
        if self.started[i]:
            return lf - ef
        return min(ls - es, lf - ef)

    def _p6_total_float(self, i: int) -> int:
        """P6: start, finish or smallest float in the activity's calendar (0 once finished)."""
        if self.finished[i]:
            return 0
        t = self.tcal[i]
        es, ef, ls, lf = t.w(self.es_a[i]), t.w(self.ef_a[i]), t.w(self.ls_a[i]), t.w(self.lf_a[i])
        return _total_float(self.p6.float_mode, ls - es, lf - ef)  # type: ignore[union-attr]

    def _p6_critical(self, total: list[int]) -> list[bool]:
        """P6: total float at or below the threshold, or on the longest path."""
        net, skip, finished = self.net, self.skip, self.finished
        eligible = [not (finished[i] or skip[i] or net.is_summary[i]) for i in range(len(net.tasks))]  # type: ignore[index]
        if self.p6.critical_mode == CriticalMode.LONGEST_PATH:  # type: ignore[union-attr]
            finish = max((self.ef_a[i] for i, ok in enumerate(eligible) if ok), default=None)
            ends = [i for i, ok in enumerate(eligible) if ok and self.ef_a[i] == finish]
            path = _longest_path(ends, self.drivers, eligible)
            critical = [i in path for i in range(len(net.tasks))]
        else:
            # By total float every unfinished activity counts, level of effort and WBS summary
            # included (P6 flags an LOE spanning critical work, whose float is 0, as critical).
            limit = self.options.critical_slack_minutes
            critical = [not (finished[i] or net.is_summary[i]) and total[i] <= limit for i in range(len(net.tasks))]
        for i in net.order:  # a summary is critical when one of its activities is
            if net.is_summary[i]:
                critical[i] = any(critical[k] for k in net.children[i])
        return critical

    def _link_slack(self, c: WorkCalendar, q: int, code: int, lag: int, elapsed: bool, p_dates: tuple[int, int]) -> int:
        """Free slack of a link to ``q`` from a task with ``p_dates`` (start, finish), in ``c``."""
        late = self.alap[q] and not self.net.is_summary[q]
        q_start = self.ls_a[q] if late else self.es_a[q]
        q_finish = self.lf_a[q] if late else self.ef_a[q]
        mine = p_dates[1] if code in (FS, FF) else p_dates[0]
        theirs = q_start if code in (FS, SS) else q_finish
        if elapsed:
            return c.w(theirs) - c.w(mine + lag)
        return c.w(theirs) - c.w(mine) - lag

    def _free_slack(self) -> list[int | None]:
        """Per task, the least slack over its links (``None`` without links to unfinished tasks)."""
        net, finished, alap, parent = self.net, self.finished, self.alap, self.net.parent
        cal, tcal, es_w, ef_w = self.cal, self.tcal, self.es_w, self.ef_w
        free: list[int | None] = [None] * len(net.tasks)
        skip = self.skip
        for p, links in enumerate(net.out_links):
            if not links or (skip is not None and skip[p]):
                continue
            c = tcal[p]
            for q, code, lag, elapsed in links:
                if finished[q] or (skip is not None and skip[q]):
                    continue
                if self.p6 is not None:  # P6: the lag in its lag calendar, slack in p's calendar
                    mine_a, theirs_a = self._dates(p)[0 if code in (SS, SF) else 1], self._dates(q)[code in (FF, SF)]
                    if code == SS and not lag and not self.started[p]:
                        lagged = self._p6_zero_lag_start(p, q, mine_a, elapsed)
                    else:
                        lagged = self._p6_lag_forward(p, q, mine_a, self._p6_lag_left(p, code, lag), elapsed)
                    slack = c.w(theirs_a) - c.w(lagged)
                elif not elapsed and not alap[p] and not alap[q] and c is cal[p] and c is cal[q]:
                    # Common case: one calendar, so the stored positions can be subtracted.
                    mine = ef_w[p] if code in (FS, FF) else es_w[p]
                    theirs = es_w[q] if code in (FS, SS) else ef_w[q]
                    slack = theirs - mine - lag
                else:
                    slack = self._link_slack(c, q, code, lag, elapsed, self._dates(p))
                if free[p] is None or slack < free[p]:  # type: ignore[operator]
                    free[p] = slack
                # The link also leaves every enclosing summary that does not contain q.
                node = parent[p]
                while node != -1 and not _contains(net, node, q):
                    slack = self._link_slack(tcal[node], q, code, lag, elapsed, (self.es_a[node], self.ef_a[node]))
                    free[node] = slack if free[node] is None else min(free[node], slack)  # type: ignore[type-var]
                    node = parent[node]
        return free

    def _dates(self, i: int) -> tuple[int, int]:
        """Planned (start, finish) of task ``i``: the late dates of an ALAP task."""
        if self.alap[i] and not self.started[i]:
            return self.ls_a[i], self.lf_a[i]
        return self.es_a[i], self.ef_a[i]

    def result(self) -> ScheduleResult:
        net = self.net
        total = [self._total_slack(i) for i in range(len(net.tasks))]
        free = self._free_slack()
        limit = self.options.critical_slack_minutes
        p6_critical = self._p6_critical(total) if self.p6 is not None else None
        memo: dict[int, datetime] = {}
        get = memo.get

        def moment(value: int) -> datetime:
            found = memo[value] = from_abs_minute(value)
            return found

        outputs: dict = {}
        finished, manual, has_link, is_summary = self.finished, self.manual, net.has_link, net.is_summary
        es_a, ef_a, ls_a, lf_a, start_a, finish_a = (
            self.es_a,
            self.ef_a,
            self.ls_a,
            self.lf_a,
            self.start_a,
            self.finish_a,
        )
        for i, task in enumerate(net.tasks):
            slack = total[i]
            floor = slack if free[i] is None else free[i]
            # datetimes are always truthy, so "get(...) or moment(...)" is a memo lookup
            outputs[task.id] = TaskOut(
                task.id,
                get(es_a[i]) or moment(es_a[i]),
                get(ef_a[i]) or moment(ef_a[i]),
                get(ls_a[i]) or moment(ls_a[i]),
                get(lf_a[i]) or moment(lf_a[i]),
                get(start_a[i]) or moment(start_a[i]),
                get(finish_a[i]) or moment(finish_a[i]),
                slack,
                0 if finished[i] or floor < 0 else floor,  # type: ignore[operator]
                (
                    p6_critical[i]
                    if p6_critical is not None
                    else not finished[i] and slack <= limit and not (manual[i] and not has_link[i])
                ),
                is_summary[i],
                self.dur[i],
                self.pct[i],
            )
        leaves = [i for i in net.order if not is_summary[i]]
        finish = max((self.finish_a[i] for i in leaves), default=self.ps_a)
        return ScheduleResult(
            tasks=outputs,
            project_start=from_abs_minute(self.ps_a),
            project_finish=from_abs_minute(finish),
            # The path itself runs through the activities that drive: P6's level-of-effort and
            # WBS-summary activities may be flagged critical but are never on it.
            critical_path=tuple(
                net.tasks[i].id
                for i in leaves
                if outputs[net.tasks[i].id].is_critical and not (self.skip is not None and self.skip[i])
            ),
        )


def _contains(net: Network, a: int, b: int) -> bool:
    """True if ``a`` is ``b`` or one of its ancestors."""
    depth = net.depth
    while depth[b] > depth[a]:
        b = net.parent[b]
    return a == b
