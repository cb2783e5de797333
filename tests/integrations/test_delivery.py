"""Webhook delivery in this process (tasks eager): signatures, each domain event reaching a real
local HTTP receiver, retries with exponential backoff, giving up, SSRF refusals, rotation.
The same through a real Celery worker: test_worker.py."""

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import events
from governance import services as governance
from integrations import services, signing, transport
from integrations.models import WebhookDelivery
from portfolio.models import Membership
from projects.services import status_report_submit
from reporting.models import ProjectRollup
from reporting.services.alerts import alerts_evaluate
from reporting.services.rollups import project_rollup_recompute
from risks.services import risk_create, risk_update
from tests.factories.budgets import CurrencyFactory
from tests.factories.integrations import WebhookSubscriptionFactory
from tests.factories.portfolio import MembershipFactory, ProgramFactory
from tests.factories.projects import TaskFactory
from tests.factories.reporting import ProjectRollupFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db
ALL = list(events.KINDS)


@pytest.fixture
def hook(portfolio, webhook_receiver):
    """A portfolio subscription to every event, pointed at the local receiver."""
    admin = UserFactory(username="padmin")
    MembershipFactory(user=admin, role=Membership.Role.PORTFOLIO_ADMIN, portfolio=portfolio)
    subscription, secret = services.webhook_create(
        actor=admin, portfolio=portfolio, name="Ops", url=webhook_receiver.url, events=ALL
    )
    subscription.plain_secret = secret
    return subscription


def _received(receiver, kind):
    return [r for r in receiver.requests if r["headers"].get("Keel-Event") == kind]


def _body(request) -> dict:
    return json.loads(request["body"])


# -- signatures --------------------------------------------------------------------------------


