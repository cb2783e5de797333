"""A project's scheduling dialect and P6 options: the service feeds them to the engine, the API
and the schedule settings page change them (the engine's P6 rules: test_p6_dialect.py)."""

import datetime as dt

import pytest

from projects.models import Dependency, Project, Task
from projects.scheduling import FloatMode, ProgressMode
from projects.services import project_update
from projects.services.schedule import DUPLICATE_LINK, dependency_create, schedule_options, task_create

DAY = 480
UTC = dt.UTC
PROJECTS = "/api/v1/projects/"


def at(y, m, d, h=8, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=UTC)


@pytest.fixture
def plan(project, owner):
    """Design (5d) -> Build (10d) on a project starting Monday 2026-03-02 (UTC)."""
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    design = task_create(actor=owner, project=project, name="Design", duration_minutes=5 * DAY)
    build = task_create(actor=owner, project=project, name="Build", duration_minutes=10 * DAY)
    dependency_create(actor=owner, predecessor=design, successor=build)
    return {"Design": design, "Build": build}


def fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


@pytest.mark.django_db
class TestDialectInTheService:
    def test_switching_to_p6_schedules_remaining_work_after_the_data_date_with_negative_float(
        self, plan, project, owner
    ):
        project_update(
            actor=owner,
            project=project,
            data={
                "schedule_dialect": "p6",
                "data_date": at(2026, 3, 16, 0),  # Monday, two weeks after the start; nothing done
                "must_finish_by": at(2026, 3, 20, 17),
            },
        )
        design, build = fresh(plan["Design"]), fresh(plan["Build"])
        assert (design.start, design.finish) == (at(2026, 3, 16), at(2026, 3, 20, 17))
        assert (build.start, build.finish) == (at(2026, 3, 23), at(2026, 4, 3, 17))
        # must finish 20 March, finishes 3 April: 10 working days late
        assert build.total_float_minutes == design.total_float_minutes == -10 * DAY
        assert design.is_critical
        assert build.is_critical
        project.refresh_from_db()
        assert project.forecast_finish == at(2026, 4, 3, 17)

    def test_switching_back_to_microsoft_project_ignores_the_p6_options(self, plan, project, owner):
        project_update(actor=owner, project=project, data={"schedule_dialect": "p6", "data_date": at(2026, 3, 16, 0)})
        assert fresh(plan["Design"]).start == at(2026, 3, 16)
        project_update(actor=owner, project=project, data={"schedule_dialect": "msproject"})
        assert fresh(plan["Design"]).start == at(2026, 3, 2)
        project.refresh_from_db()
        assert project.data_date == at(2026, 3, 16, 0)  # kept for a switch back

    def test_options_are_read_from_the_project_in_its_time_zone(self, project):
        project.time_zone = "Europe/Paris"
        project.schedule_dialect = "p6"
        project.data_date = dt.datetime(2026, 3, 15, 23, 0, tzinfo=UTC)  # midnight in Paris
        project.progress_mode = "progress_override"
        project.float_mode = "smallest"
        project.critical_float_minutes = -DAY
        options = schedule_options(project)
        assert options.p6 is not None
        assert options.p6.data_date == dt.datetime(2026, 3, 16, 0, 0)
        assert (options.p6.progress_mode, options.p6.float_mode) == (
            ProgressMode.PROGRESS_OVERRIDE,
            FloatMode.SMALLEST,
        )
        assert options.critical_slack_minutes == -DAY
        project.schedule_dialect = "msproject"
        assert schedule_options(project).p6 is None

    def test_level_of_effort_activity_spans_its_links_under_p6(self, plan, project, owner):
        loe = task_create(actor=owner, project=project, name="Supervision", duration_minutes=DAY, activity_type="loe")
        dependency_create(actor=owner, predecessor=plan["Design"], successor=loe, type="SS")
        dependency_create(actor=owner, predecessor=loe, successor=plan["Build"], type="FF")
        project_update(actor=owner, project=project, data={"schedule_dialect": "p6"})
        supervision = fresh(loe)
        assert (supervision.start, supervision.finish) == (at(2026, 3, 2), at(2026, 3, 20, 17))
        # As in P6 (and MPXJ's P6 scheduler): flagged critical by its float, never on the critical path.
        assert (supervision.total_float_minutes, supervision.is_critical) == (0, True)

    def test_start_milestone_sits_at_the_next_work_start_under_p6(self, plan, project, owner):
        ready = task_create(
            actor=owner, project=project, name="Build ready", is_milestone=True, activity_type="start_milestone"
        )
        dependency_create(actor=owner, predecessor=plan["Design"], successor=ready)
        dependency_create(actor=owner, predecessor=ready, successor=plan["Build"])
        # Microsoft Project: the milestone stays where Design finished, Friday 6 March 17:00.
        assert fresh(ready).start == at(2026, 3, 6, 17)
        project_update(actor=owner, project=project, data={"schedule_dialect": "p6"})
        # P6: a start milestone sits at the next work start, early and late (it drives Build).
        ready = fresh(ready)
        monday = at(2026, 3, 9)
        assert (ready.start, ready.early_start, ready.late_start, ready.late_finish) == (monday,) * 4
        assert (ready.total_float_minutes, ready.is_critical) == (0, True)

    def test_a_milestone_activity_type_needs_zero_duration(self, project, owner):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as error:
            task_create(actor=owner, project=project, name="M", duration_minutes=DAY, activity_type="start_milestone")
        assert "duration_minutes" in error.value.message_dict


