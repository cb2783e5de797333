"""The CPM passes of :mod:`projects.scheduling.engine`, vectorised across iterations.

Every date of a task is an int64 array with one entry per iteration (absolute minutes ``*_a`` and
positions on the working-minute axis ``*_w`` of the task's calendar, exactly as in the engine).
The network is ordered once; each pass visits the tasks in that order and does a handful of numpy
operations per task and per link, never a Python loop over iterations. Calendar conversions
(``W(t)``, start and finish bias) go through :class:`VecCalendar`, a numpy table of the same
calendar, so tasks on their own calendars, resource calendars, elapsed and percentage lags,
constraints, deadlines, progress, the status date, manual, ALAP and summary tasks all follow the
engine's rules to the minute. ``tests/projects/test_montecarlo.py`` checks that one iteration at
the inputs' most likely values gives the engine's dates for every task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np

from projects.scheduling.calendar import MINUTES_PER_DAY, CalendarError, WorkCalendar, to_abs_minute
from projects.scheduling.model import ConstraintType, LinkIn, ScheduleInputError, ScheduleOptions, TaskIn
from projects.scheduling.network import FF, FS, SF, SS, Network, build_network, leaves_of

ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO = range(8)
_CONSTRAINT_CODES = {ct: code for code, ct in enumerate(ConstraintType)}
_BIG = np.int64(2**62)
#: Lags at or below this mark a percentage lag: its minutes depend on the drawn duration.
_PERCENT_MARK = -(10**15)


class VecCalendar:
    """A :class:`WorkCalendar` as numpy tables over a range of days (grown on demand).

    ``w``, ``start_of`` and ``finish_of`` take int64 arrays and give exactly what the calendar's
    scalar methods give element by element (the table is offset so that both share one origin).
    """

    def __init__(self, calendar: WorkCalendar, lo_day: int, hi_day: int) -> None:
        self.cal = calendar
        self._build(lo_day, hi_day)

    def _build(self, lo: int, hi: int) -> None:
        cal = self.cal
        patterns: dict[tuple, int] = {}
        pids = np.empty(hi - lo, dtype=np.int64)
        work = np.empty(hi - lo, dtype=np.int64)
        for k, ordinal in enumerate(range(lo, hi)):
            pattern = cal.day_pattern(date.fromordinal(ordinal))
            pids[k] = patterns.setdefault(pattern, len(patterns))
            work[k] = sum(end - start for start, end in pattern)
        worked = np.zeros((len(patterns), MINUTES_PER_DAY + 1), dtype=np.int64)
        starts = np.zeros((len(patterns), MINUTES_PER_DAY + 1), dtype=np.int64)
        for pattern, pid in patterns.items():
            minute_is_work = np.zeros(MINUTES_PER_DAY, dtype=np.int64)
            for start, end in pattern:
                minute_is_work[start:end] = 1
            worked[pid, 1:] = np.cumsum(minute_is_work)
            where = np.flatnonzero(minute_is_work)
            starts[pid, : len(where)] = where
        self.lo, self.hi = lo, hi
        self.pids, self.worked = pids, worked
        base = cal.w(lo * MINUTES_PER_DAY)
        self.cum = base + np.concatenate(([0], np.cumsum(work)))
        self.week = max(cal.minutes_per_week, 0)
        # start_of as one lookup: the absolute minute at which each working minute of the range
        # begins (a few MB for two years of a 24-hour calendar).
        day_of = np.repeat(np.arange(hi - lo), work)
        minute_in_day = np.arange(len(day_of)) - np.repeat(self.cum[:-1] - base, work)
        self.start_table = (lo + day_of) * MINUTES_PER_DAY + starts[pids[day_of], minute_in_day]

    def _grow(self, lo: int, hi: int) -> None:
        self._build(min(lo, self.lo) - 31, max(hi, self.hi) + 366)

    def w(self, a: np.ndarray) -> np.ndarray:
        day, minute = np.divmod(a, MINUTES_PER_DAY)
        lo_day, hi_day = int(day.min()), int(day.max())
        if lo_day < self.lo or hi_day >= self.hi:
            self._grow(lo_day, hi_day + 1)
        index = day - self.lo
        return self.cum[index] + self.worked[self.pids[index], minute]

    def start_of(self, w: np.ndarray) -> np.ndarray:
        lo_w, hi_w = int(w.min()), int(w.max())
        while lo_w < self.cum[0] or hi_w >= self.cum[-1]:
            if self.week <= 0:
                raise CalendarError(f"calendar {self.cal.name!r} has no working time outside its exceptions")
            below = max(0, int(self.cum[0]) - lo_w)
            above = max(0, hi_w - int(self.cum[-1]) + 1)
            self._grow(self.lo - 7 * (below // self.week + 1), self.hi + 7 * (above // self.week + 1))
        return self.start_table[w - self.cum[0]]

    def finish_of(self, w: np.ndarray) -> np.ndarray:
        return self.start_of(w - 1) + 1


@dataclass
class Plan:
    """Everything about the network that does not change between iterations."""

    net: Network
    options: ScheduleOptions
    span0: np.ndarray  # duration + split at the input values (0 for summaries)
    split: np.ndarray
    percent_lags: dict[int, tuple[int, float]]  # mark -> (predecessor, percent)
    cal: list[VecCalendar]  # per task: where the duration is laid out
    tcal: list[VecCalendar]  # per task: its own calendar
    ctype: list[int]
    alap: list[bool]
    manual: list[bool]
    started: list[bool]
    finished: list[bool]
    cd_a: list[int | None]
    cd_w: list[int]
    ps_a: int
    status_a: int | None
    leaves: list[int]
    default: VecCalendar


def build_plan(
    tasks: Sequence[TaskIn],
    links: Sequence[LinkIn],
    calendars: Mapping[str, WorkCalendar],
    default_calendar_id: str,
    project_start: datetime,
    status_date: datetime | None,
    options: ScheduleOptions | None,
) -> Plan:
    """Validate the network as the engine does and precompute what the passes need."""
    if project_start.tzinfo is not None or (status_date is not None and status_date.tzinfo is not None):
        raise ScheduleInputError("project_start and status_date must be naive local datetimes")
    if default_calendar_id not in calendars:
        raise ScheduleInputError(f"Default calendar {default_calendar_id!r} is not among the calendars")
    percent_lags: dict[int, tuple[int, float]] = {}
    marked: list[LinkIn] = []
    index = {task.id: i for i, task in enumerate(tasks)}
    for link in links:
        if link.lag_percent is not None and link.predecessor_id in index:
            mark = _PERCENT_MARK - len(percent_lags)
            percent_lags[mark] = (index[link.predecessor_id], float(link.lag_percent))
            link = replace(link, lag_minutes=mark, lag_percent=None)
        marked.append(link)
    net = build_network(tasks, marked)
    n = len(tasks)
    ps_a = to_abs_minute(project_start)
    status_a = None if status_date is None else to_abs_minute(status_date)
    # Day range of the first tables: every date the input names, and two years past the start.
    days = [ps_a // MINUTES_PER_DAY]
    for task in tasks:
        for value in (task.constraint_date, task.actual_start, task.actual_finish, task.deadline):
            if value is not None:
                days.append(value.toordinal())
        if task.is_manual and task.manual_start and task.manual_finish:
            days += [task.manual_start.toordinal(), task.manual_finish.toordinal()]
    if status_a is not None:
        days.append(status_a // MINUTES_PER_DAY)
    lo, hi = min(days) - 31, max(days) + 800
    vec: dict[int, VecCalendar] = {}

    def vcal(calendar: WorkCalendar) -> VecCalendar:
        found = vec.get(id(calendar))
        if found is None:
            found = vec[id(calendar)] = VecCalendar(calendar, lo, hi)
        return found

    cal: list[VecCalendar] = []
    tcal: list[VecCalendar] = []
    summary = net.is_summary
    for i, task in enumerate(tasks):
        for calendar_id in (task.calendar_id, task.resource_calendar_id):
            if calendar_id is not None and calendar_id not in calendars:
                raise ScheduleInputError(f"Task {task.id!r} uses unknown calendar {calendar_id!r}")
        own = calendars[task.calendar_id or default_calendar_id]
        tcal.append(vcal(own))
        resources = task.resource_calendar_id
        cal.append(vcal(calendars[resources]) if resources and not summary[i] else tcal[-1])
    span0 = np.array(
        [0 if summary[i] else t.duration_minutes + t.split_minutes for i, t in enumerate(tasks)], dtype=np.int64
    )
    split = np.array([t.split_minutes for t in tasks], dtype=np.int64)
    ctype = [ASAP if summary[i] else _CONSTRAINT_CODES[t.constraint_type] for i, t in enumerate(tasks)]
    finished = [t.actual_finish is not None or t.percent_complete >= 100 for t in tasks]
    started = [f or t.actual_start is not None or t.percent_complete > 0 for f, t in zip(finished, tasks, strict=True)]
    cd_a: list[int | None] = [None] * n
    cd_w = [0] * n
    for i, task in enumerate(tasks):
        if task.constraint_date is not None and not summary[i]:
            cd_a[i] = to_abs_minute(task.constraint_date)
            cd_w[i] = cal[i].cal.w(cd_a[i])
    return Plan(
        net=net,
        options=options or ScheduleOptions(),
        span0=span0,
        split=split,
        percent_lags=percent_lags,
        cal=cal,
        tcal=tcal,
        ctype=ctype,
        alap=[c == ALAP for c in ctype],
        manual=[t.is_manual and not summary[i] for i, t in enumerate(tasks)],
        started=started,
        finished=finished,
        cd_a=cd_a,
        cd_w=cd_w,
        ps_a=ps_a,
        status_a=status_a,
        leaves=[i for i in net.order if not summary[i]],
        default=vcal(calendars[default_calendar_id]),
    )


def base_remaining(plan: Plan, span: np.ndarray) -> np.ndarray:
    """Remaining minutes per iteration and task as the engine derives them from ``span``.

    ``span`` is (iterations x tasks). A task's ``remaining_minutes``, when given, is scaled with
    its drawn duration (the share of work left stays the same); otherwise it is the engine's
    ``span * (1 - percent / 100)`` of the drawn span.
    """
    tasks = plan.net.tasks
    remaining = np.zeros_like(span)
    for i, task in enumerate(tasks):
        if plan.finished[i] or not plan.started[i] or plan.net.is_summary[i]:
            continue  # the passes read the remaining work of tasks in progress only
        if task.remaining_minutes is not None:
            likely = int(plan.span0[i] - plan.split[i])
            if likely > 0:
                duration = span[:, i] - plan.split[i]
                remaining[:, i] = np.rint(task.remaining_minutes * duration / likely).astype(np.int64)
            else:
                remaining[:, i] = task.remaining_minutes
        else:
            remaining[:, i] = np.rint(span[:, i] * (1 - task.percent_complete / 100)).astype(np.int64)
    return remaining


@dataclass
class PassResult:
    finish_a: np.ndarray  # project finish per iteration (absolute minutes)
    critical: np.ndarray | None  # (iterations x tasks) bool
    dates: dict[str, list[np.ndarray]]  # es_a, ef_a, ls_a, lf_a, start_a, finish_a per task


class _Passes:
    def __init__(self, plan: Plan, span: np.ndarray, remaining: np.ndarray) -> None:
        self.p = plan
        self.n_iter = span.shape[0]
        self.span = span
        self.remaining = remaining
        n = len(plan.net.tasks)
        zero = np.zeros(self.n_iter, dtype=np.int64)
        self.es_a, self.ef_a, self.ls_a, self.lf_a = [zero] * n, [zero] * n, [zero] * n, [zero] * n
        self.es_w, self.ef_w, self.ls_w, self.lf_w = [zero] * n, [zero] * n, [zero] * n, [zero] * n
        self.cls_w = [zero] * n
        self.full = np.full(self.n_iter, 0, dtype=np.int64)

    def const(self, value: int) -> np.ndarray:
        return np.full(self.n_iter, value, dtype=np.int64)

    def lag_of(self, lag: int) -> int | np.ndarray:
        if lag > _PERCENT_MARK:
            return lag
        p, percent = self.p.percent_lags[lag]
        duration = self.span[:, p] - self.p.split[p]
        return np.rint(duration * percent / 100).astype(np.int64)

    # -- forward ----------------------------------------------------------------------------

    def forward(self, *, alap_pass: bool) -> None:
        p, net = self.p, self.p.net
        es_a, ef_a, es_w, ef_w = self.es_a, self.ef_a, self.es_w, self.ef_w
        ls_a, lf_a, ls_w, lf_w = self.ls_a, self.lf_a, self.ls_w, self.lf_w
        cal, tcal, alap, ctype = p.cal, p.tcal, p.alap, p.ctype
        for i in net.order:
            if net.is_summary[i]:
                self._rollup_early(i, late_for_alap=alap_pass)
                continue
            c, task = cal[i], net.tasks[i]
            sp = self.span[:, i]
            if p.manual[i]:
                es_a[i] = self.const(to_abs_minute(task.manual_start))  # type: ignore[arg-type]
                ef_a[i] = self.const(to_abs_minute(task.manual_finish))  # type: ignore[arg-type]
                es_w[i], ef_w[i] = c.w(es_a[i]), c.w(ef_a[i])
                continue
            if task.actual_start is not None:
                es_a[i] = self.const(to_abs_minute(task.actual_start))
                es_w[i] = c.w(es_a[i])
            else:
                psw = c.cal.w(p.ps_a)
                best = None
                tc = tcal[i]
                for q, code, lag, elapsed in net.pred_edges[i]:
                    lag = self.lag_of(lag)
                    late = alap_pass and alap[q] and not alap[i]
                    if code in (FS, FF):
                        a, w = (lf_a[q], lf_w[q]) if late else (ef_a[q], ef_w[q])
                    else:
                        a, w = (ls_a[q], ls_w[q]) if late else (es_a[q], es_w[q])
                    if elapsed:
                        x = c.w(a + lag)
                    else:
                        x = w + lag if cal[q] is c else c.w(a) + lag
                        if tc is not c:  # a lag is working time of the task's own calendar
                            if isinstance(lag, np.ndarray):
                                x = np.where(lag != 0, c.w(tc.finish_of(tc.w(a) + lag)), x)
                            elif lag:
                                x = c.w(tc.finish_of(tc.w(a) + lag))
                    if code >= FF:
                        x = x - sp
                    x = np.maximum(x, psw)
                    best = x if best is None else np.maximum(best, x)
                ct, cdw = ctype[i], p.cd_w[i]
                if best is not None:
                    x = best
                elif ct == SNET:
                    x = self.const(cdw)
                elif ct == FNET:
                    x = cdw - sp
                else:
                    x = self.const(psw)
                if p.status_a is not None and not p.started[i]:
                    x = np.maximum(x, c.cal.w(p.status_a))
                if ct in (SNET, FNET):
                    x = np.maximum(x, cdw if ct == SNET else cdw - sp)
                elif ct in (SNLT, FNLT):
                    x = np.minimum(x, cdw if ct == SNLT else cdw - sp)
                elif ct in (MSO, MFO):
                    x = self.const(cdw) if ct == MSO else cdw - sp
                x = np.asarray(x, dtype=np.int64)
                es_w[i] = x
                starts = c.start_of(x)
                if sp.all():
                    es_a[i] = starts
                else:
                    other = starts
                    if best is not None:
                        other = np.where((x == best) & (x != psw), c.finish_of(x), starts)
                    if p.cd_a[i] is not None:
                        other = np.where(x == cdw, p.cd_a[i], other)
                    es_a[i] = np.where(sp != 0, starts, other)
            self._early_finish(i, c, sp, task)

    def _early_finish(self, i: int, c: VecCalendar, sp: np.ndarray, task: TaskIn) -> None:
        p = self.p
        es_w = self.es_w[i]
        if p.finished[i] and task.actual_finish is not None:
            self.ef_a[i] = self.const(to_abs_minute(task.actual_finish))
            self.ef_w[i] = c.w(self.ef_a[i])
            return
        x = es_w + sp
        if p.started[i] and not p.finished[i]:
            if p.ctype[i] == FNET:
                x = np.maximum(x, p.cd_w[i])
            if p.status_a is not None:
                x = np.maximum(x, c.cal.w(p.status_a) + self.remaining[:, i])
        self.ef_w[i] = x
        self.ef_a[i] = np.where(x > es_w, c.finish_of(x), self.es_a[i])

    def _rollup_early(self, s: int, *, late_for_alap: bool) -> None:
        kids = self.p.net.children[s]
        alap = self.p.alap
        starts = [self.ls_a[k] if late_for_alap and alap[k] else self.es_a[k] for k in kids]
        finishes = [self.lf_a[k] if late_for_alap and alap[k] else self.ef_a[k] for k in kids]
        c = self.p.cal[s]
        self.es_a[s] = np.minimum.reduce(starts)
        self.ef_a[s] = np.maximum.reduce(finishes)
        self.es_w[s], self.ef_w[s] = c.w(self.es_a[s]), c.w(self.ef_a[s])

    # -- backward ---------------------------------------------------------------------------

    def backward(self) -> None:
        p, net = self.p, self.p.net
        cal = p.cal
        self.pf_a = np.maximum.reduce([self.ef_a[i] for i in p.leaves]) if p.leaves else self.const(p.ps_a)
        es_w, ef_w, ls_w, lf_w, cls_w = self.es_w, self.ef_w, self.ls_w, self.lf_w, self.cls_w
        started, finished, manual = p.started, p.finished, p.manual
        finish_limit: list[np.ndarray | None] = [None] * len(net.tasks)
        start_limit: dict[int, np.ndarray] = {}
        pfw_memo: dict[int, np.ndarray] = {}
        for i in reversed(net.order):
            if net.is_summary[i]:
                self._summary_limits(i, finish_limit, start_limit)
                continue
            c = cal[i]
            sp = self.span[:, i]
            if finished[i]:
                self.lf_a[i], lf_w[i], cls_w[i] = self.ef_a[i], ef_w[i], ef_w[i]
                self.ls_a[i], ls_w[i] = self.es_a[i], es_w[i]
                continue
            pfw = pfw_memo.get(id(c))
            if pfw is None:
                pfw = pfw_memo[id(c)] = c.w(self.pf_a)
            best = None
            for q, code, lag, elapsed in net.succ_edges[i]:
                if finished[q]:
                    continue
                lag = self.lag_of(lag)
                if code in (SS, SF):
                    if started[i] or started[q]:
                        y = pfw
                    elif manual[i]:
                        y = pfw if net.succ_edges[q] else np.minimum(c.w(self.lf_a[q]), pfw)
                    else:
                        y = self._back(c, q, ls_w[q] if code == SS else lf_w[q], lag, elapsed) + sp
                else:
                    y = self._back(c, q, cls_w[q] if code == FS else lf_w[q], lag, elapsed)
                y = np.minimum(y, pfw)
                best = y if best is None else np.minimum(best, y)
            parent = net.parent[i]
            limit = finish_limit[parent] if parent != -1 else None
            if limit is not None:
                y = np.minimum(c.w(limit), pfw)
                best = y if best is None else np.minimum(best, y)
            if i in start_limit:
                bound = start_limit[i]
                valid = bound < _BIG
                y = np.minimum(c.w(np.where(valid, bound, self.pf_a)) + sp, pfw)
                y = np.where(valid, y, _BIG)
                best = y if best is None else np.minimum(best, y)
            fallback = ef_w[i] if p.options.multiple_critical_paths else pfw
            if best is None:
                best = fallback
            elif i in start_limit:
                best = np.where(best == _BIG, fallback, best)
            best = self._late_constraints(i, np.asarray(best, dtype=np.int64))
            rem = self.remaining[:, i] if started[i] else sp
            lf_w[i], cls_w[i] = best, best - rem
            self.lf_a[i] = c.finish_of(best)
            if started[i]:
                self.ls_a[i], ls_w[i] = self.es_a[i], es_w[i]
            else:
                ls_w[i] = best - rem
                self.ls_a[i] = np.where(rem != 0, c.start_of(ls_w[i]), self.lf_a[i])

    def _back(self, c: VecCalendar, q: int, w: np.ndarray, lag, elapsed: bool) -> np.ndarray:
        qc = self.p.cal[q]
        if elapsed:
            return c.w(qc.start_of(w) - lag)
        tq = self.p.tcal[q]
        plain = w - lag if qc is c else c.w(qc.start_of(w - lag))
        if tq is not qc:
            other = c.w(tq.start_of(tq.w(qc.start_of(w)) - lag))
            if isinstance(lag, int):
                return other if lag else plain
            return np.where(lag != 0, other, plain)
        return plain

    def _late_constraints(self, i: int, lf: np.ndarray) -> np.ndarray:
        p = self.p
        ct, cdw, sp = p.ctype[i], p.cd_w[i], self.span[:, i]
        if ct == MSO:
            lf = cdw + sp
        elif ct == MFO:
            lf = self.const(cdw)
        elif ct == SNLT:
            lf = np.minimum(lf, cdw + sp)
        elif ct == FNLT:
            lf = np.minimum(lf, cdw)
        deadline = p.net.tasks[i].deadline
        if deadline is not None:
            lf = np.minimum(lf, p.cal[i].cal.w(to_abs_minute(deadline)))
        return lf

    def _summary_limits(self, s: int, finish_limit: list, start_limit: dict[int, np.ndarray]) -> None:
        p = self.p
        finish = None
        start = None
        for q, code, lag, elapsed in p.net.succ_edges[s]:
            if p.finished[q] or (code in (SS, SF) and p.started[q]):
                continue
            lag = self.lag_of(lag)
            qc = p.cal[q]
            w = self.cls_w[q] if code == FS else self.ls_w[q] if code == SS else self.lf_w[q]
            bound = qc.start_of(w) - lag if elapsed else qc.start_of(w - lag)
            if code in (FS, FF):
                finish = bound if finish is None else np.minimum(finish, bound)
            else:
                start = bound if start is None else np.minimum(start, bound)
        parent = p.net.parent[s]
        inherited = finish_limit[parent] if parent != -1 else None
        if inherited is not None:
            finish = inherited if finish is None else np.minimum(finish, inherited)
        finish_limit[s] = finish
        if start is not None:
            leaves = leaves_of(p.net, s)
            first = np.argmin(np.stack([self.es_a[leaf] for leaf in leaves]), axis=0)
            for k, leaf in enumerate(leaves):
                bound = np.where(first == k, start, _BIG)
                start_limit[leaf] = np.minimum(start_limit[leaf], bound) if leaf in start_limit else bound

    # -- roll-up and criticality ------------------------------------------------------------

    def rollup(self) -> None:
        p, net = self.p, self.p.net
        n = len(net.tasks)
        self.start_a: list[np.ndarray] = [self.full] * n
        self.finish_a: list[np.ndarray] = [self.full] * n
        started = list(p.started)
        finished = list(p.finished)
        alap, manual = p.alap, p.manual
        for i in net.order:
            if not net.is_summary[i]:
                if started[i] or manual[i] or not alap[i]:
                    self.start_a[i], self.finish_a[i] = self.es_a[i], self.ef_a[i]
                else:
                    self.start_a[i], self.finish_a[i] = self.ls_a[i], self.lf_a[i]
                continue
            kids = net.children[i]
            c = p.cal[i]
            self.es_a[i] = np.minimum.reduce([self.ls_a[k] if alap[k] else self.es_a[k] for k in kids])
            self.ef_a[i] = np.maximum.reduce([self.lf_a[k] if alap[k] else self.ef_a[k] for k in kids])
            self.ls_a[i] = np.minimum.reduce([self.es_a[k] if manual[k] else self.ls_a[k] for k in kids])
            self.lf_a[i] = np.maximum.reduce([self.ef_a[k] if manual[k] else self.lf_a[k] for k in kids])
            self.start_a[i] = np.minimum.reduce([self.start_a[k] for k in kids])
            self.finish_a[i] = np.maximum.reduce([self.finish_a[k] for k in kids])
            started[i] = any(started[k] for k in kids)
            finished[i] = all(finished[k] for k in kids)
            self.es_w[i], self.ef_w[i] = c.w(self.es_a[i]), c.w(self.ef_a[i])
            self.ls_w[i], self.lf_w[i] = c.w(self.ls_a[i]), c.w(self.lf_a[i])
        self.rolled_started, self.rolled_finished = started, finished

    def critical(self) -> np.ndarray:
        """(iterations x tasks): total slack at most the critical slack limit, as the engine flags."""
        p, net = self.p, self.p.net
        limit = p.options.critical_slack_minutes
        out = np.zeros((self.n_iter, len(net.tasks)), dtype=bool)
        for i in range(len(net.tasks)):
            if self.rolled_finished[i] or (p.alap[i] and not net.is_summary[i]):
                if not self.rolled_finished[i] and not (p.manual[i] and not net.has_link[i]):
                    out[:, i] = limit >= 0
                continue
            if p.manual[i] and not net.has_link[i]:
                continue
            t = p.tcal[i]
            if t is p.cal[i]:
                es, ef, ls, lf = self.es_w[i], self.ef_w[i], self.ls_w[i], self.lf_w[i]
            else:
                es, ef, ls, lf = t.w(self.es_a[i]), t.w(self.ef_a[i]), t.w(self.ls_a[i]), t.w(self.lf_a[i])
            slack = lf - ef if self.rolled_started[i] else np.minimum(ls - es, lf - ef)
            out[:, i] = slack <= limit
        return out


def run_passes(plan: Plan, span: np.ndarray, remaining: np.ndarray, *, criticality: bool = True) -> PassResult:
    """Schedule every row of ``span`` (iterations x tasks, working minutes incl. splits)."""
    run = _Passes(plan, span.astype(np.int64, copy=False), remaining.astype(np.int64, copy=False))
    run.forward(alap_pass=False)
    has_alap = any(plan.alap)
    if criticality or has_alap:
        run.backward()
    if has_alap:
        run.forward(alap_pass=True)
    run.rollup()
    leaves = [run.finish_a[i] for i in plan.leaves] or [run.const(plan.ps_a)]
    finish = np.maximum.reduce(leaves)
    dates = {
        "es_a": run.es_a,
        "ef_a": run.ef_a,
        "ls_a": run.ls_a,
        "lf_a": run.lf_a,
        "start_a": run.start_a,
        "finish_a": run.finish_a,
    }
    return PassResult(finish_a=finish, critical=run.critical() if criticality else None, dates=dates)
