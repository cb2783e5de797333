"""What integrations and careless users send: every risks API endpoint and HTML form answers bad
input with a 4xx naming the field and the reason (or, for unknown filters and orderings, a clean
result as DRF gives), never a 500 and never a half-written change."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import ReserveTransaction
from core.models import AuditEntry
from portfolio.models import Membership, Program
from projects.models import Project
from risks.models import Issue, MitigationAction, Risk, RiskScoreHistory
from tests.factories.budgets import ContractFactory
from tests.factories.portfolio import MembershipFactory, ProgramFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.risks import IssueFactory, MitigationActionFactory, RiskFactory

D = Decimal
API = "/api/v1"
HUGE = "9" * 30


@pytest.fixture
def world(db, portfolio, program, project, owner, outsider, other_project):
    """The program manager's MOD with a project holding 10,000 contingency, an open, a closed and
    an escalated project risk, a program risk, an action and an issue; FAR, another program
    with a task and a contract, whose project the program manager sees as a team member; and
    HIDDEN, a program nobody of the cast sees."""
    Project.objects.filter(pk=project.pk).update(contingency_reserve=D("10000"))
    far = ProgramFactory(portfolio=portfolio, code="FAR")
    far_project = ProjectFactory(program=far, code="FAR-1")
    MembershipFactory(user=owner, role=Membership.Role.TEAM_MEMBER, project=far_project)
    hidden = ProgramFactory(code="HIDDEN")
    risk = RiskFactory(project=project, title="Open risk", probability=3, impact=3)
    return {
        "project": project.pk,
        "program": program.pk,
        "portfolio": portfolio.pk,
        "risk": risk.pk,
        "closed": RiskFactory(project=project, status="closed").pk,
        "escalated": RiskFactory(project=project, escalated_at="2026-01-01T00:00Z").pk,
        "program_risk": RiskFactory(program=program).pk,
        "action": MitigationActionFactory(risk=risk).pk,
        "issue": IssueFactory(project=project).pk,
        "own_task": TaskFactory(project=project).pk,
        "far_task": TaskFactory(project=far_project).pk,
        "far_project": far_project.pk,
        "far_contract": ContractFactory(program=far).pk,
        "hidden_task": TaskFactory(project=ProjectFactory(program=hidden)).pk,
        "hidden_program": hidden.pk,
        "hidden_project": ProjectFactory(program=hidden).pk,
        "outsider": outsider.pk,
    }


def snapshot() -> tuple:
    """Everything a risks write can touch: row counts and the risks' versions and statuses."""
    models = (Risk, Issue, MitigationAction, RiskScoreHistory, ReserveTransaction, AuditEntry)
    return (
        tuple(m.objects.count() for m in models),
        tuple(Risk.objects.order_by("pk").values_list("version", "status", "escalated_at")),
        tuple(Issue.objects.order_by("pk").values_list("version", "status")),
        tuple(MitigationAction.objects.order_by("pk").values_list("version", "cost")),
    )


