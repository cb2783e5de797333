"""The program cockpit's reads beyond the roll-up row (reporting.selectors.program_dashboard):
the next milestones and the critical path across the program's projects, and the snapshots
behind the S-curve and the health trend. Program-wide figures (EAC, CPI, forecast finish, the
critical path length) are read from the roll-up, never recomputed here.

A fixed number of queries whatever the number of projects, milestones, tasks or snapshots:
one for the milestones, two for the critical path (its tasks, the links between them), one
for the snapshots. Milestones and critical tasks come only from the projects `user` sees
(the dashboard's open projects).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.utils import timezone

from portfolio.models import Program
from projects.models import Dependency, Project, Task

from . import charts
from .models import MetricSnapshot
from .trends import _weekly

NEXT_MILESTONES = 5
HEALTH_WEEKS = 12
SCURVE_DAYS = 365
CHAIN_SHOWN = 8  # critical tasks listed; a longer chain shows its first and last ones


@dataclass(frozen=True, slots=True)
class NextMilestone:
    task: Task
    project: Project
    due: dt.date
    late: bool


@dataclass(frozen=True, slots=True)
class ChainSegment:
    """Consecutive tasks of the critical path in one project."""

    project: Project
    tasks: int
    first: Task
    last: Task


@dataclass(frozen=True, slots=True)
class CriticalPath:
    """The chain of critical tasks that ends the latest, walked back through the links between
    critical tasks (across projects). `tasks` is the whole chain in order; `shown` at most
    CHAIN_SHOWN of them with `hidden` the number left out between its head and its tail."""

    tasks: tuple[Task, ...] = ()
    segments: tuple[ChainSegment, ...] = ()
    shown_head: tuple[Task, ...] = ()
    shown_tail: tuple[Task, ...] = ()
    hidden: int = 0
    start: dt.datetime | None = None
    finish: dt.datetime | None = None

    @property
    def projects(self) -> int:
        return len({t.project_id for t in self.tasks})

    @property
    def crosses_projects(self) -> bool:
        return self.projects > 1


@dataclass(frozen=True, slots=True)
class HealthWeek:
    day: dt.date
    computed: str
    reported: str


@dataclass(slots=True)
class Cockpit:
    """What the cockpit cards show besides the roll-up. `scurve` is an SVG (escaped by the chart
    kit) or "" when the reader may not see the program's money."""

    next_milestones: list[NextMilestone]
    critical_path: CriticalPath
    health_weeks: list[HealthWeek]
    health_chart: str
    scurve: str
    scurve_points: list[tuple[dt.date, object, object, object]] = field(default_factory=list)


def _zone(project: Project) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(project.time_zone or "UTC")


def next_milestones(*, projects: list[Project], limit: int = NEXT_MILESTONES) -> list[NextMilestone]:
    """The next `limit` open milestones (not finished, not 100 %) of `projects`, earliest first:
    late ones (due before today in their project's time zone) lead. One query."""
    by_id = {p.pk: p for p in projects}
    if not by_id:
        return []
    rows = (
        Task.objects.filter(
            project_id__in=by_id, is_milestone=True, actual_finish__isnull=True, percent_complete__lt=100
        )
        .exclude(finish__isnull=True)
        .only("pk", "name", "finish", "project")
        .order_by("finish", "project_id", "sort_order", "pk")[:limit]
    )
    found = []
    for task in rows:
        project = by_id[task.project_id]
        task.project = project  # already loaded: no query
        zone = _zone(project)
        due = task.finish.astimezone(zone).date()
        found.append(NextMilestone(task=task, project=project, due=due, late=due < dt.datetime.now(zone).date()))
    return found