@pytest.mark.django_db
class TestSeveralLinksPerPair:
    def test_start_to_start_and_finish_to_finish_between_one_pair(self, project, owner):
        project.planned_start = dt.date(2026, 3, 2)
        project.save()
        a = task_create(actor=owner, project=project, name="Dig", duration_minutes=5 * DAY)
        b = task_create(actor=owner, project=project, name="Shore", duration_minutes=3 * DAY)
        dependency_create(actor=owner, predecessor=a, successor=b, type="SS", lag_minutes=DAY)
        dependency_create(actor=owner, predecessor=a, successor=b, type="FF", lag_minutes=2 * DAY)
        assert Dependency.objects.filter(predecessor=a, successor=b).count() == 2
        shore = fresh(b)
        assert (shore.start, shore.finish) == (at(2026, 3, 6), at(2026, 3, 10, 17))

    def test_the_same_type_twice_is_refused(self, project, owner):
        from django.core.exceptions import ValidationError

        a = task_create(actor=owner, project=project, name="Dig", duration_minutes=DAY)
        b = task_create(actor=owner, project=project, name="Shore", duration_minutes=DAY)
        dependency_create(actor=owner, predecessor=a, successor=b, type="SS")
        with pytest.raises(ValidationError) as error:
            dependency_create(actor=owner, predecessor=a, successor=b, type="SS")
        assert error.value.message_dict == {"predecessor": [DUPLICATE_LINK]}


@pytest.mark.django_db
class TestApi:
    def test_patch_sets_the_dialect_and_options_and_reschedules(self, api_for, owner, plan, project):
        response = api_for(owner).patch(
            f"{PROJECTS}{project.pk}/",
            {
                "schedule_dialect": "p6",
                "data_date": "2026-03-16T00:00:00Z",
                "progress_mode": "actual_dates",
                "lag_calendar": "24h",
                "float_mode": "start",
                "critical_mode": "longest_path",
                "critical_float_minutes": -480,
                "must_finish_by": "2026-03-20T17:00:00Z",
            },
            format="json",
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["schedule_dialect"], body["lag_calendar"], body["critical_float_minutes"]) == ("p6", "24h", -480)
        assert fresh(plan["Design"]).start == at(2026, 3, 16)

    def test_task_activity_type_is_read_and_written(self, api_for, owner, plan, project):
        client = api_for(owner)
        response = client.patch(f"/api/v1/tasks/{plan['Build'].pk}/", {"activity_type": "loe"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["activity_type"] == "loe"
        bad = client.patch(f"/api/v1/tasks/{plan['Build'].pk}/", {"activity_type": "hammock"}, format="json")
        assert bad.status_code == 400
        assert "activity_type" in [e["field"] for e in bad.json()["errors"]]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("schedule_dialect", "primavera"),
            ("progress_mode", "hope"),
            ("lag_calendar", "lunar"),
            ("float_mode", "middle"),
            ("critical_mode", "loud"),
            ("critical_float_minutes", 10**9),
            ("data_date", "3001-01-01T00:00:00Z"),
            ("must_finish_by", "not a date"),
        ],
    )
    def test_bad_value_is_400_naming_the_field(self, api_for, owner, project, field, value):
        response = api_for(owner).patch(f"{PROJECTS}{project.pk}/", {field: value}, format="json")
        assert response.status_code == 400
        assert field in [e["field"] for e in response.json()["errors"]]
        project.refresh_from_db()
        assert project.version == 1


