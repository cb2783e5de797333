"""The reserve drawdown log.

Reserves themselves are amounts on the program (contingency_reserve, management_reserve) and
on the project (the same two), in the portfolio's base currency. They are never decremented:
what remains is the reserve minus the drawdowns logged here (budgets.selectors.reserve_status),
recomputed from this log whenever it is read."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core import bounds
from core.money import MoneyField

from ..querysets import ReserveTransactionQuerySet

SCOPE_MISMATCH = "A project drawdown names a project only; a program drawdown names a program only."


class ReserveTransaction(models.Model):
    """One drawdown of contingency or management reserve at project or program scope: how much,
    why, who and when. Rows are append-only; a correction is a new row (a negative drawdown is
    not allowed — return reserve by raising the reserve itself)."""

    class Scope(models.TextChoices):
        PROJECT = "project", "Project"
        PROGRAM = "program", "Program"

    class Reserve(models.TextChoices):
        CONTINGENCY = "contingency", "Contingency reserve"
        MANAGEMENT = "management", "Management reserve"

    scope = models.CharField(max_length=7, choices=Scope.choices)
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="reserve_transactions"
    )
    program = models.ForeignKey(
        "portfolio.Program", null=True, blank=True, on_delete=models.CASCADE, related_name="reserve_transactions"
    )
    reserve = models.CharField(max_length=11, choices=Reserve.choices)
    amount = MoneyField(validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reserve_drawdowns"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = ReserveTransactionQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            *bounds.checks(money=("amount",)),
            models.CheckConstraint(
                condition=Q(scope="project", project__isnull=False, program__isnull=True)
                | Q(scope="program", project__isnull=True, program__isnull=False),
                name="%(app_label)s_%(class)s_scope_matches",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"),
            models.CheckConstraint(
                condition=Q(reserve__in=["contingency", "management"]), name="%(app_label)s_%(class)s_reserve_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_reserve_display()} -{self.amount}"

    def clean(self) -> None:
        expected = {self.Scope.PROJECT: (True, False), self.Scope.PROGRAM: (False, True)}.get(self.scope)
        if expected is not None and expected != (bool(self.project_id), bool(self.program_id)):
            raise ValidationError({"scope": SCOPE_MISMATCH})
