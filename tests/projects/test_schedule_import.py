"""Schedule import: upload -> preview -> confirm, on the pages and in the services.

The preview is computed without writing and says what the confirmed import does; replace
deletes nothing until it is explicitly confirmed; merge keeps the plan's numbering and the
file's dates; a stale preview is refused; errors are shown once, at the top, and a malformed
.xml never talks about Java."""

import dataclasses
import datetime as dt
import html
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Dependency, Project, ScheduleImport, Task
from projects.scheduling import read_mspdi, write_mspdi
from projects.services.schedule import dependency_create, schedule_recompute, task_create, task_update
from projects.services.schedule_import import (
    PLAN_CHANGED,
    schedule_import_confirm,
    schedule_import_preview,
    schedule_import_upload,
)
from projects.services.schedule_io import ScheduleFileError, schedule_export_mspdi, schedule_import

DAY = 480
DATA = Path(__file__).parent / "data" / "mspdi"
CODE = "MOD-ERP"
PAGE = reverse("projects:schedule", args=[CODE])
UPLOAD = reverse("projects:schedule-import", args=[CODE])
SAMPLE = "mspdirelations.xml"


def preview_url(job):
    return reverse("projects:schedule-import-preview", args=[CODE, job.pk])


def confirm_url(job):
    return reverse("projects:schedule-import-confirm", args=[CODE, job.pk])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan(project, owner):
    """A live plan of Keel's own tasks (no file UIDs): Phase 1 (Design 5d -> Build 10d),
    Training 3d, Design half done. Starts Monday 2026-03-02."""
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    phase = task_create(actor=owner, project=project, name="Phase 1", duration_minutes=0)
    design = task_create(actor=owner, project=project, name="Design", duration_minutes=5 * DAY, parent=phase)
    build = task_create(actor=owner, project=project, name="Build", duration_minutes=10 * DAY, parent=phase)
    task_create(actor=owner, project=project, name="Training", duration_minutes=3 * DAY)
    dependency_create(actor=owner, predecessor=design, successor=build)
    Task.objects.filter(pk=design.pk).update(percent_complete=50, actual_start=design.start)
    schedule_recompute(project=project)
    return {t.name: t for t in Task.objects.filter(project=project)}


def sample_bytes() -> bytes:
    return (DATA / SAMPLE).read_bytes()


def revised_sample() -> tuple[bytes, dict]:
    """The sample with its last task dropped, the first work task lengthened by 5 days and a
    new task added: what was done, for the assertions."""
    document = read_mspdi(sample_bytes())
    work = [t for t in document.tasks if t.uid and not t.is_summary]
    longer, dropped = work[0], work[-1]
    tasks = []
    for t in document.tasks:
        if t.uid == dropped.uid:
            continue
        if t.uid == longer.uid:
            t = dataclasses.replace(t, duration=t.duration + dt.timedelta(hours=40))
        tasks.append(
            dataclasses.replace(t, predecessors=tuple(p for p in t.predecessors if p.predecessor_uid != dropped.uid))
        )
    new_uid = max(t.uid for t in document.tasks) + 1
    tasks.append(dataclasses.replace(work[0], uid=new_uid, id=new_uid, name="Brand new task", predecessors=()))
    data = write_mspdi(dataclasses.replace(document, tasks=tuple(tasks)))
    return data, {"longer": longer, "dropped": dropped, "new_uid": new_uid}


def upload(client, data: bytes = b"", *, name: str = SAMPLE, mode: str = "merge", follow: bool = False):
    file = SimpleUploadedFile(name, data or sample_bytes())
    return client.post(UPLOAD, {"file": file, "mode": mode}, follow=follow)


