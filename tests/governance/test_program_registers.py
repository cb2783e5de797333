"""The program registers over the API: decisions, benefits and measurements, OLAs — access,
bad input naming the field, realisation % and overdue reviews."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from governance import services
from governance.selectors import realisation_percent
from tests.factories.governance import (
    BenefitFactory,
    BenefitMeasurementFactory,
    DecisionFactory,
    OperatingLevelAgreementFactory,
)


def fields(response) -> list:
    return [e["field"] for e in response.json()["errors"]]


# -- realisation and overdue ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "target", "latest", "expected"),
    [
        ("10", "6", "8", Decimal(50)),  # going down: half way
        ("12", "35", "35", Decimal(100)),
        ("12", "35", "12", Decimal(0)),
        ("10", "6", "11", Decimal(-25)),  # moved the wrong way
        ("10", "6", None, None),  # nothing measured yet
    ],
)
def test_realisation_percent(baseline, target, latest, expected):
    value = realisation_percent(
        baseline=Decimal(baseline), target=Decimal(target), latest=None if latest is None else Decimal(latest)
    )
    assert value == expected


def test_api_benefit_shows_latest_value_and_realisation(program, executive, api_for):
    benefit = BenefitFactory(program=program, baseline_value=Decimal("10"), target_value=Decimal("6"))
    BenefitMeasurementFactory(benefit=benefit, measured_on=dt.date(2025, 1, 1), value=Decimal("9"))
    BenefitMeasurementFactory(benefit=benefit, measured_on=dt.date(2025, 3, 1), value=Decimal("7"))
    BenefitMeasurementFactory(benefit=benefit, measured_on=dt.date(2025, 2, 1), value=Decimal("8"))
    body = api_for(executive).get(f"/api/v1/benefits/{benefit.pk}/").json()
    assert body["latest_value"] == "7.0000"
    assert body["latest_on"] == "2025-03-01"
    assert body["realisation_percent"] == "75.00"


def test_api_ola_review_overdue(program, executive, api_for):
    today = timezone.localdate()
    past = OperatingLevelAgreementFactory(program=program, review_date=today - dt.timedelta(days=1), status="active")
    OperatingLevelAgreementFactory(program=program, review_date=today - dt.timedelta(days=1), status="expired")
    OperatingLevelAgreementFactory(
        program=program, start_date=today, review_date=today + dt.timedelta(days=9), status="active"
    )
    client = api_for(executive)
    rows = client.get("/api/v1/operating-level-agreements/").json()["results"]
    assert sorted(r["review_overdue"] for r in rows) == [False, False, True]
    overdue = client.get("/api/v1/operating-level-agreements/?review_overdue=true").json()["results"]
    assert [r["id"] for r in overdue] == [past.pk]


# -- bad input -------------------------------------------------------------------------------------


def test_api_ola_review_before_start_is_400_naming_review_date(program, owner, api_for):
    response = api_for(owner).post(
        "/api/v1/operating-level-agreements/",
        {"program": program.pk, "service": "Mail", "start_date": "2026-05-01", "review_date": "2026-04-01"},
        format="json",
    )
    assert response.status_code == 400
    assert fields(response) == ["review_date"]


def test_api_ola_with_targets(program, owner, api_for):
    response = api_for(owner).post(
        "/api/v1/operating-level-agreements/",
        {
            "program": program.pk,
            "service": "Mail",
            "start_date": "2026-01-01",
            "review_date": "2026-07-01",
            "targets": [{"metric": "Availability", "direction": "at_least", "target": "99.9", "unit": "%"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["targets"] == [
        {"metric": "Availability", "direction": "at_least", "target": "99.9000", "unit": "%"}
    ]
    patched = api_for(owner).patch(
        f"/api/v1/operating-level-agreements/{response.json()['id']}/", {"targets": []}, format="json"
    )
    assert patched.json()["targets"] == []


def test_api_benefit_target_equal_to_baseline_is_400_naming_target(program, owner, api_for):
    response = api_for(owner).post(
        "/api/v1/benefits/",
        {"program": program.pk, "name": "B", "kpi": "K", "baseline_value": "5", "target_value": "5"},
        format="json",
    )
    assert response.status_code == 400
    assert fields(response) == ["target_value"]


def test_api_negative_measurement_is_400_naming_value(program, owner, api_for):
    benefit = BenefitFactory(program=program)
    response = api_for(owner).post(
        "/api/v1/benefit-measurements/",
        {"benefit": benefit.pk, "measured_on": "2025-01-01", "value": "-3"},
        format="json",
    )
    assert response.status_code == 400
    assert fields(response) == ["value"]


def test_negative_measurement_allowed_where_the_kpi_may_be_negative(program, owner, api_for):
    benefit = BenefitFactory(
        program=program, non_negative=False, baseline_value=Decimal("-5"), target_value=Decimal("20")
    )
    response = api_for(owner).post(
        "/api/v1/benefit-measurements/", {"benefit": benefit.pk, "measured_on": "2025-01-01", "value": "-3"}
    )
    assert response.status_code == 201


def test_api_future_measurement_is_400_naming_measured_on(program, owner, api_for):
    benefit = BenefitFactory(program=program)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = api_for(owner).post(
        "/api/v1/benefit-measurements/", {"benefit": benefit.pk, "measured_on": tomorrow, "value": "3"}
    )
    assert response.status_code == 400
    assert fields(response) == ["measured_on"]


def test_recording_the_same_day_replaces_the_value(program, owner):
    benefit = BenefitFactory(program=program)
    day = dt.date(2025, 1, 1)
    services.benefit_measurement_record(actor=owner, benefit=benefit, measured_on=day, value=Decimal("9"))
    services.benefit_measurement_record(actor=owner, benefit=benefit, measured_on=day, value=Decimal("8"))
    assert list(benefit.measurements.values_list("value", flat=True)) == [Decimal("8")]


def test_api_unknown_gate_phase_is_400_naming_to_phase(project, owner, api_for):
    response = api_for(owner).post("/api/v1/stage-gates/", {"project": project.pk, "to_phase": "launch"})
    assert response.status_code == 400
    assert fields(response) == ["to_phase"]


def test_api_decision_about_another_programs_project_is_400_naming_project(program, owner, api_for):
    from tests.factories.projects import ProjectFactory

    elsewhere = ProjectFactory(program__portfolio=program.portfolio)
    from tests.factories.portfolio import MembershipFactory

    MembershipFactory(user=owner, role="program_manager", program=elsewhere.program)
    response = api_for(owner).post(
        "/api/v1/decisions/", {"program": program.pk, "title": "T", "project": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert fields(response) == ["project"]


def test_api_decided_decision_gets_todays_date(program, owner, api_for):
    response = api_for(owner).post(
        "/api/v1/decisions/", {"program": program.pk, "title": "Go", "status": "decided"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["decided_on"] == str(timezone.localdate())
    assert response.json()["decided_by"] == owner.pk


def test_stale_if_match_is_412(program, owner, api_for):
    benefit = BenefitFactory(program=program)
    response = api_for(owner).patch(
        f"/api/v1/benefits/{benefit.pk}/", {"name": "New"}, format="json", HTTP_IF_MATCH='"7"'
    )
    assert response.status_code == 412


# -- access ----------------------------------------------------------------------------------------


@pytest.fixture
def rows(program, project, owner, ref):
    benefit = BenefitFactory(program=program)
    gate = services.stage_gate_create(actor=owner, project=project, to_phase="closing", criteria=["A"])
    cr = services.change_request_create(
        actor=owner,
        project=project,
        title="C",
        currency=ref.eur,
        lines=[{"category": ref.labour, "period": ref.period(2026, 1), "amount_delta": Decimal("5")}],
    )
    return {
        "decisions": DecisionFactory(program=program),
        "benefits": benefit,
        "benefit-measurements": BenefitMeasurementFactory(benefit=benefit),
        "operating-level-agreements": OperatingLevelAgreementFactory(program=program),
        "stage-gates": gate,
        "gate-criteria": gate.criteria.get(),
        "change-requests": cr,
        "change-request-lines": cr.lines.get(),
    }


PATCHES = {
    "decisions": {"title": "x"},
    "benefits": {"name": "x"},
    "benefit-measurements": {"note": "x"},
    "operating-level-agreements": {"notes": "x"},
    "stage-gates": {"name": "x"},
    "gate-criteria": {"text": "x"},
    "change-requests": {"title": "x"},
    "change-request-lines": {"notes": "x"},
}
PROGRAM_ITEMS = {"decisions", "benefits", "benefit-measurements", "operating-level-agreements"}


@pytest.mark.parametrize("resource", PATCHES)
def test_outsider_gets_404(rows, outsider, api_for, resource):
    client = api_for(outsider)
    url = f"/api/v1/{resource}/{rows[resource].pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, PATCHES[resource], format="json").status_code == 404
    assert client.get(f"/api/v1/{resource}/").json()["count"] == 0


@pytest.mark.parametrize("resource", PATCHES)
def test_executive_reads_but_gets_403_on_write(rows, executive, api_for, resource):
    client = api_for(executive)
    url = f"/api/v1/{resource}/{rows[resource].pk}/"
    assert client.get(url).status_code == 200
    assert client.patch(url, PATCHES[resource], format="json").status_code == 403


@pytest.mark.parametrize("resource", PATCHES)
def test_project_manager_edits_project_items_only(rows, project_manager, api_for, resource):
    client = api_for(project_manager)
    url = f"/api/v1/{resource}/{rows[resource].pk}/"
    # A program-wide decision is not shown to someone who sees the program through one project.
    expected = 404 if resource == "decisions" else 403 if resource in PROGRAM_ITEMS else 200
    response = client.patch(url, PATCHES[resource], format="json")
    assert response.status_code == expected, response.json()


@pytest.mark.parametrize("resource", PATCHES)
def test_program_manager_edits_everything(rows, owner, api_for, resource):
    url = f"/api/v1/{resource}/{rows[resource].pk}/"
    response = api_for(owner).patch(url, PATCHES[resource], format="json")
    assert response.status_code == 200, response.json()


def test_member_sees_decisions_about_their_project_only(program, project, member, api_for):
    about = DecisionFactory(program=program, project=project)
    DecisionFactory(program=program)
    ids = [r["id"] for r in api_for(member).get("/api/v1/decisions/").json()["results"]]
    assert ids == [about.pk]
