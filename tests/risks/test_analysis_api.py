"""/api/v1/analysis-runs/: list (filtered), retrieve (full results), create (202, runs the
analysis); outsiders get 404, readers cannot start one, bad input is a 400 naming the field."""

import pytest

from risks.models import AnalysisRun
from tests.factories.projects import ProjectFactory
from tests.factories.risks import AnalysisRunFactory

from .analysis_data import chain

pytestmark = pytest.mark.django_db
URL = "/api/v1/analysis-runs/"


@pytest.fixture
def post(api_for, django_capture_on_commit_callbacks):
    def send(user, data):
        with django_capture_on_commit_callbacks(execute=True):
            return api_for(user).post(URL, data, format="json")

    return send


def test_create_starts_a_run_and_answers_202_with_its_job(post, owner, project, engine):
    chain(project)
    response = post(owner, {"project": project.pk, "iterations": 200, "seed": 5})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["project"] == project.pk
    assert body["seed"] == 5
    assert body["task_url"].endswith(f"/admin-tools/jobs/{AnalysisRun.objects.get().task_run.task_id}/")
    run = AnalysisRun.objects.get(pk=body["id"])
    assert run.trigger == AnalysisRun.Trigger.API
    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error


def test_retrieve_gives_the_full_results_and_list_the_headlines(post, api_for, owner, project, engine):
    chain(project)
    run_id = post(owner, {"project": project.pk, "iterations": 200}).json()["id"]
    detail = api_for(owner).get(f"{URL}{run_id}/").json()
    assert detail["status"] == "succeeded"
    assert set(detail["results"]) >= {"finish", "cost", "criticality", "finish_drivers", "contingency"}
    assert detail["inputs"]["iterations"] == 200
    listed = api_for(owner).get(URL, {"project": project.pk}).json()["results"]
    assert [row["id"] for row in listed] == [run_id]
    assert "results" not in listed[0]
    assert listed[0]["p80_finish"] == detail["p80_finish"]


def test_program_runs(post, api_for, owner, program, project, engine):
    chain(project)
    response = post(owner, {"program": program.pk, "iterations": 100})
    assert response.status_code == 202, response.content
    assert api_for(owner).get(URL, {"program": program.pk}).json()["count"] == 1
    assert api_for(owner).get(URL, {"project": project.pk}).json()["count"] == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"iterations": 50}, "iterations"),
        ({"iterations": 100_001}, "iterations"),
        ({"seed": -1}, "seed"),
        ({"basis": "hope"}, "basis"),
        ({"target_date": "31/12/2026"}, "target_date"),
        ({"program": 1}, "project"),  # both
        ({"project": None}, "project"),  # neither
        ({"project": "1.5"}, "project"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(post, owner, project, data, field):
    payload = {"project": project.pk, **data}
    if field == "project" and "program" in data:
        payload["program"] = project.program_id
    response = post(owner, payload)
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not AnalysisRun.objects.exists()


def test_outsiders_get_404_and_readers_403(post, api_for, project, program, outsider, member, engine):
    chain(project)
    run = AnalysisRunFactory(project=project, completed=True)
    program_run = AnalysisRunFactory(program=program, completed=True)
    assert api_for(outsider).get(f"{URL}{run.pk}/").status_code == 404
    assert api_for(outsider).get(f"{URL}{program_run.pk}/").status_code == 404
    assert api_for(outsider).get(URL).json()["count"] == 0
    assert post(outsider, {"project": project.pk}).status_code == 404
    assert post(outsider, {"program": program.pk}).status_code == 404
    # A team member reads the project's runs but starts none, and does not oversee the program.
    assert api_for(member).get(f"{URL}{run.pk}/").status_code == 200
    assert api_for(member).get(f"{URL}{program_run.pk}/").status_code == 404
    response = post(member, {"project": project.pk})
    assert response.status_code == 403
    assert AnalysisRun.objects.count() == 2
    assert api_for(None).get(URL).status_code in (401, 403)


def test_the_list_runs_a_fixed_number_of_queries(api_for, owner, program, django_assert_max_num_queries):
    projects = [ProjectFactory(program=program) for _ in range(3)]
    for p in projects:
        AnalysisRunFactory(project=p, completed=True)
    AnalysisRunFactory(program=program, completed=True)
    client = api_for(owner)
    with django_assert_max_num_queries(8) as few:
        assert client.get(URL).json()["count"] == 4
    for p in projects:
        AnalysisRunFactory.create_batch(5, project=p, completed=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).json()["count"] == 19