def fields_named(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def risk_body(w, **extra) -> dict:
    return {"project": w["project"], "title": "New", "category": "technical", "probability": 3, "impact": 3, **extra}


def raw_risk(fragment: str) -> str:
    """A risk body as raw JSON with `fragment` (e.g. '"probability": NaN') — values json.dumps
    would never write but a careless integration does."""
    return '{"project": %(project)s, "title": "New", "category": "technical", "impact": 3, ' + fragment + "}"


# (name, method, path, body, expected status, field named). `path` and `body` are formatted with
# the world's ids: a body is a dict (sent as JSON), a str (sent as raw JSON), or None.
API_CASES = [
    # -- creating a risk: numbers ---------------------------------------------------------------
    ("probability string", "post", "/risks/", lambda w: risk_body(w, probability="abc"), 400, "probability"),
    ("probability 1e999", "post", "/risks/", raw_risk('"probability": 1e999'), 400, "probability"),
    ("probability NaN", "post", "/risks/", raw_risk('"probability": NaN'), 400, None),
    ("probability Infinity", "post", "/risks/", raw_risk('"probability": Infinity'), 400, None),
    ("probability -Infinity", "post", "/risks/", raw_risk('"probability": -Infinity'), 400, None),
    ("probability NaN string", "post", "/risks/", lambda w: risk_body(w, probability="NaN"), 400, "probability"),
    (
        "probability Infinity string",
        "post",
        "/risks/",
        lambda w: risk_body(w, probability="Infinity"),
        400,
        "probability",
    ),
    (
        "percent Infinity string",
        "post",
        "/risks/",
        raw_risk('"probability_percent": "-Infinity"'),
        400,
        "probability_percent",
    ),
    ("owner NaN string", "post", "/risks/", lambda w: risk_body(w, owner="NaN"), 400, "owner"),
    (
        "realise amount Infinity string",
        "post",
        "/risks/{risk}/realise/",
        {"amount": "Infinity", "reserve": "contingency"},
        400,
        "amount",
    ),
    ("probability huge", "post", "/risks/", raw_risk(f'"probability": {HUGE}'), 400, "probability"),
    ("probability -0", "post", "/risks/", raw_risk('"probability": -0'), 400, "probability"),
    ("probability 2.5", "post", "/risks/", raw_risk('"probability": 2.5'), 400, "probability"),
    ("probability true", "post", "/risks/", raw_risk('"probability": true'), 400, "probability"),
    ("probability list", "post", "/risks/", lambda w: risk_body(w, probability=[3]), 400, "probability"),
    ("probability object", "post", "/risks/", lambda w: risk_body(w, probability={"level": 3}), 400, "probability"),
    ("probability null", "post", "/risks/", lambda w: risk_body(w, probability=None), 400, "probability"),
    ("probability empty", "post", "/risks/", lambda w: risk_body(w, probability=""), 400, "probability"),
    (
        "percent many decimals",
        "post",
        "/risks/",
        raw_risk('"probability_percent": 42.123456789'),
        400,
        "probability_percent",
    ),
    ("percent NaN", "post", "/risks/", raw_risk('"probability_percent": "NaN"'), 400, "probability_percent"),
    ("percent 1e999", "post", "/risks/", raw_risk('"probability_percent": 1e999'), 400, "probability_percent"),
    ("percent Infinity", "post", "/risks/", raw_risk('"probability_percent": Infinity'), 400, None),
    ("percent 100.01", "post", "/risks/", raw_risk('"probability_percent": 100.01'), 400, "probability_percent"),
    ("percent -0.01", "post", "/risks/", raw_risk('"probability_percent": -0.01'), 400, "probability_percent"),
    (
        "percent disagrees with level",
        "post",
        "/risks/",
        lambda w: risk_body(w, probability=1, probability_percent="90"),
        400,
        "probability_percent",
    ),
    ("impact 0", "post", "/risks/", lambda w: risk_body(w, impact=0), 400, "impact"),
    ("impact -0", "post", "/risks/", lambda w: {**risk_body(w), "impact": -0}, 400, "impact"),
    ("impact null", "post", "/risks/", lambda w: risk_body(w, impact=None), 400, "impact"),
    (
        "impact missing",
        "post",
        "/risks/",
        lambda w: {k: v for k, v in risk_body(w).items() if k != "impact"},
        400,
        "impact",
    ),
    ("cost NaN", "post", "/risks/", lambda w: risk_body(w, cost_impact="NaN"), 400, "cost_impact"),
    ("cost Infinity", "post", "/risks/", lambda w: risk_body(w, cost_impact="Infinity"), 400, "cost_impact"),
    ("cost 1e999", "post", "/risks/", raw_risk('"probability": 3, "cost_impact": 1e999'), 400, "cost_impact"),
    ("cost huge", "post", "/risks/", lambda w: risk_body(w, cost_impact=HUGE), 400, "cost_impact"),
    ("cost negative", "post", "/risks/", lambda w: risk_body(w, cost_impact="-1"), 400, "cost_impact"),
    ("cost 3 decimals", "post", "/risks/", lambda w: risk_body(w, cost_impact="1.005"), 400, "cost_impact"),
    ("cost string", "post", "/risks/", lambda w: risk_body(w, cost_impact="a lot"), 400, "cost_impact"),
    ("cost list", "post", "/risks/", lambda w: risk_body(w, cost_impact=["1"]), 400, "cost_impact"),
    (
        "days huge",
        "post",
        "/risks/",
        raw_risk(f'"probability": 3, "schedule_impact_days": {HUGE}'),
        400,
        "schedule_impact_days",
    ),
    ("days negative", "post", "/risks/", lambda w: risk_body(w, schedule_impact_days=-1), 400, "schedule_impact_days"),
    (
        "days 1e999",
        "post",
        "/risks/",
        raw_risk('"probability": 3, "schedule_impact_days": 1e999'),
        400,
        "schedule_impact_days",
    ),
    (
        "residual above inherent",
        "post",
        "/risks/",
        lambda w: risk_body(w, residual_probability=5, residual_impact=1),
        400,
        "residual_probability",
    ),
    ("residual only one", "post", "/risks/", lambda w: risk_body(w, residual_probability=2), 400, "residual_impact"),
    (
        "residual huge",
        "post",
        "/risks/",
        raw_risk(f'"probability": 3, "residual_probability": {HUGE}, "residual_impact": 1'),
        400,
        "residual_probability",
    ),
    # -- creating a risk: text, choices, dates ---------------------------------------------------
    ("title null", "post", "/risks/", lambda w: risk_body(w, title=None), 400, "title"),
    ("title empty", "post", "/risks/", lambda w: risk_body(w, title=""), 400, "title"),
    ("title blank", "post", "/risks/", lambda w: risk_body(w, title="   "), 400, "title"),
    ("title too long", "post", "/risks/", lambda w: risk_body(w, title="x" * 201), 400, "title"),
    ("title list", "post", "/risks/", lambda w: risk_body(w, title=["a", "b"]), 400, "title"),
    ("title object", "post", "/risks/", lambda w: risk_body(w, title={"en": "a"}), 400, "title"),
    ("category unknown", "post", "/risks/", lambda w: risk_body(w, category="weather"), 400, "category"),
    ("category null", "post", "/risks/", lambda w: risk_body(w, category=None), 400, "category"),
    ("category list", "post", "/risks/", lambda w: risk_body(w, category=["technical"]), 400, "category"),
    ("response unknown", "post", "/risks/", lambda w: risk_body(w, response="pray"), 400, "response"),
    ("status realised on create", "post", "/risks/", lambda w: risk_body(w, status="realised"), 400, "status"),
    ("status unknown", "post", "/risks/", lambda w: risk_body(w, status="gone"), 400, "status"),
    ("date 2026-13-45", "post", "/risks/", lambda w: risk_body(w, proximity_date="2026-13-45"), 400, "proximity_date"),
    ("date 2026-02-30", "post", "/risks/", lambda w: risk_body(w, trigger_date="2026-02-30"), 400, "trigger_date"),
    ("date number", "post", "/risks/", lambda w: risk_body(w, proximity_date=20261231), 400, "proximity_date"),
    ("date year 0", "post", "/risks/", lambda w: risk_body(w, proximity_date="0000-01-01"), 400, "proximity_date"),
    ("date in the past", "post", "/risks/", lambda w: risk_body(w, proximity_date="2001-01-01"), 400, "proximity_date"),
    (
        "trigger after proximity",
        "post",
        "/risks/",
        lambda w: risk_body(w, trigger_date="2099-02-01", proximity_date="2099-01-01"),
        400,
        "trigger_date",
    ),
    # -- creating a risk: related ids ------------------------------------------------------------
    ("owner not a user", "post", "/risks/", lambda w: risk_body(w, owner=999999), 400, "owner"),
    ("owner huge id", "post", "/risks/", raw_risk(f'"probability": 3, "owner": {HUGE}'), 400, "owner"),
    ("owner 1e999", "post", "/risks/", raw_risk('"probability": 3, "owner": 1e999'), 400, "owner"),
    ("owner NaN", "post", "/risks/", raw_risk('"probability": 3, "owner": NaN'), 400, None),
    ("owner float", "post", "/risks/", lambda w: risk_body(w, owner=w["outsider"] + 0.5), 400, "owner"),
    ("owner true", "post", "/risks/", lambda w: risk_body(w, owner=True), 400, "owner"),
    ("owner string", "post", "/risks/", lambda w: risk_body(w, owner="owner"), 400, "owner"),
    ("owner list", "post", "/risks/", lambda w: risk_body(w, owner=[w["outsider"]]), 400, "owner"),
    ("project not existing", "post", "/risks/", lambda w: risk_body(w, project=999999), 400, "project"),
    ("project hidden", "post", "/risks/", lambda w: risk_body(w, project=w["hidden_project"]), 400, "project"),
    ("project huge", "post", "/risks/", lambda w: risk_body(w, project=int(HUGE)), 400, "project"),
    ("project string", "post", "/risks/", lambda w: risk_body(w, project="MOD-ERP"), 400, "project"),
    ("no scope", "post", "/risks/", lambda w: risk_body(w, project=None), 400, "program"),
    (
        "project of another program",
        "post",
        "/risks/",
        lambda w: risk_body(w, program=w["hidden_program"]),
        400,
        "program",
    ),
    (
        "project outside given program",
        "post",
        "/risks/",
        lambda w: risk_body(w, program=w["far_project_program"]),
        400,
        "project",
    ),
    ("project the user may not edit", "post", "/risks/", lambda w: risk_body(w, project=w["far_project"]), 403, None),
    ("task of another program", "post", "/risks/", lambda w: risk_body(w, tasks=[w["far_task"]]), 400, "tasks"),
    ("task hidden", "post", "/risks/", lambda w: risk_body(w, tasks=[w["hidden_task"]]), 400, "tasks"),
    ("task not existing", "post", "/risks/", lambda w: risk_body(w, tasks=[999999]), 400, "tasks"),
    ("tasks scalar", "post", "/risks/", lambda w: risk_body(w, tasks=w["own_task"]), 400, "tasks"),
    ("tasks null", "post", "/risks/", lambda w: risk_body(w, tasks=None), 400, "tasks"),
    ("tasks strings", "post", "/risks/", lambda w: risk_body(w, tasks=["abc"]), 400, "tasks"),
    ("contract 999999", "post", "/risks/", lambda w: risk_body(w, contract=999999), 400, "contract"),
    (
        "contract of another program",
        "post",
        "/risks/",
        lambda w: risk_body(w, contract=w["far_contract"]),
        400,
        "contract",
    ),
    ("vendor 999999", "post", "/risks/", lambda w: risk_body(w, vendor=999999), 400, "vendor"),
    (
        "unknown field ignored, bad one named",
        "post",
        "/risks/",
        lambda w: risk_body(w, colour="red", impact=9),
        400,
        "impact",
    ),
    # -- bodies that are not an object -----------------------------------------------------------
    ("body is a list", "post", "/risks/", "[1, 2]", 400, None),
    ("body is a string", "post", "/risks/", '"risk"', 400, None),
    ("body is a number", "post", "/risks/", "42", 400, None),
    ("body is null", "post", "/risks/", "null", 400, None),
    ("body is broken JSON", "post", "/risks/", '{"title": ', 400, None),
    ("issue body is a list", "post", "/issues/", "[]", 400, None),
    ("action body is a list", "post", "/mitigation-actions/", '[{"title": "x"}]', 400, None),
    # -- updating a risk --------------------------------------------------------------------------
    ("patch probability string", "patch", "/risks/{risk}/", {"probability": "high"}, 400, "probability"),
    ("patch probability NaN", "patch", "/risks/{risk}/", '{"probability": NaN}', 400, None),
    (
        "patch percent many decimals",
        "patch",
        "/risks/{risk}/",
        {"probability_percent": "33.333"},
        400,
        "probability_percent",
    ),
    ("patch title null", "patch", "/risks/{risk}/", {"title": None}, 400, "title"),
    ("patch status realised", "patch", "/risks/{risk}/", {"status": "realised"}, 400, "status"),
    ("patch moves project", "patch", "/risks/{risk}/", lambda w: {"project": w["far_project"]}, 400, "project"),
    ("patch tasks of another program", "patch", "/risks/{risk}/", lambda w: {"tasks": [w["far_task"]]}, 400, "tasks"),
    ("patch body a list", "patch", "/risks/{risk}/", "[]", 400, None),
    ("patch not existing risk", "patch", "/risks/999999/", {"title": "x"}, 404, None),
    ("patch huge risk id", "patch", f"/risks/{HUGE}/", {"title": "x"}, 404, None),
    # -- escalate, de-escalate, realise -----------------------------------------------------------
    ("escalate a closed risk", "post", "/risks/{closed}/escalate/", {}, 400, "status"),
    ("escalate a program risk", "post", "/risks/{program_risk}/escalate/", {}, 400, "project"),
    ("escalate twice", "post", "/risks/{escalated}/escalate/", {}, 400, "escalated_at"),
    ("escalate note a list", "post", "/risks/{risk}/escalate/", {"note": ["a"]}, 400, "note"),
    ("escalate body a list", "post", "/risks/{risk}/escalate/", "[]", 400, None),
    ("de-escalate a non-escalated risk", "post", "/risks/{risk}/de-escalate/", {}, 400, "escalated_at"),
    (
        "realise unknown reserve",
        "post",
        "/risks/{risk}/realise/",
        {"amount": "100", "reserve": "petty"},
        400,
        "reserve",
    ),
    ("realise reserve null", "post", "/risks/{risk}/realise/", {"amount": "100", "reserve": None}, 400, "reserve"),
    ("realise amount 0", "post", "/risks/{risk}/realise/", {"amount": "0", "reserve": "contingency"}, 400, "amount"),
    ("realise amount -0", "post", "/risks/{risk}/realise/", '{"amount": -0, "reserve": "contingency"}', 400, "amount"),
    (
        "realise amount negative",
        "post",
        "/risks/{risk}/realise/",
        {"amount": "-5", "reserve": "contingency"},
        400,
        "amount",
    ),
    (
        "realise more than remains",
        "post",
        "/risks/{risk}/realise/",
        {"amount": "10000.01", "reserve": "contingency"},
        400,
        "amount",
    ),
    (
        "realise from an empty reserve",
        "post",
        "/risks/{risk}/realise/",
        {"amount": "1", "reserve": "management"},
        400,
        "amount",
    ),
    (
        "realise amount NaN",
        "post",
        "/risks/{risk}/realise/",
        {"amount": "NaN", "reserve": "contingency"},
        400,
        "amount",
    ),
    (
        "realise amount 1e999",
        "post",
        "/risks/{risk}/realise/",
        '{"amount": 1e999, "reserve": "contingency"}',
        400,
        "amount",
    ),
    (
        "realise amount Infinity",
        "post",
        "/risks/{risk}/realise/",
        '{"amount": Infinity, "reserve": "contingency"}',
        400,
        None,
    ),
    (
        "realise amount huge",
        "post",
        "/risks/{risk}/realise/",
        {"amount": HUGE, "reserve": "contingency"},
        400,
        "amount",
    ),
    (
        "realise amount many decimals",
        "post",
        "/risks/{risk}/realise/",
        {"amount": "1.001", "reserve": "contingency"},
        400,
        "amount",
    ),
    (
        "realise amount string",
        "post",
        "/risks/{risk}/realise/",
        {"amount": "lots", "reserve": "contingency"},
        400,
        "amount",
    ),
    ("realise amount without reserve", "post", "/risks/{risk}/realise/", {"amount": "100"}, 400, "reserve"),
    ("realise reserve without amount", "post", "/risks/{risk}/realise/", {"reserve": "contingency"}, 400, "amount"),
    (
        "realise amount list",
        "post",
        "/risks/{risk}/realise/",
        {"amount": ["1"], "reserve": "contingency"},
        400,
        "amount",
    ),
    ("realise a closed risk", "post", "/risks/{closed}/realise/", {}, 400, "status"),
    ("realise body a list", "post", "/risks/{risk}/realise/", "[]", 400, None),
    ("realise not existing", "post", "/risks/999999/realise/", {}, 404, None),
    # -- mitigation actions -----------------------------------------------------------------------
    ("action risk 999999", "post", "/mitigation-actions/", {"risk": 999999, "title": "x"}, 400, "risk"),
    ("action risk missing", "post", "/mitigation-actions/", {"title": "x"}, 400, "risk"),
    ("action risk huge", "post", "/mitigation-actions/", f'{{"risk": {HUGE}, "title": "x"}}', 400, "risk"),
    ("action title null", "post", "/mitigation-actions/", lambda w: {"risk": w["risk"], "title": None}, 400, "title"),
    (
        "action cost NaN",
        "post",
        "/mitigation-actions/",
        lambda w: {"risk": w["risk"], "title": "x", "cost": "NaN"},
        400,
        "cost",
    ),
    (
        "action cost 1e999",
        "post",
        "/mitigation-actions/",
        '{"risk": %(risk)s, "title": "x", "cost": 1e999}',
        400,
        "cost",
    ),
    (
        "action cost negative",
        "post",
        "/mitigation-actions/",
        lambda w: {"risk": w["risk"], "title": "x", "cost": "-1"},
        400,
        "cost",
    ),
    (
        "action due 2026-13-45",
        "post",
        "/mitigation-actions/",
        lambda w: {"risk": w["risk"], "title": "x", "due_date": "2026-13-45"},
        400,
        "due_date",
    ),
    (
        "action status unknown",
        "post",
        "/mitigation-actions/",
        lambda w: {"risk": w["risk"], "title": "x", "status": "maybe"},
        400,
        "status",
    ),
    (
        "action completed in future",
        "post",
        "/mitigation-actions/",
        lambda w: {"risk": w["risk"], "title": "x", "status": "done", "completed_on": "2099-01-01"},
        400,
        "completed_on",
    ),
    (
        "action completed when not done",
        "post",
        "/mitigation-actions/",
        lambda w: {"risk": w["risk"], "title": "x", "completed_on": "2026-01-01"},
        400,
        "completed_on",
    ),
    (
        "action owner not a user",
        "post",
        "/mitigation-actions/",
        lambda w: {"risk": w["risk"], "title": "x", "owner": 999999},
        400,
        "owner",
    ),
    ("action patch cost Infinity", "patch", "/mitigation-actions/{action}/", '{"cost": Infinity}', 400, None),
    ("action patch moves risk", "patch", "/mitigation-actions/{action}/", lambda w: {"risk": w["closed"]}, 400, "risk"),
    # -- issues ----------------------------------------------------------------------------------
    ("issue title null", "post", "/issues/", lambda w: {"project": w["project"], "title": None}, 400, "title"),
    ("issue no scope", "post", "/issues/", {"title": "x"}, 400, "program"),
    (
        "issue hidden project",
        "post",
        "/issues/",
        lambda w: {"project": w["hidden_project"], "title": "x"},
        400,
        "project",
    ),
    (
        "issue severity unknown",
        "post",
        "/issues/",
        lambda w: {"project": w["project"], "title": "x", "severity": "meh"},
        400,
        "severity",
    ),
    (
        "issue due 2026-13-45",
        "post",
        "/issues/",
        lambda w: {"project": w["project"], "title": "x", "due_date": "2026-13-45"},
        400,
        "due_date",
    ),
    (
        "issue resolved without resolution",
        "post",
        "/issues/",
        lambda w: {"project": w["project"], "title": "x", "status": "resolved"},
        400,
        "resolution",
    ),
    (
        "issue resolved in future",
        "post",
        "/issues/",
        lambda w: {
            "project": w["project"],
            "title": "x",
            "status": "closed",
            "resolution": "ok",
            "resolved_on": "2099-01-01",
        },
        400,
        "resolved_on",
    ),
    (
        "issue owner huge",
        "post",
        "/issues/",
        lambda w: {"project": w["project"], "title": "x", "owner": int(HUGE)},
        400,
        "owner",
    ),
    ("issue patch status null", "patch", "/issues/{issue}/", {"status": None}, 400, "status"),
    (
        "issue patch resolved_on when open",
        "patch",
        "/issues/{issue}/",
        {"resolved_on": "2026-01-01"},
        400,
        "resolved_on",
    ),
    # -- list filters, pages, orderings -----------------------------------------------------------
    ("filter probability abc", "get", "/risks/?probability=abc", None, 400, "probability"),
    ("filter probability 9", "get", "/risks/?probability=9", None, 400, "probability"),
    ("filter impact 1e999", "get", "/risks/?impact=1e999", None, 400, "impact"),
    ("filter status unknown", "get", "/risks/?status=gone", None, 400, "status"),
    ("filter band list of junk", "get", "/risks/?band=low&band=purple", None, 400, "band"),
    ("filter program abc", "get", "/risks/?program=abc", None, 400, "program"),
    ("filter program huge", "get", f"/risks/?program={HUGE}", None, 400, "program"),
    ("filter program 1e999", "get", "/risks/?program=1e999", None, 400, "program"),
    ("filter program NaN", "get", "/risks/?program=NaN", None, 400, "program"),
    ("filter program 1.5", "get", "/risks/?program=1.5", None, 400, "program"),
    ("filter portfolio Infinity", "get", "/risks/?portfolio=Infinity", None, 400, "portfolio"),
    ("filter contract huge", "get", f"/risks/?contract={HUGE}", None, 400, "contract"),
    ("filter min_score NaN", "get", "/risks/?min_score=NaN", None, 400, "min_score"),
    ("filter min_score huge", "get", f"/risks/?min_score={HUGE}", None, 400, "min_score"),
    ("filter min_score 1e999", "get", "/risks/?min_score=1e999", None, 400, "min_score"),
    ("filter all maybe", "get", "/risks/?all=maybe", None, 400, "all"),
    ("actions filter overdue junk", "get", "/mitigation-actions/?overdue=perhaps", None, 400, "overdue"),
    ("issues filter from_risk junk", "get", "/issues/?from_risk=2x", None, 400, "from_risk"),
    ("filter project abc", "get", "/risks/?project=abc", None, 400, "project"),
    ("filter project huge", "get", f"/risks/?project={HUGE}", None, 400, "project"),
    ("filter owner not a user", "get", "/risks/?owner=999999", None, 400, "owner"),
    ("filter proximity 2026-13-45", "get", "/risks/?proximity_before=2026-13-45", None, 400, "proximity_before"),
    ("filter escalated maybe", "get", "/risks/?escalated=maybe", None, 400, "escalated"),
    ("actions filter risk huge", "get", f"/mitigation-actions/?risk={HUGE}", None, 400, "risk"),
    ("actions filter due 2026-13-45", "get", "/mitigation-actions/?due_before=2026-13-45", None, 400, "due_before"),
    ("issues filter severity unknown", "get", "/issues/?severity=meh", None, 400, "severity"),
    ("issues filter risk abc", "get", "/issues/?risk=abc", None, 400, "risk"),
    ("history filter after bad", "get", "/risk-history/?after=2026-13-45T00:00", None, 400, "after"),
    ("history filter risk huge", "get", f"/risk-history/?risk={HUGE}", None, 400, "risk"),
    ("search with a null character", "get", "/risks/?search=%00", None, 400, None),
    ("page past the end", "get", "/risks/?page=999999", None, 404, None),
    ("page abc", "get", "/risks/?page=abc", None, 404, None),
    ("page huge", "get", f"/risks/?page={HUGE}", None, 404, None),
    ("retrieve huge id", "get", f"/risks/{HUGE}/", None, 404, None),
    ("issue retrieve huge id", "get", f"/issues/{HUGE}/", None, 404, None),
    # -- heat map and exposure ---------------------------------------------------------------------
    ("heat map no scope", "get", "/risks/heat-map/", None, 400, "project"),
    ("heat map two scopes", "get", "/risks/heat-map/?project={project}&program={program}", None, 400, "project"),
    (
        "heat map three scopes",
        "get",
        "/risks/heat-map/?project={project}&program={program}&portfolio={portfolio}",
        None,
        400,
        "project",
    ),
    ("heat map hidden program", "get", "/risks/heat-map/?program={hidden_program}", None, 404, None),
    ("heat map missing program", "get", "/risks/heat-map/?program=999999", None, 404, None),
    ("heat map program abc", "get", "/risks/heat-map/?program=abc", None, 400, "program"),
    ("heat map program huge", "get", f"/risks/heat-map/?program={HUGE}", None, 400, "program"),
    ("heat map program 1e999", "get", "/risks/heat-map/?program=1e999", None, 400, "program"),
    ("heat map program -0", "get", "/risks/heat-map/?program=-0", None, 400, "program"),
    ("heat map program empty", "get", "/risks/heat-map/?program=", None, 400, "project"),
    ("heat map residual maybe", "get", "/risks/heat-map/?program={program}&residual=maybe", None, 400, "residual"),
    ("exposure no scope", "get", "/risks/exposure/", None, 400, "project"),
    ("exposure two scopes", "get", "/risks/exposure/?program={program}&portfolio={portfolio}", None, 400, "project"),
    ("exposure hidden project", "get", "/risks/exposure/?project={hidden_project}", None, 404, None),
    (
        "exposure program seen through a project",
        "get",
        "/risks/exposure/?program={far_project_program}",
        None,
        403,
        None,
    ),
    ("exposure portfolio huge", "get", f"/risks/exposure/?portfolio={HUGE}", None, 400, "portfolio"),
    ("exposure portfolio NaN", "get", "/risks/exposure/?portfolio=NaN", None, 400, "portfolio"),
]


def _send(client, method, path, body, headers=None):
    headers = headers or {}
    if body is None:
        return getattr(client, method)(path, **headers)
    if isinstance(body, str):
        return getattr(client, method)(path, data=body, content_type="application/json", **headers)
    return getattr(client, method)(path, body, format="json", **headers)


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "status", "field"), API_CASES, ids=[case[0] for case in API_CASES]
)
def test_api_bad_input_is_a_4xx_naming_the_field_and_writes_nothing(
    api_for, owner, world, name, method, path, body, status, field
):
    ids = {**world, "far_project_program": Program.objects.get(code="FAR").pk}
    if callable(body):
        body = body(ids)
    elif isinstance(body, str):
        body = body % ids if "%(" in body else body
    elif isinstance(body, dict):
        body = dict(body.items())
    before = snapshot()
    response = _send(api_for(owner), method, API + path.format(**ids), body)
    assert response.status_code == status, (name, response.status_code, response.content[:400])
    if field is not None:
        assert field in fields_named(response), (name, response.json())
        assert all(e["message"] for e in response.json()["errors"])
    assert snapshot() == before, name


