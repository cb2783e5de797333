"""Writes for money. Keyword-only, atomic, validated (ValidationError keyed by field, texts as
module constants) and audited. Permission is the caller's business: views and viewsets pick the
object from `<Model>.objects.editable_by(user)` first.

- reference.py: currencies, exchange rates, cost categories, fiscal calendars and periods
- money.py: budget lines (original / current), cost entries, forecasts, reserve drawdowns
- contracts.py: vendors, contracts, security checklists, invoices
- lifecycle.py: lifecycle cost estimates
- cost_ranges.py: three-point cost ranges per category (risk analysis inputs)
"""

from ..models.contracts import CONTRACT_DATES_ORDERED, OBLIGATED_ABOVE_CEILING
from ..models.costs import (
    CONTRACT_OTHER_PROGRAM,
    DUPLICATE_EXTERNAL_REF,
    INVOICE_NEEDS_CONTRACT,
    TASK_OTHER_PROJECT,
    VENDOR_NOT_CONTRACT_VENDOR,
)
from ..models.currency import SAME_CURRENCY
from ..models.reserves import SCOPE_MISMATCH
from ._common import UNKNOWN_CURRENCY
from .contracts import (
    CONTRACT_PROJECT_OTHER_PROGRAM,
    INVOICE_PROJECT_NOT_LINKED,
    contract_create,
    contract_projects_set,
    contract_security_requirement_set,
    contract_update,
    invoice_record,
    vendor_create,
    vendor_update,
)
from .cost_ranges import cost_range_create, cost_range_delete, cost_range_update
from .lifecycle import (
    LCCE_ALREADY_APPROVED,
    LCCE_APPROVED_READ_ONLY,
    LCCE_EMPTY,
    lcce_approve,
    lcce_create,
    lcce_line_delete,
    lcce_line_set,
    lcce_new_version,
)
from .money import (
    NO_CURRENT_BUDGET,
    ORIGINAL_EXISTS,
    PERIOD_OTHER_PORTFOLIO,
    RESERVE_EXCEEDED,
    RESERVE_SCOPE,
    budget_line_create,
    budget_line_delete,
    budget_line_update,
    budget_original_set,
    cost_entry_create,
    cost_entry_delete,
    cost_entry_update,
    forecast_create,
    forecast_delete,
    forecast_update,
    reserve_drawdown,
)
from .reference import (
    CALENDAR_HAS_PERIODS,
    TOO_MANY_YEARS,
    YEARS_ORDERED,
    cost_category_create,
    cost_category_update,
    currency_create,
    currency_update,
    exchange_rate_create,
    exchange_rate_update,
    fiscal_calendar_create,
    fiscal_calendar_update,
    fiscal_periods_generate,
)

__all__ = [
    "CALENDAR_HAS_PERIODS",
    "CONTRACT_DATES_ORDERED",
    "CONTRACT_OTHER_PROGRAM",
    "CONTRACT_PROJECT_OTHER_PROGRAM",
    "DUPLICATE_EXTERNAL_REF",
    "INVOICE_NEEDS_CONTRACT",
    "INVOICE_PROJECT_NOT_LINKED",
    "LCCE_ALREADY_APPROVED",
    "LCCE_APPROVED_READ_ONLY",
    "LCCE_EMPTY",
    "NO_CURRENT_BUDGET",
    "OBLIGATED_ABOVE_CEILING",
    "ORIGINAL_EXISTS",
    "PERIOD_OTHER_PORTFOLIO",
    "RESERVE_EXCEEDED",
    "RESERVE_SCOPE",
    "SAME_CURRENCY",
    "SCOPE_MISMATCH",
    "TASK_OTHER_PROJECT",
    "TOO_MANY_YEARS",
    "UNKNOWN_CURRENCY",
    "VENDOR_NOT_CONTRACT_VENDOR",
    "YEARS_ORDERED",
    "budget_line_create",
    "budget_line_delete",
    "budget_line_update",
    "budget_original_set",
    "contract_create",
    "contract_projects_set",
    "contract_security_requirement_set",
    "contract_update",
    "cost_category_create",
    "cost_category_update",
    "cost_entry_create",
    "cost_entry_delete",
    "cost_entry_update",
    "cost_range_create",
    "cost_range_delete",
    "cost_range_update",
    "currency_create",
    "currency_update",
    "exchange_rate_create",
    "exchange_rate_update",
    "fiscal_calendar_create",
    "fiscal_calendar_update",
    "fiscal_periods_generate",
    "forecast_create",
    "forecast_delete",
    "forecast_update",
    "invoice_record",
    "lcce_approve",
    "lcce_create",
    "lcce_line_delete",
    "lcce_line_set",
    "lcce_new_version",
    "reserve_drawdown",
    "vendor_create",
    "vendor_update",
]
