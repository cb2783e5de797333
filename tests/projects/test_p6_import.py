"""Tolerant, honest schedule import, and Primavera P6's dialect and options on import.

- A value Keel does not use never refuses a file (an assignment's RemainingWork "PT0H0M-5S",
  Project's computed dates): it is dropped or repaired, and the preview lists it, counted and
  grouped. A value Keel uses and cannot read still refuses the file, with nothing written.
- Several links between one pair (SS and FF) are stored; the same type twice is merged and noted.
- A .xer / P6 XML file makes the project a P6 one, with P6's options (data date, progressed
  activities, lag calendar, float, critical, must finish by) and activity types from the file.

The P6 files in data/p6 are written by data/p6/GenerateP6Samples.java with MPXJ's own P6 writers
(see that file); the tests that read them need Java (`mpxj` marker)."""

import datetime as dt
import json
import re
import zoneinfo
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Dependency, Project, ScheduleImport, Task
from projects.scheduling import read_mspdi
from projects.scheduling.p6 import options_from_json
from projects.scheduling.repairs import RepairLog, collecting, note
from projects.services.schedule_import import schedule_import_preview, schedule_import_upload
from projects.services.schedule_io import ScheduleFileError, schedule_export_mspdi, schedule_import
from tests.factories.projects import ProjectFactory

MSPDI = Path(__file__).parent / "data" / "mspdi"
P6 = Path(__file__).parent / "data" / "p6"
SAMPLE = "mspdirelations.xml"  # Task 3 follows Task 2 SS +1 d; Task 4 follows Task 3 FF
CODE = "MOD-ERP"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _task_block(xml: str, uid: int) -> tuple[int, int]:
    """Where the <Task> with `uid` starts and ends in `xml`."""
    match = re.search(rf"<Task>\s*<UID>{uid}</UID>", xml)
    assert match is not None
    return match.start(), xml.index("</Task>", match.start())


def with_links(xml: str, uid: int, *links: tuple[int, int, int]) -> str:
    """`xml` with PredecessorLinks (predecessor UID, type code, lag in tenths of a minute) added
    to task `uid`."""
    _start, end = _task_block(xml, uid)
    added = "".join(
        f"<PredecessorLink><PredecessorUID>{p}</PredecessorUID><Type>{t}</Type><CrossProject>0</CrossProject>"
        f"<LinkLag>{lag}</LinkLag><LagFormat>7</LagFormat></PredecessorLink>"
        for p, t, lag in links
    )
    return xml[:end] + added + xml[end:]


def with_remaining_work(xml: str, assignment_uids: tuple[int, ...], value: str) -> str:
    """`xml` with the RemainingWork of the listed assignments set to `value` (verbatim)."""
    for uid in assignment_uids:
        match = re.search(rf"<Assignment>\s*<UID>{uid}</UID>", xml)
        assert match is not None
        end = xml.index("</Assignment>", match.start())
        block = re.sub(
            r"<RemainingWork>[^<]*</RemainingWork>", f"<RemainingWork>{value}</RemainingWork>", xml[match.start() : end]
        )
        xml = xml[: match.start()] + block + xml[end:]
    return xml


def sample() -> str:
    return (MSPDI / SAMPLE).read_text(encoding="utf-8")


def load(xml: str | bytes, code: str = "TOL", filename: str = "plan.xml", **kwargs):
    data = xml.encode() if isinstance(xml, str) else xml
    return schedule_import(actor=None, data=data, filename=filename, project_code=code, **kwargs)


def links_by_pair(project) -> dict[tuple[str, str], list[tuple[str, int]]]:
    pairs: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for d in Dependency.objects.filter(successor__project=project).select_related("predecessor", "successor"):
        pairs.setdefault((d.predecessor.name, d.successor.name), []).append((d.type, d.lag_minutes))
    return {k: sorted(v) for k, v in pairs.items()}


def repair_texts(result) -> list[str]:
    return [line.text for line in result.repairs]


# -- the repair log ----------------------------------------------------------------------------------


