"""A schedule's resources and assignments: read and written in MSPDI, imported into the plan
(tasks laid out in their resources' calendars, as Microsoft Project does, and the project's
start time kept), matched to the pool's people and roles in the import preview, exported back."""

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Project, ScheduleAssignment, ScheduleResource, Task
from projects.scheduling import engine_input_from_mspdi, read_mspdi, schedule, write_mspdi
from projects.scheduling.mspdi_model import MspdiAssignment, MspdiResource
from projects.services.schedule_import import schedule_import_upload
from projects.services.schedule_io import ScheduleFileError, schedule_export_mspdi, schedule_import
from staffing.models import ResourceMatch
from tests.factories.staffing import PersonFactory, RoleFactory

DATA = Path(__file__).parent / "data" / "mspdi"
# Microsoft Project's own files with work resources on calendars of their own, and assignments.
WITH_RESOURCES = ("mspditimephased.xml", "sample.xml")
CODE = "MOD-ERP"


def load(name: str, code: str = "RES", data: bytes | None = None, **kwargs):
    data = data if data is not None else (DATA / name).read_bytes()
    return schedule_import(actor=None, data=data, filename=name, project_code=code, **kwargs)


def naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def resources_of(project: Project) -> list[tuple]:
    return [
        (r.name, r.email, r.type, r.calendar.name if r.calendar else None, r.max_units, r.standard_rate)
        for r in ScheduleResource.objects.filter(project=project).select_related("calendar").order_by("name")
    ]


def assignments_of(project: Project) -> list[tuple]:
    return sorted(
        (
            a.task.name,
            a.resource.name,
            a.units,
            a.work_minutes,
            a.actual_work_minutes,
            a.remaining_work_minutes,
            a.cost,
            a.actual_cost,
        )
        for a in ScheduleAssignment.objects.filter(task__project=project).select_related("task", "resource")
    )


# -- MSPDI ---------------------------------------------------------------------------------------


def test_mspdi_resource_and_assignment_fields_are_read_and_written_back():
    document = read_mspdi((DATA / "sample.xml").read_bytes())
    first = next(r for r in document.resources if r.name == "First Resource")
    assert (first.type, first.calendar_uid, first.max_units, first.standard_rate) == (1, 3, Decimal(1), Decimal(10))
    assignment = next(a for a in document.assignments if a.task_uid == 2 and a.resource_uid == 1)
    assert assignment.units == Decimal("0.5")
    assert assignment.work == dt.timedelta(hours=200)
    assert assignment.cost == Decimal("2015")  # the file stores currency x 100
    edited = dataclasses.replace(
        document,
        resources=(
            *document.resources,
            MspdiResource(uid=99, name="Eve", email="eve@example.com", max_units=Decimal(2)),
        ),
        assignments=(
            *document.assignments,
            MspdiAssignment(uid=99, task_uid=2, resource_uid=99, units=Decimal(1), cost=Decimal("12.34")),
        ),
    )
    again = read_mspdi(write_mspdi(edited))
    assert again.resources == edited.resources
    assert again.assignments == edited.assignments


# -- the plan's dates: Microsoft Project's own ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", WITH_RESOURCES)
def test_imported_tasks_are_laid_out_in_their_resources_calendars_as_project_does(name):
    """Every task's start and finish in the plan are the ones Microsoft Project computed and
    saved in the file (compared in working time of the calendar the task is laid out in)."""
    result = load(name)
    document = read_mspdi((DATA / name).read_bytes())
    engine_input = engine_input_from_mspdi(document)
    tasks = {t.external_ref: t for t in Task.objects.filter(project=result.project)}
    compared, wrong = 0, []
    for source in document.tasks:
        if str(source.uid) not in tasks or source.computed.start is None:
            continue
        task = tasks[str(source.uid)]
        calendar = engine_input.calendars[engine_input.calendar_of_task[source.uid]]
        for field in ("start", "finish"):
            ours, theirs = naive(getattr(task, field)), getattr(source.computed, field)
            if calendar.working_minutes_at(ours) != calendar.working_minutes_at(theirs):
                wrong.append(f"UID {source.uid} {field}: Keel {ours}, Project {theirs}")
        compared += 1
    assert not wrong, "\n".join(wrong)
    assert compared == len(tasks)