SETTINGS = "/projects/MOD-ERP/schedule/settings/"


def settings_data(project: Project, **overrides) -> dict:
    data = {
        "schedule_dialect": project.schedule_dialect,
        "data_date": "",
        "progress_mode": project.progress_mode,
        "lag_calendar": project.lag_calendar,
        "float_mode": project.float_mode,
        "critical_mode": project.critical_mode,
        "critical_float_days": "0",
        "must_finish_by": "",
        "version": project.version,
    }
    return data | overrides


@pytest.mark.django_db
class TestSettingsPage:
    def test_editor_switches_to_p6_in_the_project_time_zone(self, client_for, owner, plan, project):
        Project.objects.filter(pk=project.pk).update(time_zone="Europe/Paris")
        project.refresh_from_db()
        response = client_for(owner).post(
            SETTINGS,
            settings_data(
                project,
                schedule_dialect="p6",
                data_date="2026-03-16T00:00",
                critical_float_days="-1.5",
                float_mode="smallest",
            ),
        )
        assert response.status_code == 302
        assert response["Location"] == "/projects/MOD-ERP/schedule/"
        project.refresh_from_db()
        assert project.schedule_dialect == "p6"
        assert project.data_date == dt.datetime(2026, 3, 15, 23, 0, tzinfo=UTC)  # 00:00 in Paris
        assert project.critical_float_minutes == -720
        assert project.float_mode == "smallest"

    def test_page_shows_the_stored_values_in_the_project_time_zone(self, client_for, owner, project):
        Project.objects.filter(pk=project.pk).update(
            time_zone="Europe/Paris", schedule_dialect="p6", data_date=dt.datetime(2026, 3, 15, 23, tzinfo=UTC)
        )
        response = client_for(owner).get(SETTINGS)
        assert response.status_code == 200
        assert b'value="2026-03-16T00:00"' in response.content
        assert b'name="schedule_dialect" value="p6"' in response.content

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("critical_float_days", "99999"),
            ("data_date", "3001-01-01T00:00"),
            ("float_mode", "middle"),
            ("schedule_dialect", "primavera"),
        ],
    )
    def test_bad_value_is_an_error_on_its_field_and_writes_nothing(self, client_for, owner, project, field, value):
        response = client_for(owner).post(SETTINGS, settings_data(project, **{field: value}))
        assert response.status_code == 200
        assert field in response.context["form"].errors
        project.refresh_from_db()
        assert project.version == 1

    def test_outsider_gets_404(self, client_for, outsider, project):
        assert client_for(outsider).get(SETTINGS).status_code == 404
        response = client_for(outsider).post(SETTINGS, settings_data(project, schedule_dialect="p6"))
        assert response.status_code == 404
        project.refresh_from_db()
        assert project.schedule_dialect == "msproject"

    def test_schedule_page_links_to_the_settings_for_editors(self, client_for, owner, project):
        response = client_for(owner).get("/projects/MOD-ERP/schedule/")
        assert SETTINGS.encode() in response.content
        assert b"Microsoft Project" in response.content
