"""The schedule page's Gantt edits in Chromium: insert above/below, reorder by keyboard and by
drag, a link's type and lag edited in place (percent and elapsed lags), indent/outdent of a
selection, a bar dragged to a new start (an SNET with its note), undo, and the table keeping
its place after an edit; axe on the page; screenshots at desktop and phone widths."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.models import Membership
from projects.models import Dependency, Task
from projects.services.schedule import dependency_create, outline_renumber, schedule_recompute, task_create
from tests.factories.portfolio import MembershipFactory, PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DAY = 480
CODE = "GNT-1"


@pytest.fixture
def plan(transactional_db):
    """Phase 1 (Design 5d → Build 10d) and Training 3d, from Monday 2 March 2026, managed by
    "planner"; "reader" is a team member."""
    portfolio = PortfolioFactory(code="GP", name="Gantt portfolio")
    program = ProgramFactory(portfolio=portfolio, code="GPROG", name="Gantt program")
    project = ProjectFactory(program=program, code=CODE, name="Gantt project", planned_start=dt.date(2026, 3, 2))
    planner = UserFactory(username="planner")
    MembershipFactory(user=planner, role=Membership.Role.PROJECT_MANAGER, project=project)
    MembershipFactory(user=UserFactory(username="reader"), role=Membership.Role.TEAM_MEMBER, project=project)
    phase = task_create(actor=planner, project=project, name="Phase 1", duration_minutes=0)
    design = task_create(actor=planner, project=project, name="Design", duration_minutes=5 * DAY, parent=phase)
    build = task_create(actor=planner, project=project, name="Build", duration_minutes=10 * DAY, parent=phase)
    task_create(actor=planner, project=project, name="Training", duration_minutes=3 * DAY)
    dependency_create(actor=planner, predecessor=design, successor=build)
    return project


def names(project) -> list[str]:
    from projects.selectors.schedule import project_schedule

    return [f"{r.task.outline_number} {r.task.name}" for r in project_schedule(project=project).rows]


def task(project, name) -> Task:
    return Task.objects.get(project=project, name=name)


def open_schedule(page_as, who="planner"):
    page = page_as(who)
    page.goto(reverse("projects:schedule", args=[CODE]))
    return page


def row(page, project, name):
    return page.locator(f"#task-{task(project, name).pk}")


def test_insert_above_and_below(page_as, plan):
    page = open_schedule(page_as)
    page.get_by_role("button", name="Insert a task below Design").click()
    expect(page.locator("#schedule .message-success")).to_contain_text("inserted below “Design”")
    assert names(plan) == ["1 Phase 1", "1.1 Design", "1.2 New task", "1.3 Build", "2 Training"]
    # The new row has the focus, ready for the keyboard.
    new = task(plan, "New task")
    expect(page.locator(f"#task-{new.pk}")).to_be_focused()
    page.get_by_role("button", name="Insert a task above Phase 1").click()
    expect(page.locator("#schedule .message-success")).to_contain_text("inserted above “Phase 1”")
    assert names(plan)[0] == "1 New task"
    assert not page.problems


def test_keyboard_reorder_keeps_the_focus_on_the_row(page_as, plan):
    page = open_schedule(page_as)
    build = row(page, plan, "Build")
    build.focus()
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#schedule .message-success")).to_contain_text("Task “Build” moved.")
    assert names(plan)[:3] == ["1 Phase 1", "1.1 Build", "1.2 Design"]
    expect(row(page, plan, "Build")).to_be_focused()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator(f"#task-{task(plan, 'Build').pk} td.code")).to_have_text("1.2")
    assert names(plan)[:3] == ["1 Phase 1", "1.1 Design", "1.2 Build"]
    # Alt+→ indents the focused row under the one above, Alt+← outdents it again.
    row(page, plan, "Training").focus()
    page.keyboard.press("Alt+ArrowRight")
    expect(page.locator(f"#task-{task(plan, 'Training').pk} td.code")).to_have_text("1.3")
    page.keyboard.press("Alt+ArrowLeft")
    expect(page.locator(f"#task-{task(plan, 'Training').pk} td.code")).to_have_text("2")
    assert not page.problems


def test_drag_a_row_by_its_handle(page_as, plan):
    page = open_schedule(page_as)
    handle = row(page, plan, "Training").locator(".drag-handle")
    target = row(page, plan, "Design")
    box = target.bounding_box()
    handle.drag_to(target, target_position={"x": 40, "y": 3})  # the upper half: before Design
    expect(page.locator("#schedule .message-success")).to_contain_text("Task “Training” moved.")
    assert names(plan) == ["1 Phase 1", "1.1 Training", "1.2 Design", "1.3 Build"]
    assert box["height"] > 6
    assert not page.problems


def test_link_type_and_lag_edited_in_place(page_as, plan):
    page = open_schedule(page_as)
    link = Dependency.objects.get()
    build = row(page, plan, "Build")
    build.get_by_role("button", name=re.compile("Edit link 1.1 FS")).click()
    editor = page.locator(f"#link-editor-{link.pk}")
    editor.get_by_label(re.compile("Link type")).select_option("SS")
    editor.get_by_label(re.compile("Lag of")).fill("50%")
    editor.get_by_role("button", name=re.compile("Save")).click()
    expect(build.locator(".predecessors")).to_contain_text("1.1 SS +50%")
    link.refresh_from_db()
    assert (link.type, str(link.lag_percent)) == ("SS", "50.00")
    # Elapsed days, then a lag the server cannot read: the reason shows, in place, no 500.
    build.get_by_role("button", name=re.compile("Edit link 1.1 SS")).click()
    editor.get_by_label(re.compile("Lag of")).fill("2ed")
    editor.get_by_role("button", name=re.compile("Save")).click()
    expect(build.locator(".predecessors")).to_contain_text("1.1 SS +2ed")
    build.get_by_role("button", name=re.compile("Edit link 1.1 SS")).click()
    editor.get_by_label(re.compile("Lag of")).fill("3eh")
    editor.get_by_role("button", name=re.compile("Save")).click()
    expect(build.locator(".predecessors")).to_contain_text("1.1 SS +3eh")
    build.get_by_role("button", name=re.compile("Edit link 1.1 SS")).click()
    editor.get_by_label(re.compile("Lag of")).fill("soon")
    editor.get_by_role("button", name=re.compile("Save")).click()
    expect(page.locator(f"#link-editor-{link.pk} .field-error")).to_contain_text("“soon” is not a lag")
    expect(page.locator("#schedule .message-error")).to_be_visible()
    link.refresh_from_db()
    assert (link.lag_minutes, link.lag_elapsed) == (180, True)
    assert not page.problems


def test_indent_and_outdent_a_selection(page_as, plan):
    page = open_schedule(page_as)
    page.get_by_label("Select 2 Training").check()
    page.get_by_role("button", name="Indent selected").click()
    expect(page.locator("#schedule .message-success")).to_contain_text("Indented: “Training”.")
    assert names(plan)[-1] == "1.3 Training"
    page.get_by_label("Select 1.1 Design").check()
    page.get_by_label("Select 1.2 Build").check()
    page.get_by_role("button", name="Outdent selected").click()
    expect(page.locator("#schedule .message-success")).to_contain_text("Outdented:")
    assert names(plan) == ["1 Phase 1", "2 Design", "3 Build", "3.1 Training"]
    assert task(plan, "Build").is_summary
    assert not page.problems


def test_bar_drag_sets_snet_with_a_note_and_undo_takes_it_back(page_as, plan):
    page = open_schedule(page_as)
    training = task(plan, "Training")
    bar = page.locator(f'rect.gantt-bar[data-key="{training.pk}"]')
    bar.scroll_into_view_if_needed()
    per_day = float(page.locator("svg.gantt").get_attribute("data-px-per-day"))
    box = bar.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 3 * per_day, y, steps=4)
    page.mouse.move(x + 7 * per_day, y, steps=4)
    page.mouse.up()
    note = row(page, plan, "Training").locator(".constraint-note")
    expect(note).to_have_text("SNET 9 Mar set by dragging")
    training.refresh_from_db()
    assert (training.constraint_type, training.start.date()) == ("SNET", dt.date(2026, 3, 9))
    undo = page.locator("#undo-form button")
    expect(undo).to_contain_text("dragged “Training” to 09 Mar")
    row(page, plan, "Training").focus()
    page.keyboard.press("Control+z")  # the Undo button's shortcut
    expect(page.locator("#schedule .message-success")).to_contain_text("Undone: dragged “Training”")
    expect(row(page, plan, "Training").locator(".constraint-note")).to_have_count(0)
    training.refresh_from_db()
    assert (training.constraint_type, training.start.date()) == ("ASAP", dt.date(2026, 3, 2))
    assert not page.problems


def test_undo_button_reverses_the_last_edit(page_as, plan):
    page = open_schedule(page_as)
    page.get_by_role("button", name="Move Build up").click()
    expect(page.locator("#undo-form button")).to_contain_text("moved “Build”")
    page.locator("#undo-form button").click()
    expect(page.locator("#schedule .message-success")).to_contain_text("Undone: moved “Build”")
    assert names(plan)[:3] == ["1 Phase 1", "1.1 Design", "1.2 Build"]
    expect(page.locator("#undo-form")).to_have_count(0)


def test_the_table_keeps_its_place_after_an_edit(page_as, plan):
    for i in range(60):
        Task.objects.create(project=plan, name=f"Step {i:02d}", duration_minutes=DAY, sort_order=1000 + i * 10)
    outline_renumber(project=plan)
    schedule_recompute(project=plan)
    page = open_schedule(page_as)
    wrap = page.locator("#task-table-wrap")
    step = row(page, plan, "Step 40")
    step.scroll_into_view_if_needed()
    step.focus()
    before = wrap.evaluate("(el) => el.scrollTop")
    window_before = page.evaluate("() => window.scrollY")
    assert before > 200  # the table has scrolled down to the row
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("#schedule .message-success")).to_contain_text("Task “Step 40” moved.")
    expect(row(page, plan, "Step 40")).to_be_focused()
    after = wrap.evaluate("(el) => el.scrollTop")
    assert abs(after - before) <= 40  # one row's height at most: the row stays where it was
    assert abs(page.evaluate("() => window.scrollY") - window_before) <= 40
    assert not page.problems


def test_reader_sees_no_edit_controls(page_as, plan):
    page = open_schedule(page_as, "reader")
    expect(page.locator("#schedule")).to_be_visible()
    assert page.locator(".drag-handle, #selection-form, button.link-edit, rect[data-drag]").count() == 0
    page.locator("#schedule tr.task-row").first.click()
    page.keyboard.press("Alt+ArrowDown")
    assert names(plan)[:2] == ["1 Phase 1", "1.1 Design"]


SHOTS = os.environ.get("KEEL_SCREENSHOTS")


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_and_layout_at_desktop_and_phone_width(page_as, plan, axe, width):
    page = open_schedule(page_as)
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    link = Dependency.objects.get()
    page.locator(f'button.link-edit[data-link="{link.pk}"]').click()
    expect(page.locator(f"#link-editor-{link.pk}")).to_be_visible()
    axe.assert_clean(page)
    # Nothing but the scrolling regions is wider than the phone.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"gantt-edit-{width}.png"), full_page=True)
