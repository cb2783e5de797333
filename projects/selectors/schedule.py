"""Reads for the schedule page: a project's tasks in outline order with their links, the chosen
baseline and the variances against it, in a fixed number of queries whatever the task count.

Units: the model stores working minutes; people read working days of 480 minutes (8 hours).
Variances are working time in the task's calendar (the project's when the task has none), as
Microsoft Project measures them: positive means later than the baseline.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from projects.scheduling import WorkCalendar
from projects.services.schedule import STANDARD_CALENDAR_ID, project_zone, to_local, work_calendars

from ..models import Baseline, BaselineTask, Calendar, Dependency, Project, Task

DAY_MINUTES = 480
NO_BASELINE = "none"


def minutes_to_days(minutes: int | None) -> Decimal | None:
    """Working minutes as working days (480 minutes each), to two decimals; None stays None."""
    if minutes is None:
        return None
    return (Decimal(minutes) / DAY_MINUTES).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def plain_decimal(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent: 2.50 → "2.5", 100.00 → "100", -0 → "0"."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_days(minutes: int | None, *, signed: bool = False) -> str:
    """Working minutes as a short count of days: 1200 → "2.5", -480 → "-1" ("+1" when signed)."""
    days = minutes_to_days(minutes)
    if days is None:
        return "—"
    text = plain_decimal(days)
    return f"+{text}" if signed and days > 0 else text


@dataclass(slots=True)
class LinkView:
    """A predecessor link as the table shows it, e.g. "1.2 FS +2d" or "MOD-CRM 3 SS"."""

    dependency: Dependency
    label: str
    title: str
    is_external: bool


@dataclass(slots=True)
class ScheduleRow:
    """One task of the table, with what the template prints already computed."""

    task: Task
    level: int
    duration_days: str
    total_float_days: str
    free_float_days: str
    constraint_day: dt.date | None
    predecessors: list[LinkView] = field(default_factory=list)
    baseline_start: dt.datetime | None = None
    baseline_finish: dt.datetime | None = None
    start_variance_minutes: int | None = None
    finish_variance_minutes: int | None = None
    index: int = 0  # the row's place in the whole outline (0-based), whatever window is shown
    urls: dict = field(default_factory=dict)  # set by the view: where this row's controls post
    # A summary's branch: True when its subtasks are shown, False when collapsed, None for a
    # task without subtasks; `descendants`: how many tasks the branch holds below the summary.
    is_open: bool | None = None
    descendants: int = 0

    @property
    def constraint_note(self) -> str:
        """ "SNET 12 Mar set by dragging" when a bar drag set the constraint, else ""."""
        if self.task.constraint_origin != "drag" or self.constraint_day is None:
            return ""
        return f"{self.task.constraint_type} {self.constraint_day.day} {self.constraint_day:%b} set by dragging"

    @property
    def optimistic_days(self) -> str:
        return format_days(self.task.optimistic_minutes)

    @property
    def pessimistic_days(self) -> str:
        return format_days(self.task.pessimistic_minutes)

    @property
    def has_estimate(self) -> bool:
        return self.task.optimistic_minutes is not None

    @property
    def start_variance_days(self) -> str:
        return format_days(self.start_variance_minutes, signed=True) if self.baseline_start else "—"

    @property
    def finish_variance_days(self) -> str:
        return format_days(self.finish_variance_minutes, signed=True) if self.baseline_finish else "—"

    @property
    def is_late(self) -> bool:
        return bool(self.finish_variance_minutes and self.finish_variance_minutes > 0)


@dataclass(slots=True)
class ProjectSchedule:
    """Everything the schedule page shows about one project's plan."""

    project: Project
    zone: zoneinfo.ZoneInfo
    rows: list[ScheduleRow]
    links: list[Dependency]  # links between two tasks of this project (what the chart draws)
    baselines: list[Baseline]
    baseline: Baseline | None
    baseline_finish: dt.datetime | None
    finish_variance_minutes: int | None
    today: dt.date
    calendar: WorkCalendar
    # Every task in outline order; `rows` may be a window of them (project_schedule's `window`).
    all_tasks: list[Task] = field(default_factory=list)
    first: int = 0  # index of rows[0] among the rows shown (all tasks when no branch is collapsed)
    span: tuple[dt.datetime, dt.datetime] | None = None  # earliest start, latest finish of all tasks
    # The summaries whose branches are expanded (None: all of them, no collapsing asked for).
    expanded: frozenset[int] | None = None
    summaries: frozenset[int] = frozenset()  # every task that has subtasks
    shown_total: int = 0  # rows left once the collapsed branches are folded away
    previous_first: int | None = None  # where the window before this one starts (None: none)
    next_first: int | None = None  # where the window after this one starts

    @property
    def tasks(self) -> list[Task]:
        return self.all_tasks

    @property
    def total(self) -> int:
        return len(self.all_tasks)

    @property
    def last(self) -> int:
        """Index after the last row shown."""
        return self.first + len(self.rows)

    @property
    def is_collapsed(self) -> bool:
        """Some branch is folded away."""
        return self.shown_total < self.total

    @property
    def finish_variance_days(self) -> str:
        if self.baseline_finish is None or self.project.forecast_finish is None:
            return "—"
        return format_days(self.finish_variance_minutes, signed=True)

    @property
    def is_late(self) -> bool:
        return bool(self.finish_variance_minutes and self.finish_variance_minutes > 0)


