"""Importers at the edges of core.bounds: an amount or a date one past the range is a row error
naming the row and the column, and nothing is written; the edge itself imports. The schedule
import refuses durations, lags and dates past the range the same way."""

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from budgets.imports import importer_for, open_table
from budgets.models import BudgetLine, CostEntry
from core import bounds
from projects.models import Project, Task
from projects.scheduling import read_mspdi, write_mspdi
from projects.services.schedule_io import ScheduleFileError, schedule_import

from .money_setup import ledger_row, reference_data, write_csv, write_xlsx
from .test_imports import BUDGET_HEADER, BUDGET_MAPPING, LEDGER_MAPPING

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
MSPDI = Path(__file__).parents[1] / "projects" / "data" / "mspdi" / "mspdirelations.xml"


@pytest.fixture
def ref(db):
    return reference_data()


def run(kind, path, actor, mapping):
    return importer_for(kind, open_table(path), mapping, actor=actor).run(label=path.name)


@pytest.mark.parametrize(
    ("column", "value", "field"),  # `field` is the import field the column maps to
    [
        ("Amount", str(bounds.MONEY_MAX + CENT), "amount"),
        ("Amount", str(-bounds.MONEY_MAX - CENT), "amount"),
        ("Amount", "99999999999999999.99", "amount"),
        ("Posting Date", "3000-01-01", "date"),
        ("Posting Date", "1899-12-31", "date"),
        ("Posting Date", "9999-12-31", "date"),
    ],
)
def test_an_actuals_row_past_the_range_is_an_error_naming_row_and_column(
    tmp_path, project, ref, owner, column, value, field
):
    rows = [ledger_row(1), ledger_row(2, **{column: value})]
    report = run("actuals", write_csv(tmp_path / "gl.csv", rows), owner, LEDGER_MAPPING)
    assert not report.ok
    assert [(e.row, e.column, e.field) for e in report.errors] == [(3, column, field)]
    assert str(report.errors[0]).startswith(f"row 3, column “{column}”: ")  # the file's column names it
    assert not CostEntry.objects.exists()


@pytest.mark.parametrize("writer", ["csv", "xlsx"])
def test_actuals_at_the_edges_of_the_range_import(tmp_path, project, ref, owner, writer):
    rows = [
        ledger_row(1, Amount=str(bounds.MONEY_MAX), **{"Posting Date": bounds.DATE_MAX.isoformat()}),
        ledger_row(2, Amount=str(-bounds.MONEY_MAX), **{"Posting Date": bounds.DATE_MIN.isoformat()}),
    ]
    if writer == "csv":
        path = write_csv(tmp_path / "gl.csv", rows)
    else:
        header = list(rows[0])
        path = write_xlsx(tmp_path / "gl.xlsx", [[r[h] for h in header] for r in rows], header)
    report = run("actuals", path, owner, LEDGER_MAPPING)
    assert report.ok, report.errors
    stored = set(CostEntry.objects.values_list("amount", "date"))
    assert stored == {(bounds.MONEY_MAX, bounds.DATE_MAX), (-bounds.MONEY_MAX, bounds.DATE_MIN)}


def budget_rows(amount):
    return [["MOD-ERP", "LAB", 2026, 1, amount, "EUR", "current"]]


@pytest.mark.parametrize("amount", [str(bounds.MONEY_MAX + CENT), "-0.01", "99999999999999999.99"])
def test_a_budget_row_past_the_range_is_an_error_and_nothing_is_written(tmp_path, project, ref, owner, amount):
    path = write_xlsx(tmp_path / "b.xlsx", budget_rows(amount), BUDGET_HEADER)
    report = run("budget", path, owner, BUDGET_MAPPING)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Amount")]
    assert not BudgetLine.objects.exists()


def test_a_budget_row_at_the_largest_amount_imports(tmp_path, project, ref, owner):
    path = write_xlsx(tmp_path / "b.xlsx", budget_rows(str(bounds.MONEY_MAX)), BUDGET_HEADER)
    report = run("budget", path, owner, BUDGET_MAPPING)
    assert report.ok, report.errors
    assert BudgetLine.objects.get().amount == bounds.MONEY_MAX


# -- schedule import ---------------------------------------------------------------------------


def edited_plan(*, lag_tenths: int | None = None, **changes) -> bytes:
    """The sample plan with `changes` on its first task, or the lag of its first link changed."""
    document = read_mspdi(MSPDI.read_bytes())
    first = next(t for t in document.tasks if t.uid)
    linked = next(t for t in document.tasks if t.predecessors)

    def edit(task):
        if changes and task.uid == first.uid:
            task = dataclasses.replace(task, **changes)
        if lag_tenths is not None and task.uid == linked.uid:
            link = dataclasses.replace(task.predecessors[0], lag_tenths=lag_tenths, lag_format=7)
            task = dataclasses.replace(task, predecessors=(link, *task.predecessors[1:]))
        return task

    return write_mspdi(dataclasses.replace(document, tasks=tuple(edit(t) for t in document.tasks)))


DAY_MINUTES = bounds.MINUTES_PER_DAY


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"duration": dt.timedelta(minutes=(bounds.DAYS_MAX + 1) * DAY_MINUTES)}, "duration"),
        ({"duration": dt.timedelta(minutes=20_000 * DAY_MINUTES)}, "duration"),
        ({"lag_tenths": (bounds.DURATION_MINUTES_MAX + 1) * 10}, "lag"),
        ({"constraint_type": 4, "constraint_date": dt.datetime(3000, 1, 3, 8)}, "constraint_date"),
    ],
)
def test_a_schedule_file_past_the_range_is_refused_and_nothing_is_written(changes, reason):
    with pytest.raises(ScheduleFileError) as error:
        schedule_import(actor=None, data=edited_plan(**changes), filename="plan.xml", project_code="BIG")
    assert reason in error.value.reason
    assert not Project.objects.filter(code="BIG").exists()
    assert not Task.objects.exists()


def test_a_schedule_file_at_the_longest_duration_imports():
    data = edited_plan(duration=dt.timedelta(minutes=bounds.DURATION_MINUTES_MAX))
    schedule_import(actor=None, data=data, filename="plan.xml", project_code="BIG")
    assert Task.objects.filter(duration_minutes=bounds.DURATION_MINUTES_MAX).exists()
