"""The bulk API (core.bulk): POST /cost-entries/bulk/, /status-reports/bulk/, /tasks/bulk/ —
JSON or CSV, all or nothing, access per row, size limits, Idempotency-Key replay and races."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from budgets import services as budget_services
from budgets.models import CostEntry
from core import bulk
from core.models import AuditEntry, IdempotencyKey
from core.tasks import idempotency_prune
from projects.models import StatusReport, Task
from tests.budgets.money_setup import reference_data
from tests.factories.projects import ProjectFactory, TaskFactory

API = "/api/v1"
ENTRIES = f"{API}/cost-entries/bulk/"
REPORTS = f"{API}/status-reports/bulk/"
TASKS = f"{API}/tasks/bulk/"


@pytest.fixture
def ref(db):
    return reference_data()


def entry(project, ref, n: int, **changes) -> dict:
    return {
        "project": project.pk,
        "category": ref.labour.pk,
        "date": "2026-02-10",
        "amount": f"{100 + n}.00",
        "source": "ledger",
        "external_ref": f"GL-{n}",
    } | changes


def report(project, **changes) -> dict:
    return {
        "project": project.pk,
        "period_end": "2026-11-30",
        "overall_rag": "amber",
        "schedule_rag": "amber",
        "cost_rag": "green",
        "scope_rag": "green",
        "risk_rag": "red",
        "percent_complete": "55.00",
        "summary": "Data migration slipped a week.",
    } | changes


def post(client, path, rows, **headers):
    return client.post(path, json.dumps(rows), content_type="application/json", **headers)


@pytest.mark.django_db
class TestCostEntries:
    def test_rows_are_written_through_the_service_and_audited(self, api_for, owner, project, ref):
        response = post(api_for(owner), ENTRIES, [entry(project, ref, n) for n in range(3)])
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["count"] == 3
        assert [row["external_ref"] for row in body["results"]] == ["GL-0", "GL-1", "GL-2"]
        assert [row["amount"] for row in body["results"]] == ["100.00", "101.00", "102.00"]
        assert CostEntry.objects.count() == 3
        assert AuditEntry.objects.filter(object_type="budgets.costentry", action="create").count() == 3

    def test_one_bad_row_refuses_all_naming_row_and_field(self, api_for, owner, project, ref):
        rows = [entry(project, ref, 0), entry(project, ref, 1, amount="lots"), entry(project, ref, 2)]
        response = post(api_for(owner), ENTRIES, rows)
        assert response.status_code == 400
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "amount")]
        assert "row 1: amount" in response.json()["detail"]
        assert CostEntry.objects.count() == 0

    def test_a_row_failing_in_the_service_rolls_back_the_rows_before_it(self, api_for, owner, project, ref):
        # Both rows pass validation alone; the second's reference is taken by the first only
        # once the first is written.
        rows = [entry(project, ref, 0), entry(project, ref, 1, external_ref="GL-0")]
        response = post(api_for(owner), ENTRIES, rows)
        assert response.status_code == 400, response.json()
        assert response.json()["errors"][0]["row"] == 1
        assert CostEntry.objects.count() == 0
        assert AuditEntry.objects.filter(object_type="budgets.costentry").count() == 0

    def test_csv_with_a_header_row(self, api_for, owner, project, ref):
        csv_body = (
            "project,category,date,amount,source,external_ref,description\n"
            f"{project.pk},{ref.labour.pk},2026-02-10,12.50,ledger,GL-A,\n"
            f"{project.pk},{ref.labour.pk},2026-02-11,-2.50,ledger,GL-B,credit\n"
        )
        response = api_for(owner).post(ENTRIES, csv_body, content_type="text/csv")
        assert response.status_code == 201, response.json()
        assert sorted(CostEntry.objects.values_list("amount", flat=True)) == [Decimal("-2.50"), Decimal("12.50")]

    def test_a_reader_gets_403_naming_the_row_and_nothing_is_written(self, api_for, owner, member, project, ref):
        response = post(api_for(member), ENTRIES, [entry(project, ref, 0)])
        assert response.status_code == 403
        assert response.json()["errors"][0]["row"] == 0
        assert CostEntry.objects.count() == 0

    def test_an_outsider_is_told_the_project_does_not_exist(self, api_for, outsider, project, ref):
        response = post(api_for(outsider), ENTRIES, [entry(project, ref, 0)])
        assert response.status_code == 400
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(0, "project")]
        assert CostEntry.objects.count() == 0

    @pytest.mark.parametrize(
        ("body", "code"),
        [("{}", "not_a_list"), ("[1]", "not_an_object"), ("[", "parse_error"), ("[]", "empty")],
    )
    def test_a_body_that_is_not_an_array_of_objects_is_400(self, api_for, owner, body, code):
        response = api_for(owner).post(ENTRIES, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == code

    def test_too_many_rows_and_too_many_bytes_are_413(self, api_for, owner, project, ref, settings):
        settings.KEEL_BULK_MAX_ROWS = 2
        response = post(api_for(owner), ENTRIES, [entry(project, ref, n) for n in range(3)])
        assert response.status_code == 413
        assert "KEEL_BULK_MAX_ROWS" in response.json()["detail"]
        settings.KEEL_BULK_MAX_ROWS, settings.KEEL_BULK_MAX_BYTES = 1000, 100
        response = post(api_for(owner), ENTRIES, [entry(project, ref, 0)])
        assert response.status_code == 413
        assert "KEEL_BULK_MAX_BYTES" in response.json()["detail"]
        assert CostEntry.objects.count() == 0


@pytest.mark.django_db
class TestStatusReports:
    def test_reports_for_several_projects_in_one_request(self, api_for, owner, program, project):
        other = ProjectFactory(program=program, code="MOD-CRM")
        response = post(api_for(owner), REPORTS, [report(project), report(other, overall_rag="green")])
        assert response.status_code == 201, response.json()
        assert StatusReport.objects.count() == 2
        other.refresh_from_db()
        assert other.latest_status_report.overall_rag == "green"

    def test_a_period_already_reported_refuses_the_whole_request(self, api_for, owner, program, project):
        other = ProjectFactory(program=program, code="MOD-CRM")
        post(api_for(owner), REPORTS, [report(other)])
        response = post(api_for(owner), REPORTS, [report(project), report(other)])
        assert response.status_code == 400
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "period_end")]
        assert StatusReport.objects.filter(project=project).count() == 0

    def test_a_project_the_user_may_only_read_is_403(self, api_for, project_manager, member, program, project):
        other = ProjectFactory(program=program, code="MOD-CRM")
        response = post(api_for(project_manager), REPORTS, [report(project), report(other)])
        # other is not visible to the project manager of `project`: does not exist (400, as POST)
        assert response.status_code == 400
        assert response.json()["errors"][0]["row"] == 1
        response = post(api_for(member), REPORTS, [report(project)])
        assert response.status_code == 403
        assert StatusReport.objects.count() == 0


@pytest.mark.django_db
class TestTasks:
    @pytest.fixture
    def tasks(self, project):
        return [TaskFactory(project=project, name=f"T{n}") for n in range(3)]

    def test_progress_and_actual_dates_with_a_version_per_row(self, api_for, project_manager, tasks):
        start = timezone.make_aware(dt.datetime(2026, 1, 5, 9))
        rows = [
            {"id": tasks[0].pk, "version": 1, "percent_complete": "100", "actual_start": start.isoformat()},
            {"id": tasks[1].pk, "version": 1, "percent_complete": "40", "remaining_minutes": 960},
        ]
        response = post(api_for(project_manager), TASKS, rows)
        assert response.status_code == 200, response.json()
        assert [row["percent_complete"] for row in response.json()["results"]] == ["100.00", "40.00"]
        first, second = Task.objects.get(pk=tasks[0].pk), Task.objects.get(pk=tasks[1].pk)
        assert (first.version, first.actual_start, second.remaining_minutes) == (2, start, 960)
        assert AuditEntry.objects.filter(object_type="projects.task", action="update").count() == 2

    def test_a_stale_version_is_412_naming_the_row_and_nothing_is_written(self, api_for, project_manager, tasks):
        rows = [
            {"id": tasks[0].pk, "version": 1, "percent_complete": "10"},
            {"id": tasks[1].pk, "version": 7, "percent_complete": "20"},
        ]
        response = post(api_for(project_manager), TASKS, rows)
        assert response.status_code == 412
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "version")]
        assert set(Task.objects.values_list("version", flat=True)) == {1}

    def test_id_and_version_are_required(self, api_for, project_manager, tasks):
        response = post(api_for(project_manager), TASKS, [{"id": tasks[0].pk, "percent_complete": "10"}])
        assert response.status_code == 400
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(0, "version")]

    def test_a_bad_value_is_400_naming_row_and_field(self, api_for, project_manager, tasks):
        rows = [
            {"id": tasks[0].pk, "version": 1, "percent_complete": "10"},
            {"id": tasks[1].pk, "version": 1, "percent_complete": "140"},
        ]
        response = post(api_for(project_manager), TASKS, rows)
        assert response.status_code == 400
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "percent_complete")]
        assert set(Task.objects.values_list("percent_complete", flat=True)) == {Decimal(0)}

    def test_an_outsider_gets_404_and_a_reader_403(self, api_for, outsider, member, tasks):
        rows = [{"id": tasks[0].pk, "version": 1, "percent_complete": "10"}]
        response = post(api_for(outsider), TASKS, rows)
        assert response.status_code == 404
        assert response.json()["errors"][0]["row"] == 0
        assert post(api_for(member), TASKS, rows).status_code == 403
        assert set(Task.objects.values_list("version", flat=True)) == {1}

    def test_csv_rows(self, api_for, project_manager, tasks):
        body = f"id,version,percent_complete\n{tasks[0].pk},1,25\n{tasks[2].pk},1,75\n"
        response = api_for(project_manager).post(TASKS, body, content_type="text/csv")
        assert response.status_code == 200, response.json()
        assert Task.objects.get(pk=tasks[2].pk).percent_complete == Decimal("75")


@pytest.mark.django_db
class TestIdempotency:
    def test_a_retry_replays_the_answer_and_writes_nothing(self, api_for, owner, project, ref):
        client = api_for(owner)
        rows = [entry(project, ref, n) for n in range(2)]
        first = post(client, ENTRIES, rows, HTTP_IDEMPOTENCY_KEY="load-2026-02")
        again = post(client, ENTRIES, rows, HTTP_IDEMPOTENCY_KEY="load-2026-02")
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again[bulk.REPLAY_HEADER] == "true"
        assert bulk.REPLAY_HEADER not in first
        assert CostEntry.objects.count() == 2

    def test_the_same_key_with_another_body_is_422_naming_the_key(self, api_for, owner, project, ref):
        client = api_for(owner)
        post(client, ENTRIES, [entry(project, ref, 0)], HTTP_IDEMPOTENCY_KEY="k1")
        response = post(client, ENTRIES, [entry(project, ref, 1)], HTTP_IDEMPOTENCY_KEY="k1")
        assert response.status_code == 422
        assert "k1" in response.json()["detail"]
        assert CostEntry.objects.count() == 1

    def test_a_key_is_per_user_and_per_endpoint(self, api_for, owner, project_manager, project, ref):
        post(api_for(owner), ENTRIES, [entry(project, ref, 0)], HTTP_IDEMPOTENCY_KEY="k1")
        response = post(api_for(project_manager), ENTRIES, [entry(project, ref, 1)], HTTP_IDEMPOTENCY_KEY="k1")
        assert response.status_code == 201
        assert bulk.REPLAY_HEADER not in response
        assert post(api_for(owner), REPORTS, [report(project)], HTTP_IDEMPOTENCY_KEY="k1").status_code == 201

    def test_a_refused_request_keeps_no_key_so_the_corrected_one_applies(self, api_for, owner, project, ref):
        client = api_for(owner)
        bad = post(client, ENTRIES, [entry(project, ref, 0, amount="x")], HTTP_IDEMPOTENCY_KEY="k2")
        assert bad.status_code == 400
        assert not IdempotencyKey.objects.exists()

    def test_an_expired_key_applies_afresh_and_the_beat_task_prunes(self, api_for, owner, project, ref, settings):
        client = api_for(owner)
        post(client, ENTRIES, [entry(project, ref, 0)], HTTP_IDEMPOTENCY_KEY="old")
        IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
        assert idempotency_prune() == 1
        assert not IdempotencyKey.objects.exists()
        response = post(client, ENTRIES, [entry(project, ref, 1)], HTTP_IDEMPOTENCY_KEY="old")
        assert response.status_code == 201
        assert bulk.REPLAY_HEADER not in response

    def test_a_bad_key_is_400(self, api_for, owner, project, ref):
        response = post(api_for(owner), ENTRIES, [entry(project, ref, 0)], HTTP_IDEMPOTENCY_KEY="x" * 256)
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == bulk.IDEMPOTENCY_HEADER


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_apply_once(api_for, owner, project, monkeypatch):
    """Two threads, each with its own connection, send the same key and body. The first is
    held inside its write until the second is seen waiting on a lock (the key's unique index):
    the second must then replay the first's answer, not write again."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL not available")
    ref = reference_data()
    rows = [entry(project, ref, 0)]
    inside, release = threading.Event(), threading.Event()
    real_create = budget_services.cost_entry_create
    calls = []

    def held_create(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            inside.set()
            release.wait(timeout=30)
        return real_create(**kwargs)

    monkeypatch.setattr(budget_services, "cost_entry_create", held_create)
    results: dict[str, object] = {}
    failures: list[BaseException] = []

    def send(name):
        try:
            response = post(api_for(owner), ENTRIES, rows, HTTP_IDEMPOTENCY_KEY="same")
            results[name] = (response.status_code, response.get(bulk.REPLAY_HEADER), response.json())
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            failures.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert inside.wait(timeout=30)
    second = threading.Thread(target=send, args=("second",))
    second.start()
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)

    assert not failures, failures
    assert results["first"][:2] == (201, None)
    assert results["second"][:2] == (201, "true")
    assert results["second"][2] == results["first"][2]
    assert len(calls) == 1
    assert CostEntry.objects.count() == 1
