"""The schedules stage of the demo: calendars, a WBS per project, links, progress, baseline 0.

Every project gets a phased WBS (summary tasks Initiation, Design, Build, Test, Deploy,
Closure, each with leaf tasks and a closing milestone such as "Design approved" or "Go-live"),
mostly finish-to-start links plus some start-to-start and finish-to-finish links with lags, and
in each program a "platform" project whose build milestone feeds two later projects.

Dates are computed with the scheduling engine in memory, exactly as
`projects.services.schedule.load_network` would feed it (one network per linked group, the
same calendars, project-start floors and status date), so the rows are inserted with their
dates already set: no UPDATE pass. Running `schedule_recompute` on any seeded project changes
nothing (the tests check this). The engine runs twice per group: once without progress for
baseline 0 (the plan as first approved), once with the progress recorded at the status date and
the re-estimated durations of the projects that have slipped since.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from projects.models import Baseline, BaselineTask, Calendar, CalendarException, Dependency, Project, Task
from projects.scheduling import ConstraintType, LinkIn, LinkType, TaskIn, schedule
from projects.services.schedule import work_calendars

DAY = 480  # working minutes in a day
UTC = zoneinfo.ZoneInfo("UTC")

# (phase, share of the project's working days, leaf task names, closing milestone)
PHASES = [
    (
        "Initiation",
        0.07,
        ["Business case", "Stakeholder analysis", "Project charter", "Initial risk assessment", "Team mobilisation"],
        "Project charter approved",
    ),
    (
        "Design",
        0.20,
        [
            "Requirements workshops",
            "Current-state assessment",
            "Solution architecture",
            "Detailed design",
            "Security design review",
            "Data model",
            "Integration design",
            "Design review",
        ],
        "Design approved",
    ),
    (
        "Build",
        0.38,
        [
            "Environment set-up",
            "Procurement",
            "Core build",
            "Integrations",
            "Data migration scripts",
            "Reporting",
            "Configuration",
            "Site preparation",
            "Installation",
            "Documentation",
            "Code review and hardening",
        ],
        "Build complete",
    ),
    (
        "Test",
        0.17,
        [
            "Test planning",
            "System testing",
            "Integration testing",
            "Performance testing",
            "Security testing",
            "User acceptance testing",
            "Defect fixing",
        ],
        "Test exit approved",
    ),
    (
        "Deploy",
        0.12,
        ["Cut-over planning", "Training", "Data migration", "Pilot", "Rollout", "Hypercare"],
        "Go-live",
    ),
    ("Closure", 0.06, ["Handover to operations", "Lessons learned", "Contract closure"], "Project closed"),
]
BUILD_PHASE = 2
# Leaf names beyond a phase's named tasks (large projects iterate).
MORE = {
    "Initiation": "Stakeholder workshop {n}",
    "Design": "Design iteration {n}",
    "Build": "Build sprint {n}",
    "Test": "Test cycle {n}",
    "Deploy": "Rollout wave {n}",
    "Closure": "Closure review {n}",
}

# Fixed-date public holidays, and those moving with Easter (days from Easter Sunday).
FIXED_HOLIDAYS = [(1, 1, "New Year's Day"), (5, 1, "Labour Day"), (12, 25, "Christmas Day"), (12, 26, "Boxing Day")]
EASTER_HOLIDAYS = [(-2, "Good Friday"), (1, "Easter Monday"), (39, "Ascension Day"), (50, "Whit Monday")]


def easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian; the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def holidays(first_year: int, last_year: int) -> list[tuple[dt.date, str]]:
    days = []
    for year in range(first_year, last_year + 1):
        days += [(dt.date(year, month, day), name) for month, day, name in FIXED_HOLIDAYS]
        days += [(easter(year) + dt.timedelta(days=offset), name) for offset, name in EASTER_HOLIDAYS]
    return sorted(days)


def status_friday(today: dt.date) -> dt.date:
    """The status date: the last Friday before today."""
    return today - dt.timedelta(days=(today.weekday() - 4) % 7 or 7)


@dataclass
class Plan:
    """One project's WBS before insertion; `key`s are builder-wide ints (the engine's ids)."""

    project: Project
    tasks: list[Task] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)
    parent: dict[int, int] = field(default_factory=dict)  # leaf key -> summary key
    milestones: dict[str, int] = field(default_factory=dict)  # milestone name -> key
    first_build_leaf: int = 0
    slipped: bool = False


@dataclass
class Link:
    pred: int
    succ: int
    type: str = "FS"
    lag: int = 0


class ScheduleStage:
    """Builds the schedules for `builder` (a demo.builder.DemoBuilder)."""

    def __init__(self, builder):
        self.b = builder
        self.rng = builder.rng
        self.status = status_friday(builder.today)
        self.by_key: dict[int, Task] = {}
        self.links: list[Link] = []
        self.next_key = 1

    # -- calendars --------------------------------------------------------------------------

    def build_calendars(self) -> None:
        projects = self.b.projects
        first = min(p.planned_start for p in projects).year - 1
        last = max(p.planned_finish for p in projects).year + 3
        self.standard = Calendar.objects.create(name="Standard", project=None)
        CalendarException.objects.bulk_create(
            CalendarException(calendar=self.standard, name=name, start_date=day, end_date=day)
            for day, name in holidays(first, last)
        )
        # About one project in twenty has its own calendar: the standard week and holidays (by
        # derivation) plus a summer shutdown and the Christmas week off.
        own = [p for p in projects if self.rng.random() < 0.05]
        calendars = Calendar.objects.bulk_create(
            Calendar(project=p, name=f"{p.code} site calendar", base_calendar=self.standard, work_week={}) for p in own
        )
        exceptions = []
        for calendar in calendars:
            for year in range(first, last + 1):
                exceptions.append(
                    CalendarException(
                        calendar=calendar,
                        name="Summer shutdown",
                        start_date=dt.date(year, 8, 3),
                        end_date=dt.date(year, 8, 14),
                    )
                )
                exceptions.append(
                    CalendarException(
                        calendar=calendar,
                        name="Year-end shutdown",
                        start_date=dt.date(year, 12, 27),
                        end_date=dt.date(year, 12, 31),
                    )
                )
        CalendarException.objects.bulk_create(exceptions, batch_size=1000)
        own_calendar = {c.project_id: c.pk for c in calendars}
        for p in projects:
            p.calendar_id = own_calendar.get(p.pk, self.standard.pk)
            p.status_date = self.status
        self.calendars = work_calendars([self.standard, *calendars])

    # -- the WBS ------------------------------------------------------------------------------

    def _task(self, plan: Plan, **fields) -> int:
        key, self.next_key = self.next_key, self.next_key + 1
        task = Task(project_id=plan.project.pk, **fields)
        self.by_key[key] = task
        plan.tasks.append(task)
        plan.keys.append(key)
        return key

    def plan_project(self, project: Project) -> Plan:
        rng = self.rng
        plan = Plan(project=project)
        working_days = max(30, (project.planned_finish - project.planned_start).days * 5 // 7)
        leaves_total = rng.randint(20, 80) - 2 * len(PHASES)
        weights = [share for _, share, _, _ in PHASES]
        counts = [max(1, round(leaves_total * w)) for w in weights]
        rate = Decimal(rng.randrange(56, 120) * 10)  # blended day rate of the project, EUR
        order, previous_milestone = 0, None
        for number, ((phase, share, names, milestone), count) in enumerate(zip(PHASES, counts, strict=True), start=1):
            order += 10
            summary = self._task(
                plan, name=phase, outline_number=str(number), wbs=str(number), sort_order=order, is_summary=True
            )
            phase_days = max(count, round(working_days * share * rng.uniform(0.85, 1.1)))
            chosen = rng.sample(names, min(count, len(names)))
            chosen += [MORE[phase].format(n=n) for n in range(1, count - len(chosen) + 1)]
            leaves: list[int] = []
            phase_links = len(self.links)
            for index, name in enumerate(chosen, start=1):
                order += 10
                days = max(1, round(phase_days / count * rng.uniform(0.8, 1.9)))  # links overlap some
                key = self._task(
                    plan,
                    name=name,
                    outline_number=f"{number}.{index}",
                    wbs=f"{number}.{index}",
                    sort_order=order,
                    duration_minutes=days * DAY,
                    cost=(rate * days * Decimal(rng.choice([1, 2, 2, 3, 4]))).quantize(Decimal("0.01")),
                )
                plan.parent[key] = summary
                if not leaves:
                    if previous_milestone is not None:
                        self.links.append(Link(previous_milestone, key))
                    if number - 1 == BUILD_PHASE:
                        plan.first_build_leaf = key
                else:
                    roll = rng.random()
                    if roll < 0.18:  # start together, a few days behind
                        self.links.append(Link(leaves[-1], key, "SS", rng.randint(1, 5) * DAY))
                    elif roll < 0.26:  # finish together, a day or two behind
                        self.links.append(Link(leaves[-1], key, "FF", rng.randint(1, 2) * DAY))
                        if len(leaves) > 1:
                            self.links.append(Link(leaves[0], key, "SS", 0))
                    elif roll < 0.38 and len(leaves) > 1:  # parallel branch
                        self.links.append(Link(leaves[-2], key))
                    else:
                        lag = rng.choice([0, 0, 0, 0, 0, DAY, 2 * DAY])
                        self.links.append(Link(leaves[-1], key, "FS", lag))
                leaves.append(key)
            order += 10
            milestone_key = self._task(
                plan,
                name=milestone,
                outline_number=f"{number}.{count + 1}",
                wbs=f"{number}.{count + 1}",
                sort_order=order,
                is_milestone=True,
            )
            plan.parent[milestone_key] = summary
            plan.milestones[milestone] = milestone_key
            in_phase = set(leaves)
            with_successor = {link.pred for link in self.links[phase_links:] if link.pred in in_phase}
            for leaf in leaves:
                if leaf not in with_successor or leaf == leaves[-1]:
                    self.links.append(Link(leaf, milestone_key))
            previous_milestone = milestone_key
        # The summaries' costs roll up from their children.
        for key, task in zip(plan.keys, plan.tasks, strict=True):
            if not task.is_summary:
                parent = self.by_key[plan.parent[key]]
                parent.cost += task.cost
        return plan

    def cross_links(self, plans: list[Plan]) -> list[tuple[int, int]]:
        """In each program of three projects or more, the earliest-starting project is a
        platform: its "Build complete" milestone feeds the build of two later projects."""
        pairs = []
        by_program = defaultdict(list)
        for plan in plans:
            by_program[plan.project.program_id].append(plan)
        for members in by_program.values():
            if len(members) < 3:
                continue
            members = sorted(members, key=lambda p: (p.project.planned_start, p.project.code))
            platform = members[0]
            later = [p for p in members[1:] if p.project.calendar_id == self.standard.pk]
            if platform.project.calendar_id != self.standard.pk or len(later) < 2:
                continue
            for consumer in self.rng.sample(later[: max(2, len(later) // 3)], 2):
                self.links.append(Link(platform.milestones["Build complete"], consumer.first_build_leaf))
                pairs.append((platform.project.pk, consumer.project.pk))
        return pairs

    # -- computing dates ----------------------------------------------------------------------

    def groups(self, plans: list[Plan], pairs: list[tuple[int, int]]) -> list[list[Plan]]:
        parent = {plan.project.pk: plan.project.pk for plan in plans}

        def root(pk):
            while parent[pk] != pk:
                parent[pk] = parent[parent[pk]]
                pk = parent[pk]
            return pk

        for a, b in pairs:
            parent[root(a)] = root(b)
        grouped = defaultdict(list)
        for plan in plans:
            grouped[root(plan.project.pk)].append(plan)
        return [sorted(group, key=lambda p: p.project.pk) for group in grouped.values()]

    def run_engine(self, group: list[Plan], links_of: dict[int, list[Link]], *, with_progress: bool):
        """Schedule one linked group as load_network + schedule_recompute would."""
        starts = {}
        for plan in group:
            calendar = self.calendars[str(plan.project.calendar_id)]
            starts[plan.project.pk] = calendar.next_work_start(
                dt.datetime.combine(plan.project.planned_start, dt.time())
            )
        network_start = min(starts.values())
        rows, links = [], []
        for plan in group:
            start = starts[plan.project.pk]
            floor = start if start > network_start else None
            calendar_id = str(plan.project.calendar_id)
            for key, task in sorted(zip(plan.keys, plan.tasks, strict=True), key=lambda kt: kt[1].sort_order):
                constraint, date = ConstraintType.ASAP, None
                if floor is not None:
                    constraint, date = ConstraintType.SNET, floor
                progress = with_progress and not task.is_summary
                rows.append(
                    TaskIn(
                        id=key,
                        name=task.name,
                        parent_id=plan.parent.get(key),
                        duration_minutes=task.duration_minutes if progress or task.is_summary else task.planned_minutes,
                        is_milestone=task.is_milestone,
                        constraint_type=constraint,
                        constraint_date=date,
                        calendar_id=calendar_id,
                        percent_complete=float(task.percent_complete) if progress else 0.0,
                        actual_start=_naive(task.actual_start) if progress else None,
                        actual_finish=_naive(task.actual_finish) if progress else None,
                    )
                )
                links += [
                    LinkIn(
                        predecessor_id=link.pred, successor_id=link.succ, type=LinkType(link.type), lag_minutes=link.lag
                    )
                    for link in links_of.get(key, ())
                ]
        return schedule(
            rows,
            links,
            calendars=self.calendars,
            default_calendar_id=str(group[0].project.calendar_id),
            project_start=network_start,
            status_date=dt.datetime.combine(self.status, dt.time(17)) if with_progress else None,
        )

    def progress(self, plan: Plan) -> None:
        """Percent complete and actual dates as of the status date, from the baseline dates; a
        slipped project is behind on its tasks in progress and has re-estimated the rest."""
        project, rng = plan.project, self.rng
        status_end = dt.datetime.combine(self.status, dt.time(17))
        closed = project.phase in (Project.Phase.CLOSED, Project.Phase.CLOSING) and project.status != "cancelled"
        for task in plan.tasks:
            if task.is_summary:
                continue
            start, finish = task.baseline_start, task.baseline_finish
            if (closed or finish <= status_end) and start <= status_end:
                task.percent_complete = Decimal(100)
                task.actual_start, task.actual_finish = _aware(start), _aware(min(finish, status_end))
                continue
            if start < status_end < finish and task.duration_minutes:
                done = (status_end - start) / (finish - start)
                if plan.slipped:
                    done *= rng.uniform(0.45, 0.8)
                task.percent_complete = Decimal(str(round(max(1.0, min(95.0, 100 * done)))))
                task.actual_start = _aware(start)
            elif plan.slipped and start >= status_end and task.duration_minutes and rng.random() < 0.35:
                days = max(1, round(task.duration_minutes / DAY * rng.uniform(1.15, 1.5)))
                task.cost = (task.cost * days * DAY / task.duration_minutes).quantize(Decimal("0.01"))
                task.duration_minutes = days * DAY

    # -- the stage ----------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        b = self.b
        self.build_calendars()
        plans = [self.plan_project(p) for p in b.projects]
        pairs = self.cross_links(plans)
        running = {Project.Phase.EXECUTION}
        for plan in plans:
            plan.slipped = plan.project.phase in running and self.rng.random() < 0.35
            for task in plan.tasks:
                task.planned_minutes = task.duration_minutes
        links_of = defaultdict(list)
        for link in self.links:
            links_of[link.succ].append(link)
        groups = self.groups(plans, pairs)
        from tqdm import tqdm

        for group in tqdm(groups, desc="schedules", unit=" groups", disable=not b.progress, leave=False):
            baseline = self.run_engine(group, links_of, with_progress=False)
            for plan in group:
                for key, task in zip(plan.keys, plan.tasks, strict=True):
                    out = baseline.tasks[key]
                    task.baseline_start, task.baseline_finish = out.start, out.finish
                    task.baseline_minutes, task.baseline_cost = out.duration_minutes, task.cost
                self.progress(plan)
                for task in plan.tasks:
                    if task.is_summary:
                        task.cost = Decimal(0)
                for key, task in zip(plan.keys, plan.tasks, strict=True):
                    if not task.is_summary:
                        self.by_key[plan.parent[key]].cost += task.cost
            current = self.run_engine(group, links_of, with_progress=True)
            for plan in group:
                finish = None
                for key, task in zip(plan.keys, plan.tasks, strict=True):
                    out = current.tasks[key]
                    task.start, task.finish = _aware(out.start), _aware(out.finish)
                    task.early_start, task.early_finish = _aware(out.early_start), _aware(out.early_finish)
                    task.late_start, task.late_finish = _aware(out.late_start), _aware(out.late_finish)
                    task.total_float_minutes = out.total_float_minutes
                    task.free_float_minutes = out.free_float_minutes
                    task.is_critical, task.is_summary = out.is_critical, out.is_summary
                    if out.is_summary:
                        task.duration_minutes = out.duration_minutes
                    finish = max(finish, task.finish) if finish else task.finish
                plan.project.forecast_finish = finish
        self.insert(plans)
        Project.objects.bulk_update(b.projects, ["calendar", "status_date", "forecast_finish"], batch_size=1000)
        self.plans = plans
        return {"cross-project links": len(pairs)}

    def insert(self, plans: list[Plan]) -> None:
        from .builder import _bulk_create

        progress = self.b.progress
        summaries = [t for plan in plans for t in plan.tasks if t.is_summary]
        _bulk_create(Task, summaries, label="summary tasks", progress=progress)
        leaves = []
        for plan in plans:
            for key, task in zip(plan.keys, plan.tasks, strict=True):
                if not task.is_summary:
                    task.parent_id = self.by_key[plan.parent[key]].pk
                    leaves.append(task)
        _bulk_create(Task, leaves, label="tasks", progress=progress)
        deps = [
            Dependency(
                predecessor_id=self.by_key[link.pred].pk,
                successor_id=self.by_key[link.succ].pk,
                type=link.type,
                lag_minutes=link.lag,
            )
            for link in self.links
        ]
        _bulk_create(Dependency, deps, label="dependencies", progress=progress)
        created = dt.datetime.combine(min(p.project.planned_start for p in plans), dt.time(9), tzinfo=UTC)
        baselines = [
            Baseline(
                project=plan.project,
                number=0,
                name="Baseline 0 (approved plan)",
                approved=True,
                created_at=max(created, dt.datetime.combine(plan.project.planned_start, dt.time(9), tzinfo=UTC)),
                created_by_id=plan.project.manager_id,
            )
            for plan in plans
        ]
        _bulk_create(Baseline, baselines, label="baselines", progress=progress)
        rows = [
            BaselineTask(
                baseline_id=baseline.pk,
                task_id=task.pk,
                start=_aware(task.baseline_start),
                finish=_aware(task.baseline_finish),
                duration_minutes=task.baseline_minutes,
                cost=task.baseline_cost,
            )
            for plan, baseline in zip(plans, baselines, strict=True)
            for task in plan.tasks
        ]
        _bulk_create(BaselineTask, rows, label="baseline tasks", progress=progress)


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)
