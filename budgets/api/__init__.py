"""The money API (conventions in core.api; registered in config/api_router.py).

- reference.py: currencies, exchange rates, cost categories, fiscal calendars and periods
- money.py: budget lines, cost entries, forecasts, reserve drawdowns
- programs.py: lifecycle cost estimates and lines, vendors, contracts
(/projects/{id}/ and /programs/{id}/ evm, s-curve, budget-by-period merge staffing's labour
forecast: reporting.api_money.)
- cost_ranges.py: three-point cost ranges per category (risk analysis inputs)
- imports.py: import jobs (actuals and budgets from CSV / XLSX)
"""

from .cost_ranges import CostRangeViewSet
from .imports import ImportJobViewSet
from .money import BudgetLineViewSet, CostEntryViewSet, ForecastViewSet, ReserveTransactionViewSet
from .programs import ContractViewSet, LifecycleCostEstimateViewSet, LifecycleCostLineViewSet, VendorViewSet
from .reference import (
    CostCategoryViewSet,
    CurrencyViewSet,
    ExchangeRateViewSet,
    FiscalCalendarViewSet,
    FiscalPeriodViewSet,
)

__all__ = [
    "BudgetLineViewSet",
    "ContractViewSet",
    "CostCategoryViewSet",
    "CostEntryViewSet",
    "CostRangeViewSet",
    "CurrencyViewSet",
    "ExchangeRateViewSet",
    "FiscalCalendarViewSet",
    "FiscalPeriodViewSet",
    "ForecastViewSet",
    "ImportJobViewSet",
    "LifecycleCostEstimateViewSet",
    "LifecycleCostLineViewSet",
    "ReserveTransactionViewSet",
    "VendorViewSet",
]