# -- unknown orderings: a clean result, as DRF gives; unknown filters: 400 naming them ----------


@pytest.mark.parametrize("query", ["?ordering=nonexistent", "?ordering=-password", "?ordering=", "?q=" + "x" * 5000])
def test_unknown_orderings_and_long_searches_give_a_clean_list(api_for, owner, world, query):
    for resource in ("risks", "issues", "mitigation-actions"):
        response = api_for(owner).get(f"{API}/{resource}/{query}")
        assert response.status_code == 200, (resource, query)
        assert isinstance(response.json()["results"], list)


def test_unknown_filters_are_refused_naming_them(api_for, owner, world):
    for resource in ("risks", "issues", "mitigation-actions", "risk-history"):
        response = api_for(owner).get(f"{API}/{resource}/?colour=red")
        assert response.status_code == 400, resource
        assert fields_named(response) == {"colour"}


# -- ETags -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/risks/{risk}/", {"title": "Renamed"}),
        ("post", "/risks/{risk}/escalate/", {}),
        ("post", "/risks/{risk}/realise/", {"amount": "100", "reserve": "contingency"}),
        ("patch", "/issues/{issue}/", {"title": "Renamed"}),
        ("patch", "/mitigation-actions/{action}/", {"cost": "1"}),
        ("delete", "/risks/{risk}/", None),
    ],
)
@pytest.mark.parametrize("etag", ['"99"', '"abc"', "W/", '"1e999"', f'"{HUGE}"'])
def test_stale_or_garbled_if_match_is_412_and_writes_nothing(api_for, owner, world, method, path, body, etag):
    before = snapshot()
    response = _send(api_for(owner), method, API + path.format(**world), body, {"HTTP_IF_MATCH": etag})
    assert response.status_code == 412, (path, etag, response.content[:300])
    assert snapshot() == before


