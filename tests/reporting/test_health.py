"""Computed health rules at, just inside and just past each threshold (pure functions, the
defaults of an unsaved HealthPolicy), the overall colour, disagreement, and policy_for."""

import datetime as dt
from decimal import Decimal

import pytest

from reporting.models import HealthPolicy
from reporting.services import health

D = Decimal
POLICY = HealthPolicy()  # the defaults: CPI/SPI amber 0.95 red 0.90, slip 5/15, exposure 80/100 %, ...


@pytest.mark.parametrize(
    ("cpi", "colour", "reason"),
    [
        (D("1.02"), "green", "CPI 1.02 ≥ 0.95"),
        (D("0.95"), "green", "CPI 0.95 ≥ 0.95"),
        (D("0.9499"), "amber", "CPI 0.95 < 0.95"),
        (D("0.93"), "amber", "CPI 0.93 < 0.95"),
        (D("0.9001"), "amber", "CPI 0.90 < 0.95"),
        (D("0.90"), "red", "CPI 0.90 ≤ 0.90"),
        (D("0.82"), "red", "CPI 0.82 < 0.90"),
    ],
)
def test_cost_health_at_and_around_the_thresholds(cpi, colour, reason):
    assert health.cost_health(cpi=cpi, policy=POLICY) == health.Verdict(colour, reason)


def test_missing_input_is_no_data():
    assert health.cost_health(cpi=None, policy=POLICY) == health.Verdict("", "")
    assert health.schedule_health(spi=None, slip_working_days=None, policy=POLICY).health == ""
    assert health.freshness_health(report_age_days=None, actuals_age_days=None, policy=POLICY).health == ""
    assert health.risk_health(emv=None, reserve_remaining=None, risks_critical=0, policy=POLICY).health == ""


@pytest.mark.parametrize(
    ("slip", "colour", "reason"),
    [
        (0, "green", "slip 0 working days ≤ 5"),
        (5, "green", "slip 5 working days ≤ 5"),
        (6, "amber", "slip 6 working days > 5"),
        (14, "amber", "slip 14 working days > 5"),
        (15, "red", "slip 15 working days ≥ 15"),
    ],
)
def test_slip_at_and_around_the_thresholds(slip, colour, reason):
    assert health.schedule_health(spi=None, slip_working_days=slip, policy=POLICY) == health.Verdict(colour, reason)


def test_schedule_takes_the_worse_of_spi_and_slip():
    verdict = health.schedule_health(spi=D("1.10"), slip_working_days=20, policy=POLICY)
    assert verdict == health.Verdict("red", "slip 20 working days ≥ 15")
    both_green = health.schedule_health(spi=D("1.00"), slip_working_days=0, policy=POLICY)
    assert both_green == health.Verdict("green", "SPI 1.00 ≥ 0.95; slip 0 working days ≤ 5")


def test_thresholds_come_from_the_policy():
    strict = HealthPolicy(cpi_amber=D("1.00"), cpi_red=D("0.98"))
    assert health.cost_health(cpi=D("0.99"), policy=strict) == health.Verdict("amber", "CPI 0.99 < 1.00")
    assert health.cost_health(cpi=D("0.99"), policy=POLICY).health == "green"


@pytest.mark.parametrize(
    ("emv", "reserve", "colour"),
    [
        (D("800"), D("1000"), "green"),  # 80 %: at amber, not past it
        (D("801"), D("1000"), "amber"),
        (D("999"), D("1000"), "amber"),  # 99.9 %: compared exactly, not rounded
        (D("1000"), D("1000"), "red"),
        (D("1"), D("0"), "red"),  # exposure, nothing left
        (D("0"), D("0"), "green"),
    ],
)
def test_risk_exposure_share_of_reserve(emv, reserve, colour):
    assert health.risk_health(emv=emv, reserve_remaining=reserve, risks_critical=0, policy=POLICY).health == colour


def test_exposure_reason_names_the_share():
    verdict = health.risk_health(emv=D("801"), reserve_remaining=D("1000"), risks_critical=0, policy=POLICY)
    assert verdict.reason == "exposure 80.1% of reserve > 80"


def test_a_critical_risk_makes_risk_at_least_amber():
    verdict = health.risk_health(emv=D("10"), reserve_remaining=D("1000"), risks_critical=2, policy=POLICY)
    assert verdict == health.Verdict("amber", "2 critical risks")


