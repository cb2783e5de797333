"""Every governance list endpoint and page issues the same number of queries for 3 rows as for 30.

API lists are read by the cast's executive (portfolio-wide reader); the pages by the program
manager (`owner`), who also sees the decide forms. Counts are printed (`-s`) for the report."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from governance import services
from tests.factories.governance import BenefitFactory, BenefitMeasurementFactory, DecisionFactory
from tests.factories.projects import ProjectFactory

SMALL, LARGE = 3, 30

LIST_ENDPOINTS = {
    "stage-gates": "/api/v1/stage-gates/",
    "stage-gates (filtered)": "/api/v1/stage-gates/?decision=pending&program_code=MOD&ordering=planned_date",
    "gate-criteria": "/api/v1/gate-criteria/",
    "change-requests": "/api/v1/change-requests/",
    "change-requests (filtered)": "/api/v1/change-requests/?status=submitted&search=Change",
    "change-request-lines": "/api/v1/change-request-lines/",
    "decisions": "/api/v1/decisions/",
    "benefits": "/api/v1/benefits/",
    "benefit-measurements": "/api/v1/benefit-measurements/",
    "operating-level-agreements": "/api/v1/operating-level-agreements/",
}


def add_rows(count: int, *, program, actor, ref) -> None:
    """`count` more of everything in `program`: a project with an approved and a pending gate, a
    submitted change request with a line, a decision, a measured benefit, an OLA with targets."""
    for n in range(count):
        project = ProjectFactory(program=program, phase="initiation", manager=actor)
        gate = services.stage_gate_create(actor=actor, project=project, to_phase="planning", criteria=["A"])
        services.gate_criterion_tick(actor=actor, criterion=gate.criteria.get(), met=True)
        services.stage_gate_decide(actor=actor, gate=gate, decision="approve")
        services.stage_gate_create(actor=actor, project=project, to_phase="execution", planned_date=dt.date(2026, 1, 1))
        cr = services.change_request_create(
            actor=actor,
            project=project,
            title=f"Change {n}",
            currency=ref.eur,
            lines=[{"category": ref.labour, "period": ref.period(2026, 1), "amount_delta": Decimal("10")}],
        )
        services.change_request_submit(actor=actor, change_request=cr)
        DecisionFactory(program=program, project=project, decided_by=actor)
        benefit = BenefitFactory(program=program, owner=actor)
        BenefitMeasurementFactory(benefit=benefit)
        BenefitMeasurementFactory(benefit=benefit)
        services.ola_create(
            actor=actor,
            program=program,
            service=f"Service {n}",
            start_date=dt.date(2025, 1, 1),
            review_date=dt.date(2025, 6, 1),
            status="active",
            it_process_owner=actor,
            targets=[{"metric": "Availability", "target": Decimal("99.9"), "unit": "%"}],
        )


def count(client, url: str, *, api: bool) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    size = len(response.json()["results"]) if api else len(response.content)
    return len(captured), size


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_ENDPOINTS)
def test_list_query_count_does_not_grow_with_rows(executive, owner, program, ref, name):
    url = LIST_ENDPOINTS[name]
    client = APIClient()
    client.force_login(executive)
    add_rows(SMALL, program=program, actor=owner, ref=ref)
    client.get(url)
    small_queries, small_rows = count(client, url, api=True)
    add_rows(LARGE - SMALL, program=program, actor=owner, ref=ref)
    large_queries, large_rows = count(client, url, api=True)
    assert large_rows > small_rows > 0
    assert large_queries == small_queries, (
        f"{name}: {small_queries} for {small_rows} rows, {large_queries} for {large_rows}"
    )
    print(f"\nAPI {name}: {large_queries} queries")


PAGES = {
    "program-governance": "/programs/MOD/governance/",
    "decision-list": "/programs/MOD/decisions/",
    "ola-list": "/programs/MOD/olas/",
    "project-governance": "/projects/{project}/governance/",
    "gate-detail": "/projects/{project}/gates/{gate}/",
    "change-request-detail": "/projects/{project}/change-requests/{cr}/",
    "benefit-detail": "/programs/MOD/benefits/{benefit}/",
}


def detail_rows(count: int, *, project, actor, ref, gate, cr, benefit) -> None:
    """More rows inside one project's gate, change request and one benefit."""
    first = cr.lines.count()
    for n in range(first, first + count):
        services.gate_criterion_create(actor=actor, gate=gate, text=f"Criterion {n}")
        services.change_request_line_create(
            actor=actor,
            change_request=cr,
            category=ref.labour if n % 2 else ref.materials,
            period=ref.period(2025 + (n // 2) // 12, (n // 2) % 12 + 1),
            amount_delta=Decimal(n + 1),
        )
        BenefitMeasurementFactory(benefit=benefit, measured_on=dt.date(2024, 1, 1) + dt.timedelta(days=n))
        other = services.change_request_create(actor=actor, project=project, title=f"Other {n}", currency=ref.eur)
        services.change_request_submit(actor=actor, change_request=other)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_page_query_count_does_not_grow_with_rows(owner, program, project, ref, client_for, name):
    project.phase = "initiation"
    project.save()
    gate = services.stage_gate_create(actor=owner, project=project, to_phase="planning", criteria=[])
    cr = services.change_request_create(actor=owner, project=project, title="Main", currency=ref.eur)
    benefit = BenefitFactory(program=program)
    url = PAGES[name].format(project=project.code, gate=gate.pk, cr=cr.pk, benefit=benefit.pk)
    client = client_for(owner)
    add_rows(SMALL, program=program, actor=owner, ref=ref)
    detail_rows(SMALL, project=project, actor=owner, ref=ref, gate=gate, cr=cr, benefit=benefit)
    client.get(url)
    small_queries, small_size = count(client, url, api=False)
    add_rows(LARGE - SMALL, program=program, actor=owner, ref=ref)
    detail_rows(LARGE - SMALL, project=project, actor=owner, ref=ref, gate=gate, cr=cr, benefit=benefit)
    large_queries, large_size = count(client, url, api=False)
    assert large_size > small_size
    assert large_queries == small_queries, f"{name}: {small_queries} then {large_queries} queries"
    print(f"\npage {name}: {large_queries} queries")


@pytest.mark.django_db
def test_program_summary_query_count_is_fixed(owner, program, ref):
    from governance.selectors import program_governance_summary

    add_rows(SMALL, program=program, actor=owner, ref=ref)
    with CaptureQueriesContext(connection) as small:
        summary = program_governance_summary(program=program, user=owner, today=dt.date(2025, 12, 20))
    add_rows(10, program=program, actor=owner, ref=ref)
    with CaptureQueriesContext(connection) as large:
        summary = program_governance_summary(program=program, user=owner, today=dt.date(2025, 12, 20))
    assert len(small) == len(large)
    assert summary.awaiting_count == 13
    assert summary.gates_due_count == 13
    assert summary.olas_due == 13
    print(f"\nprogram_governance_summary: {len(large)} queries")
