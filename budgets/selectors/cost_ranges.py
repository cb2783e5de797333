"""Reads for the cost ranges section of a project's risk analysis inputs page."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse

from ..models import BudgetLine, CostCategory
from ..models.cost_ranges import CostRange


def category_budgets(*, project) -> dict[int, list[tuple[Decimal, str]]]:
    """The project's current approved budget per category: {category id: [(amount, currency)]}
    (one entry per currency the lines use)."""
    found: dict[int, list[tuple[Decimal, str]]] = defaultdict(list)
    rows = (
        BudgetLine.objects.filter(project=project, budget_version=BudgetLine.Version.CURRENT)
        .values("category_id", "currency_id")
        .annotate(total=Sum("amount"))
        .order_by("category_id", "currency_id")
    )
    for row in rows:
        found[row["category_id"]].append((row["total"], row["currency_id"]))
    return found


def cost_ranges_context(*, project, can_edit, edit="", cost_form=None, cost_edit_form=None, csrf_token=None) -> dict:
    from ..forms_cost_ranges import CostRangeForm

    budgets = category_budgets(project=project)
    categories = list(CostCategory.objects.all())
    ranges = list(CostRange.objects.filter(project=project).select_related("category"))
    currency = project.program.portfolio.base_currency
    for rng in ranges:
        rng.budget = budgets.get(rng.category_id, [])
        # With no most likely amount the budget is the most likely: say when it lies outside.
        rng.budget_outside = (
            rng.likely_amount is None
            and len(rng.budget) == 1
            and rng.budget[0][1] == currency
            and not rng.low_amount <= rng.budget[0][0] <= rng.high_amount
        )
        if can_edit:
            rng.edit_key = f"cost-{rng.pk}"
            rng.edit_href = reverse("projects:uncertainty", args=[project.pk]) + f"?edit=cost-{rng.pk}#cost-{rng.pk}"
            rng.save_url = reverse("budgets:cost-range", args=[project.pk, rng.pk])
            rng.delete_url = reverse("budgets:cost-range-delete", args=[project.pk, rng.pk])
            if edit == rng.edit_key:
                rng.form = cost_edit_form or CostRangeForm(categories=categories, instance=rng)
    taken = {rng.category_id for rng in ranges}
    uncovered = [{"category": c, "budget": budgets[c.pk]} for c in categories if c.pk in budgets and c.pk not in taken]
    context = {
        "project": project,
        "can_edit": can_edit,
        "ranges": ranges,
        "uncovered": uncovered,
        "currency": currency,
        "csrf_token": csrf_token,
        "page_url": reverse("projects:uncertainty", args=[project.pk]),
    }
    if can_edit:
        context["form"] = cost_form or CostRangeForm(categories=[c for c in categories if c.pk not in taken])
        context["add_url"] = reverse("budgets:cost-range-add", args=[project.pk])
    return context
