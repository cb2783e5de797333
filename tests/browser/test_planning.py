"""Portfolio planning in a real browser on the small demo: the portfolio admin opens the demo's
scenario, leaves a project out and shifts another in place, runs the optimiser, applies its plan,
compares two scenarios, opens the commit confirmation and commits; the executive reads the same
pages with no edit control. Every page passes axe, and at 390 px nothing widens the page (charts
and tables scroll inside their own frames) and no chart text runs outside its chart."""

import os
from pathlib import Path

import pytest

from demo.planning import SCENARIO_NAME
from planning.models import OptimisationRun, Scenario
from planning.selectors.scenario import add_months, scenario_view
from tests.browser.test_charts import MEASURE
from tests.conftest import AXE_SCRIPT

pytestmark = pytest.mark.django_db(transaction=True)

# KEEL_SHOTS_DIR=/some/folder saves each page at 1280 and 390 px wide, for a person to look at.
SHOTS = os.environ.get("KEEL_SHOTS_DIR", "")
PHONE = {"width": 390, "height": 900}
DESKTOP = {"width": 1400, "height": 1000}


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"planning-{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def load_axe(page) -> None:
    """axe-core evaluated in the page (the Content-Security-Policy refuses the inline script tag
    the axe fixture would add; an evaluation from the test is not a page script)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))


def check_page(page, axe, name: str) -> None:
    """axe passes; at phone width the page is no wider than the screen; chart text is readable
    and inside its chart."""
    load_axe(page)
    axe.assert_clean(page, where=name)
    page.set_viewport_size(PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page is {width} px wide at 390 px"
    measured = page.evaluate(MEASURE, ".chart-wrap svg")
    assert measured["problems"] == [], f"{name}: {measured['problems']}"
    page.set_viewport_size(DESKTOP)
    shoot(page, name)
    assert page.problems == []


def test_portfolio_admin_builds_optimises_compares_and_commits(demo, page_as, axe):
    scenario = Scenario.objects.get(name=SCENARIO_NAME)
    view = scenario_view(scenario)
    included = [r for r in view.rows if r.included and not r.mandatory]
    dropped, shifted = included[0], next(r for r in included[1:] if r.start and r.start > view.months[0])
    page = page_as("portfolio_admin")

    # The navigation leads to the portfolio's scenarios, and on to the demo's.
    page.goto("/")
    page.get_by_role("link", name="Planning", exact=True).click()
    page.get_by_role("link", name=SCENARIO_NAME).first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(SCENARIO_NAME)
    check_page(page, axe, "scenario")

    # Leave a project out, in place.
    row = page.locator(f"#project-{dropped.project.pk}")
    row.get_by_role("button", name=f"Leave out {dropped.project.code}").click()
    page.locator("#scenario-body .inline-notice", has_text=f"{dropped.project.code} left out").wait_for()
    assert page.locator(f"#project-{dropped.project.pk}").get_by_text("Left out", exact=True).is_visible()

    # Shift another project's start by two months, in the row's editor.
    page.locator(f"#project-{shifted.project.pk}").get_by_role("link", name=f"Edit {shifted.project.code}").click()
    editor = page.locator(f"tr.edit-row#project-{shifted.project.pk}")
    editor.get_by_label("Or shift by (months)").fill("2")
    editor.get_by_role("button", name="Save").click()
    page.locator("#scenario-body .inline-notice", has_text=f"{shifted.project.code}: saved").wait_for()
    moved = scenario_view(scenario).row(shifted.project.pk)
    assert moved.shift_months == 2
    assert moved.start == add_months(shifted.start, 2)
    assert moved.change in ("shifted", "added")  # a proposal the scenario includes stays "added"
    assert scenario_view(scenario).row(dropped.project.pk).change in ("dropped", "unchanged")
    assert not scenario_view(scenario).row(dropped.project.pk).included

    # Change its budget in one fiscal period and its staffing demand in one month, in place.
    row = page.locator(f"#project-{shifted.project.pk}")
    row.get_by_role("link", name=f"Budget of {shifted.project.code}").click()
    editor = page.locator(f"tr.edit-row#project-{shifted.project.pk}")
    editor.get_by_label("Fiscal period").select_option(index=3)
    editor.get_by_label("Amount").fill("12345")
    check_page(page, axe, "budget-editor")
    editor.get_by_role("button", name="Save budget").click()
    page.locator("#scenario-body .inline-notice", has_text="budget for").wait_for()
    assert scenario_view(scenario).row(shifted.project.pk).budget_changed
    page.locator(f"#project-{shifted.project.pk}").get_by_role(
        "link", name=f"Staffing of {shifted.project.code}"
    ).click()
    editor = page.locator(f"tr.edit-row#project-{shifted.project.pk}")
    editor.get_by_label("Role").select_option(index=1)
    editor.get_by_label("Month").fill(f"{view.months[3]:%Y-%m}")
    editor.get_by_label("FTE").fill("1.5")
    editor.get_by_role("button", name="Save demand").click()
    page.locator("#scenario-body .inline-notice", has_text="demand for").wait_for()
    assert scenario_view(scenario).row(shifted.project.pk).demand_changed

    # Run the optimiser (in process: the run is solved when the POST's transaction commits).
    page.get_by_role("button", name="Run the optimiser").click()
    page.get_by_role("heading", name="The plan").wait_for(timeout=60_000)
    run = OptimisationRun.objects.get(scenario=scenario)
    assert run.status == "succeeded"
    for heading in ("Binding constraints", "Left out:"):
        assert page.get_by_role("heading", name=heading).count() >= 1
    check_page(page, axe, "run")

    # Apply the plan: a confirmation, nothing ticked, then one POST.
    page.get_by_role("link", name="Apply this plan to the scenario…").click()
    box = page.get_by_role("checkbox")
    assert not box.is_checked()
    check_page(page, axe, "apply")
    box.check()
    page.get_by_role("button", name="Apply the plan").click()
    page.get_by_text("The plan is applied").wait_for()
    assert OptimisationRun.objects.get(pk=run.pk).applied_at is not None

    # The scoring page: criteria, the pairwise matrix, the frontier.
    page.get_by_role("link", name="Scoring & frontier").click()
    page.get_by_role("heading", name="Efficient frontier: score against cost").wait_for()
    assert page.locator("svg.chart-frontier").count() == 1
    check_page(page, axe, "scoring")

    # Copy the scenario and compare the two.
    page.goto(f"/planning/scenarios/{scenario.pk}/copy/")
    page.get_by_label("Name of the copy").fill("Next year's plan, lean")
    page.get_by_role("button", name="Copy scenario").click()
    copy = Scenario.objects.get(name="Next year's plan, lean")
    page.goto(f"/planning/portfolios/{scenario.portfolio_id}/compare/?s={scenario.pk}&s={copy.pk}")
    page.get_by_role("heading", name="Headline figures").wait_for()
    assert page.locator("svg.chart-capacity-heat").count() == 2
    assert page.locator("svg.chart-cost-cap").count() == 1
    check_page(page, axe, "compare")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto(f"/planning/portfolios/{scenario.portfolio_id}/scenarios/")
    check_page(page, axe, "list")

    # Commit: every change listed, nothing ticked, the name typed, one POST.
    page.goto(f"/planning/scenarios/{scenario.pk}/")
    page.get_by_role("link", name="Commit…").click()
    page.get_by_role("heading", name="Confirm").wait_for()
    assert not page.get_by_role("checkbox").is_checked()
    assert page.get_by_label("Type the scenario's name").input_value() == ""
    assert (
        page.get_by_role("heading", name="Starts moved").count()
        + page.get_by_role("heading", name="Put on hold").count()
        >= 1
    )
    check_page(page, axe, "commit")
    page.get_by_role("checkbox").check()
    page.get_by_label("Type the scenario's name").fill(SCENARIO_NAME)
    page.get_by_role("button", name="Commit to the live portfolio").click()
    page.locator(".message-success", has_text="is committed").wait_for()
    assert Scenario.objects.get(pk=scenario.pk).status == Scenario.Status.COMMITTED
    assert page.get_by_role("button", name="Leave out").count() == 0


def test_executive_reads_every_planning_page_without_edit_controls(demo, page_as, axe):
    scenario = Scenario.objects.get(name=SCENARIO_NAME)
    page = page_as("executive")
    page.goto("/")
    page.get_by_role("link", name="Planning", exact=True).click()
    page.get_by_role("link", name=SCENARIO_NAME).first.click()
    page.get_by_role("heading", name="Projects", exact=True).wait_for()
    for name in ("Leave out", "Include", "Run the optimiser", "Save"):
        assert page.get_by_role("button", name=name).count() == 0, name
    assert page.get_by_role("link", name="Commit…").count() == 0
    assert page.locator("[hx-post]").count() == 0
    check_page(page, axe, "scenario-executive")
    page.goto(f"/planning/scenarios/{scenario.pk}/scoring/")
    assert page.locator("form[method=post]").count() == 1  # the log-out form only
    check_page(page, axe, "scoring-executive")
    assert page.goto(f"/planning/scenarios/{scenario.pk}/commit/").status == 404
