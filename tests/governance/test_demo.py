"""The governance demo stage at `small`: rows for every part, consistent with the rules."""

import datetime as dt

import pytest
from django.db.models import Sum

from budgets.models import BudgetLine
from demo.seed import demo_seed
from governance.models import (
    PHASE_ORDER,
    Benefit,
    BenefitMeasurement,
    ChangeRequest,
    Decision,
    OperatingLevelAgreement,
    StageGate,
)
from governance.selectors import phases_missing_gate
from projects.models import Project

TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def seeded(db):
    # Seeded inside each test's transaction (a second or two at small): a module-wide seed
    # committed outside it would leave audit entries behind for the tests that follow.
    demo_seed(scale="small", seed=1, today=TODAY, history=False)


@pytest.mark.django_db
def test_small_demo_creates_governance_rows(seeded):
    assert StageGate.objects.filter(decision="approved").exists()
    assert StageGate.objects.filter(decision="pending").exists()
    assert ChangeRequest.objects.filter(status="submitted").exists()
    assert ChangeRequest.objects.filter(status="approved").exists()
    assert Decision.objects.filter(stage_gate__isnull=False).exists()
    assert Decision.objects.filter(stage_gate__isnull=True, change_request__isnull=True).exists()
    for program_id, count in Benefit.objects.values_list("program_id").annotate(n=Sum(1)):
        assert 3 <= count <= 6, program_id
    assert BenefitMeasurement.objects.exists()
    assert OperatingLevelAgreement.objects.filter(review_date__lt=TODAY, status="active").exists()


@pytest.mark.django_db
def test_every_demo_project_has_the_gates_of_the_phases_it_entered(seeded):
    for project in Project.objects.all():
        assert phases_missing_gate(project=project, from_phase=PHASE_ORDER[0], to_phase=project.phase) == []


@pytest.mark.django_db
def test_approved_demo_change_requests_explain_the_budget_increase(seeded):
    approved = ChangeRequest.objects.filter(status="approved", lines__isnull=False).distinct()
    for cr in approved.select_related("project"):
        lines = BudgetLine.objects.filter(project=cr.project)
        current = lines.filter(budget_version="current").aggregate(t=Sum("amount"))["t"]
        original = lines.filter(budget_version="original").aggregate(t=Sum("amount"))["t"]
        assert cr.cost_impact == current - original
        assert cr.lines.aggregate(t=Sum("amount_delta"))["t"] == cr.cost_impact
