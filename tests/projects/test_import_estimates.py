"""Three-point estimates from a schedule file's custom fields: MSPDI ExtendedAttributes read,
listed in the import preview, mapped by the user (nothing unless chosen) and applied."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import ScheduleImport, Task
from projects.scheduling import read_mspdi
from projects.scheduling.custom_fields import EstimateMapping, custom_fields, task_estimates
from projects.scheduling.mspdi_model import ScheduleImportError
from projects.services.schedule_import import schedule_import_preview
from projects.services.schedule_io import ScheduleFileError, schedule_import

DATA = Path(__file__).parent / "data" / "mspdi"
FILE = "three-point-custom-fields.xml"
CODE = "MOD-ERP"
DURATION1, DURATION2, NUMBER1, TEXT1 = "188743783", "188743784", "188743767", "188743731"
HOUR = 60
DAY = 480


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def data() -> bytes:
    return (DATA / FILE).read_bytes()


def tasks(project) -> dict[str, Task]:
    return {t.name: t for t in Task.objects.filter(project=project)}


class TestReading:
    def test_custom_fields_are_listed_with_alias_kind_and_counts(self):
        fields = {f.name: f for f in custom_fields(read_mspdi(data()))}
        assert set(fields) == {"Duration1", "Duration2", "Number1", "Text1"}
        assert fields["Duration1"].alias == "Optimistic"
        assert fields["Duration1"].kind == "duration"
        assert fields["Duration1"].tasks == 3
        assert fields["Number1"].kind == "number"
        assert fields["Text1"].sample == "PERT"

    def test_values_in_working_minutes_and_days(self):
        document = read_mspdi(data())
        found = task_estimates(document, EstimateMapping(DURATION1, NUMBER1, TEXT1))
        assert found[2] == {
            "optimistic_minutes": 32 * HOUR,
            "pessimistic_minutes": 8 * DAY,
            "duration_distribution": "pert",
        }
        assert found[3]["pessimistic_minutes"] == int(15.5 * DAY)
        assert found[3]["duration_distribution"] == "uniform"
        assert 4 not in found  # Training carries nothing

    def test_nothing_mapped_reads_nothing(self):
        assert task_estimates(read_mspdi(data()), EstimateMapping()) == {}

    def test_unreadable_value_names_the_task_and_field(self):
        broken = data().replace(b"<Value>15.5</Value>", b"<Value>lots</Value>")
        with pytest.raises(ScheduleImportError, match=r"Task UID 3: custom field Number1 'lots'"):
            task_estimates(read_mspdi(broken), EstimateMapping(DURATION1, NUMBER1))
        bad = data().replace(b"<Value>Uniform</Value>", b"<Value>lognormal</Value>")
        with pytest.raises(ScheduleImportError, match="Text1"):
            task_estimates(read_mspdi(bad), EstimateMapping(distribution=TEXT1))


class TestImport:
    def test_default_import_takes_no_estimates(self, project, owner):
        schedule_import(actor=owner, data=data(), filename=FILE, project_code=project.code)
        assert not Task.objects.filter(project=project, optimistic_minutes__isnull=False).exists()

    def test_mapped_fields_give_the_estimates_summaries_excepted(self, project, owner):
        schedule_import(
            actor=owner,
            data=data(),
            filename=FILE,
            project_code=project.code,
            estimates=EstimateMapping(DURATION1, DURATION2, TEXT1),
        )
        by_name = tasks(project)
        design, build = by_name["Design"], by_name["Build"]
        assert (design.optimistic_minutes, design.duration_minutes, design.pessimistic_minutes) == (
            32 * HOUR,
            5 * DAY,
            8 * DAY,
        )
        assert design.duration_distribution == "pert"
        assert (build.optimistic_minutes, build.pessimistic_minutes, build.duration_distribution) == (
            9 * DAY,
            15 * DAY,
            "uniform",
        )
        assert by_name["Phase 1"].optimistic_minutes is None  # a summary's duration rolls up
        assert by_name["Training"].optimistic_minutes is None

    def test_estimate_outside_the_plan_refuses_the_import_naming_the_task(self, project, owner):
        # Number1 holds 8 days for Design (fine) but map it as the optimistic end: 8 d > 5 d planned.
        with pytest.raises(ScheduleFileError, match=r"Task UID 2 \(Design\): optimistic_minutes"):
            schedule_import(
                actor=owner,
                data=data(),
                filename=FILE,
                project_code=project.code,
                estimates=EstimateMapping(NUMBER1, DURATION2),
            )
        assert not Task.objects.filter(project=project).exists()

    def test_preview_lists_the_fields_and_counts_the_estimates(self, project, owner):
        preview = schedule_import_preview(actor=owner, project=project, data=data(), filename=FILE, replace=False)
        assert [f.name for f in preview.custom_fields] == ["Duration1", "Duration2", "Number1", "Text1"]
        assert preview.estimated_tasks == 0
        preview = schedule_import_preview(
            actor=owner,
            project=project,
            data=data(),
            filename=FILE,
            replace=False,
            estimates=EstimateMapping(DURATION1, DURATION2),
        )
        assert preview.estimated_tasks == 2
        assert not Task.objects.filter(project=project).exists()  # a preview writes nothing


class TestPages:
    def upload(self, client, project):
        project.planned_start = dt.date(2026, 3, 2)
        project.save()
        response = client.post(
            reverse("projects:schedule-import", args=[CODE]),
            {"file": SimpleUploadedFile(FILE, data(), content_type="application/xml"), "mode": "merge"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        return ScheduleImport.objects.get()

    def test_preview_offers_the_mapping_and_confirm_applies_it(self, project, owner, client_for):
        client = client_for(owner)
        job = self.upload(client, project)
        preview_url = reverse("projects:schedule-import-preview", args=[CODE, job.pk])
        page = client.get(preview_url)
        body = page.content.decode()
        assert "Three-point estimates from custom fields" in body
        assert "Optimistic (Duration1)" in body
        form = page.context["mapping_form"]
        assert [value for value, _ in form.fields["distribution_field"].choices] == ["", TEXT1]  # text fields only
        mapped = client.get(
            preview_url,
            {"optimistic_field": DURATION1, "pessimistic_field": DURATION2, "distribution_field": TEXT1},
        )
        assert mapped.status_code == 200
        assert mapped.context["preview"].estimated_tasks == 2
        assert f'name="optimistic_field" value="{DURATION1}"' in mapped.content.decode()
        confirm = reverse("projects:schedule-import-confirm", args=[CODE, job.pk])
        response = client.post(
            confirm,
            {
                "fingerprint": mapped.context["form"].initial["fingerprint"],
                "optimistic_field": DURATION1,
                "pessimistic_field": DURATION2,
                "distribution_field": TEXT1,
            },
        )
        assert response.status_code == 302
        assert tasks(project)["Design"].duration_distribution == "pert"
        assert tasks(project)["Build"].pessimistic_minutes == 15 * DAY

    def test_half_a_mapping_is_refused_on_the_field(self, project, owner, client_for):
        client = client_for(owner)
        job = self.upload(client, project)
        preview_url = reverse("projects:schedule-import-preview", args=[CODE, job.pk])
        response = client.get(preview_url, {"optimistic_field": DURATION1})
        assert response.status_code == 422
        assert response.context["mapping_form"].errors["pessimistic_field"]
        assert response.context["preview"].estimated_tasks == 0

    def test_mapping_that_does_not_read_shows_the_error_and_the_plain_preview(self, project, owner, client_for):
        client = client_for(owner)
        job = self.upload(client, project)
        preview_url = reverse("projects:schedule-import-preview", args=[CODE, job.pk])
        response = client.get(preview_url, {"optimistic_field": NUMBER1, "pessimistic_field": DURATION2})
        assert response.status_code == 422
        assert "Task UID 2 (Design)" in response.context["error"]
        assert response.context["preview"] is not None

    def test_confirm_without_mapping_takes_none(self, project, owner, client_for):
        client = client_for(owner)
        job = self.upload(client, project)
        preview = client.get(reverse("projects:schedule-import-preview", args=[CODE, job.pk]))
        confirm = reverse("projects:schedule-import-confirm", args=[CODE, job.pk])
        response = client.post(confirm, {"fingerprint": preview.context["form"].initial["fingerprint"]})
        assert response.status_code == 302
        assert not Task.objects.filter(project=project, optimistic_minutes__isnull=False).exists()


class TestApi:
    def upload(self, client, project):
        payload = {"file": SimpleUploadedFile(FILE, data(), content_type="application/xml")}
        response = client.post(f"/api/v1/projects/{project.pk}/schedule-import/", payload, format="multipart")
        assert response.status_code == 200, response.json()
        return response.json()

    def test_preview_lists_custom_fields_and_confirm_maps_them(self, api_for, owner, project):
        client = api_for(owner)
        preview = self.upload(client, project)
        assert {f["name"]: f["field_id"] for f in preview["custom_fields"]}["Duration1"] == DURATION1
        half = client.post(
            preview["confirm_url"],
            {"fingerprint": preview["fingerprint"], "optimistic_field": DURATION1},
            format="json",
        )
        assert half.status_code == 400
        assert [e["field"] for e in half.json()["errors"]] == ["pessimistic_field"]
        response = client.post(
            preview["confirm_url"],
            {"fingerprint": preview["fingerprint"], "optimistic_field": DURATION1, "pessimistic_field": DURATION2},
            format="json",
        )
        assert response.status_code in (200, 201), response.json()
        assert tasks(project)["Build"].optimistic_minutes == 9 * DAY
