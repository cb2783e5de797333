"""Excel formula injection (issue 12, defect 3): a description, contract title, vendor or project
name starting with = + - @ comes out of every money export as text, never a live formula. Each
export is downloaded through its page and read back with openpyxl."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budgets import exports
from tests.factories.budgets import CostEntryFactory

from .test_views_support import *  # noqa: F403
from .test_views_support import D

DANGEROUS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)"]


def cells_with(response, texts) -> list:
    """Every cell (of every sheet) whose value is one of `texts`."""
    assert response.status_code == 200, response.content[:300]
    workbook = load_workbook(io.BytesIO(response.content))
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            found.extend(cell for cell in row if cell.value in texts)
    return found


def assert_all_text(cells, expected: set[str]) -> None:
    assert {cell.value for cell in cells} == expected
    assert [cell.data_type for cell in cells] == ["s"] * len(cells)


@pytest.mark.django_db
class TestMoneyExportsWriteTextAsText:
    def test_cost_entries_descriptions(self, client_for, member, money, category, eur):
        for text in DANGEROUS:
            CostEntryFactory(project=money, category=category, amount=D(1), currency=eur, description=text)
        response = client_for(member).get(reverse("budgets:cost-entry-export", args=["MOD-ERP"]))
        assert_all_text(cells_with(response, DANGEROUS), set(DANGEROUS))

    def test_contract_title_and_vendor(self, client_for, member, contract):
        contract.title = DANGEROUS[0]
        contract.save()
        contract.vendor.name = DANGEROUS[3]
        contract.vendor.save()
        response = client_for(member).get(reverse("budgets:contract-export", args=["MOD"]))
        assert_all_text(cells_with(response, DANGEROUS), {DANGEROUS[0], DANGEROUS[3]})

    def test_program_evm_project_names(self, client_for, owner, money):
        money.name = "=2*3"
        money.save()
        response = client_for(owner).get(reverse("budgets:program-evm-export", args=["MOD"]))
        assert_all_text(cells_with(response, ["=2*3"]), {"=2*3"})

    def test_project_evm_and_budget_by_period_headers_and_labels_are_text(self, client_for, member, money):
        for name in ("project-evm-export", "project-budget-export"):
            response = client_for(member).get(reverse(f"budgets:{name}", args=["MOD-ERP"]))
            workbook = load_workbook(io.BytesIO(response.content))
            texts = [c for s in workbook.worksheets for row in s.iter_rows() for c in row if isinstance(c.value, str)]
            assert texts
            assert {c.data_type for c in texts} == {"s"}


def test_every_text_cell_of_the_sheet_builder_is_text():
    workbook = exports.new_workbook()
    exports.add_sheet(workbook, "x", [exports.Column("=Header"), exports.Column("Amount", "money")], [("=1+1", None)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [(c.value, c.data_type) for c in sheet[1]] == [("=Header", "s"), ("Amount", "s")]
    assert [(c.value, c.data_type) for c in sheet[2]] == [("=1+1", "s"), ("n/a", "s")]
