"""The planning API: who reads and writes, overlay rows, optimise (202), apply-plan, the commit
preview and a confirmed commit, validation naming the field, and query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planning.models import OptimisationRun, Scenario, ScenarioProject
from planning.services import scenario_project_set
from projects.models import Project
from tests.factories.planning import (
    BudgetCapFactory,
    CriterionValueFactory,
    PairwiseJudgementFactory,
    ScenarioFactory,
    ScoringCriterionFactory,
)

D = Decimal
API = "/api/v1"


def field_errors(response) -> list:
    return [e["field"] for e in response.json()["errors"]]


class TestAccess:
    def test_outsider_gets_404_everywhere(self, api_for, outsider, scenario, world):
        criterion = ScoringCriterionFactory(portfolio=world.portfolio)
        run = OptimisationRun.objects.create(scenario=scenario)
        client = api_for(outsider)
        for url in (
            f"{API}/scenarios/{scenario.pk}/",
            f"{API}/scenarios/{scenario.pk}/view/",
            f"{API}/scenarios/{scenario.pk}/commit-preview/",
            f"{API}/scoring-criteria/{criterion.pk}/",
            f"{API}/optimisation-runs/{run.pk}/",
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(f"{API}/scenarios/{scenario.pk}/commit/", {"confirm": True}).status_code == 404
        assert client.get(f"{API}/scenarios/").json()["count"] == 0
        assert client.get(f"{API}/scoring-criteria/scores/?portfolio={world.portfolio.pk}").status_code == 404

    def test_program_manager_of_the_portfolio_does_not_see_scenarios(self, api_for, owner, scenario):
        assert api_for(owner).get(f"{API}/scenarios/{scenario.pk}/").status_code == 404

    def test_executive_reads_but_gets_403_on_writes(self, api_for, executive, scenario, world):
        client = api_for(executive)
        assert client.get(f"{API}/scenarios/{scenario.pk}/").status_code == 200
        assert client.get(f"{API}/scenarios/{scenario.pk}/view/").status_code == 200
        assert client.get(f"{API}/scenarios/{scenario.pk}/commit-preview/").status_code == 200
        assert client.patch(f"{API}/scenarios/{scenario.pk}/", {"name": "x"}, format="json").status_code == 403
        assert client.post(f"{API}/scenarios/{scenario.pk}/optimise/", {}, format="json").status_code == 403
        assert client.post(f"{API}/scenarios/{scenario.pk}/commit/", {"confirm": True}).status_code == 403
        created = client.post(f"{API}/scenarios/", {"portfolio": world.portfolio.pk, "name": "Mine"}, format="json")
        assert created.status_code == 403
        row = {"scenario": scenario.pk, "project": world.proposed.pk, "included": True}
        assert client.post(f"{API}/scenario-projects/", row, format="json").status_code == 403
        assert Scenario.objects.get(pk=scenario.pk).status == Scenario.Status.DRAFT

    def test_admin_builds_optimises_and_commits(
        self, api_for, portfolio_admin, world, django_capture_on_commit_callbacks
    ):
        client = api_for(portfolio_admin)
        created = client.post(
            f"{API}/scenarios/",
            {"portfolio": world.portfolio.pk, "name": "API plan", "horizon_start": "2027-01-01", "horizon_months": 12},
            format="json",
        )
        assert created.status_code == 201, created.json()
        pk = created.json()["id"]
        with django_capture_on_commit_callbacks(execute=True):
            started = client.post(f"{API}/scenarios/{pk}/optimise/", {"time_limit_s": 10}, format="json")
        assert started.status_code == 202
        run = client.get(f"{API}/optimisation-runs/{started.json()['id']}/").json()
        assert run["status"] == "succeeded"
        assert run["plan"]["start_months"][f"p{world.proposed.pk}"] == "2027-04-01"
        applied = client.post(f"{API}/scenarios/{pk}/apply-plan/", {"run": run["id"]}, format="json")
        assert applied.status_code == 200
        preview = client.get(f"{API}/scenarios/{pk}/commit-preview/").json()
        assert [c["project_code"] for c in preview["changes"]] == ["P-NEW"]
        assert preview["changes"][0]["kinds"] == ["approve", "shift", "budget"]
        refused = client.post(f"{API}/scenarios/{pk}/commit/", {"confirm": False, "version": preview["version"]})
        assert refused.status_code == 400
        assert field_errors(refused) == ["confirm"]
        committed = client.post(
            f"{API}/scenarios/{pk}/commit/", {"confirm": True, "version": preview["version"]}, format="json"
        )
        assert committed.status_code == 200, committed.json()
        assert committed.json()["status"] == "committed"
        world.proposed.refresh_from_db()
        assert world.proposed.status == Project.Status.ACTIVE
        assert world.proposed.planned_start == dt.date(2027, 4, 1)


class TestOverlayRows:
    def test_set_change_and_reset_a_project_row(self, api_for, portfolio_admin, scenario, world):
        client = api_for(portfolio_admin)
        made = client.post(
            f"{API}/scenario-projects/",
            {"scenario": scenario.pk, "project": world.active.pk, "shift_months": 2, "requires": [world.second.pk]},
            format="json",
        )
        assert made.status_code == 201, made.json()
        assert made.json()["start"] == "2027-03-04"
        changed = client.patch(f"{API}/scenario-projects/{made.json()['id']}/", {"mandatory": True}, format="json")
        assert changed.status_code == 200
        assert changed.json()["mandatory"] is True
        assert client.delete(f"{API}/scenario-projects/{made.json()['id']}/").status_code == 204
        assert not ScenarioProject.objects.filter(scenario=scenario).exists()

    def test_budget_demand_and_cap_rows(self, api_for, portfolio_admin, scenario, world):
        client = api_for(portfolio_admin)
        budget = client.post(
            f"{API}/scenario-budgets/",
            {"scenario": scenario.pk, "project": world.second.pk, "period": world.period(2027, 3).pk, "amount": "7.50"},
            format="json",
        )
        assert budget.status_code == 201, budget.json()
        assert budget.json()["amount"] == "7.50"
        demand = client.post(
            f"{API}/scenario-demands/",
            {
                "scenario": scenario.pk,
                "project": world.second.pk,
                "role": world.role.pk,
                "month": "2027-02-01",
                "fte": "2",
            },
            format="json",
        )
        assert demand.status_code == 201, demand.json()
        cap = client.post(
            f"{API}/budget-caps/", {"scenario": scenario.pk, "fiscal_year": 2027, "amount": "90000"}, format="json"
        )
        assert cap.status_code == 201
        view = client.get(f"{API}/scenarios/{scenario.pk}/view/").json()
        assert view["budget_cap_by_fy"] == {"FY2027": "90000.00"}
        assert view["demand"]["Developer"]["2027-02-01"] == "3.00"
        assert client.delete(f"{API}/budget-caps/{cap.json()['id']}/").status_code == 204

    def test_bad_input_names_the_field(self, api_for, portfolio_admin, scenario, world):
        client = api_for(portfolio_admin)
        too_long = client.patch(f"{API}/scenarios/{scenario.pk}/", {"horizon_months": 61}, format="json")
        assert too_long.status_code == 400
        assert field_errors(too_long) == ["horizon_months"]
        negative = client.post(
            f"{API}/budget-caps/", {"scenario": scenario.pk, "fiscal_year": 2027, "amount": "-1"}, format="json"
        )
        assert negative.status_code == 400
        assert field_errors(negative) == ["amount"]
        bad_saaty = client.post(
            f"{API}/pairwise-judgements/",
            {
                "criterion_a": ScoringCriterionFactory(portfolio=world.portfolio).pk,
                "criterion_b": ScoringCriterionFactory(portfolio=world.portfolio).pk,
                "value": "12",
            },
            format="json",
        )
        assert bad_saaty.status_code == 400
        assert field_errors(bad_saaty) == ["value"]

    def test_committed_scenario_refuses_edits(self, api_for, portfolio_admin, scenario, world):
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.proposed, included=True)
        client = api_for(portfolio_admin)
        assert client.post(f"{API}/scenarios/{scenario.pk}/commit/", {"confirm": True}).status_code == 200
        refused = client.post(
            f"{API}/scenario-projects/",
            {"scenario": scenario.pk, "project": world.active.pk, "shift_months": 1},
            format="json",
        )
        assert refused.status_code == 400
        assert field_errors(refused) == ["status"]

    def test_stale_commit_is_412(self, api_for, portfolio_admin, scenario, world):
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.proposed, included=True)
        client = api_for(portfolio_admin)
        version = client.get(f"{API}/scenarios/{scenario.pk}/commit-preview/").json()["version"]
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=world.second, included=False)
        stale = client.post(f"{API}/scenarios/{scenario.pk}/commit/", {"confirm": True, "version": version})
        assert stale.status_code == 412


class TestScoring:
    def test_admin_creates_criteria_and_reads_scores(self, api_for, portfolio_admin, world):
        client = api_for(portfolio_admin)
        made = client.post(
            f"{API}/scoring-criteria/",
            {"portfolio": world.portfolio.pk, "name": "Risk", "kind": "risk_exposure", "weight": "40"},
            format="json",
        )
        assert made.status_code == 201, made.json()
        assert made.json()["direction"] == "lower"
        scores = client.get(f"{API}/scoring-criteria/scores/?portfolio={world.portfolio.pk}")
        assert scores.status_code == 200
        assert scores.json()["method"] in ("direct", "pairwise")

    def test_scores_need_a_portfolio(self, api_for, portfolio_admin, world):
        response = api_for(portfolio_admin).get(f"{API}/scoring-criteria/scores/")
        assert response.status_code == 400
        assert field_errors(response) == ["portfolio"]

    def test_executive_reads_criteria_but_cannot_change_them(self, api_for, executive, world):
        criterion = ScoringCriterionFactory(portfolio=world.portfolio)
        client = api_for(executive)
        assert client.get(f"{API}/scoring-criteria/{criterion.pk}/").status_code == 200
        assert (
            client.patch(f"{API}/scoring-criteria/{criterion.pk}/", {"weight": "1"}, format="json").status_code == 403
        )


class TestQueryCounts:
    @pytest.mark.parametrize(
        ("url", "make"),
        [
            ("scenarios", lambda w, n: ScenarioFactory(portfolio=w.portfolio, name=f"S{n}")),
            (
                "budget-caps",
                lambda w, n: BudgetCapFactory(scenario=ScenarioFactory(portfolio=w.portfolio), fiscal_year=2030 + n),
            ),
            ("scoring-criteria", lambda w, n: ScoringCriterionFactory(portfolio=w.portfolio)),
            (
                "pairwise-judgements",
                lambda w, n: PairwiseJudgementFactory(criterion_a=ScoringCriterionFactory(portfolio=w.portfolio)),
            ),
            (
                "criterion-values",
                lambda w, n: CriterionValueFactory(
                    criterion=ScoringCriterionFactory(portfolio=w.portfolio), project=w.active
                ),
            ),
        ],
    )
    def test_list_queries_do_not_grow_with_rows(self, api_for, portfolio_admin, world, url, make):
        client = api_for(portfolio_admin)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(f"{API}/{url}/").status_code == 200
            return len(ctx.captured_queries)

        make(world, 0)
        few = count()
        for n in range(1, 6):
            make(world, n)
        assert count() == few

    def test_scenario_project_list_queries_do_not_grow(self, api_for, portfolio_admin, scenario, world, program):
        from tests.factories.projects import ProjectFactory

        client = api_for(portfolio_admin)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(f"{API}/scenario-projects/?scenario={scenario.pk}").status_code == 200
            return len(ctx.captured_queries)

        scenario_project_set(
            actor=portfolio_admin, scenario=scenario, project=world.proposed, included=True, requires=[world.active]
        )
        few = count()
        for n in range(5):
            extra = ProjectFactory(program=program, code=f"Q{n}", status="proposed")
            scenario_project_set(
                actor=portfolio_admin, scenario=scenario, project=extra, included=True, requires=[world.active]
            )
        assert count() == few
