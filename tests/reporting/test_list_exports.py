"""`?export=csv|xlsx` on the seven lists (projects, programs, risks, issues, people, allocations,
tasks): the filtered rows of every page, access exactly as the list, a fixed number of queries."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.conftest import login
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.risks import IssueFactory, RiskFactory
from tests.factories.staffing import AllocationFactory, PersonFactory


@dataclass(frozen=True)
class ListCase:
    """`make(n)` builds n rows the filtered export lists (names starting "Keep") and returns
    nothing; `other` builds one row the export must leave out; `url` with `query` is the list."""

    url: str
    query: dict
    header: str
    make: Callable
    other: Callable


def _projects(ctx, n):
    for i in range(n):
        ProjectFactory(program=ctx["program"], code=f"KEEP{ctx['seq']()}", name=f"Keep project {i}")


def _programs(ctx, n):
    for i in range(n):
        ProgramFactory(portfolio=ctx["portfolio"], code=f"KP{ctx['seq']()}", name=f"Keep program {i}")


def _risks(ctx, n):
    for i in range(n):
        RiskFactory(program=ctx["program"], title=f"Keep risk {i}")


def _issues(ctx, n):
    for i in range(n):
        IssueFactory(program=ctx["program"], title=f"Keep issue {i}")


def _people(ctx, n):
    for _i in range(n):
        PersonFactory(portfolio=ctx["portfolio"], name=f"Keep person {ctx['seq']()}")


def _allocations(ctx, n):
    for _ in range(n):
        person = PersonFactory(portfolio=ctx["portfolio"], name=f"Keep allocated {ctx['seq']()}")
        AllocationFactory(project=ctx["project"], person=person)


def _tasks(ctx, n):
    for i in range(n):
        TaskFactory(project=ctx["project"], name=f"Keep task {i}")


CASES = {
    "projects": ListCase("/projects/", {"q": "Keep"}, "Code", _projects, lambda c: _projects_other(c)),
    "programs": ListCase("/programs/", {"q": "Keep"}, "Code", _programs, lambda c: _programs_other(c)),
    "risks": ListCase(
        "/programs/MOD/risks/", {"q": "Keep"}, "Ref", _risks, lambda c: RiskFactory(program=c["program"], title="Other")
    ),
    "issues": ListCase(
        "/programs/MOD/issues/",
        {"q": "Keep"},
        "Ref",
        _issues,
        lambda c: IssueFactory(program=c["program"], title="Other"),
    ),
    "people": ListCase(
        "/people/", {"q": "Keep"}, "Name", _people, lambda c: PersonFactory(portfolio=c["portfolio"], name="Other one")
    ),
    "allocations": ListCase(
        "/projects/MOD-ERP/staffing/",
        {},
        "Person",
        _allocations,
        lambda c: AllocationFactory(
            project=ProjectFactory(program=c["program"]),
            person=PersonFactory(portfolio=c["portfolio"], name="Other allocated"),
        ),
    ),
    "tasks": ListCase(
        "/projects/MOD-ERP/schedule/",
        {},
        "Name",
        _tasks,
        lambda c: TaskFactory(project=ProjectFactory(program=c["program"]), name="Other task"),
    ),
}


def _projects_other(ctx):
    ProjectFactory(program=ctx["program"], code="OTHERP", name="Other project")


def _programs_other(ctx):
    ProgramFactory(portfolio=ctx["portfolio"], code="OTHERG", name="Other program")


@pytest.fixture
def ctx(portfolio, program, project):
    counter = iter(range(10_000))
    return {"portfolio": portfolio, "program": program, "project": project, "seq": lambda: next(counter)}


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def _names(rows) -> str:
    return "\n".join(",".join(row) for row in rows)


@pytest.mark.parametrize("name", CASES)
def test_csv_export_has_the_header_and_only_the_filtered_rows(name, ctx, executive):
    case = CASES[name]
    case.make(ctx, 3)
    case.other(ctx)
    response = login(executive).get(case.url, {**case.query, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = _csv_rows(response)
    assert case.header in rows[0]
    text = _names(rows[1:])
    assert text.count("Keep") == 3
    assert "Other" not in text


@pytest.mark.parametrize("name", CASES)
def test_xlsx_export_opens_with_the_filtered_rows(name, ctx, executive):
    case = CASES[name]
    case.make(ctx, 2)
    case.other(ctx)
    response = login(executive).get(case.url, {**case.query, "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[str(value) for value in row if value is not None] for row in sheet.iter_rows(values_only=True)]
    assert case.header in rows[0]
    text = _names(rows[1:])
    assert text.count("Keep") == 2
    assert "Other" not in text


@pytest.mark.parametrize("name", CASES)
def test_outsider_export_has_none_of_the_hidden_rows(name, ctx, outsider):
    case = CASES[name]
    case.make(ctx, 2)
    response = login(outsider).get(case.url, {**case.query, "export": "csv"})
    if response.status_code == 404:
        return  # a list scoped to a program or project the outsider cannot see
    assert response.status_code == 200
    assert "Keep" not in _names(_csv_rows(response))


@pytest.mark.parametrize("name", CASES)
def test_unknown_export_format_is_a_400_naming_export(name, ctx, executive):
    case = CASES[name]
    response = login(executive).get(case.url, {**case.query, "export": "pdf"})
    assert response.status_code == 400
    assert "export" in response.content.decode()


@pytest.mark.parametrize("name", CASES)
def test_export_queries_do_not_grow_with_rows(name, ctx, executive):
    case = CASES[name]
    client = login(executive)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(case.url, {**case.query, "export": "csv"})
            rows = _csv_rows(response)
        assert response.status_code == 200
        return len(queries), len(rows)

    case.make(ctx, 2)
    small, small_rows = count()
    case.make(ctx, 8)
    large, large_rows = count()
    assert large_rows == small_rows + 8
    assert large == small


@pytest.mark.parametrize("name", CASES)
def test_list_page_links_csv_and_excel_keeping_the_filters(name, ctx, executive):
    case = CASES[name]
    case.make(ctx, 1)
    response = login(executive).get(case.url, case.query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "export=csv" in html
    assert "export=xlsx" in html
    if case.query:
        assert "q=Keep&amp;export=csv" in html


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        ("/projects/", {"starts_after": "not-a-date"}, "starts_after"),
        ("/programs/", {"starts_after": "not-a-date"}, "starts_after"),
        ("/programs/MOD/risks/", {"proximity_before": "not-a-date"}, "proximity_before"),
        ("/programs/MOD/issues/", {"due_before": "not-a-date"}, "due_before"),
        ("/people/", {"portfolio": "999999"}, "portfolio"),
    ],
)
def test_export_with_an_invalid_filter_is_a_400_naming_the_field(url, query, field, ctx, executive):
    response = login(executive).get(url, {**query, "export": "csv"})
    assert response.status_code == 400
    assert field in response.content.decode()
