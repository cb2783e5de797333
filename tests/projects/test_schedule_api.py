"""/api/v1/ schedule resources: tasks, dependencies, calendars, baselines, baseline-tasks, and
the project actions set-baseline, schedule-import, schedule-export and critical-path."""

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from core.models import AuditEntry
from projects.models import Baseline, BaselineTask, Calendar, CalendarException, Dependency, Project, Task
from projects.scheduling import read_mspdi
from projects.services.schedule import (
    CALENDAR_WITHOUT_WORK,
    CROSS_PROGRAM_LINK,
    DUPLICATE_LINK,
    PARENT_OTHER_PROJECT,
    baseline_set,
    dependency_create,
    task_create,
)
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.users import UserFactory

TASKS = "/api/v1/tasks/"
LINKS = "/api/v1/dependencies/"
CALENDARS = "/api/v1/calendars/"
BASELINES = "/api/v1/baselines/"
BASELINE_TASKS = "/api/v1/baseline-tasks/"
DATA = Path(__file__).parent / "data" / "mspdi"
DAY = 480
READERS = ["member", "executive"]
EDITORS = ["owner", "project_manager"]


def at(y, m, d, h=8) -> str:
    """A UTC moment as the API writes it."""
    return dt.datetime(y, m, d, h, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def url(base: str, obj) -> str:
    return f"{base}{obj.pk}/"


def action(project, name: str) -> str:
    return f"/api/v1/projects/{project.pk}/{name}/"


def fields_of(response) -> list:
    return [error["field"] for error in response.json()["errors"]]


@pytest.fixture
def plan(project, owner):
    """Design (5d) → Build (10d) → Go-live (milestone), and Training (3d) with float; the
    project starts Monday 2026-03-02 and works the standard week in UTC."""
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    design = task_create(actor=owner, project=project, name="Design", duration_minutes=5 * DAY)
    build = task_create(actor=owner, project=project, name="Build", duration_minutes=10 * DAY)
    live = task_create(actor=owner, project=project, name="Go-live", duration_minutes=0, is_milestone=True)
    task_create(actor=owner, project=project, name="Training", duration_minutes=3 * DAY)
    dependency_create(actor=owner, predecessor=design, successor=build)
    dependency_create(actor=owner, predecessor=build, successor=live)
    return {t.name: t for t in Task.objects.filter(project=project)}


@pytest.fixture
def sibling(program):
    """Another project of the cast's program: the owner edits it, the project-level cast
    (project_manager, member) cannot see it."""
    other = ProjectFactory(program=program, code="MOD-CRM", planned_start=dt.date(2026, 3, 2))
    return other


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", is_superuser=True)


# -- tasks ---------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestTaskAccess:
    @pytest.mark.parametrize("who", [*EDITORS, *READERS])
    def test_cast_with_a_role_lists_and_reads_tasks(self, request, api_for, plan, project, who):
        client = api_for(request.getfixturevalue(who))
        rows = client.get(TASKS, {"project": project.pk}).json()["results"]
        assert [r["name"] for r in rows] == ["Design", "Build", "Go-live", "Training"]
        response = client.get(url(TASKS, plan["Build"]))
        assert response.status_code == 200
        assert response["ETag"] == f'"{plan["Build"].version}"'
        body = response.json()
        assert (body["project_code"], body["outline_number"], body["duration_days"]) == ("MOD-ERP", "2", "10.00")
        assert (body["start"], body["finish"], body["is_critical"]) == (at(2026, 3, 9), at(2026, 3, 20, 17), True)

    def test_outsider_gets_404_and_an_empty_list(self, api_for, outsider, plan):
        client = api_for(outsider)
        assert client.get(TASKS).json()["results"] == []
        design = plan["Design"]
        assert client.get(url(TASKS, design)).status_code == 404
        assert client.patch(url(TASKS, design), {"name": "Mine"}, format="json").status_code == 404
        assert client.delete(url(TASKS, design)).status_code == 404
        assert Task.objects.get(pk=design.pk).name == "Design"

    @pytest.mark.parametrize("who", READERS)
    def test_readers_get_403_for_writes(self, request, api_for, plan, project, who):
        client = api_for(request.getfixturevalue(who))
        design = plan["Design"]
        response = client.patch(url(TASKS, design), {"name": "Renamed"}, format="json")
        assert response.status_code == 403
        assert response.json()["status"] == 403
        assert client.delete(url(TASKS, design)).status_code == 403
        response = client.post(TASKS, {"project": project.pk, "name": "Extra"}, format="json")
        assert response.status_code == 403
        assert Task.objects.filter(project=project).count() == 4
        design.refresh_from_db()
        assert (design.name, design.version) == ("Design", 1)

    @pytest.mark.parametrize("who", EDITORS)
    def test_managers_create_and_edit(self, request, api_for, plan, project, who):
        client = api_for(request.getfixturevalue(who))
        response = client.post(TASKS, {"project": project.pk, "name": "Handover", "duration_minutes": 2 * DAY})
        assert response.status_code == 201, response.json()
        assert response["ETag"] == '"1"'
        body = response.json()
        # Scheduled at once: at the project start, on the standard calendar.
        assert (body["outline_number"], body["duration_days"]) == ("5", "2.00")
        assert (body["start"], body["finish"]) == (at(2026, 3, 2), at(2026, 3, 3, 17))
        assert body["total_float_minutes"] == 13 * DAY
        response = client.patch(url(TASKS, plan["Training"]), {"notes": "Two sessions"}, format="json")
        assert response.status_code == 200, response.json()
        assert response["ETag"] == '"2"'

    def test_anonymous_gets_401(self, api_for, plan):
        assert api_for(None).get(TASKS).status_code == 401


@pytest.mark.django_db
class TestTaskScheduling:
    def test_patching_a_duration_moves_the_successors(self, api_for, owner, plan):
        client = api_for(owner)
        response = client.patch(url(TASKS, plan["Design"]), {"duration_minutes": 7 * DAY}, format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["finish"], body["duration_days"], body["version"]) == (at(2026, 3, 10, 17), "7.00", 2)
        build = Task.objects.get(pk=plan["Build"].pk)
        assert (build.start, build.finish) == (
            dt.datetime(2026, 3, 11, 8, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 24, 17, tzinfo=dt.UTC),
        )
        assert client.get(url(TASKS, plan["Go-live"])).json()["start"] == at(2026, 3, 24, 17)
        entry = AuditEntry.objects.get(object_type="projects.task", action="update")
        assert entry.changes["duration_minutes"] == [str(5 * DAY), str(7 * DAY)]

    def test_computed_fields_sent_are_ignored(self, api_for, owner, plan):
        training = plan["Training"]
        payload = {
            "name": "Training v2",
            "start": "2030-01-01T08:00:00Z",
            "finish": "2030-01-01T17:00:00Z",
            "early_start": "2030-01-01T08:00:00Z",
            "late_finish": "2030-01-01T17:00:00Z",
            "total_float_minutes": 1,
            "free_float_minutes": 1,
            "is_critical": True,
            "is_summary": True,
            "outline_number": "9.9",
            "duration_days": "99.00",
            "version": 42,
        }
        response = api_for(owner).patch(url(TASKS, training), payload, format="json")
        assert response.status_code == 200, response.json()
        after = Task.objects.get(pk=training.pk)
        assert after.name == "Training v2"
        assert (after.start, after.finish, after.late_finish) == (training.start, training.finish, training.late_finish)
        assert (after.total_float_minutes, after.free_float_minutes) == (12 * DAY, 12 * DAY)
        assert (after.is_critical, after.is_summary, after.outline_number) == (False, False, "4")
        assert (after.duration_minutes, after.version) == (3 * DAY, 2)

    def test_a_subtask_makes_its_parent_a_summary(self, api_for, owner, plan, project):
        client = api_for(owner)
        payload = {"project": project.pk, "name": "Build API", "parent": plan["Build"].pk, "duration_minutes": DAY}
        response = client.post(TASKS, payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["outline_number"] == "2.1"
        build = client.get(url(TASKS, plan["Build"])).json()
        assert build["is_summary"] is True
        rows = client.get(TASKS, {"parent": plan["Build"].pk}).json()["results"]
        assert [r["name"] for r in rows] == ["Build API"]

    def test_stale_if_match_is_412_and_nothing_changes(self, api_for, owner, project_manager, plan):
        design = plan["Design"]
        first, second = api_for(owner), api_for(project_manager)
        etag = first.get(url(TASKS, design))["ETag"]
        assert second.patch(url(TASKS, design), {"name": "PM's"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
        response = first.patch(url(TASKS, design), {"duration_minutes": DAY}, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 412
        assert response.json()["status"] == 412
        design.refresh_from_db()
        assert (design.name, design.duration_minutes, design.version) == ("PM's", 5 * DAY, 2)
        assert first.delete(url(TASKS, design), HTTP_IF_MATCH=etag).status_code == 412
        assert Task.objects.filter(pk=design.pk).exists()

    def test_delete_reschedules_what_remains(self, api_for, owner, plan):
        client = api_for(owner)
        build = plan["Build"]
        assert client.delete(url(TASKS, build), HTTP_IF_MATCH=f'"{build.version}"').status_code == 204
        assert not Task.objects.filter(pk=build.pk).exists()
        live = Task.objects.get(pk=plan["Go-live"].pk)
        assert live.start == dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)  # no predecessor any more
        assert [t.outline_number for t in Task.objects.filter(project=build.project)] == ["1", "2", "3"]


@pytest.mark.django_db
class TestTaskValidation:
    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"duration_minutes": -480}, "duration_minutes"),
            ({"duration_minutes": "abc"}, "duration_minutes"),
            ({"duration_minutes": 10**12}, "duration_minutes"),
            ({"percent_complete": "150"}, "percent_complete"),
            ({"percent_complete": "NaN"}, "percent_complete"),
            ({"constraint_type": "SNET"}, "constraint_date"),
            ({"constraint_type": "MFO", "constraint_date": None}, "constraint_date"),
            ({"constraint_type": "SOON"}, "constraint_type"),
            ({"constraint_type": "MSO", "constraint_date": "9999-12-31T08:00:00Z"}, "constraint_date"),
            ({"deadline": "0001-01-01T08:00:00Z"}, "deadline"),
            ({"is_milestone": True}, "duration_minutes"),
            ({"is_manual": True}, "manual_start"),
            ({"actual_start": "2026-03-05T08:00:00Z", "actual_finish": "2026-03-04T08:00:00Z"}, "actual_finish"),
            ({"remaining_minutes": -1}, "remaining_minutes"),
            ({"parent": 999999}, "parent"),
            ({"calendar": 999999}, "calendar"),
            ({"name": ""}, "name"),
            ({"cost": "-1.00"}, "cost"),
        ],
    )
    def test_bad_patch_is_400_naming_the_field_and_nothing_changes(self, api_for, owner, plan, payload, field):
        design = plan["Design"]
        response = api_for(owner).patch(url(TASKS, design), payload, format="json")
        assert response.status_code == 400, response.json()
        assert fields_of(response) == [field]
        after = Task.objects.get(pk=design.pk)
        assert (after.version, after.duration_minutes, after.start) == (1, 5 * DAY, design.start)

    def test_snet_with_a_date_is_accepted_and_honoured(self, api_for, owner, plan):
        payload = {"constraint_type": "SNET", "constraint_date": "2026-03-16T08:00:00Z"}
        response = api_for(owner).patch(url(TASKS, plan["Training"]), payload, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["start"] == at(2026, 3, 16)

    def test_parent_in_another_project_is_400_naming_parent(self, api_for, owner, plan, sibling):
        elsewhere = task_create(actor=owner, project=sibling, name="CRM design", duration_minutes=DAY)
        response = api_for(owner).patch(url(TASKS, plan["Training"]), {"parent": elsewhere.pk}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == [{"field": "parent", "code": "invalid", "message": PARENT_OTHER_PROJECT}]
        assert Task.objects.get(pk=plan["Training"].pk).parent_id is None

    def test_calendar_of_another_project_is_400_naming_calendar(self, api_for, owner, plan, sibling):
        theirs = Calendar.objects.create(name="CRM hours", project=sibling)
        response = api_for(owner).patch(url(TASKS, plan["Training"]), {"calendar": theirs.pk}, format="json")
        assert response.status_code == 400
        assert fields_of(response) == ["calendar"]

    def test_project_is_fixed_after_creation(self, api_for, owner, plan, sibling):
        response = api_for(owner).patch(url(TASKS, plan["Training"]), {"project": sibling.pk}, format="json")
        assert response.status_code == 400
        assert fields_of(response) == ["project"]

    def test_create_in_an_invisible_project_is_400_naming_project(self, api_for, outsider, project):
        response = api_for(outsider).post(TASKS, {"project": project.pk, "name": "Sneaky"}, format="json")
        assert response.status_code == 400
        assert fields_of(response) == ["project"]
        assert not Task.objects.exists()

    def test_create_with_a_constraint_and_no_date_writes_nothing(self, api_for, owner, project):
        payload = {"project": project.pk, "name": "Fixed", "constraint_type": "MSO"}
        response = api_for(owner).post(TASKS, payload, format="json")
        assert response.status_code == 400
        assert fields_of(response) == ["constraint_date"]
        assert "Must start on" in response.json()["errors"][0]["message"]
        assert not Task.objects.exists()


@pytest.mark.django_db
class TestTaskFilters:
    def test_filters_search_and_ordering(self, api_for, owner, plan, project, sibling):
        task_create(actor=owner, project=sibling, name="CRM design", duration_minutes=DAY)
        client = api_for(owner)

        def names(params):
            response = client.get(TASKS, params)
            assert response.status_code == 200, response.json()
            return [r["name"] for r in response.json()["results"]]

        assert names({"project": project.pk, "is_critical": "true"}) == ["Design", "Build", "Go-live"]
        assert names({"is_milestone": "true"}) == ["Go-live"]
        assert names({"program": project.program_id, "search": "design"}) == ["CRM design", "Design"]  # by project
        assert names({"project": sibling.pk}) == ["CRM design"]
        assert names({"project": project.pk, "ordering": "-duration_minutes"}) == [
            "Build",
            "Design",
            "Training",
            "Go-live",
        ]
        assert names({"project": project.pk, "ordering": "total_float_minutes", "page_size": 1, "page": 4}) == [
            "Training"
        ]

    def test_bad_filter_value_is_400_naming_it(self, api_for, owner, plan):
        response = api_for(owner).get(TASKS, {"project": "abc"})
        assert response.status_code == 400
        assert fields_of(response) == ["project"]


# -- dependencies ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestDependencies:
    def test_linking_reschedules_the_successor(self, api_for, owner, plan):
        payload = {"predecessor": plan["Build"].pk, "successor": plan["Training"].pk, "lag_minutes": DAY}
        response = api_for(owner).post(LINKS, payload, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["type"], body["lag_days"], body["predecessor_name"]) == ("FS", "1.00", "Build")
        training = Task.objects.get(pk=plan["Training"].pk)
        assert training.start == dt.datetime(2026, 3, 24, 8, tzinfo=dt.UTC)  # Build finishes Fri 20th, +1 day

    def test_cycle_is_400_naming_the_tasks_and_nothing_is_written(self, api_for, owner, plan):
        def state():
            return Dependency.objects.count(), list(Task.objects.values_list("pk", "start", "finish", "version"))

        before = state()
        payload = {"predecessor": plan["Go-live"].pk, "successor": plan["Design"].pk}
        response = api_for(owner).post(LINKS, payload, format="json")
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["field"] == "predecessor"
        assert "cycle" in error["message"].lower()
        for name in ("Design", "Build", "Go-live"):
            assert name in error["message"]
        assert (
            Dependency.objects.count(),
            list(Task.objects.values_list("pk", "start", "finish", "version")),
        ) == before
        assert not AuditEntry.objects.filter(object_type="projects.dependency", action="create").exclude(
            object_id__in=[str(pk) for pk in Dependency.objects.values_list("pk", flat=True)]
        )

    def test_link_to_a_project_of_another_program_is_400(self, api_for, admin, plan, portfolio):
        elsewhere = ProjectFactory(program=ProgramFactory(portfolio=portfolio, code="ELSE"))
        foreign = task_create(actor=admin, project=elsewhere, name="Foreign", duration_minutes=DAY)
        payload = {"predecessor": foreign.pk, "successor": plan["Training"].pk}
        response = api_for(admin).post(LINKS, payload, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0] == {
            "field": "predecessor",
            "code": "invalid",
            "message": CROSS_PROGRAM_LINK,
        }
        assert Dependency.objects.count() == 2

    def test_link_across_projects_of_one_program_moves_the_downstream_project(self, api_for, owner, plan, sibling):
        crm = task_create(actor=owner, project=sibling, name="CRM cutover", duration_minutes=DAY)
        payload = {"predecessor": plan["Go-live"].pk, "successor": crm.pk}
        response = api_for(owner).post(LINKS, payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["successor_project_code"] == "MOD-CRM"
        assert Task.objects.get(pk=crm.pk).start == dt.datetime(2026, 3, 23, 8, tzinfo=dt.UTC)

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"lag_minutes": "1.5"}, "lag_minutes"),
            ({"lag_minutes": "soon"}, "lag_minutes"),
            ({"lag_minutes": 10**12}, "lag_minutes"),
            ({"predecessor": 999999}, "predecessor"),
            ({"successor": 999999}, "successor"),
            ({"predecessor": None}, "predecessor"),
            ({"type": "XX"}, "type"),
            ({"lag_percent": "abc"}, "lag_percent"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, api_for, owner, plan, change, field):
        payload = {"predecessor": plan["Design"].pk, "successor": plan["Training"].pk} | change
        response = api_for(owner).post(LINKS, payload, format="json")
        assert response.status_code == 400, response.json()
        assert fields_of(response) == [field]
        assert Dependency.objects.count() == 2

    def test_self_link_and_duplicate_are_400_naming_predecessor(self, api_for, owner, plan):
        client = api_for(owner)
        design = plan["Design"].pk
        response = client.post(LINKS, {"predecessor": design, "successor": design}, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["predecessor"])
        response = client.post(LINKS, {"predecessor": design, "successor": plan["Build"].pk}, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["predecessor"])
        assert response.json()["errors"][0]["message"] == DUPLICATE_LINK

    def test_predecessor_the_user_cannot_see_is_400(self, api_for, owner, project_manager, plan, sibling):
        hidden = task_create(actor=owner, project=sibling, name="CRM design", duration_minutes=DAY)
        payload = {"predecessor": hidden.pk, "successor": plan["Training"].pk}
        response = api_for(project_manager).post(LINKS, payload, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0] | {"message": ""} == {
            "field": "predecessor",
            "code": "does_not_exist",
            "message": "",
        }

    @pytest.mark.parametrize("who", READERS)
    def test_successor_in_a_project_the_user_cannot_edit_is_403(self, request, api_for, plan, who):
        payload = {"predecessor": plan["Design"].pk, "successor": plan["Training"].pk}
        response = api_for(request.getfixturevalue(who)).post(LINKS, payload, format="json")
        assert response.status_code == 403
        assert Dependency.objects.count() == 2

    def test_access_to_existing_links(self, api_for, owner, member, outsider, plan):
        link = Dependency.objects.get(successor=plan["Build"])
        assert api_for(member).get(url(LINKS, link)).status_code == 200
        assert api_for(member).patch(url(LINKS, link), {"lag_minutes": DAY}, format="json").status_code == 403
        assert api_for(member).delete(url(LINKS, link)).status_code == 403
        outside = api_for(outsider)
        assert outside.get(LINKS).json()["results"] == []
        assert outside.get(url(LINKS, link)).status_code == 404
        assert outside.patch(url(LINKS, link), {"lag_minutes": DAY}, format="json").status_code == 404
        assert outside.delete(url(LINKS, link)).status_code == 404
        assert Dependency.objects.get(pk=link.pk).lag_minutes == 0

    def test_changing_the_lag_reschedules_and_the_ends_are_fixed(self, api_for, owner, plan):
        client = api_for(owner)
        link = Dependency.objects.get(successor=plan["Build"])
        response = client.patch(url(LINKS, link), {"lag_minutes": 2 * DAY, "type": "FS"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["lag_days"] == "2.00"
        assert Task.objects.get(pk=plan["Build"].pk).start == dt.datetime(2026, 3, 11, 8, tzinfo=dt.UTC)
        response = client.patch(url(LINKS, link), {"successor": plan["Training"].pk}, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["successor"])

    def test_deleting_a_link_reschedules(self, api_for, owner, plan):
        link = Dependency.objects.get(successor=plan["Go-live"])
        assert api_for(owner).delete(url(LINKS, link)).status_code == 204
        assert Task.objects.get(pk=plan["Go-live"].pk).start == dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)

    def test_filters(self, api_for, owner, plan, project):
        client = api_for(owner)
        rows = client.get(LINKS, {"task": plan["Build"].pk}).json()["results"]
        assert sorted((r["predecessor_name"], r["successor_name"]) for r in rows) == [
            ("Build", "Go-live"),
            ("Design", "Build"),
        ]
        assert len(client.get(LINKS, {"project": project.pk, "type": "FS"}).json()["results"]) == 2
        assert client.get(LINKS, {"type": "SS"}).json()["results"] == []


# -- calendars -------------------------------------------------------------------------------------

HOLIDAY = {"name": "Founders' day", "start_date": "2026-03-04", "end_date": "2026-03-04", "work_intervals": []}


@pytest.mark.django_db
class TestCalendars:
    def create(self, client, project, **fields):
        payload = {"project": project.pk, "name": "ERP hours"} | fields
        return client.post(CALENDARS, payload, format="json")

    @pytest.mark.parametrize("who", EDITORS)
    def test_managers_create_a_project_calendar_with_exceptions(self, request, api_for, project, who):
        response = self.create(api_for(request.getfixturevalue(who)), project, exceptions=[HOLIDAY])
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["project_code"], body["work_week"]["0"], body["work_week"]["6"]) == (
            "MOD-ERP",
            [["08:00", "12:00"], ["13:00", "17:00"]],
            [],
        )
        assert [(e["name"], e["start_date"]) for e in body["exceptions"]] == [("Founders' day", "2026-03-04")]

    @pytest.mark.parametrize("who", READERS)
    def test_readers_get_403(self, request, api_for, project, who):
        client = api_for(request.getfixturevalue(who))
        assert self.create(client, project).status_code == 403
        calendar = Calendar.objects.create(name="ERP hours", project=project)
        assert client.get(url(CALENDARS, calendar)).status_code == 200
        assert client.patch(url(CALENDARS, calendar), {"name": "x"}, format="json").status_code == 403
        assert client.delete(url(CALENDARS, calendar)).status_code == 403
        assert Calendar.objects.get().name == "ERP hours"

    def test_outsider_gets_404_but_reads_shared_calendars(self, api_for, outsider, project):
        mine = Calendar.objects.create(name="ERP hours", project=project)
        shared = Calendar.objects.create(name="Company")
        client = api_for(outsider)
        assert [c["name"] for c in client.get(CALENDARS).json()["results"]] == ["Company"]
        assert client.get(url(CALENDARS, mine)).status_code == 404
        assert client.patch(url(CALENDARS, mine), {"name": "x"}, format="json").status_code == 404
        assert client.patch(url(CALENDARS, shared), {"name": "x"}, format="json").status_code == 403

    def test_shared_calendars_are_for_administrators(self, api_for, owner, admin):
        payload = {"name": "Company", "project": None}
        assert api_for(owner).post(CALENDARS, payload, format="json").status_code == 403
        response = api_for(admin).post(CALENDARS, payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["project"] is None

    def test_exceptions_are_replaced_and_the_users_rescheduled(self, api_for, owner, plan, project):
        calendar = Calendar.objects.create(name="ERP hours", project=project)
        CalendarException.objects.create(calendar=calendar, name="Old", start_date="2026-06-01", end_date="2026-06-01")
        Project.objects.filter(pk=project.pk).update(calendar=calendar)
        client = api_for(owner)
        response = client.patch(url(CALENDARS, calendar), {"exceptions": [HOLIDAY]}, format="json", HTTP_IF_MATCH='"1"')
        assert response.status_code == 200, response.json()
        assert response["ETag"] == '"2"'
        assert [e["name"] for e in response.json()["exceptions"]] == ["Founders' day"]
        assert list(CalendarException.objects.values_list("name", flat=True)) == ["Founders' day"]
        design = Task.objects.get(pk=plan["Design"].pk)
        assert design.finish == dt.datetime(2026, 3, 9, 17, tzinfo=dt.UTC)  # one day later
        assert AuditEntry.objects.filter(object_type="projects.calendar", changes__has_key="exceptions").exists()
        # Leaving `exceptions` out leaves them alone; an empty list clears them.
        assert client.patch(url(CALENDARS, calendar), {"name": "ERP"}, format="json").json()["exceptions"]
        response = client.patch(url(CALENDARS, calendar), {"exceptions": []}, format="json")
        assert response.json()["exceptions"] == []
        assert Task.objects.get(pk=plan["Design"].pk).finish == dt.datetime(2026, 3, 6, 17, tzinfo=dt.UTC)

    def test_changing_a_base_calendar_reschedules_users_of_derived_ones(self, api_for, admin, plan, project):
        company = Calendar.objects.create(name="Company")
        derived = Calendar.objects.create(name="ERP hours", project=project, base_calendar=company, work_week={})
        Task.objects.filter(pk=plan["Design"].pk).update(calendar=derived)
        client = api_for(admin)
        week = {str(day): [["08:00", "12:00"], ["13:00", "17:00"]] for day in range(4)} | {"4": [], "5": [], "6": []}
        response = client.patch(url(CALENDARS, company), {"work_week": week}, format="json")
        assert response.status_code == 200, response.json()
        # Five days on a four-day week: Mon-Thu, then Monday.
        assert Task.objects.get(pk=plan["Design"].pk).finish == dt.datetime(2026, 3, 9, 17, tzinfo=dt.UTC)

    def test_stale_if_match_is_412(self, api_for, owner, project):
        calendar = Calendar.objects.create(name="ERP hours", project=project)
        client = api_for(owner)
        assert client.patch(url(CALENDARS, calendar), {"name": "A"}, format="json").status_code == 200
        response = client.patch(url(CALENDARS, calendar), {"name": "B"}, format="json", HTTP_IF_MATCH='"1"')
        assert response.status_code == 412
        assert Calendar.objects.get(pk=calendar.pk).name == "A"

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"work_week": {"7": []}}, "work_week"),
            ({"work_week": {"0": [["17:00", "08:00"]]}}, "work_week.0"),
            ({"work_week": {"0": [["8am", "17:00"]]}}, "work_week.0[0][0]"),
            ({"work_week": {"0": [["08:00"]]}}, "work_week.0[0]"),
            ({"work_week": {"0": "08:00-17:00"}}, "work_week.0"),
            ({"work_week": {str(day): [] for day in range(7)}}, "work_week"),
            ({"exceptions": [HOLIDAY | {"end_date": "2026-03-01"}]}, "exceptions[0].end_date"),
            ({"exceptions": [HOLIDAY | {"work_intervals": [["09:00", "09:00"]]}]}, "exceptions[0].work_intervals"),
            ({"exceptions": [{"name": "No dates"}]}, "exceptions[0].start_date"),
            ({"exceptions": [HOLIDAY, HOLIDAY | {"name": "Again"}]}, "exceptions"),
            ({"work_weeks": [{"start": "2026-07-01", "end": "2026-06-01", "week": {}}]}, "work_weeks[0].end"),
            ({"base_calendar": 999999}, "base_calendar"),
            ({"name": ""}, "name"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, api_for, owner, project, payload, field):
        calendar = Calendar.objects.create(name="ERP hours", project=project)
        response = api_for(owner).patch(url(CALENDARS, calendar), payload, format="json")
        assert response.status_code == 400, response.json()
        assert fields_of(response) == [field]
        assert Calendar.objects.get(pk=calendar.pk).version == 1
        assert not CalendarException.objects.exists()

    def test_a_week_without_work_says_so(self, api_for, owner, project):
        response = self.create(api_for(owner), project, work_week={str(day): [] for day in range(7)})
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"] == CALENDAR_WITHOUT_WORK
        assert not Calendar.objects.exists()

    def test_base_calendar_must_be_shared_or_of_the_same_project_and_not_circular(
        self, api_for, owner, project, sibling
    ):
        client = api_for(owner)
        theirs = Calendar.objects.create(name="CRM hours", project=sibling)
        response = self.create(client, project, base_calendar=theirs.pk)
        assert (response.status_code, fields_of(response)) == (400, ["base_calendar"])
        first = Calendar.objects.create(name="First", project=project)
        second = Calendar.objects.create(name="Second", project=project, base_calendar=first)
        response = client.patch(url(CALENDARS, first), {"base_calendar": second.pk}, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["base_calendar"])

    def test_delete_reschedules_users_and_a_base_calendar_is_protected(self, api_for, owner, plan, project):
        calendar = Calendar.objects.create(name="ERP hours", project=project)
        CalendarException.objects.create(calendar=calendar, start_date="2026-03-04", end_date="2026-03-04")
        Project.objects.filter(pk=project.pk).update(calendar=calendar)
        client = api_for(owner)
        derived = Calendar.objects.create(name="Derived", project=project, base_calendar=calendar)
        response = client.delete(url(CALENDARS, calendar))
        assert response.status_code == 409
        assert response.json()["status"] == 409
        derived.delete()
        # Rescheduled with the holiday first, so the delete visibly moves the dates back.
        client.patch(url(CALENDARS, calendar), {"name": "ERP"}, format="json")
        assert Task.objects.get(pk=plan["Design"].pk).finish == dt.datetime(2026, 3, 9, 17, tzinfo=dt.UTC)
        assert client.delete(url(CALENDARS, calendar), HTTP_IF_MATCH='"2"').status_code == 204
        assert Task.objects.get(pk=plan["Design"].pk).finish == dt.datetime(2026, 3, 6, 17, tzinfo=dt.UTC)

    def test_a_task_on_its_own_calendar(self, api_for, owner, plan, project):
        client = api_for(owner)
        calendar = self.create(client, project, exceptions=[HOLIDAY]).json()
        response = client.patch(url(TASKS, plan["Design"]), {"calendar": calendar["id"]}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["finish"] == at(2026, 3, 9, 17)
        assert [c["name"] for c in client.get(CALENDARS, {"project": project.pk}).json()["results"]] == ["ERP hours"]


# -- baselines -------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestBaselines:
    @pytest.mark.parametrize("who", EDITORS)
    def test_editors_set_a_baseline_and_read_its_values(self, request, api_for, plan, project, who):
        client = api_for(request.getfixturevalue(who))
        response = client.post(action(project, "set-baseline"), {"number": 1, "name": "Approved"}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["number"], body["name"], body["task_count"], body["project_code"]) == (1, "Approved", 4, "MOD-ERP")
        rows = client.get(BASELINE_TASKS, {"baseline": body["id"], "ordering": "task__sort_order"}).json()["results"]
        assert [(r["task_name"], r["duration_days"]) for r in rows][:2] == [("Design", "5.00"), ("Build", "10.00")]
        assert rows[1]["start"] == rows[1]["current_start"] == at(2026, 3, 9)
        by_number = client.get(BASELINE_TASKS, {"project": project.pk, "number": 1}).json()["results"]
        assert len(by_number) == 4
        assert [b["number"] for b in client.get(BASELINES, {"project": project.pk}).json()["results"]] == [1]

    def test_setting_a_number_again_replaces_it(self, api_for, owner, plan, project):
        client = api_for(owner)
        client.post(action(project, "set-baseline"), {"number": 0}, format="json")
        client.patch(url(TASKS, plan["Design"]), {"duration_minutes": 7 * DAY}, format="json")
        response = client.post(action(project, "set-baseline"), {"number": 0}, format="json")
        assert response.status_code == 201
        assert Baseline.objects.filter(project=project).count() == 1
        value = BaselineTask.objects.get(baseline__number=0, task=plan["Design"])
        assert value.duration_minutes == 7 * DAY

    @pytest.mark.parametrize(("number", "field"), [(11, "number"), (-1, "number"), ("x", "number")])
    def test_bad_number_is_400(self, api_for, owner, plan, project, number, field):
        response = api_for(owner).post(action(project, "set-baseline"), {"number": number}, format="json")
        assert (response.status_code, fields_of(response)) == (400, [field])
        assert not Baseline.objects.exists()

    @pytest.mark.parametrize("who", READERS)
    def test_readers_get_403_but_read_baselines(self, request, api_for, owner, plan, project, who):
        baseline = baseline_set(actor=owner, project=project, number=0)
        client = api_for(request.getfixturevalue(who))
        assert client.post(action(project, "set-baseline"), {"number": 2}, format="json").status_code == 403
        assert Baseline.objects.count() == 1
        assert client.get(url(BASELINES, baseline)).json()["task_count"] == 4
        assert len(client.get(BASELINE_TASKS, {"baseline": baseline.pk}).json()["results"]) == 4

    def test_outsider_gets_404(self, api_for, owner, outsider, plan, project):
        baseline = baseline_set(actor=owner, project=project, number=0)
        client = api_for(outsider)
        assert client.post(action(project, "set-baseline"), {"number": 2}, format="json").status_code == 404
        assert client.get(BASELINES).json()["results"] == []
        assert client.get(BASELINE_TASKS).json()["results"] == []
        assert client.get(url(BASELINES, baseline)).status_code == 404
        assert client.post(BASELINES, {"number": 1}, format="json").status_code == 405


# -- files and the critical path ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded schedule files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, project, data: bytes, name="plan.xml", **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = {"file": SimpleUploadedFile(name, data, content_type="application/xml")} | fields
    return client.post(action(project, "schedule-import"), payload, format="multipart")


@pytest.mark.django_db
class TestScheduleFiles:
    def test_import_previews_then_confirms_then_reimport_changes_nothing(self, api_for, project_manager, project):
        client = api_for(project_manager)
        data = (DATA / "mspdirelations.xml").read_bytes()
        response = upload(client, project, data)
        assert response.status_code == 200, response.json()
        preview = response.json()
        assert [t["name"] for t in preview["added"]] == [f"Task {n}" for n in range(1, 6)]
        assert (preview["removed"], preview["finish_before"]) == ([], None)
        assert preview["finish_after"].startswith("2026-01-07")  # the plan's start, 5 Jan 2026, stays
        assert not Task.objects.filter(project=project).exists()  # a preview writes nothing
        response = client.post(preview["confirm_url"], {"fingerprint": preview["fingerprint"]}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["project_code"], body["tasks_created"], body["links"]) == ("MOD-ERP", 5, 4)
        assert not Task.objects.filter(project=project, start__isnull=True).exists()  # scheduled
        again = upload(client, project, data).json()
        assert again["changes_nothing"] is True
        response = client.post(again["confirm_url"], {"fingerprint": again["fingerprint"]}, format="json")
        assert (response.status_code, response.json()["tasks_created"], response.json()["tasks_updated"]) == (200, 0, 5)
        assert Task.objects.filter(project=project).count() == 5
        repeat = client.post(again["confirm_url"], {"fingerprint": again["fingerprint"]}, format="json")
        assert repeat.status_code == 409

    def test_replace_deletes_only_once_explicitly_confirmed(self, api_for, owner, plan, project):
        client = api_for(owner)
        preview = upload(client, project, (DATA / "mspdirelations.xml").read_bytes(), replace="true").json()
        assert {t["name"] for t in preview["removed"]} == set(plan)
        url, fingerprint = preview["confirm_url"], preview["fingerprint"]
        response = client.post(url, {"fingerprint": fingerprint}, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["confirm_replace"])
        assert Task.objects.filter(pk=plan["Design"].pk).exists()
        response = client.post(url, {"fingerprint": fingerprint, "confirm_replace": True}, format="json")
        assert response.status_code == 201, response.json()
        assert not Task.objects.filter(pk=plan["Design"].pk).exists()
        assert Task.objects.filter(project=project).count() == 5

    def test_a_stale_preview_is_409_and_writes_nothing(self, api_for, owner, plan, project):
        client = api_for(owner)
        preview = upload(client, project, (DATA / "mspdirelations.xml").read_bytes()).json()
        Task.objects.filter(pk=plan["Training"].pk).update(name="Renamed", version=F("version") + 1)
        response = client.post(preview["confirm_url"], {"fingerprint": preview["fingerprint"]}, format="json")
        assert response.status_code == 409
        assert "changed after this preview" in str(response.json())
        assert Task.objects.filter(project=project).count() == len(plan)

    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            ((DATA / "mspdirelations.xml").read_bytes()[:5000], "line"),
            (b"<Project xmlns='http://schemas.microsoft.com/project'><Tasks><Task>", "line"),
        ],
    )
    def test_malformed_file_is_400_on_file_and_nothing_is_written(self, api_for, owner, plan, project, data, reason):
        before = list(Task.objects.values_list("pk", "name", "start", "version"))
        response = upload(api_for(owner), project, data)
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["field"] == "file"
        assert reason in error["message"]
        assert list(Task.objects.values_list("pk", "name", "start", "version")) == before
        assert not Calendar.objects.exists()

    def test_missing_or_empty_file_is_400_on_file(self, api_for, owner, project):
        client = api_for(owner)
        response = client.post(action(project, "schedule-import"), {}, format="multipart")
        assert (response.status_code, fields_of(response)) == (400, ["file"])
        assert (upload(client, project, b"").status_code, fields_of(upload(client, project, b""))) == (400, ["file"])
        assert not Task.objects.exists()

    @pytest.mark.parametrize(("who", "code"), [("member", 403), ("executive", 403), ("outsider", 404)])
    def test_import_needs_an_editor(self, request, api_for, project, project_manager, who, code):
        data = (DATA / "mspdirelations.xml").read_bytes()
        response = upload(api_for(request.getfixturevalue(who)), project, data)
        assert response.status_code == code
        preview = upload(api_for(project_manager), project, data).json()
        response = api_for(request.getfixturevalue(who)).post(
            preview["confirm_url"], {"fingerprint": preview["fingerprint"]}, format="json"
        )
        assert response.status_code in (code, 404)
        assert not Task.objects.exists()

    @pytest.mark.parametrize("who", [*EDITORS, *READERS])
    def test_export_is_mspdi_that_reads_back(self, request, api_for, plan, project, who):
        response = api_for(request.getfixturevalue(who)).get(action(project, "schedule-export"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/xml"
        assert response["Content-Disposition"] == 'attachment; filename="MOD-ERP.xml"'
        document = read_mspdi(response.content)
        names = [t.name for t in document.tasks if t.uid != 0]
        assert names == ["Design", "Build", "Go-live", "Training"]
        links = sum(len(t.predecessors) for t in document.tasks)
        assert links == 2

    def test_export_answers_an_xml_accept_header_and_outsiders_get_404(self, api_for, owner, outsider, plan, project):
        response = api_for(owner).get(action(project, "schedule-export"), HTTP_ACCEPT="application/xml")
        assert response.status_code == 200
        assert api_for(outsider).get(action(project, "schedule-export")).status_code == 404
        response = api_for(outsider).get(action(project, "schedule-export"), HTTP_ACCEPT="application/xml")
        assert (response.status_code, response["Content-Type"]) == (404, "application/xml")
        assert b"<detail>Not found.</detail>" in response.content

    @pytest.mark.parametrize("who", [*EDITORS, *READERS])
    def test_critical_path_in_order(self, request, api_for, plan, project, who):
        response = api_for(request.getfixturevalue(who)).get(action(project, "critical-path"))
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [r["name"] for r in rows] == ["Design", "Build", "Go-live"]
        assert all(r["total_float_minutes"] == 0 for r in rows)

    def test_critical_path_outsider_gets_404(self, api_for, outsider, plan, project):
        assert api_for(outsider).get(action(project, "critical-path")).status_code == 404


# -- query counts --------------------------------------------------------------------------------

SMALL, LARGE = 5, 50


def add_rows(count: int, *, program, big: Project, shared: Calendar, actor) -> None:
    """`count` more rows in every schedule list, each with what its representation shows:
    per new project a summary with a subtask on its own calendar, a link, a calendar with two
    exceptions and a baseline; plus `count` critical tasks in `big`."""
    for _ in range(count):
        project = ProjectFactory(program=program)
        calendar = Calendar.objects.create(name="Hours", project=project, base_calendar=shared)
        CalendarException.objects.create(calendar=calendar, start_date="2026-05-01", end_date="2026-05-01")
        CalendarException.objects.create(calendar=calendar, start_date="2026-12-24", end_date="2026-12-26")
        summary = TaskFactory(project=project)
        first = TaskFactory(project=project, parent=summary, calendar=calendar)
        second = TaskFactory(project=project, parent=summary)
        Dependency.objects.create(predecessor=first, successor=second, lag_minutes=DAY)
        baseline_set(actor=actor, project=project, number=0)
        TaskFactory(project=big, is_critical=True, early_start=dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC))


def queries_for(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


LIST_ENDPOINTS = [
    TASKS,
    f"{TASKS}?is_critical=false&search=Task&ordering=-start",
    LINKS,
    f"{LINKS}?type=FS&ordering=lag_minutes",
    CALENDARS,
    BASELINES,
    f"{BASELINES}?number=0",
    BASELINE_TASKS,
    f"{BASELINE_TASKS}?number=0&ordering=start",
    "critical-path",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_list_query_count_does_not_grow_with_rows(api_for, executive, owner, program, path):
    big = ProjectFactory(program=program, code="BIG")
    shared = Calendar.objects.create(name="Company")
    if path == "critical-path":
        path = action(big, "critical-path")
    path += ("&" if "?" in path else "?") + "page_size=500"
    client = api_for(executive)
    add_rows(SMALL, program=program, big=big, shared=shared, actor=owner)
    client.get(path)  # warm per-process caches (content types, etc.) before counting
    small_queries, small_rows = queries_for(client, path)
    add_rows(LARGE - SMALL, program=program, big=big, shared=shared, actor=owner)
    large_queries, large_rows = queries_for(client, path)

    assert large_rows > small_rows >= SMALL  # the pages really did grow
    assert large_queries == small_queries, (
        f"{path}: {small_queries} queries for {small_rows} rows, {large_queries} for {large_rows}"
    )
