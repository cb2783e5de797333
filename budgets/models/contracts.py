"""Vendors, contracts and their information-security requirements."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from core import bounds
from core.models import TimeStampedModel, VersionedModel
from core.money import MoneyField

from ..querysets import ContractQuerySet, ContractSecurityRequirementQuerySet, VendorQuerySet
from .currency import Currency

CONTRACT_DATES_ORDERED = "The period of performance must end on or after the day it starts."
OBLIGATED_ABOVE_CEILING = "The obligated amount cannot exceed the ceiling."


class Vendor(VersionedModel):
    """A supplier, shared by every program, with its supply-chain risk rating."""

    class RiskRating(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    name = models.CharField(max_length=200, unique=True)
    risk_rating = models.CharField(max_length=8, choices=RiskRating.choices, default=RiskRating.LOW)
    notes = models.TextField(blank=True)

    objects = VendorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="%(app_label)s_%(class)s_name_not_empty"),
            models.CheckConstraint(
                condition=Q(risk_rating__in=["low", "medium", "high", "critical"]),
                name="%(app_label)s_%(class)s_risk_rating_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contract(VersionedModel):
    """A contract a program holds with a vendor, linked to the projects it serves.

    `ceiling` is the most that may ever be obligated; `obligated` is what has been committed so
    far; invoices against the contract are CostEntry rows (source INVOICE) and their sum is the
    burn (budgets.selectors.contract_burn). Amounts are in `currency`."""

    class Type(models.TextChoices):
        FFP = "ffp", "Firm fixed price"
        TM = "tm", "Time and materials"
        COST_PLUS = "cost_plus", "Cost-plus"
        IDIQ = "idiq", "Indefinite delivery / indefinite quantity"

    program = models.ForeignKey("portfolio.Program", on_delete=models.PROTECT, related_name="contracts")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    type = models.CharField(max_length=9, choices=Type.choices)
    ceiling = MoneyField(validators=[MinValueValidator(Decimal("0"))])
    obligated = MoneyField(default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="contracts")
    period_start = bounds.BoundedDateField("period of performance start")
    period_end = bounds.BoundedDateField("period of performance end")
    projects = models.ManyToManyField("projects.Project", related_name="contracts", blank=True)
    notes = models.TextField(blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            *bounds.checks(money=("ceiling", "obligated"), dates=("period_start", "period_end")),
            models.CheckConstraint(condition=~Q(number=""), name="%(app_label)s_%(class)s_number_not_empty"),
            models.CheckConstraint(
                condition=Q(type__in=["ffp", "tm", "cost_plus", "idiq"]), name="%(app_label)s_%(class)s_type_valid"
            ),
            models.CheckConstraint(condition=Q(ceiling__gte=0), name="%(app_label)s_%(class)s_ceiling_not_negative"),
            models.CheckConstraint(
                condition=Q(obligated__gte=0), name="%(app_label)s_%(class)s_obligated_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(obligated__lte=F("ceiling")), name="%(app_label)s_%(class)s_obligated_within_ceiling"
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="%(app_label)s_%(class)s_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        # The database constraints hold the same rules; these name the field for forms and the API.
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = CONTRACT_DATES_ORDERED
        if self.ceiling is not None and self.obligated is not None and self.obligated > self.ceiling >= 0:
            errors["obligated"] = OBLIGATED_ABOVE_CEILING
        if errors:
            raise ValidationError(errors)


class ContractSecurityRequirement(TimeStampedModel):
    """One item of a contract's information-security checklist and where it stands."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        MET = "met", "Met"
        WAIVED = "waived", "Waived"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="security_requirements")
    requirement = models.CharField(max_length=200)
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.NOT_STARTED)
    notes = models.TextField(blank=True)

    objects = ContractSecurityRequirementQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "requirement"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "requirement"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "met", "waived"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(condition=~Q(requirement=""), name="%(app_label)s_%(class)s_requirement_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement}: {self.get_status_display()}"
