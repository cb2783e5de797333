"""Webhooks through a real Celery worker (its own redis-server and prefork worker on this test's
database, tests/conftest.py `start_worker`): each of the six domain events reaches a real local
HTTP receiver, signed; a 500 is retried with backoff by the worker until it succeeds. Waiting
uses deadlines, never timing assertions."""

import datetime as dt
import itertools
import json
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from core import events
from governance import services as governance
from integrations import services, signing
from integrations.models import WebhookDelivery
from projects.models import Baseline, BaselineTask
from projects.services import status_report_submit
from reporting.services.alerts import alerts_evaluate
from reporting.services.rollups import project_rollup_recompute
from risks.services import risk_create
from tests.factories.budgets import CurrencyFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.reporting import ProjectRollupFactory

pytestmark = [
    pytest.mark.postgres,  # the worker subprocess must share the test's database
    pytest.mark.redis_server,
    pytest.mark.django_db(transaction=True),
]

DEADLINE = 60  # seconds we wait for the worker to finish the deliveries
WORKER_ENV = {"KEEL_WEBHOOK_ALLOW_PRIVATE": "1", "KEEL_WEBHOOK_BACKOFF_SECONDS": "1"}


def _wait_until_done(worker, count: int):
    deadline = time.monotonic() + DEADLINE
    while True:
        deliveries = list(WebhookDelivery.objects.all())
        if len(deliveries) >= count and all(d.status in WebhookDelivery.DONE for d in deliveries):
            return deliveries
        if time.monotonic() > deadline:
            pytest.fail(f"deliveries not done: {[(d.event, d.status) for d in deliveries]}\n{worker.log()[-3000:]}")
        time.sleep(0.2)


def test_each_of_the_six_events_reaches_the_receiver_through_the_worker(
    start_worker, webhook_receiver, portfolio, program, project, owner, project_manager
):
    worker = start_worker(env=WORKER_ENV)
    worker.wait_ready()
    _hook, secret = services.webhook_create(
        actor=owner, program=program, name="Ops", url=webhook_receiver.url, events=list(events.KINDS)
    )

    # health changed: a computed red that recomputes to something else
    ProjectRollupFactory(project=project, health_overall="red", computed_at=timezone.now())
    project_rollup_recompute(project_id=project.pk, force=True, propagate=False)
    # status report submitted
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
    # risk became critical
    risk_create(actor=owner, project=project, title="Vendor insolvency", category="technical", probability=5, impact=5)
    # change request decided
    cr = governance.change_request_create(actor=owner, project=project, title="Extra", currency=CurrencyFactory())
    cr = governance.change_request_submit(actor=owner, change_request=cr)
    governance.change_request_reject(actor=owner, change_request=cr, notes="Not now")
    # threshold breached and milestone slipped: the alert pass over another project's roll-up
    other = ProjectFactory(program=program, code="MOD-CRM", manager=project_manager)
    ProjectRollupFactory(project=other, cpi=Decimal("0.8000"), computed_at=timezone.now())
    base = timezone.make_aware(dt.datetime(2026, 6, 1, 17))
    milestone = TaskFactory(project=other, name="Go-live", is_milestone=True, duration_minutes=0)
    baseline = Baseline.objects.create(project=other, number=0)
    BaselineTask.objects.create(baseline=baseline, task=milestone, finish=base)
    type(milestone).objects.filter(pk=milestone.pk).update(finish=base + dt.timedelta(days=9))
    alerts_evaluate()

    deliveries = _wait_until_done(worker, count=6)

    assert {d.event for d in deliveries} >= set(events.KINDS)
    assert {d.status for d in deliveries} == {WebhookDelivery.Status.SUCCEEDED}
    received = {r["headers"]["Keel-Event"] for r in webhook_receiver.requests}
    assert received >= set(events.KINDS)
    now = int(time.time())
    for request in webhook_receiver.requests:
        assert signing.verify(secret=secret, header=request["headers"][signing.HEADER], body=request["body"], now=now)
        assert json.loads(request["body"])["program_id"] == program.pk


def test_the_worker_retries_a_500_with_backoff_until_it_succeeds(start_worker, webhook_receiver, program, owner):
    worker = start_worker(env=WORKER_ENV)
    worker.wait_ready()
    webhook_receiver.statuses = [500, 500, 200]
    hook, _ = services.webhook_create(
        actor=owner, program=program, name="Ops", url=webhook_receiver.url, events=list(events.KINDS)
    )

    services.webhook_send_test(actor=owner, subscription=hook)
    [delivery] = _wait_until_done(worker, count=1)

    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    attempts = list(delivery.attempt_log.all())
    assert [a.status_code for a in attempts] == [500, 500, 200]
    gaps = [(b.at - a.at).total_seconds() for a, b in itertools.pairwise(attempts)]
    # KEEL_WEBHOOK_BACKOFF_SECONDS=1 in the worker: at least 1 s, then at least 2 s
    assert gaps[0] >= 1
    assert gaps[1] >= 2
