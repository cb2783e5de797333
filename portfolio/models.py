"""Portfolios, strategic objectives, programs and memberships."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from core import bounds
from core.models import TimeStampedModel, VersionedModel
from core.money import MoneyField

from .querysets import MembershipQuerySet, PortfolioQuerySet, ProgramQuerySet, StrategicObjectiveQuerySet
from .roles import Role

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_-]{0,31}$",
    "Use 1-32 capital letters, digits, '-' or '_', starting with a letter or digit.",
)
currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use an ISO 4217 code such as EUR or USD.")


class Portfolio(VersionedModel):
    """The top of the hierarchy: a set of programs aligned to strategic objectives."""

    code = models.CharField(max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    base_currency = models.CharField(max_length=3, default="EUR", validators=[currency_validator])

    objects = PortfolioQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="%(app_label)s_%(class)s_code_not_empty"),
            models.CheckConstraint(
                condition=Q(base_currency__regex=r"^[A-Z]{3}$"), name="%(app_label)s_%(class)s_currency_iso"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[int | None, int | None, int | None]:
        """(portfolio, program, project) ids for the audit log (core.services.audit_record)."""
        return self.pk, None, None


class StrategicObjective(VersionedModel):
    """A goal of the organisation that programs contribute to, with a weight per program."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(max_length=32, validators=[code_validator])
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    objects = StrategicObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["portfolio", "code"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "code"], name="%(app_label)s_%(class)s_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Program(VersionedModel):
    """A group of projects serving one organisational goal, inside one portfolio."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="programs")
    code = models.CharField(max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_programs"
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="sponsored_programs"
    )
    objectives = models.ManyToManyField(
        StrategicObjective, through="ProgramObjective", related_name="programs", blank=True
    )
    start_date = bounds.BoundedDateField(null=True, blank=True)
    finish_date = bounds.BoundedDateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Reserves in the portfolio's base currency; drawdowns are logged in budgets.ReserveTransaction
    # and what remains is computed from that log (budgets.selectors.reserve_status).
    contingency_reserve = MoneyField(default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    management_reserve = MoneyField(default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            *bounds.checks(money=("contingency_reserve", "management_reserve"), dates=("start_date", "finish_date")),
            models.CheckConstraint(condition=~Q(code=""), name="%(app_label)s_%(class)s_code_not_empty"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(finish_date__isnull=True)
                | Q(start_date__lte=F("finish_date")),
                name="%(app_label)s_%(class)s_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(contingency_reserve__gte=0), name="%(app_label)s_%(class)s_reserve_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(management_reserve__gte=0),
                name="%(app_label)s_%(class)s_management_reserve_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def audit_scope(self) -> tuple[int | None, int | None, int | None]:
        """(portfolio, program, project) ids for the audit log (core.services.audit_record)."""
        return self.portfolio_id, self.pk, None


class ProgramObjective(models.Model):
    """How much a program contributes to a strategic objective (weights are percentages)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="objective_links")
    objective = models.ForeignKey(StrategicObjective, on_delete=models.CASCADE, related_name="program_links")
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("100"), validators=bounds.percent_validators()
    )

    class Meta:
        ordering = ["program", "-weight"]
        constraints = [
            models.UniqueConstraint(fields=["program", "objective"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=100), name="%(app_label)s_%(class)s_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.code} → {self.objective.code} ({self.weight}%)"


class Membership(TimeStampedModel):
    """A user's role on exactly one scope: a portfolio, a program or a project.

    A role on a portfolio or program applies to everything below it (see querysets.py).
    """

    Role = Role

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(portfolio__isnull=False, program__isnull=True, project__isnull=True)
                    | Q(portfolio__isnull=True, program__isnull=False, project__isnull=True)
                    | Q(portfolio__isnull=True, program__isnull=True, project__isnull=False)
                ),
                name="%(app_label)s_%(class)s_exactly_one_scope",
            ),
            # One constraint per scope kind: portable, unlike nulls_distinct=False.
            *[
                models.UniqueConstraint(
                    fields=["user", "role", scope],
                    condition=Q(**{f"{scope}__isnull": False}),
                    name=f"%(app_label)s_%(class)s_unique_{scope}",
                )
                for scope in ("portfolio", "program", "project")
            ],
        ]
        indexes = [models.Index(fields=["user", "role"], name="portfolio_member_user_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope}"

    @property
    def scope(self):
        return self.portfolio or self.program or self.project

    @property
    def scope_kind(self) -> str:
        return "portfolio" if self.portfolio_id else "program" if self.program_id else "project"
