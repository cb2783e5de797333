"""Cost categories, time-phased budgets, actual costs and forecasts."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core import bounds
from core.models import VersionedModel
from core.money import MoneyField
from portfolio.models import code_validator

from ..querysets import BudgetLineQuerySet, CostEntryQuerySet, ForecastQuerySet, ReferenceDataQuerySet
from .calendar import FiscalPeriod
from .currency import Currency

TASK_OTHER_PROJECT = "The task belongs to another project."
CONTRACT_OTHER_PROGRAM = "The contract belongs to another program."
INVOICE_NEEDS_CONTRACT = "An invoice must name its contract."
VENDOR_NOT_CONTRACT_VENDOR = "The vendor is not the contract's vendor."
DUPLICATE_EXTERNAL_REF = "An entry with this external reference already exists for this source."


class CostCategory(VersionedModel):
    """What money is spent on: an expense type (capital or operating) and a kind of cost."""

    class ExpenseType(models.TextChoices):
        CAPEX = "capex", "Capital (CapEx)"
        OPEX = "opex", "Operating (OpEx)"

    class Kind(models.TextChoices):
        LABOUR = "labour", "Labour"
        MATERIALS = "materials", "Materials"
        CONTRACTS = "contracts", "Contracts"
        TRAVEL = "travel", "Travel"
        OTHER = "other", "Other"

    code = models.CharField(max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    expense_type = models.CharField(max_length=5, choices=ExpenseType.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "cost categories"
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="%(app_label)s_%(class)s_code_not_empty"),
            models.CheckConstraint(
                condition=Q(expense_type__in=["capex", "opex"]), name="%(app_label)s_%(class)s_expense_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["labour", "materials", "contracts", "travel", "other"]),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BudgetLine(VersionedModel):
    """A project's budget for one category in one fiscal period.

    Two versions are kept side by side: the ORIGINAL baseline (as first approved) and the
    CURRENT approved budget, which change requests move. Earned value reads CURRENT."""

    class Version(models.TextChoices):
        ORIGINAL = "original", "Original baseline"
        CURRENT = "current", "Current approved"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="budget_lines")
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="budget_lines")
    period = models.ForeignKey(FiscalPeriod, on_delete=models.PROTECT, related_name="budget_lines")
    # Not `version`: that is the optimistic-concurrency counter every VersionedModel has.
    budget_version = models.CharField(max_length=8, choices=Version.choices, default=Version.CURRENT)
    amount = MoneyField(validators=[MinValueValidator(Decimal("0"))])
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="budget_lines")
    notes = models.TextField(blank=True)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        ordering = ["project", "budget_version", "period", "category"]
        constraints = [
            *bounds.checks(money=("amount",)),
            models.UniqueConstraint(
                fields=["project", "category", "period", "budget_version"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(budget_version__in=["original", "current"]),
                name="%(app_label)s_%(class)s_budget_version_valid",
            ),
        ]
        indexes = [models.Index(fields=["project", "budget_version"], name="budgets_line_project_version")]

    def __str__(self) -> str:
        where = f"{self.project_id} {self.category_id} {self.period} {self.budget_version}"
        return f"{where}: {self.amount} {self.currency_id}"


class CostEntry(VersionedModel):
    """An actual cost: one ledger line, invoice, timesheet cost or manual entry.

    `amount` may be negative (a credit or reversal). `external_ref` identifies the row in its
    source system and is unique per source, which makes imports idempotent. An invoice
    (source INVOICE) names its contract; its vendor is the contract's."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Manual entry"
        LEDGER = "ledger", "General ledger"
        INVOICE = "invoice", "Invoice"
        TIMESHEET = "timesheet", "Timesheet"

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="cost_entries")
    task = models.ForeignKey(
        "projects.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="cost_entries"
    )
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="cost_entries")
    date = bounds.BoundedDateField()
    amount = MoneyField(signed=True)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="cost_entries")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    external_ref = models.CharField(max_length=100, blank=True)
    vendor = models.ForeignKey(
        "budgets.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="cost_entries"
    )
    contract = models.ForeignKey(
        "budgets.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="cost_entries"
    )
    description = models.TextField(blank=True)

    objects = CostEntryQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-date", "-pk"]
        verbose_name_plural = "cost entries"
        constraints = [
            *bounds.checks(signed_money=("amount",), dates=("date",)),
            models.UniqueConstraint(
                fields=["source", "external_ref"],
                condition=~Q(external_ref=""),
                name="%(app_label)s_%(class)s_external_ref_unique",
                violation_error_message=DUPLICATE_EXTERNAL_REF,
            ),
            models.CheckConstraint(
                condition=~Q(source="invoice") | Q(contract__isnull=False),
                name="%(app_label)s_%(class)s_invoice_has_contract",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["manual", "ledger", "invoice", "timesheet"]),
                name="%(app_label)s_%(class)s_source_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "date"], name="budgets_entry_project_date"),
            models.Index(fields=["contract", "date"], name="budgets_entry_contract_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.currency_id} ({self.get_source_display()})"

    def clean(self) -> None:
        errors = {}
        if self.task_id and self.project_id and self.task.project_id != self.project_id:
            errors["task"] = TASK_OTHER_PROJECT
        if self.source == self.Source.INVOICE and not self.contract_id:
            errors["contract"] = INVOICE_NEEDS_CONTRACT
        if self.contract_id and self.project_id and self.contract.program_id != self.project.program_id:
            errors["contract"] = CONTRACT_OTHER_PROGRAM
        if self.contract_id and self.vendor_id and self.vendor_id != self.contract.vendor_id:
            errors["vendor"] = VENDOR_NOT_CONTRACT_VENDOR
        if errors:
            raise ValidationError(errors)


class Forecast(VersionedModel):
    """The estimate to complete (ETC) of a project for one category in one fiscal period: what
    the remaining work is now expected to cost, time-phased. Earned value's bottom-up EAC is
    AC + the forecasts still ahead of the status date."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="forecasts")
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="forecasts")
    period = models.ForeignKey(FiscalPeriod, on_delete=models.PROTECT, related_name="forecasts")
    amount = MoneyField(validators=[MinValueValidator(Decimal("0"))])
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="forecasts")
    notes = models.TextField(blank=True)

    objects = ForecastQuerySet.as_manager()

    class Meta:
        ordering = ["project", "period", "category"]
        constraints = [
            *bounds.checks(money=("amount",)),
            models.UniqueConstraint(fields=["project", "category", "period"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="%(app_label)s_%(class)s_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.category_id} {self.period}: {self.amount} {self.currency_id}"
