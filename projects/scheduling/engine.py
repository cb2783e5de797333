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
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from datetime import datetime

from projects.scheduling.calendar import WorkCalendar, from_abs_minute, to_abs_minute
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

ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO = range(8)
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
    without a ``calendar_id`` and by summaries. Raises
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
        for i in net.order:
            if net.is_summary[i]:
                self._rollup_early(i, late_for_alap=alap_pass)
                continue
            c, sp, task = cal[i], span[i], net.tasks[i]
            if self.manual[i]:
                es_a[i], ef_a[i] = to_abs_minute(task.manual_start), to_abs_minute(task.manual_finish)  # type: ignore[arg-type]
                es_w[i], ef_w[i] = c.w(es_a[i]), c.w(ef_a[i])
                continue
            if task.actual_start is not None:
                es_a[i] = to_abs_minute(task.actual_start)
                es_w[i] = x = c.w(es_a[i])
            else:
                psw = c.w(self.ps_a)
                best = None
                tc = self.tcal[i]
                for p, code, lag, elapsed in net.pred_edges[i]:
                    late = alap_pass and alap[p] and not alap[i]
                    if code in (FS, FF):
                        a, w = (lf_a[p], lf_w[p]) if late else (ef_a[p], ef_w[p])
                    else:
                        a, w = (ls_a[p], ls_w[p]) if late else (es_a[p], es_w[p])
                    if elapsed:
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
                    if best is None or x > best:
                        best = x
                ct, cdw = ctype[i], cd_w[i]
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
                if sp:
                    es_a[i] = c.start_of(x)
                elif cd_a[i] is not None and cdw == x:
                    es_a[i] = cd_a[i]  # type: ignore[assignment]
                elif best is not None and x == best and x != psw:
                    es_a[i] = c.finish_of(x)  # a milestone stays at the end of working time
                else:
                    es_a[i] = c.start_of(x)
            self._early_finish(i, c, sp, task)

    def _early_finish(self, i: int, c: WorkCalendar, sp: int, task: TaskIn) -> None:
        es_w = self.es_w[i]
        if self.finished[i] and task.actual_finish is not None:
            self.ef_a[i] = to_abs_minute(task.actual_finish)
            self.ef_w[i] = c.w(self.ef_a[i])
            return
        x = es_w + sp
        if self.started[i] and not self.finished[i]:
            if self.ctype[i] == FNET:
                x = max(x, self.cd_w[i])
            if self.status_a is not None:
                x = max(x, c.w(self.status_a) + self.remaining[i])
        self.ef_w[i] = x
        self.ef_a[i] = c.finish_of(x) if x > es_w else self.es_a[i]

    def _rollup_early(self, s: int, *, late_for_alap: bool) -> None:
        kids = self.net.children[s]
        starts = [self.ls_a[k] if late_for_alap and self.alap[k] else self.es_a[k] for k in kids]
        finishes = [self.lf_a[k] if late_for_alap and self.alap[k] else self.ef_a[k] for k in kids]
        c = self.cal[s]
        self.es_a[s], self.ef_a[s] = min(starts), max(finishes)
        self.es_w[s], self.ef_w[s] = c.w(self.es_a[s]), c.w(self.ef_a[s])

    # -- backward -----------------------------------------------------------------------------

    def backward(self) -> None:
        """Late dates, in reverse topological order (successors and summaries first)."""
        net, cal, span = self.net, self.cal, self.span
        leaves = [i for i in range(len(net.tasks)) if not net.is_summary[i]]
        self.pf_a = max((self.ef_a[i] for i in leaves), default=self.ps_a)
        es_w, ef_w, ls_w, lf_w, cls_w = self.es_w, self.ef_w, self.ls_w, self.lf_w, self.cls_w
        started, finished, manual = self.started, self.finished, self.manual
        finish_limit: list[int | None] = [None] * len(net.tasks)  # from links of enclosing summaries
        start_limit: dict[int, int] = {}  # SS/SF from a summary, on its earliest subtask
        for i in reversed(net.order):
            if net.is_summary[i]:
                self._summary_limits(i, finish_limit, start_limit)
                continue
            c, sp = cal[i], span[i]
            if finished[i]:
                self.lf_a[i], lf_w[i], cls_w[i] = self.ef_a[i], ef_w[i], ef_w[i]
                self.ls_a[i], ls_w[i] = self.es_a[i], es_w[i]
                continue
            pfw = c.w(self.pf_a)
            best = None
            for q, code, lag, elapsed in net.succ_edges[i]:
                if finished[q]:
                    continue
                if code in (SS, SF):
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
            best = self._late_constraints(i, best)
            rem = self.remaining[i] if started[i] else sp
            lf_w[i], cls_w[i] = best, best - rem
            self.lf_a[i] = c.finish_of(best)
            if started[i]:  # a started task's late start is its actual start
                self.ls_a[i], ls_w[i] = self.es_a[i], es_w[i]
            else:
                ls_w[i] = best - rem
                self.ls_a[i] = c.start_of(ls_w[i]) if rem else self.lf_a[i]

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
        for p, links in enumerate(net.out_links):
            if not links:
                continue
            c = tcal[p]
            for q, code, lag, elapsed in links:
                if finished[q]:
                    continue
                if not elapsed and not alap[p] and not alap[q] and c is cal[p] and c is cal[q]:
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
                not finished[i] and slack <= limit and not (manual[i] and not has_link[i]),
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
            critical_path=tuple(net.tasks[i].id for i in leaves if outputs[net.tasks[i].id].is_critical),
        )


def _contains(net: Network, a: int, b: int) -> bool:
    """True if ``a`` is ``b`` or one of its ancestors."""
    depth = net.depth
    while depth[b] > depth[a]:
        b = net.parent[b]
    return a == b
