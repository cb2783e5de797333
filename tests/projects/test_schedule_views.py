"""HTML: the schedule page — Gantt chart, task table with inline edits, baselines, import/export."""

import datetime as dt
import html
import itertools
import xml.etree.ElementTree as ET
import zoneinfo
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.services import STALE_VERSION
from projects.forms import DATE_CONSTRAINTS_NEED_DATE, MILESTONE_HAS_DURATION
from projects.models import Baseline, Calendar, CalendarException, Dependency, Project, Task
from projects.scheduling import read_mspdi
from projects.services.schedule import (
    baseline_set,
    dependency_create,
    schedule_recompute,
    task_create,
    task_update,
)
from tests.factories.projects import ProjectFactory, TaskFactory

DAY = 480
UTC = dt.UTC
DATA = Path(__file__).parent / "data" / "mspdi"
SVG = "{http://www.w3.org/2000/svg}"
HTMX = {"HTTP_HX_REQUEST": "true"}

CODE = "MOD-ERP"
PAGE = reverse("projects:schedule", args=[CODE])
FRAGMENT = reverse("projects:schedule-fragment", args=[CODE])
EXPORT = reverse("projects:schedule-export", args=[CODE])
TASK_ADD = reverse("projects:schedule-task-add", args=[CODE])
BASELINE = reverse("projects:schedule-baseline", args=[CODE])
IMPORT = reverse("projects:schedule-import", args=[CODE])


def task_url(name, task):
    return reverse(f"projects:schedule-{name}", args=[CODE, task.pk])


def at(y, m, d, h=8):
    return dt.datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def plan(project, owner):
    """Phase 1 (Design 5d → Build 10d) → Go-live (milestone); Training 3d on its own.
    The project starts Monday 2026-03-02 (UTC, standard calendar)."""
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    phase = task_create(actor=owner, project=project, name="Phase 1", duration_minutes=0)
    design = task_create(actor=owner, project=project, name="Design", duration_minutes=5 * DAY, parent=phase)
    build = task_create(actor=owner, project=project, name="Build", duration_minutes=10 * DAY, parent=phase)
    live = task_create(actor=owner, project=project, name="Go-live", duration_minutes=0, is_milestone=True)
    task_create(actor=owner, project=project, name="Training", duration_minutes=3 * DAY)
    dependency_create(actor=owner, predecessor=design, successor=build)
    dependency_create(actor=owner, predecessor=build, successor=live)
    return tasks_by_name(project)


def tasks_by_name(project) -> dict[str, Task]:
    return {t.name: t for t in Task.objects.filter(project=project)}


def row_of(response, name):
    return next(row for row in response.context["rows"] if row.task.name == name)


def edit_data(task: Task, **changes) -> dict:
    constraint = task.constraint_date.date().isoformat() if task.constraint_date else ""
    data = {
        "name": task.name,
        "duration_days": str(task.duration_minutes / DAY),
        "percent_complete": str(task.percent_complete),
        "constraint_type": task.constraint_type,
        "constraint_day": constraint,
        "parent": task.parent_id or "",
        "version": task.version,
    }
    if task.is_milestone:
        data["is_milestone"] = "on"
    data.update(changes)
    return data


def svg_classes(response) -> list[str]:
    root = ET.fromstring(response.context["chart"])
    return [el.get("class", "") for el in root.iter()]


def count_queries(client, url, params=None, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {}, **extra)
    assert response.status_code == 200
    return len(queries), response


# --- Access -------------------------------------------------------------------------------


def write_requests(plan):
    """Every write endpoint with a plausible body."""
    design, build = plan["Design"], plan["Build"]
    link = Dependency.objects.get(predecessor=design, successor=build)
    return [
        (TASK_ADD, {"name": "Sneaky", "duration_days": "1", "percent_complete": "0", "constraint_type": "ASAP"}),
        (task_url("task", design), edit_data(design, name="Hijacked")),
        (task_url("task-delete", design), {"version": design.version}),
        (task_url("task-indent", build), {"version": build.version}),
        (task_url("task-outdent", build), {"version": build.version}),
        (task_url("link-add", plan["Training"]), {"predecessor": design.pk, "type": "FS", "lag_days": "0"}),
        (reverse("projects:schedule-link-delete", args=[CODE, link.pk]), {}),
        (BASELINE, {"number": "3"}),
        (IMPORT, {"file": SimpleUploadedFile("x.xml", (DATA / "mspdirelations.xml").read_bytes())}),
    ]