def test_test_delivery_is_signed_over_timestamp_and_body(
    hook, webhook_receiver, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.webhook_send_test(actor=owner, subscription=hook)

    [request] = webhook_receiver.requests
    header = request["headers"][signing.HEADER]
    now = int(time.time())
    assert signing.verify(secret=hook.plain_secret, header=header, body=request["body"], now=now)
    tampered = request["body"].replace(b"A test", b"A fake")
    assert not signing.verify(secret=hook.plain_secret, header=header, body=tampered, now=now)
    assert not signing.verify(secret="whsec_wrong", header=header, body=request["body"], now=now)
    assert not signing.verify(secret=hook.plain_secret, header=header, body=request["body"], now=now + 3600)
    body = _body(request)
    assert body["type"] == "webhook.test"
    assert body["id"] == str(delivery.event_id)
    assert request["headers"]["Keel-Delivery"] == str(delivery.event_id)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code == 200
    assert attempt.response_excerpt == "answer 200"
    assert "v1=…" in attempt.request_headers[signing.HEADER]  # the log keeps no usable signature


def test_readme_snippet_verifies_a_delivery(hook, webhook_receiver, owner, django_capture_on_commit_callbacks):
    """The verification snippet in the README, run as it is against a real request."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Webhooks") :]
    snippet = section[
        section.index("```python") + len("```python") : section.index("```", section.index("```python") + 9)
    ]
    assert len([line for line in snippet.splitlines() if line.strip()]) == 5  # ruff may add blank lines
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 - the README's own code
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_send_test(actor=owner, subscription=hook)
    [request] = webhook_receiver.requests
    header, body = request["headers"]["Keel-Signature"], request["body"]

    assert namespace["verify"](hook.plain_secret, header, body)
    assert not namespace["verify"](hook.plain_secret, header, body + b" ")
    assert not namespace["verify"]("whsec_other", header, body)


# -- each event, from the domain services ------------------------------------------------------


def test_status_report_submitted_is_delivered(
    hook, webhook_receiver, project, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        status_report_submit(
            actor=owner,
            project=project,
            period_end=dt.date(2026, 11, 30),
            overall_rag="amber",
            schedule_rag="amber",
            cost_rag="green",
            scope_rag="green",
            risk_rag="red",
            percent_complete=Decimal("55"),
            summary="Data migration slipped a week.",
        )
    [request] = _received(webhook_receiver, events.STATUS_REPORT_SUBMITTED)
    body = _body(request)
    assert body["data"]["project"]["code"] == "MOD-ERP"
    assert body["data"]["status_report"]["overall_rag"] == "amber"
    assert body["program_id"] == project.program_id
    assert body["portfolio_id"] == project.program.portfolio_id


def test_risk_becoming_critical_is_delivered_once(
    hook, webhook_receiver, project, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        risk = risk_create(
            actor=owner, project=project, title="Vendor insolvency", category="technical", probability=4, impact=4
        )
    assert _received(webhook_receiver, events.RISK_BECAME_CRITICAL) == []  # 16: high
    with django_capture_on_commit_callbacks(execute=True):
        risk = risk_update(actor=owner, risk=risk, data={"impact": 5})  # 20: critical
    with django_capture_on_commit_callbacks(execute=True):
        risk_update(actor=owner, risk=risk, data={"title": "Vendor insolvency (confirmed)"})  # still critical
    [request] = _received(webhook_receiver, events.RISK_BECAME_CRITICAL)
    assert _body(request)["data"]["risk"]["score"] == 20


def test_change_request_decided_is_delivered(
    hook, webhook_receiver, project, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cr = governance.change_request_create(actor=owner, project=project, title="Extra", currency=CurrencyFactory())
        cr = governance.change_request_submit(actor=owner, change_request=cr)
        governance.change_request_reject(actor=owner, change_request=cr, notes="Not now")
    [request] = _received(webhook_receiver, events.CHANGE_REQUEST_DECIDED)
    data = _body(request)["data"]["change_request"]
    assert (data["reference"], data["status"], data["decision_notes"]) == ("CR-001", "rejected", "Not now")


def test_health_change_is_delivered(hook, webhook_receiver, project, django_capture_on_commit_callbacks):
    ProjectRollupFactory(project=project, health_overall="red", computed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        project_rollup_recompute(project_id=project.pk, force=True, propagate=False)
    after = ProjectRollup.objects.get(project=project).health_overall
    assert after
    assert after != "red"
    [request] = _received(webhook_receiver, events.HEALTH_CHANGED)
    assert _body(request)["data"]["health"] == {"before": "red", "after": after}


def test_first_computation_is_not_a_health_change(hook, webhook_receiver, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        project_rollup_recompute(project_id=project.pk, force=True, propagate=False)
    assert _received(webhook_receiver, events.HEALTH_CHANGED) == []


def test_threshold_breached_and_milestone_slipped_are_delivered_once(
    hook, webhook_receiver, project, project_manager, django_capture_on_commit_callbacks
):
    from projects.models import Baseline, BaselineTask

    project.manager = project_manager
    project.save(update_fields=["manager"])
    ProjectRollupFactory(project=project, cpi=Decimal("0.8500"), computed_at=timezone.now())
    base = timezone.make_aware(dt.datetime(2026, 6, 1, 17))
    milestone = TaskFactory(project=project, name="Go-live", is_milestone=True, duration_minutes=0)
    baseline = Baseline.objects.create(project=project, number=0)
    BaselineTask.objects.create(baseline=baseline, task=milestone, finish=base)
    type(milestone).objects.filter(pk=milestone.pk).update(finish=base + dt.timedelta(days=9))

    with django_capture_on_commit_callbacks(execute=True):
        alerts_evaluate()
    with django_capture_on_commit_callbacks(execute=True):
        alerts_evaluate()  # still holding: not announced again

    [breach] = _received(webhook_receiver, events.THRESHOLD_BREACHED)
    assert _body(breach)["data"]["threshold"] == {"metric": "cpi", "value": "0.8500", "limit": "0.90"}
    [slip] = _received(webhook_receiver, events.MILESTONE_SLIPPED)
    assert _body(slip)["data"]["milestone"]["days_late"] == 9


def test_only_matching_scopes_and_kinds_are_delivered(portfolio, program, project, owner, webhook_receiver):
    other_program = ProgramFactory(portfolio=portfolio, code="OTH")
    mine = WebhookSubscriptionFactory(portfolio=None, program=program, url=webhook_receiver.url, events=ALL)
    sibling = WebhookSubscriptionFactory(portfolio=None, program=other_program, url=webhook_receiver.url, events=ALL)
    whole = WebhookSubscriptionFactory(portfolio=portfolio, url=webhook_receiver.url, events=ALL)
    other_kind = WebhookSubscriptionFactory(
        portfolio=portfolio, url=webhook_receiver.url, events=[events.HEALTH_CHANGED]
    )
    paused = WebhookSubscriptionFactory(portfolio=portfolio, url=webhook_receiver.url, events=ALL, is_active=False)
    event = events.Event(events.RISK_BECAME_CRITICAL, portfolio.pk, program.pk, {}, timezone.now())

    found = {s.pk for s in services.subscriptions_for(event)}

    assert found == {mine.pk, whole.pk}
    assert not found & {sibling.pk, other_kind.pk, paused.pk}


# -- retries, backoff, giving up ---------------------------------------------------------------


def _due(delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def test_retries_with_exponential_backoff_then_succeeds(hook, webhook_receiver, owner, settings):
    settings.KEEL_WEBHOOK_BACKOFF_SECONDS = 30
    webhook_receiver.statuses = [500, 503, 200]
    delivery = services.webhook_send_test(actor=owner, subscription=hook)

    waits = []
    for _ in range(3):
        status = services.delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        if status == WebhookDelivery.Status.RETRYING:
            last = delivery.attempt_log.order_by("-number").first()
            waits.append(round((delivery.next_attempt_at - last.at).total_seconds()))
            # a duplicate message before the next attempt is due does nothing
            assert services.delivery_attempt(delivery_id=delivery.pk) == "skipped"
            _due(delivery)

    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    assert [a.error for a in delivery.attempt_log.all()] == ["HTTP 500", "HTTP 503", ""]
    assert len(webhook_receiver.requests) == 3
    assert {r["headers"]["Keel-Delivery"] for r in webhook_receiver.requests} == {str(delivery.event_id)}
    # 30 s, then 60 s (measured from the attempt, which takes a few milliseconds)
    assert [w in (30, 31) for w in waits[:1]] == [True]
    assert waits[1] in (60, 61)
    assert services.backoff_seconds(3) == 120
    assert services.delivery_attempt(delivery_id=delivery.pk) == "skipped"  # done: never re-sent


def test_gives_up_after_max_attempts_and_marks_failed(hook, webhook_receiver, owner, settings):
    settings.KEEL_WEBHOOK_MAX_ATTEMPTS = 3
    webhook_receiver.statuses = [500]
    delivery = services.webhook_send_test(actor=owner, subscription=hook)
    statuses = []
    for _ in range(4):
        statuses.append(services.delivery_attempt(delivery_id=delivery.pk))
        if statuses[-1] == "retrying":
            _due(delivery)

    assert statuses == ["retrying", "retrying", "failed", "skipped"]
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert delivery.finished_at is not None
    assert delivery.next_attempt_at is None
    assert len(webhook_receiver.requests) == 3


def test_a_redirect_is_not_followed(hook, webhook_receiver, owner):
    webhook_receiver.statuses = [302]
    delivery = services.webhook_send_test(actor=owner, subscription=hook)
    assert services.delivery_attempt(delivery_id=delivery.pk) == "retrying"
    assert len(webhook_receiver.requests) == 1


def test_an_unreachable_receiver_is_a_logged_failed_attempt(hook, owner, settings):
    settings.KEEL_WEBHOOK_TIMEOUT_SECONDS = 2
    hook.url = "http://127.0.0.1:9/closed"  # discard port: refused
    hook.save()
    delivery = services.webhook_send_test(actor=owner, subscription=hook)
    assert services.delivery_attempt(delivery_id=delivery.pk) == "retrying"
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert "Connection" in attempt.error


def test_sweep_re_enqueues_only_overdue_deliveries(hook, owner):
    overdue = services.webhook_send_test(actor=owner, subscription=hook)
    fresh = services.webhook_send_test(actor=owner, subscription=hook)
    WebhookDelivery.objects.filter(pk=overdue.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    assert services.deliveries_sweep() == 1
    assert fresh.pk != overdue.pk


# -- SSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_private_and_loopback_targets_are_refused(url, portfolio, owner, settings):
    settings.KEEL_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(actor=owner, portfolio=portfolio, name="x", url=url, events=ALL)
    assert "public addresses only" in refused.value.message_dict["url"][0]


def test_plain_http_needs_debug_or_the_setting(portfolio, owner, settings):
    settings.KEEL_WEBHOOK_ALLOW_PRIVATE = False
    settings.DEBUG = False
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(actor=owner, portfolio=portfolio, name="x", url="http://example.com/h", events=ALL)
    assert refused.value.message_dict["url"] == [transport.HTTPS_REQUIRED]


def test_a_target_that_turned_private_is_not_called_at_delivery(portfolio, owner, settings, webhook_receiver):
    hook = WebhookSubscriptionFactory(portfolio=portfolio, url=webhook_receiver.url, events=ALL)
    settings.KEEL_WEBHOOK_ALLOW_PRIVATE = False
    settings.DEBUG = True  # plain http allowed: only the address is refused
    delivery = services.webhook_send_test(actor=owner, subscription=hook)
    services.delivery_attempt(delivery_id=delivery.pk)
    [attempt] = delivery.attempt_log.all()
    assert "public addresses only" in attempt.error
    assert webhook_receiver.requests == []


def test_events_must_be_known_and_chosen(portfolio, owner, webhook_receiver):
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(actor=owner, portfolio=portfolio, name="x", url=webhook_receiver.url, events=[])
    assert refused.value.message_dict["events"] == [services.NO_EVENTS]
    with pytest.raises(ValidationError):
        services.webhook_create(actor=owner, portfolio=portfolio, name="x", url=webhook_receiver.url, events=["nope"])


# -- secret rotation ---------------------------------------------------------------------------


def test_rotation_signs_with_both_secrets_during_the_grace_period(hook, webhook_receiver, owner, settings):
    settings.KEEL_WEBHOOK_SECRET_GRACE_HOURS = 24
    old = hook.plain_secret
    hook, new = services.webhook_secret_rotate(actor=owner, subscription=hook)
    assert new != old
    assert hook.secret_prefix == new[6:14]

    delivery = services.webhook_send_test(actor=owner, subscription=hook)
    services.delivery_attempt(delivery_id=delivery.pk)
    request = webhook_receiver.requests[-1]
    header, now = request["headers"][signing.HEADER], int(time.time())
    assert header.count("v1=") == 2
    assert signing.verify(secret=new, header=header, body=request["body"], now=now)
    assert signing.verify(secret=old, header=header, body=request["body"], now=now)

    type(hook).objects.filter(pk=hook.pk).update(previous_secret_expires_at=timezone.now() - dt.timedelta(seconds=1))
    delivery = services.webhook_send_test(actor=owner, subscription=hook)
    services.delivery_attempt(delivery_id=delivery.pk)
    request = webhook_receiver.requests[-1]
    header = request["headers"][signing.HEADER]
    assert header.count("v1=") == 1
    assert not signing.verify(secret=old, header=header, body=request["body"], now=now)


def test_changes_are_audited_without_the_secret(hook, owner):
    from core.models import AuditEntry

    services.webhook_secret_rotate(actor=owner, subscription=hook)
    entries = AuditEntry.objects.filter(object_type="integrations.webhooksubscription", object_id=str(hook.pk))
    assert [e.action for e in entries.order_by("pk")] == ["create", "update"]
    assert all(hook.plain_secret not in json.dumps(e.changes) for e in entries)
    assert entries.first().portfolio_id == hook.portfolio_id
