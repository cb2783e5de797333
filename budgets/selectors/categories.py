"""The current approved budget of a project, or of every project of a program, split by project
and cost category, in the portfolio's base currency — what the quantitative risk analysis
(risks.services.analysis) puts a CostRange's most likely value at when the range names none."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from ..models import BudgetLine
from .earned_value import MoneyScope
from .rates import RateTable

ZERO = Decimal(0)


def current_budget_by_category(scope: MoneyScope) -> dict[tuple[int, int], Decimal]:
    """{(project id, category id): current budget} over `scope`, each line converted at its
    period's start as earned value converts it. One query, a second for rates when a line is in
    a foreign currency."""
    base = scope.currency
    rows = list(
        BudgetLine.objects.filter(scope.q(), budget_version=BudgetLine.Version.CURRENT)
        .values_list("project_id", "category_id", "currency_id", "period__start")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    foreign = [(c, d) for _, _, c, d, _ in rows if c != base]
    rates = RateTable.load({base, *(c for c, _ in foreign)}, until=max(d for _, d in foreign)) if foreign else None
    out: dict[tuple[int, int], Decimal] = {}
    for project_id, category_id, currency, start, total in rows:
        amount = total if currency == base else rates.convert(total, currency, base, start)
        out[(project_id, category_id)] = out.get((project_id, category_id), ZERO) + amount
    return out