# -- HTML forms --------------------------------------------------------------------------------


def risk_form(**extra) -> dict:
    return {
        "title": "New",
        "category": "technical",
        "probability": "3",
        "impact": "3",
        "cost_impact": "0",
        "schedule_impact_days": "0",
        "response": "mitigate",
        "status": "open",
        **extra,
    }


# (name, url name, url arg key, form data, field named in the form's errors)
FORM_CASES = [
    ("risk probability abc", "risks:risk-create-project", "MOD-ERP", risk_form(probability="abc"), "probability"),
    ("risk probability 9", "risks:risk-create-project", "MOD-ERP", risk_form(probability="9"), "probability"),
    (
        "risk percent NaN",
        "risks:risk-create-project",
        "MOD-ERP",
        risk_form(probability_percent="NaN"),
        "probability_percent",
    ),
    (
        "risk percent Infinity",
        "risks:risk-create-project",
        "MOD-ERP",
        risk_form(probability_percent="Infinity"),
        "probability_percent",
    ),
    (
        "risk percent 1e999",
        "risks:risk-create-project",
        "MOD-ERP",
        risk_form(probability_percent="1e999"),
        "probability_percent",
    ),
    (
        "risk percent many decimals",
        "risks:risk-create-project",
        "MOD-ERP",
        risk_form(probability_percent="12.3456"),
        "probability_percent",
    ),
    (
        "risk percent disagrees",
        "risks:risk-create-project",
        "MOD-ERP",
        risk_form(probability="1", probability_percent="90"),
        "probability_percent",
    ),
    ("risk cost 1e999", "risks:risk-create-project", "MOD-ERP", risk_form(cost_impact="1e999"), "cost_impact"),
    ("risk cost NaN", "risks:risk-create-project", "MOD-ERP", risk_form(cost_impact="NaN"), "cost_impact"),
    ("risk cost -0.01", "risks:risk-create-project", "MOD-ERP", risk_form(cost_impact="-0.01"), "cost_impact"),
    ("risk cost huge", "risks:risk-create-project", "MOD-ERP", risk_form(cost_impact=HUGE), "cost_impact"),
    (
        "risk days huge",
        "risks:risk-create-project",
        "MOD-ERP",
        risk_form(schedule_impact_days=HUGE),
        "schedule_impact_days",
    ),
    (
        "risk days -1",
        "risks:risk-create-project",
        "MOD-ERP",
        risk_form(schedule_impact_days="-1"),
        "schedule_impact_days",
    ),
    (
        "risk days empty",
        "risks:risk-create-project",
        "MOD-ERP",
        risk_form(schedule_impact_days=""),
        "schedule_impact_days",
    ),
    ("risk title empty", "risks:risk-create-project", "MOD-ERP", risk_form(title=""), "title"),
    ("risk category unknown", "risks:risk-create-project", "MOD-ERP", risk_form(category="weather"), "category"),
    ("risk status realised", "risks:risk-create-project", "MOD-ERP", risk_form(status="realised"), "status"),
    (
        "risk date 2026-13-45",
        "risks:risk-create-project",
        "MOD-ERP",
        risk_form(proximity_date="2026-13-45"),
        "proximity_date",
    ),
    ("risk owner not a user", "risks:risk-create-project", "MOD-ERP", risk_form(owner="999999"), "owner"),
    ("risk owner huge", "risks:risk-create-project", "MOD-ERP", risk_form(owner=HUGE), "owner"),
    ("risk owner abc", "risks:risk-create-project", "MOD-ERP", risk_form(owner="abc"), "owner"),
    ("risk contract 999999", "risks:risk-create-project", "MOD-ERP", risk_form(contract="999999"), "contract"),
    ("risk contract huge", "risks:risk-create-project", "MOD-ERP", risk_form(contract=HUGE), "contract"),
    ("risk task huge", "risks:risk-create-project", "MOD-ERP", risk_form(tasks=HUGE), "tasks"),
    (
        "risk residual above",
        "risks:risk-create-program",
        "MOD",
        risk_form(residual_probability="5", residual_impact="1"),
        "residual_probability",
    ),
    (
        "issue title empty",
        "risks:issue-create-project",
        "MOD-ERP",
        {"title": "", "severity": "low", "status": "open"},
        "title",
    ),
    (
        "issue due 2026-13-45",
        "risks:issue-create-program",
        "MOD",
        {"title": "x", "severity": "low", "status": "open", "due_date": "2026-13-45"},
        "due_date",
    ),
    (
        "issue resolved without resolution",
        "risks:issue-create-program",
        "MOD",
        {"title": "x", "severity": "low", "status": "resolved"},
        "resolution",
    ),
    (
        "issue owner huge",
        "risks:issue-create-program",
        "MOD",
        {"title": "x", "severity": "low", "status": "open", "owner": HUGE},
        "owner",
    ),
]