def assert_plan_untouched(plan, project):
    assert tasks_by_name(project).keys() == plan.keys()
    assert {t.name: t.version for t in Task.objects.filter(project=project)} == {
        name: t.version for name, t in plan.items()
    }
    assert Dependency.objects.count() == 2
    assert not Baseline.objects.exists()


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("url", [PAGE, FRAGMENT, EXPORT])
    def test_anonymous_is_sent_to_login(self, url, project):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_anonymous_writes_are_sent_to_login(self, plan, project):
        for url, data in write_requests(plan):
            response = Client().post(url, data)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login"))
        assert_plan_untouched(plan, project)

    @pytest.mark.parametrize("url", [PAGE, FRAGMENT, EXPORT])
    def test_outsider_gets_404(self, client_for, outsider, project, url):
        assert client_for(outsider).get(url).status_code == 404

    def test_outsider_writes_are_404_and_change_nothing(self, client_for, outsider, plan, project):
        client = client_for(outsider)
        for url, data in write_requests(plan):
            assert client.post(url, data).status_code == 404, url
        assert_plan_untouched(plan, project)

    @pytest.mark.parametrize("reader", ["member", "executive"])
    def test_reader_sees_the_schedule_without_edit_controls(self, client_for, request, reader, plan):
        client = client_for(request.getfixturevalue(reader))
        response = client.get(PAGE, {"edit": plan["Design"].pk})
        assert response.status_code == 200
        assert response.context["can_edit"] is False
        assert response.context["editing"] is None
        body = response.content.decode()
        assert "Design" in body
        assert "<svg" in body
        for marker in ('id="task-add-form"', 'id="task-edit-form"', 'id="baseline-form"', TASK_ADD, IMPORT):
            assert marker not in body
        assert EXPORT in body
        assert client.get(EXPORT).status_code == 200

    @pytest.mark.parametrize("reader", ["member", "executive"])
    def test_reader_writes_are_404_and_change_nothing(self, client_for, request, reader, plan, project):
        client = client_for(request.getfixturevalue(reader))
        for url, data in write_requests(plan):
            assert client.post(url, data).status_code == 404, url
            assert client.post(url, data, **HTMX).status_code == 404, url
        assert_plan_untouched(plan, project)

    @pytest.mark.parametrize("editor", ["project_manager", "owner"])
    def test_project_and_program_managers_get_the_edit_controls(self, client_for, request, editor, plan):
        response = client_for(request.getfixturevalue(editor)).get(PAGE, {"edit": plan["Design"].pk})
        assert response.context["can_edit"] is True
        body = response.content.decode()
        for marker in ('id="task-add-form"', 'id="task-edit-form"', 'id="link-add-form"', 'id="baseline-form"'):
            assert marker in body
        assert IMPORT in body

    def test_write_endpoints_take_only_post(self, client_for, project_manager, plan):
        assert client_for(project_manager).get(task_url("task", plan["Design"])).status_code == 405

    def test_task_of_another_project_is_404(self, client_for, owner, plan, program):
        other = TaskFactory(project=ProjectFactory(program=program))
        response = client_for(owner).post(task_url("task", other), edit_data(other, name="Moved"))
        assert response.status_code == 404

    def test_project_and_program_pages_link_to_schedule_and_timeline(self, client_for, member, project):
        client = client_for(member)
        assert PAGE in client.get(reverse("projects:project-detail", args=[CODE])).content.decode()
        program_page = client.get(reverse("portfolio:program-detail", args=["MOD"])).content.decode()
        assert reverse("portfolio:program-timeline", args=["MOD"]) in program_page


# --- The page and the chart -----------------------------------------------------------------


