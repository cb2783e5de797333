"""API representations of money (conventions in projects/serializers.py): related objects as
ids with read-only codes beside them, amounts as decimal strings, currencies as ISO codes.
Validation here only reads; every write goes through budgets.services.

- reference.py: currencies, exchange rates, cost categories, fiscal calendars and periods
- money.py: budget lines, cost entries, forecasts, reserve drawdowns
- programs.py: lifecycle cost estimates and lines, vendors, contracts, contract burn
- reports.py: earned value, the S-curve, budget by period (computed, read-only)
- imports.py: import jobs and previews
"""

from .imports import ImportJobSerializer, ImportPreviewSerializer, ImportUploadSerializer, RowErrorSerializer
from .money import (
    BudgetLineSerializer,
    BudgetOriginalSerializer,
    CostEntrySerializer,
    ForecastSerializer,
    ReserveTransactionSerializer,
)
from .programs import (
    ContractBurnSerializer,
    ContractSecurityRequirementSerializer,
    ContractSerializer,
    LcceComparisonSerializer,
    LifecycleCostEstimateSerializer,
    LifecycleCostLineSerializer,
    NewVersionSerializer,
    VendorSerializer,
)
from .reference import (
    CostCategorySerializer,
    CurrencyField,
    CurrencySerializer,
    ExchangeRateSerializer,
    FiscalCalendarSerializer,
    FiscalPeriodSerializer,
    GeneratePeriodsSerializer,
)
from .reports import AsOfSerializer, BudgetByPeriodSerializer, EvmReportSerializer, SCurveSerializer

__all__ = [
    "AsOfSerializer",
    "BudgetByPeriodSerializer",
    "BudgetLineSerializer",
    "BudgetOriginalSerializer",
    "ContractBurnSerializer",
    "ContractSecurityRequirementSerializer",
    "ContractSerializer",
    "CostCategorySerializer",
    "CostEntrySerializer",
    "CurrencyField",
    "CurrencySerializer",
    "EvmReportSerializer",
    "ExchangeRateSerializer",
    "FiscalCalendarSerializer",
    "FiscalPeriodSerializer",
    "ForecastSerializer",
    "GeneratePeriodsSerializer",
    "ImportJobSerializer",
    "ImportPreviewSerializer",
    "ImportUploadSerializer",
    "LcceComparisonSerializer",
    "LifecycleCostEstimateSerializer",
    "LifecycleCostLineSerializer",
    "NewVersionSerializer",
    "ReserveTransactionSerializer",
    "RowErrorSerializer",
    "SCurveSerializer",
    "VendorSerializer",
]
