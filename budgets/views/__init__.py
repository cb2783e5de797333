"""The money UI: the forms finance people edit money with. The cost pages of a project and a
program and their Excel exports merge staffing's labour forecast, so they are reporting's
(reporting.views.costs, program_costs), under their budgets URL names.

- plan.py: a project's budget lines and forecasts (inline), reserve drawdowns
- entries.py: a project's actual costs (list with filters, Excel, manual entries)
- contracts.py: a program's contracts and the vendor register
- lcce.py: a program's lifecycle cost estimate versions
- reference.py: currencies and exchange rates

Every view starts from the model's visible_to / editable_by (budgets.querysets): someone outside
the program gets 404, readers read, finance editors edit, and every edit URL is 404 for readers.
Imports are in budgets/views_import.py.
"""

from .contracts import (
    contract_add,
    contract_detail,
    contract_edit,
    contract_export,
    contract_list,
    contract_projects,
    security_requirement_add,
    security_requirement_status,
    vendor_add,
    vendor_edit,
    vendor_list,
)
from .cost_ranges import cost_range_add, cost_range_edit, cost_range_remove
from .entries import cost_entry_add, cost_entry_edit, cost_entry_export, cost_entry_list, cost_entry_remove
from .lcce import (
    lcce_approve_view,
    lcce_detail,
    lcce_line_add,
    lcce_line_edit,
    lcce_line_remove,
    lcce_list,
    lcce_version_add,
)
from .plan import (
    budget_line_add,
    budget_line_edit,
    budget_line_remove,
    budget_original,
    forecast_add,
    forecast_edit,
    forecast_remove,
    program_reserve_drawdown,
    project_plan,
    project_reserve_drawdown,
)
from .reference import currency_add, currency_edit, currency_list, exchange_rate_add, exchange_rate_edit

__all__ = [
    "budget_line_add",
    "budget_line_edit",
    "budget_line_remove",
    "budget_original",
    "contract_add",
    "contract_detail",
    "contract_edit",
    "contract_export",
    "contract_list",
    "contract_projects",
    "cost_entry_add",
    "cost_entry_edit",
    "cost_entry_export",
    "cost_entry_list",
    "cost_entry_remove",
    "cost_range_add",
    "cost_range_edit",
    "cost_range_remove",
    "currency_add",
    "currency_edit",
    "currency_list",
    "exchange_rate_add",
    "exchange_rate_edit",
    "forecast_add",
    "forecast_edit",
    "forecast_remove",
    "lcce_approve_view",
    "lcce_detail",
    "lcce_line_add",
    "lcce_line_edit",
    "lcce_line_remove",
    "lcce_list",
    "lcce_version_add",
    "program_reserve_drawdown",
    "project_plan",
    "project_reserve_drawdown",
    "security_requirement_add",
    "security_requirement_status",
    "vendor_add",
    "vendor_edit",
    "vendor_list",
]
