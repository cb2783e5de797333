"""What the planning pages share: finding a portfolio or scenario the user may read or edit
(404 otherwise, never 403), and the answer to a write refused because the scenario is read-only."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from portfolio.models import Portfolio

from ..models import Scenario
from ..querysets import PLANNING_EDITORS, PLANNING_READERS, planning_portfolio_ids
from ..services._common import may_plan

NOT_FOUND = "Not found."


def planning_portfolios(user, roles=PLANNING_READERS):
    """The portfolios whose scenarios `user` reads (or, with PLANNING_EDITORS, builds)."""
    portfolios = Portfolio.objects.visible_to(user)
    if user.is_superuser:
        return portfolios
    return portfolios.filter(pk__in=planning_portfolio_ids(user, roles))


def readable_portfolio(request, pk: int) -> Portfolio:
    return get_object_or_404(planning_portfolios(request.user), pk=pk)


def editable_portfolio(request, pk: int) -> Portfolio:
    return get_object_or_404(planning_portfolios(request.user, PLANNING_EDITORS), pk=pk)


def readable_scenario(request, pk: int) -> Scenario:
    return get_object_or_404(
        Scenario.objects.visible_to(request.user).select_related("portfolio", "based_on", "committed_by"), pk=pk
    )


def editable_scenario(request, pk: int) -> Scenario:
    """A scenario the user builds: 404 for readers who may not edit it (executives), as for
    outsiders. A committed scenario is still returned: the service refuses the write and the
    page says why (409)."""
    return get_object_or_404(
        Scenario.objects.editable_by(request.user).select_related("portfolio", "based_on", "committed_by"), pk=pk
    )


def can_edit(user, scenario: Scenario) -> bool:
    """Whether the page shows edit controls: a portfolio admin on a draft scenario."""
    return scenario.is_editable and may_plan(user, scenario.portfolio)


def not_found():
    return Http404(NOT_FOUND)
