"""The bell, the notifications list and the preferences page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Notification, NotificationPreference
from tests.factories.core import NotificationFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def user():
    return UserFactory(username="reader")


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_bell_shows_the_unread_count(client_for, user):
    NotificationFactory.create_batch(3, user=user)
    NotificationFactory(user=user, read_at="2026-11-01T10:00Z")
    NotificationFactory(user=user, in_app=False)  # e-mail only: not in the bell
    NotificationFactory()  # someone else's

    body = client_for(user).get("/profile/").content.decode()

    assert 'aria-label="Notifications, 3 unread"' in body
    assert '<span class="bell-count">3</span>' in body


def test_list_shows_only_the_user_s_in_app_notifications(client_for, user):
    mine = NotificationFactory(user=user, title="CPI 0.80 at or below 0.90 on ERP")
    NotificationFactory(user=user, in_app=False, title="E-mail only")
    NotificationFactory(title="Someone else's")

    body = client_for(user).get("/notifications/").content.decode()

    assert mine.title in body
    assert "E-mail only" not in body
    assert "Someone else" not in body


def test_list_query_count_does_not_grow_with_rows(client_for, user):
    client = client_for(user)
    NotificationFactory(user=user)
    few = _queries(client, "/notifications/")
    NotificationFactory.create_batch(20, user=user)

    assert _queries(client, "/notifications/") == few


def test_unread_filter_and_unknown_parameter(client_for, user):
    NotificationFactory(user=user, title="Old news", read_at="2026-11-01T10:00Z")
    NotificationFactory(user=user, title="Fresh")
    client = client_for(user)

    body = client.get("/notifications/?unread=1").content.decode()
    assert "Fresh" in body
    assert "Old news" not in body
    refused = client.get("/notifications/?kind=health_red")
    assert refused.status_code == 400
    assert "kind" in refused.content.decode()


def test_mark_one_read_and_all_read(client_for, user):
    first, _second, _third = NotificationFactory.create_batch(3, user=user)
    client = client_for(user)

    response = client.post(f"/notifications/{first.pk}/read/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None

    client.post("/notifications/read/", {"next": "/notifications/?unread=1"})
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


def test_marking_someone_else_s_notification_is_404(client_for, user):
    theirs = NotificationFactory()

    assert client_for(user).post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_refuses_an_outside_redirect(client_for, user):
    notification = NotificationFactory(user=user)

    response = client_for(user).post(f"/notifications/{notification.pk}/read/", {"next": "https://evil.example/"})

    assert response["Location"] == "/notifications/"


def test_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get("/notifications/").status_code == 302
    assert client.get("/notifications/preferences/").status_code == 302


def test_preferences_page_has_a_row_per_kind_and_saves(client_for, user):
    client = client_for(user)
    body = client.get("/notifications/preferences/").content.decode()
    for kind in Kind:
        assert f'name="{kind.value}-in_app"' in body
        assert kind.label in body

    data = {f"{kind.value}-in_app": "on" for kind in Kind}
    data.update({f"{kind.value}-email": "on" for kind in Kind if kind != Kind.OVERALLOCATION})
    data["health_red-digest"] = "on"
    response = client.post("/notifications/preferences/", data)

    assert response.status_code == 302
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    assert len(stored) == len(Kind)
    assert stored[Kind.OVERALLOCATION].email is False
    assert stored[Kind.HEALTH_RED].email_mode == "digest"
    assert stored[Kind.CPI_BELOW].email_mode == "immediate"
    # Saved choices show when the page is opened again.
    again = client.get("/notifications/preferences/").content.decode()
    digest_box = 'id="id_health_red-digest" aria-label="Health turned red: in the daily digest instead of one e-mail'
    assert f'{digest_box} each" checked' in again