@pytest.mark.parametrize(("name", "url_name", "arg", "data", "field"), FORM_CASES, ids=[c[0] for c in FORM_CASES])
def test_form_bad_input_is_a_400_with_the_field_error_and_writes_nothing(
    client_for, owner, world, name, url_name, arg, data, field
):
    before = snapshot()
    response = client_for(owner).post(reverse(url_name, args=[arg]), data)
    assert response.status_code == 400, (name, response.status_code)
    assert field in response.context["form"].errors, (name, response.context["form"].errors)
    assert snapshot() == before


RISK_PAGE_CASES = [
    # (name, url name, pk key, data, field named)
    ("realise unknown reserve", "risks:risk-realise", "risk", {"reserve": "petty", "amount": "1"}, "reserve"),
    ("realise amount 0", "risks:risk-realise", "risk", {"reserve": "contingency", "amount": "0"}, "amount"),
    ("realise amount negative", "risks:risk-realise", "risk", {"reserve": "contingency", "amount": "-1"}, "amount"),
    ("realise amount NaN", "risks:risk-realise", "risk", {"reserve": "contingency", "amount": "NaN"}, "amount"),
    ("realise amount 1e999", "risks:risk-realise", "risk", {"reserve": "contingency", "amount": "1e999"}, "amount"),
    (
        "realise more than remains",
        "risks:risk-realise",
        "risk",
        {"reserve": "contingency", "amount": "10000.01"},
        "amount",
    ),
    ("realise amount without reserve", "risks:risk-realise", "risk", {"amount": "5"}, "reserve"),
    ("realise a closed risk", "risks:risk-realise", "closed", {}, "__all__"),
    ("escalate a closed risk", "risks:risk-escalate", "closed", {}, "__all__"),
    ("escalate twice", "risks:risk-escalate", "escalated", {}, "__all__"),
    ("edit with a stale version", "risks:risk-edit", "risk", risk_form(version="99"), "__all__"),
    ("edit version abc", "risks:risk-edit", "risk", risk_form(version="abc"), "version"),
    ("edit version huge", "risks:risk-edit", "risk", risk_form(version=HUGE), "__all__"),
    (
        "issue edit stale",
        "risks:issue-edit",
        "issue",
        {"title": "x", "severity": "low", "status": "open", "version": "99"},
        "__all__",
    ),
]


