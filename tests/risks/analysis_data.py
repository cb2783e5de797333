"""Small schedules with uncertainty for the analysis tests (plain helpers, not fixtures)."""

import itertools
from decimal import Decimal

from budgets.models import CostRange
from projects.models import Dependency, DurationRange
from projects.services.schedule import schedule_recompute
from tests.factories.budgets import BudgetLineFactory, CostCategoryFactory
from tests.factories.projects import TaskFactory

DAY = 480


def chain(project, *, days=(5, 10, 5), three_point=True):
    """A chain of tasks under one summary; the first with its own three-point estimate, the
    rest under a branch range (-10% / +40%). Scheduled. Returns (summary, tasks)."""
    summary = TaskFactory(project=project, name=f"{project.code} work", duration_minutes=0, sort_order=0)
    tasks = [
        TaskFactory(project=project, parent=summary, name=f"{project.code} step {i}", duration_minutes=d * DAY)
        for i, d in enumerate(days, start=1)
    ]
    for a, b in itertools.pairwise(tasks):
        Dependency.objects.create(predecessor=a, successor=b)
    if three_point:
        first = tasks[0]
        first.optimistic_minutes, first.pessimistic_minutes = 4 * DAY, 9 * DAY
        first.save()
        DurationRange.objects.create(
            project=project, branch=summary, low_percent=Decimal("10"), high_percent=Decimal("40")
        )
    schedule_recompute(project=project)
    for task in (summary, *tasks):
        task.refresh_from_db()
    return summary, tasks


def budget(project, *, amount=Decimal("100000.00"), ranged=True):
    """A current budget line and (when `ranged`) a cost range around it."""
    category = CostCategoryFactory(code="LAB", name="Labour")
    BudgetLineFactory(project=project, category=category, amount=amount)
    if ranged:
        CostRange.objects.create(
            project=project, category=category, low_amount=amount * Decimal("0.9"), high_amount=amount * Decimal("1.5")
        )
    return category
