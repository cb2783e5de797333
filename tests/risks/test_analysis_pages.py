"""The risk-analysis (Monte Carlo) pages of a project and a program: who sees and who runs,
the empty states, the figures of the newest run, runs compared, the Excel download, and a query
count that does not grow with the runs."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from risks.models import AnalysisRun
from risks.selectors import analysis as selectors
from risks.selectors import analysis_page
from risks.views import analysis as views
from tests.factories.risks import AnalysisRunFactory, analysis_results

pytestmark = pytest.mark.django_db


def page(project) -> str:
    return reverse("risks:project-analysis", args=[project.code])


def program_page(program) -> str:
    return reverse("risks:program-analysis", args=[program.code])


RUN_POST = {"iterations": "5000", "seed": "", "basis": "residual", "target_date": ""}


@pytest.fixture
def requested(monkeypatch):
    """Replace the run service (risks.services.analysis, mc-app) with a recorder that makes a
    queued run, so these tests check the page's side of the contract."""
    calls = []

    def fake(*, user, project=None, program=None, iterations, seed, basis, target_date, trigger):
        calls.append(
            {
                "user": user,
                "project": project,
                "program": program,
                "iterations": iterations,
                "seed": seed,
                "basis": basis,
                "target_date": target_date,
                "trigger": trigger,
            }
        )
        return AnalysisRunFactory(
            status=AnalysisRun.Status.QUEUED,
            project=project,
            program=program,
            iterations=iterations,
            seed=seed or 7,
            basis=basis,
            requested_by=user,
        )

    monkeypatch.setattr(views.services, "analysis_run_request", fake)
    return calls


# -- access ---------------------------------------------------------------------------------------


def test_outsider_gets_404_for_the_project_and_program_pages(client_for, outsider, project, program):
    client = client_for(outsider)
    assert client.get(page(project)).status_code == 404
    assert client.get(program_page(program)).status_code == 404


def test_outsider_gets_404_for_a_run_post_and_nothing_is_asked(client_for, outsider, project, program, requested):
    client = client_for(outsider)
    assert client.post(page(project), RUN_POST).status_code == 404
    assert client.post(program_page(program), RUN_POST).status_code == 404
    assert requested == []


def test_outsider_gets_404_for_a_runs_progress(client_for, outsider, project):
    run = AnalysisRunFactory(project=project, status=AnalysisRun.Status.QUEUED)
    assert client_for(outsider).get(reverse("risks:analysis-progress", args=[run.pk])).status_code == 404


def test_reader_sees_the_page_without_the_run_form_and_cannot_post(client_for, member, project, requested):
    AnalysisRunFactory(project=project, completed=True)
    client = client_for(member)
    response = client.get(page(project))
    assert response.status_code == 200
    assert b'id="run-form"' not in response.content
    assert b"P80 finish" in response.content
    assert client.post(page(project), RUN_POST).status_code == 403
    assert requested == []


def test_executive_reads_the_program_page_but_may_not_run(client_for, executive, program, requested):
    client = client_for(executive)
    assert client.get(program_page(program)).status_code == 200
    assert client.post(program_page(program), RUN_POST).status_code == 403
    assert requested == []


def test_can_run_analysis_for_managers_only(owner, project_manager, member, executive, outsider, project, program):
    assert selectors.can_run_analysis(owner, program)
    assert selectors.can_run_analysis(owner, project)
    assert selectors.can_run_analysis(project_manager, project)
    assert not selectors.can_run_analysis(project_manager, program)
    for user in (member, executive, outsider):
        assert not selectors.can_run_analysis(user, project)


# -- running ---------------------------------------------------------------------------------------


def test_project_manager_starts_a_run_with_the_forms_values(client_for, project_manager, project, requested):
    response = client_for(project_manager).post(
        page(project), {"iterations": "2000", "seed": "42", "basis": "inherent", "target_date": "2026-12-01"}
    )
    assert response.status_code == 302
    assert response["Location"] == page(project)
    (call,) = requested
    assert call["project"] == project
    assert call["program"] is None
    assert (call["iterations"], call["seed"], call["basis"]) == (2000, 42, "inherent")
    assert call["target_date"] == dt.date(2026, 12, 1)
    assert call["trigger"] == AnalysisRun.Trigger.MANUAL


def test_program_manager_starts_a_program_run(client_for, owner, program, requested):
    assert client_for(owner).post(program_page(program), RUN_POST).status_code == 302
    assert requested[0]["program"] == program
    assert requested[0]["project"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("iterations", "99"),
        ("iterations", "100001"),
        ("iterations", "many"),
        ("basis", "guess"),
        ("seed", "-1"),
        ("target_date", "3000-01-01"),
    ],
)
def test_bad_run_input_is_a_400_naming_the_field(client_for, project_manager, project, requested, field, value):
    response = client_for(project_manager).post(page(project), {**RUN_POST, field: value})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert requested == []


