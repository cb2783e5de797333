"""The budgets app's models: fiscal calendars (calendar.py), currencies and rates (currency.py),
budgets, actuals and forecasts (costs.py), reserves (reserves.py), lifecycle cost estimates
(lifecycle.py), vendors and contracts (contracts.py), import jobs (imports.py).

Money is Decimal at core.money's precision. An amount's currency is the Currency row it names;
reserves, task costs and baselines carry no currency and are in the portfolio's base currency.
"""

from .calendar import FiscalCalendar, FiscalPeriod, PeriodSpan
from .contracts import Contract, ContractSecurityRequirement, Vendor
from .cost_ranges import CostRange
from .costs import BudgetLine, CostCategory, CostEntry, Forecast
from .currency import Currency, ExchangeRate
from .imports import ImportJob
from .lifecycle import LifecycleCostEstimate, LifecycleCostLine
from .reserves import ReserveTransaction

__all__ = [
    "BudgetLine",
    "Contract",
    "ContractSecurityRequirement",
    "CostCategory",
    "CostEntry",
    "CostRange",
    "Currency",
    "ExchangeRate",
    "FiscalCalendar",
    "FiscalPeriod",
    "Forecast",
    "ImportJob",
    "LifecycleCostEstimate",
    "LifecycleCostLine",
    "PeriodSpan",
    "ReserveTransaction",
    "Vendor",
]
