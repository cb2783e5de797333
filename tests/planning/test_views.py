"""The planning pages: who sees and edits what (admins edit, executives read, everyone else gets
404), the in-place edits through the services, the optimiser and commit flows, query counts that
do not grow with the rows, and compare figures equal to the scenario's own."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from planning.models import OptimisationRun, Scenario, ScenarioProject
from planning.selectors.compare import compare_scenarios
from planning.selectors.scenario import scenario_view
from planning.services import budget_cap_set, scenario_create, scenario_project_set
from projects.models import Project
from tests.factories.portfolio import MembershipFactory
from tests.factories.projects import ProjectFactory
from tests.factories.users import UserFactory

D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def other(world, portfolio_admin, scenario):
    """A second scenario: the proposed project in, the second project left out, a cap."""
    second = scenario_create(
        actor=portfolio_admin,
        portfolio=world.portfolio,
        name="Growth",
        horizon_start=dt.date(2027, 1, 1),
        horizon_months=12,
    )
    scenario_project_set(actor=portfolio_admin, scenario=second, project=world.proposed, included=True)
    scenario_project_set(actor=portfolio_admin, scenario=second, project=world.second, included=False)
    budget_cap_set(actor=portfolio_admin, scenario=second, fiscal_year=2027, amount=D("150000"))
    return second


def url(name, *args):
    return reverse(f"planning:{name}", args=args)


def reader_pages(scenario, other):
    return [
        url("scenario-list", scenario.portfolio_id),
        url("scenario-detail", scenario.pk),
        url("scenario-scoring", scenario.pk),
        url("scenario-runs", scenario.pk),
        url("compare", scenario.portfolio_id) + f"?s={scenario.pk}&s={other.pk}",
    ]


# -- access ------------------------------------------------------------------------------------


class TestAccess:
    def test_portfolio_admin_sees_edit_controls(self, client_for, portfolio_admin, scenario):
        page = client_for(portfolio_admin).get(url("scenario-detail", scenario.pk))
        assert page.status_code == 200
        body = page.content.decode()
        assert "Leave out" in body
        assert "Run the optimiser" in body
        assert "Commit…" in body
        assert url("scenario-cap", scenario.pk) in body

    def test_executive_reads_without_edit_controls(self, client_for, executive, scenario, other):
        client = client_for(executive)
        for page in reader_pages(scenario, other):
            assert client.get(page).status_code == 200, page
        body = client.get(url("scenario-detail", scenario.pk)).content.decode()
        assert "Leave out" not in body
        assert "Run the optimiser" not in body
        assert "Commit…" not in body
        assert url("scenario-cap", scenario.pk) not in body
        assert "hx-post" not in body
        assert url("scenario-commit", scenario.pk) not in body
        assert url("scenario-copy", scenario.pk) not in body

    def test_executive_cannot_write(self, client_for, executive, world, scenario):
        client = client_for(executive)
        writes = [
            (url("scenario-add", world.portfolio.pk), {"name": "Mine", "horizon_months": 12, "delay_max_months": 0}),
            (url("scenario-project-toggle", scenario.pk, world.proposed.pk), {"included": "in"}),
            (url("scenario-project-edit", scenario.pk, world.second.pk), {"shift_months": 1}),
            (url("scenario-cap", scenario.pk), {"fiscal_year": 2027, "amount": "1"}),
            (url("scenario-optimise", scenario.pk), {}),
            (url("scenario-commit", scenario.pk), {"confirm": "on", "name": scenario.name, "version": 1}),
            (url("scenario-copy", scenario.pk), {"name": "Copy"}),
        ]
        for target, data in writes:
            assert client.post(target, data).status_code == 404, target
        assert client.get(url("scenario-commit", scenario.pk)).status_code == 404
        assert not ScenarioProject.objects.filter(scenario=scenario).exists()
        assert Scenario.objects.count() == 1

    @pytest.mark.parametrize("who", ["outsider", "owner", "member"])
    def test_everyone_else_gets_404(self, request, client_for, who, scenario, other):
        client = client_for(request.getfixturevalue(who))
        for page in [
            *reader_pages(scenario, other),
            url("compare-pdf", scenario.portfolio_id) + f"?s={scenario.pk}&s={other.pk}",
            url("compare-xlsx", scenario.portfolio_id) + f"?s={scenario.pk}&s={other.pk}",
            url("scenario-commit", scenario.pk),
        ]:
            assert client.get(page).status_code == 404, page

    def test_navigation_shows_planning_to_admins_and_executives_only(
        self, client_for, portfolio_admin, executive, owner, scenario
    ):
        home = reverse("projects:project-list")
        planning = f'href="{url("home")}"'
        assert planning in client_for(portfolio_admin).get(home).content.decode()
        assert planning in client_for(executive).get(home).content.decode()
        assert planning not in client_for(owner).get(home).content.decode()

    def test_committed_scenario_is_read_only(self, client_for, portfolio_admin, world, scenario):
        Scenario.objects.filter(pk=scenario.pk).update(
            status=Scenario.Status.COMMITTED, committed_at=dt.datetime.now(dt.UTC)
        )
        client = client_for(portfolio_admin)
        body = client.get(url("scenario-detail", scenario.pk)).content.decode()
        assert "read-only" in body
        assert "Leave out" not in body
        assert url("scenario-copy", scenario.pk) in body  # revisited through a copy
        answer = client.post(url("scenario-project-toggle", scenario.pk, world.proposed.pk), {"included": "in"}, **HTMX)
        assert answer.status_code == 409
        assert "can no longer be changed" in answer.content.decode()
        assert not ScenarioProject.objects.filter(scenario=scenario).exists()


# -- in-place edits ------------------------------------------------------------------------------


class TestOverlayEdits:
    def test_include_a_proposed_project_in_place(self, client_for, portfolio_admin, world, scenario):
        answer = client_for(portfolio_admin).post(
            url("scenario-project-toggle", scenario.pk, world.proposed.pk), {"included": "in"}, **HTMX
        )
        assert answer.status_code == 200
        body = answer.content.decode()
        assert body.lstrip().startswith('<div id="scenario-body">')  # the partial, not the page
        assert "P-NEW included in the scenario." in body
        row = scenario_view(scenario).row(world.proposed.pk)
        assert row.included
        assert row.change == "added"

    def test_edit_row_opens_in_place_and_shifts_the_start(self, client_for, portfolio_admin, world, scenario):
        client = client_for(portfolio_admin)
        editor = client.get(url("scenario-project-edit", scenario.pk, world.second.pk), **HTMX)
        assert editor.status_code == 200
        assert editor.content.decode().lstrip().startswith('<tr class="edit-row"')
        answer = client.post(
            url("scenario-project-edit", scenario.pk, world.second.pk),
            {"included": "", "shift_months": "2", "mandatory": "on"},
            **HTMX,
        )
        assert answer.status_code == 200
        row = scenario_view(scenario).row(world.second.pk)
        assert (row.start, row.shift_months, row.change, row.mandatory) == (dt.date(2027, 4, 1), 2, "shifted", True)

    def test_optimiser_rules_requires_exclusive_group_and_delay(self, client_for, portfolio_admin, world, scenario):
        answer = client_for(portfolio_admin).post(
            url("scenario-project-edit", scenario.pk, world.proposed.pk),
            {"included": "in", "requires": [world.active.pk], "exclusive_group": "Wave 1", "delay_max_months": "3"},
            **HTMX,
        )
        assert answer.status_code == 200
        row = scenario_view(scenario).row(world.proposed.pk)
        assert (row.requires, row.exclusive_group, row.delay_max_months) == ([world.active.pk], "Wave 1", 3)
        assert "Requires P-ACT" in answer.content.decode()

    def test_bad_input_is_422_naming_the_field(self, client_for, portfolio_admin, world, scenario):
        answer = client_for(portfolio_admin).post(
            url("scenario-project-edit", scenario.pk, world.second.pk),
            {"shift_months": "soon", "start": "2027-05"},
            **HTMX,
        )
        assert answer.status_code == 422
        body = answer.content.decode()
        assert f'id="sp_{world.second.pk}_shift_months"' in body
        assert "Enter a whole number." in body
        assert not ScenarioProject.objects.filter(scenario=scenario).exists()

    def test_plain_post_without_htmx_redirects_with_a_message(self, client_for, portfolio_admin, world, scenario):
        answer = client_for(portfolio_admin).post(
            url("scenario-project-toggle", scenario.pk, world.second.pk), {"included": "out"}
        )
        assert answer.status_code == 302
        assert answer["Location"] == url("scenario-detail", scenario.pk)
        assert scenario_view(scenario).row(world.second.pk).change == "dropped"

    def test_budget_by_fiscal_period(self, client_for, portfolio_admin, world, scenario):
        client = client_for(portfolio_admin)
        editor = client.get(url("scenario-project-budget", scenario.pk, world.active.pk), **HTMX)
        assert editor.status_code == 200
        assert "budget by fiscal period" in editor.content.decode()
        period = world.period(2027, 2)
        answer = client.post(
            url("scenario-project-budget", scenario.pk, world.active.pk),
            {"period": period.pk, "amount": "25000"},
            **HTMX,
        )
        assert answer.status_code == 200
        row = scenario_view(scenario).row(world.active.pk)
        assert row.cost_by_fy["FY2027"] == D("75000.00")  # 5 x 10,000 + 25,000
        assert row.change == "budget"

    def test_staffing_demand_by_role(self, client_for, portfolio_admin, world, scenario):
        answer = client_for(portfolio_admin).post(
            url("scenario-project-demand", scenario.pk, world.second.pk),
            {"role": world.role.pk, "month": "2027-03", "fte": "2.5"},
            **HTMX,
        )
        assert answer.status_code == 200
        view = scenario_view(scenario)
        assert view.row(world.second.pk).demand["Developer"][dt.date(2027, 3, 1)] == D("2.5")

    def test_budget_cap(self, client_for, portfolio_admin, world, scenario):
        answer = client_for(portfolio_admin).post(
            url("scenario-cap", scenario.pk), {"fiscal_year": "2027", "amount": "70000"}, **HTMX
        )
        assert answer.status_code == 200
        view = scenario_view(scenario)
        assert view.budget_cap_by_fy["FY2027"] == D("70000")
        assert view.over_cap() == {"FY2027": D("5000.00")}  # 60,000 + 15,000 live, cap 70,000
        assert "5,000.00 ⚠" in answer.content.decode()

    def test_create_and_copy(self, client_for, portfolio_admin, world, other):
        client = client_for(portfolio_admin)
        created = client.post(
            url("scenario-add", world.portfolio.pk),
            {"name": "Fresh", "horizon_start": "2027-01", "horizon_months": "12", "delay_max_months": "3"},
        )
        fresh = Scenario.objects.get(name="Fresh")
        assert created["Location"] == url("scenario-detail", fresh.pk)
        assert (fresh.horizon_start, fresh.delay_max_months) == (dt.date(2027, 1, 1), 3)
        assert client.get(url("scenario-copy", other.pk)).status_code == 200
        copied = client.post(url("scenario-copy", other.pk), {"name": "Growth again"})
        copy = Scenario.objects.get(name="Growth again")
        assert copied["Location"] == url("scenario-detail", copy.pk)
        assert copy.based_on == other
        assert scenario_view(copy).row(world.proposed.pk).included

    def test_duplicate_name_is_refused_on_the_field(self, client_for, portfolio_admin, world, scenario):
        answer = client_for(portfolio_admin).post(
            url("scenario-add", world.portfolio.pk),
            {"name": "Plan 2027", "horizon_months": "12", "delay_max_months": "0"},
        )
        assert answer.status_code == 400
        assert "already has a scenario named" in answer.content.decode()


# -- optimise, apply, commit ----------------------------------------------------------------------


class TestOptimiseApplyCommit:
    def test_run_shows_the_plan_and_apply_needs_a_tick(
        self, client_for, portfolio_admin, world, other, django_capture_on_commit_callbacks
    ):
        client = client_for(portfolio_admin)
        scenario_project_set(actor=portfolio_admin, scenario=other, project=world.second, included=None)
        with django_capture_on_commit_callbacks(execute=True):
            started = client.post(url("scenario-optimise", other.pk))
        run = OptimisationRun.objects.get(scenario=other)
        assert started["Location"] == url("scenario-run", other.pk, run.pk)
        assert run.status == "succeeded" or OptimisationRun.objects.get(pk=run.pk).status == "succeeded"
        page = client.get(url("scenario-run", other.pk, run.pk)).content.decode()
        for heading in ("Chosen:", "Binding constraints", "Left out:", "Apply this plan to the scenario"):
            assert heading in page
        confirm = client.get(url("scenario-run-apply", other.pk, run.pk)).content.decode()
        assert 'type="checkbox" name="confirm"' in confirm
        assert "checked" not in confirm
        refused = client.post(url("scenario-run-apply", other.pk, run.pk), {})
        assert refused.status_code == 400
        assert OptimisationRun.objects.get(pk=run.pk).applied_at is None
        applied = client.post(url("scenario-run-apply", other.pk, run.pk), {"confirm": "on"})
        assert applied["Location"] == url("scenario-detail", other.pk)
        assert OptimisationRun.objects.get(pk=run.pk).applied_at is not None

    def test_commit_lists_changes_and_asks(self, client_for, portfolio_admin, world, other):
        client = client_for(portfolio_admin)
        page = client.get(url("scenario-commit", other.pk))
        body = page.content.decode()
        assert page.status_code == 200
        assert "Approved (1)" in body
        assert "P-NEW" in body
        assert "Proposed → Active" in body
        assert "Put on hold (1)" in body
        assert "P-TWO" in body
        assert 'name="confirm"' in body
        assert "checked" not in body
        version = Scenario.objects.get(pk=other.pk).version
        unticked = client.post(url("scenario-commit", other.pk), {"name": "Growth", "version": version})
        assert unticked.status_code == 400
        assert "Tick the box" in unticked.content.decode()
        misnamed = client.post(
            url("scenario-commit", other.pk), {"confirm": "on", "name": "growth", "version": version}
        )
        assert misnamed.status_code == 400
        assert "exactly as shown" in misnamed.content.decode()
        assert Project.objects.get(pk=world.proposed.pk).status == Project.Status.PROPOSED
        done = client.post(url("scenario-commit", other.pk), {"confirm": "on", "name": "Growth", "version": version})
        assert done["Location"] == url("scenario-detail", other.pk)
        assert Scenario.objects.get(pk=other.pk).status == Scenario.Status.COMMITTED
        assert Project.objects.get(pk=world.proposed.pk).status == Project.Status.ACTIVE
        assert Project.objects.get(pk=world.second.pk).status == Project.Status.ON_HOLD

    def test_commit_at_a_stale_version_is_refused(self, client_for, portfolio_admin, world, other):
        client = client_for(portfolio_admin)
        version = Scenario.objects.get(pk=other.pk).version
        scenario_project_set(actor=portfolio_admin, scenario=other, project=world.second, included=None)
        answer = client.post(url("scenario-commit", other.pk), {"confirm": "on", "name": "Growth", "version": version})
        assert answer.status_code == 409
        assert "changed since" in answer.content.decode()
        assert Scenario.objects.get(pk=other.pk).status == Scenario.Status.DRAFT
        assert Project.objects.get(pk=world.proposed.pk).status == Project.Status.PROPOSED


# -- compare ---------------------------------------------------------------------------------------


class TestCompare:
    def test_compare_figures_equal_the_scenario_views(self, client_for, portfolio_admin, scenario, other):
        page = client_for(portfolio_admin).get(url("compare", scenario.portfolio_id) + f"?s={scenario.pk}&s={other.pk}")
        assert page.status_code == 200
        comparison = page.context["comparison"]
        views = [scenario_view(scenario), scenario_view(other)]
        for figures, view in zip(comparison.scenarios, views, strict=True):
            assert figures.total_cost == sum(view.cost_by_fy.values())
            assert figures.total_score == view.total_score
            assert figures.total_benefits == view.total_benefits
            assert figures.total_risk_exposure == view.total_risk_exposure
            assert figures.over_cap == view.over_cap()
        for line in comparison.cost_lines:
            for cell, view in zip(line.cells, views, strict=True):
                assert (cell.cost, cell.cap) == (
                    view.cost_by_fy[line.fiscal_year],
                    view.budget_cap_by_fy[line.fiscal_year],
                )
        for heat, view in zip(comparison.heat_maps, views, strict=True):
            for role, cells in zip(heat.roles, heat.cells, strict=True):
                for month, cell in zip(heat.months, cells, strict=True):
                    assert cell.demand == view.demand.get(role, {}).get(month, 0)
                    assert cell.supply == view.supply.get(role, {}).get(month, 0)
        # The figures as printed: Growth's FY2027 is 30,000 over its 150,000 cap.
        body = page.content.decode()
        assert "30,000.00 over" in body
        assert comparison.scenarios[1].over_cap == {"FY2027": D("30000.00")}

    def test_project_changes_between_scenarios(self, world, scenario, other):
        comparison = compare_scenarios([scenario_view(scenario), scenario_view(other)])
        lines = {line.key: line for line in comparison.project_lines}
        assert set(lines) == {f"p{world.proposed.pk}", f"p{world.second.pk}"}
        added = lines[f"p{world.proposed.pk}"]
        assert [c.change for c in added.cells] == ["unchanged", "added"]
        assert added.differs_between
        assert [c.change for c in lines[f"p{world.second.pk}"].cells] == ["unchanged", "dropped"]
        assert comparison.unchanged_projects == 1
        assert [len(s.added) for s in comparison.scenarios] == [0, 1]

    @pytest.mark.parametrize("query", ["", "?s=1", "?s=abc&s=2", "?s=99999&s=99998", "?s=1&s=2&s=3&s=4&s=5"])
    def test_bad_choice_is_400_not_500(self, client_for, portfolio_admin, scenario, query):
        client = client_for(portfolio_admin)
        page = client.get(url("compare", scenario.portfolio_id) + query)
        # None or one chosen: the page asks for scenarios (a scenario's page links with its own).
        assert page.status_code == (200 if query in ("", "?s=1") else 400)
        if query:
            assert client.get(url("compare-xlsx", scenario.portfolio_id) + query).status_code == 400

    def test_scenarios_of_another_portfolio_are_refused(self, client_for, portfolio_admin, scenario, other):
        from tests.factories.planning import ScenarioFactory

        elsewhere = ScenarioFactory()
        MembershipFactory(user=portfolio_admin, role="portfolio_admin", portfolio=elsewhere.portfolio)
        query = f"?s={scenario.pk}&s={elsewhere.pk}"
        assert client_for(portfolio_admin).get(url("compare", scenario.portfolio_id) + query).status_code == 400


# -- query counts ----------------------------------------------------------------------------------


def _count(client, path, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(10_000) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


_codes = itertools.count()


def _more_rows(world, portfolio_admin, scenario, n=4):
    for _ in range(n):
        project = ProjectFactory(
            program=world.program,
            code=f"P-X{next(_codes)}",
            status=Project.Status.PROPOSED,
            planned_start=dt.date(2027, 5, 1),
            planned_finish=dt.date(2027, 9, 30),
        )
        scenario_project_set(actor=portfolio_admin, scenario=scenario, project=project, included=True)
    scenario_create(actor=portfolio_admin, portfolio=world.portfolio, name=f"Extra {next(_codes)}")


@pytest.mark.parametrize(
    "page",
    [
        lambda s, o: url("scenario-list", s.portfolio_id),
        lambda s, o: url("scenario-detail", s.pk),
        lambda s, o: url("scenario-scoring", s.pk),
        lambda s, o: url("compare", s.portfolio_id) + f"?s={s.pk}&s={o.pk}",
    ],
    ids=["list", "detail", "scoring", "compare"],
)
def test_query_count_does_not_grow_with_rows(
    client_for, portfolio_admin, world, scenario, other, page, django_assert_max_num_queries
):
    client = client_for(portfolio_admin)
    path = page(scenario, other)
    # Every kind of row present once (an overlay row, a run), so that more rows add no query.
    _more_rows(world, portfolio_admin, scenario, n=1)
    OptimisationRun.objects.create(scenario=scenario, status="succeeded", plan={"status": "optimal", "value": "1"})
    client.get(path)  # warm caches (content types, the fiscal calendar's periods)
    before = _count(client, path, django_assert_max_num_queries)
    _more_rows(world, portfolio_admin, scenario)
    _more_rows(world, portfolio_admin, other, n=3)
    after = _count(client, path, django_assert_max_num_queries)
    assert after == before


def test_executive_sees_no_planning_for_a_portfolio_they_do_not_read(client_for, world, scenario):
    """An executive of another portfolio: 404 here, and no Planning entry anywhere."""
    from tests.factories.portfolio import PortfolioFactory

    user = UserFactory(username="other-exec")
    MembershipFactory(user=user, role="executive", portfolio=PortfolioFactory())
    client = client_for(user)
    assert client.get(url("scenario-detail", scenario.pk)).status_code == 404
    assert client.get(url("scenario-list", scenario.portfolio_id)).status_code == 404


def test_run_result_moves_only_the_starts_the_plan_shifted(world, scenario):
    """A project under way is fixed at the horizon's first month: the plan does not move it, and
    the page shows its real start; a shifted proposal moves by the plan's months."""
    from planning.selectors.pages import run_result

    scenario_project_set(actor=None, scenario=scenario, project=world.proposed, included=True)
    active, proposed = f"p{world.active.pk}", f"p{world.proposed.pk}"
    run = OptimisationRun.objects.create(
        scenario=scenario,
        status="succeeded",
        params={"scenario_version": Scenario.objects.get(pk=scenario.pk).version},
        plan={
            "status": "optimal",
            "value": "12.5",
            "starts": {active: 0, proposed: 4},
            "shifted": {proposed: [2, 4]},
            "excluded": {f"p{world.second.pk}": f"needs p{world.active.pk}; the FY2027 budget would be exceeded"},
            "binding": [
                {"kind": "budget", "key": "FY2027", "used": "90000", "limit": "90000", "slack": "0"},
                {"kind": "dependency", "key": f"{proposed} needs {active}", "used": "1", "limit": "1", "slack": "0"},
            ],
        },
    )
    scenario.refresh_from_db()
    result = run_result(run, scenario_view(scenario))
    by_code = {p.row.project.code: p for p in result.chosen}
    assert (by_code["P-ACT"].start, by_code["P-ACT"].shift_months) == (dt.date(2027, 1, 4), 0)
    assert (by_code["P-NEW"].start, by_code["P-NEW"].shift_months) == (dt.date(2027, 5, 1), 2)
    assert [e.row.project.code for e in result.excluded] == ["P-TWO"]
    assert result.excluded[0].in_scenario_now
    assert result.changes == 2  # the proposal moved, the second project left out
    assert result.binding[0].money
    assert result.binding[0].label == "Budget cap"
    assert not result.stale
    # The optimiser's candidate keys read as project codes.
    assert result.excluded[0].reason == "needs P-ACT; the FY2027 budget would be exceeded"
    assert result.binding[1].key == "P-NEW needs P-ACT"
    assert not result.binding[1].numeric


