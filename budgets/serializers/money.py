"""API representations of a project's money — budget lines, actual costs, forecasts — and of
reserve drawdowns.

Amounts are decimal strings at the money precision ("1234.50"). `currency` is an ISO code;
left out on creation, it is the portfolio's base currency. Validation here only reads; every
write goes through budgets.services.
"""

from rest_framework import serializers

from core.serializers import MoneyModelSerializer, VisiblePrimaryKeyRelatedField, fixed_after_create
from portfolio.models import Program
from projects.models import Project, Task

from ..models import BudgetLine, Contract, CostCategory, CostEntry, FiscalPeriod, Forecast, ReserveTransaction, Vendor
from ..models.costs import (
    CONTRACT_OTHER_PROGRAM,
    DUPLICATE_EXTERNAL_REF,
    INVOICE_NEEDS_CONTRACT,
    TASK_OTHER_PROJECT,
    VENDOR_NOT_CONTRACT_VENDOR,
)
from ..services.contracts import INVOICE_PROJECT_NOT_LINKED
from ..services.money import RESERVE_SCOPE
from .reference import CurrencyField

_MONEY_READ_ONLY = ["version", "created_at", "updated_at"]
INVOICE_WITHOUT_TASK = "An invoice is booked to its contract and project, not to a task; leave task empty."


class _ProjectMoneySerializer(MoneyModelSerializer):
    """Fields every project-owned money row has."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    project_code = serializers.CharField(source="project.code", read_only=True)
    program = serializers.IntegerField(source="project.program_id", read_only=True)
    category = serializers.PrimaryKeyRelatedField(queryset=CostCategory.objects.all())
    category_code = serializers.CharField(source="category.code", read_only=True)
    currency = CurrencyField(required=False, help_text="ISO code; default: the portfolio's base currency.")

    def validate_project(self, value):
        return fixed_after_create(self, "project", value)


class _PeriodFields(serializers.Serializer):
    period = VisiblePrimaryKeyRelatedField(queryset=FiscalPeriod.objects.all())
    period_label = serializers.CharField(source="period.span.label", read_only=True)
    fiscal_year = serializers.IntegerField(source="period.fiscal_year", read_only=True)


class BudgetLineSerializer(_PeriodFields, _ProjectMoneySerializer):
    """A project's budget for one category in one fiscal period, in the ORIGINAL baseline or the
    CURRENT approved budget (one line per project, category, period and version)."""

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "project",
            "project_code",
            "program",
            "category",
            "category_code",
            "period",
            "period_label",
            "fiscal_year",
            "budget_version",
            "amount",
            "currency",
            "notes",
            *_MONEY_READ_ONLY,
        ]
        read_only_fields = _MONEY_READ_ONLY


class BudgetOriginalSerializer(serializers.Serializer):
    """Copy a project's CURRENT budget into its ORIGINAL baseline; `replace` re-baselines."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all())
    replace = serializers.BooleanField(default=False)


class CostEntrySerializer(_ProjectMoneySerializer):
    """An actual cost. A negative amount is a credit or reversal. `external_ref` is unique within
    its `source`; an invoice (source "invoice") names its contract, whose vendor it takes."""

    task = VisiblePrimaryKeyRelatedField(queryset=Task.objects.all(), allow_null=True, required=False)
    vendor = VisiblePrimaryKeyRelatedField(queryset=Vendor.objects.all(), allow_null=True, required=False)
    vendor_name = serializers.CharField(source="vendor.name", read_only=True, allow_null=True)
    contract = VisiblePrimaryKeyRelatedField(queryset=Contract.objects.all(), allow_null=True, required=False)
    contract_number = serializers.CharField(source="contract.number", read_only=True, allow_null=True)

    class Meta:
        model = CostEntry
        fields = [
            "id",
            "project",
            "project_code",
            "program",
            "task",
            "category",
            "category_code",
            "date",
            "amount",
            "currency",
            "source",
            "external_ref",
            "vendor",
            "vendor_name",
            "contract",
            "contract_number",
            "description",
            *_MONEY_READ_ONLY,
        ]
        read_only_fields = _MONEY_READ_ONLY
        validators = []  # (source, external_ref) is checked below, on the field it concerns

    def validate(self, attrs):
        def current(name, default=None):
            return attrs.get(name, getattr(self.instance, name, default))

        project, task = current("project"), current("task")
        if task is not None and project is not None and task.project_id != project.pk:
            raise serializers.ValidationError({"task": TASK_OTHER_PROJECT})
        source, contract, vendor = current("source", CostEntry.Source.MANUAL), current("contract"), current("vendor")
        invoice = source == CostEntry.Source.INVOICE
        if invoice and contract is None:
            raise serializers.ValidationError({"contract": INVOICE_NEEDS_CONTRACT})
        if contract is not None and project is not None and contract.program_id != project.program_id:
            raise serializers.ValidationError({"contract": CONTRACT_OTHER_PROGRAM})
        if contract is not None and vendor is not None and vendor.pk != contract.vendor_id:
            raise serializers.ValidationError({"vendor": VENDOR_NOT_CONTRACT_VENDOR})
        if invoice and self.instance is None:
            if task is not None:
                raise serializers.ValidationError({"task": INVOICE_WITHOUT_TASK})
            if not contract.projects.filter(pk=project.pk).exists():
                raise serializers.ValidationError({"project": INVOICE_PROJECT_NOT_LINKED})
        external_ref = current("external_ref", "")
        if external_ref:
            taken = CostEntry.objects.filter(source=source, external_ref=external_ref)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError({"external_ref": DUPLICATE_EXTERNAL_REF})
        return attrs


class ForecastSerializer(_PeriodFields, _ProjectMoneySerializer):
    """The estimate to complete (ETC) of a project for one category in one fiscal period."""

    class Meta:
        model = Forecast
        fields = [
            "id",
            "project",
            "project_code",
            "program",
            "category",
            "category_code",
            "period",
            "period_label",
            "fiscal_year",
            "amount",
            "currency",
            "notes",
            *_MONEY_READ_ONLY,
        ]
        read_only_fields = _MONEY_READ_ONLY


class ReserveTransactionSerializer(MoneyModelSerializer):
    """A drawdown of contingency or management reserve of exactly one project or program, in the
    portfolio's base currency. Drawdowns are a log: created and read, never changed."""

    project = VisiblePrimaryKeyRelatedField(queryset=Project.objects.all(), allow_null=True, required=False)
    project_code = serializers.CharField(source="project.code", read_only=True, allow_null=True)
    program = VisiblePrimaryKeyRelatedField(queryset=Program.objects.all(), allow_null=True, required=False)
    program_code = serializers.CharField(source="program.code", read_only=True, allow_null=True)
    actor_username = serializers.CharField(source="actor.username", read_only=True, allow_null=True)

    class Meta:
        model = ReserveTransaction
        fields = [
            "id",
            "scope",
            "project",
            "project_code",
            "program",
            "program_code",
            "reserve",
            "amount",
            "reason",
            "actor",
            "actor_username",
            "at",
        ]
        read_only_fields = ["scope", "actor", "at"]

    def validate(self, attrs):
        if (attrs.get("project") is None) == (attrs.get("program") is None):
            raise serializers.ValidationError({"project": RESERVE_SCOPE})
        return attrs