def test_repairs_are_counted_and_grouped_with_the_first_places():
    with collecting() as log:
        for uid in range(5):
            note("assignment", "negative remaining work set to 0", f"Assignment UID {uid}")
        note("link", "the same pair twice", "Task UID 9")
    note("task", "outside any collecting block: dropped")
    lines = log.lines()
    assert [line.text for line in lines] == [
        "5 assignments: negative remaining work set to 0",
        "1 link: the same pair twice",
    ]
    assert lines[0].examples == ("Assignment UID 0", "Assignment UID 1", "Assignment UID 2")
    assert lines[0].more == 2
    assert log.count("assignment") == 5
    assert not RepairLog()


def test_the_converters_options_read_into_keels_values():
    options = options_from_json(
        {
            "file_type": "XER",
            "data_date": "2021-11-30T00:00",
            "must_finish_by": "2022-01-28T17:00",
            "progressed_activities": "PROGRESS_OVERRIDE",
            "lag_calendar": "TWENTY_FOUR_HOUR",
            "total_float": "START_SLACK",
            "critical_activity": "LONGEST_PATH",
            "critical_float_minutes": 480,
            "activity_types": {
                "3": "START_MILESTONE",
                "4": "FINISH_MILESTONE",
                "5": "LEVEL_OF_EFFORT",
                "6": "WBS_SUMMARY",
                "7": "TASK_DEPENDENT",
            },
        }
    )
    assert options.is_p6
    assert options.data_date == dt.datetime(2021, 11, 30, 0, 0)
    assert options.must_finish_by == dt.datetime(2022, 1, 28, 17, 0)
    assert (options.progress_mode, options.lag_calendar, options.float_mode, options.critical_mode) == (
        "progress_override",
        "24h",
        "start",
        "longest_path",
    )
    assert options.critical_float_minutes == 480
    assert options.activity_types == {3: "start_milestone", 4: "finish_milestone", 5: "loe", 6: "wbs_summary"}
    empty = options_from_json({"file_type": "MPP", "progressed_activities": "SOMETHING_NEW"})
    assert not empty.is_p6
    assert empty.progress_mode is None
    assert empty.data_date is None


# -- values Keel does not use never refuse a file ------------------------------------------------------


def test_a_negative_remaining_work_is_set_to_zero_not_a_reason_to_refuse():
    xml = with_remaining_work(sample(), (1, 2, 3), "PT0H0M-5S")
    with collecting() as log:
        document = read_mspdi(xml.encode())
    assert {a.uid: a.remaining_work for a in document.assignments if a.uid in (1, 2, 3)} == {
        1: dt.timedelta(0),
        2: dt.timedelta(0),
        3: dt.timedelta(0),
    }
    assert [line.text for line in log.lines()] == ["3 assignments: negative remaining work set to 0"]


@pytest.mark.django_db
def test_a_file_refused_before_for_an_unused_field_now_imports_and_says_what_was_repaired():
    xml = with_remaining_work(sample(), (1, 2), "PT0H0M-5S")
    xml = with_remaining_work(xml, (3,), "soon")
    xml = xml.replace("<EarlyStart>", "<EarlyStart>not a date", 1)
    result = load(xml)
    assert result.tasks_created == 5
    assert repair_texts(result) == [
        "1 task: EarlyStart unreadable, ignored",
        "2 assignments: negative remaining work set to 0",
        "1 assignment: remaining work unreadable, ignored",
    ]
    assert result.repairs[1].examples == ("Assignment UID 1 ('PT0H0M-5S')", "Assignment UID 2 ('PT0H0M-5S')")


@pytest.mark.django_db
def test_a_value_keel_uses_and_cannot_read_still_refuses_the_file_with_nothing_written():
    xml = with_remaining_work(sample(), (1,), "PT0H0M-5S")  # tolerated ...
    start, end = _task_block(xml, 2)
    block = re.sub(r"<Duration>[^<]*</Duration>", "<Duration>abc</Duration>", xml[start:end], count=1)
    xml = xml[:start] + block + xml[end:]  # ... but not a duration Keel schedules with
    with pytest.raises(ScheduleFileError, match=r"Task UID 2: Duration 'abc' is not an ISO-8601 duration"):
        load(xml, code="BAD")
    assert not Project.objects.filter(code="BAD").exists()
    assert not Task.objects.exists()


