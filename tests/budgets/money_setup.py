"""Building blocks of the money API and import tests (plain functions; each test module wraps
the ones it needs in fixtures)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from budgets import services
from budgets.models import CostCategory, Currency, FiscalCalendar, FiscalPeriod
from portfolio.models import Membership
from tests.factories.budgets import CostCategoryFactory, CurrencyFactory, FiscalCalendarFactory
from tests.factories.portfolio import MembershipFactory
from tests.factories.users import UserFactory


@dataclass
class Reference:
    eur: Currency
    usd: Currency
    labour: CostCategory
    materials: CostCategory
    calendar: FiscalCalendar

    def period(self, year: int, number: int) -> FiscalPeriod:
        return FiscalPeriod.objects.get(calendar=self.calendar, fiscal_year=year, number=number)


def reference_data() -> Reference:
    """EUR and USD, categories LAB and MAT, and the shared default calendar (January start)
    with the periods of FY2025 to FY2027 stored."""
    calendar = FiscalCalendarFactory(name="Calendar year", is_default=True)
    services.fiscal_periods_generate(actor=None, calendar=calendar, first_year=2025, last_year=2027)
    return Reference(
        eur=CurrencyFactory(code="EUR"),
        usd=CurrencyFactory(code="USD"),
        labour=CostCategoryFactory(code="LAB", name="Labour", kind="labour"),
        materials=CostCategoryFactory(code="MAT", name="Materials", kind="materials"),
        calendar=calendar,
    )


def finance_analyst(portfolio, username: str = "analyst"):
    """A finance analyst on the portfolio: edits its money and the shared reference data."""
    user = UserFactory(username=username)
    MembershipFactory(user=user, role=Membership.Role.FINANCE_ANALYST, portfolio=portfolio)
    return user


ACTUALS_HEADER = [
    "Posting Date",
    "Amount",
    "Currency",
    "Cost Category",
    "Project Code",
    "Task",
    "Source",
    "Document No",
    "Supplier",
    "PO Number",
    "Description",
]


def ledger_row(n: int, *, project: str = "MOD-ERP", **changes) -> dict:
    """A good ledger row numbered `n` (its external reference is GL-n)."""
    row = {
        "Posting Date": f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
        "Amount": f"{100 + n}.50",
        "Currency": "EUR",
        "Cost Category": "LAB" if n % 2 else "MAT",
        "Project Code": project,
        "Task": "",
        "Source": "ledger",
        "Document No": f"GL-{n}",
        "Supplier": "",
        "PO Number": "",
        "Description": f"Line {n}",
    }
    row.update(changes)
    return row


def write_csv(path: Path, rows: list[dict], header: list[str] = ACTUALS_HEADER, delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict] | list[list], header: list[str] = ACTUALS_HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h) for h in header] if isinstance(row, dict) else row)
    workbook.save(path)
    return path
