"""Access helpers: the one place that says who sees and edits what.

Every HTML view and API viewset starts from `<Model>.objects.visible_to(user)` or
`editable_by(user)`. Each is one SQL query with membership subqueries, so the cost does not
depend on how many memberships a user holds. Objects a user may not see are 404, not 403.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from .roles import PORTFOLIO_EDITORS, PROGRAM_EDITORS


def memberships_of(user, roles: Iterable[str] | None = None):
    from .models import Membership

    qs = Membership.objects.filter(user=user)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return qs


def scope_ids(qs, field: str):
    return qs.filter(**{f"{field}__isnull": False}).values(field)


def sees_everything(user) -> bool:
    return user.is_active and user.is_superuser


class PortfolioQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Portfolios where the user holds any role on the portfolio or on something in it."""
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        from projects.models import Project

        from .models import Program

        m = memberships_of(user)
        return self.filter(
            Q(pk__in=scope_ids(m, "portfolio_id"))
            | Q(pk__in=Program.objects.filter(pk__in=scope_ids(m, "program_id")).values("portfolio_id"))
            | Q(pk__in=Project.objects.filter(pk__in=scope_ids(m, "project_id")).values("program__portfolio_id"))
        )

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(pk__in=scope_ids(memberships_of(user, PORTFOLIO_EDITORS), "portfolio_id"))

    def overseen_by(self, user):
        """Portfolios the user sees whole: a role on the portfolio itself. Figures summed over
        every program (a portfolio's earned value, exposure) are shown only to them, as
        ProgramQuerySet.overseen_by does for a program's."""
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(pk__in=scope_ids(memberships_of(user), "portfolio_id"))


class StrategicObjectiveQuerySet(models.QuerySet):
    """Objectives belong to a portfolio: visible with it, edited by its admins."""

    def visible_to(self, user):
        from .models import Portfolio

        return self.filter(portfolio__in=Portfolio.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        from .models import Portfolio

        return self.filter(portfolio__in=Portfolio.objects.editable_by(user).values("pk"))


class ProgramQuerySet(models.QuerySet):
    def _scoped(self, user, roles):
        m = memberships_of(user, roles)
        return Q(pk__in=scope_ids(m, "program_id")) | Q(portfolio_id__in=scope_ids(m, "portfolio_id"))

    def visible_to(self, user):
        """Programs the user holds a role on (directly or through the portfolio), and
        programs containing a project the user is a member of (read-only for them)."""
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        from projects.models import Project

        member_programs = Project.objects.filter(pk__in=scope_ids(memberships_of(user), "project_id")).values(
            "program_id"
        )
        # As an id set (core.lookups): a list's page then filters on the ids before it joins and
        # groups the programs' projects for its annotations.
        visible = self.model.objects.filter(self._scoped(user, None) | Q(pk__in=member_programs))
        return self.filter(pk__in_array=visible.values("pk"))

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(self._scoped(user, PROGRAM_EDITORS))

    def overseen_by(self, user):
        """Programs the user sees whole: a role on the program or its portfolio. Figures summed
        over all of a program's projects (program earned value, budget by period) are shown only
        to them; someone who sees the program through one project membership would otherwise
        learn the money of projects hidden from them."""
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(self._scoped(user, None))


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Memberships on any scope the user can see."""
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        from projects.models import Project

        from .models import Portfolio, Program

        return self.filter(
            Q(portfolio__in=Portfolio.objects.visible_to(user).values("pk"))
            | Q(program__in_array=Program.objects.visible_to(user).values("pk"))
            | Q(project__in_array=Project.objects.visible_to(user).values("pk"))
        )

    def editable_by(self, user):
        """Portfolio admins manage every membership in their portfolio; program managers
        manage memberships on their programs and the projects in them."""
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        from projects.models import Project

        from .models import Portfolio, Program

        return self.filter(
            Q(portfolio__in=Portfolio.objects.editable_by(user).values("pk"))
            | Q(program__in_array=Program.objects.editable_by(user).values("pk"))
            | Q(project__in=Project.objects.filter(program__in=Program.objects.editable_by(user)).values("pk"))
        )