@pytest.mark.django_db
class TestSchedulePage:
    def test_table_shows_outline_computed_fields_and_links(self, client_for, member, plan):
        response = client_for(member).get(PAGE)
        rows = response.context["rows"]
        assert [(r.task.name, r.level) for r in rows] == [
            ("Phase 1", 0),
            ("Design", 1),
            ("Build", 1),
            ("Go-live", 0),
            ("Training", 0),
        ]
        training = row_of(response, "Training")
        assert (training.duration_days, training.total_float_days, training.free_float_days) == ("3", "12", "12")
        assert [link.label for link in row_of(response, "Build").predecessors] == ["1.1 FS"]
        body = response.content.decode()
        assert "Fri 20 Mar 2026" in body  # forecast finish
        assert 'class="tag tag-critical"' in body

    def test_task_table_prints_four_digit_years(self, client_for, owner, project):
        project.planned_start, project.planned_finish = dt.date(2103, 1, 26), dt.date(2103, 12, 31)
        project.save()
        task = task_create(actor=owner, project=project, name="Far off", duration_minutes=2 * DAY)
        task_update(actor=owner, task=task, data={"constraint_type": "SNET", "constraint_date": at(2103, 1, 29)})
        body = client_for(owner).get(PAGE).content.decode()
        row = body[body.index(f'<tr id="task-{task.pk}"') :]
        row = row[: row.index("</tr>")]
        assert "29 Jan 2103" in row  # start and the constraint date
        assert "30 Jan 2103" in row  # finish, early and late dates
        assert "Jan 03" not in row

    def test_chart_has_summaries_milestones_links_critical_path_and_baseline(self, client_for, owner, plan, project):
        baseline_set(actor=owner, project=project, number=0)
        task_update(actor=owner, task=plan["Design"], data={"duration_minutes": 7 * DAY})
        response = client_for(owner).get(PAGE)
        classes = svg_classes(response)
        assert classes.count("gantt-summary critical") == 1
        assert classes.count("gantt-milestone critical") == 1
        assert classes.count("gantt-bar critical") == 2  # Design, Build
        assert classes.count("gantt-bar") == 1  # Training
        assert classes.count("gantt-baseline") == 4
        assert classes.count("gantt-baseline-milestone") == 1
        assert classes.count("gantt-link critical") == 2
        # Design slipped two working days: Build and Go-live finish two days later than baseline 0.
        assert row_of(response, "Go-live").finish_variance_days == "+2"
        assert row_of(response, "Design").start_variance_days == "0"
        assert response.context["schedule"].finish_variance_days == "+2"
        assert 'data-figure="finish-variance" class="late">+2 working days' in response.content.decode()

    @pytest.mark.parametrize("zoom", ["week", "month", "quarter"])
    def test_each_zoom_renders_the_chart_with_a_today_line(self, client_for, member, project, owner, zoom):
        monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
        project.planned_start = monday
        project.save()
        first = task_create(actor=owner, project=project, name="First", duration_minutes=10 * DAY)
        second = task_create(actor=owner, project=project, name="Second", duration_minutes=DAY)
        dependency_create(actor=owner, predecessor=first, successor=second)
        response = client_for(member).get(PAGE, {"zoom": zoom})
        assert response.context["zoom"] == zoom
        classes = svg_classes(response)
        assert classes.count("gantt-today") == 1
        assert classes.count("gantt-link critical") == 1
        assert f'aria-current="true">{zoom.capitalize()}</a>' in response.content.decode()

    def test_zoom_switch_over_htmx_returns_the_fragment(self, client_for, member, plan):
        response = client_for(member).get(FRAGMENT, {"zoom": "quarter"}, **HTMX)
        assert response.status_code == 200
        body = response.content.decode()
        assert body.lstrip().startswith('<div id="schedule"')
        assert "<html" not in body
        assert response.context["zoom"] == "quarter"

    def test_baseline_selector_lists_existing_baselines_and_can_hide_them(self, client_for, owner, plan, project):
        baseline_set(actor=owner, project=project, number=0)
        baseline_set(actor=owner, project=project, number=4, name="Re-plan")
        client = client_for(owner)
        labels = [c["label"] for c in client.get(PAGE).context["urls"]["baselines"]]
        assert labels == ["No baseline", "Baseline 0", "Re-plan"]
        assert client.get(PAGE).context["schedule"].baseline.number == 0
        assert client.get(PAGE, {"baseline": "4"}).context["schedule"].baseline.number == 4
        hidden = client.get(PAGE, {"baseline": "none"})
        assert hidden.context["schedule"].baseline is None
        assert "gantt-baseline" not in svg_classes(hidden)

    def test_empty_project_says_so(self, client_for, project_manager, project):
        response = client_for(project_manager).get(PAGE)
        assert response.context["chart"] == ""
        assert "No tasks yet." in response.content.decode()


