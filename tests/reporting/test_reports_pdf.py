"""The board pack: the PDF portfolio and program reports. They are PDFs with a cover, contents, one
page per program the reader sees and an appendix; they print the roll-ups' figures, program money
only to readers who see the program whole; outsiders get 404; and the reads take the same number
of queries for 3 programs (or projects) as for 10."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from portfolio.models import Membership
from reporting import reports
from reporting.models import MetricSnapshot
from reporting.views.reports import render_pack_html
from tests.factories.portfolio import MembershipFactory, ProgramFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.reporting import PortfolioRollupFactory, ProgramRollupFactory, ProjectRollupFactory
from tests.factories.risks import RiskFactory
from tests.factories.users import UserFactory

D = Decimal
PROGRAM_BAC = D("7654321.00")  # distinctive, to find (or not) in the text
PROJECT_BAC = D("11111.00")


def build_programs(portfolio, count: int, *, projects_each: int = 2) -> list:
    """`count` programs in `portfolio`, each with a current roll-up, a year of weekly snapshots,
    `projects_each` projects with roll-ups and a late milestone, and a risk."""
    today = timezone.localdate()
    programs = []
    start = portfolio.programs.count()
    for i in range(start, start + count):
        program = ProgramFactory(portfolio=portfolio, code=f"P{i:02d}", name=f"Program number {i:02d}")
        ProgramRollupFactory(
            program=program,
            bac=PROGRAM_BAC,
            eac=D("8000000.00"),
            vac=D("-345679.00"),
            cpi=D("0.9100"),
            spi=D("0.9500"),
            residual_emv=D("250000.00"),
            reserve_remaining=D("100000.00"),
            forecast_finish=today + dt.timedelta(days=200),
            slip_working_days=12,
            milestones_late=1,
            health_overall="red",
            health_cost="red",
            health_reasons={"cost": "CPI 0.91 < 0.95 (program-wide)"},
        )
        for week in range(0, 52, 4):
            MetricSnapshot.objects.create(
                program=program,
                day=today - dt.timedelta(weeks=week),
                cpi=D("0.95"),
                spi=D("1.02"),
                health_overall="amber",
            )
        for j in range(projects_each):
            project = ProjectFactory(program=program, code=f"P{i:02d}-{j}", name=f"Project {i:02d}-{j}")
            ProjectRollupFactory(project=project, bac=PROJECT_BAC, cpi=D("1.0500"))
            TaskFactory(
                project=project,
                name=f"Milestone {i:02d}-{j}",
                is_milestone=True,
                finish=timezone.now() - dt.timedelta(days=3),
            )
        RiskFactory(program=program, title=f"Risk of program {i:02d}")
        programs.append(program)
    return programs


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    return PdfReader(io.BytesIO(content))


def text_of(reader: PdfReader) -> str:
    """The PDF's text with its line breaks as spaces (the layout wraps sentences)."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def three_programs(portfolio):
    PortfolioRollupFactory(portfolio=portfolio, bac=D("22962963.00"))
    return build_programs(portfolio, 3)


def test_portfolio_report_is_a_pdf_with_a_page_per_program(client_for, executive, portfolio, three_programs):
    reader = pdf_of(client_for(executive).get(reverse("reporting:portfolio-report-pdf", args=[portfolio.pk])))

    # Cover, contents, portfolio headline, one page per program, appendix.
    assert len(reader.pages) == 3 + len(three_programs) + 1
    text = text_of(reader)
    for program in three_programs:
        assert program.name in text
    assert "7,654,321.00" in text  # the executive oversees the portfolio: program money
    assert "Portfolio headline" in text
    assert "22,962,963.00" in text
    assert "Risk of program 00" in text
    assert "Milestone 00-0" in text
    assert "CPI 0.91 < 0.95" in text


def test_each_program_page_starts_on_its_own_page(client_for, executive, portfolio, three_programs):
    reader = pdf_of(client_for(executive).get(reverse("reporting:portfolio-report-pdf", args=[portfolio.pk])))

    program_pages = [" ".join(page.extract_text().split()) for page in reader.pages[3:-1]]
    for program, page in zip(three_programs, program_pages, strict=True):
        assert program.name in page
        assert "Trends over the last year" in page


def test_outsider_gets_404_for_both_reports(client_for, outsider, portfolio, three_programs):
    client = client_for(outsider)

    assert client.get(reverse("reporting:portfolio-report-pdf", args=[portfolio.pk])).status_code == 404
    assert client.get(reverse("reporting:program-report-pdf", args=[three_programs[0].code])).status_code == 404