@pytest.mark.django_db
def test_a_project_starting_at_nine_starts_its_first_task_at_nine():
    """A plan keeps its start time: mspditimephased.xml (Project's) starts at 09:00 on a calendar
    that opens at 08:00, and so does its export; mspdirelations (Project's, no progress, auto-scheduled) moved to
    09:00 schedules every task as the engine schedules the file, the first one at 09:00."""
    timephased = load("mspditimephased.xml", "TP").project
    assert (timephased.planned_start, timephased.planned_start_time) == (dt.date(2008, 11, 20), dt.time(9))
    assert read_mspdi(schedule_export_mspdi(project=timephased)).project.start_date == dt.datetime(2008, 11, 20, 9)

    document = read_mspdi((DATA / "mspdirelations.xml").read_bytes())
    nine = dataclasses.replace(
        document, project=dataclasses.replace(document.project, start_date=document.project.start_date.replace(hour=9))
    )
    project = load("nine.xml", data=write_mspdi(nine)).project
    tasks = {t.external_ref: t for t in Task.objects.filter(project=project)}
    assert min(naive(t.start) for t in tasks.values()).time() == dt.time(9)
    engine_input = engine_input_from_mspdi(nine)
    expected = schedule(engine_input.tasks, engine_input.links, **engine_input.schedule_kwargs())
    assert {ref: (naive(t.start), naive(t.finish)) for ref, t in tasks.items()} == {
        str(uid): (out.start, out.finish) for uid, out in expected.tasks.items() if str(uid) in tasks
    }


@pytest.mark.django_db
def test_without_its_resources_calendar_the_task_lands_elsewhere():
    """The resource calendars are what moves the tasks: with the assignments dropped from the
    file, at least one task is dated other than Project dated it (so the test above can fail)."""
    document = read_mspdi((DATA / "sample.xml").read_bytes())
    bare = write_mspdi(dataclasses.replace(document, assignments=()))
    result = load("sample.xml", data=bare)
    moved = [
        t
        for t in document.tasks
        if t.uid
        and (task := Task.objects.filter(project=result.project, external_ref=str(t.uid)).first())
        and naive(task.finish) != t.computed.finish
    ]
    assert moved


# -- what is kept, and the round trip -----------------------------------------------------------------


@pytest.mark.django_db
def test_resources_and_assignments_are_kept_with_work_units_and_cost():
    result = load("sample.xml")
    assert result.resources == 2
    assert result.assignments == ScheduleAssignment.objects.count() > 0
    first = ScheduleResource.objects.get(project=result.project, name="First Resource")
    assert (first.type, first.calendar.name, first.standard_rate) == ("work", "First Resource", Decimal("10.00"))
    assignment = ScheduleAssignment.objects.get(resource=first, task__external_ref="2")
    assert (assignment.units, assignment.work_minutes, assignment.remaining_work_minutes) == (
        Decimal("0.5"),
        200 * 60,
        200 * 60,
    )
    assert assignment.cost == Decimal("2015.00")


@pytest.mark.django_db
@pytest.mark.parametrize("name", WITH_RESOURCES)
def test_import_export_import_gives_the_same_resources_and_assignments(name, program):
    first = load(name, "FIRST", program=program)
    exported = schedule_export_mspdi(project=first.project)
    second = schedule_import(actor=None, data=exported, filename="export.xml", project_code="SECOND", program=program)
    assert resources_of(second.project) == resources_of(first.project)
    assert assignments_of(second.project) == assignments_of(first.project)
    assert assignments_of(first.project)
    dates = lambda p: sorted(Task.objects.filter(project=p).values_list("name", "start", "finish"))  # noqa: E731
    assert dates(second.project) == dates(first.project)


@pytest.mark.django_db
def test_reimporting_keeps_one_row_per_resource_and_assignment():
    load("sample.xml")
    before = (resources_of(Project.objects.get(code="RES")), ScheduleAssignment.objects.count())
    load("sample.xml")
    assert (resources_of(Project.objects.get(code="RES")), ScheduleAssignment.objects.count()) == before


@pytest.mark.django_db
def test_negative_work_left_by_rounding_is_kept_as_zero_and_counted():
    document = read_mspdi((DATA / "sample.xml").read_bytes())
    odd = dataclasses.replace(document.assignments[0], remaining_work=dt.timedelta(minutes=-30))
    data = write_mspdi(dataclasses.replace(document, assignments=(odd, *document.assignments[1:])))
    result = load("sample.xml", data=data)
    # Repaired once, where the file is read (projects.scheduling.repairs), and listed once in the
    # preview's "Dropped or repaired"; the assignment import then finds nothing left to repair.
    assert [line.text for line in result.repairs] == ["1 assignment: negative remaining work set to 0"]
    assert result.repaired_assignments == 0
    assert ScheduleAssignment.objects.get(external_ref=str(odd.uid)).remaining_work_minutes == 0