def test_a_queued_run_shows_a_progress_bar_that_polls(client_for, project_manager, project):
    run = AnalysisRunFactory(project=project, status=AnalysisRun.Status.QUEUED)
    response = client_for(project_manager).get(page(project))
    assert b'id="analysis-progress"' in response.content
    assert reverse("risks:analysis-progress", args=[run.pk]).encode() in response.content
    progress = client_for(project_manager).get(
        reverse("risks:analysis-progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert progress.status_code == 200
    assert "HX-Refresh" not in progress


def test_a_finished_run_asks_htmx_to_reload_the_page(client_for, project_manager, project):
    run = AnalysisRunFactory(project=project, completed=True)
    response = client_for(project_manager).get(
        reverse("risks:analysis-progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert response["HX-Refresh"] == "true"


# -- what the page shows -----------------------------------------------------------------------------


def test_empty_state_with_no_runs_and_no_inputs(client_for, project_manager, project):
    response = client_for(project_manager).get(page(project))
    assert response.status_code == 200
    text = response.content.decode()
    assert "No analysis yet" in text
    assert "Run the first analysis" in text
    assert 'data-state="no-inputs"' in text
    assert "No runs yet." in text
    assert 'data-figure="p80-finish"' not in text


def test_reader_empty_state_says_who_can_run(client_for, member, project):
    text = client_for(member).get(page(project)).content.decode()
    assert "managers can run one" in text


def test_page_shows_the_p50_and_p80_of_the_newest_run(client_for, project_manager, project):
    AnalysisRunFactory(project=project, completed=True, results=analysis_results(p50_days=100, p80_days=130))
    newest = AnalysisRunFactory(
        project=project,
        completed=True,
        results=analysis_results(
            start=dt.date(2026, 1, 5),
            p50_days=300,
            p80_days=320,
            cost_p50=Decimal("1234567.00"),
            cost_p80=Decimal("1345678.00"),
        ),
    )
    response = client_for(project_manager).get(page(project))
    assert response.context["run"] == newest
    text = response.content.decode()
    # 5 Jan 2026 + 300 days = 1 Nov 2026; + 320 days = 21 Nov 2026.
    assert 'data-figure="p50-finish">1 Nov 2026<' in text
    assert 'data-figure="p80-finish">21 Nov 2026<' in text
    assert "1,234,567.00" in text
    assert "1,345,678.00" in text
    assert "has a <strong>23%</strong> chance" in text
    assert 'data-figure="p-baseline">31%<' in text
    assert "chart-distribution" in text
    assert "chart-tornado" in text
    assert "Critical task 0" in text
    assert "Simulated figures, not the plan" in text


def test_an_older_run_is_shown_with_run_and_an_unknown_run_is_a_400(
    client_for, project_manager, project, other_project
):
    older = AnalysisRunFactory(project=project, completed=True, results=analysis_results(p50_days=100))
    AnalysisRunFactory(project=project, completed=True)
    elsewhere = AnalysisRunFactory(project=other_project, completed=True)
    client = client_for(project_manager)
    assert client.get(page(project), {"run": older.pk}).context["run"] == older
    response = client.get(page(project), {"run": elsewhere.pk})
    assert response.status_code == 400
    assert "“run”" in response.content.decode()


def test_contingency_shortfall_is_shown(client_for, project_manager, project):
    AnalysisRunFactory(project=project, completed=True)  # P80 1.1M, budget 1.05M: 50k needed, 40k left
    text = client_for(project_manager).get(page(project)).content.decode()
    assert 'data-figure="contingency-needed">50,000.00<' in text
    assert 'data-figure="shortfall">10,000.00<' in text
    assert "do not cover the P80 cost" in text


def test_a_failed_newest_run_says_why(client_for, project_manager, project):
    AnalysisRunFactory(project=project, completed=True)
    AnalysisRunFactory(project=project, status=AnalysisRun.Status.FAILED, error="Dependency cycle: A → B → A")
    text = client_for(project_manager).get(page(project)).content.decode()
    assert "failed" in text
    assert "Dependency cycle" in text
    assert 'data-figure="p80-finish"' in text  # the last good run is still shown


def test_project_page_links_to_where_its_inputs_are_edited(client_for, project_manager, project):
    text = client_for(project_manager).get(page(project)).content.decode()
    assert f'href="{reverse("projects:uncertainty", args=[project.pk])}" data-link="inputs"' in text


def test_no_inputs_link_while_the_inputs_page_does_not_exist(client_for, project_manager, project, monkeypatch):
    monkeypatch.setattr(views, "_inputs_url", lambda project: None)
    text = client_for(project_manager).get(page(project)).content.decode()
    assert 'data-link="inputs"' not in text


def test_two_runs_compared(client_for, project_manager, project):
    a = AnalysisRunFactory(project=project, completed=True, results=analysis_results(p50_days=300, p80_days=320))
    b = AnalysisRunFactory(project=project, completed=True, results=analysis_results(p50_days=310, p80_days=335))
    response = client_for(project_manager).get(page(project), {"pick": [b.pk, a.pk]})
    assert response.status_code == 200
    rows = {row.label: row for row in response.context["compare"]}
    assert rows["P50 finish"].change == 10
    assert rows["P80 finish"].change == 15
    assert f"Run {a.pk} against run {b.pk}" in response.content.decode()


def test_comparing_other_than_two_runs_is_a_400(client_for, project_manager, project):
    a = AnalysisRunFactory(project=project, completed=True)
    response = client_for(project_manager).get(page(project), {"pick": [a.pk]})
    assert response.status_code == 400
    assert "“pick”" in response.content.decode()


def test_trend_chart_after_two_runs(client_for, project_manager, project):
    AnalysisRunFactory(project=project, completed=True)
    AnalysisRunFactory(project=project, completed=True, results=analysis_results(p50_days=305, p80_days=330))
    text = client_for(project_manager).get(page(project)).content.decode()
    assert "chart-run-trend" in text
    assert "trend-p80" in text


def test_program_page_lists_the_projects_of_critical_tasks(client_for, owner, program):
    AnalysisRunFactory(program=program, completed=True)
    response = client_for(owner).get(program_page(program))
    assert response.status_code == 200
    assert b"MOD-ERP" in response.content
    assert b'data-figure="p80-cost"' in response.content


def test_query_count_does_not_grow_with_the_runs(client_for, project_manager, project, django_assert_max_num_queries):
    client = client_for(project_manager)
    AnalysisRunFactory(project=project, completed=True)
    with django_assert_max_num_queries(30) as few:
        client.get(page(project))
    AnalysisRunFactory.create_batch(25, project=project, completed=True, requested_by=project_manager)
    AnalysisRunFactory(project=project, status=AnalysisRun.Status.QUEUED)
    with django_assert_max_num_queries(len(few.captured_queries) + 2):  # + the in-flight run's progress
        response = client.get(page(project))
    assert len(response.context["history"]) == analysis_page.HISTORY_RUNS


# -- Excel -----------------------------------------------------------------------------------------


def test_excel_download_of_the_shown_run_is_formula_safe(client_for, project_manager, project):
    results = analysis_results()
    results["criticality"][0]["name"] = '=HYPERLINK("http://evil","x")'
    AnalysisRunFactory(project=project, completed=True, results=results)
    response = client_for(project_manager).get(page(project), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="risk-analysis-mod-erp-')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Summary",
        "Finish distribution",
        "Cost distribution",
        "Criticality",
        "Finish drivers",
        "Cost drivers",
    ]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["P80 cost"] == pytest.approx(1100000)
    assert summary["P50 finish"] == dt.datetime(2026, 11, 1, 17, 0)
    assert summary["Chance of meeting the baseline finish (%)"] == pytest.approx(31)
    cell = book["Criticality"]["A2"]
    assert cell.value == '=HYPERLINK("http://evil","x")'
    assert cell.data_type == "s"


def test_excel_download_without_a_run_is_404_and_a_bad_format_400(client_for, project_manager, project):
    client = client_for(project_manager)
    assert client.get(page(project), {"export": "xlsx"}).status_code == 404
    AnalysisRunFactory(project=project, completed=True)
    assert client.get(page(project), {"export": "pdf"}).status_code == 400


def test_outsider_gets_404_for_the_excel_download(client_for, outsider, project):
    AnalysisRunFactory(project=project, completed=True)
    assert client_for(outsider).get(page(project), {"export": "xlsx"}).status_code == 404


# -- navigation ----------------------------------------------------------------------------------


def test_project_and_program_pages_link_to_their_risk_analysis(client_for, owner, project, program):
    client = client_for(owner)
    assert page(project).encode() in client.get(reverse("projects:project-detail", args=[project.code])).content
    assert (
        program_page(program).encode() in client.get(reverse("portfolio:program-detail", args=[program.code])).content
    )


def test_program_results_are_for_those_who_see_the_program_whole(client_for, member, executive, program, project):
    AnalysisRunFactory(program=program, completed=True)
    withheld = client_for(member).get(program_page(program))
    assert withheld.status_code == 200
    assert 'data-state="withheld"' in withheld.content.decode()
    assert 'data-figure="p80-finish"' not in withheld.content.decode()
    assert withheld.context["history"] == []
    # Neither "no runs yet" (there is one) nor the program-wide input counts.
    assert "No runs yet" not in withheld.content.decode()
    assert 'id="inputs-heading"' not in withheld.content.decode()
    shown = client_for(executive).get(program_page(program)).content.decode()
    assert 'data-figure="p80-finish"' in shown


def test_a_program_runs_progress_is_404_for_a_project_member(client_for, member, program, project):
    run = AnalysisRunFactory(program=program, status=AnalysisRun.Status.QUEUED)
    assert client_for(member).get(reverse("risks:analysis-progress", args=[run.pk])).status_code == 404
