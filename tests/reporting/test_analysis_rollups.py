"""The P80 finish and P80 cost of the newest risk analysis (Monte Carlo) in the roll-ups, on the
program cockpit (labelled as simulated, beside the plan's figures), in the roll-up API, and in
the PDF program report."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.models import ProgramRollup, ProjectRollup
from reporting.services.figures import analysis_figures
from reporting.services.rollups import program_rollup_recompute, project_rollup_recompute
from risks.models import AnalysisRun
from tests.factories.reporting import program_figures
from tests.factories.risks import AnalysisRunFactory, analysis_results
from tests.reporting.test_cockpit import card, figure

pytestmark = pytest.mark.django_db


def test_project_rollup_carries_the_newest_succeeded_runs_p80(project):
    project.time_zone = "Pacific/Auckland"
    project.save()
    AnalysisRunFactory(project=project, completed=True, results=analysis_results(p80_days=100))
    newest = AnalysisRunFactory(project=project, completed=True, results=analysis_results(p80_days=320))
    AnalysisRunFactory(project=project, status=AnalysisRun.Status.FAILED)
    AnalysisRunFactory(project=project, status=AnalysisRun.Status.QUEUED)
    project_rollup_recompute(project_id=project.pk, force=True, propagate=False)
    rollup = ProjectRollup.objects.get(project=project)
    # 5 Jan 2026 17:00 UTC + 320 days = 21 Nov 2026 17:00 UTC, already 22 Nov in Auckland.
    assert rollup.p80_finish == dt.date(2026, 11, 22)
    assert rollup.p80_cost == Decimal("1100000.00")
    assert rollup.simulated_at == newest.finished_at


def test_program_rollup_takes_the_programs_own_run_not_its_projects(program, project):
    AnalysisRunFactory(project=project, completed=True)
    program_rollup_recompute(program_id=program.pk, force=True, propagate=False)
    assert ProgramRollup.objects.get(program=program).p80_cost is None
    AnalysisRunFactory(
        program=program,
        completed=True,
        results=analysis_results(cost_p50=Decimal("2000000"), cost_p80=Decimal("2500000")),
    )
    program_rollup_recompute(program_id=program.pk, force=True, propagate=False)
    rollup = ProgramRollup.objects.get(program=program)
    assert rollup.p80_cost == Decimal("2500000.00")
    assert rollup.p80_finish is not None


def test_no_run_no_simulated_figures(project):
    assert analysis_figures(project=project) == {"p80_finish": None, "p80_cost": None, "simulated_at": None}


def test_cockpit_shows_the_simulated_p80_beside_the_plan(client_for, owner, program):
    program_figures(
        program, p80_finish=dt.date(2027, 2, 5), p80_cost=Decimal("4730000.00"), forecast_finish=dt.date(2026, 12, 7)
    )
    body = client_for(owner).get(reverse("portfolio:program-detail", args=[program.code])).content.decode()
    schedule = card(body, "schedule")
    assert figure(schedule, "p80-finish") == "5 Feb 2027"
    assert "P80 finish, simulated" in schedule
    assert figure(schedule, "forecast-finish") == "7 Dec 2026"
    cost = card(body, "cost")
    assert "4,730,000.00" in figure(cost, "p80-cost")
    assert "not the budget" in cost
    assert reverse("risks:program-analysis", args=[program.code]) in cost


def test_cockpit_says_when_there_is_no_analysis(client_for, owner, program):
    program_figures(program)
    body = client_for(owner).get(reverse("portfolio:program-detail", args=[program.code])).content.decode()
    assert figure(card(body, "schedule"), "p80-finish") == "no analysis yet"


def test_rollup_api_carries_the_simulated_figures(api_for, owner, program):
    program_figures(program, p80_finish=dt.date(2027, 2, 5), p80_cost=Decimal("4730000.00"))
    data = api_for(owner).get(f"/api/v1/programs/{program.pk}/").json()
    assert data["rollup"]["p80_finish"] == "2027-02-05"
    assert Decimal(data["rollup"]["p80_cost"]) == Decimal("4730000.00")


def test_program_report_prints_the_simulated_figures_and_the_analysis_page(client_for, owner, program):
    pytest.importorskip("weasyprint")
    from tests.reporting.test_reports_pdf import pdf_of, text_of

    program_figures(program, p80_finish=dt.date(2027, 2, 5), p80_cost=Decimal("4730000.00"))
    AnalysisRunFactory(program=program, completed=True)
    reader = pdf_of(client_for(owner).get(reverse("reporting:program-report-pdf", args=[program.code])))
    text = text_of(reader)
    assert "P80 finish, simulated" in text
    assert "5 Feb 2027" in text
    assert "P80 cost, simulated (not the budget)" in text
    assert "Schedule and cost risk (Monte Carlo)" in text
    assert "23% chance" in text
    assert "Critical task 0" in text


def test_program_report_for_a_project_member_has_no_program_analysis(member, program, project):
    from reporting import reports

    AnalysisRunFactory(program=program, completed=True)
    assert reports.program_pack(user=member, program=program).analysis is None


def test_board_workbook_has_the_simulated_p80_and_keeps_text_as_text(client_for, executive, portfolio, program):
    import io

    from openpyxl import load_workbook

    program.name = '=HYPERLINK("http://evil","x")'
    program.save()
    program_figures(program, p80_finish=dt.date(2027, 2, 5), p80_cost=Decimal("4730000.00"))
    response = client_for(executive).get(reverse("reporting:portfolio-board-export", args=[portfolio.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Programs"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["P80 finish (simulated)"] == dt.datetime(2027, 2, 5)
    assert row["P80 cost (simulated)"] == pytest.approx(4730000)
    name = sheet.cell(row=2, column=header.index("Program") + 1)
    assert name.value == '=HYPERLINK("http://evil","x")'
    assert name.data_type == "s"


def test_project_list_export_has_the_simulated_p80_finish(client_for, project_manager, project):
    import io

    from openpyxl import load_workbook

    from tests.factories.reporting import ProjectRollupFactory

    ProjectRollupFactory(project=project, p80_finish=dt.date(2027, 2, 5))
    response = client_for(project_manager).get(reverse("projects:project-list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["P80 finish (simulated)"] == dt.datetime(2027, 2, 5)