@pytest.mark.django_db
def test_units_beyond_range_refuse_the_file_naming_the_assignment_and_write_nothing():
    document = read_mspdi((DATA / "sample.xml").read_bytes())
    odd = dataclasses.replace(document.assignments[0], units=Decimal(5000))
    data = write_mspdi(dataclasses.replace(document, assignments=(odd, *document.assignments[1:])))
    with pytest.raises(ScheduleFileError, match=f"Assignment UID {odd.uid}: Units"):
        load("sample.xml", data=data)
    assert not Project.objects.filter(code="RES").exists()


# -- matching to the pool ----------------------------------------------------------------------------


def _with_resources(*resources: MspdiResource) -> bytes:
    document = read_mspdi((DATA / "sample.xml").read_bytes())
    work = [t for t in document.tasks if t.uid and not t.is_summary][: len(resources)]
    assignments = tuple(
        MspdiAssignment(uid=i + 1, task_uid=t.uid, resource_uid=r.uid, units=Decimal(1), work=dt.timedelta(hours=8))
        for i, (t, r) in enumerate(zip(work, resources, strict=True))
    )
    return write_mspdi(dataclasses.replace(document, resources=resources, assignments=assignments))


@pytest.fixture
def pool(project):
    """The project's pool; the project has no start yet, so a merge takes the file's (sample.xml
    is dated 2003)."""
    Project.objects.filter(pk=project.pk).update(planned_start=None, planned_finish=None)
    portfolio = project.program.portfolio
    return {
        "ann": PersonFactory(portfolio=portfolio, name="Ann Archer", email="ann@corp.example"),
        "bob": PersonFactory(portfolio=portfolio, name="Bob Baker", email="bob@corp.example"),
        "twin1": PersonFactory(portfolio=portfolio, name="Sam Smith", email="sam1@corp.example"),
        "twin2": PersonFactory(portfolio=portfolio, name="Sam Smith", email="sam2@corp.example"),
        "engineer": RoleFactory(portfolio=portfolio, code="ENG", name="Engineer"),
    }


FILE_RESOURCES = (
    MspdiResource(uid=1, name="A. Archer", email="ANN@corp.example"),
    MspdiResource(uid=2, name="bob  baker"),
    MspdiResource(uid=3, name="Sam Smith"),
    MspdiResource(uid=4, name="Engineer"),
    MspdiResource(uid=5, name="Nobody Known"),
)


def _matches(project) -> dict[str, tuple]:
    return {
        m.resource.name: (m.person.name if m.person else None, m.role.name if m.role else None, m.basis)
        for m in ResourceMatch.objects.filter(resource__project=project).select_related("resource", "person", "role")
    }


@pytest.mark.django_db
def test_resources_are_matched_by_email_then_name_then_role_never_guessing(project, pool):
    load("m.xml", CODE, data=_with_resources(*FILE_RESOURCES))
    assert _matches(project) == {
        "A. Archer": ("Ann Archer", None, "email"),
        "bob  baker": ("Bob Baker", None, "name"),
        "Sam Smith": (None, None, ""),  # two people of that name: no guess
        "Engineer": (None, "Engineer", "role"),
        "Nobody Known": (None, None, ""),
    }


@pytest.mark.django_db
def test_a_chosen_match_is_kept_by_the_next_import(project, pool):
    data = _with_resources(*FILE_RESOURCES)
    load("m.xml", CODE, data=data, resource_matches={"3": f"person:{pool['twin2'].pk}", "1": ""})
    load("m.xml", CODE, data=data)
    matches = _matches(project)
    assert matches["Sam Smith"] == ("Sam Smith", None, "chosen")
    assert ResourceMatch.objects.get(resource__name="Sam Smith").person == pool["twin2"]
    assert matches["A. Archer"] == (None, None, "chosen")


@pytest.mark.django_db
def test_a_choice_outside_the_pool_refuses_the_import_and_writes_nothing(project, pool):
    outsider = PersonFactory(name="Someone Else")  # another portfolio's pool
    with pytest.raises(ScheduleFileError, match="Sam Smith: choose a person or role of the project's resource pool"):
        load("m.xml", CODE, data=_with_resources(*FILE_RESOURCES), resource_matches={"3": f"person:{outsider.pk}"})
    assert not ScheduleResource.objects.exists()
    assert not Task.objects.filter(project=project).exists()