def test_a_server_without_pango_answers_503_saying_what_to_install(client_for, executive, portfolio, monkeypatch):
    def no_pango(**kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("reporting.views.reports.pack_document", no_pango)
    response = client_for(executive).get(reverse("reporting:portfolio-report-pdf", args=[portfolio.pk]))

    assert response.status_code == 503
    assert "apt-get install libpango-1.0-0" in response.content.decode()


def test_anonymous_is_sent_to_log_in(client, portfolio):
    response = client.get(reverse("reporting:portfolio-report-pdf", args=[portfolio.pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_project_member_sees_the_program_page_but_no_program_money(client_for, portfolio, three_programs):
    program = three_programs[1]
    member = UserFactory(username="one-project")
    MembershipFactory(user=member, role=Membership.Role.TEAM_MEMBER, project=program.projects.first())

    reader = pdf_of(client_for(member).get(reverse("reporting:portfolio-report-pdf", args=[portfolio.pk])))

    # Cover, contents, their one program (no headline: they do not oversee the portfolio), appendix.
    assert len(reader.pages) == 4
    text = text_of(reader)
    assert program.name in text
    assert three_programs[0].name not in text
    assert "7,654,321.00" not in text
    assert "22,962,963.00" not in text
    assert "Portfolio headline" not in text
    assert "CPI 0.91 < 0.95" not in text  # the rule quotes program-wide figures
    assert "printed for readers with a role on the whole program" in text


def test_program_report_has_the_program_page_and_a_section_per_project(client_for, owner, program, portfolio):
    ProgramRollupFactory(program=program, bac=PROGRAM_BAC)
    projects = [ProjectFactory(program=program, code=f"MOD-{i}", name=f"Workstream {i}") for i in range(3)]
    for project in projects:
        ProjectRollupFactory(project=project, bac=PROJECT_BAC)

    reader = pdf_of(client_for(owner).get(reverse("reporting:program-report-pdf", args=[program.code])))

    # Cover, contents, the program page, the projects, the appendix.
    assert len(reader.pages) == 5
    text = text_of(reader)
    assert "Modernisation" in text
    assert "7,654,321.00" in text
    for project in projects:
        assert project.name in text
    assert "11,111.00" in text


def test_program_report_for_a_project_member_shows_their_project_money_only(client_for, member, program, project):
    ProgramRollupFactory(program=program, bac=PROGRAM_BAC)
    ProjectRollupFactory(project=project, bac=PROJECT_BAC)
    hidden = ProjectFactory(program=program, code="MOD-HIDDEN", name="Hidden workstream")
    ProjectRollupFactory(project=hidden, bac=D("99999.00"))

    text = text_of(pdf_of(client_for(member).get(reverse("reporting:program-report-pdf", args=[program.code]))))

    assert "ERP replacement" in text
    assert "11,111.00" in text
    assert "Hidden workstream" not in text
    assert "99,999.00" not in text
    assert "7,654,321.00" not in text


def _portfolio_pack_queries(user, portfolio) -> int:
    with CaptureQueriesContext(connection) as captured:
        pack = reports.portfolio_pack(user=user, portfolio=portfolio)
        render_pack_html(pack=pack, template="reporting/pdf/portfolio_report.html")
    return len(captured.captured_queries)


@pytest.mark.parametrize("reader", ["executive", "member"])
def test_portfolio_report_queries_do_not_grow_with_programs(request, portfolio, reader):
    programs = build_programs(portfolio, 3)
    user = request.getfixturevalue("executive")
    if reader == "member":  # sees every program through one project of each
        user = UserFactory(username="many-projects")
    PortfolioRollupFactory(portfolio=portfolio)

    def grant(programs):
        if reader == "member":
            for program in programs:
                MembershipFactory(user=user, role=Membership.Role.TEAM_MEMBER, project=program.projects.first())

    grant(programs)
    few = _portfolio_pack_queries(user, portfolio)
    grant(build_programs(portfolio, 7, projects_each=4))
    many = _portfolio_pack_queries(user, portfolio)

    assert len(reports.portfolio_pack(user=user, portfolio=portfolio).sections) == 10
    assert many == few


def test_program_report_queries_do_not_grow_with_projects(owner, program):
    ProgramRollupFactory(program=program)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            pack = reports.program_pack(user=owner, program=program)
            render_pack_html(pack=pack, template="reporting/pdf/program_report.html")
        return len(captured.captured_queries)

    for i in range(3):
        ProjectRollupFactory(project=ProjectFactory(program=program, code=f"MOD-A{i}"))
    few = queries()
    for i in range(12):
        project = ProjectFactory(program=program, code=f"MOD-B{i}")
        ProjectRollupFactory(project=project)
        RiskFactory(project=project)
    many = queries()

    assert many == few


def test_program_report_is_bounded(owner, program, monkeypatch):
    monkeypatch.setattr(reports, "REPORT_PROJECTS", 2)
    for i in range(5):
        ProjectFactory(program=program, code=f"MOD-C{i}")

    pack = reports.program_pack(user=owner, program=program)

    assert len(pack.projects) == 2
    assert pack.projects_more == 3
