"""The Monte Carlo engine's input (projects.scheduling.montecarlo.SimulationInput) read from the
database for one AnalysisRun, and its JSON form stored in `AnalysisRun.inputs`.

- The network is the CPM engine's (projects.services.schedule.load_network): a project's linked
  group, or every project of a program with the cross-project links between them.
- The scheduling rules are the schedule's own (projects.services.schedule.schedule_options, the
  one function that builds them): a project run schedules under the options its schedule uses
  (Microsoft Project or Primavera P6, with P6's data date, progress mode, lag calendar, ...), so
  with every range collapsed its P50 is the project's scheduled finish. A program run schedules
  each group of projects linked by cross-project links under that group's options: projects of
  different dialects each under their own when they are not linked; projects linked to each
  other but scheduling under different rules are refused (SCHEDULE_RULES_DIFFER: the schedule of
  such a group depends on which project was edited last, so no single answer is the plan's).
- Durations: a leaf task's own three-point estimate (Task.optimistic/pessimistic_minutes around
  its planned duration); else the DurationRange of its nearest WBS ancestor that has one; else
  its project's all-tasks range; else fixed. Finished tasks and milestones stay fixed.
- Correlation groups: their tasks, a summary standing for its leaf tasks.
- Cost: the budget at completion is earned value's BAC (budgets.selectors.earned_value), the same
  figure the cost pages show; each CostRange is ranged around its category's current budget (or
  its own most likely amount), and the rest of the BAC is a fixed amount.
- Risk events: the open and mitigating risks of the projects (and, for a program, its
  program-level risks); a project run counts the cost impact of its own risks only, as it
  counts only its own budget, while its linked projects' risks still move its dates.
  Probability: `probability_percent` (inherent), or the percentage the residual probability
  level stands for (residual, as the register's residual EMV works it out). Schedule impact
  (calendar days) becomes working minutes at the calendar's average working time per calendar
  day, added to each linked task in the network; a risk linked to no task delays its project's
  last-finishing unfinished work task (the network's, for a program risk), so that it moves the
  finish by the impact the register states. Cost impact is added when it occurs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max

from budgets.models import CostRange
from budgets.selectors.categories import current_budget_by_category
from budgets.selectors.earned_value import PMB_BASELINE, default_as_of, measure, money_scope
from projects.models import BaselineTask, CorrelationGroup, DurationRange, Project, Task
from projects.scheduling import ActivityType, ScheduleInputError, ScheduleOptions
from projects.scheduling.montecarlo import (
    CorrelatedGroup,
    CostItem,
    RiskEvent,
    SchedulePart,
    SimulationInput,
    ThreePoint,
)
from projects.services.schedule import Network, load_network, schedule_options

from .. import scoring
from ..models import AnalysisRun, Risk

ZERO = Decimal(0)
HUNDRED = Decimal(100)
SCHEDULE_RULES_DIFFER = (
    "Projects {first} and {second} are linked by cross-project dependencies but schedule under different "
    "rules ({rules}). Give the linked projects the same scheduling dialect and options, or analyse them "
    "one project at a time."
)
#: P6 activities whose dates span other activities' (never driven by their own duration).
SPANNING = (ActivityType.LOE, ActivityType.WBS_SUMMARY)


@dataclass
class Prepared:
    """The engine input and what the results need to name things and set them against."""

    data: SimulationInput
    network: Network
    budget: Decimal  # the budget at completion (earned value's BAC)
    baseline_finish: dt.datetime | None  # aware: the latest baseline-0 finish in scope
    task_labels: dict[int, tuple[str, str]]  # task id -> (name, project code)
    risk_labels: dict[str, str]


def _leaves(tasks: list[Task]) -> tuple[dict[int, list[int]], set[int]]:
    children: dict[int, list[int]] = {}
    for task in tasks:
        if task.parent_id:
            children.setdefault(task.parent_id, []).append(task.pk)
    return children, {t.pk for t in tasks if t.pk not in children}


def _leaves_under(pk: int, children: dict[int, list[int]]) -> list[int]:
    out, stack = [], [pk]
    while stack:
        current = stack.pop()
        kids = children.get(current)
        if kids:
            stack.extend(kids)
        else:
            out.append(current)
    return out


def _three_point_of(percent_range: DurationRange, minutes: int) -> ThreePoint:
    low = minutes * (1 - float(percent_range.low_percent) / 100)
    high = minutes * (1 + float(percent_range.high_percent) / 100)
    return ThreePoint(max(low, 0.0), float(minutes), high, percent_range.distribution)


def _durations(tasks: list[Task], children, leaves, project_ids, spanning: set[int]) -> dict[int, ThreePoint]:
    ranges = list(DurationRange.objects.filter(project_id__in=project_ids))
    by_branch = {r.branch_id: r for r in ranges if r.branch_id}
    for_all = {r.project_id: r for r in ranges if r.branch_id is None}
    parent_of = {t.pk: t.parent_id for t in tasks}
    out: dict[int, ThreePoint] = {}
    for task in tasks:
        if task.pk not in leaves or task.is_milestone or task.actual_finish is not None or task.pk in spanning:
            continue
        if task.optimistic_minutes is not None and task.pessimistic_minutes is not None:
            likely = min(max(task.duration_minutes, task.optimistic_minutes), task.pessimistic_minutes)
            out[task.pk] = ThreePoint(
                float(task.optimistic_minutes),
                float(likely),
                float(task.pessimistic_minutes),
                task.duration_distribution,
            )
            continue
        if not task.duration_minutes:
            continue
        found, ancestor = None, parent_of.get(task.pk)
        while ancestor is not None and found is None:
            found = by_branch.get(ancestor)
            ancestor = parent_of.get(ancestor)
        found = found or for_all.get(task.project_id)
        if found is not None:
            out[task.pk] = _three_point_of(found, task.duration_minutes)
    return out


def _correlations(project_ids, children, in_network: set[int]) -> list[CorrelatedGroup]:
    groups = CorrelationGroup.objects.filter(project_id__in=project_ids).prefetch_related("tasks").order_by("pk")
    out = []
    for group in groups:
        ids: list[int] = []
        for task in group.tasks.all():
            ids.extend(pk for pk in _leaves_under(task.pk, children) if pk in in_network and pk not in ids)
        if len(ids) >= 2:
            out.append(CorrelatedGroup(tuple(sorted(ids)), float(group.coefficient)))
    return out


def _costs(scope, projects: list[Project]) -> tuple[Decimal, list[CostItem], Decimal]:
    """(budget at completion, ranged cost items, fixed remainder)."""
    bac = measure(scope, as_of=default_as_of(scope)).bac
    budgets = current_budget_by_category(scope)
    codes = {p.pk: p.code for p in projects}
    items, ranged = [], ZERO
    for row in CostRange.objects.filter(project_id__in=codes).select_related("category").order_by("project_id", "pk"):
        category_budget = budgets.get((row.project_id, row.category_id), ZERO)
        likely = row.likely_amount if row.likely_amount is not None else category_budget
        likely = min(max(likely, row.low_amount), row.high_amount)
        ranged += category_budget
        prefix = f"{codes[row.project_id]} " if len(projects) > 1 else ""
        items.append(
            CostItem(
                key=f"cost:{codes[row.project_id]}:{row.category.code}",
                label=f"{prefix}{row.category.name}",
                low=row.low_amount,
                likely=likely,
                high=row.high_amount,
                distribution=row.distribution,
            )
        )
    return bac, items, max(bac - ranged, ZERO)


def _probability(risk: Risk, basis: str) -> float:
    percent = risk.probability_percent
    if basis == AnalysisRun.Basis.RESIDUAL and risk.residual_probability is not None:
        percent = scoring.default_percent(risk.residual_probability)
    return float(percent / HUNDRED)


def _risks(run: AnalysisRun, net: Network, project_ids, leaves, spanning: set[int]) -> list[RiskEvent]:
    risks = Risk.objects.active().select_related("program").prefetch_related("tasks")
    risks = risks.filter(program_id=run.program_id) if run.program_id else risks.filter(project_id__in=project_ids)
    in_network = {t.pk for t in net.tasks}
    # The last-finishing leaf task of each project and of the whole network (for risks linked to
    # no task): the task whose delay moves the finish by the full impact.
    last_of: dict[int | None, Task] = {}
    for task in net.tasks:
        # Work still to do, whose duration the engine may stretch (not a milestone, a finished
        # or a manually scheduled task, nor a P6 level-of-effort or WBS-summary activity).
        movable = not (task.is_milestone or task.is_manual or task.actual_finish is not None or task.pk in spanning)
        if task.pk not in leaves or task.finish is None or not movable:
            continue
        for key in (task.project_id, None):
            if key not in last_of or task.finish > last_of[key].finish:
                last_of[key] = task
    default_calendar = net.calendars[net.default_calendar_id]
    minutes_per_day = default_calendar.minutes_per_week / 7
    out = []
    for risk in risks.order_by("program_id", "number"):
        minutes = round(risk.schedule_impact_days * minutes_per_day)
        impacts: dict[int, int] = {}
        if minutes:
            linked = [t.pk for t in risk.tasks.all() if t.pk in in_network]
            if not linked:
                last = last_of.get(risk.project_id) or last_of.get(None)
                linked = [last.pk] if last is not None else []
            impacts = dict.fromkeys(linked, minutes)
        # A project run schedules its linked group but counts only its own money: the risks of
        # the other projects in the group move dates, not its cost.
        cost = risk.cost_impact if run.program_id or risk.project_id == run.project_id else ZERO
        if not impacts and not cost:
            continue
        out.append(
            RiskEvent(
                key=f"risk:{risk.reference}",
                label=f"{risk.reference} {risk.title}",
                probability=_probability(risk, run.basis),
                task_impacts=impacts,
                cost_impact=cost,
            )
        )
    return out


def scope_projects(run: AnalysisRun) -> tuple[Project, list[int]]:
    """The anchor project and the project ids a run simulates."""
    if run.project_id:
        return run.project, []
    projects = list(Project.objects.filter(program_id=run.program_id).order_by("pk"))
    if not projects:
        raise ValueError("The program has no projects to analyse.")
    return projects[0], [p.pk for p in projects]


def _rules(options: ScheduleOptions) -> str:
    return "Primavera P6" if options.p6 is not None else "Microsoft Project"


def schedule_parts(net: Network) -> tuple[ScheduleOptions, list[SchedulePart]]:
    """The options to simulate `net` under: one set, the schedule's (`net.options`), when every
    project in it schedules under the same rules (the critical float threshold aside: it moves
    no date) or under Microsoft Project's; else the groups of projects linked by cross-project
    links, each under its options (built by the schedule's own `schedule_options`). Raises
    ScheduleInputError when linked projects' rules differ."""
    options = {p.pk: schedule_options(p, net.zone) for p in net.projects}
    dates = {pk: dataclasses.replace(o, critical_slack_minutes=0) for pk, o in options.items()}
    if len(set(dates.values())) == 1 or all(o.p6 is None for o in options.values()):
        return net.options, []
    project_of = {t.pk: t.project_id for t in net.tasks}
    group = {pk: pk for pk in options}

    def root(pk: int) -> int:
        while group[pk] != pk:
            group[pk] = group[group[pk]]
            pk = group[pk]
        return pk

    for dep in net.dependencies:
        a, b = project_of.get(dep.predecessor_id), project_of.get(dep.successor_id)
        if a is not None and b is not None and a != b:
            group[root(a)] = root(b)
    members: dict[int, list[Project]] = {}
    for project in net.projects:
        members.setdefault(root(project.pk), []).append(project)
    parts = []
    for projects in members.values():
        first = projects[0]
        for other in projects[1:]:
            if dates[other.pk] != dates[first.pk]:
                rules = (
                    f"{_rules(options[first.pk])} and {_rules(options[other.pk])}"
                    if _rules(options[first.pk]) != _rules(options[other.pk])
                    else f"different {_rules(options[first.pk])} options"
                )
                raise ScheduleInputError(SCHEDULE_RULES_DIFFER.format(first=first.code, second=other.code, rules=rules))
        ids = {p.pk for p in projects}
        parts.append(SchedulePart(tuple(t.pk for t in net.tasks if t.project_id in ids), options[first.pk]))
    return net.options, parts


def prepare(run: AnalysisRun) -> Prepared:
    """Everything the engine needs for `run`, read in a fixed number of queries."""
    anchor, ids = scope_projects(run)
    net = load_network(anchor, project_ids=ids) if run.program_id else load_network(anchor)
    options, parts = schedule_parts(net) if run.program_id else (net.options, [])
    project_ids = [p.pk for p in net.projects]
    # P6's level-of-effort and WBS-summary activities, in what schedules under P6.
    p6_tasks = {pk for part in parts if part.options.p6 is not None for pk in part.task_ids}
    if not parts and options.p6 is not None:
        p6_tasks = {t.pk for t in net.tasks}
    spanning = {t.pk for t in net.tasks if t.pk in p6_tasks and t.activity_type in SPANNING}
    children, leaves = _leaves(net.tasks)
    durations = _durations(net.tasks, children, leaves, project_ids, spanning)
    correlations = _correlations(project_ids, children, {t.pk for t in net.tasks})
    scope = money_scope(program=run.program) if run.program_id else money_scope(project=run.project)
    if run.program_id:
        bac, items, fixed = _costs(scope, net.projects)
    else:
        # A project's linked group is scheduled together; its money is its own.
        bac, items, fixed = _costs(scope, [p for p in net.projects if p.pk == run.project_id])
    events = _risks(run, net, project_ids, leaves, spanning)
    baseline = BaselineTask.objects.filter(
        baseline__project_id__in=[run.project_id] if run.project_id else project_ids,
        baseline__number=PMB_BASELINE,
    ).aggregate(finish=Max("finish"))["finish"]
    codes = {p.pk: p.code for p in net.projects}
    data = SimulationInput(
        tasks=net.task_in,
        links=net.link_in,
        calendars=net.calendars,
        default_calendar_id=net.default_calendar_id,
        project_start=net.start,
        status_date=net.status_date,
        options=options,
        parts=parts,
        durations=durations,
        correlations=correlations,
        costs=items,
        fixed_cost=fixed,
        risks=events,
        iterations=run.iterations,
        seed=run.seed,
    )
    return Prepared(
        data=data,
        network=net,
        budget=bac,
        baseline_finish=baseline,
        task_labels={t.pk: (t.name, codes.get(t.project_id, "")) for t in net.tasks},
        risk_labels={e.key: e.label for e in events},
    )


# -- JSON ---------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def inputs_json(prepared: Prepared) -> dict:
    """The engine input as JSON (calendars by id: their rows hold the working time)."""
    data = prepared.data
    return {
        "project_ids": [p.pk for p in prepared.network.projects],
        "time_zone": str(prepared.network.zone),
        "tasks": _plain(list(data.tasks)),
        "links": _plain(list(data.links)),
        "calendar_ids": sorted(data.calendars),
        "default_calendar_id": data.default_calendar_id,
        "project_start": _plain(data.project_start),
        "status_date": _plain(data.status_date),
        "options": _plain(data.options),
        "parts": _plain(list(data.parts)),
        "durations": _plain(dict(data.durations)),
        "correlations": _plain(list(data.correlations)),
        "costs": _plain(list(data.costs)),
        "fixed_cost": str(data.fixed_cost),
        "budget": str(prepared.budget),
        "risks": _plain(list(data.risks)),
        "iterations": data.iterations,
        "seed": data.seed,
    }


__all__ = ["SCHEDULE_RULES_DIFFER", "Prepared", "inputs_json", "prepare", "schedule_parts", "scope_projects"]