# --- the preview ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestPreview:
    def test_preview_lists_added_changed_removed_and_the_finish_before_and_after(self, project, project_manager):
        schedule_import(actor=None, data=sample_bytes(), filename=SAMPLE, project_code=CODE, replace=True)
        data, what = revised_sample()
        before_rows = {t.external_ref: (t.pk, t.version) for t in Task.objects.filter(project=project)}
        finish_before = Project.objects.get(pk=project.pk).forecast_finish

        preview = schedule_import_preview(
            actor=project_manager, project=project, data=data, filename="r.xml", replace=True
        )

        # Nothing was written.
        assert {t.external_ref: (t.pk, t.version) for t in Task.objects.filter(project=project)} == before_rows
        assert Project.objects.get(pk=project.pk).forecast_finish == finish_before
        assert [t.name for t in preview.added] == ["Brand new task"]
        assert [t.name for t in preview.removed] == [what["dropped"].name]
        [changed] = [c for c in preview.changed if c.task.ref == str(what["longer"].uid)]
        [duration] = [f for f in changed.changes if f.label == "Duration"]
        assert (duration.old, duration.new) == (
            f"{what['longer'].duration.total_seconds() / 3600 / 8:g} d",
            f"{what['longer'].duration.total_seconds() / 3600 / 8 + 5:g} d",
        )
        assert any(m.task.ref == str(what["longer"].uid) and m.new_finish > m.old_finish for m in preview.moved)
        assert preview.finish_before == finish_before

        # Confirming does what the preview said.
        schedule_import(actor=None, data=data, filename="r.xml", project_code=CODE, replace=True)
        project.refresh_from_db()
        assert preview.finish_after == project.forecast_finish
        assert preview.finish_after > preview.finish_before
        refs = set(Task.objects.filter(project=project).values_list("external_ref", flat=True))
        assert str(what["new_uid"]) in refs
        assert str(what["dropped"].uid) not in refs

    def test_reimporting_the_same_file_previews_no_change(self, project, project_manager):
        schedule_import(actor=None, data=sample_bytes(), filename=SAMPLE, project_code=CODE, replace=True)
        preview = schedule_import_preview(
            actor=project_manager, project=project, data=sample_bytes(), filename=SAMPLE, replace=False
        )
        assert preview.changes_nothing
        assert preview.unchanged_tasks == Task.objects.filter(project=project).count()

    def test_replace_preview_says_what_is_lost_with_removed_tasks(self, plan, project, project_manager):
        preview = schedule_import_preview(
            actor=project_manager, project=project, data=sample_bytes(), filename=SAMPLE, replace=True
        )
        assert {t.name for t in preview.removed} == set(plan)
        assert preview.removed_with_progress == 1
        assert Task.objects.filter(project=project).count() == len(plan)


# --- replace needs an explicit confirmation -------------------------------------------------------


@pytest.mark.django_db
class TestReplace:
    def test_replace_upload_and_preview_delete_nothing_and_nothing_is_preselected(
        self, client_for, project_manager, plan, project
    ):
        client = client_for(project_manager)
        form_page = client.get(UPLOAD).content.decode()
        assert re.search(r'<input[^>]*value="replace"[^>]*checked', form_page) is None
        response = upload(client, mode="replace")
        job = ScheduleImport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == preview_url(job)
        page = client.get(preview_url(job))
        assert page.status_code == 200
        body = page.content.decode()
        assert f"{len(plan)} tasks of the plan are deleted" in body
        assert "progress, and the earned value it gives, is lost" in body
        assert 'name="confirm_replace"' in body
        assert re.search(r'<input[^>]*name="confirm_replace"[^>]*checked', body) is None
        assert set(Task.objects.filter(project=project).values_list("name", flat=True)) == set(plan)

    def test_replace_without_the_confirmation_box_deletes_nothing(self, client_for, project_manager, plan, project):
        client = client_for(project_manager)
        upload(client, mode="replace")
        job = ScheduleImport.objects.get()
        fingerprint = client.get(preview_url(job)).context["preview"].fingerprint
        response = client.post(confirm_url(job), {"fingerprint": fingerprint})
        assert response.status_code == 422
        assert "Tick the box to confirm" in response.content.decode()
        assert {t.name: t.version for t in Task.objects.filter(project=project)} == {
            name: t.version for name, t in plan.items()
        }
        job.refresh_from_db()
        assert job.applied_at is None

    def test_confirmed_replace_makes_the_file_the_plan(self, client_for, project_manager, plan, project):
        client = client_for(project_manager)
        upload(client, mode="replace")
        job = ScheduleImport.objects.get()
        fingerprint = client.get(preview_url(job)).context["preview"].fingerprint
        response = client.post(confirm_url(job), {"fingerprint": fingerprint, "confirm_replace": "on"}, follow=True)
        assert response.redirect_chain[-1] == (PAGE, 302)
        names = set(Task.objects.filter(project=project).values_list("name", flat=True))
        assert not names & set(plan)
        assert names == {t.name for t in read_mspdi(sample_bytes()).tasks if t.uid}