# --- Inline edits ---------------------------------------------------------------------------


@pytest.mark.django_db
class TestTaskEdits:
    def test_duration_edit_reschedules_and_returns_table_and_chart(self, client_for, project_manager, plan):
        design = plan["Design"]
        response = client_for(project_manager).post(
            task_url("task", design), edit_data(design, duration_days="7.5"), **HTMX
        )
        assert response.status_code == 200
        assert row_of(response, "Build").task.start == at(2026, 3, 11, 13)  # 7.5 days after Mon 2 Mar
        assert row_of(response, "Design").duration_days == "7.5"
        body = response.content.decode()
        assert 'class="gantt"' in body
        assert 'id="task-add-form"' in body
        assert "Task “Design” saved." in body
        design.refresh_from_db()
        assert (design.duration_minutes, design.version) == (int(7.5 * DAY), 2)

    def test_plain_post_redirects_back_with_a_message(self, client_for, project_manager, plan):
        design = plan["Design"]
        response = client_for(project_manager).post(
            task_url("task", design) + "?zoom=month", edit_data(design, percent_complete="40")
        )
        assert response.status_code == 302
        assert response["Location"] == PAGE + "?zoom=month"
        design.refresh_from_db()
        assert str(design.percent_complete) == "40.00"

    def test_opening_a_row_shows_its_form_with_the_version(self, client_for, project_manager, plan):
        design = plan["Design"]
        response = client_for(project_manager).get(FRAGMENT, {"edit": design.pk}, **HTMX)
        form = response.context["edit_form"]
        assert form["version"].value() == design.version
        assert form["duration_days"].value() == 5
        body = response.content.decode()
        assert f'name="version" value="{design.version}"' in body

    def test_bad_input_gives_field_errors_and_writes_nothing(self, client_for, project_manager, plan):
        design = plan["Design"]
        response = client_for(project_manager).post(
            task_url("task", design),
            edit_data(design, duration_days="-1", percent_complete="150", parent="999999"),
            **HTMX,
        )
        assert response.status_code == 422
        errors = response.context["edit_form"].errors
        assert {"duration_days", "percent_complete", "parent"} <= errors.keys()
        body = response.content.decode()
        for field in ("duration_days", "percent_complete", "parent"):
            assert f'id="task{design.pk}_{field}_error"' in body
        design.refresh_from_db()
        assert (design.duration_minutes, design.version) == (5 * DAY, 1)

    def test_date_constraint_needs_a_date(self, client_for, project_manager, plan):
        training = plan["Training"]
        response = client_for(project_manager).post(
            task_url("task", training), edit_data(training, constraint_type="SNET", constraint_day=""), **HTMX
        )
        assert response.status_code == 422
        expected = DATE_CONSTRAINTS_NEED_DATE.format(label="Start no earlier than")
        assert response.context["edit_form"].errors["constraint_day"] == [expected]

    def test_start_constraint_moves_the_task_to_that_days_work_start(self, client_for, project_manager, plan):
        training = plan["Training"]
        response = client_for(project_manager).post(
            task_url("task", training),
            edit_data(training, constraint_type="SNET", constraint_day="2026-03-11"),
            **HTMX,
        )
        assert response.status_code == 200
        training.refresh_from_db()
        assert training.constraint_date == at(2026, 3, 11, 8)
        assert training.start == at(2026, 3, 11, 8)
        assert row_of(response, "Training").constraint_day == dt.date(2026, 3, 11)

    def test_constraint_date_is_read_in_the_projects_time_zone_and_calendar(
        self, client_for, project_manager, owner, plan, project
    ):
        calendar = Calendar.objects.create(
            name="Late shift",
            project=project,
            work_week={str(d): [["10:00", "18:00"]] if d < 5 else [] for d in range(7)},
        )
        Project.objects.filter(pk=project.pk).update(time_zone="America/New_York", calendar=calendar)
        project.refresh_from_db()
        schedule_recompute(project=project)
        training = Task.objects.get(pk=plan["Training"].pk)
        response = client_for(project_manager).post(
            task_url("task", training),
            edit_data(training, constraint_type="FNLT", constraint_day="2026-03-20"),
            **HTMX,
        )
        assert response.status_code == 200
        training.refresh_from_db()
        new_york = zoneinfo.ZoneInfo("America/New_York")
        assert training.constraint_date == dt.datetime(2026, 3, 20, 18, tzinfo=new_york)
        assert row_of(response, "Training").constraint_day == dt.date(2026, 3, 20)
        assert "America/New_York" in response.content.decode()

    def test_milestone_with_duration_is_a_field_error(self, client_for, project_manager, plan):
        training = plan["Training"]
        response = client_for(project_manager).post(
            task_url("task", training), edit_data(training, is_milestone="on"), **HTMX
        )
        assert response.context["edit_form"].errors["duration_days"] == [MILESTONE_HAS_DURATION]

    def test_stale_edit_shows_the_message_and_does_not_overwrite(self, client_for, project_manager, owner, plan):
        design = plan["Design"]
        loaded = client_for(project_manager).get(FRAGMENT, {"edit": design.pk}, **HTMX)
        version = loaded.context["edit_form"]["version"].value()
        task_update(actor=owner, task=design, data={"name": "Design (owner)"}, expected_version=version)
        response = client_for(project_manager).post(
            task_url("task", design), edit_data(design, name="Design (pm)", version=version), **HTMX
        )
        assert response.status_code == 409
        assert STALE_VERSION in response.content.decode()
        assert response.context["editing"].task.pk == design.pk  # the row stays open
        design.refresh_from_db()
        assert (design.name, design.version) == ("Design (owner)", 2)

    def test_add_task_under_a_summary(self, client_for, project_manager, plan, project):
        response = client_for(project_manager).post(
            TASK_ADD,
            {
                "name": "Test",
                "duration_days": "2",
                "percent_complete": "0",
                "constraint_type": "ASAP",
                "parent": plan["Phase 1"].pk,
            },
            **HTMX,
        )
        assert response.status_code == 200
        test = Task.objects.get(project=project, name="Test")
        assert (test.parent_id, test.duration_minutes, test.outline_number) == (plan["Phase 1"].pk, 2 * DAY, "1.3")
        assert [r.task.name for r in response.context["rows"]][:4] == ["Phase 1", "Design", "Build", "Test"]

    def test_add_task_with_bad_input_writes_nothing(self, client_for, project_manager, plan, project):
        response = client_for(project_manager).post(
            TASK_ADD,
            {"name": "", "duration_days": "-2", "percent_complete": "150", "constraint_type": "ASAP", "parent": "0"},
            **HTMX,
        )
        assert response.status_code == 422
        assert {"name", "duration_days", "percent_complete", "parent"} <= response.context["task_form"].errors.keys()
        assert Task.objects.filter(project=project).count() == 5

    def test_indent_and_outdent(self, client_for, project_manager, plan):
        client = client_for(project_manager)
        live = plan["Go-live"]
        response = client.post(task_url("task-indent", live), {"version": live.version}, **HTMX)
        assert response.status_code == 200
        live.refresh_from_db()
        assert (live.parent_id, live.outline_number) == (plan["Phase 1"].pk, "1.3")
        response = client.post(task_url("task-outdent", live), {"version": live.version}, **HTMX)
        live.refresh_from_db()
        assert (live.parent_id, live.outline_number) == (None, "2")
        first = plan["Phase 1"]
        refused = client.post(task_url("task-indent", first), {"version": first.version}, **HTMX)
        assert refused.status_code == 422
        assert "has no task above it" in refused.content.decode()

    def test_delete_task_reschedules(self, client_for, project_manager, plan, project):
        build = plan["Build"]
        response = client_for(project_manager).post(task_url("task-delete", build), {"version": build.version}, **HTMX)
        assert response.status_code == 200
        assert not Task.objects.filter(pk=build.pk).exists()
        project.refresh_from_db()
        assert project.forecast_finish == at(2026, 3, 6, 17)  # Go-live now only waits for nothing
        assert "Build" not in [r.task.name for r in response.context["rows"]]

    def test_stale_delete_is_refused(self, client_for, project_manager, owner, plan):
        build = plan["Build"]
        task_update(actor=owner, task=build, data={"name": "Build v2"})
        response = client_for(project_manager).post(task_url("task-delete", build), {"version": 1}, **HTMX)
        assert response.status_code == 409
        assert STALE_VERSION in response.content.decode()
        assert Task.objects.filter(pk=build.pk).exists()