class TestScoring:
    @pytest.fixture
    def criteria(self, world):
        from tests.factories.planning import ScoringCriterionFactory

        return [
            ScoringCriterionFactory(portfolio=world.portfolio, name=name, kind=kind, weight=D(weight))
            for name, kind, weight in (
                ("Alignment", "objective_alignment", 50),
                ("Urgency", "urgency", 30),
                ("Cost", "cost", 20),
            )
        ]

    def test_direct_weights_values_scores_and_frontier(self, client_for, portfolio_admin, scenario, criteria):
        page = client_for(portfolio_admin).get(url("scenario-scoring", scenario.pk))
        assert page.status_code == 200
        body = page.content.decode()
        assert "The weights are the direct weights" in body
        assert "50.0 %" in body  # Alignment's weight in force: 50 of 100
        assert "chart-frontier" in body
        assert "This scenario" in body
        scoring = page.context["page"]
        assert [line.criterion.name for line in scoring.criteria] == ["Alignment", "Cost", "Urgency"]
        assert len(scoring.matrix) == 3
        assert len(scoring.projects) == 3

    def test_inconsistent_judgements_are_flagged(self, client_for, portfolio_admin, scenario, criteria):
        from planning.services import pairwise_set

        alignment, urgency, cost = criteria
        # A over U strongly, U over C strongly, yet C over A strongly: a cycle, far above 0.1.
        pairwise_set(actor=portfolio_admin, criterion_a=alignment, criterion_b=urgency, value=D(9))
        pairwise_set(actor=portfolio_admin, criterion_a=urgency, criterion_b=cost, value=D(9))
        pairwise_set(actor=portfolio_admin, criterion_a=cost, criterion_b=alignment, value=D(9))
        page = client_for(portfolio_admin).get(url("scenario-scoring", scenario.pk))
        body = page.content.decode()
        assert page.context["page"].inconsistent
        assert "The judgements are inconsistent" in body
        assert "above 0.1" in body

    def test_consistent_judgements_are_not_flagged(self, client_for, portfolio_admin, scenario, criteria):
        from planning.services import pairwise_set

        alignment, urgency, cost = criteria
        pairwise_set(actor=portfolio_admin, criterion_a=alignment, criterion_b=urgency, value=D(3))
        pairwise_set(actor=portfolio_admin, criterion_a=urgency, criterion_b=cost, value=D(1))
        pairwise_set(actor=portfolio_admin, criterion_a=alignment, criterion_b=cost, value=D(3))
        body = client_for(portfolio_admin).get(url("scenario-scoring", scenario.pk)).content.decode()
        assert "The judgements are inconsistent" not in body
        assert "Consistent" in body

    def test_admin_sets_weight_judgement_and_value(self, client_for, portfolio_admin, world, scenario, criteria):
        from planning.models import CriterionValue, PairwiseJudgement

        alignment, urgency, _cost = criteria
        client = client_for(portfolio_admin)
        answer = client.post(url("criterion-weight", scenario.pk, urgency.pk), {"weight": "40"})
        assert answer.status_code == 302
        urgency.refresh_from_db()
        assert urgency.weight == D(40)
        answer = client.post(url("pairwise-set", scenario.pk, alignment.pk, urgency.pk), {"value": "5"})
        assert answer.status_code == 302
        assert PairwiseJudgement.objects.get().value in (D(5), D("0.2"))
        answer = client.post(
            url("criterion-value-set", scenario.pk),
            {"project": world.second.pk, "criterion": alignment.pk, "value": "42"},
        )
        assert answer.status_code == 302
        assert CriterionValue.objects.get(project=world.second).value == D(42)

    def test_bad_weight_is_400_naming_it(self, client_for, portfolio_admin, scenario, criteria):
        answer = client_for(portfolio_admin).post(
            url("criterion-weight", scenario.pk, criteria[0].pk), {"weight": "140"}
        )
        assert answer.status_code == 400
        assert "Weight of “Alignment”" in answer.content.decode()

    def test_delete_asks_first(self, client_for, portfolio_admin, scenario, criteria):
        client = client_for(portfolio_admin)
        confirm = client.get(url("criterion-delete", scenario.pk, criteria[1].pk))
        assert confirm.status_code == 200
        assert "Delete the criterion “Urgency”?" in confirm.content.decode()
        assert client.post(url("criterion-delete", scenario.pk, criteria[1].pk)).status_code == 302
        assert [c.name for c in type(criteria[0]).objects.filter(portfolio=scenario.portfolio)] == ["Alignment", "Cost"]

    def test_executive_cannot_change_scoring(self, client_for, executive, scenario, criteria):
        client = client_for(executive)
        body = client.get(url("scenario-scoring", scenario.pk)).content.decode()
        assert "Add criterion" not in body
        assert client.post(url("criterion-weight", scenario.pk, criteria[0].pk), {"weight": "10"}).status_code == 404
        assert client.get(url("criterion-delete", scenario.pk, criteria[0].pk)).status_code == 404


def test_a_running_optimisation_polls_until_it_finishes(client_for, executive, scenario):
    """A queued run's page polls itself (htmx, every 2 s); once finished, the poll reloads the page."""
    run = OptimisationRun.objects.create(scenario=scenario, status="queued", params={"time_limit_s": 30})
    client = client_for(executive)
    path = url("scenario-run", scenario.pk, run.pk)
    page = client.get(path).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "Waiting for a worker" in page
    poll = client.get(path, **HTMX)
    assert poll.status_code == 200
    assert poll.content.decode().lstrip().startswith('<section class="card" id="run-progress"')
    OptimisationRun.objects.filter(pk=run.pk).update(status="failed", error="The model is invalid.")
    done = client.get(path, **HTMX)
    assert done.status_code == 204
    assert done["HX-Refresh"] == "true"
    assert "The model is invalid." in client.get(path).content.decode()
