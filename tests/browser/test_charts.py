"""Every chart page of the small demo, in Chromium at desktop and phone widths, measured as drawn:
chart text is at least 11 px on screen (an SVG shrunk to its card would draw it smaller), no text
runs outside its chart or over other text, every chart has a text alternative; the program
timeline and a project's schedule open with today in view and keep their row names in view while
scrolled sideways."""

import pytest

from budgets.models import Contract
from governance.models import Benefit
from portfolio.models import Program
from risks.models import Risk
from staffing.models import Allocation
from tests.browser.conftest import TODAY

pytestmark = pytest.mark.django_db(transaction=True)

CHARTS = ".chart-wrap svg, .gantt-wrap svg, svg.benefit-chart:not(.benefit-spark), svg.staffing-chart"

# Every chart on the page as the reader sees it: problems as sentences.
MEASURE = """(selector) => {
  const problems = [];
  const charts = [...document.querySelectorAll(selector)];
  for (const svg of charts) {
    const name = svg.getAttribute("class");
    // An image hides its children from assistive technology: a chart with links is a group.
    const role = svg.querySelector("a") ? "group" : "img";
    if (svg.getAttribute("role") !== role || !svg.getAttribute("aria-label")) {
      problems.push(`${name}: no text alternative`);
    }
    const frame = svg.getBoundingClientRect();
    const boxes = [];
    for (const text of svg.querySelectorAll("text")) {
      if (getComputedStyle(text).visibility === "hidden" || !text.textContent.trim()) continue;
      const scale = text.getScreenCTM().a;
      const px = parseFloat(getComputedStyle(text).fontSize) * scale;
      const label = text.textContent.trim().slice(0, 40);
      if (px < 10.95) problems.push(`${name}: "${label}" drawn at ${px.toFixed(1)} px`);
      const box = text.getBoundingClientRect();
      const out = box.left < frame.left - 1 || box.right > frame.right + 1;
      if (out || box.top < frame.top - 1 || box.bottom > frame.bottom + 1) {
        problems.push(`${name}: "${label}" runs outside the chart`);
      }
      boxes.push([label, box]);
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i], [b, q] = boxes[j];
        const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (w > 1 && h > 1) problems.push(`${name}: "${a}" overlaps "${b}"`);
      }
    }
  }
  return {count: charts.length, problems};
}"""


def chart_pages() -> dict[str, str]:
    program = Program.objects.get(manager__username="program_manager")
    # A project under way on the demo's day, so that its schedule has a today to open on.
    project = (
        program.projects.filter(tasks__start__date__lte=TODAY, tasks__finish__date__gte=TODAY)
        .distinct()
        .order_by("code")
        .first()
    )
    person = Allocation.objects.filter(project__program=program).first().person
    return {
        "project costs": f"/projects/{project.code}/costs/",
        "program costs": f"/programs/{program.code}/costs/",
        "contracts": f"/programs/{program.code}/contracts/",
        "contract": f"/programs/{program.code}/contracts/{Contract.objects.filter(program=program).first().pk}/",
        "project risks": f"/projects/{project.code}/risks/",
        "program risks": f"/programs/{program.code}/risks/",
        "portfolio risks": f"/portfolios/{program.portfolio.code}/risks/",
        "risk": f"/risks/{Risk.objects.filter(project=project).first().pk}/",
        "person": f"/people/{person.pk}/",
        "benefit": f"/programs/{program.code}/benefits/{Benefit.objects.filter(program=program).first().pk}/",
        "timeline": f"/programs/{program.code}/timeline/",
        "schedule": f"/projects/{project.code}/schedule/",
    }


def test_every_chart_page_draws_readable_text_on_desktop_and_phone(demo, page_as):
    page = page_as("program_manager")
    pages = chart_pages()
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        problems, charts = [], 0
        for name, url in pages.items():
            page.goto(url)
            found = page.evaluate(MEASURE, CHARTS)
            assert found["count"], f"no chart on the {name} page"
            charts += found["count"]
            problems += [f"{name} at {width} px: {problem}" for problem in found["problems"]]
        assert problems == []
        assert charts >= 12

    # The capacity heat map (a table) keeps the names in view while its weeks scroll sideways.
    page.goto(f"/staffing/capacity/?program={Program.objects.get(manager__username='program_manager').pk}")
    wrap = page.locator(".heatmap-wrap")
    wrap.evaluate("(el) => { el.scrollIntoView({block: 'start'}); el.scrollLeft += 300; }")
    assert wrap.evaluate("(el) => el.scrollLeft") > 0
    name = page.locator(".heatmap tbody .name-cell").first.bounding_box()
    assert name["x"] >= wrap.bounding_box()["x"] - 1
    assert page.problems == []


def test_gantts_open_on_today_and_keep_row_names_in_view_when_scrolled(demo, page_as):
    """On a desktop the whole name column (280 px) stays in view; on a phone a narrower one
    (130 px) with the names shortened."""
    page = page_as("program_manager")
    pages = chart_pages()
    for width, column in ((1400, 280), (390, 130)):
        page.set_viewport_size({"width": width, "height": 900})
        for page_name in ("timeline", "schedule"):
            where = f"{page_name} at {width} px"
            page.goto(pages[page_name])
            wrap = page.locator(".gantt-wrap")
            wrap.evaluate("(el) => el.scrollIntoView({block: 'start'})")  # the page, not the chart
            today = page.locator(".gantt-wrap .gantt-today")
            assert today.count() == 1, where
            frame = wrap.bounding_box()
            line = today.bounding_box()
            assert frame["x"] + column <= line["x"] <= frame["x"] + frame["width"], where  # beside the names

            first_name = page.locator(".gantt-wrap text.gantt-label").first
            wrap.evaluate("(el) => { el.scrollLeft += 900; }")
            page.wait_for_function(
                "() => { const el = document.querySelector('.gantt-wrap');"
                " const shift = el.querySelector('g.gantt-labels').getAttribute('transform');"
                " return shift === `translate(${el.scrollLeft} 0)`; }"
            )
            name = first_name.bounding_box()
            assert frame["x"] <= name["x"] < name["x"] + name["width"] <= frame["x"] + column, where
            centre = (name["x"] + name["width"] / 2, name["y"] + name["height"] / 2)
            # Nothing is drawn over the name: the topmost element at its centre is the name itself.
            on_top = page.evaluate(
                "([x, y]) => document.elementFromPoint(x, y).closest('text')?.classList.contains('gantt-label')", centre
            )
            assert on_top, where
    assert page.problems == []