# --- Links ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestLinks:
    def test_add_predecessor_with_negative_lag_reschedules(self, client_for, project_manager, plan):
        training = plan["Training"]
        response = client_for(project_manager).post(
            task_url("link-add", training),
            {"predecessor": plan["Build"].pk, "type": "FS", "lag_days": "-2"},
            **HTMX,
        )
        assert response.status_code == 200
        link = Dependency.objects.get(successor=training)
        assert (link.predecessor_id, link.type, link.lag_minutes) == (plan["Build"].pk, "FS", -2 * DAY)
        assert row_of(response, "Training").task.start == at(2026, 3, 19)  # two days before Build ends
        assert [v.label for v in row_of(response, "Training").predecessors] == ["1.2 FS -2d"]
        assert response.context["editing"].task.pk == training.pk  # the row stays open for more

    def test_predecessor_picker_lists_own_project_first_and_groups_the_others(self, client_for, owner, plan, program):
        other = ProjectFactory(program=program, code="MOD-A", name="Archive")  # sorts before MOD-ERP
        task_create(actor=owner, project=other, name="Scan boxes", duration_minutes=DAY)
        response = client_for(owner).get(PAGE, {"edit": plan["Training"].pk})
        groups = [label for label, _ in response.context["link_form"].fields["predecessor"].choices[1:]]
        assert groups == ["This project", "MOD-A Archive"]
        own = dict(response.context["link_form"].fields["predecessor"].choices[1:])["This project"]
        assert [name for _, name in own] == ["1 Phase 1", "1.1 Design", "1.2 Build", "2 Go-live"]
        body = response.content.decode()
        assert body.index('<optgroup label="This project">') < body.index('<optgroup label="MOD-A Archive">')

    def test_cycle_shows_the_message_naming_the_tasks_and_writes_nothing(self, client_for, project_manager, plan):
        design = plan["Design"]
        before = list(Task.objects.values_list("pk", "start", "finish", "version"))
        response = client_for(project_manager).post(
            task_url("link-add", design), {"predecessor": plan["Go-live"].pk, "type": "FS", "lag_days": "0"}, **HTMX
        )
        assert response.status_code == 422
        message = " ".join(response.context["link_form"].errors["predecessor"])
        assert "cycle" in message.lower()
        for name in ("Design", "Build", "Go-live"):
            assert name in message
        assert message in html.unescape(response.content.decode())
        assert Dependency.objects.count() == 2
        assert list(Task.objects.values_list("pk", "start", "finish", "version")) == before

    def test_predecessor_choices_cover_the_programs_visible_projects(self, client_for, project_manager, owner, plan):
        sibling = ProjectFactory(program=plan["Design"].project.program, code="MOD-CRM")
        other = task_create(actor=owner, project=sibling, name="CRM cut-over", duration_minutes=DAY)
        elsewhere = TaskFactory(project=ProjectFactory(code="ELSEWHERE"))
        response = client_for(owner).get(FRAGMENT, {"edit": plan["Training"].pk}, **HTMX)
        field = response.context["link_form"].fields["predecessor"]
        assert str(other.pk) in field.tasks_by_key
        assert str(elsewhere.pk) not in field.tasks_by_key
        assert str(plan["Training"].pk) not in field.tasks_by_key
        # The project manager cannot see the sibling project, so cannot pick its tasks.
        pm = client_for(project_manager).get(FRAGMENT, {"edit": plan["Training"].pk}, **HTMX)
        assert str(other.pk) not in pm.context["link_form"].fields["predecessor"].tasks_by_key
        refused = client_for(project_manager).post(
            task_url("link-add", plan["Training"]), {"predecessor": other.pk, "type": "FS"}, **HTMX
        )
        assert refused.status_code == 422
        assert not Dependency.objects.filter(predecessor=other).exists()

    def test_cross_project_predecessor_is_labelled_with_its_project(self, client_for, owner, plan):
        sibling = ProjectFactory(program=plan["Design"].project.program, code="MOD-CRM")
        other = task_create(actor=owner, project=sibling, name="CRM cut-over", duration_minutes=DAY)
        response = client_for(owner).post(
            task_url("link-add", plan["Training"]), {"predecessor": other.pk, "type": "SS", "lag_days": "1.5"}, **HTMX
        )
        assert response.status_code == 200
        assert [v.label for v in row_of(response, "Training").predecessors] == ["MOD-CRM 1 SS +1.5d"]

    def test_remove_link_reschedules(self, client_for, project_manager, plan):
        link = Dependency.objects.get(predecessor=plan["Design"], successor=plan["Build"])
        url = reverse("projects:schedule-link-delete", args=[CODE, link.pk])
        response = client_for(project_manager).post(url, **HTMX)
        assert response.status_code == 200
        assert not Dependency.objects.filter(pk=link.pk).exists()
        assert row_of(response, "Build").task.start == at(2026, 3, 2)


