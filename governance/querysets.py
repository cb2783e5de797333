"""Access helpers for governance (the pattern is portfolio/querysets.py).

- Project items (stage gates, gate criteria, change requests and their lines) are visible with
  their project and prepared / edited by PROJECT_EDITORS on the project, its program or its
  portfolio. They are decided — gates approved, rejected or deferred; change requests approved or
  rejected — only by GATE_APPROVERS / CHANGE_APPROVERS held on the program or the portfolio (a
  project manager prepares but does not approve their own gate or change): `decidable_by(user)`.
- Program items (benefits and their measurements, OLAs and their targets) are visible with the
  program and edited by PROGRAM_EDITORS on the program or its portfolio.
- The decision log is visible to those who see the program whole (ProgramQuerySet.overseen_by) and,
  for an entry about one project, also to those who see that project; someone who sees the program
  only through one project does not read the program's other decisions.

Each helper is one SQL query with membership subqueries.
"""

from django.db import models
from django.db.models import Q

from portfolio.querysets import memberships_of, scope_ids, sees_everything
from portfolio.roles import PROGRAM_EDITORS

# Who decides a stage gate and approves or rejects a change request (held on the program or its
# portfolio): the program manager (and portfolio admins), never the project manager alone.
GATE_APPROVERS = PROGRAM_EDITORS
CHANGE_APPROVERS = PROGRAM_EDITORS


def _programs(user, roles):
    """Programs on which `user` holds one of `roles` (on the program or its portfolio)."""
    from portfolio.models import Program

    if sees_everything(user):
        return Program.objects.all()
    m = memberships_of(user, roles)
    return Program.objects.filter(
        Q(pk__in=scope_ids(m, "program_id")) | Q(portfolio_id__in=scope_ids(m, "portfolio_id"))
    )


class _ProjectItemQuerySet(models.QuerySet):
    """Rows owned by a project through `project_path`."""

    project_path = "project"
    approvers = GATE_APPROVERS

    def visible_to(self, user):
        from projects.models import Project

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(**{f"{self.project_path}__in": Project.objects.visible_to(user).values("pk")})

    def editable_by(self, user):
        from projects.models import Project

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(**{f"{self.project_path}__in": Project.objects.editable_by(user).values("pk")})

    def decidable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(**{f"{self.project_path}__program__in": _programs(user, self.approvers).values("pk")})


class StageGateQuerySet(_ProjectItemQuerySet):
    def approved(self):
        return self.filter(decision="approved")

    def pending(self):
        return self.filter(decision="pending")


class GateCriterionQuerySet(_ProjectItemQuerySet):
    project_path = "gate__project"


class ChangeRequestQuerySet(_ProjectItemQuerySet):
    approvers = CHANGE_APPROVERS

    def awaiting_decision(self):
        return self.filter(status="submitted")


class ChangeRequestLineQuerySet(_ProjectItemQuerySet):
    project_path = "change_request__project"
    approvers = CHANGE_APPROVERS


class _ProgramItemQuerySet(models.QuerySet):
    """Rows owned by a program through `program_path`."""

    program_path = "program"

    def visible_to(self, user):
        from portfolio.models import Program

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(**{f"{self.program_path}__in": Program.objects.visible_to(user).values("pk")})

    def editable_by(self, user):
        from portfolio.models import Program

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(**{f"{self.program_path}__in": Program.objects.editable_by(user).values("pk")})


class DecisionQuerySet(_ProgramItemQuerySet):
    def visible_to(self, user):
        from portfolio.models import Program
        from projects.models import Project

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(
            Q(program__in=Program.objects.overseen_by(user).values("pk"))
            | Q(project__in_array=Project.objects.visible_to(user).values("pk"))
        )


class BenefitQuerySet(_ProgramItemQuerySet):
    pass


class BenefitMeasurementQuerySet(_ProgramItemQuerySet):
    program_path = "benefit__program"


class OperatingLevelAgreementQuerySet(_ProgramItemQuerySet):
    def review_overdue(self, today):
        """Active or under-review agreements whose review date has passed."""
        return self.filter(status__in=["active", "under_review"], review_date__lt=today)


class OlaTargetQuerySet(_ProgramItemQuerySet):
    program_path = "ola__program"
