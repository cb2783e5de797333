"""Exposure roll-up project → program → portfolio against the reserves remaining, history rows
written by the services, the heat map scopes, and the charts."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgets.selectors import NO_RESERVES
from budgets.services import reserve_drawdown
from risks import charts, selectors, services
from risks.models import Risk, RiskScoreHistory
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.risks import RiskFactory

D = Decimal


@pytest.fixture
def money(portfolio, program, project, other_project):
    """MOD-ERP: reserve 20,000 contingency (5,000 drawn) and 8,000 management; MOD-CRM: 50,000
    contingency; MOD itself 100,000 contingency, 30,000 management."""
    project.contingency_reserve, project.management_reserve = D("20000"), D("8000")
    project.save()
    program.contingency_reserve, program.management_reserve = D("100000"), D("30000")
    program.save()
    reserve_drawdown(actor=None, project=project, reserve="contingency", amount=D("5000"), reason="Earlier overrun")
    # EMV: 40% x 10,000 = 4,000 and 85% x 20,000 = 17,000 on ERP; 20% x 50,000 = 10,000 on CRM;
    # 60% x 100,000 = 60,000 at program level; closed and realised risks do not count.
    RiskFactory(project=project, probability=3, cost_impact=D("10000"))
    RiskFactory(project=project, probability=5, cost_impact=D("20000"), residual_probability=2, residual_impact=3)
    RiskFactory(project=other_project, probability=2, cost_impact=D("50000"))
    RiskFactory(program=program, probability=4, cost_impact=D("100000"))
    RiskFactory(project=project, probability=5, cost_impact=D("999999"), status="closed")
    RiskFactory(program=program, probability=5, cost_impact=D("999999"), status="realised")


def test_project_exposure_is_its_open_risks_against_its_own_reserve(money, project):
    row = selectors.project_exposure(project=project).total
    assert (row.risks, row.emv, row.residual_emv) == (2, D("21000"), D("8000"))  # 4,000 + 20% x 20,000
    assert (row.contingency_remaining, row.management_remaining) == (D("15000"), D("8000"))
    assert row.uncovered == D("6000")
    assert not row.covered


def test_program_exposure_rolls_projects_up_with_the_program_level_row(money, program):
    exposure = selectors.program_exposure(program=program)
    rows = {row.key: row for row in exposure.rows}
    assert set(rows) == {"MOD-ERP", "MOD-CRM", "program"}
    assert rows["MOD-CRM"].emv == D("10000")
    assert rows["MOD-CRM"].contingency_remaining == D("50000")
    assert rows["program"].emv == D("60000")
    assert rows["program"].contingency_remaining == D("100000")
    total = exposure.total
    assert (total.risks, total.emv) == (4, D("91000"))
    assert total.contingency_remaining == D("165000")  # 15,000 + 50,000 + 100,000
    assert total.management_remaining == D("38000")


def test_portfolio_exposure_sums_each_program_the_user_oversees(money, portfolio, program, executive, member):
    other = ProgramFactory(portfolio=portfolio, code="OPS", contingency_reserve=D("0"))
    RiskFactory(project=ProjectFactory(program=other), probability=1, cost_impact=D("1000"))
    exposure = selectors.portfolio_exposure(portfolio=portfolio, user=executive)
    rows = {row.key: row for row in exposure.rows}
    assert rows["MOD"].emv == D("91000")
    assert rows["MOD"].contingency_remaining == D("165000")
    assert rows["OPS"].emv == D("50")
    assert exposure.total.emv == D("91050")
    # Someone who sees MOD only through one project learns no program totals.
    assert selectors.portfolio_exposure(portfolio=portfolio, user=member).rows == ()


def test_escalation_does_not_double_count_exposure(money, program, project, owner):
    before = selectors.program_exposure(program=program).total.emv
    risk = Risk.objects.filter(project=project, status="open").first()
    services.risk_escalate(actor=owner, risk=risk, note="Too big")
    assert selectors.program_exposure(program=program).total.emv == before
    assert risk in Risk.objects.on_program_register(program)


def test_services_write_history_on_create_and_on_assessment_changes_only(project, owner):
    risk = services.risk_create(actor=owner, project=project, title="A", category="cost", probability=2, impact=2)
    services.risk_update(actor=owner, risk=risk, data={"description": "More words"})
    services.risk_update(actor=owner, risk=risk, data={"impact": 4})
    services.risk_update(actor=owner, risk=risk, data={"cost_impact": D("5000")})
    services.risk_update(actor=owner, risk=risk, data={"status": "closed"})
    rows = list(RiskScoreHistory.objects.filter(risk=risk).order_by("at", "pk"))
    assert [(r.score, r.status, r.cost_impact) for r in rows] == [
        (4, "open", D("0")),
        (8, "open", D("0")),
        (8, "open", D("5000")),
        (8, "closed", D("5000")),
    ]
    assert rows[-1].actor == owner
    assert rows[-1].emv == D("1000.00")


def test_realised_risk_can_only_be_closed(project, owner):
    risk = RiskFactory(project=project, status="realised")
    with pytest.raises(ValidationError, match="can only be closed"):
        services.risk_update(actor=owner, risk=risk, data={"status": "open"})
    assert services.risk_update(actor=owner, risk=risk, data={"status": "closed"}).status == "closed"


def test_program_heat_map_counts_program_and_escalated_risks_or_all(program, project, owner):
    RiskFactory(program=program, probability=1, impact=1)
    RiskFactory(project=project, probability=2, impact=2)
    RiskFactory(project=project, probability=3, impact=3, escalated_at="2026-01-01T00:00Z")
    register = selectors.heat_map(selectors.program_risks(user=owner, program=program))
    every = selectors.heat_map(selectors.program_risks(user=owner, program=program, include_projects=True))
    assert (register.total, every.total) == (2, 3)
    assert register.rows[4][0].count == 1  # probability 1, impact 1: the bottom-left cell


def test_exposure_chart_marks_uncovered_rows_and_escapes_labels(money, program):
    exposure = selectors.program_exposure(program=program)
    svg = charts.exposure_chart(exposure.rows, exposure.currency)
    assert svg.count('class="series-emv"') == 3
    assert svg.count("exposure-row uncovered") == 1  # ERP: 21,000 against 15,000
    row = selectors.ExposureRow("X", "<b>", 0, D(0), D(0), NO_RESERVES)
    assert "<b>" not in charts.exposure_chart([row], "EUR")
    assert "empty-state" in charts.exposure_chart([], "EUR")


def test_trend_chart_draws_score_and_residual(project, owner):
    risk = services.risk_create(actor=owner, project=project, title="A", category="cost", probability=4, impact=4)
    services.risk_update(actor=owner, risk=risk, data={"residual_probability": 2, "residual_impact": 2})
    svg = charts.trend_chart(list(risk.history.order_by("at", "pk")))
    assert 'class="trend-score"' in svg
    assert 'class="trend-residual"' in svg
    assert "empty-state" in charts.trend_chart([])


def test_every_risk_write_is_audited(project, owner):
    from core.models import AuditEntry

    project.contingency_reserve = D("1000")
    project.save()
    risk = services.risk_create(actor=owner, project=project, title="A", category="cost", probability=2, impact=2)
    services.risk_escalate(actor=owner, risk=risk)
    issue = services.risk_realise(actor=owner, risk=risk, amount=D("10"), reserve="contingency")
    action = services.mitigation_action_create(actor=owner, risk=risk, title="Fix")
    services.mitigation_action_delete(actor=owner, action=action)
    audited = set(AuditEntry.objects.filter(actor=owner).values_list("object_type", "action"))
    assert {
        ("risks.risk", "create"),
        ("risks.risk", "update"),
        ("risks.issue", "create"),
        ("budgets.reservetransaction", "create"),
        ("risks.mitigationaction", "create"),
        ("risks.mitigationaction", "delete"),
    } <= audited
    assert issue.reserve_transaction.amount == D("10")
