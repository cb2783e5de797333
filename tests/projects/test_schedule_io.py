"""Schedule import/export: Microsoft Project's own files, round trips, bad files, MPXJ formats."""

import dataclasses
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from projects.models import Baseline, Calendar, Dependency, Project, Task
from projects.scheduling import read_mspdi, write_mspdi
from projects.scheduling.calendar import WorkCalendar
from projects.scheduling.mpxj import convert_with_mpxj
from projects.scheduling.mspdi_model import MspdiLink
from projects.services.schedule_io import ScheduleFileError, schedule_export_mspdi, schedule_import

DATA = Path(__file__).parent / "data" / "mspdi"
SAMPLES = sorted(p.name for p in DATA.glob("*.xml"))


def load(name: str, code: str = "IMP", **kwargs):
    return schedule_import(actor=None, data=(DATA / name).read_bytes(), filename=name, project_code=code, **kwargs)


def snapshot(project: Project) -> list[tuple]:
    """What a user entered plus what the engine computed, keyed by outline number."""
    return sorted(
        (
            t.outline_number,
            t.name,
            t.duration_minutes,
            t.is_milestone,
            t.constraint_type,
            t.percent_complete,
            t.parent.outline_number if t.parent else None,
            t.start,
            t.finish,
            t.total_float_minutes,
            t.free_float_minutes,
            t.is_critical,
        )
        for t in Task.objects.filter(project=project).select_related("parent")
    )


def links_of(project: Project) -> set[tuple]:
    return {
        (d.predecessor.outline_number, d.successor.outline_number, d.type, d.lag_minutes)
        for d in Dependency.objects.filter(successor__project=project).select_related("predecessor", "successor")
    }


def calendars_of(project: Project) -> set[tuple]:
    return {
        (
            c.name,
            repr(sorted(c.work_week.items())),
            repr(c.work_weeks),
            c.base_calendar.name if c.base_calendar else None,
            tuple(c.exceptions.values_list("start_date", "end_date", "work_intervals")),
        )
        for c in Calendar.objects.filter(project=project).select_related("base_calendar")
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_imports_and_round_trips_without_loss(name, program):
    first = load(name, "FIRST", program=program)
    assert first.created_project
    assert first.tasks_created == Task.objects.filter(project=first.project).count()
    exported = schedule_export_mspdi(project=first.project)
    second = schedule_import(actor=None, data=exported, filename="export.xml", project_code="SECOND", program=program)
    assert snapshot(second.project) == snapshot(first.project)
    assert links_of(second.project) == links_of(first.project)
    assert second.baselines == first.baselines
    assert calendars_of(second.project) == calendars_of(first.project)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["task-links-project2019-mspdi.xml", "mspdirelations.xml"])
def test_imported_dates_match_microsoft_project(name):
    """The engine is checked task by task in test_mspdi.py; this checks the database path gives
    the same: MS Project's computed start, finish, slack and critical flag for every task."""
    result = load(name)
    document = read_mspdi((DATA / name).read_bytes())
    calendar = WorkCalendar.standard()
    tasks = {t.external_ref: t for t in Task.objects.filter(project=result.project)}
    compared = 0
    for source in document.tasks:
        if source.uid == 0 or str(source.uid) not in tasks:
            continue
        task, msp = tasks[str(source.uid)], source.computed
        local = {f: getattr(task, f).astimezone(dt.UTC).replace(tzinfo=None) for f in ("start", "finish")}
        assert calendar.working_minutes_at(local["start"]) == calendar.working_minutes_at(msp.start), source.name
        assert calendar.working_minutes_at(local["finish"]) == calendar.working_minutes_at(msp.finish), source.name
        assert task.total_float_minutes * 10 == msp.total_slack, source.name
        assert task.is_critical == msp.critical, source.name
        compared += 1
    assert compared == len(tasks)


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing():
    load("sample.xml")
    project = Project.objects.get(code="IMP")
    before = (snapshot(project), links_of(project), Calendar.objects.filter(project=project).count())
    again = load("sample.xml")
    assert again.tasks_created == 0
    assert again.tasks_removed == 0
    assert (snapshot(project), links_of(project), Calendar.objects.filter(project=project).count()) == before


