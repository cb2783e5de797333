"""Every main page of the small demo, as the login who uses it, at desktop and phone widths,
checked by axe-core (npm, node_modules/axe-core): no violation of "serious" or "critical"
impact. Plus keyboard use: the skip link is the first stop and jumps to the content, the main
navigation is reachable by Tab, and every chart has a name and a text or table alternative.

PAGES is the one list to extend: (login, url) where the url's {placeholders} are filled from the
demo by `demo_objects` (None as the login: signed out)."""

import pytest

from budgets.models import Contract, LifecycleCostEstimate
from governance.models import Benefit, ChangeRequest, StageGate
from portfolio.models import Program
from projects.models import Project
from risks.models import Issue, Risk
from staffing.models import Allocation
from tests.browser.conftest import axe_report

pytestmark = pytest.mark.django_db(transaction=True)

PAGES: list[tuple[str | None, str]] = [
    (None, "/accounts/login/"),
    ("executive", "/"),
    ("program_manager", "/"),
    ("project_manager", "/"),
    ("executive", "/programs/"),
    # The ten-second answer: the board, the role homes, search
    ("executive", "/portfolios/{portfolio_pk}/board/"),
    ("executive", "/portfolios/{portfolio_pk}/board/?sort=-cpi&computed_health=red"),
    ("finance_analyst", "/"),
    ("team_member", "/"),
    ("project_manager", "/?view=projects"),
    ("executive", "/?view=overview"),
    ("executive", "/search/?q=Tax"),
    ("program_manager", "/reporting/projects/{project}/narrative-draft/"),
    ("program_manager", "/programs/{program}/calendar/"),
    ("program_manager", "/programs/{program}/"),
    ("program_manager", "/programs/{program}/timeline/"),
    ("project_manager", "/projects/"),
    ("project_manager", "/projects/{project}/"),
    ("project_manager", "/projects/{project}/schedule/"),
    ("project_manager", "/projects/{project}/status/new/"),
    ("project_manager", "/projects/{project}/edit/"),
    ("project_manager", "/projects/{project_pk}/risk-inputs/"),
    # Costs
    ("finance_analyst", "/projects/{project}/costs/"),
    ("finance_analyst", "/projects/{project}/costs/plan/"),
    ("finance_analyst", "/projects/{project}/costs/entries/"),
    ("finance_analyst", "/programs/{program}/costs/"),
    ("finance_analyst", "/programs/{program}/contracts/"),
    ("finance_analyst", "/programs/{program}/contracts/{contract}/"),
    ("finance_analyst", "/programs/{program}/lcce/"),
    ("finance_analyst", "/programs/{program}/lcce/{lcce}/"),
    ("finance_analyst", "/imports/"),
    # Risks and issues (the registers carry the heat map)
    ("project_manager", "/projects/{project}/risks/"),
    ("program_manager", "/programs/{program}/risks/"),
    ("executive", "/portfolios/{portfolio}/risks/"),
    ("project_manager", "/risks/{risk}/"),
    ("project_manager", "/projects/{project}/risks/new/"),
    ("program_manager", "/projects/{issue_project}/issues/"),
    ("program_manager", "/programs/{program}/issues/"),
    ("program_manager", "/issues/{issue}/"),
    # People, capacity, staffing
    ("program_manager", "/people/"),
    ("program_manager", "/people/{person}/"),
    ("program_manager", "/staffing/capacity/"),
    ("program_manager", "/staffing/capacity/conflicts/"),
    ("program_manager", "/programs/{program}/staffing/"),
    ("project_manager", "/projects/{project}/staffing/"),
    # Governance
    ("program_manager", "/programs/{program}/governance/"),
    ("project_manager", "/projects/{project}/governance/"),
    ("project_manager", "/projects/{gate_project}/gates/{gate}/"),
    ("project_manager", "/projects/{change_request_project}/change-requests/{change_request}/"),
    ("program_manager", "/programs/{program}/decisions/"),
    ("program_manager", "/programs/{program}/benefits/{benefit}/"),
    ("program_manager", "/programs/{program}/olas/"),
    # Forms
    ("program_manager", "/programs/{program}/edit/"),
    ("program_manager", "/projects/{issue_project}/issues/new/"),
    ("finance_analyst", "/projects/{project}/costs/entries/new/"),
    ("program_manager", "/people/add/"),
    ("project_manager", "/projects/{project}/change-requests/new/"),
    ("program_manager", "/programs/{program}/decisions/new/"),
    ("portfolio_admin", "/portfolios/{portfolio_pk}/health-thresholds/"),
    ("finance_analyst", "/vendors/"),
    ("finance_analyst", "/currencies/"),
    ("admin", "/admin-tools/jobs/"),
    # User administration (access)
    ("portfolio_admin", "/access/"),
    ("portfolio_admin", "/access/project/{project}/"),
    ("portfolio_admin", "/access/people/{project_manager_user}/"),
    ("portfolio_admin", "/access/people/{project_manager_user}/deactivate/"),
    ("portfolio_admin", "/access/invite/"),
    # The user's own pages
    ("project_manager", "/notifications/"),
    ("project_manager", "/notifications/preferences/"),
    ("project_manager", "/profile/"),
]

