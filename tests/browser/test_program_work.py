"""A program manager's risk, staffing and governance work in a real browser, on the small demo."""

import re

import pytest

from governance.models import GateCriterion
from portfolio.models import Program
from projects.models import Project
from staffing.models import Allocation

pytestmark = pytest.mark.django_db(transaction=True)


def demo_program() -> Program:
    return Program.objects.get(manager__username="program_manager")


def styled(page) -> bool:
    """Whether the page still has Keel's stylesheet (an error swapped over the whole document
    would leave a bare fragment)."""
    return page.evaluate("() => [...document.styleSheets].some(s => (s.href || '').includes('keel'))")


def test_program_page_cards_lead_to_a_heat_map_whose_cells_open_their_risks(demo, page_as):
    program = demo_program()
    page = page_as("program_manager")
    page.goto(f"/programs/{program.code}/")
    # The program page's cards read the roll-ups (reporting/_program_figures.html).
    assert page.locator("#risk-figures-heading").is_visible()
    assert page.locator("#staffing-heading").is_visible()
    assert page.locator("#governance-heading").is_visible()

    page.get_by_role("link", name="Risk register", exact=True).first.click()
    page.wait_for_url(f"**/programs/{program.code}/risks/")
    page.get_by_role("link", name="Include every project risk").click()
    cells = page.locator("table.heat-map td.heat-cell a")
    assert cells.count() > 3  # the demo program's register fills several cells
    cell = cells.nth(cells.count() // 2)
    count = int(cell.inner_text())
    label = cell.get_attribute("aria-label")
    probability, impact = re.search(r"probability (\d) and impact (\d)", label).groups()

    cell.click()
    page.wait_for_url(re.compile(rf".*probability={probability}.*"))
    assert f"impact={impact}" in page.url
    assert page.get_by_text(re.compile(rf"^{count} results?[.,]")).is_visible()
    # Each row's score badge carries its probability and impact.
    badges = page.locator("table tbody span.band-chip[title^='P']")
    assert badges.count() == min(count, 25)
    assert {badges.nth(i).get_attribute("title") for i in range(badges.count())} == {f"P{probability} × I{impact}"}
    assert styled(page)
    assert page.problems == []


def test_capacity_heat_map_shows_over_allocated_weeks_of_the_demo_program(demo, page_as):
    program = demo_program()
    page = page_as("program_manager")
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Capacity").click()
    page.wait_for_url("**/staffing/capacity/**")
    page.goto(f"/staffing/capacity/?program={program.pk}")
    assert page.locator("table.heatmap tbody tr").count() > 5
    over = page.locator("table.heatmap td.heat-over")
    assert over.count() > 0
    # Every red cell says in its title how many hours were booked against how many available.
    assert re.search(r"\d", over.first.get_attribute("title"))
    assert page.get_by_role("heading", name=re.compile("Over-allocations")).is_visible()
    assert styled(page)
    assert page.problems == []


def test_a_refused_in_place_allocation_edit_shows_its_error_and_keeps_the_page(demo, page_as):
    project = Project.objects.filter(program=demo_program(), allocations__isnull=False).order_by("code").first()
    allocation = Allocation.objects.filter(project=project).order_by("pk").first()
    page = page_as("program_manager")
    page.goto(f"/projects/{project.code}/staffing/")
    page.locator(f"a[href$='/allocations/{allocation.pk}/edit/']").click()
    form = page.locator(f"form[hx-post$='/allocations/{allocation.pk}/edit/']")
    form.wait_for()
    form.locator("input[name=end]").fill("2000-01-01")  # before the allocation starts
    form.locator("button[type=submit]").click()
    page.locator(".errorlist").first.wait_for()
    assert styled(page), "the refused save replaced the whole page"
    assert page.locator("#allocations").is_visible()
    allocation.refresh_from_db()
    assert allocation.end.year != 2000
    assert page.problems == []


def test_project_manager_ticks_a_gate_criterion_in_place(demo, page_as):
    criterion = (
        GateCriterion.objects.filter(
            gate__decision="pending", met=False, gate__project__manager__username="project_manager"
        )
        .select_related("gate__project")
        .order_by("pk")
        .first()
    )
    page = page_as("project_manager")
    page.goto(f"/projects/{criterion.gate.project.code}/governance/")
    row = page.locator(f"#criterion-{criterion.pk}")
    with page.expect_response(lambda r: "/tick/" in r.url and r.request.method == "POST") as answer:
        row.locator("input[type=checkbox]").check()
    assert answer.value.status == 200
    page.locator(f"#criterion-{criterion.pk}.gov-met").wait_for()
    criterion.refresh_from_db()
    assert criterion.met
    assert styled(page)
    assert page.problems == []