# -- the preview's mapping step ---------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_preview_shows_the_mapping_step_and_the_confirm_stores_the_choices(media, project, owner, pool, client_for):
    upload = SimpleUploadedFile("plan.xml", _with_resources(*FILE_RESOURCES), content_type="text/xml")
    job = schedule_import_upload(user=owner, project=project, upload=upload, replace=False)
    client = client_for(owner)
    url = reverse("projects:schedule-import-preview", args=[CODE, job.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="resource-mapping"' in body
    for basis in ("same e-mail", "same name", "role of that name", "no match found"):
        assert basis in body
    assert not ScheduleResource.objects.exists()  # the preview writes nothing

    chosen = {"resources_mapped": "1", **{f"resource-{r.uid}": "" for r in FILE_RESOURCES}}
    chosen["resource-3"] = f"person:{pool['twin1'].pk}"
    page = client.get(url, chosen)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'<option value="person:{pool["twin1"].pk}" selected>' in body
    assert 'name="resource-3" value="person:' in body  # carried to the confirm form

    fingerprint = page.context["preview"].fingerprint
    confirm = reverse("projects:schedule-import-confirm", args=[CODE, job.pk])
    answer = client.post(confirm, {"fingerprint": fingerprint, **chosen})
    assert answer.status_code == 302
    matches = _matches(project)
    assert matches["Sam Smith"] == ("Sam Smith", None, "chosen")
    assert matches["A. Archer"] == (None, None, "chosen")  # left unmatched on purpose


@pytest.mark.django_db
def test_preview_with_a_choice_outside_the_pool_says_so_and_previews_without_it(
    media, project, owner, pool, client_for
):
    upload = SimpleUploadedFile("plan.xml", _with_resources(*FILE_RESOURCES), content_type="text/xml")
    job = schedule_import_upload(user=owner, project=project, upload=upload, replace=False)
    page = client_for(owner).get(
        reverse("projects:schedule-import-preview", args=[CODE, job.pk]),
        {"resources_mapped": "1", "resource-3": "person:999999"},
    )
    assert page.status_code == 422
    assert "choose a person or role of the project&#x27;s resource pool" in page.content.decode()


# -- other formats, through MPXJ -------------------------------------------------------------------


@pytest.mark.mpxj
@pytest.mark.django_db
@pytest.mark.parametrize("suffix", [".xer", ".pmxml", ".mpx"])
def test_resources_and_assignments_survive_mpxj_formats(suffix, program):
    """MPXJ writes the sample as Primavera XER / P6 XML / MPX; importing that file back through
    MPXJ keeps its resources and each assignment's work."""
    from projects.scheduling.mpxj import convert_with_mpxj

    original = load("sample.xml", "ORIG", program=program)
    converted = convert_with_mpxj(DATA / "sample.xml", suffix)
    result = schedule_import(actor=None, data=converted, filename=f"plan{suffix}", project_code="CONV", program=program)
    names = lambda p: sorted(ScheduleResource.objects.filter(project=p).values_list("name", flat=True))  # noqa: E731
    assert names(result.project) == names(original.project)
    work = lambda p: sorted(  # noqa: E731
        ScheduleAssignment.objects.filter(task__project=p).values_list("task__name", "resource__name", "work_minutes")
    )
    assert work(result.project) == work(original.project)


# -- the API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_preview_lists_the_resources_and_confirm_takes_the_matches(media, project, owner, pool, api_for):
    client = api_for(owner)
    payload = {"file": SimpleUploadedFile("plan.xml", _with_resources(*FILE_RESOURCES), content_type="text/xml")}
    preview = client.post(f"/api/v1/projects/{project.pk}/schedule-import/", payload, format="multipart").json()
    listed = {r["name"]: (r["choice"], r["basis"], r["assignments"]) for r in preview["resources"]}
    assert listed["A. Archer"] == (f"person:{pool['ann'].pk}", "email", 1)
    assert listed["Sam Smith"] == ("", "", 1)
    bad = client.post(
        preview["confirm_url"],
        {"fingerprint": preview["fingerprint"], "resource_matches": {"3": "someone"}},
        format="json",
    )
    assert bad.status_code == 400
    response = client.post(
        preview["confirm_url"],
        {"fingerprint": preview["fingerprint"], "resource_matches": {"3": f"person:{pool['twin1'].pk}"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["resources"], response.json()["assignments"]) == (5, 5)
    assert ResourceMatch.objects.get(resource__name="Sam Smith").person == pool["twin1"]
