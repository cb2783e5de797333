"""The risks stage of the demo at `small`: every project has a register, the demo program's
heat maps have something to show, history ends at each risk's current values, and realised
risks drew down no more reserve than remained."""

from datetime import date

import pytest
from django.db.models import Count, Max, Min

from budgets.selectors import reserve_status
from demo import risks as risk_stage
from demo.planning import CODE_PREFIX as PROPOSAL
from demo.seed import demo_seed, demo_seed_stages
from portfolio.models import Program
from projects.models import Project
from risks import selectors
from risks.models import Issue, MitigationAction, Risk, RiskScoreHistory

TODAY = date(2026, 11, 26)
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    demo_seed(scale="small", seed=1, today=TODAY, history=False)


def test_every_project_gets_3_to_12_risks_and_every_program_some(demo):
    per_project = Risk.objects.filter(project__isnull=False).values("project").annotate(n=Count("pk"))
    # Every project the project stages built (the planning stage's proposals have no register yet).
    assert len(per_project) == Project.objects.exclude(code__startswith=PROPOSAL).count()
    assert all(3 <= row["n"] <= 12 for row in per_project)
    assert all(
        Program.objects.get(pk=p).risks.filter(project__isnull=True).exists()
        for p in Program.objects.values_list("pk", flat=True)
    )
    assert MitigationAction.objects.exists()
    assert Issue.objects.filter(risk__isnull=False).exists()


def test_the_demo_program_heat_map_and_exposure_have_data(demo):
    program = Program.objects.order_by("pk").first()
    assert Risk.objects.on_program_register(program).filter(escalated_at__isnull=False).count() >= 3
    heat = selectors.heat_map(Risk.objects.filter(program=program))
    assert heat.total > 10
    assert sum(1 for row in heat.rows for cell in row if cell.count) >= 5
    exposure = selectors.program_exposure(program=program)
    assert exposure.total.emv > 0
    assert len(exposure.rows) == program.projects.count() + 1


def test_history_has_2_to_4_rows_ending_at_the_current_assessment(demo):
    counts = RiskScoreHistory.objects.values("risk").annotate(n=Count("pk"), first=Min("at"), last=Max("at"))
    assert len(counts) == Risk.objects.count()
    assert all(2 <= row["n"] <= 4 for row in counts)
    for risk in Risk.objects.all()[:50]:
        last = risk.history.order_by("-at", "-pk").first()
        assert (last.probability, last.impact, last.status) == (risk.probability, risk.impact, risk.status)


def test_realised_drawdowns_never_overdraw_a_reserve(demo):
    assert Issue.objects.filter(reserve_transaction__isnull=False).exists()
    for project in Project.objects.all():
        status = reserve_status(project=project)
        assert status.contingency_remaining >= 0
        assert status.management_remaining >= 0
    for program in Program.objects.all():
        status = reserve_status(program=program)
        assert status.contingency_remaining >= 0
        assert status.management_remaining >= 0


def test_rerunning_the_stage_replaces_its_rows_and_drawdowns(demo):
    from budgets.models import ReserveTransaction

    money_stage = ReserveTransaction.objects.filter(risk_issue__isnull=True).count()
    result = demo_seed_stages(stages=["risks"], seed=3, today=TODAY)
    assert result.counts["risks"] == Risk.objects.count() > 0
    # The old realisations' drawdowns went with their issues; the money stage's stay.
    assert ReserveTransaction.objects.filter(risk_issue__isnull=True).count() == money_stage
    assert (
        ReserveTransaction.objects.filter(risk_issue__isnull=False).count()
        == Issue.objects.filter(reserve_transaction__isnull=False).count()
    )
    risk_stage.reset()
    assert not Risk.objects.exists()
    assert not ReserveTransaction.objects.filter(risk_issue__isnull=False).exists()


def test_same_seed_builds_the_same_registers():
    def snapshot():
        return list(
            Risk.objects.order_by("program__code", "number").values_list(
                "program__code", "number", "project__code", "title", "probability", "impact", "cost_impact", "status"
            )
        )

    demo_seed(scale="small", seed=1, today=TODAY, history=False)
    first = snapshot()
    demo_seed(scale="small", seed=1, today=TODAY, reset=True, history=False)
    assert snapshot() == first
