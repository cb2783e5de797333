"""Access helpers for projects and their status reports (see portfolio/querysets.py)."""

from django.db import models
from django.db.models import Q

from portfolio.querysets import memberships_of, scope_ids, sees_everything
from portfolio.roles import PROGRAM_EDITORS, PROJECT_EDITORS


class ProjectQuerySet(models.QuerySet):
    def _scoped(self, user, roles):
        m = memberships_of(user, roles)
        return (
            Q(pk__in=scope_ids(m, "project_id"))
            | Q(program_id__in=scope_ids(m, "program_id"))
            | Q(program__portfolio_id__in=scope_ids(m, "portfolio_id"))
        )

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(self._scoped(user, None))

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(self._scoped(user, PROJECT_EDITORS))

    def plan_approvable_by(self, user):
        """Projects whose plan of record `user` may replace: PROGRAM_EDITORS (the program manager,
        a portfolio admin) held on the project's program or portfolio — never a project manager."""
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        m = memberships_of(user, PROGRAM_EDITORS)
        return self.filter(
            Q(program_id__in=scope_ids(m, "program_id")) | Q(program__portfolio_id__in=scope_ids(m, "portfolio_id"))
        )


class StatusReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Project

        return self.filter(project__in_array=Project.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        from .models import Project

        return self.filter(project__in_array=Project.objects.editable_by(user).values("pk"))


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Project

        return self.filter(project__in_array=Project.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        from .models import Project

        return self.filter(project__in_array=Project.objects.editable_by(user).values("pk"))


class DependencyQuerySet(models.QuerySet):
    """A link is visible when its successor is (the predecessor may sit in a sibling project
    of the same program, which the viewer can then at least name)."""

    def visible_to(self, user):
        from .models import Project

        return self.filter(successor__project__in_array=Project.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        from .models import Project

        return self.filter(successor__project__in_array=Project.objects.editable_by(user).values("pk"))

    def touching(self, project):
        """Links into or out of `project`'s tasks. Filtered by the UNION of the links by successor
        and by predecessor (each an index lookup from the project's tasks):
        `Q(successor__project=p) | Q(predecessor__project=p)` joins every link in the database
        with both its tasks before the OR can be tested (170 ms at the large demo's 96,000
        links, against 2 ms at small)."""
        by_successor = self.model.objects.filter(successor__project=project).values("pk")
        by_predecessor = self.model.objects.filter(predecessor__project=project).values("pk")
        return self.filter(pk__in=by_successor.union(by_predecessor))


class CalendarQuerySet(models.QuerySet):
    """Shared calendars (no project) are readable by every signed-in user."""

    def visible_to(self, user):
        from .models import Project

        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(project__isnull=True) | Q(project__in_array=Project.objects.visible_to(user).values("pk")))

    def editable_by(self, user):
        from .models import Project

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(project__in_array=Project.objects.editable_by(user).values("pk"))
