"""Import uploads cannot exhaust a worker (issue 12, defect 1): linear header handling, limits
on columns, rows, cell size, shared strings, zip sizes and parse time checked while the file
streams, only people who may import reach the upload, a quota of unstarted uploads per person,
and abandoned uploads deleted. Small crafted files and small limits: nothing here is slow."""

import datetime as dt
import io
import os
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from budgets.imports import ImportFileError, ImportLimits, TabularFile, import_job_create, import_jobs_prune
from budgets.imports.files import _headers
from budgets.models import ImportJob

from .money_setup import reference_data

SMALL = ImportLimits(
    max_columns=5,
    max_rows=10,
    max_cell_chars=20,
    max_shared_strings=10,
    max_shared_strings_bytes=4096,
    max_unzipped_bytes=200_000,
    max_parse_seconds=60,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def reason(error: pytest.ExceptionInfo) -> str:
    return error.value.reason


def rows_of(table: TabularFile) -> list:
    return list(table.rows())


# -- headers -----------------------------------------------------------------------------------


class TestHeaders:
    def test_repeated_and_blank_headers_are_named_as_before(self):
        assert _headers(["Amount", "Amount", "Amount (2)", None, " ", "Amount"]) == [
            "Amount",
            "Amount (2)",
            "Amount (2) (2)",
            "Column D",
            "Column E",
            "Amount (3)",
        ]

    def test_2000_identical_headers_take_a_linear_number_of_probes(self):
        probes = [0]
        names = _headers(["Amount"] * 2000, probes=probes)
        assert len(set(names)) == 2000
        assert names[-1] == "Amount (2000)"
        # One candidate per column plus at most one passed over: the old loop tried 2,001,000.
        assert probes[0] <= 2 * 2000

    def test_suffixes_taken_in_advance_do_not_make_it_quadratic(self):
        values = [f"A ({n})" for n in range(2, 1002)] + ["A"] * 1000
        probes = [0]
        names = _headers(values, probes=probes)
        assert len(set(names)) == len(values)
        assert probes[0] <= 3 * len(values)


# -- CSV ---------------------------------------------------------------------------------------


def write(tmp_path, text: str, name="ledger.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class TestCsvLimits:
    def test_a_file_within_the_limits_reads(self, tmp_path):
        table = TabularFile(write(tmp_path, "a,b\n1,2\n3,4\n"), limits=SMALL)
        assert table.headers == ["a", "b"]
        assert rows_of(table) == [(2, ["1", "2"]), (3, ["3", "4"])]

    def test_too_many_columns_in_the_header(self, tmp_path):
        with pytest.raises(ImportFileError) as error:
            TabularFile(write(tmp_path, ",".join("abcdef") + "\n1\n"), limits=SMALL)
        assert reason(error) == "Row 1 has more than 5 columns."

    def test_too_many_columns_in_a_data_row(self, tmp_path):
        table = TabularFile(write(tmp_path, "a,b\n1,2\n1,2,3,4,5,6\n"), limits=SMALL)
        with pytest.raises(ImportFileError, match="Row 3 has more than 5 columns"):
            rows_of(table)

    def test_a_line_longer_than_any_row_may_be_stops_before_it_is_parsed(self, tmp_path):
        # 2,000,000 one-character columns on one line: refused after max_line_chars characters.
        path = write(tmp_path, "a," * 1_000_000 + "\n")
        with pytest.raises(ImportFileError) as error:
            TabularFile(path, limits=SMALL)
        assert reason(error) == f"Row 1 is longer than {SMALL.max_line_chars:,} characters."

    def test_too_many_rows(self, tmp_path):
        table = TabularFile(write(tmp_path, "a\n" + "1\n" * 11), limits=SMALL)
        with pytest.raises(ImportFileError, match="more than 10 rows"):
            rows_of(table)
        assert len(rows_of(TabularFile(write(tmp_path, "a\n" + "1\n" * 10), limits=SMALL))) == 10

    def test_a_cell_too_long(self, tmp_path):
        table = TabularFile(write(tmp_path, "a,b\n1," + "x" * 21 + "\n"), limits=SMALL)
        with pytest.raises(ImportFileError) as error:
            rows_of(table)
        assert reason(error) == "Row 2, column B: a cell holds more than 20 characters."

    def test_reading_stops_when_it_takes_too_long(self, tmp_path):
        ticks = iter(range(0, 10**6, 25))  # 25 seconds between two looks (one each 256 rows)
        table = TabularFile(
            write(tmp_path, "a\n" + "1\n" * 600), limits=ImportLimits(max_parse_seconds=60), clock=lambda: next(ticks)
        )
        with pytest.raises(ImportFileError, match="took longer than 60 seconds"):
            rows_of(table)

    def test_the_estimate_stops_at_the_row_limit(self, tmp_path):
        table = TabularFile(write(tmp_path, "a\n" + "1\n" * 50), limits=SMALL)
        assert table.estimate_rows() == 11


# -- XLSX --------------------------------------------------------------------------------------


def xlsx(tmp_path, rows, name="book.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def rezip(path, replace: dict[str, bytes]):
    """Rewrite the zip at `path` with some members' content replaced."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members.update(replace)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return path


class TestXlsxLimits:
    def test_a_workbook_within_the_limits_reads(self, tmp_path):
        table = TabularFile(xlsx(tmp_path, [["a", "b"], ["x", 2]]), limits=SMALL)
        assert rows_of(table) == [(2, ["x", 2])]

    # openpyxl writes inline strings, so the tests add a shared strings part as Excel writes it.
    def with_shared_strings(self, path, texts, *, part="xl/sharedStrings.xml", count=None):
        items = "".join(f"<si><t>{text}</t></si>" for text in texts)
        count = len(texts) if count is None else count
        sst = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{count}" uniqueCount="{count}">{items}</sst>'
        ).encode()
        with zipfile.ZipFile(path) as source:
            types = source.read("[Content_Types].xml").decode()
        override = (
            f'<Override PartName="/{part}" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        types = types.replace("</Types>", override + "</Types>")
        return rezip(path, {part: sst, "[Content_Types].xml": types.encode()})

    def test_too_many_shared_strings_stated_are_refused_before_loading(self, tmp_path):
        path = self.with_shared_strings(xlsx(tmp_path, [["a"], [1]]), ["x"], count=5_000_000)
        with pytest.raises(ImportFileError) as error:
            TabularFile(path, limits=SMALL)
        assert reason(error) == "The workbook holds more than 10 distinct texts (shared strings)."

    def test_a_shared_strings_part_under_another_name_is_found_by_its_content_type(self, tmp_path):
        path = self.with_shared_strings(xlsx(tmp_path, [["a"], [1]]), ["x"] * 11, part="xl/strings-elsewhere.xml")
        with pytest.raises(ImportFileError, match="more than 10 distinct texts"):
            TabularFile(path, limits=SMALL)

    def test_shared_strings_too_large(self, tmp_path):
        path = self.with_shared_strings(xlsx(tmp_path, [["a"], [1]]), ["x" * 5000])
        with pytest.raises(ImportFileError, match=r"shared strings\) take more than 4,096 bytes"):
            TabularFile(path, limits=SMALL)

    def test_a_few_shared_strings_read(self, tmp_path):
        path = self.with_shared_strings(xlsx(tmp_path, [["a"], [1]]), ["x", "y"])
        assert TabularFile(path, limits=SMALL).headers == ["a"]

    def test_a_zip_member_that_unpacks_too_large_is_a_bomb(self, tmp_path):
        path = rezip(xlsx(tmp_path, [["a"], [1]]), {"xl/media/padding.bin": b"\0" * 300_000})
        with pytest.raises(ImportFileError, match=r"unpacks to more than 200,000 bytes \(its zip member"):
            TabularFile(path, limits=SMALL)

    def test_a_sheet_claiming_a_huge_size_is_not_padded_to_it(self, tmp_path):
        path = xlsx(tmp_path, [["a", "b"], [1, 2]])
        with zipfile.ZipFile(path) as source:
            sheet = source.read("xl/worksheets/sheet1.xml").replace(b'ref="A1:B2"', b'ref="A1:XFD1048576"')
        rezip(path, {"xl/worksheets/sheet1.xml": sheet})
        assert rows_of(TabularFile(path, limits=SMALL)) == [(2, [1, 2])]

    def test_cells_far_to_the_right_are_too_many_columns(self, tmp_path):
        workbook = Workbook()
        workbook.active["A1"] = "a"
        workbook.active["Z2"] = "far"
        path = tmp_path / "wide.xlsx"
        workbook.save(path)
        table = TabularFile(path, limits=SMALL)
        with pytest.raises(ImportFileError, match="Row 2 has more than 5 columns"):
            rows_of(table)


# -- who may upload, the quota, the clean-up --------------------------------------------------


def upload(size_rows=1, name="ledger.csv"):
    text = "Posting Date,Amount\n" + "2026-01-05,10\n" * size_rows
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.mark.django_db
class TestWhoMayUpload:
    def test_a_user_without_a_finance_role_gets_404_on_the_upload_page(self, client_for, project, member):
        client = client_for(member)
        url = reverse("budgets:import-new", args=["actuals"])
        assert client.get(url).status_code == 404
        assert client.post(url, {"file": upload()}).status_code == 404
        assert not ImportJob.objects.exists()

    def test_the_api_refuses_upload_and_preview_with_403_and_stores_nothing(self, api_for, project, member):
        client = api_for(member)
        for url in ("/api/v1/imports/", "/api/v1/imports/preview/"):
            response = client.post(url, {"file": upload(), "kind": "actuals"})
            assert response.status_code == 403, response.content
            assert "finance role" in response.json()["detail"]
        assert not ImportJob.objects.exists()

    def test_the_service_refuses_too(self, project, member):
        with pytest.raises(PermissionDenied):
            import_job_create(user=member, kind="actuals", upload=upload())

    def test_someone_with_a_finance_role_reaches_the_page(self, client_for, project, owner):
        assert client_for(owner).get(reverse("budgets:import-new", args=["actuals"])).status_code == 200


@pytest.mark.django_db
class TestQuota:
    def test_the_count_of_unstarted_uploads_is_limited(self, project, owner, settings):
        reference_data()
        settings.KEEL_IMPORT_MAX_PENDING_UPLOADS = 2
        import_job_create(user=owner, kind="actuals", upload=upload())
        import_job_create(user=owner, kind="actuals", upload=upload())
        with pytest.raises(ValidationError) as error:
            import_job_create(user=owner, kind="actuals", upload=upload())
        assert "2 uploaded files that were never imported (at most 2)" in error.value.message_dict["file"][0]
        assert ImportJob.objects.count() == 2
        # A started import no longer counts.
        ImportJob.objects.filter(pk=ImportJob.objects.first().pk).update(queued_at=timezone.now())
        import_job_create(user=owner, kind="actuals", upload=upload())

    def test_the_bytes_of_unstarted_uploads_are_limited(self, project, owner, settings):
        reference_data()
        first = upload(10)
        settings.KEEL_IMPORT_MAX_PENDING_BYTES = first.size + 30
        import_job_create(user=owner, kind="actuals", upload=first)
        with pytest.raises(ValidationError, match="would pass"):
            import_job_create(user=owner, kind="actuals", upload=upload(10))

    def test_an_upload_past_the_size_limit(self, project, owner, settings):
        settings.KEEL_IMPORT_MAX_UPLOAD_BYTES = 10
        with pytest.raises(ValidationError, match="larger than 0 MB"):
            import_job_create(user=owner, kind="actuals", upload=upload())


@pytest.mark.django_db
class TestPrune:
    def test_abandoned_uploads_are_deleted_and_finished_files_removed(self, project, owner, settings):
        reference_data()
        old = timezone.now() - dt.timedelta(hours=30)
        abandoned = import_job_create(user=owner, kind="actuals", upload=upload())
        recent = import_job_create(user=owner, kind="actuals", upload=upload())
        finished = import_job_create(user=owner, kind="actuals", upload=upload())
        ImportJob.objects.filter(pk=abandoned.pk).update(created_at=old)
        ImportJob.objects.filter(pk=finished.pk).update(
            created_at=old, queued_at=old, finished_at=old, status=ImportJob.Status.DONE
        )
        abandoned_path, finished_path = abandoned.file.path, finished.file.path

        assert import_jobs_prune(hours=24) == (1, 2)

        assert not ImportJob.objects.filter(pk=abandoned.pk).exists()
        assert ImportJob.objects.get(pk=finished.pk).file.name == ""
        assert ImportJob.objects.get(pk=recent.pk).file.name != ""
        assert not os.path.exists(abandoned_path)
        assert not os.path.exists(finished_path)
        assert os.path.exists(recent.file.path)

    def test_the_command_and_the_beat_job(self, project, owner, settings):
        from budgets.tasks import imports_prune
        from config.celery import app

        reference_data()
        job = import_job_create(user=owner, kind="actuals", upload=upload())
        ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
        out = io.StringIO()
        call_command("prune_imports", "--hours", "5", stdout=out)
        assert "Deleted 0 abandoned" in out.getvalue()
        settings.KEEL_IMPORT_ABANDONED_HOURS = 2
        assert imports_prune() == [1, 1]
        assert any(e["task"] == "budgets.imports_prune" for e in app.conf.beat_schedule.values())