@pytest.mark.parametrize(
    ("name", "url_name", "key", "data", "field"), RISK_PAGE_CASES, ids=[c[0] for c in RISK_PAGE_CASES]
)
def test_risk_page_forms_refuse_bad_input_with_400_and_write_nothing(
    client_for, owner, world, name, url_name, key, data, field
):
    before = snapshot()
    response = client_for(owner).post(reverse(url_name, args=[world[key]]), data)
    assert response.status_code == 400, (name, response.status_code)
    forms = [f for f in (response.context.get(k) for k in ("form", "realise_form", "escalate_form")) if f is not None]
    assert any(field in f.errors for f in forms), (name, [f.errors for f in forms])
    assert snapshot() == before


def test_deescalating_a_risk_that_is_not_escalated_is_a_400_that_writes_nothing(client_for, owner, world):
    before = snapshot()
    response = client_for(owner).post(reverse("risks:risk-deescalate", args=[world["risk"]]))
    assert response.status_code == 400
    assert snapshot() == before


def test_action_forms_refuse_bad_numbers_and_dates(client_for, owner, world):
    client = client_for(owner)
    url = reverse("risks:mitigation-add", args=[world["risk"]])
    for data, field in (
        ({"title": "x", "status": "planned", "cost": "Infinity"}, "cost"),
        ({"title": "x", "status": "planned", "cost": "1e999"}, "cost"),
        ({"title": "x", "status": "planned", "cost": "0", "due_date": "2026-13-45"}, "due_date"),
        ({"title": "x", "status": "done", "cost": "0", "completed_on": "2099-01-01"}, "completed_on"),
        ({"title": "", "status": "planned", "cost": "0"}, "title"),
    ):
        before = snapshot()
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert field in response.context["action_form"].errors, (data, response.context["action_form"].errors)
        assert snapshot() == before