def critical_path(*, projects: list[Project], shown: int = CHAIN_SHOWN) -> CriticalPath:
    """The critical path across `projects`: from the critical task that finishes last, back
    through its critical predecessors (the one finishing last each time, the driving one), so a
    chain crosses into another project where a cross-project link drives it. Two queries."""
    by_id = {p.pk: p for p in projects}
    if not by_id:
        return CriticalPath()
    critical = Task.objects.filter(project_id__in=by_id, is_critical=True, is_summary=False)
    tasks = {
        t.pk: t
        for t in critical.only("pk", "name", "project", "early_start", "early_finish", "is_milestone").order_by()
    }
    if not tasks:
        return CriticalPath()
    ids = critical.values("pk")
    predecessors: dict[int, list[int]] = {}
    for pred, succ in Dependency.objects.filter(predecessor__in=ids, successor__in=ids).values_list(
        "predecessor_id", "successor_id"
    ):
        predecessors.setdefault(succ, []).append(pred)

    never = dt.datetime.min.replace(tzinfo=dt.UTC)

    def finish_key(pk: int):
        # Latest finish first; on a tie the later start (a milestone after the task ending with
        # it), then the later-made task.
        task = tasks[pk]
        return (task.early_finish or never, task.early_start or never, pk)

    # The path ends at a critical task no other critical task follows, the one finishing last.
    followed = {pred for preds in predecessors.values() for pred in preds}
    ends = [pk for pk in tasks if pk not in followed] or list(tasks)
    chain, seen = [max(ends, key=finish_key)], set()
    while chain[-1] not in seen:
        seen.add(chain[-1])
        before = [pk for pk in predecessors.get(chain[-1], []) if pk in tasks and pk not in seen]
        if not before:
            break
        chain.append(max(before, key=finish_key))
    ordered = [tasks[pk] for pk in reversed(chain)]
    for task in ordered:
        task.project = by_id[task.project_id]  # already loaded: no query
    segments: list[ChainSegment] = []
    for task in ordered:
        if segments and segments[-1].project.pk == task.project_id:
            last = segments[-1]
            segments[-1] = ChainSegment(project=last.project, tasks=last.tasks + 1, first=last.first, last=task)
        else:
            segments.append(ChainSegment(project=by_id[task.project_id], tasks=1, first=task, last=task))
    cut = len(ordered) > shown + 1  # leaving out a single task would save no line
    head_count = shown // 2 if cut else len(ordered)
    tail_count = shown - head_count if cut else 0
    return CriticalPath(
        tasks=tuple(ordered),
        segments=tuple(segments),
        shown_head=tuple(ordered[:head_count]),
        shown_tail=tuple(ordered[-tail_count:]) if tail_count else (),
        hidden=max(len(ordered) - head_count - tail_count, 0),
        start=min((t.early_start for t in ordered if t.early_start), default=None),
        finish=max((t.early_finish for t in ordered if t.early_finish), default=None),
    )


def _program_snapshots(program: Program, *, today: dt.date) -> list[MetricSnapshot]:
    """The program's weekly snapshots (the newest of each week) over the S-curve's window. One query."""
    rows = (
        MetricSnapshot.objects.filter(program=program, day__gte=today - dt.timedelta(days=SCURVE_DAYS))
        .only("day", "pv", "ev", "ac", "health_overall", "reported_rag")
        .order_by("day")
    )
    return _weekly(list(rows))


def program_cockpit(
    *, program: Program, projects: list[Project], overseen: bool, today: dt.date | None = None
) -> Cockpit:
    """The cockpit's reads for the program page: `projects` are the open projects the reader
    sees; `overseen` whether they may see the program's money (the S-curve). Four queries."""
    today = today or timezone.localdate()
    currency = program.portfolio.base_currency
    weekly = _program_snapshots(program, today=today)
    recent = weekly[-HEALTH_WEEKS:]
    health_weeks = [
        HealthWeek(day=s.day, computed=s.health_overall or "", reported=s.reported_rag or "") for s in recent
    ]
    points = [(s.day, s.pv, s.ev, s.ac) for s in weekly] if overseen else []
    return Cockpit(
        next_milestones=next_milestones(projects=projects),
        critical_path=critical_path(projects=projects),
        health_weeks=health_weeks,
        health_chart=charts.health_weeks_strip(
            [(w.day, w.computed, w.reported) for w in health_weeks], title=f"Health of {program.name}, last 12 weeks"
        ),
        scurve=charts.scurve_thumbnail(points, title=f"Earned value of {program.name}", currency=currency)
        if overseen
        else "",
        scurve_points=points,
    )