def outline_order(tasks: list[Task]) -> list[tuple[Task, int]]:
    """Tasks in outline (pre-)order, siblings by sort order, each with its depth (0 = top)."""
    by_pk = {t.pk: t for t in tasks}
    children: dict[int | None, list[Task]] = {}
    for task in tasks:
        parent = task.parent_id if task.parent_id in by_pk else None
        children.setdefault(parent, []).append(task)
    for siblings in children.values():
        siblings.sort(key=lambda t: (t.sort_order, t.pk))
    ordered: list[tuple[Task, int]] = []
    stack = [(t, 0) for t in reversed(children.get(None, []))]
    while stack:
        task, level = stack.pop()
        ordered.append((task, level))
        stack.extend((child, level + 1) for child in reversed(children.get(task.pk, [])))
    return ordered


AUTO = "auto"  # project_schedule's `expanded`: the branches a planner first sees (auto_expanded)


def subtree_ends(ordered: list[tuple[Task, int]]) -> list[int]:
    """For each task of `ordered` (outline pre-order with depths), the index just past its branch:
    the task's subtasks are ordered[i + 1 : ends[i]]."""
    ends = [len(ordered)] * len(ordered)
    stack: list[int] = []
    for i, (_, level) in enumerate(ordered):
        while stack and ordered[stack[-1]][1] >= level:
            ends[stack.pop()] = i
        stack.append(i)
    return ends


def auto_expanded(ordered: list[tuple[Task, int]], ends: list[int], size: int) -> set[int]:
    """The summaries to show expanded when a planner opens the schedule: all of them when the
    plan fits in one window of `size` rows; otherwise every summary above the deepest outline
    level whose rows still fit (top-level tasks only when even the next level does not), so the
    first screen shows the whole WBS outline."""
    summaries = [(task.pk, level) for i, (task, level) in enumerate(ordered) if ends[i] > i + 1]
    if len(ordered) <= size:
        return {pk for pk, _ in summaries}
    per_level: dict[int, int] = {}
    for _, level in ordered:
        per_level[level] = per_level.get(level, 0) + 1
    depth, rows = 0, 0
    for level in sorted(per_level):
        rows += per_level[level]
        if rows > size:
            break
        depth = level
    return {pk for pk, level in summaries if level < depth}


def visible_indexes(ordered: list[tuple[Task, int]], ends: list[int], expanded: set[int] | None) -> list[int]:
    """Indexes into `ordered` of the rows left once collapsed branches are folded away."""
    if expanded is None:
        return list(range(len(ordered)))
    shown, i = [], 0
    while i < len(ordered):
        shown.append(i)
        i = i + 1 if ends[i] == i + 1 or ordered[i][0].pk in expanded else ends[i]
    return shown


