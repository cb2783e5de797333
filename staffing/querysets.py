"""Access helpers for staffing (see portfolio/querysets.py for the pattern).

- People, job roles and absences belong to a portfolio's resource pool: visible to everyone who
  sees the portfolio (Portfolio.objects.visible_to), edited by the pool's resource managers —
  STAFFING_EDITORS held on the portfolio or on any program in it (portfolio admins, program
  managers).
- Cost rates are money about individuals: visible to and edited by RATE_VIEWERS only (the
  resource managers plus finance analysts, on the portfolio or a program in it). Team members,
  project managers and executives do not see them.
- Allocations and staffing requests are visible with their project and edited by the project's
  PROJECT_EDITORS, and by the resource managers of the project's portfolio.

Each helper is one SQL query with membership subqueries.
"""

from django.db import models
from django.db.models import Q

from portfolio.querysets import memberships_of, scope_ids, sees_everything
from portfolio.roles import PROJECT_EDITORS, Role

# Who manages a portfolio's resource pool (people, roles, absences, any allocation in it), when
# held on the portfolio or on any program in it.
STAFFING_EDITORS = (Role.PORTFOLIO_ADMIN, Role.PROGRAM_MANAGER)
# Who may see and set people's cost rates (held on the portfolio or a program in it).
RATE_VIEWERS = (*STAFFING_EDITORS, Role.FINANCE_ANALYST)


def _pool_portfolio_ids(user, roles):
    """Portfolio ids where `user` holds one of `roles` on the portfolio or on a program in it."""
    from portfolio.models import Portfolio, Program

    m = memberships_of(user, roles)
    return Portfolio.objects.filter(
        Q(pk__in=scope_ids(m, "portfolio_id"))
        | Q(pk__in=Program.objects.filter(pk__in=scope_ids(m, "program_id")).values("portfolio_id"))
    ).values("pk")


def managed_pools(user):
    """Portfolios whose resource pool `user` manages (a queryset of ids; all for a superuser)."""
    from portfolio.models import Portfolio

    if not user.is_authenticated:
        return Portfolio.objects.none().values("pk")
    if sees_everything(user):
        return Portfolio.objects.values("pk")
    return _pool_portfolio_ids(user, STAFFING_EDITORS)


def rate_pools(user):
    """Portfolios whose people's cost rates `user` may see and set."""
    from portfolio.models import Portfolio

    if not user.is_authenticated:
        return Portfolio.objects.none().values("pk")
    if sees_everything(user):
        return Portfolio.objects.values("pk")
    return _pool_portfolio_ids(user, RATE_VIEWERS)


def staffing_projects(user):
    """Projects whose allocations and requests `user` may edit."""
    from projects.models import Project

    if not user.is_authenticated:
        return Project.objects.none()
    if sees_everything(user):
        return Project.objects.all()
    m = memberships_of(user, PROJECT_EDITORS)
    return Project.objects.filter(
        Q(pk__in=scope_ids(m, "project_id"))
        | Q(program_id__in=scope_ids(m, "program_id"))
        | Q(program__portfolio_id__in=scope_ids(m, "portfolio_id"))
        | Q(program__portfolio_id__in=_pool_portfolio_ids(user, STAFFING_EDITORS))
    )


class _PoolQuerySet(models.QuerySet):
    """Rows of a portfolio's resource pool, reached through `portfolio_path`."""

    portfolio_path = "portfolio"

    def visible_to(self, user):
        from portfolio.models import Portfolio

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(**{f"{self.portfolio_path}__in": Portfolio.objects.visible_to(user).values("pk")})

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(**{f"{self.portfolio_path}__in": _pool_portfolio_ids(user, STAFFING_EDITORS)})


class RoleQuerySet(_PoolQuerySet):
    pass


class PersonQuerySet(_PoolQuerySet):
    def active(self):
        return self.filter(is_active=True)


class AbsenceQuerySet(_PoolQuerySet):
    portfolio_path = "person__portfolio"


class CostRateQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(person__portfolio__in=_pool_portfolio_ids(user, RATE_VIEWERS))

    def editable_by(self, user):
        return self.visible_to(user)


class _ProjectStaffingQuerySet(models.QuerySet):
    def visible_to(self, user):
        from projects.models import Project

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(project__in_array=Project.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(project__in=staffing_projects(user).values("pk"))


class AllocationQuerySet(_ProjectStaffingQuerySet):
    def overlapping(self, start, end):
        """Allocations with at least one day in [start, end]."""
        return self.filter(start__lte=end, end__gte=start)


class StaffingRequestQuerySet(_ProjectStaffingQuerySet):
    def overlapping(self, start, end):
        return self.filter(start__lte=end, end__gte=start)
