"""A big schedule in Chromium: 3,003 tasks open on their WBS outline (every branch collapsed,
each summary with its rolled-up bar), a branch expanded from the keyboard brings its rows into
the table and the chart, an edit inside it keeps it expanded with the edited row in view, and a
reload shows the same; axe and the layout at desktop and phone widths, collapsed and expanded."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from portfolio.models import Membership
from projects.models import Task
from tests.factories.portfolio import MembershipFactory, PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory, wbs_plan
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "GNT-BIG"
BRANCHES = 143  # of 20 tasks: 3,003 tasks with their summaries


@pytest.fixture
def big(transactional_db):
    """3,003 tasks in 143 branches, managed by "planner"."""
    portfolio = PortfolioFactory(code="GBP", name="Big Gantt portfolio")
    program = ProgramFactory(portfolio=portfolio, code="GBPROG", name="Big Gantt program")
    project = ProjectFactory(program=program, code=CODE, name="Big schedule", planned_start=dt.date(2026, 3, 2))
    planner = UserFactory(username="planner")
    MembershipFactory(user=planner, role=Membership.Role.PROJECT_MANAGER, project=project)
    return wbs_plan(project, [20] * BRANCHES)


def open_schedule(page_as, width=1400):
    page = page_as("planner")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("projects:schedule", args=[CODE]))
    return page


def pk(project, name) -> int:
    return Task.objects.get(project=project, name=name).pk


def test_open_collapsed_expand_a_branch_and_edit_inside_it(page_as, big):
    project = big[0].project
    page = open_schedule(page_as)
    rows = page.locator("#schedule tr.task-row")
    expect(rows).to_have_count(BRANCHES)
    expect(page.locator("[data-figure='rows-shown']")).to_contain_text(f"Showing {BRANCHES} of 3003 tasks")
    expect(page.locator("button.branch-toggle[aria-expanded='false']")).to_have_count(BRANCHES)
    # Every collapsed summary keeps its rolled-up bar in the chart.
    expect(page.locator("svg.gantt path.gantt-summary")).to_have_count(BRANCHES)

    # Expand Branch 7 from the keyboard.
    branch = big[7]
    toggle = page.locator(f"#branch-{branch.pk}")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#branch-{branch.pk}")).to_be_focused()
    expect(rows).to_have_count(BRANCHES + 20)
    inside = pk(project, "Task 7.3")
    expect(page.locator(f'svg.gantt rect.gantt-bar[data-key="{inside}"]')).to_have_count(1)
    assert re.search(rf"[?&]open={branch.pk}\b", page.url)

    # A keyboard move of a row inside the branch: the branch stays expanded, the row in view.
    page.locator(f"#task-{inside}").focus()
    page.keyboard.press("Alt+ArrowUp")
    # Rescheduling 3,003 tasks takes a second or two, more on a busy machine.
    expect(page.locator("#schedule .message-success")).to_contain_text("Task “Task 7.3” moved.", timeout=30_000)
    expect(page.locator(f"#task-{inside} td.code")).to_have_text("8.3")
    expect(page.locator(f"#branch-{branch.pk}")).to_have_attribute("aria-expanded", "true")
    expect(rows).to_have_count(BRANCHES + 20)
    expect(page.locator(f"#task-{inside}")).to_be_focused()
    expect(page.locator(f"#task-{inside}")).to_be_in_viewport()
    assert re.search(rf"[?&]open={branch.pk}\b", page.url)

    # The state is in the URL: a reload shows the same rows; collapsing goes back to the outline.
    page.reload()
    expect(page.locator(f"#branch-{branch.pk}")).to_have_attribute("aria-expanded", "true")
    expect(rows).to_have_count(BRANCHES + 20)
    page.locator(f"#branch-{branch.pk}").click()
    expect(rows).to_have_count(BRANCHES)
    expect(page.locator(f"#branch-{branch.pk}")).to_have_attribute("aria-expanded", "false")
    page.go_back()
    expect(page.locator(f"#branch-{branch.pk}")).to_have_attribute("aria-expanded", "true")
    assert not page.problems


SHOTS = os.environ.get("KEEL_SCREENSHOTS")


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_and_layout_collapsed_and_expanded(page_as, big, axe, width):
    page = open_schedule(page_as, width)
    for state in ("collapsed", "expanded"):
        if state == "expanded":
            page.locator(f"#branch-{big[2].pk}").click()
            expect(page.locator(f"#branch-{big[2].pk}")).to_have_attribute("aria-expanded", "true")
        axe.assert_clean(page, where=f"{state} at {width}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            # The chart at the summary (its bars, with the branch's under it once expanded), then the table.
            page.locator(f'svg.gantt [data-key="{big[2].pk}"]').first.scroll_into_view_if_needed()
            page.evaluate("() => window.scrollBy(0, -120)")
            page.screenshot(path=str(Path(SHOTS) / f"gantt-branches-{state}-{width}.png"))
            page.locator(f"#task-{big[2].pk}").scroll_into_view_if_needed()
            page.locator("#tasks-heading").scroll_into_view_if_needed()
            page.screenshot(path=str(Path(SHOTS) / f"gantt-branches-{state}-{width}-table.png"))
    assert not page.problems