def branch_windows(shown: list[int], ends: list[int], size: int) -> list[int]:
    """Where each window of at most `size` rows starts in `shown` (positions in that list). A
    window breaks between branches: a branch that fits in a window is never split across two,
    so it starts a new window when the current one has no room left; a branch bigger than a
    window starts one of its own and is itself split between its sub-branches (a flat run of
    tasks, in windows of `size`)."""
    # The end (in `shown`) of each shown row's branch: the shown rows inside it.
    block_end = [bisect.bisect_left(shown, ends[index]) for index in shown]
    starts, used = [0], 0

    def place(j: int, stop: int) -> None:
        nonlocal used
        while j < stop:
            end = block_end[j]
            count = end - j
            if used + count <= size:
                used += count
            else:
                if used:
                    starts.append(j)
                    used = 0
                if count <= size:
                    used = count
                else:
                    used = 1  # the summary heads its branch's first window
                    place(j + 1, end)
            j = end

    place(0, len(shown))
    return starts


def schedule_calendars(project: Project, tasks: list[Task]) -> dict[str, WorkCalendar]:
    """Engine calendars (by str(pk), plus "standard") for the project and its tasks: one query
    per level of base calendars and one for exceptions, none when nobody has a calendar."""
    wanted = {project.calendar_id} | {t.calendar_id for t in tasks}
    wanted.discard(None)
    found: dict[int, Calendar] = {}
    while wanted:
        rows = list(Calendar.objects.filter(pk__in=wanted))
        found.update({c.pk: c for c in rows})
        wanted = {c.base_calendar_id for c in rows if c.base_calendar_id and c.base_calendar_id not in found}
    calendars = work_calendars(found.values()) if found else {}
    calendars.setdefault(STANDARD_CALENDAR_ID, WorkCalendar.standard())
    return calendars


def project_calendar(project: Project, calendars: dict[str, WorkCalendar]) -> WorkCalendar:
    return calendars.get(str(project.calendar_id)) or calendars[STANDARD_CALENDAR_ID]


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def lag_text(dep: Dependency) -> str:
    """A link's lag as people type it (projects.services.schedule_edit.lag_parse reads it back):
    "0d", "2d", "-1.5d", "4h", "50%", "2ed" / "3eh" (elapsed days / hours), in the largest unit
    that shows it exactly to two decimals."""
    if dep.lag_percent is not None:
        return f"{_number(Decimal(dep.lag_percent))}%"
    minutes = dep.lag_minutes
    units = (("ed", 1440), ("eh", 60), ("em", 1)) if dep.lag_elapsed else (("d", 480), ("h", 60), ("m", 1))
    for unit, per in units:
        value = Decimal(minutes) / per
        if per == 1 or value == value.quantize(Decimal("0.01")):
            return f"{_number(value)}{unit}"
    return f"{minutes}m"  # not reached: the last unit is the minute


def _lag_text(dep: Dependency) -> str:
    """ " +2d", " -1d", " +50%", " +2ed"; "" for no lag."""
    if not dep.lag_minutes and not dep.lag_percent:
        return ""
    text = lag_text(dep)
    return f" {text}" if text.startswith("-") else f" +{text}"


def link_view(dep: Dependency, project: Project) -> LinkView:
    pred = dep.predecessor
    external = pred.project_id != project.pk
    ref = pred.outline_number or f"#{pred.pk}"
    prefix = f"{pred.project.code} " if external else ""
    label = f"{prefix}{ref} {dep.type}{_lag_text(dep)}"
    title = f"{prefix}{pred.name} → {dep.get_type_display().lower()}{_lag_text(dep)}"
    return LinkView(dependency=dep, label=label, title=title, is_external=external)


def _working_minutes(calendar: WorkCalendar, zone, start: dt.datetime | None, finish: dt.datetime | None):
    if start is None or finish is None:
        return None
    return calendar.working_minutes_between(to_local(start, zone), to_local(finish, zone))


