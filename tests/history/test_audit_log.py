"""The audit log you can read: scope ids stored with each entry (and backfilled), who sees which
entries (page, API, CSV), filters, the History panel of a detail page, the imported file kept
with its audit entry, and query counts that do not grow with the rows."""

import csv
import datetime as dt
import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.imports import import_job_create, import_job_run
from core.models import AuditEntry
from core.services import api_token_create
from risks.services import risk_create, risk_update
from staffing.services import cost_rate_set
from tests.budgets.money_setup import ACTUALS_HEADER, ledger_row, reference_data
from tests.conftest import login
from tests.factories.budgets import CurrencyFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.staffing import PersonFactory

pytestmark = pytest.mark.django_db


def _risk(actor, *, project=None, program=None, title="Vendor insolvency"):
    return risk_create(
        actor=actor, project=project, program=program, title=title, category="technical", probability=3, impact=3
    )


def _entries(client, **params):
    response = client.get("/api/v1/audit-entries/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


# -- scope ids -------------------------------------------------------------------------------------


def test_entries_carry_the_scope_of_their_object(project, program, portfolio, owner):
    project_risk = _risk(owner, project=project)
    program_risk = _risk(owner, program=program, title="Funding cut")
    api_token_create(user=owner, name="CI")

    by_object = {(e.object_type, e.object_id): e for e in AuditEntry.objects.all()}
    entry = by_object[("risks.risk", str(project_risk.pk))]
    assert (entry.portfolio_id, entry.program_id, entry.project_id) == (portfolio.pk, program.pk, project.pk)
    entry = by_object[("risks.risk", str(program_risk.pk))]
    assert (entry.portfolio_id, entry.program_id, entry.project_id) == (portfolio.pk, program.pk, None)
    token_entry = AuditEntry.objects.get(object_type="core.apitoken")
    assert (token_entry.portfolio_id, token_entry.program_id, token_entry.project_id) == (None, None, None)


def test_backfill_fills_the_scope_of_older_entries(project, program, portfolio):
    task = TaskFactory(project=project)

    def entry(object_type, object_id):
        return AuditEntry.objects.create(action="update", object_type=object_type, object_id=str(object_id))

    old = [
        entry("projects.task", task.pk),
        entry("projects.project", project.pk),
        entry("portfolio.program", program.pk),
        entry("projects.task", 999999),
    ]
    migration = importlib.import_module("history.migrations.0001_backfill_audit_entry_scope")

    migration.backfill(apps, None)

    scopes = [AuditEntry.objects.values_list("portfolio_id", "program_id", "project_id").get(pk=e.pk) for e in old]
    assert scopes == [
        (portfolio.pk, program.pk, project.pk),
        (portfolio.pk, program.pk, project.pk),
        (portfolio.pk, program.pk, None),
        (None, None, None),  # deleted: not derivable
    ]


# -- who sees what ---------------------------------------------------------------------------------


def test_visibility_follows_the_scope(api_for, project, program, owner, member, executive, outsider, project_manager):
    _risk(owner, project=project)
    _risk(owner, program=program, title="Funding cut")
    elsewhere = ProjectFactory(program=program, code="MOD-CRM")
    _risk(owner, project=elsewhere, title="Hidden project risk")

    def seen(user):
        return sorted(e["object_repr"] for e in _entries(api_for(user), object_type="risks.risk"))

    assert len(seen(executive)) == 3  # a role on the portfolio: everything in it
    assert len(seen(owner)) == 3
    assert len(seen(member)) == 1  # the project only: not the program's own risk, not the sibling
    assert len(seen(project_manager)) == 1
    assert seen(outsider) == []


def test_cost_rates_are_hidden_from_those_who_may_not_see_rates(api_for, portfolio, owner, executive, member):
    CurrencyFactory(code="EUR")
    person = PersonFactory(portfolio=portfolio)
    cost_rate_set(actor=owner, person=person, effective_from=dt.date(2026, 1, 1), hourly_rate=Decimal("72.25"))
    assert [e["object_type"] for e in _entries(api_for(owner), object_type="staffing.costrate")] == [
        "staffing.costrate"
    ]
    assert _entries(api_for(executive), object_type="staffing.costrate") == []  # executives do not see rates
    assert _entries(api_for(member), object_type="staffing.costrate") == []
    assert "72.25" not in api_for(executive).get("/api/v1/audit-entries/").content.decode()


def test_unscoped_entries_are_their_actor_s_only(api_for, owner, member):
    api_token_create(user=owner, name="CI")
    assert [e["object_type"] for e in _entries(api_for(owner), object_type="core.apitoken")] == ["core.apitoken"]
    assert _entries(api_for(member), object_type="core.apitoken") == []


def test_anonymous_gets_nothing(api_for, project, owner):
    _risk(owner, project=project)
    assert api_for(None).get("/api/v1/audit-entries/").status_code in (401, 403)


# -- filters, page, CSV ----------------------------------------------------------------------------


def test_filters_by_actor_action_type_date_and_scope(api_for, project, program, owner, project_manager):
    risk = _risk(owner, project=project)
    risk_update(actor=project_manager, risk=risk, data={"impact": 4})
    _risk(owner, program=program, title="Funding cut")
    client = api_for(owner)

    assert {e["actor"] for e in _entries(client, actor="pm")} == {"pm"}
    assert {e["action"] for e in _entries(client, action="update", object_type="risks.risk")} == {"update"}
    assert {e["project_id"] for e in _entries(client, project=project.pk)} == {project.pk}
    today = dt.date.today().isoformat()
    assert _entries(client, at_after=today, at_before=today)
    assert _entries(client, at_before="2020-01-01") == []
    assert client.get("/api/v1/audit-entries/", {"colour": "red"}).status_code == 400


def test_update_shows_before_and_after(api_for, project, owner):
    risk = _risk(owner, project=project)
    risk_update(actor=owner, risk=risk, data={"impact": 4})
    [entry] = _entries(api_for(owner), action="update", object_type="risks.risk")
    assert entry["changes"]["impact"] == ["3", "4"]


def test_audit_page_filters_and_names_the_scope(project, owner):
    _risk(owner, project=project)
    page = login(owner).get(reverse("history:audit-list"), {"project": project.pk})
    assert page.status_code == 200
    assert "History of project MOD-ERP ERP replacement" in page.text
    assert "Vendor insolvency" in page.text
    assert login(owner).get(reverse("history:audit-list"), {"bogus": "1"}).status_code == 400


def test_csv_export_is_formula_safe(project, owner):
    _risk(owner, project=project, title='=HYPERLINK("http://evil")')
    response = login(owner).get(reverse("history:audit-list"), {"export": "csv", "object_type": "risks.risk"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["When", "Who", "Action"]
    changes = rows[1][6]
    assert "HYPERLINK" in changes
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# -- the History panel ------------------------------------------------------------------------------


def test_detail_pages_carry_the_history_panel_and_it_shows_before_after(project, owner):
    client = login(owner)
    risk = _risk(owner, project=project)
    risk_update(actor=owner, risk=risk, data={"impact": 4})

    page = client.get(reverse("risks:risk-detail", args=[risk.pk]))
    url = reverse("history:object-history", args=["risks.risk", risk.pk])
    assert url in page.text
    panel = client.get(url, headers={"HX-Request": "true"})
    assert panel.status_code == 200
    assert "<del>3</del> → 4" in panel.text
    assert "Created" in panel.text
    project_url = reverse("history:object-history", args=["projects.project", project.pk])
    assert project_url in client.get(reverse("projects:project-detail", args=[project.code])).text


def test_history_of_a_hidden_object_is_404(project, owner, outsider):
    risk = _risk(owner, project=project)
    client = login(outsider)
    assert client.get(reverse("history:object-history", args=["risks.risk", risk.pk])).status_code == 404
    assert client.get(reverse("history:object-history", args=["nope.model", 1])).status_code == 404
    assert client.get(reverse("history:object-history", args=["core.auditentry", 1])).status_code == 404


# -- bulk import: the file kept with its audit entry --------------------------------------------------


def test_an_import_keeps_its_file_with_the_audit_entry(project, owner, member, media_storage):
    reference_data()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACTUALS_HEADER)
    writer.writeheader()
    writer.writerows([ledger_row(n) for n in range(1, 4)])
    content = buffer.getvalue().encode()
    job = import_job_create(user=owner, kind="actuals", upload=SimpleUploadedFile("ledger.csv", content))

    assert import_job_run(job_id=job.pk) == "done"

    entry = AuditEntry.objects.get(object_type="budgets.importjob", object_id=str(job.pk), action="update")
    assert entry.attachment
    url = reverse("history:attachment", args=[entry.pk])
    download = login(owner).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert login(member).get(url).status_code == 404  # the file may hold other projects' rows
    per_project = AuditEntry.objects.get(object_type="projects.project", changes__has_key="actuals_import")
    assert per_project.project_id == project.pk
    assert f"(import {job.pk})" in per_project.changes["actuals_import"][1]


# -- query counts ----------------------------------------------------------------------------------


def test_lists_take_the_same_queries_for_more_rows(api_for, project, owner):
    client = login(owner)
    api = api_for(owner)
    _risk(owner, project=project)

    def counts():
        with CaptureQueriesContext(connection) as page:
            client.get(reverse("history:audit-list"))
        with CaptureQueriesContext(connection) as listed:
            api.get("/api/v1/audit-entries/")
        return len(page), len(listed)

    few = counts()
    for n in range(10):
        _risk(owner, project=project, title=f"Risk {n}")
    assert counts() == few
