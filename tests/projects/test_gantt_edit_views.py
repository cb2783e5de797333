"""HTML: the Gantt's edit endpoints on the schedule page — who may use them, what they answer
(the fresh fragment, 422 with the reason, 409 on an outdated version), the window of rows of a
big schedule, and query counts that do not grow with the tasks."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.services import STALE_VERSION
from projects.models import Dependency, ScheduleUndo, Task
from projects.services.schedule import dependency_create, schedule_recompute, task_create, task_update
from tests.factories.projects import TaskFactory

DAY = 480
HTMX = {"HTTP_HX_REQUEST": "true"}
CODE = "MOD-ERP"
PAGE = reverse("projects:schedule", args=[CODE])
FRAGMENT = reverse("projects:schedule-fragment", args=[CODE])
UNDO = reverse("projects:schedule-undo", args=[CODE])
INDENT = reverse("projects:schedule-tasks-indent", args=[CODE])
OUTDENT = reverse("projects:schedule-tasks-outdent", args=[CODE])


def url(name, pk):
    return reverse(f"projects:schedule-{name}", args=[CODE, pk])


@pytest.fixture
def plan(project, owner):
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    phase = task_create(actor=owner, project=project, name="Phase 1", duration_minutes=0)
    design = task_create(actor=owner, project=project, name="Design", duration_minutes=5 * DAY, parent=phase)
    build = task_create(actor=owner, project=project, name="Build", duration_minutes=10 * DAY, parent=phase)
    task_create(actor=owner, project=project, name="Training", duration_minutes=3 * DAY)
    dependency_create(actor=owner, predecessor=design, successor=build)
    return {t.name: t for t in Task.objects.filter(project=project)}


def writes(plan):
    design, build = plan["Design"], plan["Build"]
    link = Dependency.objects.get(predecessor=design, successor=build)
    return [
        (url("task-insert", design.pk), {"position": "above"}),
        (url("task-move", build.pk), {"direction": "up", "version": build.version}),
        (url("task-move", build.pk), {"target": plan["Training"].pk, "position": "after"}),
        (url("task-drag", plan["Training"].pk), {"start": "2026-03-12"}),
        (INDENT, {"tasks": [plan["Training"].pk]}),
        (OUTDENT, {"tasks": [build.pk]}),
        (url("link-save", link.pk), {"type": "SS", "lag": "50%"}),
        (UNDO, {}),
    ]


def snapshot(project):
    return sorted(Task.objects.filter(project=project).values_list("pk", "parent_id", "sort_order", "version", "name"))


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("who", ["member", "executive", "outsider"])
    def test_readers_and_outsiders_get_404_and_nothing_changes(self, client_for, request, who, plan, project, owner):
        task_update(actor=owner, task=plan["Training"], data={"name": "Training"})  # an undo to steal
        client = client_for(request.getfixturevalue(who))
        before = snapshot(project)
        for target, data in writes(plan):
            assert client.post(target, data, **HTMX).status_code == 404, target
        link = Dependency.objects.get()
        assert client.get(url("link-edit", link.pk), **HTMX).status_code == 404
        assert snapshot(project) == before
        assert (link.type, link.lag_percent) == ("FS", None)

    def test_anonymous_is_sent_to_sign_in(self, plan, project):
        before = snapshot(project)
        for target, data in writes(plan):
            response = Client().post(target, data)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
        assert snapshot(project) == before

    def test_reader_page_is_read_only(self, client_for, member, plan):
        body = client_for(member).get(PAGE).content.decode()
        for marker in (
            "data-gantt-edit",
            "drag-handle",
            "gantt-edit.js",
            'id="selection-form"',
            "data-drag=",
            "link-edit",
        ):
            assert marker not in body
        assert "Design" in body

    def test_editor_page_has_the_edit_controls(self, client_for, project_manager, plan):
        body = client_for(project_manager).get(PAGE).content.decode()
        for marker in ("data-gantt-edit", "drag-handle", "gantt-edit.js", 'id="selection-form"', "data-drag="):
            assert marker in body


@pytest.mark.django_db
class TestEdits:
    def test_insert_answers_the_fragment_focused_on_the_new_row(self, client_for, project_manager, plan, project):
        response = client_for(project_manager).post(url("task-insert", plan["Build"].pk), {"position": "below"}, **HTMX)
        assert response.status_code == 200
        new = Task.objects.get(project=project, name="New task")
        assert new.outline_number == "1.3"
        body = response.content.decode()
        assert f'data-focus="task-{new.pk}"' in body
        assert 'Undo <span class="undo-label">inserted “New task”</span>' in body

    def test_move_on_an_outdated_version_is_409_with_the_message(self, client_for, project_manager, owner, plan):
        build = plan["Build"]
        seen = build.version
        task_update(actor=owner, task=Task.objects.get(pk=build.pk), data={"name": "Build (owner)"})
        response = client_for(project_manager).post(
            url("task-move", build.pk), {"direction": "up", "version": seen}, **HTMX
        )
        assert response.status_code == 409
        assert STALE_VERSION in response.content.decode()

    def test_refused_indent_is_422_naming_the_task(self, client_for, project_manager, plan):
        response = client_for(project_manager).post(INDENT, {"tasks": [plan["Phase 1"].pk]}, **HTMX)
        assert response.status_code == 422
        assert "“Phase 1” has no task above it" in response.content.decode()
        empty = client_for(project_manager).post(INDENT, {}, **HTMX)
        assert empty.status_code == 422
        assert "Select one or more tasks first." in empty.content.decode()

    def test_indent_under_a_linked_task_is_422_not_500(self, client_for, project_manager, plan, project):
        response = client_for(project_manager).post(INDENT, {"tasks": [plan["Build"].pk]}, **HTMX)
        assert response.status_code == 422
        assert "“Build” is linked to “Design”, which would become its summary task" in response.content.decode()
        assert Task.objects.get(pk=plan["Build"].pk).parent_id == plan["Phase 1"].pk

    def test_indent_a_selection_with_versions(self, client_for, project_manager, plan, project):
        training = plan["Training"]
        response = client_for(project_manager).post(
            INDENT, {"tasks": [training.pk], f"version_{training.pk}": training.version}, **HTMX
        )
        assert response.status_code == 200
        assert Task.objects.get(pk=training.pk).outline_number == "1.3"

    def test_link_editor_opens_in_place_with_the_lag_as_text(self, client_for, project_manager, plan):
        link = Dependency.objects.get()
        link.lag_minutes, link.lag_elapsed = 2880, True
        link.save()
        response = client_for(project_manager).get(url("link-edit", link.pk), **HTMX)
        body = response.content.decode()
        assert 'value="2ed"' in body
        assert '<option value="FS" selected>' in body
        assert url("link-save", link.pk) in body

    def test_bad_lag_is_422_with_the_editor_open_and_the_reason(self, client_for, project_manager, plan):
        link = Dependency.objects.get()
        response = client_for(project_manager).post(url("link-save", link.pk), {"type": "SS", "lag": "2 days"}, **HTMX)
        assert response.status_code == 422
        body = response.content.decode()
        assert "“2 days” is not a lag" in body
        assert f'id="link-editor-{link.pk}"' in body
        assert 'value="2 days"' in body
        link.refresh_from_db()
        assert link.type == "FS"

    def test_link_save_with_percent_lag(self, client_for, project_manager, plan):
        link = Dependency.objects.get()
        response = client_for(project_manager).post(url("link-save", link.pk), {"type": "SS", "lag": "50%"}, **HTMX)
        assert response.status_code == 200
        assert "1.1 SS +50%" in response.content.decode()

    def test_drag_with_a_bad_date_is_422(self, client_for, project_manager, plan):
        response = client_for(project_manager).post(url("task-drag", plan["Training"].pk), {"start": "12/03"}, **HTMX)
        assert response.status_code == 422
        assert "“12/03” is not a date" in response.content.decode()

    def test_drag_shows_the_note_on_the_row(self, client_for, project_manager, plan):
        response = client_for(project_manager).post(
            url("task-drag", plan["Training"].pk), {"start": "2026-03-12"}, **HTMX
        )
        assert response.status_code == 200
        assert "SNET 12 Mar set by dragging" in response.content.decode()

    def test_undo_with_nothing_to_undo_is_422(self, client_for, project_manager, plan):
        ScheduleUndo.objects.all().delete()
        response = client_for(project_manager).post(UNDO, **HTMX)
        assert response.status_code == 422
        assert "Nothing to undo." in response.content.decode()

    def test_plain_posts_redirect_back_to_the_same_rows(self, client_for, project_manager, plan):
        response = client_for(project_manager).post(
            url("task-insert", plan["Design"].pk) + "?zoom=month", {"position": "above"}
        )
        assert response.status_code == 302
        assert response["Location"] == PAGE + "?zoom=month"


def grow(project, n):
    """`n` more one-day tasks in a chain, under summaries of ten, scheduled once."""
    existing = Task.objects.filter(project=project).count()
    tasks = []
    for i in range(n):
        tasks.append(
            TaskFactory(
                project=project, name=f"Step {existing + i}", duration_minutes=DAY, sort_order=(existing + i) * 10
            )
        )
    Dependency.objects.bulk_create([Dependency(predecessor=a, successor=b) for a, b in itertools.pairwise(tasks)])
    schedule_recompute(project=project)


@pytest.mark.django_db
class TestBigSchedules:
    def test_rows_come_in_windows_of_200_with_a_pager(self, client_for, member, project):
        grow(project, 450)
        client = client_for(member)
        first = client.get(PAGE)
        assert [r.index for r in first.context["rows"]][:2] == [0, 1]
        assert len(first.context["rows"]) == 200
        body = first.content.decode()
        assert "Rows 1–200 of 450" in body
        assert PAGE + "?at=200" in body
        last = client.get(PAGE, {"at": "400"})
        assert len(last.context["rows"]) == 50
        assert last.context["rows"][0].task.name == "Step 400"
        assert "Rows 401–450 of 450" in last.content.decode()

    def test_an_edit_keeps_the_window(self, client_for, project_manager, project):
        grow(project, 450)
        step = Task.objects.get(project=project, name="Step 250")
        response = client_for(project_manager).post(
            url("task-move", step.pk) + "?at=200", {"direction": "up", "version": step.version}, **HTMX
        )
        assert response.status_code == 200
        assert response.context["schedule"].first == 200
        assert f'data-focus="task-{step.pk}"' in response.content.decode()

    @pytest.mark.parametrize("who", ["project_manager", "member"])
    def test_page_queries_do_not_grow_with_tasks(self, client_for, request, who, project):
        client = client_for(request.getfixturevalue(who))
        grow(project, 30)
        with CaptureQueriesContext(connection) as small:
            assert client.get(PAGE).status_code == 200
        grow(project, 600)
        with CaptureQueriesContext(connection) as large:
            response = client.get(PAGE, {"at": "200"})
        assert response.status_code == 200
        assert len(response.context["rows"]) == 200
        assert len(small) == len(large)
        print(f"\nQUERIES schedule page ({who}) at 30 and 630 tasks: {len(large)}")