def choose_baseline(baselines: list[Baseline], wanted: str | int | None) -> Baseline | None:
    """The baseline numbered `wanted`; "none" for no baseline; by default (None, or a number
    that does not exist) the lowest-numbered one, usually baseline 0."""
    if wanted == NO_BASELINE:
        return None
    by_number = {b.number: b for b in baselines}
    if wanted is not None and str(wanted).isdigit() and int(wanted) in by_number:
        return by_number[int(wanted)]
    return baselines[0] if baselines else None


def project_schedule(
    *,
    project: Project,
    baseline: str | int | None = None,
    window: tuple[int, int] | None = None,
    around: int | None = None,
    expanded: str | set[int] | frozenset[int] | None = None,
) -> ProjectSchedule:
    """The plan of `project` for the schedule page: tasks in outline order with their
    predecessor links, the chosen baseline (see choose_baseline) and variances against it.

    `expanded`: None shows every branch; a set of summary pks shows only those summaries'
    subtasks (a collapsed summary is one row, its rolled-up bar); AUTO picks them (auto_expanded:
    all of them in a plan that fits one window, the outline's upper levels in a big one).

    `window` (first, count): rows only for that window of the rows left shown, cut between WBS
    branches (branch_windows; `first` is a position in the rows shown, the window holding it is
    the one given); `all_tasks` still holds every task. Rows, links and variances are worked out
    for the window only, so a page of 200 rows costs about the same in a plan of 300 tasks or
    5,000. `around` (a task pk): its branch is expanded down to it, and when it falls outside
    the window, the window holding it is shown instead (an edit that moved the row the user is
    working on, a branch just expanded).

    Queries: tasks, links, baselines, the chosen baseline's values, and the calendars
    (schedule_calendars) — the same number for 5 tasks or 5,000."""
    zone = project_zone(project)
    tasks = list(Task.objects.filter(project=project).order_by("sort_order", "pk"))
    baselines = list(Baseline.objects.filter(project=project).order_by("number"))
    chosen = choose_baseline(baselines, baseline)
    snapshot: dict[int, tuple[dt.datetime | None, dt.datetime | None]] = {}
    if chosen is not None:
        snapshot = {
            pk: (start, finish)
            for pk, start, finish in BaselineTask.objects.filter(baseline=chosen).values_list(
                "task_id", "start", "finish"
            )
        }
    calendars = schedule_calendars(project, tasks)
    default = project_calendar(project, calendars)

    ordered = outline_order(tasks)
    ends = subtree_ends(ordered)
    summaries = frozenset(task.pk for i, (task, _) in enumerate(ordered) if ends[i] > i + 1)
    size = max(window[1], 1) if window is not None else max(len(ordered), 1)
    opened: set[int] | None = None
    if expanded == AUTO:
        opened = auto_expanded(ordered, ends, size)
    elif expanded is not None:
        opened = set(expanded) & summaries
    if opened is not None and around is not None:
        by_pk = {task.pk: task for task, _ in ordered}
        parent = by_pk[around].parent_id if around in by_pk else None
        while parent in by_pk and parent not in opened:
            opened.add(parent)
            parent = by_pk[parent].parent_id
    visible = visible_indexes(ordered, ends, opened)
    first, previous_first, next_first = 0, None, None
    shown = [ordered[i] for i in visible]
    if window is not None:
        pages = branch_windows(visible, ends, size)
        page = max(bisect.bisect_right(pages, max(window[0], 0)) - 1, 0)
        at = next((j for j, i in enumerate(visible) if ordered[i][0].pk == around), None)
        stops = [*pages[1:], len(visible)]
        if at is not None and not pages[page] <= at < stops[page]:
            page = bisect.bisect_right(pages, at) - 1
        first = pages[page]
        previous_first = pages[page - 1] if page > 0 else None
        next_first = pages[page + 1] if page + 1 < len(pages) else None
        shown = shown[first : stops[page]]
    positions = {task.pk: i for i, (task, _) in enumerate(ordered)}
    shown_ids = {task.pk for task, _ in shown}
    # A window needs only the links into its rows (the predecessors column, the chart's arrows).
    links = (
        Dependency.objects.touching(project) if window is None else Dependency.objects.filter(successor__in=shown_ids)
    )
    deps = list(
        links.select_related("predecessor__project").order_by(
            "successor_id", "predecessor__project__code", "predecessor__sort_order", "pk"
        )
    )
    predecessors: dict[int, list[LinkView]] = {}
    for dep in deps:
        if dep.successor_id in shown_ids:
            predecessors.setdefault(dep.successor_id, []).append(link_view(dep, project))
    rows = []
    for task, level in shown:
        index = positions[task.pk]
        is_summary = task.pk in summaries
        calendar = calendars.get(str(task.calendar_id)) or default
        base_start, base_finish = snapshot.get(task.pk, (None, None))
        constraint = to_local(task.constraint_date, zone)
        rows.append(
            ScheduleRow(
                task=task,
                level=level,
                duration_days=format_days(task.duration_minutes),
                total_float_days=format_days(task.total_float_minutes),
                free_float_days=format_days(task.free_float_minutes),
                constraint_day=constraint.date() if constraint else None,
                predecessors=predecessors.get(task.pk, []),
                baseline_start=base_start,
                baseline_finish=base_finish,
                start_variance_minutes=_working_minutes(calendar, zone, base_start, task.start),
                finish_variance_minutes=_working_minutes(calendar, zone, base_finish, task.finish),
                index=index,
                is_open=(opened is None or task.pk in opened) if is_summary else None,
                descendants=ends[index] - index - 1,
            )
        )
    starts = [t.start for t in tasks if t.start]
    finishes_now = [t.finish for t in tasks if t.finish]
    finishes = [finish for _, finish in snapshot.values() if finish]
    baseline_finish = max(finishes) if finishes else None
    return ProjectSchedule(
        project=project,
        zone=zone,
        rows=rows,
        links=[d for d in deps if d.successor_id in shown_ids and d.predecessor_id in shown_ids],
        baselines=baselines,
        baseline=chosen,
        baseline_finish=baseline_finish,
        finish_variance_minutes=_working_minutes(default, zone, baseline_finish, project.forecast_finish),
        today=timezone.localtime(timezone.now(), zone).date(),
        calendar=default,
        all_tasks=[task for task, _ in ordered],
        first=first,
        span=(min(starts), max(finishes_now)) if starts and finishes_now else None,
        expanded=frozenset(opened) if opened is not None else None,
        summaries=summaries,
        shown_total=len(visible),
        previous_first=previous_first,
        next_first=next_first,
    )


def predecessor_choices(*, user, project: Project) -> list[Task]:
    """Tasks that may precede a task of `project`: those of its program's projects that `user`
    may see (links may cross projects inside one program), with their project loaded. One query."""
    return list(
        Task.objects.visible_to(user)
        .filter(project__program_id=project.program_id)
        .select_related("project")
        .only("pk", "name", "outline_number", "sort_order", "project__code", "project__name", "project_id")
        .order_by("project__code", "sort_order", "pk")
    )


def constraint_moment(
    day: dt.date, constraint_type: str, *, calendar: WorkCalendar, zone: zoneinfo.ZoneInfo
) -> dt.datetime:
    """The aware moment a constraint typed as a date means: the start of that day's working
    time for a start constraint (SNET, SNLT, MSO), its end for a finish constraint (FNET, FNLT,
    MFO), in the project's calendar; 08:00 and 17:00 on a day without working time."""
    pattern = calendar.day_pattern(day)
    is_finish = constraint_type in (Task.Constraint.FNET, Task.Constraint.FNLT, Task.Constraint.MFO)
    first, last = (pattern[0][0], pattern[-1][1]) if pattern else (8 * 60, 17 * 60)
    minute = last if is_finish else first
    local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
    return local.replace(tzinfo=zone)
