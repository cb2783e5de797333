"""Reads for money: access-scoped lists, earned value, charts and reports.

Earned value (earned_value.py, s_curve.py): project_evm, program_evm, project_evms (per project of a
program, batched), evm_s_curve; default_as_of, the one default status date of them all.
Reports (reports.py): budget_by_period, contract_burn, lcce_compare, reserve_status.
Currency (rates.py): MissingExchangeRate, RateTable, exchange_rate_on, convert.
The labour cost seam: labour_forecast_by_period, fed by a `labour_forecasts` parameter (LabourForecasts:
staffing.selectors.labour_forecasts, passed in by reporting (the cost pages, their exports and the
money API live there); budgets never imports staffing).
"""

from django.db.models import Prefetch

from projects.models import Project

from ..models import (
    BudgetLine,
    Contract,
    CostCategory,
    CostEntry,
    Currency,
    ExchangeRate,
    FiscalCalendar,
    Forecast,
    LifecycleCostEstimate,
    ReserveTransaction,
    Vendor,
)
from .earned_value import (
    EV_ESTIMATED,
    EVM_QUERIES,
    TASK_BUDGETS_DIFFER,
    UNDATED_BASELINE_COST,
    EvmReport,
    LabourForecasts,
    MoneyScope,
    default_as_of,
    fiscal_calendar_for,
    labour_forecast_by_period,
    money_scope,
    program_evm,
    project_evm,
    project_evms,
)
from .rates import MISSING_RATE, MissingExchangeRate, RateTable, convert, exchange_rate_on
from .reports import (
    LCCE_OTHER_PROGRAM,
    NO_RESERVES,
    BudgetByPeriod,
    ContractBurn,
    LcceComparison,
    LcceRow,
    PeriodMoney,
    ReserveStatus,
    budget_by_period,
    contract_burn,
    lcce_compare,
    reserve_status,
)
from .s_curve import SCurve, SCurvePoint, evm_s_curve

# -- lists, each from the model's access helper with what its rows display loaded --------------


def budget_line_list(*, user):
    return BudgetLine.objects.visible_to(user).select_related("project", "category", "period", "currency")


def cost_entry_list(*, user):
    return CostEntry.objects.visible_to(user).select_related("project", "task", "category", "vendor", "contract")


def forecast_list(*, user):
    return Forecast.objects.visible_to(user).select_related("project", "category", "period", "currency")


def contract_list(*, user):
    """Contracts `user` sees, with the projects they serve that `user` sees (not the others)."""
    return (
        Contract.objects.visible_to(user)
        .select_related("program", "vendor", "currency")
        .prefetch_related(
            Prefetch("projects", queryset=Project.objects.visible_to(user).order_by("code")), "security_requirements"
        )
    )


def vendor_list(*, user):
    return Vendor.objects.visible_to(user)


def lifecycle_estimate_list(*, user):
    return LifecycleCostEstimate.objects.visible_to(user).select_related("program", "approved_by", "based_on")


def reserve_transaction_list(*, user):
    return ReserveTransaction.objects.visible_to(user).select_related("project", "program", "actor")


def exchange_rate_list(*, user):
    return ExchangeRate.objects.visible_to(user).select_related("from_currency", "to_currency")


def currency_list(*, user):
    return Currency.objects.visible_to(user)


def cost_category_list(*, user):
    return CostCategory.objects.visible_to(user)


def fiscal_calendar_list(*, user):
    return FiscalCalendar.objects.visible_to(user).select_related("portfolio")


__all__ = [
    "EVM_QUERIES",
    "EV_ESTIMATED",
    "LCCE_OTHER_PROGRAM",
    "MISSING_RATE",
    "NO_RESERVES",
    "TASK_BUDGETS_DIFFER",
    "UNDATED_BASELINE_COST",
    "BudgetByPeriod",
    "ContractBurn",
    "EvmReport",
    "LabourForecasts",
    "LcceComparison",
    "LcceRow",
    "MissingExchangeRate",
    "MoneyScope",
    "PeriodMoney",
    "RateTable",
    "ReserveStatus",
    "SCurve",
    "SCurvePoint",
    "budget_by_period",
    "budget_line_list",
    "contract_burn",
    "contract_list",
    "convert",
    "cost_category_list",
    "cost_entry_list",
    "currency_list",
    "default_as_of",
    "evm_s_curve",
    "exchange_rate_list",
    "exchange_rate_on",
    "fiscal_calendar_for",
    "fiscal_calendar_list",
    "forecast_list",
    "labour_forecast_by_period",
    "lcce_compare",
    "lifecycle_estimate_list",
    "money_scope",
    "program_evm",
    "project_evm",
    "project_evms",
    "reserve_status",
    "reserve_transaction_list",
    "vendor_list",
]