# --- merge ------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestMerge:
    def test_merge_keeps_the_plan_numbering_and_uses_the_file_dates(self, project_manager, plan, project):
        # The file starts years after the plan: its tasks keep the file's dates, not the plan's start.
        document = read_mspdi(sample_bytes())
        moved = dt.timedelta(days=28 * 10)
        data = write_mspdi(
            dataclasses.replace(
                document,
                project=dataclasses.replace(document.project, start_date=document.project.start_date + moved),
                tasks=tuple(
                    dataclasses.replace(
                        t,
                        computed=dataclasses.replace(
                            t.computed, start=t.computed.start + moved, finish=t.computed.finish + moved
                        ),
                    )
                    if t.computed.start
                    else t
                    for t in document.tasks
                ),
            )
        )
        project.planned_start = dt.date(2006, 1, 2)
        project.save()
        schedule_recompute(project=project)
        numbering = {
            t.pk: (t.outline_number, t.wbs, t.sort_order, t.parent_id) for t in Task.objects.filter(project=project)
        }
        job = schedule_import_upload(
            user=project_manager, project=project, upload=SimpleUploadedFile("later.xml", data), replace=False
        )
        fingerprint = schedule_import_preview(
            actor=project_manager, project=project, data=data, filename="later.xml", replace=False
        ).fingerprint
        schedule_import_confirm(job=job, actor=project_manager, fingerprint=fingerprint)

        after = {t.pk: t for t in Task.objects.filter(project=project)}
        assert {
            pk: (t.outline_number, t.wbs, t.sort_order, t.parent_id) for pk, t in after.items() if pk in numbering
        } == numbering
        project.refresh_from_db()
        assert project.planned_start == dt.date(2006, 1, 2)  # the plan's start stays
        imported = {t.external_ref: t for t in after.values() if t.external_ref}
        file_tasks = [t for t in read_mspdi(data).tasks if t.uid and not t.is_summary]
        assert imported
        for source in file_tasks:
            row = imported[str(source.uid)]
            assert row.start.replace(tzinfo=None) == source.computed.start, source.name
            assert row.start.date() != dt.date.today()
        # New tasks come after the plan's, numbered from its outline.
        assert max(int(numbering[pk][0].split(".")[0]) for pk in numbering) < min(
            int(t.outline_number.split(".")[0]) for t in imported.values()
        )

    def test_preview_says_why_imported_tasks_leave_the_file_dates(self, project_manager, plan, project):
        # The plan's status date is years after the file's dates: unstarted work cannot go before it.
        project.planned_start, project.status_date = dt.date(2006, 1, 2), dt.date(2026, 11, 27)
        project.save()
        preview = schedule_import_preview(
            actor=project_manager, project=project, data=sample_bytes(), filename=SAMPLE, replace=False
        )
        assert preview.added
        assert all(t.off_file_dates and t.file_start.year == 2006 for t in preview.added)
        assert all(t.start.date() > dt.date(2026, 11, 27) for t in preview.added)
        [note] = preview.notes
        assert note.startswith(
            f"{len(preview.added)} tasks from the file start before the plan's status date (27 Nov 2026)"
        )

    def test_an_exported_plan_edited_and_merged_back_updates_its_own_tasks(self, project_manager, plan, project):
        exported = read_mspdi(schedule_export_mspdi(project=project))
        assert all(t.guid for t in exported.tasks if t.uid)
        edited = write_mspdi(
            dataclasses.replace(
                exported,
                tasks=tuple(
                    dataclasses.replace(t, duration=t.duration + dt.timedelta(hours=16)) if t.name == "Training" else t
                    for t in exported.tasks
                ),
            )
        )
        numbering = {
            t.pk: (t.outline_number, t.wbs, t.sort_order, t.parent_id) for t in Task.objects.filter(project=project)
        }
        preview = schedule_import_preview(
            actor=project_manager, project=project, data=edited, filename="e.xml", replace=False
        )
        assert (preview.added, preview.removed) == ([], [])
        assert [(c.task.name, [f.label for f in c.changes]) for c in preview.changed] == [("Training", ["Duration"])]
        schedule_import(actor=None, data=edited, filename="e.xml", project_code=CODE)
        after = Task.objects.filter(project=project)
        assert {t.pk: (t.outline_number, t.wbs, t.sort_order, t.parent_id) for t in after} == numbering
        assert after.get(name="Training").duration_minutes == 5 * DAY
        # From now on the tasks are matched by their UID: the same file again changes nothing.
        again = schedule_import_preview(
            actor=project_manager, project=project, data=edited, filename="e.xml", replace=False
        )
        assert again.changes_nothing

    def test_merging_the_same_file_twice_changes_nothing(self, project_manager, plan, project):
        schedule_import(actor=None, data=sample_bytes(), filename=SAMPLE, project_code=CODE)
        rows = {t.pk: (t.version, t.outline_number, t.start, t.finish) for t in Task.objects.filter(project=project)}
        schedule_import(actor=None, data=sample_bytes(), filename=SAMPLE, project_code=CODE)
        assert {
            t.pk: (t.version, t.outline_number, t.start, t.finish) for t in Task.objects.filter(project=project)
        } == rows

    def test_merge_removes_no_task(self, project_manager, plan, project):
        schedule_import(actor=None, data=sample_bytes(), filename=SAMPLE, project_code=CODE)
        data, what = revised_sample()
        preview = schedule_import_preview(
            actor=project_manager, project=project, data=data, filename="r.xml", replace=False
        )
        assert preview.removed == []
        schedule_import(actor=None, data=data, filename="r.xml", project_code=CODE)
        assert Task.objects.filter(project=project, external_ref=str(what["dropped"].uid)).exists()
        assert set(plan) <= set(Task.objects.filter(project=project).values_list("name", flat=True))


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestErrors:
    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            (b"<Project xmlns='http://schemas.microsoft.com/project'><Tasks><Task>", "line 1"),
            (b"this is not xml at all", "line 1: syntax error"),
            (b"<?xml version='1.0'?>\n<Plan><Task/></Plan>", "the root element is 'Plan'"),
        ],
    )
    def test_malformed_xml_is_named_once_at_the_top_and_never_mentions_java(
        self, client_for, project_manager, plan, project, data, expected
    ):
        response = upload(client_for(project_manager), data, name="plan.xml")
        assert response.status_code == 422
        body = html.unescape(response.content.decode())
        assert "Java" not in body
        assert "The file is not valid MS Project XML" in body
        assert body.count(expected) == 1
        assert body.count("Nothing was imported from plan.xml.") == 1
        # At the top: before the form's first field.
        assert body.index("The file is not valid MS Project XML") < body.index('type="file"')
        assert not ScheduleImport.objects.exists()
        assert set(Task.objects.filter(project=project).values_list("name", flat=True)) == set(plan)

    def test_task_without_uid_names_the_element_and_its_line(self, client_for, project_manager, project):
        data = sample_bytes()
        index = data.index(b"<UID>1</UID>", data.index(b"<Tasks>"))
        bad = data[:index] + data[index + len(b"<UID>1</UID>") :]
        task_line = bad.count(b"\n", 0, bad.rindex(b"<Task>", 0, index)) + 1
        response = upload(client_for(project_manager), bad, name="plan.xml")
        body = html.unescape(response.content.decode())
        assert (
            body.count(f"The file is not valid MS Project XML: element <Task> on line {task_line} has no <UID>.") == 1
        )

    def test_only_formats_that_need_java_say_so(self, client_for, project_manager, project, monkeypatch):
        monkeypatch.setattr("projects.scheduling.mpxj.java_executable", lambda: None)
        body = upload(client_for(project_manager), b"ERMHDR\t20.12", name="plan.xer").content.decode()
        assert body.count("Java runtime") == 1

    def test_an_unknown_file_type_is_named(self, client_for, project_manager, project):
        body = upload(client_for(project_manager), b"a,b\n1,2\n", name="plan.csv").content.decode()
        assert "Files ending in .csv cannot be imported" in body
        assert "Java" not in body