# -- HTML lists: bad filters name the field and list nothing; unknown sorts and pages are clean --

LIST_PAGES = [
    reverse("risks:project-register", args=["MOD-ERP"]),
    reverse("risks:program-register", args=["MOD"]),
    reverse("risks:issue-list-project", args=["MOD-ERP"]),
    reverse("risks:issue-list-program", args=["MOD"]),
]


@pytest.mark.parametrize("url", LIST_PAGES)
@pytest.mark.parametrize(
    ("query", "field"),
    [("?status=gone", "status"), ("?owner=999999", "owner"), (f"?owner={HUGE}", "owner"), ("?project=abc", "project")],
)
def test_list_pages_name_a_bad_filter_and_list_nothing(client_for, owner, world, url, query, field):
    response = client_for(owner).get(url + query)
    if "/projects/" in url and field == "project":
        # The project is in the path: the page offers no project filter, so the value is ignored.
        assert response.status_code == 200
        assert list(response.context["page"].object_list)
        return
    assert response.status_code == 400, (url, query)
    assert field in response.context["filter"].errors
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("url", LIST_PAGES[:2])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?probability=abc", "probability"),
        ("?impact=1e999", "impact"),
        ("?proximity_after=2026-13-45", "proximity_after"),
        ("?escalated=maybe", "escalated"),
    ],
)
def test_registers_name_a_bad_level_or_date(client_for, owner, world, url, query, field):
    response = client_for(owner).get(url + query)
    assert response.status_code == 400
    assert field in response.context["filter"].errors