# --- Baselines, import, export ----------------------------------------------------------------


@pytest.mark.django_db
class TestBaselineImportExport:
    def test_set_baseline(self, client_for, project_manager, plan, project):
        response = client_for(project_manager).post(BASELINE, {"number": "2", "name": "Approved plan"}, **HTMX)
        assert response.status_code == 200
        baseline = Baseline.objects.get(project=project)
        assert (baseline.number, baseline.name, baseline.tasks.count()) == (2, "Approved plan", 5)
        assert response.context["schedule"].baseline == baseline
        assert "gantt-baseline" in svg_classes(response)
        assert response["HX-Push-Url"] == PAGE + "?baseline=2"

    def test_baseline_number_out_of_range_is_a_field_error(self, client_for, project_manager, plan):
        response = client_for(project_manager).post(BASELINE, {"number": "11"}, **HTMX)
        assert response.status_code == 422
        assert "number" in response.context["baseline_form"].errors
        assert not Baseline.objects.exists()

    def test_export_downloads_ms_project_xml(self, client_for, member, plan):
        response = client_for(member).get(EXPORT)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/xml"
        assert response["Content-Disposition"] == 'attachment; filename="mod-erp.xml"'
        document = read_mspdi(response.content)
        assert {"Design", "Build", "Go-live", "Training"} <= {t.name for t in document.tasks}


