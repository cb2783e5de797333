"""Access helpers for risks, mitigation actions, score history and issues (see
portfolio/querysets.py for the pattern).

- A project risk (or issue) is visible with its project; a program risk (or issue) with its
  program (Program.visible_to: also read by people who see the program through one of its
  projects). An escalated project risk is also visible to the people who see the program as a
  whole (Program.overseen_by) — a role on the program or its portfolio, which already shows every
  project of the program, so the project clause covers them.
- A project risk (or issue) is edited by PROJECT_EDITORS held on the project, its program or its
  portfolio — so escalated risks stay editable by the project manager and by the program's
  managers who handle the escalation. A program risk (or issue) is edited by PROGRAM_EDITORS on
  the program or its portfolio.
- Mitigation actions and score history follow their risk.

Figures summed over all of a program's projects (exposure) are shown only to
Program.overseen_by(user); risks.selectors enforces that.

Each helper is one SQL query with membership subqueries.
"""

from django.db import models
from django.db.models import Q

from portfolio.querysets import sees_everything
from portfolio.roles import PROGRAM_EDITORS, PROJECT_EDITORS

# Who edits risks and issues of a project (held on the project, program or portfolio).
RISK_EDITORS = PROJECT_EDITORS
# Who edits program-level risks and issues (held on the program or portfolio).
PROGRAM_RISK_EDITORS = PROGRAM_EDITORS


def risk_projects(user):
    """Projects whose risks and issues `user` may edit."""
    from projects.models import Project

    return Project.objects.editable_by(user)


def risk_programs(user):
    """Programs whose program-level risks and issues `user` may edit."""
    from portfolio.models import Program

    return Program.objects.editable_by(user)


class _ScopedQuerySet(models.QuerySet):
    """Rows with `program` always set and `project` set or null."""

    def visible_to(self, user):
        from portfolio.models import Program
        from projects.models import Project

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(
            Q(project__isnull=False, project__in_array=Project.objects.visible_to(user).values("pk"))
            | Q(project__isnull=True, program__in_array=Program.objects.visible_to(user).values("pk"))
        )

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(
            Q(project__isnull=False, project__in=risk_projects(user).values("pk"))
            | Q(project__isnull=True, program__in=risk_programs(user).values("pk"))
        )


class RiskQuerySet(_ScopedQuerySet):
    def active(self):
        """Open and mitigating risks: the ones that count in the exposure."""
        return self.filter(status__in=["open", "mitigating"])

    def on_program_register(self, program):
        """The program's register: its program risks and its escalated project risks."""
        return self.filter(program=program).filter(Q(project__isnull=True) | Q(escalated_at__isnull=False))


class IssueQuerySet(_ScopedQuerySet):
    pass


class _FollowsRiskQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Risk

        return self.filter(risk__in=Risk.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        from .models import Risk

        return self.filter(risk__in=Risk.objects.editable_by(user).values("pk"))


class MitigationActionQuerySet(_FollowsRiskQuerySet):
    pass


class RiskScoreHistoryQuerySet(_FollowsRiskQuerySet):
    pass
