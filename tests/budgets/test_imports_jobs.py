"""Import jobs end to end: the Celery task (eager, as in the embedded default), the job API,
the HTML pages and the management commands."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from budgets import tasks
from budgets.imports import import_job_create, import_job_enqueue, import_job_run
from budgets.imports.jobs import _ProgressWriter, import_job_preview
from budgets.models import BudgetLine, CostEntry, ImportJob
from tests.factories.projects import ProjectFactory

from .money_setup import ACTUALS_HEADER, ledger_row, reference_data, write_csv, write_xlsx


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """With DEBUG off the settings pick the manifest static storage, which needs collectstatic;
    the pages only need a URL for the stylesheet."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def ref(db):
    return reference_data()


def csv_upload(rows, name="ledger.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACTUALS_HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def good_rows(count=5):
    return [ledger_row(n) for n in range(1, count + 1)]


@pytest.mark.django_db
class TestJobService:
    def test_a_new_job_stores_the_file_and_proposes_the_mapping(self, project, ref, owner, settings):
        job = import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows()))
        assert job.status == ImportJob.Status.PENDING
        assert job.mapping["external_ref"] == "Document No"
        assert job.default_source == "ledger"
        assert job.file.path.startswith(str(settings.MEDIA_ROOT / "imports"))

    def test_a_wrong_mapping_is_refused_before_anything_is_stored(self, project, ref, owner, settings):
        with pytest.raises(ValidationError) as caught:
            import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows()), mapping={"date": "When"})
        assert "mapping" in caught.value.message_dict
        assert not ImportJob.objects.exists()
        assert not list((settings.MEDIA_ROOT / "imports").rglob("*.csv"))

    def test_the_task_runs_in_eager_mode_after_commit(self, project, ref, owner, django_capture_on_commit_callbacks):
        job = import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows(7)))
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            import_job_enqueue(job=job)
        # The job's own enqueue, then the one the import registers as it commits: the roll-up
        # notification of the project it touched (core.changes, once per import), whose eager
        # recompute then marks the program and the portfolio (one callback each).
        assert len(callbacks) == 4
        from core.changes import current_versions
        from reporting.models import ProjectRollup

        rollup = ProjectRollup.objects.get(project=project)
        assert rollup.input_version == current_versions("project", [project.pk])[project.pk]
        assert rollup.ac is not None
        job.refresh_from_db()
        assert (job.status, job.total_rows, job.processed_rows, job.created_count, job.percent) == (
            "done",
            7,
            7,
            7,
            100,
        )
        assert job.queued_at <= job.started_at <= job.finished_at
        assert CostEntry.objects.count() == 7

    def test_the_task_is_idempotent(self, project, ref, owner):
        job = import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows(3)))
        assert tasks.actuals_import_run.delay(job.pk).get() == "done"
        assert tasks.actuals_import_run.delay(job.pk).get() == "skipped"  # finished: nothing to do
        assert CostEntry.objects.count() == 3

    def test_a_job_whose_worker_is_alive_is_not_run_twice(self, project, ref, owner):
        job = import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows(3)))
        ImportJob.objects.filter(pk=job.pk).update(status="importing")
        assert import_job_run(job_id=job.pk) == "skipped"
        ImportJob.objects.filter(pk=job.pk).update(updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        assert import_job_run(job_id=job.pk) == "done"  # its worker died: run it again

    def test_a_bad_file_fails_the_job_with_the_report_and_writes_nothing(self, project, ref, owner):
        rows = good_rows(20)
        rows[15]["Amount"] = "abc"
        job = import_job_create(user=owner, kind="actuals", upload=csv_upload(rows))
        assert import_job_run(job_id=job.pk) == "failed"
        job.refresh_from_db()
        assert (job.error_count, job.created_count, job.total_rows) == (1, 0, 20)
        assert job.errors == [
            {
                "row": 17,
                "field": "amount",
                "column": "Amount",
                "message": "'abc' is not a number",
                "text": "row 17, column “Amount”: 'abc' is not a number",
            }
        ]
        assert not CostEntry.objects.exists()

    def test_a_budget_job(self, project, ref, owner, tmp_path):
        header = ["Project", "Category", "Fiscal Year", "Period", "Amount"]
        path = write_xlsx(
            tmp_path / "budget.xlsx", [["MOD-ERP", "LAB", 2026, n, 100 * n] for n in range(1, 13)], header
        )
        upload = SimpleUploadedFile("budget.xlsx", path.read_bytes())
        job = import_job_create(user=owner, kind="budget", upload=upload)
        assert tasks.budget_import_run.delay(job.pk).get() == "done"
        assert BudgetLine.objects.count() == 12
        job2 = import_job_create(user=owner, kind="budget", upload=SimpleUploadedFile("b.xlsx", path.read_bytes()))
        import_job_run(job_id=job2.pk)
        job2.refresh_from_db()
        assert (job2.created_count, job2.updated_count, job2.skipped_count) == (0, 0, 12)


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_into_the_job_row_while_it_validates(project, ref, owner, monkeypatch):
    """Outside a test transaction, as in production: the row moves every chunk."""
    monkeypatch.setattr("budgets.imports.engine.CHUNK_ROWS", 10)
    job = import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows(35)))
    seen = []
    original = _ProgressWriter.__call__

    def spy(self, phase, processed, total):
        original(self, phase, processed, total)
        seen.append(ImportJob.objects.values_list("status", "processed_rows", "total_rows").get(pk=job.pk))

    monkeypatch.setattr(_ProgressWriter, "__call__", spy)
    assert import_job_run(job_id=job.pk) == "done"
    validating = [row for row in seen if row[0] == "validating"]
    assert validating == [("validating", n, 35) for n in (0, 10, 20, 30, 35)]
    if connection.vendor == "postgresql":
        # Written through a second connection, so visible while the import's transaction is open.
        assert [row for row in seen if row[0] == "importing"] == [("importing", n, 35) for n in (0, 10, 20, 30, 35)]
    assert ImportJob.objects.get(pk=job.pk).processed_rows == 35


