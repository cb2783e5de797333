"""Quantitative risk analysis runs: request validation and access, the engine input read from
the database, the stored results (risks.models.analysis contract), reproduction by seed, program
networks through cross-project links, and the residual/inherent basis of risk events."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgets.models import ReserveTransaction
from projects.models import CorrelationGroup, Dependency
from projects.services.schedule import schedule_recompute
from risks.models import AnalysisRun
from risks.selectors.analysis import analysis_compare, analysis_trend, latest_analysis
from risks.services.analysis import (
    ITERATIONS_RANGE,
    NO_TASKS,
    RUN_DENIED,
    SCOPE_ONE,
    analysis_run_execute,
    analysis_run_request,
)
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.risks import RiskFactory

from .analysis_data import DAY, budget, chain

pytestmark = pytest.mark.django_db
N = 200  # the iterations run_for (tests/risks/conftest.py) asks for

RESULT_KEYS = {"finish", "cost", "criticality", "finish_drivers", "cost_drivers", "contingency", "schedule_margin_days"}
FINISH_KEYS = {
    "deterministic",
    "mean",
    "p10",
    "p50",
    "p80",
    "p90",
    "baseline",
    "p_baseline",
    "target",
    "p_target",
    "deterministic_percentile",
    "histogram",
    "cdf",
}
COST_KEYS = {
    "deterministic",
    "mean",
    "p10",
    "p50",
    "p80",
    "p90",
    "budget",
    "p_budget",
    "deterministic_percentile",
    "histogram",
    "cdf",
}
CONTINGENCY_KEYS = {
    "p80_cost",
    "budget",
    "needed",
    "contingency_remaining",
    "management_reserve_remaining",
    "shortfall",
}


# -- request ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "project"),
        ({"both": True}, "project"),
        ({"iterations": 99}, "iterations"),
        ({"iterations": 100_001}, "iterations"),
        ({"iterations": "500"}, "iterations"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**63}, "seed"),
        ({"basis": "gut feel"}, "basis"),
        ({"trigger": "cron"}, "trigger"),
        ({"target_date": dt.date(1500, 1, 1)}, "target_date"),
    ],
)
def test_bad_requests_name_the_field_and_store_nothing(owner, project, program, engine, kwargs, field):
    scope = {}
    if kwargs.pop("both", False):
        scope = {"project": project, "program": program}
    elif kwargs or field != "project":
        scope = {"project": project}
    with pytest.raises(ValidationError) as caught:
        analysis_run_request(user=owner, **scope, **kwargs)
    assert field in caught.value.message_dict
    assert not AnalysisRun.objects.exists()


def test_scope_error_text(owner):
    with pytest.raises(ValidationError) as caught:
        analysis_run_request(user=owner)
    assert caught.value.message_dict == {"project": [SCOPE_ONE]}
    with pytest.raises(ValidationError) as caught:
        analysis_run_request(user=owner, project=ProjectFactory(), iterations=5)
    assert caught.value.message_dict == {"iterations": [ITERATIONS_RANGE]}


def test_a_team_member_or_executive_cannot_run_an_analysis(project, member, executive, engine):
    chain(project)
    for user in (member, executive):
        with pytest.raises(PermissionDenied, match=RUN_DENIED):
            analysis_run_request(user=user, project=project, iterations=N)
    assert not AnalysisRun.objects.exists()


def test_the_project_manager_runs_one_of_their_project_but_not_of_the_program(
    run_for, project, program, project_manager, engine
):
    chain(project)
    assert run_for(project_manager, project=project).status == AnalysisRun.Status.SUCCEEDED
    with pytest.raises(PermissionDenied):
        analysis_run_request(user=project_manager, program=program, iterations=N)


# -- execute ------------------------------------------------------------------------------------


def test_a_run_stores_results_by_the_contract_and_its_headline_columns(run_for, owner, project, engine):
    _summary, tasks = chain(project)
    budget(project)
    run = run_for(owner, project=project, seed=7, target_date=dt.date(2026, 3, 31))

    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    assert run.task_run is not None
    assert run.task_run.status == "succeeded"
    assert run.seed == 7
    assert run.iterations == N
    assert run.engine_version
    assert run.started_at <= run.finished_at
    results = run.results
    assert set(results) == RESULT_KEYS
    assert set(results["finish"]) == FINISH_KEYS
    assert set(results["cost"]) == COST_KEYS
    assert set(results["contingency"]) == CONTINGENCY_KEYS
    finish = results["finish"]
    assert finish["p10"] <= finish["p50"] <= finish["p80"] <= finish["p90"]
    assert dt.datetime.fromisoformat(finish["p50"]) == run.p50_finish
    assert dt.datetime.fromisoformat(finish["p80"]) == run.p80_finish
    assert Decimal(results["cost"]["p80"]) == run.p80_cost
    assert 0 <= finish["deterministic_percentile"] <= 1
    assert finish["target"].startswith("2026-03-31")
    assert 0 <= finish["p_target"] <= 1
    assert sum(b["count"] for b in finish["histogram"]) == N
    assert sum(b["count"] for b in results["cost"]["histogram"]) == N
    assert finish["cdf"][-1][1] == 1.0
    # Deterministic = the CPM finish with every input at its most likely.
    assert dt.datetime.fromisoformat(finish["deterministic"]) == max(t.finish for t in tasks)
    # Ranged: the last task's finish can only move later (three-point and +40% tail).
    assert run.p80_finish > max(t.finish for t in tasks)
    assert results["cost"]["budget"] == "100000.00"
    assert results["cost"]["deterministic"] == "100000.00"
    criticality = results["criticality"]
    assert {c["task_id"] for c in criticality} >= {t.pk for t in tasks}
    assert all(c["index"] == 1.0 for c in criticality if c["task_id"] in {t.pk for t in tasks})
    assert {d["kind"] for d in results["finish_drivers"]} <= {"task", "risk", "cost"}
    assert results["finish_drivers"]
    assert results["cost_drivers"]
    assert results["schedule_margin_days"] > 0


def test_the_inputs_hold_everything_to_repeat_the_run(run_for, owner, project, engine):
    summary, (first, second, third) = chain(project)
    group = CorrelationGroup.objects.create(project=project, name="Crew", coefficient=Decimal("0.60"))
    group.tasks.set([summary])  # a summary stands for its leaves
    risk = RiskFactory(project=project, probability=3, impact=3, schedule_impact_days=7, cost_impact=Decimal("5000"))
    risk.tasks.set([second])
    run = run_for(owner, project=project, seed=11)

    inputs = run.inputs
    assert inputs["seed"] == 11
    assert inputs["iterations"] == N
    assert {t["id"] for t in inputs["tasks"]} == {summary.pk, first.pk, second.pk, third.pk}
    assert len(inputs["links"]) == 2
    durations = inputs["durations"]
    # Own estimate on the first task; the branch's -10%/+40% spread over the others.
    assert durations[str(first.pk)]["low"] == 4 * DAY
    assert durations[str(first.pk)]["high"] == 9 * DAY
    assert durations[str(second.pk)] == {
        "low": 9 * DAY,
        "likely": 10 * DAY,
        "high": 14 * DAY,
        "distribution": "triangular",
    }
    assert str(summary.pk) not in durations
    assert inputs["correlations"] == [{"task_ids": [first.pk, second.pk, third.pk], "coefficient": 0.6}]
    (event,) = inputs["risks"]
    assert event["key"] == f"risk:{risk.reference}"
    assert event["cost_impact"] == "5000.00"
    # 7 calendar days at the standard calendar's 2,400 working minutes a week.
    assert event["task_impacts"] == {str(second.pk): 2400}


def test_the_same_seed_reproduces_the_run_and_another_seed_does_not(run_for, owner, project, engine):
    chain(project)
    budget(project)
    a = run_for(owner, project=project, seed=42)
    b = run_for(owner, project=project, seed=42)
    c = run_for(owner, project=project, seed=43)
    assert a.results == b.results
    assert a.inputs == b.inputs
    assert c.results != a.results
    differences = {d.label: d for d in analysis_compare(a, c)}
    assert differences["Seed"].a == 42
    assert differences["Seed"].b == 43
    assert all(d.change in (None, 0, 0.0, Decimal(0)) for d in analysis_compare(a, b))


def test_a_random_seed_is_chosen_and_stored(run_for, owner, project, engine):
    chain(project)
    run = run_for(owner, project=project)
    assert run.seed == run.inputs["seed"]


def test_a_program_run_simulates_every_project_through_their_links(run_for, owner, program, project, engine):
    _, first = chain(project, days=(5, 5, 5))
    other = ProjectFactory(program=program, code="MOD-CRM")
    _, second = chain(other, days=(5, 5, 5))
    Dependency.objects.create(predecessor=first[-1], successor=second[0])
    upstream = RiskFactory(project=project, schedule_impact_days=5, cost_impact=Decimal("7000"))
    upstream.tasks.set([first[0]])
    run_project_alone = run_for(owner, project=other, seed=3)  # its linked group: both
    run = run_for(owner, program=program, seed=3)

    assert run.status == AnalysisRun.Status.SUCCEEDED, run.error
    assert set(run.inputs["project_ids"]) == {project.pk, other.pk}
    assert {(link["predecessor_id"], link["successor_id"]) for link in run.inputs["links"]} >= {
        (first[-1].pk, second[0].pk)
    }
    # The second project waits for the first: the program finishes after both chains.
    deterministic = dt.datetime.fromisoformat(run.results["finish"]["deterministic"])
    assert deterministic > max(t.finish for t in first)
    assert {c["project"] for c in run.results["criticality"]} == {"MOD-ERP", "MOD-CRM"}
    assert run.results["finish"] == run_project_alone.results["finish"]
    # The other project's risk moves the linked project's dates but not its money.
    (event,) = run_project_alone.inputs["risks"]
    assert event["task_impacts"] == {str(first[0].pk): 1714}
    assert event["cost_impact"] == "0"
    assert run.inputs["risks"][0]["cost_impact"] == "7000.00"


def test_an_unlinked_program_project_still_counts(run_for, owner, program, project, engine):
    chain(project, days=(5,), three_point=False)
    other = ProjectFactory(program=program, code="MOD-LATE", planned_start=dt.date(2026, 6, 1))
    _, late = chain(other, days=(5,), three_point=False)
    run = run_for(owner, program=program, seed=1)
    assert dt.datetime.fromisoformat(run.results["finish"]["deterministic"]) == late[0].finish


def test_inherent_basis_counts_the_risk_before_mitigation(run_for, owner, project, engine):
    _, tasks = chain(project, three_point=False)
    budget(project, ranged=False)
    risk = RiskFactory(
        project=project,
        probability=5,
        impact=4,
        residual_probability=1,
        residual_impact=2,
        schedule_impact_days=14,
        cost_impact=Decimal("40000"),
    )
    risk.tasks.set([tasks[1]])
    residual = run_for(owner, project=project, seed=5, basis=AnalysisRun.Basis.RESIDUAL)
    inherent = run_for(owner, project=project, seed=5, basis=AnalysisRun.Basis.INHERENT)

    assert residual.inputs["risks"][0]["probability"] < 0.1 < 0.8 < inherent.inputs["risks"][0]["probability"]
    assert inherent.p80_finish > residual.p80_finish
    assert inherent.p80_cost > residual.p80_cost
    assert inherent.results["finish_drivers"][0]["key"] == f"risk:{risk.reference}"


def test_a_risk_linked_to_no_task_delays_the_project_finish(run_for, owner, project, engine):
    _, tasks = chain(project, three_point=False)
    RiskFactory(project=project, probability=5, impact=4, schedule_impact_days=7, cost_impact=Decimal(0))
    run = run_for(owner, project=project, seed=2, basis=AnalysisRun.Basis.INHERENT)
    (event,) = run.inputs["risks"]
    assert event["task_impacts"] == {str(tasks[-1].pk): 2400}
    assert run.p80_finish > max(t.finish for t in tasks)


def test_closed_risks_and_other_projects_risks_are_left_out(run_for, owner, project, program, engine):
    chain(project, three_point=False)
    RiskFactory(project=project, status="closed", schedule_impact_days=5)
    RiskFactory(project=ProjectFactory(program=program), schedule_impact_days=5)
    assert run_for(owner, project=project).inputs["risks"] == []


def test_the_contingency_is_set_against_the_exposure_figures(run_for, owner, project, engine):
    project.contingency_reserve, project.management_reserve = Decimal("20000"), Decimal("10000")
    project.save()
    ReserveTransaction.objects.create(
        scope="project", project=project, reserve="contingency", amount=Decimal("5000"), reason="Spent"
    )
    chain(project, three_point=False)
    budget(project)
    run = run_for(owner, project=project, seed=9)
    c = run.results["contingency"]
    assert c["contingency_remaining"] == "15000.00"
    assert c["management_reserve_remaining"] == "10000.00"
    needed = max(Decimal(c["p80_cost"]) - Decimal("100000.00"), Decimal(0))
    assert Decimal(c["needed"]) == needed
    assert Decimal(c["shortfall"]) == max(needed - Decimal("25000.00"), Decimal(0))


def test_a_project_without_tasks_fails_with_the_reason(run_for, owner, project, engine):
    run = run_for(owner, project=project)
    assert run.status == AnalysisRun.Status.FAILED
    assert run.error == NO_TASKS
    assert run.results == {}


def test_a_succeeded_run_is_not_run_again(run_for, owner, project, engine):
    chain(project)
    run = run_for(owner, project=project)
    finished = run.finished_at
    assert analysis_run_execute(run=run).finished_at == finished


def test_latest_and_trend(run_for, owner, project, engine):
    chain(project)
    runs = [run_for(owner, project=project, seed=s) for s in (1, 2, 3)]
    assert latest_analysis(project=project) == runs[-1]
    trend = analysis_trend(project=project, runs=2)
    assert [p.run_id for p in trend] == [runs[1].pk, runs[2].pk]
    assert trend[-1].p80_finish == runs[-1].p80_finish


def test_a_risk_linked_to_no_task_skips_a_closing_milestone(run_for, owner, project, engine):
    summary, tasks = chain(project, three_point=False)
    milestone = TaskFactory(project=project, parent=summary, name="Go live", duration_minutes=0, is_milestone=True)
    Dependency.objects.create(predecessor=tasks[-1], successor=milestone, lag_minutes=DAY)
    schedule_recompute(project=project)
    milestone.refresh_from_db()
    assert milestone.finish > tasks[-1].finish
    RiskFactory(project=project, probability=5, impact=4, schedule_impact_days=7, cost_impact=Decimal(0))
    run = run_for(owner, project=project, seed=2, basis=AnalysisRun.Basis.INHERENT)
    (event,) = run.inputs["risks"]
    assert event["task_impacts"] == {str(tasks[-1].pk): 2400}


def test_a_finished_run_marks_its_project_changed_so_the_rollups_take_its_p80(run_for, owner, project, engine):
    from core.models import InputVersion

    chain(project)

    def version():
        row = InputVersion.objects.filter(kind=InputVersion.Kind.PROJECT, object_id=project.pk).first()
        return row.version if row else 0

    before = version()
    run_for(owner, project=project, seed=5)
    assert version() > before