# --- Query counts -----------------------------------------------------------------------------


def grow_plan(project, owner, n):
    """Add n chained tasks (scheduled by the service) and baseline the lot."""
    start = Task.objects.filter(project=project).count()
    tasks = [
        TaskFactory(project=project, name=f"Step {start + i}", duration_minutes=DAY, percent_complete=10)
        for i in range(n)
    ]
    previous = Task.objects.filter(project=project).exclude(pk__in=[t.pk for t in tasks]).order_by("-pk").first()
    chain = ([previous] if previous else []) + tasks
    Dependency.objects.bulk_create([Dependency(predecessor=a, successor=b) for a, b in itertools.pairwise(chain)])
    schedule_recompute(project=project)
    baseline_set(actor=owner, project=project, number=0)


@pytest.mark.django_db
class TestQueryCounts:
    @pytest.mark.parametrize("who", ["project_manager", "member"])
    def test_page_and_fragment_do_not_grow_with_tasks(self, client_for, request, who, project, owner):
        client = client_for(request.getfixturevalue(who))
        # A project calendar with a holiday, so the variances are worked out in it.
        calendar = Calendar.objects.create(name="Company", project=project)
        CalendarException.objects.create(
            calendar=calendar, name="Holiday", start_date=dt.date(2026, 3, 4), end_date=dt.date(2026, 3, 4)
        )
        Project.objects.filter(pk=project.pk).update(calendar=calendar)
        project.refresh_from_db()
        grow_plan(project, owner, 5)
        first = Task.objects.filter(project=project).order_by("pk").first()
        small_page, _ = count_queries(client, PAGE)
        small_fragment, _ = count_queries(client, FRAGMENT, {"edit": first.pk}, **HTMX)
        grow_plan(project, owner, 45)
        large_page, response = count_queries(client, PAGE)
        large_fragment, _ = count_queries(client, FRAGMENT, {"edit": first.pk}, **HTMX)
        assert len(response.context["rows"]) == 50
        assert (small_page, small_fragment) == (large_page, large_fragment)
        print(f"\nQUERIES schedule page ({who}): {large_page}; fragment with an open row: {large_fragment}")