@pytest.mark.django_db
class TestImportApi:
    def test_upload_queues_the_job_and_the_job_reports_its_progress(
        self, api_for, project, ref, owner, django_capture_on_commit_callbacks
    ):
        client = api_for(owner)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/imports/", {"file": csv_upload(good_rows(4)), "kind": "actuals"})
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["kind"], body["status"], body["mapping"]["amount"]) == ("actuals", "pending", "Amount")

        job = client.get(f"/api/v1/imports/{body['id']}/").json()

        assert (job["status"], job["percent"], job["total_rows"], job["created_count"]) == ("done", 100, 4, 4)
        assert job["errors"] == []
        assert [row["id"] for row in client.get("/api/v1/imports/").json()["results"]] == [body["id"]]

    def test_a_failed_job_lists_its_row_errors(self, api_for, project, ref, owner, django_capture_on_commit_callbacks):
        rows = good_rows(3)
        rows[1]["Posting Date"] = "yesterday"
        with django_capture_on_commit_callbacks(execute=True):
            created = api_for(owner).post("/api/v1/imports/", {"file": csv_upload(rows), "kind": "actuals"}).json()
        job = api_for(owner).get(f"/api/v1/imports/{created['id']}/").json()
        assert job["status"] == "failed"
        assert [e["text"] for e in job["errors"]] == [
            "row 3, column “Posting Date”: 'yesterday' is not a date (YYYY-MM-DD)"
        ]

    def test_mapping_is_json_and_checked(self, api_for, project, ref, owner):
        client = api_for(owner)
        payload = {"file": csv_upload(good_rows(1)), "kind": "actuals", "mapping": json.dumps({"date": "Nope"})}
        response = client.post("/api/v1/imports/", payload)
        assert response.status_code == 400
        assert {e["field"] for e in response.json()["errors"]} == {"mapping"}

    def test_unreadable_file_is_400_on_file(self, api_for, project, ref, owner):
        upload = SimpleUploadedFile("ledger.pdf", b"%PDF-1.4")
        response = api_for(owner).post("/api/v1/imports/", {"file": upload, "kind": "actuals"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "file"

    def test_other_peoples_jobs_are_404(self, api_for, project, ref, owner, member):
        job = import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows(1)))
        assert api_for(member).get(f"/api/v1/imports/{job.pk}/").status_code == 404
        assert api_for(member).get("/api/v1/imports/").json()["results"] == []
        assert api_for(None).get(f"/api/v1/imports/{job.pk}/").status_code == 401

    def test_preview_proposes_a_mapping_and_shows_row_errors_without_storing(self, api_for, project, ref, owner):
        rows = good_rows(3)
        rows[2]["Cost Category"] = "ZZZ"
        response = api_for(owner).post("/api/v1/imports/preview/", {"file": csv_upload(rows), "kind": "actuals"})
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["mapping"]["project"] == "Project Code"
        assert body["mapping_errors"] == []
        assert [row["note"] for row in body["rows"][:2]] == ["new", "new"]
        assert [e["text"] for e in body["rows"][2]["errors"]] == [
            "row 4, column “Cost Category”: no cost category has the code 'ZZZ'"
        ]
        assert not ImportJob.objects.exists()

    def test_preview_with_an_incomplete_mapping_lists_what_is_missing(self, api_for, project, ref, owner):
        upload = csv_upload(good_rows(1))
        response = api_for(owner).post(
            "/api/v1/imports/preview/",
            {"file": upload, "kind": "actuals", "mapping": json.dumps({"date": "Posting Date"})},
        )
        body = response.json()
        assert body["rows"] == []
        assert any("amount" in message for message in body["mapping_errors"])