@pytest.mark.django_db
def test_replace_clears_tasks_the_file_no_longer_has_and_keeps_the_matched_rows():
    first = load("task-baselines-project2019-mspdi.xml")
    before = Task.objects.filter(project=first.project).count()
    matched = Task.objects.filter(project=first.project, external_ref__in=["1", "2", "3"])
    kept = dict(matched.values_list("external_ref", "pk"))
    result = load("mspdirelations.xml", replace=True)
    tasks = Task.objects.filter(project=result.project)
    assert tasks.count() == result.tasks_created + result.tasks_updated
    assert result.tasks_removed == before - result.tasks_updated
    assert set(tasks.values_list("external_ref", flat=True)) == {
        str(t.uid) for t in read_mspdi((DATA / "mspdirelations.xml").read_bytes()).tasks if t.uid
    }
    # Tasks the file still names keep their rows (and so whatever is linked to them).
    assert dict(tasks.filter(external_ref__in=["1", "2", "3"]).values_list("external_ref", "pk")) == kept


@pytest.mark.django_db
def test_baselines_are_imported():
    result = load("task-baselines-project2019-mspdi.xml")
    assert result.baselines >= 1
    assert Baseline.objects.filter(project=result.project).count() == result.baselines


@pytest.mark.django_db
def test_no_import_overwrites_an_approved_baseline():
    """Replacing the approved plan needs a program manager's confirmed overwrite or a change
    request; a file that carries the same baseline number leaves it alone, even on Replace."""
    first = load("task-baselines-project2019-mspdi.xml")
    approved = Baseline.objects.filter(project=first.project).order_by("number").first()
    Baseline.objects.filter(pk=approved.pk).update(approved=True, name="Approved plan")
    snapshots = sorted(approved.tasks.values_list("task_id", "start", "finish"))

    load("task-baselines-project2019-mspdi.xml", replace=True)

    kept = Baseline.objects.get(project=first.project, number=approved.number)
    assert (kept.pk, kept.name, kept.approved) == (approved.pk, "Approved plan", True)
    assert sorted(kept.tasks.values_list("task_id", "start", "finish")) == snapshots


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"<Project xmlns='http://schemas.microsoft.com/project'><Tasks><Task>", "line"),
        ((DATA / "mspdirelations.xml").read_bytes()[:5000], "line"),
        (
            b"<Project xmlns='http://schemas.microsoft.com/project'><StartDate>2026-01-01T08:00:00</StartDate>"
            b"<Tasks><Task><UID>1</UID><Name>x</Name><Duration>abc</Duration></Task></Tasks></Project>",
            "Duration",
        ),
    ],
)
def test_malformed_or_truncated_file_is_refused_and_nothing_is_written(data, reason):
    with pytest.raises(ScheduleFileError) as error:
        schedule_import(actor=None, data=data, filename="bad.xml", project_code="BAD")
    assert reason in error.value.reason
    assert not Project.objects.filter(code="BAD").exists()
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_file_with_a_dependency_cycle_is_refused_naming_the_tasks():
    document = read_mspdi((DATA / "mspdirelations.xml").read_bytes())
    # b already follows a; making a follow b as well closes a two-task cycle
    b = next(t for t in document.tasks if t.predecessors)
    a = next(t for t in document.tasks if t.uid == b.predecessors[0].predecessor_uid)
    edited = [
        dataclasses.replace(t, predecessors=(*t.predecessors, MspdiLink(predecessor_uid=b.uid)))
        if t.uid == a.uid
        else t
        for t in document.tasks
    ]
    cyclic = write_mspdi(dataclasses.replace(document, tasks=tuple(edited)))
    with pytest.raises(ScheduleFileError, match="cycle") as error:
        schedule_import(actor=None, data=cyclic, filename="cycle.xml", project_code="CYC")
    assert a.name in error.value.reason
    assert b.name in error.value.reason
    assert not Project.objects.filter(code="CYC").exists()