class TestActivityType:
    """The task form's activity type: offered under the P6 rules only (the only ones that use it),
    checked by the service's milestone rule as the API's writes are, and shown on the row and
    the Gantt bar."""

    @pytest.fixture
    def p6(self, project):
        project.schedule_dialect = "p6"  # on the instance too: `plan` saves it
        Project.objects.filter(pk=project.pk).update(schedule_dialect="p6")
        return project

    @staticmethod
    def new_task(**changes):
        data = {"name": "Kick-off", "duration_days": "0", "percent_complete": "0", "constraint_type": "ASAP"}
        data.update(changes)
        return data

    def test_offered_under_p6_and_not_under_microsoft_project(self, client_for, project_manager, project, plan):
        client = client_for(project_manager)
        response = client.get(PAGE, {"edit": plan["Build"].pk})
        assert "activity_type" not in response.context["task_form"].fields
        assert "activity_type" not in response.context["edit_form"].fields
        Project.objects.filter(pk=project.pk).update(schedule_dialect="p6")
        response = client.get(PAGE, {"edit": plan["Build"].pk})
        assert "activity_type" in response.context["task_form"].fields
        assert response.context["edit_form"]["activity_type"].value() == "task"
        assert 'name="activity_type"' in response.content.decode()

    def test_a_start_milestone_is_added_and_marked_on_its_row_and_in_the_chart(
        self, client_for, project_manager, p6, plan
    ):
        response = client_for(project_manager).post(TASK_ADD, self.new_task(activity_type="start_milestone"), **HTMX)
        assert response.status_code == 200, response.context["task_form"].errors
        task = Task.objects.get(project=p6, name="Kick-off")
        assert task.activity_type == "start_milestone"
        page = client_for(project_manager).get(PAGE)
        assert 'data-activity="start_milestone" title="Primavera P6 activity type">Start milestone<' in (
            page.content.decode()
        )
        root = ET.fromstring(page.context["chart"])
        milestones = [el for el in root.iter() if "gantt-milestone" in el.get("class", "")]
        assert len(milestones) == 2  # Go-live (the flag) and Kick-off (the type)

    def test_a_milestone_type_with_a_duration_is_the_services_field_error(
        self, client_for, api_for, project_manager, p6, plan
    ):
        response = client_for(project_manager).post(
            TASK_ADD, self.new_task(activity_type="finish_milestone", duration_days="2"), **HTMX
        )
        assert response.context["task_form"].errors["duration_days"] == [MILESTONE_HAS_DURATION]
        assert not Task.objects.filter(project=p6, name="Kick-off").exists()
        # the same rule refuses the same change through the API (task_update's check)
        build = plan["Build"]
        edit = client_for(project_manager).post(
            task_url("task", build), edit_data(build, activity_type="finish_milestone"), **HTMX
        )
        assert edit.context["edit_form"].errors["duration_days"] == [MILESTONE_HAS_DURATION]
        api = api_for(project_manager).patch(f"/api/v1/tasks/{build.pk}/", {"activity_type": "finish_milestone"})
        assert api.status_code == 400
        assert [e["field"] for e in api.json()["errors"]] == ["duration_minutes"]
        build.refresh_from_db()
        assert build.activity_type == "task"

    def test_level_of_effort_is_saved_from_the_edit_form(self, client_for, project_manager, p6, plan):
        build = plan["Build"]
        response = client_for(project_manager).post(
            task_url("task", build), edit_data(build, activity_type="loe"), **HTMX
        )
        assert response.status_code == 200
        build.refresh_from_db()
        assert build.activity_type == "loe"
        assert 'data-activity="loe"' in response.content.decode()

    def test_microsoft_project_form_leaves_a_stored_type_alone_and_says_the_rules_ignore_it(
        self, client_for, project_manager, project, plan
    ):
        build = plan["Build"]
        Task.objects.filter(pk=build.pk).update(activity_type="loe")
        build.refresh_from_db()
        client = client_for(project_manager)
        client.post(task_url("task", build), edit_data(build, name="Build it", activity_type="task"), **HTMX)
        build.refresh_from_db()
        assert (build.name, build.activity_type) == ("Build it", "loe")
        client.post(TASK_ADD, self.new_task(activity_type="start_milestone"), **HTMX)
        assert Task.objects.get(project=project, name="Kick-off").activity_type == "task"
        html_page = client.get(PAGE).content.decode()
        assert "the Microsoft Project rules schedule it as a plain task or milestone" in html_page