@pytest.mark.django_db
class TestImportPages:
    def test_upload_map_preview_confirm_and_watch(
        self, client_for, project, ref, owner, django_capture_on_commit_callbacks
    ):
        client = client_for(owner)
        assert client.get("/imports/actuals/new/").status_code == 200
        rows = good_rows(3)
        response = client.post("/imports/actuals/new/", {"file": csv_upload(rows), "source": "ledger"})
        job = ImportJob.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/imports/{job.pk}/mapping/"

        page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
        assert '<option value="Document No" selected>' in page  # prefilled with the proposal

        form = {f"field_{name}": column for name, column in job.mapping.items()} | {"source": "ledger"}
        form["field_description"] = ""
        response = client.post(f"/imports/{job.pk}/mapping/", form)
        assert response["Location"] == f"/imports/{job.pk}/preview/"
        job.refresh_from_db()
        assert "description" not in job.mapping

        preview = client.get(f"/imports/{job.pk}/preview/")
        assert preview.status_code == 200
        assert preview.context["bad_rows"] == 0
        assert [row["number"] for row in preview.context["rows"]] == [2, 3, 4]

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/imports/{job.pk}/start/")
        assert response["Location"] == f"/imports/{job.pk}/"
        detail = client.get(f"/imports/{job.pk}/").content.decode()
        assert "Created" in detail
        assert 'hx-trigger="every 1s"' not in detail  # done: the page stops polling
        assert CostEntry.objects.count() == 3

    def test_preview_shows_row_errors_and_cannot_be_confirmed(self, client_for, project, ref, owner):
        rows = good_rows(3)
        rows[0]["Amount"] = "abc"
        client = client_for(owner)
        client.post("/imports/actuals/new/", {"file": csv_upload(rows), "source": "ledger"})
        job = ImportJob.objects.get()
        page = client.get(f"/imports/{job.pk}/preview/")
        assert page.context["bad_rows"] == 1
        assert "row 2, column “Amount”: &#x27;abc&#x27; is not a number" in page.content.decode()

    def test_a_running_job_polls_every_second(self, client_for, project, ref, owner):
        job = import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows(1)))
        ImportJob.objects.filter(pk=job.pk).update(
            status="validating", processed_rows=40, total_rows=100, queued_at=dt.datetime.now(dt.UTC)
        )
        fragment = client_for(owner).get(f"/imports/{job.pk}/progress/").content.decode()
        assert 'hx-trigger="every 1s"' in fragment
        assert '<progress max="100" value="40"' in fragment

    def test_a_failed_job_shows_the_error_report(self, client_for, project, ref, owner):
        rows = good_rows(2)
        rows[1]["Project Code"] = "NOPE"
        job = import_job_create(user=owner, kind="actuals", upload=csv_upload(rows))
        import_job_run(job_id=job.pk)
        page = client_for(owner).get(f"/imports/{job.pk}/").content.decode()
        assert "Nothing was imported." in page
        assert "row 3, column “Project Code”: no project you can see has the code &#x27;NOPE&#x27;" in page

    def test_other_peoples_jobs_are_404(self, client_for, project, ref, owner, member):
        job = import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows(1)))
        for url in ("", "mapping/", "preview/", "progress/"):
            assert client_for(member).get(f"/imports/{job.pk}/{url}").status_code == 404
        assert client_for(member).post(f"/imports/{job.pk}/start/").status_code == 404