# --- stale previews, repeats, access --------------------------------------------------------------


@pytest.mark.django_db
class TestConfirm:
    def test_a_stale_preview_is_refused_and_imports_nothing(self, client_for, project_manager, plan, project, owner):
        client = client_for(project_manager)
        upload(client)
        job = ScheduleImport.objects.get()
        fingerprint = client.get(preview_url(job)).context["preview"].fingerprint
        training = plan["Training"]
        task_update(actor=owner, task=training, data={"duration_minutes": 4 * DAY}, expected_version=training.version)
        count = Task.objects.filter(project=project).count()

        response = client.post(confirm_url(job), {"fingerprint": fingerprint})

        assert response.status_code == 409
        assert PLAN_CHANGED.format(code=CODE).split(",")[0] in response.content.decode()
        assert Task.objects.filter(project=project).count() == count
        job.refresh_from_db()
        assert job.applied_at is None
        # The page carries a fresh preview, which confirms.
        fresh = response.context["preview"].fingerprint
        assert fresh != fingerprint
        assert client.post(confirm_url(job), {"fingerprint": fresh}).status_code == 302
        assert Task.objects.filter(project=project).count() > count

    def test_confirming_twice_imports_once(self, client_for, project_manager, plan, project):
        client = client_for(project_manager)
        upload(client)
        job = ScheduleImport.objects.get()
        fingerprint = client.get(preview_url(job)).context["preview"].fingerprint
        assert client.post(confirm_url(job), {"fingerprint": fingerprint}).status_code == 302
        count = Task.objects.filter(project=project).count()
        links = Dependency.objects.count()
        response = client.post(confirm_url(job), {"fingerprint": fingerprint}, follow=True)
        assert "was already imported" in response.content.decode()
        assert (Task.objects.filter(project=project).count(), Dependency.objects.count()) == (count, links)

    def test_the_imported_file_is_kept_with_the_audit_entry(self, client_for, project_manager, plan, project, member):
        from core.models import AuditEntry

        client = client_for(project_manager)
        upload(client)
        job = ScheduleImport.objects.get()
        fingerprint = client.get(preview_url(job)).context["preview"].fingerprint
        assert client.post(confirm_url(job), {"fingerprint": fingerprint}).status_code == 302

        entry = AuditEntry.objects.get(object_type="projects.project", changes__has_key="schedule_import_mode")
        assert entry.project_id == project.pk
        url = f"/audit/{entry.pk}/attachment/"
        download = client.get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == sample_bytes()
        assert client_for(member).get(url).status_code == 200  # the project's own file: its readers

    def test_the_confirm_step_reads_the_stored_file_again(self, client_for, project_manager, plan, project):
        client = client_for(project_manager)
        upload(client)
        job = ScheduleImport.objects.get()
        fingerprint = client.get(preview_url(job)).context["preview"].fingerprint
        job.file.storage.delete(job.file.name)
        response = client.post(confirm_url(job), {"fingerprint": fingerprint})
        assert response.status_code == 422
        assert "no longer stored" in response.content.decode()
        assert set(Task.objects.filter(project=project).values_list("name", flat=True)) == set(plan)

    @pytest.mark.parametrize("who", ["outsider", "member"])
    def test_people_who_cannot_edit_get_404_everywhere(self, client_for, request, project_manager, plan, project, who):
        upload(client_for(project_manager))
        job = ScheduleImport.objects.get()
        client = client_for(request.getfixturevalue(who))
        assert client.get(UPLOAD).status_code == 404
        assert upload(client).status_code == 404
        assert client.get(preview_url(job)).status_code == 404
        assert client.post(confirm_url(job), {"fingerprint": "x" * 64}).status_code == 404
        assert ScheduleImport.objects.count() == 1
        assert set(Task.objects.filter(project=project).values_list("name", flat=True)) == set(plan)

    def test_another_editor_cannot_open_someone_elses_upload(self, client_for, project_manager, owner, plan):
        upload(client_for(project_manager))
        job = ScheduleImport.objects.get()
        assert client_for(owner).get(preview_url(job)).status_code == 404

    def test_a_value_the_database_refuses_is_a_file_error_not_a_500(
        self, client_for, project_manager, plan, project, monkeypatch
    ):
        def refuse(**kwargs):
            raise IntegrityError('new row violates check constraint "projects_task_cost_range"\nDETAIL: …')

        monkeypatch.setattr("projects.services.schedule_import.schedule_import", refuse)
        response = upload(client_for(project_manager))
        assert response.status_code == 422
        assert "The file holds a value the plan cannot store" in response.content.decode()
        assert not ScheduleImport.objects.exists()

    def test_service_refuses_a_bad_file_and_keeps_nothing(self, project_manager, project):
        with pytest.raises(ScheduleFileError):
            schedule_import_upload(
                user=project_manager, project=project, upload=SimpleUploadedFile("x.xml", b"<oops"), replace=False
            )
        assert not ScheduleImport.objects.exists()


@pytest.mark.django_db
def test_preview_queries_do_not_grow_with_the_tasks(client_for, project_manager, plan, project):
    """The preview page runs the import in a rolled-back transaction: bulk writes, so a file of
    many tasks costs the queries of a file of few."""
    document = read_mspdi(sample_bytes())
    [work] = [t for t in document.tasks if t.uid == 1]

    def file_with(n: int) -> bytes:
        extra = [
            dataclasses.replace(work, uid=100 + i, id=100 + i, name=f"Extra {i}", predecessors=()) for i in range(n)
        ]
        return write_mspdi(dataclasses.replace(document, tasks=(*document.tasks, *extra)))

    client = client_for(project_manager)
    counts = []
    for n in (1, 40):
        upload(client, file_with(n), name=f"plan{n}.xml")
        job = ScheduleImport.objects.order_by("-pk").first()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(preview_url(job)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
