"""Imports of actual costs and budgets: mapping proposal, preview, all-or-nothing validation
with row-level errors, idempotency, CSV and XLSX, and who may import into which project."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgets.imports import (
    ACTUALS_FIELDS,
    BUDGET_FIELDS,
    IMPORTING,
    VALIDATING,
    ImportFileError,
    importer_for,
    open_table,
    propose_mapping,
)
from budgets.imports.engine import RowError
from budgets.models import BudgetLine, CostEntry
from core.models import AuditEntry
from portfolio.models import Membership
from tests.factories.budgets import ContractFactory, VendorFactory
from tests.factories.portfolio import MembershipFactory
from tests.factories.projects import ProjectFactory, TaskFactory

from .money_setup import ACTUALS_HEADER, ledger_row, reference_data, write_csv, write_xlsx

D = Decimal
LEDGER_MAPPING = {
    "date": "Posting Date",
    "amount": "Amount",
    "currency": "Currency",
    "category": "Cost Category",
    "project": "Project Code",
    "task": "Task",
    "source": "Source",
    "external_ref": "Document No",
    "vendor": "Supplier",
    "contract": "PO Number",
    "description": "Description",
}
BUDGET_HEADER = ["Project", "Category", "Fiscal Year", "Period", "Amount", "Currency", "Version"]
BUDGET_MAPPING = {
    "project": "Project",
    "category": "Category",
    "fiscal_year": "Fiscal Year",
    "period": "Period",
    "amount": "Amount",
    "currency": "Currency",
    "version": "Version",
}


@pytest.fixture
def ref(db):
    return reference_data()


@pytest.fixture
def crm(program):
    """A second project of the cast's program."""
    return ProjectFactory(program=program, code="MOD-CRM", name="CRM")


@pytest.fixture
def crm_reader(crm, project_manager):
    """The cast's project manager (of MOD-ERP) is also a team member of MOD-CRM: sees it, may not
    change its money."""
    MembershipFactory(user=project_manager, role=Membership.Role.TEAM_MEMBER, project=crm)
    return project_manager


def run_actuals(path, actor, mapping=LEDGER_MAPPING, **options):
    importer = importer_for("actuals", open_table(path), mapping, actor=actor, **options)
    return importer.run(label=path.name)


def texts(report) -> list[str]:
    return [str(error) for error in report.errors]


class TestMappingProposal:
    def test_ledger_headers_map_to_every_field(self):
        assert propose_mapping(ACTUALS_HEADER, ACTUALS_FIELDS) == LEDGER_MAPPING

    def test_headers_are_matched_loosely_and_used_once(self):
        headers = ["Txn date", "Net Amount (EUR)", "CCY", "cost_code", "Project ID", "Ref", "Memo", "Amount"]
        proposal = propose_mapping(headers, ACTUALS_FIELDS)
        assert proposal == {
            "date": "Txn date",
            "amount": "Amount",
            "currency": "CCY",
            "category": "cost_code",
            "project": "Project ID",
            "external_ref": "Ref",
            "description": "Memo",
        }

    def test_budget_headers(self):
        proposal = propose_mapping(BUDGET_HEADER, BUDGET_FIELDS)
        assert proposal == BUDGET_MAPPING

    def test_unknown_header_and_missing_required_field_are_errors_on_mapping(self, tmp_path, project, ref):
        path = write_csv(tmp_path / "gl.csv", [ledger_row(1)])
        with pytest.raises(ValidationError) as caught:
            importer_for("actuals", open_table(path), {"date": "Nope", "amount": "Amount"}, actor=None)
        messages = caught.value.message_dict["mapping"]
        assert any("no column “Nope”" in m for m in messages)
        assert any(
            "Cost category code (category), Project code (project), External reference (external_ref)" in m
            for m in messages
        )


