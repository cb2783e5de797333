"""Access helpers for money (see portfolio/querysets.py for the pattern).

- Project money (budget lines, cost entries, forecasts) is visible with its project and
  editable by FINANCE_EDITORS held on the project, its program or its portfolio.
- Program money (lifecycle cost estimates, contracts, program reserve drawdowns) is visible with
  its program (a contract also with any project it is linked to) and editable by
  PROGRAM_FINANCE_EDITORS held on the program or its portfolio.
- Reference data (currencies, rates, cost categories, shared fiscal calendars) is read by every
  signed-in user and maintained by REFERENCE_DATA_EDITORS held on any portfolio; a portfolio's
  own fiscal calendar by those roles on that portfolio.
- The vendor register is shared by the programs: people who manage contracts (a
  PROGRAM_FINANCE_EDITORS role on any program or portfolio) see and edit all of it; others see
  the vendors of contracts they can see.

Each helper is one SQL query with membership subqueries, whatever the user holds.
"""

from django.db import models
from django.db.models import Exists, Q

from portfolio.querysets import memberships_of, scope_ids, sees_everything
from portfolio.roles import FINANCE_EDITORS, PROGRAM_FINANCE_EDITORS, REFERENCE_DATA_EDITORS


def finance_projects(user):
    """Projects whose money `user` may edit (a queryset; empty for anonymous users)."""
    from projects.models import Project

    if not user.is_authenticated:
        return Project.objects.none()
    if sees_everything(user):
        return Project.objects.all()
    m = memberships_of(user, FINANCE_EDITORS)
    return Project.objects.filter(
        Q(pk__in=scope_ids(m, "project_id"))
        | Q(program_id__in=scope_ids(m, "program_id"))
        | Q(program__portfolio_id__in=scope_ids(m, "portfolio_id"))
    )


def finance_programs(user):
    """Programs whose money `user` may edit."""
    from portfolio.models import Program

    if not user.is_authenticated:
        return Program.objects.none()
    if sees_everything(user):
        return Program.objects.all()
    m = memberships_of(user, PROGRAM_FINANCE_EDITORS)
    return Program.objects.filter(
        Q(pk__in=scope_ids(m, "program_id")) | Q(portfolio_id__in=scope_ids(m, "portfolio_id"))
    )


def _reference_editor(user) -> Exists:
    """SQL: does `user` hold a reference-data role on some portfolio?"""
    return Exists(memberships_of(user, REFERENCE_DATA_EDITORS).filter(portfolio__isnull=False))


def _contract_manager(user) -> Exists:
    """SQL: does `user` hold a program-finance role on some program or portfolio?"""
    return Exists(memberships_of(user, PROGRAM_FINANCE_EDITORS).filter(project__isnull=True))


class ProjectMoneyQuerySet(models.QuerySet):
    """Rows owned by a project through `project`."""

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
        return self.filter(project__in_array=finance_projects(user).values("pk"))


class BudgetLineQuerySet(ProjectMoneyQuerySet):
    def current(self):
        return self.filter(budget_version="current")

    def original(self):
        return self.filter(budget_version="original")


class CostEntryQuerySet(ProjectMoneyQuerySet):
    def up_to(self, day):
        """Entries dated on or before `day`."""
        return self.filter(date__lte=day)


class ForecastQuerySet(ProjectMoneyQuerySet):
    pass


class ProgramMoneyQuerySet(models.QuerySet):
    """Rows owned by a program through `program_path`."""

    program_path = "program"

    def _visible_q(self, user) -> Q:
        from portfolio.models import Program

        return Q(**{f"{self.program_path}__in": Program.objects.visible_to(user).values("pk")})

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(self._visible_q(user))

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(**{f"{self.program_path}__in": finance_programs(user).values("pk")})


class LifecycleCostEstimateQuerySet(ProgramMoneyQuerySet):
    def approved(self):
        return self.filter(status="approved")


class LifecycleCostLineQuerySet(ProgramMoneyQuerySet):
    program_path = "estimate__program"


class ContractQuerySet(ProgramMoneyQuerySet):
    def _visible_q(self, user) -> Q:
        from projects.models import Project

        # A contract is seen by the people of each project it serves, not only its program's.
        linked = self.model.projects.through.objects.filter(
            project__in_array=Project.objects.visible_to(user).values("pk")
        ).values("contract_id")
        return super()._visible_q(user) | Q(pk__in=linked)


class ContractSecurityRequirementQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Contract

        return self.filter(contract__in=Contract.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        from .models import Contract

        return self.filter(contract__in=Contract.objects.editable_by(user).values("pk"))


class ReserveTransactionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from portfolio.models import Program
        from projects.models import Project

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(
            Q(project__in_array=Project.objects.visible_to(user).values("pk"))
            | Q(program__in_array=Program.objects.visible_to(user).values("pk"))
        )

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(
            Q(project__in_array=finance_projects(user).values("pk"))
            | Q(program__in_array=finance_programs(user).values("pk"))
        )


class ReferenceDataQuerySet(models.QuerySet):
    """Currencies, exchange rates and cost categories: shared by every portfolio."""

    def visible_to(self, user):
        return self.all() if user.is_authenticated else self.none()

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(_reference_editor(user))


class FiscalCalendarQuerySet(models.QuerySet):
    """Shared calendars (no portfolio) are read by everyone signed in; a portfolio's own
    calendar by those who see the portfolio."""

    def visible_to(self, user):
        from portfolio.models import Portfolio

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(Q(portfolio__isnull=True) | Q(portfolio__in=Portfolio.objects.visible_to(user).values("pk")))

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        own = scope_ids(memberships_of(user, REFERENCE_DATA_EDITORS), "portfolio_id")
        return self.filter((Q(portfolio__isnull=True) & _reference_editor(user)) | Q(portfolio__in=own))


class FiscalPeriodQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import FiscalCalendar

        return self.filter(calendar__in=FiscalCalendar.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        from .models import FiscalCalendar

        return self.filter(calendar__in=FiscalCalendar.objects.editable_by(user).values("pk"))


class VendorQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Contract

        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(_contract_manager(user) | Q(pk__in=Contract.objects.visible_to(user).values("vendor_id")))

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(_contract_manager(user))
