"""Access helpers for portfolio planning (see portfolio/querysets.py for the pattern).

A scenario decides the whole portfolio, so it is read by the people who see the portfolio as a
whole and decide it: portfolio admins and executives holding their role ON THE PORTFOLIO (a role
on one program or project does not show the portfolio's scenarios: they carry every project's
money). Only portfolio admins create, edit, optimise and commit. Everyone else gets 404.
Scoring criteria, their judgements and values, and optimisation runs follow the portfolio.

Each helper is one SQL query with a membership subquery.
"""

from django.db import models

from portfolio.querysets import memberships_of, scope_ids, sees_everything
from portfolio.roles import Role

# Who reads a portfolio's scenarios, scores and optimisation runs (a role held on the portfolio).
PLANNING_READERS = (Role.PORTFOLIO_ADMIN, Role.EXECUTIVE)
# Who builds, optimises and commits them, and sets the scoring criteria.
PLANNING_EDITORS = (Role.PORTFOLIO_ADMIN,)


def planning_portfolio_ids(user, roles=PLANNING_READERS):
    """A subquery of the portfolio ids on which `user` holds one of `roles`."""
    return scope_ids(memberships_of(user, roles), "portfolio_id")


class _PortfolioScoped(models.QuerySet):
    """Rows that reach their portfolio through `portfolio_path` (a lookup path)."""

    portfolio_path = "portfolio"

    def _in(self, user, roles):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(**{f"{self.portfolio_path}__in": planning_portfolio_ids(user, roles)})

    def visible_to(self, user):
        return self._in(user, PLANNING_READERS)

    def editable_by(self, user):
        return self._in(user, PLANNING_EDITORS)


class ScenarioQuerySet(_PortfolioScoped):
    portfolio_path = "portfolio_id"


class ScenarioPartQuerySet(_PortfolioScoped):
    """Overlay rows, budget caps and optimisation runs: through their scenario."""

    portfolio_path = "scenario__portfolio_id"


class ScoringCriterionQuerySet(_PortfolioScoped):
    portfolio_path = "portfolio_id"


class CriterionPartQuerySet(_PortfolioScoped):
    """Pairwise judgements and criterion values: through their (first) criterion."""

    portfolio_path = "criterion__portfolio_id"


class PairwiseJudgementQuerySet(_PortfolioScoped):
    portfolio_path = "criterion_a__portfolio_id"