WIDTHS = {"desktop": 1400, "phone": 390}


def demo_objects() -> dict[str, object]:
    """The records PAGES' placeholders name: the program manager's program, one of the project
    manager's projects in it, and a record of each kind under them."""
    program = Program.objects.get(manager__username="program_manager")
    projects = Project.objects.filter(program=program, manager__username="project_manager")
    project = projects.order_by("code").first()

    def first(model, **within):
        return model.objects.filter(**within).order_by("pk").first()

    gate = first(StageGate, project__in=projects)
    change_request = first(ChangeRequest, project__in=projects)
    issue = first(Issue, project__program=program)
    return {
        "portfolio": program.portfolio.code,
        "portfolio_pk": program.portfolio.pk,
        "program": program.code,
        "project": project.code,
        "project_pk": project.pk,
        "project_manager_user": project.manager_id,
        "risk": first(Risk, project__in=projects).pk,
        # The project manager's projects have no issues in the demo: one of the program's.
        "issue_project": issue.project.code,
        "issue": issue.pk,
        "person": first(Allocation, project__in=projects).person_id,
        "gate_project": gate.project.code,
        "gate": gate.pk,
        "change_request_project": change_request.project.code,
        "change_request": change_request.pk,
        "contract": Contract.objects.filter(program=program).order_by("pk").first().pk,
        "lcce": LifecycleCostEstimate.objects.filter(program=program).order_by("number").first().number,
        "benefit": Benefit.objects.filter(program=program).order_by("pk").first().pk,
    }


def open_as(page_as, chromium, live_server, login: str | None, width: int):
    if login is None:
        context = chromium.new_context(viewport={"width": width, "height": 900}, base_url=live_server.url)
        page = context.new_page()
    else:
        page = page_as(login)
        page.set_viewport_size({"width": width, "height": 900})
    return page


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_no_serious_or_critical_axe_violations_on_any_main_page(demo, page_as, chromium, live_server, axe, width):
    objects = demo_objects()
    pages: dict[str | None, object] = {}
    found, visited = [], 0
    for login, pattern in PAGES:
        if login not in pages:
            pages[login] = open_as(page_as, chromium, live_server, login, width)
        page = pages[login]
        url = pattern.format(**objects)
        response = page.goto(url)
        assert response.status == 200, f"{login} {url}: {response.status}"
        page.wait_for_load_state("networkidle")  # htmx slots (trends, narrative) loaded too
        found.append(axe_report(axe(page), where=f"{login or 'signed out'} {url}"))
        visited += 1
    found = [lines for lines in found if lines]
    assert visited == len(PAGES)
    assert not found, f"axe-core at {width} px, serious/critical violations:\n" + "\n".join(found)
    if None in pages:
        pages[None].context.close()


