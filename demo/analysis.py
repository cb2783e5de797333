"""The quantitative risk analysis stage of the demo: uncertainty on the demo program's schedules
and costs, so its program manager can run a Monte Carlo analysis from the risk-analysis page.

On every project of the first program (the demo program manager's): three-point estimates on
about a third of the unfinished work tasks (PERT or triangular, skewed late as real estimates
are), a -10% / +30% range on the longest WBS branch of one project and a -5% / +15% range on
all the other tasks of another, one correlation group per project (tasks done by one team),
cost ranges on each budgeted category, and more of the program's open risks linked to the tasks
they would delay. Then one analysis of the program is run (DEMO_ITERATIONS iterations), when
the engine is there.

Reads what it needs from the database (so it also runs on an existing demo through
`seed_demo --stages analysis`) and draws from its own generator seeded from the builder's, so
the earlier stages' rows stay the same for a given seed.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from budgets.models import BudgetLine, CostRange
from projects.models import CorrelationGroup, Distribution, DurationRange, Project, Task
from risks.models import AnalysisRun, Risk

from .builder import _bulk_create

log = logging.getLogger(__name__)
DEMO_ITERATIONS = 2000
THREE_POINT_SHARE = 0.35
CORRELATION_NAMES = ("Integration team", "Data migration crew", "Vendor delivery team", "Test team")


class AnalysisStage:
    def __init__(self, builder):
        self.b = builder
        self.rng = random.Random(builder.rng.random())

    def build(self) -> None:
        program = self.b.demo_program()
        if program is None:
            return
        rng = self.rng
        # The program's running projects: the planning stage's proposals (added later, also in this
        # program) are decided in scenarios, not analysed, so a re-run finds the same projects.
        projects = list(Project.objects.filter(program=program).exclude(status=Project.Status.PROPOSED).order_by("pk"))
        tasks = defaultdict(list)
        for task in Task.objects.filter(project__in=projects).order_by("project_id", "sort_order", "pk"):
            tasks[task.project_id].append(task)
        estimated: list[Task] = []
        ranges: list[DurationRange] = []
        for index, project in enumerate(projects):
            rows = tasks[project.pk]
            work = [t for t in rows if not t.is_summary and not t.is_milestone and t.actual_finish is None]
            work = [t for t in work if t.duration_minutes > 0]
            for task in work:
                if rng.random() >= THREE_POINT_SHARE:
                    continue
                d = task.duration_minutes
                task.optimistic_minutes = max(int(d * rng.uniform(0.75, 0.95)), 0)
                task.pessimistic_minutes = max(int(d * rng.uniform(1.2, 1.9)), d)
                task.duration_distribution = rng.choice((Distribution.PERT, Distribution.PERT, Distribution.TRIANGULAR))
                estimated.append(task)
            summaries = [t for t in rows if t.is_summary]
            if index == 0 and summaries:
                leaves = defaultdict(int)
                for t in rows:
                    if t.parent_id:
                        leaves[t.parent_id] += t.duration_minutes if not t.is_summary else 0
                branch = max(summaries, key=lambda t: (leaves[t.pk], -t.pk))
                ranges.append(
                    DurationRange(
                        project=project,
                        branch=branch,
                        low_percent=Decimal(10),
                        high_percent=Decimal(30),
                        distribution=Distribution.TRIANGULAR,
                    )
                )
            elif index == 1:
                ranges.append(
                    DurationRange(
                        project=project,
                        low_percent=Decimal(5),
                        high_percent=Decimal(15),
                        distribution=Distribution.PERT,
                    )
                )
            if len(work) >= 3:
                group = CorrelationGroup.objects.create(
                    project=project, name=rng.choice(CORRELATION_NAMES), coefficient=Decimal("0.60")
                )
                group.tasks.set(rng.sample(work, min(len(work), rng.randint(3, 5))))
        Task.objects.bulk_update(
            estimated, ["optimistic_minutes", "pessimistic_minutes", "duration_distribution"], batch_size=2000
        )
        _bulk_create(DurationRange, ranges, label="duration ranges", progress=self.b.progress)
        self._cost_ranges(projects)
        self._link_risks(program, tasks)
        self._run(program)

    def _cost_ranges(self, projects) -> None:
        rng = self.rng
        budgets = (
            BudgetLine.objects.filter(project__in=projects, budget_version=BudgetLine.Version.CURRENT)
            .values("project_id", "category_id")
            .annotate(total=Sum("amount"))
            .order_by("project_id", "category_id")
        )
        rows = []
        for row in budgets:
            total = row["total"]
            if not total:
                continue
            low = (total * Decimal(str(rng.uniform(0.88, 0.97)))).quantize(Decimal(1))
            high = (total * Decimal(str(rng.uniform(1.15, 1.45)))).quantize(Decimal(1))
            rows.append(
                CostRange(
                    project_id=row["project_id"],
                    category_id=row["category_id"],
                    low_amount=min(low, total),
                    high_amount=max(high, total),
                    distribution=Distribution.TRIANGULAR,
                )
            )
        _bulk_create(CostRange, rows, label="cost ranges", progress=self.b.progress)

    def _link_risks(self, program, tasks) -> None:
        """Link half the program's active project risks that delay work but name no task to one
        or two of their project's unfinished tasks."""
        rng = self.rng
        links = []
        risks = (
            Risk.objects.active()
            .filter(program=program, project__isnull=False, schedule_impact_days__gt=0, tasks__isnull=True)
            .order_by("pk")
        )
        for risk in risks:
            open_tasks = [t.pk for t in tasks[risk.project_id] if not t.is_summary and t.actual_finish is None]
            if open_tasks and rng.random() < 0.5:
                for task_id in rng.sample(open_tasks, min(len(open_tasks), rng.randint(1, 2))):
                    links.append(Risk.tasks.through(risk_id=risk.pk, task_id=task_id))
        _bulk_create(Risk.tasks.through, links, label="risk task links", progress=self.b.progress)

    def _run(self, program) -> None:
        """One analysis of the program, run after the seed commits (in-process in the embedded
        default)."""
        from risks.services.analysis import analysis_run_request

        analysis_run_request(
            user=program.manager, program=program, iterations=DEMO_ITERATIONS, seed=self.rng.randrange(1, 10**9)
        )


def reset() -> None:
    """Delete every analysis input and run (before the tasks they point at go)."""
    AnalysisRun.objects.all().delete()
    CostRange.objects.all().delete()
    CorrelationGroup.objects.all().delete()
    DurationRange.objects.all().delete()
    Task.objects.filter(optimistic_minutes__isnull=False).update(optimistic_minutes=None, pessimistic_minutes=None)


def counts() -> dict[str, int]:
    return {
        "three-point estimates": Task.objects.filter(optimistic_minutes__isnull=False).count(),
        "duration ranges": DurationRange.objects.count(),
        "correlation groups": CorrelationGroup.objects.count(),
        "cost ranges": CostRange.objects.count(),
        "analysis runs": AnalysisRun.objects.count(),
    }