@pytest.mark.parametrize(("people", "colour"), [(0, "green"), (2, "green"), (3, "amber"), (7, "amber"), (8, "red")])
def test_people_overallocated_at_the_thresholds(people, colour):
    verdict = health.staffing_health(people_overallocated=people, fte_requested=None, fte_allocated=None, policy=POLICY)
    assert verdict.health == colour


@pytest.mark.parametrize(
    ("allocated", "colour"), [(D("4.00"), "green"), (D("3.01"), "green"), (D("3.00"), "amber"), (D("2.99"), "amber")]
)
def test_fte_gap_at_a_quarter_of_the_request(allocated, colour):
    verdict = health.staffing_health(
        people_overallocated=0, fte_requested=D("4.00"), fte_allocated=allocated, policy=POLICY
    )
    assert verdict.health == colour


def test_fte_gap_exactly_a_quarter_is_amber():
    verdict = health.staffing_health(people_overallocated=0, fte_requested=D(4), fte_allocated=D(3), policy=POLICY)
    assert verdict.health == "amber"
    assert verdict.reason == "FTE gap 1.0 of 4.0 requested (25.0% ≥ 25%)"


def test_governance_overdue_gate_is_amber():
    assert health.governance_health(gates_overdue=0) == health.Verdict("green", "no gate overdue")
    assert health.governance_health(gates_overdue=1) == health.Verdict("amber", "1 gate overdue")


@pytest.mark.parametrize(("age", "colour"), [(35, "green"), (36, "amber"), (64, "amber"), (65, "red")])
def test_report_age_at_the_thresholds(age, colour):
    verdict = health.freshness_health(report_age_days=age, actuals_age_days=None, policy=POLICY)
    assert verdict.health == colour


def test_actuals_age_alone_decides_when_there_is_no_report():
    verdict = health.freshness_health(report_age_days=None, actuals_age_days=90, policy=POLICY)
    assert verdict == health.Verdict("red", "actuals 90 days old ≥ 90")


def test_overall_is_the_worst_dimension_with_its_reason():
    verdicts = {
        "schedule": health.Verdict("green", "SPI 1.00 ≥ 0.95"),
        "cost": health.Verdict("red", "CPI 0.82 < 0.90"),
        "risk": health.NO_DATA,
    }
    assert health.overall_health(verdicts) == health.Verdict("red", "cost: CPI 0.82 < 0.90")
    assert health.overall_health({"risk": health.NO_DATA}) == health.NO_DATA


@pytest.mark.parametrize(
    ("reported", "computed", "disagrees"),
    [("red", "red", False), ("green", "red", True), ("", "red", False), ("amber", "", False)],
)
def test_disagreement_needs_both_colours(reported, computed, disagrees):
    assert health.disagrees(reported, computed) is disagrees


def test_health_fields_fill_every_dimension_and_the_reasons():
    as_of = dt.date(2026, 3, 31)
    fields = health.health_fields(
        {
            "as_of": as_of,
            "cpi": D("0.82"),
            "spi": D("1.00"),
            "slip_working_days": 0,
            "emv": D("0"),
            "reserve_remaining": D("0"),
            "people_overallocated": 0,
            "last_status_report_on": as_of - dt.timedelta(days=10),
            "last_actuals_on": None,
            "reported_rag": "green",
        },
        policy=POLICY,
        gates_overdue=0,
    )
    assert fields["health_cost"] == "red"
    assert fields["health_overall"] == "red"
    assert fields["health_reasons"]["cost"] == "CPI 0.82 < 0.90"
    assert fields["health_reasons"]["overall"] == "cost: CPI 0.82 < 0.90"
    assert fields["health_freshness"] == "green"
    assert fields["health_disagrees"] is True


@pytest.mark.django_db
def test_policy_for_uses_the_portfolios_row_else_the_defaults(portfolio):
    default = health.policy_for(portfolio)
    assert default.pk is None
    assert default.cpi_red == D("0.90")
    HealthPolicy.objects.create(portfolio=portfolio, cpi_amber=D("1.00"), cpi_red=D("0.97"))
    assert health.policy_for(portfolio).cpi_red == D("0.97")
