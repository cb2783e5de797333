"""Reads of the planning pages that scenario_view does not cover: the scenario list, a scenario's
optimisation runs. Each is a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from ..models import OptimisationRun, Scenario


def scenario_list_rows(portfolio) -> list[Scenario]:
    """The portfolio's scenarios, newest first, each annotated with `changes` (projects whose
    place differs in its overlay), `caps` (fiscal years capped) and `last_run_at` (one query)."""
    return list(
        Scenario.objects.filter(portfolio=portfolio)
        .select_related("based_on", "created_by", "committed_by")
        .annotate(
            changes=Count("project_rows", distinct=True),
            caps=Count("budget_caps", distinct=True),
            last_run_at=Max("runs__created_at", filter=Q(runs__status=OptimisationRun.Status.SUCCEEDED)),
        )
        .order_by("-created_at", "-pk")
    )
