"""Lifecycle cost estimates (LCCE): a program's whole-life cost, multi-year and versioned."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core import bounds
from core.models import VersionedModel
from core.money import MoneyField

from ..querysets import LifecycleCostEstimateQuerySet, LifecycleCostLineQuerySet
from .costs import CostCategory
from .currency import Currency


class LifecycleCostEstimate(VersionedModel):
    """One numbered version of a program's lifecycle cost estimate.

    A DRAFT is edited line by line; APPROVED versions are frozen (who approved, and when, is
    kept). A new version starts as a copy of an earlier one (`based_on`), so two versions can be
    compared side by side (budgets.selectors.lcce_compare). `number` is the estimate's version
    number; `version` (inherited) is the row's optimistic-concurrency counter."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    program = models.ForeignKey("portfolio.Program", on_delete=models.CASCADE, related_name="lifecycle_estimates")
    number = models.PositiveIntegerField("version number", validators=[MinValueValidator(1)])
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="later_versions"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="approved_estimates"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = LifecycleCostEstimateQuerySet.as_manager()

    class Meta:
        ordering = ["program", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="%(app_label)s_%(class)s_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="%(app_label)s_%(class)s_number_positive"),
            models.CheckConstraint(
                condition=Q(status="draft", approved_at__isnull=True) | Q(status="approved", approved_at__isnull=False),
                name="%(app_label)s_%(class)s_approval_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"LCCE v{self.number} ({self.get_status_display()})"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class LifecycleCostLine(models.Model):
    """The estimated cost of one phase, fiscal year and category within an estimate."""

    class Phase(models.TextChoices):
        RND = "rnd", "Research & development"
        ACQUISITION = "acquisition", "Acquisition"
        OPERATIONS = "om", "Operations & maintenance"
        DISPOSAL = "disposal", "Disposal"

    estimate = models.ForeignKey(LifecycleCostEstimate, on_delete=models.CASCADE, related_name="lines")
    phase = models.CharField(max_length=11, choices=Phase.choices)
    fiscal_year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1900), MaxValueValidator(2200)])
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="lifecycle_lines")
    amount = MoneyField(validators=[MinValueValidator(Decimal("0"))])
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="lifecycle_lines")

    objects = LifecycleCostLineQuerySet.as_manager()

    class Meta:
        ordering = ["estimate", "phase", "fiscal_year", "category"]
        constraints = [
            *bounds.checks(money=("amount",)),
            models.UniqueConstraint(
                fields=["estimate", "phase", "fiscal_year", "category"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=["rnd", "acquisition", "om", "disposal"]),
                name="%(app_label)s_%(class)s_phase_valid",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=1900) & Q(fiscal_year__lte=2200),
                name="%(app_label)s_%(class)s_fiscal_year_range",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} FY{self.fiscal_year} {self.category_id}: {self.amount} {self.currency_id}"