# -- several links between one pair ----------------------------------------------------------------------


@pytest.mark.django_db
def test_links_of_different_types_between_one_pair_are_all_stored():
    # Task 3 already follows Task 2 start-to-start +1 d; add finish-to-finish +2 d.
    result = load(with_links(sample(), 3, (2, 0, 2 * 4800)))
    assert links_by_pair(result.project)[("Task 2", "Task 3")] == [("FF", 960), ("SS", 480)]
    assert result.links == 5
    assert result.repairs == ()


@pytest.mark.django_db
def test_the_same_type_twice_between_one_pair_is_merged_into_the_first_and_reported():
    xml = with_links(sample(), 3, (2, 3, 9600), (2, 0, 0), (2, 0, 600))
    result = load(xml)
    assert links_by_pair(result.project)[("Task 2", "Task 3")] == [("FF", 0), ("SS", 480)]
    assert repair_texts(result) == ["2 links: the same predecessor, successor and type twice, merged into the first"]
    assert result.repairs[0].examples == ("Task UID 3 ← UID 2 (SS)", "Task UID 3 ← UID 2 (FF)")


@pytest.mark.django_db
def test_links_to_tasks_not_in_the_file_are_reported_not_silently_dropped():
    result = load(with_links(sample(), 4, (77, 1, 0)))
    assert repair_texts(result) == ["1 link: to a task that is not in the file (or is blank or inactive), left out"]


@pytest.mark.django_db
def test_an_export_writes_every_link_of_a_pair():
    result = load(with_links(sample(), 3, (2, 0, 960 * 10)))
    exported = read_mspdi(schedule_export_mspdi(project=result.project))
    by_name = {t.name: t for t in exported.tasks}
    into_3 = sorted((link.type, link.lag_tenths) for link in by_name["Task 3"].predecessors)
    assert into_3 == [(0, 9600), (3, 4800)]  # FF +2 d and SS +1 d, both from Task 2
    assert {link.predecessor_uid for link in by_name["Task 3"].predecessors} == {by_name["Task 2"].uid}
    again = load(schedule_export_mspdi(project=result.project), code="BACK")
    assert links_by_pair(again.project) == links_by_pair(result.project)


