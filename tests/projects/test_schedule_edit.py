"""Services: the Gantt's edits (projects.services.schedule_edit) — insert, reorder, indent and
outdent a selection, a link's type and lag typed as text, a dragged bar's SNET, and undo."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from core.services import StaleVersionError
from projects.models import Dependency, ScheduleUndo, Task
from projects.selectors.schedule import lag_text, project_schedule
from projects.services.schedule import dependency_create, task_create, task_update
from projects.services.schedule_edit import (
    CANNOT_INDENT,
    CANNOT_MOVE_UP,
    CANNOT_OUTDENT,
    LINKED_TO_SUMMARY,
    MILESTONE_PARENT,
    MOVE_INTO_ITSELF,
    NOTHING_TO_UNDO,
    dependency_edit,
    lag_parse,
    link_stamp,
    schedule_undo,
    task_drag_start,
    task_insert,
    task_move,
    task_move_by,
    tasks_indent,
    tasks_outdent,
)

DAY = 480
UTC = dt.UTC


def at(y, m, d, h=8):
    return dt.datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def plan(project, owner):
    """Phase 1 (Design 5d → Build 10d, Test 2d) → Go-live (milestone); Training 3d on its own.
    The project starts Monday 2026-03-02 (UTC, standard calendar)."""
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    phase = task_create(actor=owner, project=project, name="Phase 1", duration_minutes=0)
    design = task_create(actor=owner, project=project, name="Design", duration_minutes=5 * DAY, parent=phase)
    build = task_create(actor=owner, project=project, name="Build", duration_minutes=10 * DAY, parent=phase)
    task_create(actor=owner, project=project, name="Test", duration_minutes=2 * DAY, parent=phase)
    live = task_create(actor=owner, project=project, name="Go-live", duration_minutes=0, is_milestone=True)
    task_create(actor=owner, project=project, name="Training", duration_minutes=3 * DAY)
    dependency_create(actor=owner, predecessor=design, successor=build)
    dependency_create(actor=owner, predecessor=build, successor=live)
    return fresh(project)


def fresh(project) -> dict[str, Task]:
    return {t.name: t for t in Task.objects.filter(project=project)}


def outline(project) -> list[tuple[str, str]]:
    """(outline number, name) in the order the table shows."""
    return [(row.task.outline_number, row.task.name) for row in project_schedule(project=project).rows]


BEFORE = [
    ("1", "Phase 1"),
    ("1.1", "Design"),
    ("1.2", "Build"),
    ("1.3", "Test"),
    ("2", "Go-live"),
    ("3", "Training"),
]


# --- lags as text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes", "percent", "elapsed"),
    [
        ("", 0, None, False),
        ("2d", 2 * DAY, None, False),
        ("2", 2 * DAY, None, False),
        ("-1.5d", -720, None, False),
        ("4h", 240, None, False),
        ("30m", 30, None, False),
        ("1w", 5 * DAY, None, False),
        ("50%", 0, Decimal("50.00"), False),
        ("-25 %", 0, Decimal("-25.00"), False),
        ("2ed", 2 * 1440, None, True),
        ("3eh", 180, None, True),
        ("1ew", 7 * 1440, None, True),
        ("2,5D", 1200, None, False),
    ],
)
def test_lag_text_is_read_as_working_elapsed_or_percent(text, minutes, percent, elapsed):
    assert lag_parse(text) == {"lag_minutes": minutes, "lag_percent": percent, "lag_elapsed": elapsed}


@pytest.mark.parametrize("text", ["abc", "2x", "d", "5%%", "1e5", "50%d", "--2d"])
def test_unreadable_lag_is_a_field_error_saying_what_to_type(text):
    with pytest.raises(ValidationError) as error:
        lag_parse(text)
    message = error.value.message_dict["lag"][0]
    assert text.strip() in message
    assert "2ed" in message
    assert "50%" in message


def test_lag_beyond_the_bounds_is_refused():
    with pytest.raises(ValidationError):
        lag_parse("4000d")
    with pytest.raises(ValidationError):
        lag_parse("2000%")


SHOWN = [("0d", "0d"), ("2d", "2d"), ("-1.5d", "-1.5d"), ("4h", "0.5d"), ("1h", "1h"), ("50%", "50%")]
SHOWN += [("2ed", "2ed"), ("3eh", "3eh"), ("90em", "1.5eh"), ("7m", "7m")]


@pytest.mark.parametrize(("text", "shown"), SHOWN)
def test_lag_is_shown_in_the_largest_exact_unit_and_reads_back(text, shown):
    link = Dependency(**lag_parse(text))
    assert lag_text(link) == shown
    assert lag_parse(shown) == lag_parse(text)


# --- insert and reorder ----------------------------------------------------------------------


@pytest.mark.django_db
class TestInsertAndReorder:
    def test_insert_above_and_below_a_row_at_its_level(self, owner, plan, project):
        above = task_insert(actor=owner, anchor=plan["Build"], position="above")
        assert (above.parent_id, above.outline_number, above.name) == (plan["Phase 1"].pk, "1.2", "New task")
        task_insert(actor=owner, anchor=plan["Phase 1"], position="below")
        assert outline(project) == [
            ("1", "Phase 1"),
            ("1.1", "Design"),
            ("1.2", "New task"),
            ("1.3", "Build"),
            ("1.4", "Test"),
            ("2", "New task"),  # below the summary and its subtasks
            ("3", "Go-live"),
            ("4", "Training"),
        ]
        inserted = Task.objects.get(pk=above.pk)
        assert inserted.start is not None
        assert inserted.duration_minutes == DAY
        assert AuditEntry.objects.filter(object_type="projects.task", object_id=str(above.pk), action="create").exists()

    def test_undo_of_an_insert_removes_the_task(self, owner, plan, project):
        task_insert(actor=owner, anchor=plan["Design"], position="above")
        assert schedule_undo(actor=owner, project=project) == "inserted “New task”"
        assert outline(project) == BEFORE
        assert not ScheduleUndo.objects.exists()

    def test_keyboard_move_up_and_down_among_siblings(self, owner, plan, project):
        task_move_by(actor=owner, task=plan["Test"], step=-1, expected_version=plan["Test"].version)
        assert [name for _, name in outline(project)][1:4] == ["Design", "Test", "Build"]
        test = Task.objects.get(pk=plan["Test"].pk)
        assert test.outline_number == "1.2"
        task_move_by(actor=owner, task=test, step=1, expected_version=test.version)
        assert outline(project) == BEFORE

    def test_first_row_cannot_move_up(self, owner, plan):
        with pytest.raises(ValidationError) as error:
            task_move_by(actor=owner, task=plan["Design"], step=-1)
        assert error.value.message_dict["task"] == [CANNOT_MOVE_UP.format(name="Design")]

    def test_move_next_to_a_task_of_another_level_changes_the_summary(self, owner, plan, project):
        task_move(actor=owner, task=plan["Training"], target=plan["Build"], position="after")
        assert [name for _, name in outline(project)] == ["Phase 1", "Design", "Build", "Training", "Test", "Go-live"]
        training = Task.objects.get(pk=plan["Training"].pk)
        assert (training.parent_id, training.outline_number, training.wbs) == (plan["Phase 1"].pk, "1.3", "1.3")
        entry = AuditEntry.objects.filter(object_type="projects.task", object_id=str(training.pk), action="update")
        assert entry.filter(changes__has_key="parent").exists()

    def test_a_summary_moves_with_its_subtasks(self, owner, plan, project):
        task_move(actor=owner, task=plan["Phase 1"], target=plan["Training"], position="after")
        assert [name for _, name in outline(project)] == ["Go-live", "Training", "Phase 1", "Design", "Build", "Test"]

    def test_move_into_its_own_subtasks_is_refused(self, owner, plan, project):
        with pytest.raises(ValidationError) as error:
            task_move(actor=owner, task=plan["Phase 1"], target=plan["Build"], position="before")
        assert error.value.message_dict["target"] == [MOVE_INTO_ITSELF]
        assert outline(project) == BEFORE

    def test_move_on_an_outdated_version_is_refused_and_writes_nothing(self, owner, plan, project):
        seen = plan["Test"].version
        task_update(actor=owner, task=Task.objects.get(pk=plan["Test"].pk), data={"name": "Test"})
        with pytest.raises(StaleVersionError):
            task_move_by(actor=owner, task=plan["Test"], step=-1, expected_version=seen)
        assert outline(project) == BEFORE

    def test_undo_of_a_move_puts_every_row_back(self, owner, plan, project):
        task_move(actor=owner, task=plan["Training"], target=plan["Design"], position="before")
        assert schedule_undo(actor=owner, project=project) == "moved “Training”"
        assert outline(project) == BEFORE
        assert Task.objects.get(pk=plan["Training"].pk).parent_id is None


# --- indent and outdent ----------------------------------------------------------------------


@pytest.mark.django_db
class TestIndentOutdent:
    def test_indent_a_selection_puts_it_under_the_task_above_and_rolls_up(self, owner, plan, project):
        moved = tasks_indent(actor=owner, project=project, tasks=[plan["Go-live"], plan["Training"]])
        assert {t.name for t in moved} == {"Go-live", "Training"}
        assert outline(project) == [
            ("1", "Phase 1"),
            ("1.1", "Design"),
            ("1.2", "Build"),
            ("1.3", "Test"),
            ("1.4", "Go-live"),
            ("1.5", "Training"),
        ]
        phase = Task.objects.get(pk=plan["Phase 1"].pk)
        training = Task.objects.get(pk=plan["Training"].pk)
        assert phase.is_summary
        assert phase.finish >= training.finish

    def test_indent_makes_a_new_summary_whose_dates_roll_up(self, owner, plan, project):
        tasks_indent(actor=owner, project=project, tasks=[plan["Test"]])
        build = Task.objects.get(pk=plan["Build"].pk)
        test = Task.objects.get(pk=plan["Test"].pk)
        assert (test.parent_id, test.outline_number) == (build.pk, "1.2.1")
        assert build.is_summary
        assert (build.start, build.finish) == (test.start, test.finish)

    def test_indent_of_a_first_child_is_refused_naming_it_and_writes_nothing(self, owner, plan, project):
        with pytest.raises(ValidationError) as error:
            tasks_indent(actor=owner, project=project, tasks=[plan["Training"], plan["Design"]])
        assert error.value.message_dict["tasks"] == [CANNOT_INDENT.format(name="Design")]
        assert outline(project) == BEFORE

    def test_subtasks_of_a_selected_summary_move_with_it(self, owner, plan, project):
        tasks_outdent(actor=owner, project=project, tasks=[plan["Build"]])  # Build: 2, Test: 2.1
        # Selecting a summary and its subtask indents the summary, the subtask moving with it.
        tasks_indent(actor=owner, project=project, tasks=[plan["Test"], plan["Build"]])
        assert outline(project)[:4] == [("1", "Phase 1"), ("1.1", "Design"), ("1.2", "Build"), ("1.2.1", "Test")]

    def test_a_task_cannot_go_under_a_task_it_is_linked_to(self, owner, plan, project):
        with pytest.raises(ValidationError) as error:
            tasks_indent(actor=owner, project=project, tasks=[plan["Build"]])  # Design → Build
        assert error.value.message_dict["tasks"] == [LINKED_TO_SUMMARY.format(task="Build", summary="Design")]
        assert outline(project) == BEFORE

    def test_a_milestone_cannot_take_subtasks(self, owner, plan, project):
        with pytest.raises(ValidationError) as error:
            tasks_indent(actor=owner, project=project, tasks=[plan["Training"]])
        assert error.value.message_dict["tasks"] == [MILESTONE_PARENT.format(name="Go-live")]
        assert outline(project) == BEFORE

    def test_outdent_keeps_the_rows_in_order_and_adopts_the_following_siblings(self, owner, plan, project):
        tasks_outdent(actor=owner, project=project, tasks=[plan["Build"]])
        assert outline(project) == [
            ("1", "Phase 1"),
            ("1.1", "Design"),
            ("2", "Build"),
            ("2.1", "Test"),
            ("3", "Go-live"),
            ("4", "Training"),
        ]
        build = Task.objects.get(pk=plan["Build"].pk)
        assert build.is_summary

    def test_outdent_a_selection_of_siblings(self, owner, plan, project):
        tasks_outdent(
            actor=owner,
            project=project,
            tasks=[plan["Build"], plan["Design"]],
            versions={plan["Build"].pk: plan["Build"].version, plan["Design"].pk: plan["Design"].version},
        )
        assert [n for n, _ in outline(project)] == ["1", "2", "3", "3.1", "4", "5"]
        assert [name for _, name in outline(project)] == BEFORE_NAMES

    def test_outdent_at_the_top_level_is_refused(self, owner, plan, project):
        with pytest.raises(ValidationError) as error:
            tasks_outdent(actor=owner, project=project, tasks=[plan["Training"]])
        assert error.value.message_dict["tasks"] == [CANNOT_OUTDENT.format(name="Training")]

    def test_outdent_on_an_outdated_version_is_refused(self, owner, plan, project):
        with pytest.raises(StaleVersionError):
            tasks_outdent(actor=owner, project=project, tasks=[plan["Build"]], versions={plan["Build"].pk: 99})
        assert outline(project) == BEFORE

    def test_undo_of_an_indent(self, owner, plan, project):
        tasks_indent(actor=owner, project=project, tasks=[plan["Go-live"], plan["Training"]])
        assert schedule_undo(actor=owner, project=project) == "indented 2 tasks"
        assert outline(project) == BEFORE
        assert not Task.objects.get(pk=plan["Phase 1"].pk).parent_id


BEFORE_NAMES = [name for _, name in BEFORE]


# --- links -----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestLinkEdit:
    def link(self, plan) -> Dependency:
        return Dependency.objects.get(predecessor=plan["Design"], successor=plan["Build"])

    def test_type_and_percent_lag(self, owner, plan):
        link = self.link(plan)
        dependency_edit(actor=owner, dependency=link, type="SS", lag="50%", expected_stamp=link_stamp(link))
        link.refresh_from_db()
        assert (link.type, link.lag_percent, link.lag_minutes, link.lag_elapsed) == ("SS", Decimal("50.00"), 0, False)
        build = Task.objects.get(pk=plan["Build"].pk)
        assert build.start == at(2026, 3, 4, 13)  # half of Design's 5 days after its start
        entry = AuditEntry.objects.get(object_type="projects.dependency", object_id=str(link.pk), action="update")
        assert entry.changes["type"] == ["FS", "SS"]

    def test_elapsed_lag_runs_through_the_weekend(self, owner, plan):
        link = self.link(plan)
        dependency_edit(actor=owner, dependency=link, type="FS", lag="2ed")
        link.refresh_from_db()
        assert (link.lag_minutes, link.lag_elapsed) == (2880, True)
        # Design ends Fri 6 Mar 17:00; two elapsed days later is Sun 8 Mar 17:00 → Mon 9 Mar 08:00.
        assert Task.objects.get(pk=plan["Build"].pk).start == at(2026, 3, 9, 8)
        dependency_edit(actor=owner, dependency=link, type="FS", lag="3eh")
        link.refresh_from_db()
        assert (link.lag_minutes, link.lag_elapsed, lag_text(link)) == (180, True, "3eh")

    def test_bad_lag_is_refused_and_writes_nothing(self, owner, plan):
        link = self.link(plan)
        with pytest.raises(ValidationError) as error:
            dependency_edit(actor=owner, dependency=link, type="SS", lag="soon")
        assert "“soon” is not a lag" in error.value.message_dict["lag"][0]
        link.refresh_from_db()
        assert (link.type, link.lag_minutes) == ("FS", 0)

    def test_a_type_the_pair_already_has_is_refused(self, owner, plan):
        link = self.link(plan)
        Dependency.objects.create(predecessor=plan["Design"], successor=plan["Build"], type="FF")
        with pytest.raises(ValidationError) as error:
            dependency_edit(actor=owner, dependency=link, type="FF", lag="0d")
        assert "already have a FF link" in error.value.message_dict["type"][0]

    def test_stale_link_edit_is_refused(self, owner, plan):
        link = self.link(plan)
        stamp = link_stamp(link)
        dependency_edit(actor=owner, dependency=link, type="FS", lag="1d")
        with pytest.raises(StaleVersionError):
            dependency_edit(actor=owner, dependency=link, type="SS", lag="0d", expected_stamp=stamp)

    def test_undo_of_a_link_edit(self, owner, plan, project):
        link = self.link(plan)
        dependency_edit(actor=owner, dependency=link, type="SS", lag="2ed")
        schedule_undo(actor=owner, project=project)
        link.refresh_from_db()
        assert (link.type, link.lag_minutes, link.lag_percent, link.lag_elapsed) == ("FS", 0, None, False)
        assert Task.objects.get(pk=plan["Build"].pk).start == at(2026, 3, 9, 8)


# --- bars dragged ----------------------------------------------------------------------------


@pytest.mark.django_db
class TestBarDrag:
    def test_drag_sets_snet_with_a_note_and_reschedules(self, owner, plan, project):
        training = plan["Training"]
        task_drag_start(actor=owner, task=training, start=dt.date(2026, 3, 12), expected_version=training.version)
        training.refresh_from_db()
        assert (training.constraint_type, training.constraint_date) == ("SNET", at(2026, 3, 12, 8))
        assert training.constraint_origin == "drag"
        assert training.start == at(2026, 3, 12, 8)
        row = next(r for r in project_schedule(project=project).rows if r.task.pk == training.pk)
        assert row.constraint_note == "SNET 12 Mar set by dragging"

    def test_a_typed_constraint_clears_the_note(self, owner, plan, project):
        training = task_drag_start(actor=owner, task=plan["Training"], start=dt.date(2026, 3, 12))
        task_update(actor=owner, task=training, data={"constraint_date": at(2026, 3, 16)})
        training.refresh_from_db()
        assert training.constraint_origin == ""
        row = next(r for r in project_schedule(project=project).rows if r.task.pk == training.pk)
        assert row.constraint_note == ""

    def test_drag_earlier_than_the_links_allow_keeps_the_logic(self, owner, plan):
        build = task_drag_start(actor=owner, task=plan["Build"], start=dt.date(2026, 3, 3))
        assert build.start == at(2026, 3, 9, 8)  # still after Design: SNET is a floor, not a pin

    def test_summaries_and_manual_tasks_cannot_be_dragged(self, owner, plan):
        with pytest.raises(ValidationError):
            task_drag_start(actor=owner, task=Task.objects.get(pk=plan["Phase 1"].pk), start=dt.date(2026, 3, 12))

    def test_stale_drag_is_refused(self, owner, plan):
        with pytest.raises(StaleVersionError):
            task_drag_start(actor=owner, task=plan["Training"], start=dt.date(2026, 3, 12), expected_version=42)

    def test_undo_of_a_drag_restores_the_old_constraint(self, owner, plan, project):
        task_drag_start(actor=owner, task=plan["Training"], start=dt.date(2026, 3, 12))
        assert schedule_undo(actor=owner, project=project) == "dragged “Training” to 12 Mar"
        training = Task.objects.get(pk=plan["Training"].pk)
        assert (training.constraint_type, training.constraint_date, training.constraint_origin) == ("ASAP", None, "")
        assert training.start == at(2026, 3, 2, 8)


# --- undo ------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestUndo:
    def test_nothing_to_undo(self, owner, project):
        with pytest.raises(ValidationError) as error:
            schedule_undo(actor=owner, project=project)
        assert error.value.message_dict["undo"] == [NOTHING_TO_UNDO]

    def test_undo_is_per_user_and_only_the_last_edit(self, owner, project_manager, plan, project):
        task_drag_start(actor=owner, task=plan["Training"], start=dt.date(2026, 3, 12))
        task_move_by(actor=project_manager, task=plan["Test"], step=-1)
        assert schedule_undo(actor=project_manager, project=project) == "moved “Test”"
        assert outline(project) == BEFORE
        with pytest.raises(ValidationError):  # one step only: there is no history to walk back
            schedule_undo(actor=project_manager, project=project)
        schedule_undo(actor=owner, project=project)
        assert Task.objects.get(pk=plan["Training"].pk).constraint_type == "ASAP"

    def test_undo_after_someone_else_changed_the_row_is_refused(self, owner, project_manager, plan, project):
        training = task_drag_start(actor=owner, task=plan["Training"], start=dt.date(2026, 3, 12))
        task_update(actor=project_manager, task=training, data={"name": "Training (PM)"})
        with pytest.raises(StaleVersionError) as error:
            schedule_undo(actor=owner, project=project)
        assert "“Training (PM)” has changed since" in str(error.value)
        assert Task.objects.get(pk=training.pk).constraint_type == "SNET"

    def test_a_form_edit_is_undone_too(self, owner, plan, project):
        task_update(actor=owner, task=plan["Design"], data={"duration_minutes": 7 * DAY, "name": "Design+"})
        assert schedule_undo(actor=owner, project=project) == "edited “Design+”"
        design = Task.objects.get(pk=plan["Design"].pk)
        assert (design.name, design.duration_minutes) == ("Design", 5 * DAY)
