"""Who manages webhooks (portfolio admins: the portfolio's; program managers: the program's;
everyone else 404), the pages (list, create with the secret shown once, detail with the delivery
log, edit, rotate with confirmation, send test, delete with confirmation) and the API."""

import pytest
from django.urls import reverse

from core import events
from integrations import services
from integrations.models import WebhookDelivery, WebhookSubscription
from tests.conftest import login
from tests.factories.integrations import WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db
ALL = list(events.KINDS)


@pytest.fixture
def portfolio_hook(portfolio, webhook_receiver):
    return WebhookSubscriptionFactory(portfolio=portfolio, url=webhook_receiver.url, events=ALL, name="Board feed")


@pytest.fixture
def program_hook(program, webhook_receiver):
    return WebhookSubscriptionFactory(
        portfolio=None, program=program, url=webhook_receiver.url, events=ALL, name="PMO feed"
    )


def _detail(hook):
    return reverse("integrations:webhook-detail", args=[hook.pk])


# -- who manages ---------------------------------------------------------------------------------


def test_portfolio_admin_manages_portfolio_and_program_hooks(portfolio_admin, portfolio_hook, program_hook):
    client = login(portfolio_admin)
    page = client.get(reverse("integrations:webhook-list"))
    assert page.status_code == 200
    assert "Board feed" in page.text
    assert "PMO feed" in page.text
    assert client.get(_detail(portfolio_hook)).status_code == 200
    assert client.get(_detail(program_hook)).status_code == 200


def test_program_manager_manages_only_the_program_s_hooks(owner, portfolio_hook, program_hook):
    client = login(owner)
    assert client.get(_detail(program_hook)).status_code == 200
    assert client.get(_detail(portfolio_hook)).status_code == 404
    form = client.get(reverse("integrations:webhook-create"))
    assert "program:" in form.text
    assert "portfolio:" not in form.text  # a program manager cannot subscribe to the whole portfolio