@pytest.mark.django_db
def test_duplicate_link_in_file_is_merged_and_reported():
    """The same link twice (same pair, same type) is kept once and the import says so (P6
    exports have it; it used to refuse the whole file). Several types per pair: test_p6_import."""
    document = read_mspdi((DATA / "mspdirelations.xml").read_bytes())
    b = next(t for t in document.tasks if t.predecessors)
    edited = [
        dataclasses.replace(t, predecessors=(*t.predecessors, t.predecessors[0])) if t.uid == b.uid else t
        for t in document.tasks
    ]
    result = schedule_import(
        actor=None,
        data=write_mspdi(dataclasses.replace(document, tasks=tuple(edited))),
        filename="dup.xml",
        project_code="DUP",
    )
    original = load("mspdirelations.xml", "ORIG")
    assert links_of(result.project) == links_of(original.project)
    assert [line.text for line in result.repairs] == [
        "1 link: the same predecessor, successor and type twice, merged into the first"
    ]


@pytest.mark.django_db
def test_mpxj_missing_gives_a_clear_message(monkeypatch):
    monkeypatch.setattr("projects.scheduling.mpxj.java_executable", lambda: None)
    with pytest.raises(ScheduleFileError, match="Java runtime"):
        schedule_import(actor=None, data=b"ERMHDR\t20.12", filename="plan.xer", project_code="XER")


@pytest.mark.mpxj
@pytest.mark.django_db
@pytest.mark.parametrize("suffix", [".xer", ".pmxml", ".mpx"])
def test_primavera_and_other_formats_import_through_mpxj(suffix, tmp_path):
    """MPXJ writes the sample as Primavera XER / P6 XML / MPX; importing that file through MPXJ
    gives the same tasks and links as importing the MS Project original."""
    original = load("mspdirelations.xml", "ORIG")
    converted = convert_with_mpxj(DATA / "mspdirelations.xml", suffix)
    result = schedule_import(actor=None, data=converted, filename=f"plan{suffix}", project_code="CONV")
    names = sorted(Task.objects.filter(project=result.project).values_list("name", "duration_minutes"))
    assert names == sorted(Task.objects.filter(project=original.project).values_list("name", "duration_minutes"))
    assert len(links_of(result.project)) == len(links_of(original.project))


@pytest.mark.django_db
def test_commands_import_then_export(tmp_path, program):
    out = StringIO()
    call_command(
        "import_schedule", str(DATA / "mspdirelations.xml"), "--project", "CMD", "--program", program.code, stdout=out
    )
    assert "Project CMD created" in out.getvalue()
    assert Project.objects.get(code="CMD").program == program
    target = tmp_path / "cmd.xml"
    call_command("export_schedule", "--project", "CMD", "--format", "mspdi", "--output", str(target), stdout=out)
    document = read_mspdi(target.read_bytes())
    assert {t.name for t in document.tasks if t.uid} == set(
        Task.objects.filter(project__code="CMD").values_list("name", flat=True)
    )
    assert all(t.computed.early_start is not None for t in document.tasks if t.uid)


@pytest.mark.django_db
def test_command_refuses_bad_file_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<Project xmlns='http://schemas.microsoft.com/project'><Tasks>")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_schedule", str(bad), "--project", "NOPE")
    assert not Project.objects.filter(code="NOPE").exists()


@pytest.mark.django_db
def test_command_replace_deletes_only_with_yes_and_dry_run_writes_nothing(program):
    call_command(
        "import_schedule", str(DATA / "sample.xml"), "--project", "CMD", "--program", program.code, stdout=StringIO()
    )
    before = set(Task.objects.filter(project__code="CMD").values_list("pk", "version"))
    out = StringIO()
    call_command(
        "import_schedule", str(DATA / "mspdirelations.xml"), "--project", "CMD", "--replace", "--dry-run", stdout=out
    )
    assert "Dry run, nothing written" in out.getvalue()
    assert "  removed  " in out.getvalue()
    with pytest.raises(CommandError, match="add --yes to go ahead"):
        call_command("import_schedule", str(DATA / "mspdirelations.xml"), "--project", "CMD", "--replace")
    assert set(Task.objects.filter(project__code="CMD").values_list("pk", "version")) == before
    call_command(
        "import_schedule", str(DATA / "mspdirelations.xml"), "--project", "CMD", "--replace", "--yes", stdout=out
    )
    assert Task.objects.filter(project__code="CMD").count() == 5


@pytest.mark.django_db
def test_command_without_program_uses_imported_program():
    call_command("import_schedule", str(DATA / "mspdirelations.xml"), "--project", "LOOSE", stdout=StringIO())
    assert Project.objects.get(code="LOOSE").program.code == "IMPORTED"