def test_axe_helper_reports_serious_violations_by_rule_impact_and_target(chromium, axe):
    page = chromium.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><button></button></main></html>')
    found = {violation["id"]: violation for violation in axe(page)}
    assert {"image-alt", "button-name"} <= set(found)
    report = axe_report(list(found.values()), where="sample")
    assert "sample: image-alt [critical]" in report
    assert "img" in report
    with pytest.raises(AssertionError, match="button-name"):
        axe.assert_clean(page)
    page.close()


def test_saved_form_with_its_message_and_refused_form_with_its_errors_pass_axe(demo, page_as, axe):
    objects = demo_objects()
    page = page_as("project_manager")
    page.goto(f"/projects/{objects['project']}/status/new/")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages li").count() >= 1, "the saved report shows a message"
    axe.assert_clean(page, where="after saving a status report")
    page.goto(f"/projects/{objects['project']}/risks/new/")
    # The browser's own required-field check off, so the server answers with its errors.
    page.evaluate("() => document.querySelectorAll('main form').forEach((form) => { form.noValidate = true; })")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".form-errors, .errorlist").count() >= 1, "the empty risk is refused with errors"
    axe.assert_clean(page, where="a refused risk form")


def test_skip_link_is_the_first_tab_stop_and_jumps_to_the_content(demo, page_as):
    page = page_as("project_manager")
    page.goto("/projects/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.textContent.trim(), document.activeElement.hash]")
    assert focused == ["Skip to content", "#main"]
    assert page.locator(".skip-link").is_visible(), "the skip link shows when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    # The next Tab lands inside the content, not back in the top bar.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_main_navigation_is_reachable_and_followed_by_keyboard(demo, page_as):
    page = page_as("project_manager")
    page.goto("/")
    names = []
    for _ in range(12):
        page.keyboard.press("Tab")
        names.append(page.evaluate("() => document.activeElement.textContent.trim()"))
        if names[-1] == "Projects" and page.evaluate("() => !!document.activeElement.closest('nav.mainnav')"):
            break
    else:
        pytest.fail(f"Tab never reached the main navigation's Projects link; stops: {names}")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused navigation link shows a focus ring"
    page.keyboard.press("Enter")
    page.wait_for_url("**/projects/")
    assert page.locator("h1").first.is_visible()


def test_every_chart_has_a_name_and_a_text_or_table_alternative(demo, page_as):
    objects = demo_objects()
    page = page_as("program_manager")
    problems, charts = [], 0
    for login, pattern in PAGES:
        if login != "program_manager":
            continue
        url = pattern.format(**objects)
        page.goto(url)
        result = page.evaluate(CHART_ALTERNATIVES)
        charts += result["count"]
        problems += [f"{url}: {problem}" for problem in result["problems"]]
    assert charts > 0
    assert not problems, "\n".join(problems)


# Every drawn chart (an <svg> with role="img", or "group" when it holds links; icons are
# aria-hidden) needs an accessible name
# (aria-label or <title>) and an alternative a reader can reach: a <desc>, or a data table or
# text in the same figure / chart wrapper.
CHART_ALTERNATIVES = """() => {
  const problems = [];
  const charts = [...document.querySelectorAll("svg")].filter(
    (svg) => svg.getAttribute("aria-hidden") !== "true" && !svg.closest("[aria-hidden='true']"));
  for (const svg of charts) {
    const label = svg.getAttribute("class") || svg.id || "svg";
    const name = svg.getAttribute("aria-label") || svg.querySelector(":scope > title")?.textContent.trim();
    if (!name) problems.push(`${label}: no accessible name (aria-label or <title>)`);
    const role = svg.querySelector("a") ? "group" : "img";
    if (svg.getAttribute("role") !== role) problems.push(`${label}: no role="${role}"`);
    const holder = svg.closest("figure, .chart-wrap, .gantt-wrap, details, section, .card") || svg.parentElement;
    const desc = svg.querySelector(":scope > desc")?.textContent.trim();
    const table = holder.querySelector("table");
    const described = svg.getAttribute("aria-describedby");
    if (!desc && !table && !described) problems.push(`${label}: no <desc>, data table or described-by text`);
  }
  return {count: charts.length, problems};
}"""