@pytest.mark.parametrize(
    "url", [*LIST_PAGES, reverse("risks:portfolio-risks", args=["CORP"]) + "?probability=3&impact=3&"]
)
@pytest.mark.parametrize("query", ["page=999999", "page=abc", f"page={HUGE}", "sort=nonexistent", "sort=-"])
def test_list_pages_take_unknown_pages_and_sorts_cleanly(client_for, owner, world, url, query):
    joiner = "" if url.endswith("&") else "?"
    response = client_for(owner).get(url + joiner + query)
    assert response.status_code == 200, (url, query)


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_pages_refuse_a_parameter_they_do_not_read_naming_it(client_for, owner, world, url):
    response = client_for(owner).get(url + "?colour=red")
    assert response.status_code == 400, url
    assert "“colour”" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["?probability=abc&impact=3", "?probability=3&impact=Infinity", "?probability=-0&impact=3"]
)
def test_portfolio_cell_names_a_bad_level(client_for, owner, world, query):
    response = client_for(owner).get(reverse("risks:portfolio-risks", args=["CORP"]) + query)
    assert response.status_code == 400
    assert response.context["cell_errors"]
    assert "page" not in response.context


@pytest.mark.parametrize(
    "url",
    [
        reverse("risks:risk-detail", args=[int(HUGE)]),
        reverse("risks:issue-detail", args=[int(HUGE)]),
        reverse("risks:risk-edit", args=[int(HUGE)]),
        reverse("risks:issue-edit", args=[int(HUGE)]),
        reverse("risks:risk-realise", args=[int(HUGE)]),
    ],
)
def test_huge_ids_in_paths_are_404(client_for, owner, world, url):
    assert client_for(owner).get(url).status_code == 404


def test_unknown_json_keys_are_ignored_not_written(api_for, owner, world):
    response = api_for(owner).post(
        f"{API}/risks/", {**risk_body(world), "number": 777, "score": 25, "id": 5}, format="json"
    )
    assert response.status_code == 201
    risk = Risk.objects.get(pk=response.json()["id"])
    assert risk.number != 777
    assert risk.score == 9


def test_raw_json_helper_is_valid_for_the_good_case(api_for, owner, world):
    """The raw bodies above fail for the value under test, not for broken JSON."""
    body = raw_risk('"probability": 3') % world
    assert json.loads(body)["probability"] == 3
    assert api_for(owner).post(f"{API}/risks/", data=body, content_type="application/json").status_code == 201