@pytest.mark.parametrize("who", ["member", "executive", "project_manager", "outsider"])
def test_everyone_else_gets_404(who, request, portfolio_hook, program_hook):
    client = login(request.getfixturevalue(who))
    if who == "outsider":  # a program manager elsewhere: has a (different) list of their own
        assert "Board feed" not in client.get(reverse("integrations:webhook-list")).text
        urls = []
    else:
        urls = [reverse("integrations:webhook-list"), reverse("integrations:webhook-create")]
    for url in [
        *urls,
        _detail(portfolio_hook),
        _detail(program_hook),
        reverse("integrations:webhook-rotate", args=[program_hook.pk]),
        reverse("integrations:webhook-delete", args=[program_hook.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("integrations:webhook-test", args=[program_hook.pk])).status_code == 404
    assert client.post(reverse("integrations:webhook-rotate", args=[program_hook.pk])).status_code == 404
    assert WebhookDelivery.objects.count() == 0


# -- the pages -------------------------------------------------------------------------------------


def test_create_shows_the_secret_once(owner, program, webhook_receiver):
    client = login(owner)
    response = client.post(
        reverse("integrations:webhook-create"),
        {
            "scope": f"program:{program.pk}",
            "name": "PMO feed",
            "url": webhook_receiver.url,
            "events": [events.STATUS_REPORT_SUBMITTED, events.RISK_BECAME_CRITICAL],
            "is_active": "on",
        },
    )
    assert response.status_code == 201
    hook = WebhookSubscription.objects.get()
    assert hook.secret in response.text
    assert response["Cache-Control"] == "private, no-store"
    assert (hook.program, hook.events) == (program, [events.STATUS_REPORT_SUBMITTED, events.RISK_BECAME_CRITICAL])
    detail = client.get(_detail(hook))
    assert hook.secret not in detail.text
    assert f"{hook.secret_prefix}…" in detail.text


def test_create_refuses_a_private_target_naming_the_field(owner, program, settings):
    settings.KEEL_WEBHOOK_ALLOW_PRIVATE = False
    response = login(owner).post(
        reverse("integrations:webhook-create"),
        {"scope": f"program:{program.pk}", "name": "x", "url": "https://127.0.0.1/x", "events": ALL},
    )
    assert response.status_code == 400
    assert "public addresses only" in response.text
    assert not WebhookSubscription.objects.exists()


def test_rotate_asks_first_then_shows_the_new_secret(owner, program_hook):
    client = login(owner)
    url = reverse("integrations:webhook-rotate", args=[program_hook.pk])
    ask = client.get(url)
    assert ask.status_code == 200
    assert "Rotate the secret" in ask.text
    program_hook.refresh_from_db()
    old = program_hook.secret

    done = client.post(url)

    program_hook.refresh_from_db()
    assert program_hook.secret != old
    assert program_hook.previous_secret == old
    assert program_hook.secret in done.text


def test_send_test_delivers_and_shows_in_the_log(
    owner, program_hook, webhook_receiver, django_capture_on_commit_callbacks
):
    client = login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integrations:webhook-test", args=[program_hook.pk]))
    assert response.status_code == 302
    [request] = webhook_receiver.requests
    assert request["headers"]["Keel-Event"] == "webhook.test"
    page = client.get(_detail(program_hook))
    assert "webhook.test" in page.text
    assert "HTTP 200" in page.text
    assert "Succeeded" in page.text


def test_delete_asks_first(owner, program_hook):
    client = login(owner)
    url = reverse("integrations:webhook-delete", args=[program_hook.pk])
    assert "Delete the webhook" in client.get(url).text
    assert WebhookSubscription.objects.filter(pk=program_hook.pk).exists()
    assert client.post(url).status_code == 302
    assert not WebhookSubscription.objects.filter(pk=program_hook.pk).exists()


def test_edit_changes_events_and_pauses(owner, program_hook, webhook_receiver):
    client = login(owner)
    response = client.post(
        reverse("integrations:webhook-edit", args=[program_hook.pk]),
        {"name": "PMO", "url": webhook_receiver.url, "events": [events.HEALTH_CHANGED]},
    )
    assert response.status_code == 302
    program_hook.refresh_from_db()
    assert (program_hook.name, program_hook.events, program_hook.is_active) == ("PMO", [events.HEALTH_CHANGED], False)


def test_list_and_detail_queries_do_not_grow(owner, program, webhook_receiver, django_assert_max_num_queries):
    client = login(owner)
    hook = WebhookSubscriptionFactory(portfolio=None, program=program, url=webhook_receiver.url, events=ALL)

    def counts():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as listed:
            client.get(reverse("integrations:webhook-list"))
        with CaptureQueriesContext(connection) as detailed:
            client.get(_detail(hook))
        return len(listed), len(detailed)

    for _ in range(2):
        services.webhook_send_test(actor=owner, subscription=hook)
    few = counts()
    for _ in range(8):
        WebhookSubscriptionFactory(portfolio=None, program=program, url=webhook_receiver.url, events=ALL)
        delivery = services.webhook_send_test(actor=owner, subscription=hook)
        services.delivery_attempt(delivery_id=delivery.pk)
    assert counts() == few


# -- the API ---------------------------------------------------------------------------------------


def test_api_create_returns_the_secret_once_and_lists_without_it(api_for, owner, program, webhook_receiver):
    client = api_for(owner)
    created = client.post(
        "/api/v1/webhooks/",
        {"name": "PMO", "url": webhook_receiver.url, "events": ALL, "program": program.pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    listed = client.get("/api/v1/webhooks/").json()
    assert [h["name"] for h in listed["results"]] == ["PMO"]
    assert "secret" not in listed["results"][0]
    rotated = client.post(f"/api/v1/webhooks/{created.json()['id']}/rotate-secret/").json()
    assert rotated["secret"] != secret


def test_api_refuses_a_scope_the_user_does_not_manage(api_for, owner, portfolio, webhook_receiver):
    response = api_for(owner).post(
        "/api/v1/webhooks/",
        {"name": "x", "url": webhook_receiver.url, "events": ALL, "portfolio": portfolio.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "portfolio"


def test_api_ssrf_refusal_names_the_url(api_for, owner, program, settings):
    settings.KEEL_WEBHOOK_ALLOW_PRIVATE = False
    response = api_for(owner).post(
        "/api/v1/webhooks/",
        {"name": "x", "url": "https://10.0.0.5/h", "events": ALL, "program": program.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"


@pytest.mark.parametrize("who", ["member", "executive", "outsider"])
def test_api_others_see_no_hooks_or_deliveries(who, request, api_for, owner, program_hook):
    services.webhook_send_test(actor=owner, subscription=program_hook)
    client = api_for(request.getfixturevalue(who))
    assert client.get("/api/v1/webhooks/").json()["results"] == []
    assert client.get(f"/api/v1/webhooks/{program_hook.pk}/").status_code == 404
    assert client.post(f"/api/v1/webhooks/{program_hook.pk}/test/").status_code == 404
    assert client.get("/api/v1/webhook-deliveries/").json()["results"] == []


def test_api_deliveries_with_attempts_in_constant_queries(api_for, owner, program_hook, django_assert_max_num_queries):
    client = api_for(owner)
    delivery = services.webhook_send_test(actor=owner, subscription=program_hook)
    services.delivery_attempt(delivery_id=delivery.pk)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        body = client.get("/api/v1/webhook-deliveries/").json()
    assert body["results"][0]["attempt_log"][0]["status_code"] == 200
    for _ in range(6):
        d = services.webhook_send_test(actor=owner, subscription=program_hook)
        services.delivery_attempt(delivery_id=d.pk)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/webhook-deliveries/")
    assert len(many) == len(few)