# -- the preview lists it --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_lists_drops_and_repairs_and_writes_nothing(project, project_manager):
    xml = with_links(with_remaining_work(sample(), (1, 2), "PT0H0M-5S"), 3, (2, 3, 0), (2, 0, 0))
    preview = schedule_import_preview(
        actor=project_manager, project=project, data=xml.encode(), filename="plan.xml", replace=False
    )
    assert [line.text for line in preview.repairs] == [
        "2 assignments: negative remaining work set to 0",
        "1 link: the same predecessor, successor and type twice, merged into the first",
    ]
    assert len(preview.links_added) == 5  # Task 2 -> Task 3 twice: SS and FF
    assert (preview.dialect, preview.dialect_after) == ("msproject", "Microsoft Project")
    assert not Task.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_the_preview_page_shows_the_repairs_and_the_rules(client_for, project, project_manager):
    xml = with_links(with_remaining_work(sample(), (1, 2), "PT0H0M-5S"), 3, (2, 3, 0))
    job = schedule_import_upload(
        user=project_manager,
        project=project,
        upload=SimpleUploadedFile("plan.xml", xml.encode()),
        replace=False,
    )
    page = client_for(project_manager).get(reverse("projects:schedule-import-preview", args=[CODE, job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="import-repairs"' in text
    assert "2 assignments: negative remaining work set to 0" in text
    assert "Assignment UID 1 (&#x27;PT0H0M-5S&#x27;)" in text
    assert "1 link: the same predecessor, successor and type twice, merged into the first" in text
    assert 'data-dialect="msproject"' in text
    assert ScheduleImport.objects.count() == 1


# -- Primavera P6 files (MPXJ) -------------------------------------------------------------------------


def p6_bytes(name: str) -> bytes:
    return (P6 / name).read_bytes()


@pytest.mark.mpxj
@pytest.mark.django_db
@pytest.mark.parametrize("name", ["p6-sample.xer", "p6-sample.xml"])
def test_a_p6_file_becomes_a_p6_project_with_the_files_options(name):
    result = load(p6_bytes(name), code="P6", filename=name)
    project = Project.objects.get(code="P6")
    zone = zoneinfo.ZoneInfo(project.time_zone or "UTC")
    assert result.dialect == "p6"
    assert project.schedule_dialect == "p6"
    assert project.data_date == dt.datetime(2021, 11, 30, 0, 0, tzinfo=zone)
    assert project.status_date == dt.date(2021, 11, 30)
    assert project.progress_mode == "retained_logic"
    assert project.lag_calendar == "successor"
    assert project.float_mode == "smallest"
    assert project.critical_mode == "total_float"
    assert project.critical_float_minutes == 480
    assert project.must_finish_by == dt.datetime(2022, 1, 28, 17, 0, tzinfo=zone)
    types = dict(Task.objects.filter(project=project).values_list("name", "activity_type"))
    assert types["Site supervision"] == "loe"
    assert types["Civil summary"] == "wbs_summary"
    assert types["Excavate"] == "task"
    assert types["Civil complete"] == "finish_milestone"
    progress = Task.objects.get(project=project, name="Excavate")  # in progress at the data date
    assert progress.actual_start == dt.datetime(2021, 11, 8, 8, 0, tzinfo=zone)
    assert progress.remaining_minutes == 32 * 60


@pytest.mark.mpxj
@pytest.mark.django_db
@pytest.mark.parametrize("name", ["multi_links.xer", "multi_links.xml"])
def test_a_p6_start_milestone_imports_as_one_and_sits_at_the_next_work_start(name):
    load(p6_bytes(name), code="P6", filename=name)
    project = Project.objects.get(code="P6")
    zone = zoneinfo.ZoneInfo(project.time_zone or "UTC")
    start = Task.objects.get(project=project, name="A1000")
    assert (start.activity_type, start.is_milestone) == ("start_milestone", True)
    assert Task.objects.get(project=project, name="A1070").activity_type == "finish_milestone"
    # P6 (and MPXJ's scheduler, tests/projects/test_p6_oracle.py): the next work start, early and
    # late -- not the previous work finish (Friday 2 January 17:00) of a finish milestone.
    monday = dt.datetime(2026, 1, 5, 8, 0, tzinfo=zone)
    assert (start.early_start, start.late_start, start.late_finish) == (monday, monday, monday)


@pytest.mark.mpxj
@pytest.mark.django_db
def test_the_xer_refused_before_imports_with_both_links_of_a_pair_and_says_what_it_repaired():
    result = load(p6_bytes("p6-sample.xer"), code="P6", filename="p6-sample.xer")
    pairs = links_by_pair(result.project)
    assert [kind for kind, _lag in pairs[("Excavate", "Foundations")]] == ["FF", "SS"]
    # Repeated (same pair, same type) in the file: MPXJ's reader keeps one already, so Keel never
    # sees the repeat of an .xer (it notes those of an MSPDI file: see above).
    assert [kind for kind, _lag in pairs[("Foundations", "Backfill")]] == ["FS"]
    texts = repair_texts(result)
    assert "1 assignment: negative remaining work set to 0" in texts
    assert any("PT0H0M-5S" in example for line in result.repairs for example in line.examples)


@pytest.mark.mpxj
@pytest.mark.django_db
def test_reimporting_a_p6_file_changes_nothing(project, project_manager):
    data = p6_bytes("p6-sample.xer")
    load(data, code=CODE, filename="p6-sample.xer", replace=True)

    def state():
        project.refresh_from_db()
        tasks = sorted(
            Task.objects.filter(project=project).values_list(
                "external_ref", "name", "activity_type", "start", "finish", "total_float_minutes", "version"
            )
        )
        return tasks, links_by_pair(project), [getattr(project, f) for f in ("schedule_dialect", "data_date")]

    before = state()
    preview = schedule_import_preview(
        actor=project_manager, project=project, data=data, filename="p6-sample.xer", replace=False
    )
    assert preview.changes_nothing
    assert preview.dialect_label == "Primavera P6"
    assert ("Data date", "30 Nov 2021 00:00") in preview.options
    again = load(data, code=CODE, filename="p6-sample.xer")
    assert (again.tasks_created, again.tasks_removed) == (0, 0)
    assert state()[:2] == before[:2]
    assert state()[2] == before[2]


@pytest.mark.mpxj
@pytest.mark.django_db
def test_a_merge_into_a_plan_keeps_its_dialect_but_a_first_import_takes_the_files(project, project_manager):
    load(sample(), code=CODE)  # a Microsoft Project plan
    preview = schedule_import_preview(
        actor=project_manager, project=project, data=p6_bytes("p6-sample.xer"), filename="p6-sample.xer", replace=False
    )
    assert (preview.dialect, preview.dialect_before, preview.dialect_after) == (
        "p6",
        "Microsoft Project",
        "Microsoft Project",
    )
    empty = ProjectFactory(program=project.program, code="EMPTY")
    assert empty.schedule_dialect == "msproject"
    first = schedule_import_preview(
        actor=project_manager, project=empty, data=p6_bytes("p6-sample.xer"), filename="p6-sample.xer", replace=False
    )
    assert (first.dialect_before, first.dialect_after) == ("Microsoft Project", "Primavera P6")
    assert json.dumps([list(o) for o in first.options])  # plain strings, as the API returns them
    empty.refresh_from_db()
    assert empty.schedule_dialect == "msproject"  # a preview writes nothing


@pytest.mark.django_db
def test_confirming_says_how_many_items_were_repaired(client_for, project, project_manager):
    xml = with_remaining_work(sample(), (1, 2), "PT0H0M-5S")
    client = client_for(project_manager)
    upload = client.post(
        reverse("projects:schedule-import", args=[CODE]),
        {"file": SimpleUploadedFile("plan.xml", xml.encode()), "mode": "merge"},
    )
    job = ScheduleImport.objects.get()
    assert upload.status_code == 302
    preview = schedule_import_preview(
        actor=project_manager, project=project, data=xml.encode(), filename="plan.xml", replace=False
    )
    done = client.post(
        reverse("projects:schedule-import-confirm", args=[CODE, job.pk]),
        {"fingerprint": preview.fingerprint},
        follow=True,
    )
    assert "2 items of the file were dropped or repaired, as the preview listed." in done.content.decode()
    assert Task.objects.filter(project=project).count() == 5


@pytest.mark.django_db
def test_the_api_preview_carries_the_repairs_and_the_dialect(api_for, project, project_manager):
    xml = with_links(with_remaining_work(sample(), (1, 2), "PT0H0M-5S"), 3, (2, 3, 0))
    response = api_for(project_manager).post(
        f"/api/v1/projects/{project.pk}/schedule-import/",
        {"file": SimpleUploadedFile("plan.xml", xml.encode(), content_type="application/xml")},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(r["text"], r["count"]) for r in body["repairs"]] == [
        ("2 assignments: negative remaining work set to 0", 2),
        ("1 link: the same predecessor, successor and type twice, merged into the first", 1),
    ]
    assert body["repairs"][0]["examples"] == ["Assignment UID 1 ('PT0H0M-5S')", "Assignment UID 2 ('PT0H0M-5S')"]
    assert (body["dialect"], body["dialect_after"], body["options"]) == ("msproject", "Microsoft Project", [])