@pytest.mark.django_db
class TestCommands:
    def test_import_actuals_loads_20000_rows_and_a_second_run_adds_nothing(self, tmp_path, program, ref):
        projects = [ProjectFactory(program=program, code=f"MOD-{n}") for n in range(5)]
        path = tmp_path / "ledger.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Posting Date", "Amount", "Cost Category", "Project Code", "Document No"])
            for n in range(20_000):
                writer.writerow(["2026-03-01", f"{n}.25", "LAB", projects[n % 5].code, f"GL-{n}"])
        out = io.StringIO()

        call_command("import_actuals", str(path), "--quiet-progress", stdout=out, stderr=io.StringIO())

        assert CostEntry.objects.count() == 20_000
        assert "20,000 rows, 20,000 created, 0 skipped" in out.getvalue()
        assert "rows/s" in out.getvalue()
        assert CostEntry.objects.filter(project=projects[0]).count() == 4_000

        out = io.StringIO()
        call_command("import_actuals", str(path), "--quiet-progress", stdout=out, stderr=io.StringIO())
        assert "0 created, 20,000 skipped" in out.getvalue()
        assert CostEntry.objects.count() == 20_000

    def test_import_actuals_with_a_bad_row_lists_it_and_imports_nothing(self, tmp_path, project, ref):
        rows = good_rows(3)
        rows[2]["Amount"] = "abc"
        path = write_csv(tmp_path / "gl.csv", rows)
        err = io.StringIO()
        mapping = json.dumps(
            {
                "date": "Posting Date",
                "amount": "Amount",
                "category": "Cost Category",
                "project": "Project Code",
                "external_ref": "Document No",
            }
        )
        with pytest.raises(CommandError, match="1 problem"):
            call_command("import_actuals", str(path), "--mapping", mapping, "--source", "timesheet", stderr=err)
        assert "row 4, column “Amount”: 'abc' is not a number" in err.getvalue()
        assert not CostEntry.objects.exists()

    def test_import_actuals_refuses_an_unknown_source(self, tmp_path, project, ref):
        path = write_csv(tmp_path / "gl.csv", good_rows(1))
        with pytest.raises(CommandError, match="source"):
            call_command("import_actuals", str(path), "--source", "fax", stderr=io.StringIO())

    def test_import_budget(self, tmp_path, project, ref):
        header = ["Project", "Category", "Fiscal Year", "Period", "Amount", "Version"]
        rows = [["MOD-ERP", "LAB", 2026, n, 1000, "original"] for n in range(1, 13)]
        path = write_xlsx(tmp_path / "budget.xlsx", rows, header)
        out = io.StringIO()
        call_command("import_budget", str(path), stdout=out, stderr=io.StringIO())
        assert "12 created, 0 updated, 0 skipped" in out.getvalue()
        assert BudgetLine.objects.filter(budget_version="original").count() == 12


@pytest.mark.django_db
def test_the_import_list_shows_only_your_jobs(client_for, project, ref, owner, project_manager):
    mine = import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows(1), name="mine.csv"))
    import_job_create(user=project_manager, kind="actuals", upload=csv_upload(good_rows(1), name="theirs.csv"))
    page = client_for(owner).get("/imports/")
    assert page.status_code == 200
    assert [job.pk for job in page.context["page"].object_list] == [mine.pk]
    assert "theirs.csv" not in page.content.decode()


@pytest.mark.django_db
def test_an_import_works_on_a_storage_without_local_paths(project, ref, owner, settings):
    """With KEEL_STORAGE=s3 the stored upload has no path on this machine: the job reads a copy."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    job = import_job_create(user=owner, kind="actuals", upload=csv_upload(good_rows(3)))
    assert not Path(job.file.path).exists()  # the premise: nothing of it on this machine's disk
    assert len(import_job_preview(job=job).rows) == 3
