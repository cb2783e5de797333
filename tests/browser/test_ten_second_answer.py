"""The ten-second answer, in a real browser on the small demo: an executive lands on the
portfolio health board, sorts it by CPI, drills into a red program and downloads its PDF and
the portfolio's (a page per program); a project manager lands on their home page, submits a
status report from the narrative draft and, after the roll-up, the board shows it; an outsider
sees nothing. Each scenario saves screenshots of the pages it passes into docs/screenshots/,
which the README shows."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from portfolio.models import Portfolio, Program
from projects.models import Project, StatusReport
from reporting.models import ProgramRollup

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


def shoot(page, name: str, *, phone: bool = False) -> None:
    """Save the whole page as docs/screenshots/<name>.png (and at phone width with `phone`, which
    must not scroll sideways)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    if phone:
        size = page.viewport_size
        page.set_viewport_size(PHONE)
        # Wide tables and charts scroll inside their own wrappers; the page itself never does.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} scrolls sideways"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
        page.set_viewport_size(size)


def board_cpis(page) -> list[Decimal]:
    cells = page.locator("#board-table td[data-figure='cpi']").all_inner_texts()
    return [Decimal(text.split()[0]) for text in cells if text.split() and text.split()[0] != "—"]


def pdf_pages(page, url: str) -> PdfReader:
    """Download `url` in the signed-in browser context and open it as a PDF."""
    response = page.request.get(url)
    assert response.status == 200, f"{url}: {response.status}"
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    return PdfReader(io.BytesIO(body))


def test_executive_sorts_the_board_by_cpi_drills_into_a_red_program_and_downloads_the_pdfs(demo_with_history, page_as):
    portfolio = Portfolio.objects.get(code="CORP")
    page = page_as("executive")

    page.goto("/")
    page.wait_for_url(f"**/portfolios/{portfolio.pk}/board/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Corporate Transformation")
    programs = Program.objects.filter(portfolio=portfolio).exclude(status__in=["completed", "cancelled"])
    assert page.locator("#board-table tbody tr").count() == programs.count()
    shoot(page, "board", phone=True)

    # Sort by CPI: the header link refreshes the table in place (htmx) and pushes the URL.
    page.locator("#board-table thead a", has_text="CPI").first.click()
    page.wait_for_url("**sort=cpi**")
    ascending = board_cpis(page)
    assert len(ascending) >= 2
    assert ascending == sorted(ascending)
    page.locator("#board-table thead a", has_text="CPI").first.click()
    page.wait_for_url("**sort=-cpi**")
    assert board_cpis(page) == sorted(ascending, reverse=True)

    # Drill into a red program (computed health) from its row.
    red = ProgramRollup.objects.filter(program__in=programs, health_overall="red").order_by("program__code").first()
    assert red is not None, "the demo has a program whose computed health is red"
    row = page.locator("#board-table tbody tr.health-row-red", has_text=red.program.code)
    row.get_by_role("link", name=red.program.code).click()
    page.wait_for_url(f"**/programs/{red.program.code}/")
    assert "Red" in page.locator(".health").first.inner_text()
    shoot(page, "program-cockpit", phone=True)

    # Its PDF report, from the cockpit's link: it opens and names the program.
    program_pdf = pdf_pages(page, page.locator("a[data-link='pdf']").get_attribute("href"))
    assert red.program.name in "".join(p.extract_text() for p in program_pdf.pages)

    # The portfolio's board pack, from the board: cover, contents, headline, a page per program, appendix.
    page.go_back()
    page.wait_for_url(f"**/portfolios/{portfolio.pk}/board/**")
    pack = pdf_pages(page, page.get_by_role("link", name="PDF report").get_attribute("href"))
    texts = [p.extract_text() for p in pack.pages]
    for program in programs:
        assert sum(program.name in text for text in texts[3:]) >= 1, program.code
    assert len(pack.pages) >= 3 + programs.count() + 1
    assert page.problems == []


def test_project_manager_submits_a_report_from_the_draft_and_the_board_shows_it(demo, page_as):
    page = page_as("project_manager")
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "My projects"
    shoot(page, "home-project-manager", phone=True)

    # A report due (or overdue) on the home page opens the status report form.
    due = page.locator("a[href$='/status/new/']").first
    code = due.get_attribute("href").split("/")[2]
    project = Project.objects.get(code=code)
    program = project.program
    assert ProgramRollup.objects.get(program=program).reported_rag != "red"
    due.click()
    page.wait_for_url(f"**/projects/{code}/status/new/")

    draft = page.locator("#narrative-draft")
    draft.wait_for()
    assert draft.locator(".health .rag").first.is_visible()  # the computed RAG beside the one chosen
    page.on("dialog", lambda dialog: dialog.accept())  # "replace the summary you have now?"
    page.get_by_role("button", name="Use this draft").click()
    summary = page.locator("#id_summary").input_value()
    assert summary.strip()
    overall = page.locator("[name=overall_rag]")
    if overall.first.evaluate("e => e.tagName") == "SELECT":
        overall.select_option("red")
    else:
        page.locator("[name=overall_rag][value=red]").check()
    shoot(page, "status-report-draft")
    page.get_by_role("button", name="Submit report").click()
    page.wait_for_url(f"**/projects/{code}/")
    report = StatusReport.objects.filter(project=project).order_by("-submitted_at").first()
    assert report.overall_rag == "red"
    assert report.summary.replace("\r\n", "\n") == summary.replace("\r\n", "\n")

    # The roll-up ran after the commit (tasks run in-process here): the board shows it.
    assert ProgramRollup.objects.get(program=program).reported_rag == "red"
    board = page_as("executive")
    board.goto(f"/portfolios/{program.portfolio_id}/board/")
    row = board.locator("#board-table tbody tr", has_text=program.code)
    assert "Reported" in row.inner_text()
    assert "Red" in row.locator(".health-cell").inner_text()
    assert board.locator("#board-table tbody tr .health-cell", has_text="Reported").count() >= 1
    assert page.problems == []
    assert board.problems == []


def test_finance_home_and_search(demo, page_as):
    page = page_as("finance_analyst")
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Finance"
    shoot(page, "home-finance")
    page.get_by_role("searchbox").fill("Tax")
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url("**/search/?q=Tax")
    assert page.locator("main a", has_text="DTP").count() >= 1
    shoot(page, "search")
    assert page.problems == []


def test_an_outsider_sees_nothing(demo, page_as):
    get_user_model().objects.create_user("outsider", password="keel-demo-outsider")
    portfolio = Portfolio.objects.get(code="CORP")
    program = Program.objects.filter(portfolio=portfolio).order_by("code").first()
    page = page_as("outsider")

    page.goto("/")
    assert program.name not in page.locator("main").inner_text()
    for url in (
        f"/portfolios/{portfolio.pk}/board/",
        f"/portfolios/{portfolio.pk}/board.xlsx",
        f"/portfolios/{portfolio.pk}/report.pdf",
        f"/programs/{program.code}/",
        f"/programs/{program.code}/report.pdf",
    ):
        assert page.request.get(url).status == 404, url
    page.goto("/search/?q=Tax")
    assert program.code not in page.locator("main").inner_text()
    assert page.problems == []