@pytest.mark.django_db
class TestActualsPreview:
    def test_preview_parses_the_first_rows_and_flags_each_rows_errors(self, tmp_path, project, ref, owner):
        rows = [ledger_row(1), ledger_row(2, Amount="abc"), ledger_row(3, **{"Project Code": "NOPE"})]
        rows += [ledger_row(n) for n in range(4, 30)]
        path = write_csv(tmp_path / "gl.csv", rows)
        run_actuals(write_csv(tmp_path / "first.csv", [ledger_row(1)]), owner)

        preview = importer_for("actuals", open_table(path), LEDGER_MAPPING, actor=owner).preview(limit=5)

        assert [row.number for row in preview.rows] == [2, 3, 4, 5, 6]
        assert preview.rows[0].note == "already imported"
        assert preview.rows[0].values["amount"] == "101.50"
        assert [str(e) for e in preview.rows[1].errors] == ["row 3, column “Amount”: 'abc' is not a number"]
        assert [e.field for e in preview.rows[2].errors] == ["project"]
        assert preview.rows[3].note == "new"
        assert CostEntry.objects.count() == 1  # the preview wrote nothing


@pytest.mark.django_db
class TestActualsImport:
    def test_good_file_imports_every_row_with_defaults_and_audit(self, tmp_path, project, ref, owner):
        rows = [ledger_row(n) for n in range(1, 21)]
        rows[0]["Currency"] = ""  # the portfolio's base currency
        rows[1]["Currency"] = "usd"
        path = write_csv(tmp_path / "gl.csv", rows)

        report = run_actuals(path, owner)

        assert (report.ok, report.total_rows, report.created, report.skipped) == (True, 20, 20, 0)
        first = CostEntry.objects.get(external_ref="GL-1")
        assert (first.amount, first.currency_id, first.source, first.category_id) == (
            D("101.50"),
            "EUR",
            "ledger",
            ref.labour.pk,
        )
        assert first.date == dt.date(2026, 2, 2)
        assert (first.version, first.description) == (1, "Line 1")  # as a create would leave it
        assert first.created_at is not None
        assert first.updated_at is not None
        assert CostEntry.objects.get(external_ref="GL-2").currency_id == "USD"
        audit = AuditEntry.objects.get(object_type="projects.project", object_id=str(project.pk))
        assert audit.actor == owner
        assert audit.changes == {"actuals_import": [None, "20 rows from gl.csv"]}

    def test_one_bad_row_writes_nothing_and_the_report_names_row_and_reason(self, tmp_path, project, ref, owner):
        rows = [ledger_row(n) for n in range(1, 31)]
        rows[15]["Amount"] = "abc"  # file row 17: the header is row 1
        path = write_csv(tmp_path / "gl.csv", rows)

        report = run_actuals(path, owner)

        assert not report.ok
        assert texts(report) == ["row 17, column “Amount”: 'abc' is not a number"]
        assert report.errors[0].column == "Amount"
        assert report.total_rows == 30
        assert not CostEntry.objects.exists()
        assert not AuditEntry.objects.filter(object_type="projects.project").exists()

    def test_errors_name_the_files_column_not_the_import_field(self, tmp_path, project, ref, owner):
        header = ["Booked", "Value", "Cost code", "Job", "Voucher"]
        mapping = {"date": "Booked", "amount": "Value", "category": "Cost code", "project": "Job"}
        mapping["external_ref"] = "Voucher"
        row = {"Booked": "2026-01-15", "Value": "10", "Cost code": "LAB", "Job": "MOD-ERP", "Voucher": ""}
        report = run_actuals(write_csv(tmp_path / "gl.csv", [row], header), owner, mapping, default_source="ledger")
        (error,) = report.errors
        assert str(error) == "row 2, column “Voucher”: is required"
        assert "external_ref" not in str(error)
        assert (error.field, error.column) == ("external_ref", "Voucher")  # the field stays for programs

    def test_an_error_on_an_unmapped_field_names_the_field_for_people(self):
        error = RowError(3, "contract", None, "an invoice must name its contract", "Contract")
        assert str(error) == "row 3, Contract (no column mapped): an invoice must name its contract"

    def test_every_row_is_checked_and_each_problem_reported(self, tmp_path, project, ref, owner):
        rows = [
            ledger_row(1, **{"Posting Date": "31/02/2026"}),
            ledger_row(2, **{"Project Code": "NOPE"}),
            ledger_row(3, **{"Cost Category": "XXX"}),
            ledger_row(4, Currency="ABC"),
            ledger_row(5, **{"Document No": "GL-1"}),
            ledger_row(6, Source="fax"),
            ledger_row(7, Amount="12.345"),
            ledger_row(8, **{"Document No": ""}),
            ledger_row(9, Task="9.9"),
            ledger_row(10, Supplier="Nobody Ltd"),
            ledger_row(11),
        ]
        report = run_actuals(write_csv(tmp_path / "gl.csv", rows), owner)

        assert texts(report) == [
            "row 2, column “Posting Date”: '31/02/2026' is not a date (YYYY-MM-DD)",
            "row 3, column “Project Code”: no project you can see has the code 'NOPE'",
            "row 4, column “Cost Category”: no cost category has the code 'XXX'",
            "row 5, column “Currency”: 'ABC' is not a currency Keel knows; add it first",
            "row 6, column “Document No”: 'GL-1' appears more than once in this file (for source ledger)",
            "row 7, column “Source”: 'fax' is not a source; use one of: manual, ledger, invoice, timesheet",
            "row 8, column “Amount”: '12.345' has more than 2 decimal places",
            "row 9, column “Document No”: is required",
            "row 10, column “Task”: project MOD-ERP has no task with the external reference or outline number '9.9'",
            "row 11, column “Supplier”: no vendor you can see is named 'Nobody Ltd'",
        ]
        assert not CostEntry.objects.exists()

    def test_importing_the_same_file_twice_adds_nothing(self, tmp_path, project, ref, owner):
        path = write_csv(tmp_path / "gl.csv", [ledger_row(n) for n in range(1, 11)])
        assert run_actuals(path, owner).created == 10

        again = run_actuals(path, owner)

        assert (again.ok, again.created, again.skipped) == (True, 0, 10)
        assert CostEntry.objects.count() == 10

    def test_a_revised_file_adds_only_its_new_rows(self, tmp_path, project, ref, owner):
        run_actuals(write_csv(tmp_path / "a.csv", [ledger_row(n) for n in range(1, 6)]), owner)
        report = run_actuals(write_csv(tmp_path / "b.csv", [ledger_row(n) for n in range(1, 9)]), owner)
        assert (report.created, report.skipped) == (3, 5)
        assert CostEntry.objects.count() == 8

    def test_the_same_reference_in_another_source_is_another_entry(self, tmp_path, project, ref, owner):
        run_actuals(write_csv(tmp_path / "a.csv", [ledger_row(1)]), owner)
        report = run_actuals(write_csv(tmp_path / "b.csv", [ledger_row(1, Source="timesheet")]), owner)
        assert report.created == 1
        assert set(CostEntry.objects.values_list("source", flat=True)) == {"ledger", "timesheet"}

    def test_xlsx_with_number_and_date_cells_imports_like_csv(self, tmp_path, project, ref, owner):
        rows = [ledger_row(n) for n in range(1, 6)]
        for n, row in enumerate(rows, start=1):
            row["Posting Date"] = dt.datetime(2026, 3, n)
            row["Amount"] = 0.1 + 0.2 if n == 1 else 1000 + n  # a float's binary noise; an int
        path = write_xlsx(tmp_path / "gl.xlsx", rows)

        report = run_actuals(path, owner)

        assert (report.ok, report.created) == (True, 5), texts(report)
        first = CostEntry.objects.get(external_ref="GL-1")
        assert (first.date, first.amount) == (dt.date(2026, 3, 1), D("0.30"))
        assert CostEntry.objects.get(external_ref="GL-2").amount == D("1002.00")
        assert run_actuals(path, owner).skipped == 5

    def test_xlsx_row_errors_name_the_spreadsheet_row(self, tmp_path, project, ref, owner):
        rows = [ledger_row(1), ledger_row(2, Amount="lots"), ledger_row(3, **{"Posting Date": 45000})]
        report = run_actuals(write_xlsx(tmp_path / "gl.xlsx", rows), owner)
        assert texts(report) == [
            "row 3, column “Amount”: 'lots' is not a number",
            "row 4, column “Posting Date”: '45000' is not a date (YYYY-MM-DD)",
        ]

    def test_semicolon_csv_with_european_dates(self, tmp_path, project, ref, owner):
        rows = [ledger_row(1, **{"Posting Date": "15.01.2026"})]
        path = write_csv(tmp_path / "gl.csv", rows, delimiter=";")
        report = run_actuals(path, owner, date_format="%d.%m.%Y")
        assert report.created == 1
        assert CostEntry.objects.get().date == dt.date(2026, 1, 15)

    def test_task_by_external_ref_or_outline_number(self, tmp_path, project, ref, owner):
        design = TaskFactory(project=project, external_ref="17", outline_number="1.1")
        build = TaskFactory(project=project, outline_number="1.2")
        rows = [ledger_row(1, Task="17"), ledger_row(2, Task="1.2")]
        assert run_actuals(write_csv(tmp_path / "gl.csv", rows), owner).ok
        assert CostEntry.objects.get(external_ref="GL-1").task == design
        assert CostEntry.objects.get(external_ref="GL-2").task == build

    def test_invoices_follow_the_contract_rules(self, tmp_path, program, project, crm, ref, owner):
        vendor = VendorFactory(name="Acme Ltd")
        contract = ContractFactory(program=program, vendor=vendor, number="PO-1", currency=ref.eur)
        contract.projects.add(project)
        rows = [
            ledger_row(1, Source="invoice", **{"PO Number": "PO-1"}),
            ledger_row(2, Source="invoice"),
            ledger_row(3, Source="invoice", **{"PO Number": "PO-1", "Project Code": "MOD-CRM"}),
            ledger_row(4, Source="invoice", Supplier="Other", **{"PO Number": "PO-1"}),
        ]
        VendorFactory(name="Other")
        report = run_actuals(write_csv(tmp_path / "gl.csv", rows), owner)
        assert texts(report) == [
            "row 3, column “PO Number”: an invoice must name its contract",
            "row 4, column “PO Number”: contract PO-1 does not serve project MOD-CRM; link the project to it first",
            "row 5, column “Supplier”: 'Other' is not the vendor of contract PO-1",
        ]
        report = run_actuals(write_csv(tmp_path / "ok.csv", rows[:1]), owner)
        assert report.created == 1
        assert CostEntry.objects.get().vendor == vendor  # the contract's vendor

    def test_a_file_that_is_not_a_table_is_an_error_on_file(self, tmp_path, db):
        (tmp_path / "gl.pdf").write_bytes(b"%PDF")
        (tmp_path / "empty.csv").write_bytes(b"")
        (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
        for name in ("gl.pdf", "empty.csv", "bad.xlsx"):
            with pytest.raises(ImportFileError) as caught:
                open_table(tmp_path / name)
            assert list(caught.value.message_dict) == ["file"]

    def test_progress_is_reported_per_chunk_in_both_phases(self, tmp_path, project, ref, owner, monkeypatch):
        monkeypatch.setattr("budgets.imports.engine.CHUNK_ROWS", 10)
        path = write_csv(tmp_path / "gl.csv", [ledger_row(n) for n in range(1, 26)])
        calls = []
        importer = importer_for("actuals", open_table(path), LEDGER_MAPPING, actor=owner)
        importer.run(progress=lambda phase, done, total: calls.append((phase, done, total)), estimate=25)
        assert calls == [
            (VALIDATING, 0, 25),
            (VALIDATING, 10, 25),
            (VALIDATING, 20, 25),
            (VALIDATING, 25, 25),
            (IMPORTING, 0, 25),
            (IMPORTING, 10, 25),
            (IMPORTING, 20, 25),
            (IMPORTING, 25, 25),
        ]


@pytest.mark.django_db
class TestWhoMayImport:
    def test_a_project_the_user_may_not_edit_makes_that_row_an_error(self, tmp_path, project, ref, crm_reader):
        rows = [ledger_row(1), ledger_row(2, **{"Project Code": "MOD-CRM"}), ledger_row(3)]
        report = run_actuals(write_csv(tmp_path / "gl.csv", rows), crm_reader)
        assert texts(report) == [
            "row 3, column “Project Code”: "
            "you may not change the money of project MOD-CRM (it needs a finance role on the project)"
        ]
        assert not CostEntry.objects.exists()

    def test_a_reader_may_not_import_into_the_project_they_read(self, tmp_path, project, ref, member):
        report = run_actuals(write_csv(tmp_path / "gl.csv", [ledger_row(1)]), member)
        assert [e.field for e in report.errors] == ["project"]
        assert "may not change the money of project MOD-ERP" in report.errors[0].message

    def test_an_outsider_is_told_the_project_does_not_exist(self, tmp_path, project, ref, outsider):
        report = run_actuals(write_csv(tmp_path / "gl.csv", [ledger_row(1)]), outsider)
        assert texts(report) == ["row 2, column “Project Code”: no project you can see has the code 'MOD-ERP'"]

    def test_the_system_imports_anywhere(self, tmp_path, project, crm, ref):
        rows = [ledger_row(1), ledger_row(2, **{"Project Code": "mod-crm"})]
        assert run_actuals(write_csv(tmp_path / "gl.csv", rows), None).created == 2


@pytest.mark.django_db
class TestBudgetImport:
    def rows(self, *changes):
        base = [
            ["MOD-ERP", "LAB", 2026, 1, 1000, "EUR", "current"],
            ["MOD-ERP", "LAB", 2026, 2, 1500.5, "", ""],
            ["MOD-ERP", "MAT", 2026, 1, "250", "USD", "original"],
        ]
        for index, column, value in changes:
            base[index][BUDGET_HEADER.index(column)] = value
        return base

    def run(self, path, actor, mapping=BUDGET_MAPPING):
        return importer_for("budget", open_table(path), mapping, actor=actor).run(label=path.name)

    def test_xlsx_budget_lines_are_created(self, tmp_path, project, ref, owner):
        report = self.run(write_xlsx(tmp_path / "b.xlsx", self.rows(), BUDGET_HEADER), owner)
        assert (report.ok, report.created, report.updated, report.skipped) == (True, 3, 0, 0), report.errors
        line = BudgetLine.objects.get(category=ref.labour, period=ref.period(2026, 2))
        assert (line.amount, line.currency_id, line.budget_version) == (D("1500.50"), "EUR", "current")
        assert BudgetLine.objects.get(category=ref.materials).budget_version == "original"

    def test_importing_twice_changes_nothing_and_a_changed_amount_updates_the_line(self, tmp_path, project, ref, owner):
        self.run(write_xlsx(tmp_path / "b.xlsx", self.rows(), BUDGET_HEADER), owner)
        again = self.run(write_xlsx(tmp_path / "b.xlsx", self.rows(), BUDGET_HEADER), owner)
        assert (again.created, again.updated, again.skipped) == (0, 0, 3)

        changed = self.run(write_xlsx(tmp_path / "c.xlsx", self.rows((0, "Amount", 1200)), BUDGET_HEADER), owner)

        assert (changed.created, changed.updated, changed.skipped) == (0, 1, 2)
        line = BudgetLine.objects.get(category=ref.labour, period=ref.period(2026, 1))
        assert (line.amount, line.version) == (D("1200.00"), 2)
        assert BudgetLine.objects.count() == 3

    def test_a_date_names_the_period(self, tmp_path, project, ref, owner):
        header = ["Project", "Category", "Date", "Amount"]
        path = write_csv(
            tmp_path / "b.csv",
            [{"Project": "MOD-ERP", "Category": "LAB", "Date": "2026-05-17", "Amount": "10"}],
            header,
        )
        mapping = {"project": "Project", "category": "Category", "date": "Date", "amount": "Amount"}
        assert self.run(path, owner, mapping).created == 1
        assert BudgetLine.objects.get().period == ref.period(2026, 5)

    def test_bad_rows_write_nothing_and_are_reported(self, tmp_path, project, ref, crm_reader):
        rows = self.rows((0, "Period", 13), (1, "Amount", -5), (2, "Version", "draft"))
        rows.append(["MOD-CRM", "LAB", 2026, 3, 1, "EUR", ""])
        rows.append(["MOD-ERP", "LAB", 2031, 3, 1, "EUR", ""])
        rows.append(["MOD-ERP", "LAB", 2026, 4, 1, "EUR", ""])
        rows.append(["MOD-ERP", "LAB", 2026, 4, 2, "EUR", "current"])
        report = self.run(write_xlsx(tmp_path / "b.xlsx", rows, BUDGET_HEADER), crm_reader)
        assert [str(e) for e in report.errors] == [
            "row 2, column “Period”: '13' is not between 1 and 12",
            "row 3, column “Amount”: '-5' must not be negative",
            "row 4, column “Version”: 'draft' is not a budget version; use original or current",
            "row 5, column “Project”: "
            "you may not change the money of project MOD-CRM (it needs a finance role on the project)",
            "row 6, column “Period”: FY2031 P03 is not a stored period of the fiscal calendar “Calendar year”; "
            "generate its periods first",
            "row 8: this file already has a line for MOD-ERP LAB FY2026 P04 (current)",
        ]
        assert not BudgetLine.objects.exists()
