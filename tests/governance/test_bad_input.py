"""Bad input on every governance endpoint: what an integration or a careless user sends gets a 4xx
naming the field (never a 500, never a half-written change); unknown filters and orderings
give DRF's usual clean answer."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from budgets.models import BudgetLine, FiscalPeriod
from budgets.services import fiscal_periods_generate
from core.models import AuditEntry
from governance import services
from governance.models import ChangeRequest, ChangeRequestLine, Decision, StageGate
from tests.factories.budgets import BudgetLineFactory, FiscalCalendarFactory
from tests.factories.governance import (
    BenefitFactory,
    BenefitMeasurementFactory,
    ChangeRequestFactory,
    DecisionFactory,
    GateCriterionFactory,
    OperatingLevelAgreementFactory,
    StageGateFactory,
)
from tests.factories.portfolio import PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

HUGE = 10**30
FUTURE = (timezone.localdate() + dt.timedelta(days=30)).isoformat()


def url(prefix, pk=None, action=None):
    return f"/api/v1/{prefix}/" + (f"{pk}/" if pk else "") + (f"{action}/" if action else "")


def fields_of(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return {(e["field"] or "") for e in response.json()["errors"]}


@pytest.fixture
def world(project, program, ref):
    """The cast's project (in initiation) with one of each governance row, plus another portfolio's
    program, project and fiscal period, and a period of a second shared calendar."""
    project.phase = "initiation"
    project.save()
    other = PortfolioFactory(code="ELSE")
    other_program = ProgramFactory(portfolio=other, code="ELSE-P")
    own_calendar = FiscalCalendarFactory(name="Else calendar", portfolio=other, is_default=False)
    fiscal_periods_generate(actor=None, calendar=own_calendar, first_year=2026)
    shared = FiscalCalendarFactory(name="April year", is_default=False, start_month=4)
    fiscal_periods_generate(actor=None, calendar=shared, first_year=2026)
    gate = StageGateFactory(project=project)
    cr = ChangeRequestFactory(project=project, currency=ref.eur)
    line = ChangeRequestLine.objects.create(
        change_request=cr, category=ref.labour, period=ref.period(2026, 3), amount_delta=Decimal(10), currency=ref.eur
    )
    benefit = BenefitFactory(program=program)
    return {
        "project": project,
        "program": program,
        "ref": ref,
        "other_program": other_program,
        "other_project": ProjectFactory(program=other_program, code="ELSE-1"),
        "other_period": FiscalPeriod.objects.filter(calendar=own_calendar).first(),
        "shared_period": FiscalPeriod.objects.filter(calendar=shared).first(),
        "gate": gate,
        "criterion": GateCriterionFactory(gate=gate),
        "cr": cr,
        "line": line,
        "decision": DecisionFactory(program=program),
        "benefit": benefit,
        "measurement": BenefitMeasurementFactory(benefit=benefit),
        "ola": OperatingLevelAgreementFactory(program=program),
    }


# Each resource: a good creation body built from the world, and the detail row PATCHed.
BODIES = {
    "stage-gates": (
        lambda w: {"project": w["project"].pk, "to_phase": "execution", "planned_date": "2026-06-01"},
        "gate",
    ),
    "gate-criteria": (lambda w: {"gate": w["gate"].pk, "text": "Signed off"}, "criterion"),
    "change-requests": (lambda w: {"project": w["project"].pk, "title": "More scope"}, "cr"),
    "change-request-lines": (
        lambda w: {
            "change_request": w["cr"].pk,
            "category": w["ref"].materials.pk,
            "period": w["ref"].period(2026, 4).pk,
            "amount_delta": "50",
        },
        "line",
    ),
    "decisions": (lambda w: {"program": w["program"].pk, "title": "Go", "status": "decided"}, "decision"),
    "benefits": (
        lambda w: {
            "program": w["program"].pk,
            "name": "Faster",
            "kpi": "Days",
            "baseline_value": "10",
            "target_value": "5",
        },
        "benefit",
    ),
    "benefit-measurements": (
        lambda w: {"benefit": w["benefit"].pk, "measured_on": "2026-01-05", "value": "8"},
        "measurement",
    ),
    "operating-level-agreements": (
        lambda w: {
            "program": w["program"].pk,
            "service": "Desk",
            "start_date": "2026-01-01",
            "review_date": "2026-07-01",
        },
        "ola",
    ),
}

# (resource, field, value or a world key in angle brackets, the field the error must name)
BAD_FIELDS = [
    ("stage-gates", "project", 999999, "project"),
    ("stage-gates", "project", HUGE, "project"),
    ("stage-gates", "project", "abc", "project"),
    ("stage-gates", "project", None, "project"),
    ("stage-gates", "project", [1], "project"),
    ("stage-gates", "project", "<other_project>", "project"),
    ("stage-gates", "to_phase", "bogus", "to_phase"),
    ("stage-gates", "to_phase", "", "to_phase"),
    ("stage-gates", "to_phase", None, "to_phase"),
    ("stage-gates", "to_phase", "initiation", "to_phase"),  # the phase it is already in
    ("stage-gates", "planned_date", "2026-13-45", "planned_date"),
    ("stage-gates", "planned_date", "garbage", "planned_date"),
    ("stage-gates", "planned_date", ["2026-01-01"], "planned_date"),
    ("stage-gates", "criteria", "not a list", "criteria"),
    ("stage-gates", "criteria", [None], "criteria[0]"),
    ("stage-gates", "criteria", ["x" * 301], "criteria[0]"),
    ("gate-criteria", "gate", 999999, "gate"),
    ("gate-criteria", "gate", "1e999", "gate"),
    ("gate-criteria", "text", "", "text"),
    ("gate-criteria", "text", None, "text"),
    ("gate-criteria", "text", {"a": 1}, "text"),
    ("gate-criteria", "order", "abc", "order"),
    ("gate-criteria", "order", "NaN", "order"),
    ("gate-criteria", "order", HUGE, "order"),
    ("gate-criteria", "met", "maybe", "met"),
    ("change-requests", "project", "<other_project>", "project"),
    ("change-requests", "title", "", "title"),
    ("change-requests", "title", None, "title"),
    ("change-requests", "schedule_impact_days", "abc", "schedule_impact_days"),
    ("change-requests", "schedule_impact_days", "1e999", "schedule_impact_days"),
    ("change-requests", "schedule_impact_days", "Infinity", "schedule_impact_days"),
    ("change-requests", "schedule_impact_days", HUGE, "schedule_impact_days"),
    ("change-requests", "currency", "XXX", "currency"),
    ("change-requests", "currency", ["EUR"], "currency"),
    ("change-requests", "rebaseline", "maybe", "rebaseline"),
    ("change-requests", "lines", "not a list", "lines"),
    ("change-requests", "lines", [None], "lines[0]"),
    (
        "change-requests",
        "lines",
        [{"category": 999999, "period": "<period>", "amount_delta": "5"}],
        "lines[0].category",
    ),
    (
        "change-requests",
        "lines",
        [{"category": "<labour>", "period": "<shared_period>", "amount_delta": "5"}],
        "lines[0].period",
    ),
    (
        "change-requests",
        "lines",
        [{"category": "<labour>", "period": "<other_period>", "amount_delta": "5"}],
        "lines[0].period",
    ),
    (
        "change-requests",
        "lines",
        [{"category": "<labour>", "period": "<period>", "amount_delta": "NaN"}],
        "lines[0].amount_delta",
    ),
    (
        "change-requests",
        "lines",
        [{"category": "<labour>", "period": "<period>", "amount_delta": "1e999"}],
        "lines[0].amount_delta",
    ),
    (
        "change-requests",
        "lines",
        [{"category": "<labour>", "period": "<period>", "amount_delta": "0"}],
        "lines[0].amount_delta",
    ),
    (
        "change-requests",
        "lines",
        [{"category": "<labour>", "period": "<period>", "amount_delta": "5"}] * 2,
        "lines[1].period",
    ),
    ("change-request-lines", "change_request", 999999, "change_request"),
    ("change-request-lines", "category", 999999, "category"),
    ("change-request-lines", "category", "abc", "category"),
    ("change-request-lines", "period", "<shared_period>", "period"),
    ("change-request-lines", "period", "<other_period>", "period"),
    ("change-request-lines", "period", HUGE, "period"),
    ("change-request-lines", "amount_delta", "abc", "amount_delta"),
    ("change-request-lines", "amount_delta", "1e999", "amount_delta"),
    ("change-request-lines", "amount_delta", "NaN", "amount_delta"),
    ("change-request-lines", "amount_delta", "-Infinity", "amount_delta"),
    ("change-request-lines", "amount_delta", "0", "amount_delta"),
    ("change-request-lines", "amount_delta", None, "amount_delta"),
    ("change-request-lines", "currency", "USD", "currency"),
    ("decisions", "program", "<other_program>", "program"),
    ("decisions", "program", None, "program"),
    ("decisions", "project", "<other_project>", "project"),
    ("decisions", "decided_by", 999999, "decided_by"),
    ("decisions", "decided_on", "2026-13-45", "decided_on"),
    ("decisions", "status", "bogus", "status"),
    ("decisions", "stage_gate", 999999, "stage_gate"),
    ("decisions", "change_request", "abc", "change_request"),
    ("benefits", "program", 999999, "program"),
    ("benefits", "baseline_value", "abc", "baseline_value"),
    ("benefits", "baseline_value", "1e999", "baseline_value"),
    ("benefits", "baseline_value", "NaN", "baseline_value"),
    ("benefits", "baseline_value", None, "baseline_value"),
    ("benefits", "target_value", "Infinity", "target_value"),
    ("benefits", "target_value", "10", "target_value"),  # equal to the baseline
    ("benefits", "target_value", "-1", "target_value"),  # a non-negative KPI
    ("benefits", "owner", 999999, "owner"),
    ("benefits", "realisation_date", "2026-02-30", "realisation_date"),
    ("benefits", "status", ["planned"], "status"),
    ("benefit-measurements", "benefit", 999999, "benefit"),
    ("benefit-measurements", "measured_on", FUTURE, "measured_on"),
    ("benefit-measurements", "measured_on", "2026-13-45", "measured_on"),
    ("benefit-measurements", "measured_on", None, "measured_on"),
    ("benefit-measurements", "value", "NaN", "value"),
    ("benefit-measurements", "value", "1e999", "value"),
    ("benefit-measurements", "value", "-5", "value"),
    ("operating-level-agreements", "program", "<other_program>", "program"),
    ("operating-level-agreements", "start_date", "", "start_date"),
    ("operating-level-agreements", "review_date", "2025-12-31", "review_date"),  # before the start
    ("operating-level-agreements", "review_date", None, "review_date"),
    ("operating-level-agreements", "it_process_owner", 999999, "it_process_owner"),
    ("operating-level-agreements", "status", "bogus", "status"),
    ("operating-level-agreements", "targets", "x", "targets"),
    ("operating-level-agreements", "targets", [{"metric": "Uptime", "target": "NaN"}], "targets[0].target"),
    ("operating-level-agreements", "targets", [{"metric": "Uptime", "target": "1e999"}], "targets[0].target"),
    ("operating-level-agreements", "targets", [{"metric": "", "target": "1"}], "targets[0].metric"),
    ("operating-level-agreements", "targets", [{"metric": "Uptime"}], "targets[0].target"),
    (
        "operating-level-agreements",
        "targets",
        [{"metric": "Uptime", "target": "1", "direction": "up"}],
        "targets[0].direction",
    ),
]

# What a PATCH of an existing row refuses (fields fixed after creation included).
BAD_PATCHES = [
    ("stage-gates", {"planned_date": "2026-13-45"}, "planned_date"),
    ("stage-gates", {"project": "<other_project>"}, "project"),
    ("stage-gates", {"criteria": ["More"]}, "criteria"),  # only on creation
    ("gate-criteria", {"order": "abc"}, "order"),
    ("change-requests", {"schedule_impact_days": "NaN"}, "schedule_impact_days"),
    ("change-requests", {"lines": []}, "lines"),  # only on creation
    ("change-requests", {"currency": "USD"}, "currency"),  # it has lines in EUR
    ("change-request-lines", {"amount_delta": "0"}, "amount_delta"),
    ("change-request-lines", {"period": "<shared_period>"}, "period"),
    ("decisions", {"decided_on": "garbage"}, "decided_on"),
    ("decisions", {"program": "<other_program>"}, "program"),
    ("benefits", {"target_value": "10"}, "target_value"),  # equal to the baseline
    ("benefits", {"baseline_value": "6"}, "target_value"),
    ("benefit-measurements", {"measured_on": FUTURE}, "measured_on"),
    ("benefit-measurements", {"value": "Infinity"}, "value"),
    ("operating-level-agreements", {"review_date": "2025-01-01"}, "review_date"),
    ("operating-level-agreements", {"start_date": "2026-08-01"}, "review_date"),
]


def resolve(value, w):
    """`<key>` names a row of the world (its id); lists and dicts are resolved inside."""
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        key = value[1:-1]
        if key == "labour":
            return w["ref"].labour.pk
        if key == "period":
            return w["ref"].period(2026, 5).pk
        return w[key].pk
    if isinstance(value, list):
        return [resolve(v, w) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, w) for k, v in value.items()}
    return value


def _model_of(prefix):
    from governance.api import ROUTES

    return next(viewset for p, viewset, _ in ROUTES if p == prefix).serializer_class.Meta.model


@pytest.mark.parametrize(("prefix", "field", "value", "named"), BAD_FIELDS, ids=lambda v: str(v)[:30])
def test_bad_field_on_create_is_400_naming_it_and_writes_nothing(api_for, owner, world, prefix, field, value, named):
    body, _ = BODIES[prefix]
    model = _model_of(prefix)
    before = (model.objects.count(), AuditEntry.objects.count())
    response = api_for(owner).post(url(prefix), {**body(world), field: resolve(value, world)}, format="json")
    assert named in fields_of(response)
    assert (model.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("prefix", sorted(BODIES))
def test_the_good_body_is_created(api_for, owner, world, prefix):
    """The bodies above are valid, so each refusal comes from the one bad field."""
    body, _ = BODIES[prefix]
    response = api_for(owner).post(url(prefix), body(world), format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(("prefix", "change", "named"), BAD_PATCHES, ids=lambda v: str(v)[:30])
def test_bad_patch_is_400_naming_the_field_and_changes_nothing(api_for, owner, world, prefix, change, named):
    _, key = BODIES[prefix]
    row = world[key]
    response = api_for(owner).patch(url(prefix, row.pk), resolve(change, world), format="json")
    assert named in fields_of(response)
    row.refresh_from_db()
    assert row.version == 1


@pytest.mark.parametrize("prefix", sorted(BODIES))
@pytest.mark.parametrize("body", ["[]", '"text"', "5", "null", '[{"a": 1}]', "{not json"])
def test_json_that_is_not_an_object_is_400(api_for, owner, world, prefix, body):
    _, key = BODIES[prefix]
    client = api_for(owner)
    assert client.post(url(prefix), body, content_type="application/json").status_code == 400
    assert client.patch(url(prefix, world[key].pk), body, content_type="application/json").status_code == 400


@pytest.mark.parametrize("prefix", sorted(BODIES))
def test_stale_if_match_is_412_and_changes_nothing(api_for, owner, world, prefix):
    _, key = BODIES[prefix]
    row = world[key]
    response = api_for(owner).patch(url(prefix, row.pk), {}, format="json", headers={"If-Match": '"7"'})
    assert response.status_code == 412
    bad = api_for(owner).patch(url(prefix, row.pk), {}, format="json", headers={"If-Match": "yesterday"})
    assert bad.status_code == 412
    row.refresh_from_db()
    assert row.version == 1


@pytest.mark.parametrize("prefix", sorted(BODIES))
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"page": 999999}, 404),  # DRF: "Invalid page."
        ({"page": "abc"}, 404),
        ({"ordering": "nonexistent"}, 200),  # ignored
        ({"unknown_filter": "x"}, 400),  # refused, naming the parameter (core.filters)
        ({"page_size": HUGE}, 200),  # capped at the maximum
    ],
    ids=repr,
)
def test_list_queries_get_drfs_usual_answer(api_for, owner, world, prefix, query, status):
    response = api_for(owner).get(url(prefix), query)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("prefix", "query", "named"),
    [
        ("stage-gates", {"project": "abc"}, "project"),
        ("change-requests", {"status": "bogus"}, "status"),
        ("change-request-lines", {"change_request": "1e999"}, "change_request"),
        ("decisions", {"program": "abc"}, "program"),
        ("benefits", {"status": "bogus"}, "status"),
        ("benefit-measurements", {"benefit": "abc"}, "benefit"),
        ("operating-level-agreements", {"program": "abc"}, "program"),
    ],
    ids=repr,
)
def test_a_filter_value_of_the_wrong_type_is_400_naming_it(api_for, owner, world, prefix, query, named):
    assert named in fields_of(api_for(owner).get(url(prefix), query))


@pytest.mark.parametrize("prefix", sorted(BODIES))
@pytest.mark.parametrize("pk", ["abc", str(HUGE), "999999"])
def test_unknown_or_malformed_id_is_404(api_for, owner, world, prefix, pk):
    assert api_for(owner).get(url(prefix, pk)).status_code == 404


def test_an_outsider_gets_404_for_every_row(api_for, outsider, world):
    client = api_for(outsider)
    for prefix, (_, key) in BODIES.items():
        assert client.get(url(prefix, world[key].pk)).status_code == 404, prefix
        assert client.patch(url(prefix, world[key].pk), {}, format="json").status_code == 404, prefix


# -- the decision actions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, "decision"),
        ({"decision": "bogus"}, "decision"),
        ({"decision": None}, "decision"),
        ({"decision": ["approve"]}, "decision"),
        ({"decision": "approve"}, "decision"),  # a criterion is not met
        ({"decision": "reject"}, "decision_notes"),  # no reason
        ({"decision": "defer", "notes": "   "}, "decision_notes"),
        ({"decision": "defer", "notes": ["x"]}, "notes"),
    ],
    ids=repr,
)
def test_bad_gate_decision_is_400_and_leaves_it_pending(api_for, owner, world, body, named):
    gate = world["gate"]
    assert named in fields_of(api_for(owner).post(url("stage-gates", gate.pk, "decide"), body, format="json"))
    gate.refresh_from_db()
    assert gate.decision == StageGate.Decision.PENDING
    assert not Decision.objects.filter(stage_gate=gate).exists()


def test_deciding_a_gate_twice_is_400_on_decision(api_for, owner, world):
    gate, client = world["gate"], api_for(owner)
    body = {"decision": "defer", "notes": "Not yet"}
    assert client.post(url("stage-gates", gate.pk, "decide"), body, format="json").status_code == 200
    assert "decision" in fields_of(client.post(url("stage-gates", gate.pk, "decide"), body, format="json"))
    assert Decision.objects.filter(stage_gate=gate).count() == 1


def test_deciding_with_a_stale_if_match_is_412(api_for, owner, world):
    gate = world["gate"]
    response = api_for(owner).post(
        url("stage-gates", gate.pk, "decide"),
        {"decision": "defer", "notes": "Later"},
        format="json",
        headers={"If-Match": '"9"'},
    )
    assert response.status_code == 412
    gate.refresh_from_db()
    assert gate.decision == StageGate.Decision.PENDING


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_deciding_a_draft_change_request_is_400_on_status(api_for, owner, world, action):
    cr = world["cr"]
    assert "status" in fields_of(api_for(owner).post(url("change-requests", cr.pk, action), {"notes": "x"}))
    cr.refresh_from_db()
    assert cr.status == ChangeRequest.Status.DRAFT


@pytest.mark.parametrize(
    ("action", "body", "named"),
    [
        ("reject", {}, "decision_notes"),
        ("reject", {"notes": ["x"]}, "notes"),
        ("approve", {"notes": {"a": 1}}, "notes"),
    ],
    ids=repr,
)
def test_bad_decision_notes_are_400(api_for, owner, project_manager, world, action, body, named):
    cr = world["cr"]
    assert api_for(project_manager).post(url("change-requests", cr.pk, "submit")).status_code == 200
    assert named in fields_of(api_for(owner).post(url("change-requests", cr.pk, action), body, format="json"))
    cr.refresh_from_db()
    assert cr.status == ChangeRequest.Status.SUBMITTED


def test_approval_pushing_a_budget_below_zero_is_400_and_writes_nothing(api_for, owner, project_manager, world):
    ref, project = world["ref"], world["project"]
    current = BudgetLineFactory(project=project, category=ref.labour, period=ref.period(2026, 1), currency=ref.eur)
    cr = services.change_request_create(
        actor=project_manager,
        project=project,
        title="Descope",
        currency=ref.eur,
        lines=[
            {"category": ref.materials, "period": ref.period(2026, 2), "amount_delta": Decimal("400")},
            {"category": ref.labour, "period": ref.period(2026, 1), "amount_delta": Decimal("-1500")},
        ],
    )
    api_for(project_manager).post(url("change-requests", cr.pk, "submit"))
    audits = AuditEntry.objects.count()
    response = api_for(owner).post(url("change-requests", cr.pk, "approve"), {"notes": "ok"}, format="json")
    assert "lines" in fields_of(response)
    current.refresh_from_db()
    assert current.amount == Decimal("1000.00")
    assert not BudgetLine.objects.filter(project=project, category=ref.materials).exists()
    cr.refresh_from_db()
    assert cr.status == ChangeRequest.Status.SUBMITTED
    assert not Decision.objects.filter(change_request=cr).exists()
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize("action", ["submit", "withdraw", "approve", "reject"])
def test_a_change_request_action_with_a_stale_if_match_is_412(api_for, owner, world, action):
    cr = world["cr"]
    response = api_for(owner).post(
        url("change-requests", cr.pk, action), {"notes": "x"}, format="json", headers={"If-Match": '"42"'}
    )
    assert response.status_code == 412
    cr.refresh_from_db()
    assert (cr.status, cr.version) == (ChangeRequest.Status.DRAFT, 1)


def test_withdrawing_twice_is_400_on_status(api_for, project_manager, world):
    cr, client = world["cr"], api_for(project_manager)
    assert client.post(url("change-requests", cr.pk, "withdraw")).status_code == 200
    assert "status" in fields_of(client.post(url("change-requests", cr.pk, "withdraw")))


def test_a_line_on_a_submitted_change_request_is_400_on_status(api_for, project_manager, world):
    cr, ref, client = world["cr"], world["ref"], api_for(project_manager)
    client.post(url("change-requests", cr.pk, "submit"))
    body = {
        "change_request": cr.pk,
        "category": ref.materials.pk,
        "period": ref.period(2026, 6).pk,
        "amount_delta": "5",
    }
    assert "status" in fields_of(client.post(url("change-request-lines"), body, format="json"))
