"""The governance demo stage on hand-made budgets (without a whole seed)."""

import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest

from budgets.models import BudgetLine
from demo.governance import GovernanceStage
from governance.models import ChangeRequest
from tests.factories.budgets import BudgetLineFactory

TODAY = dt.date(2026, 3, 16)


@pytest.mark.django_db
def test_demo_change_request_lines_are_the_budget_differences(project, ref):
    """Where the money stage left the current budget above the original, the stage writes an
    approved change request whose lines are exactly the differences (not re-applied)."""
    for version, amount in (("original", "1000"), ("current", "1150")):
        BudgetLineFactory(
            project=project,
            category=ref.labour,
            period=ref.period(2026, 1),
            currency=ref.eur,
            budget_version=version,
            amount=Decimal(amount),
        )
    for version in ("original", "current"):
        BudgetLineFactory(
            project=project,
            category=ref.materials,
            period=ref.period(2026, 2),
            currency=ref.eur,
            budget_version=version,
            amount=Decimal("500"),
        )
    builder = SimpleNamespace(rng=random.Random(1), today=TODAY, progress=False, demo={})
    GovernanceStage(builder).build()
    cr = ChangeRequest.objects.get(project=project, status="approved", lines__isnull=False)
    assert cr.cost_impact == Decimal("150.00")
    assert list(cr.lines.values_list("category__code", "amount_delta")) == [("LAB", Decimal("150.00"))]
    assert BudgetLine.objects.get(project=project, category=ref.labour, budget_version="current").amount == Decimal(
        "1150.00"
    )
