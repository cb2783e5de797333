"""Excel exports: each workbook loaded back with openpyxl — header row, frozen panes, money as
numbers in a money format, dates as dates, "n/a" for undefined figures."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from budgets import evm, exports
from budgets.models import CostEntry, FiscalCalendar
from budgets.selectors import BudgetByPeriod, EvmReport, PeriodMoney, contract_burn, lcce_compare
from tests.factories.budgets import (
    ContractFactory,
    CostCategoryFactory,
    CostEntryFactory,
    CurrencyFactory,
    LifecycleCostEstimateFactory,
    LifecycleCostLineFactory,
    VendorFactory,
)

D = Decimal
CALENDAR = FiscalCalendar(name="Calendar year", start_month=1)


def reload(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def header(sheet) -> list:
    return [c.value for c in sheet[1]]


def test_budget_by_period_sheet():
    periods = CALENDAR.periods_of_year(2026)
    report = BudgetByPeriod(
        "EUR",
        CALENDAR,
        (
            PeriodMoney(periods[0], D("0"), D("1234567.89"), D("0.10"), D("0")),
            PeriodMoney(periods[1], D("0"), D("100"), D("-20.05"), D("7")),
        ),
    )
    sheet = reload(exports.budget_by_period_workbook(report)).active
    assert header(sheet)[:5] == ["Period", "Start", "End", "Original budget (EUR)", "Current budget (EUR)"]
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet["B2"].is_date
    assert sheet["B2"].value == dt.datetime(2026, 1, 1)
    assert sheet["E2"].value == pytest.approx(1234567.89)
    assert sheet["E2"].number_format == exports.MONEY_FORMAT
    assert sheet["F3"].value == pytest.approx(-20.05)
    assert [c.value for c in sheet[4]][:3] == ["Total", None, None]
    assert sheet["E4"].value == pytest.approx(1234667.89)


def test_money_keeps_its_cents():
    # openpyxl writes a Decimal with 16 significant digits, as Excel stores numbers: every amount
    # up to tens of billions keeps its cents exactly (no binary-float noise such as 0.1000000001).
    workbook = exports.new_workbook()
    rows = [(D("0.10"),), (D("12345678901234.56"),), (D("-0.01"),)]
    exports.add_sheet(workbook, "x", [exports.Column("Amount", "money")], rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    xml = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>0.1</v>" in xml
    assert "<v>12345678901234.56</v>" in xml
    assert "<v>-0.01</v>" in xml


def _report(**changes) -> EvmReport:
    figures = evm.earned_value(
        bac=D(1000),
        pv_curve=[(dt.date(2026, 1, 31), D(500)), (dt.date(2026, 2, 28), D(1000))],
        ev=D(0),
        ac=D(0),
        status_date=dt.date(2026, 1, 31),
    )
    return EvmReport("EUR", dt.date(2026, 1, 31), figures, (), D(0), figures.warnings)


def test_evm_sheet_says_n_a_for_undefined_figures():
    book = reload(exports.evm_workbook(_report(), title="Earned value"))
    sheet = book["Earned value"]
    assert header(sheet) == ["Measure", "Definition", "Value (EUR)"]
    values = {row[0].value: row[2] for row in sheet.iter_rows(min_row=2)}
    assert values["As of"].is_date
    assert values["PV"].value == 500
    assert values["PV"].number_format == exports.MONEY_FORMAT
    assert values["CPI"].value == "n/a"
    assert values["SPI"].value == 0
    assert values["SPI"].number_format == exports.INDEX_FORMAT
    assert values["Forecast finish (earned schedule)"].value is None
    assert header(book["Warnings"]) == ["Code", "Warning"]


def test_program_evm_sheet_per_project():
    report = _report()
    book = reload(exports.evm_workbook(report, title="EVM", per_project=[("A", "Alpha", report), ("B", "Beta", None)]))
    rows = list(book["Projects"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("A", "Alpha", 1000)
    assert rows[1][:3] == ("B", "Beta", "n/a")


@pytest.mark.django_db
def test_cost_entries_sheet(project):
    eur = CurrencyFactory(code="EUR")
    category = CostCategoryFactory(code="LAB", name="Labour")
    CostEntryFactory(project=project, category=category, amount=D("12.34"), currency=eur, description="Pizza")
    entries = CostEntry.objects.select_related("project", "category", "vendor", "contract", "task")
    sheet = reload(exports.cost_entries_workbook(entries)).active
    assert header(sheet) == [c.header for c in exports.COST_ENTRY_COLUMNS]
    row = [c.value for c in sheet[2]]
    assert row[:6] == [dt.datetime(2026, 1, 15), project.code, "LAB Labour", 12.34, "EUR", "General ledger"]
    assert row[-1] == "Pizza"


@pytest.mark.django_db
def test_contracts_sheet(program, project):
    eur = CurrencyFactory(code="EUR")
    contract = ContractFactory(program=program, vendor=VendorFactory(name="Acme"), currency=eur, number="C-1")
    contract.projects.set([project])
    burns = contract_burn(contracts=type(contract).objects.prefetch_related("projects"))
    sheet = reload(exports.contracts_workbook(burns)).active
    assert header(sheet)[:3] == ["Number", "Title", "Vendor"]
    row = [c.value for c in sheet[2]]
    assert row[0] == "C-1"
    assert row[5:8] == [100000, 50000, 0]
    assert row[9] == 0  # 0 % of obligated
    assert row[-1] == project.code


@pytest.mark.django_db
def test_lcce_sheet(program):
    CurrencyFactory(code="EUR")
    category = CostCategoryFactory(code="HW")
    left = LifecycleCostEstimateFactory(program=program, number=1)
    right = LifecycleCostEstimateFactory(program=program, number=2)
    LifecycleCostLineFactory(estimate=left, category=category, amount=D(100))
    LifecycleCostLineFactory(estimate=right, category=category, amount=D(125))
    sheet = reload(exports.lcce_workbook(lcce_compare(left=left, right=right))).active
    assert header(sheet) == [
        "Phase",
        "Fiscal year",
        "Category",
        "Category name",
        "v1 (EUR)",
        "v2 (EUR)",
        "Change v2 − v1 (EUR)",
    ]
    assert [c.value for c in sheet[2]][4:] == [100, 125, 25]
    assert sheet["A3"].value == "Total"
