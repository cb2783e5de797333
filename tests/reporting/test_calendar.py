"""A program's iCalendar feed: the page that creates and revokes the secret URL, and the feed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portfolio.models import Membership
from reporting.calendar import escape_text, fold
from reporting.models import CalendarFeed
from reporting.services.calendar import calendar_feed_create, calendar_feed_revoke
from tests.conftest import login
from tests.factories.governance import StageGateFactory
from tests.factories.projects import ProjectFactory, TaskFactory

PAGE = "/programs/MOD/calendar/"
REVOKE = "/programs/MOD/calendar/revoke/"


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(17), tzinfo=dt.UTC)


def milestone(project, name: str, day: dt.date):
    return TaskFactory(
        project=project, name=name, is_milestone=True, duration_minutes=0, start=_at(day), finish=_at(day)
    )


def parse(body: bytes) -> list[dict]:
    """The VEVENTs of an RFC 5545 text as {name: value} (parameters kept in the name), after
    checking the framing: CRLF line endings only, lines of at most 75 octets, unfolded."""
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    physical = body.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    text = body.decode("utf-8").replace("\r\n ", "")  # unfold
    lines = text.split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return events


@pytest.fixture
def today():
    return timezone.localdate()


def test_page_offers_to_create_a_feed_url(owner, program):
    response = login(owner).get(PAGE)
    assert response.status_code == 200
    assert "Create feed URL" in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_creating_shows_the_absolute_feed_url(owner, program):
    client = login(owner)
    response = client.post(PAGE)
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(user=owner, program=program)
    assert len(feed.token) >= 40
    page = client.get(PAGE).content.decode()
    assert f"http://testserver/calendar/{feed.token}.ics" in page
    assert 'data-copy="#calendar-feed-url"' in page


def test_feed_url_is_https_on_a_secure_request(owner, program):
    feed = calendar_feed_create(user=owner, program=program)
    page = login(owner).get(PAGE, secure=True).content.decode()
    assert f"https://testserver/calendar/{feed.token}.ics" in page


def test_creating_twice_keeps_one_live_feed(owner, program):
    client = login(owner)
    client.post(PAGE)
    client.post(PAGE)
    assert CalendarFeed.objects.filter(user=owner, revoked_at__isnull=True).count() == 1


def test_revoke_asks_first_and_says_subscriptions_stop(owner, program):
    feed = calendar_feed_create(user=owner, program=program)
    response = login(owner).get(REVOKE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "stops receiving updates" in html
    assert "checked" not in html
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_revoked_feed_answers_404(owner, program, client):
    feed = calendar_feed_create(user=owner, program=program)
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 200
    response = login(owner).post(REVOKE)
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404


def test_a_new_feed_after_revoking_has_a_new_token(owner, program):
    old = calendar_feed_revoke(feed=calendar_feed_create(user=owner, program=program))
    new = calendar_feed_create(user=owner, program=program)
    assert new.token != old.token


def test_unknown_token_answers_404(client, db):
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_feed_lists_milestones_and_gates_as_all_day_events(owner, program, project, client, today):
    task = milestone(project, "Go-live, phase 1; all sites", today + dt.timedelta(days=30))
    gate = StageGateFactory(project=project, name="Design review", planned_date=today + dt.timedelta(days=10))
    TaskFactory(project=project, name="Ordinary task", start=_at(today), finish=_at(today))
    feed = calendar_feed_create(user=owner, program=program)
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = parse(response.content)
    by_uid = {event["UID"]: event for event in events}
    assert set(by_uid) == {f"keel-milestone-{task.pk}@testserver", f"keel-gate-{gate.pk}@testserver"}
    first = by_uid[f"keel-gate-{gate.pk}@testserver"]
    assert first["DTSTART;VALUE=DATE"] == f"{gate.planned_date:%Y%m%d}"
    assert first["URL"] == f"http://testserver/projects/{project.code}/gates/{gate.pk}/"
    assert first["DTSTAMP"].endswith("Z")
    go_live = by_uid[f"keel-milestone-{task.pk}@testserver"]
    assert go_live["SUMMARY"] == f"◆ {project.code}: Go-live\\, phase 1\\; all sites"
    assert go_live["DTSTART;VALUE=DATE"] == f"{today + dt.timedelta(days=30):%Y%m%d}"
    assert events[0]["UID"] == first["UID"]  # by day


def test_uids_are_stable_between_reads(owner, program, project, client, today):
    milestone(project, "Launch", today)
    feed = calendar_feed_create(user=owner, program=program)
    first = [event["UID"] for event in parse(client.get(f"/calendar/{feed.token}.ics").content)]
    second = [event["UID"] for event in parse(client.get(f"/calendar/{feed.token}.ics").content)]
    assert first == second


def test_feed_is_bounded_to_a_year_back_and_two_ahead(owner, program, project, client, today):
    milestone(project, "Too old", today - dt.timedelta(days=400))
    milestone(project, "Too far", today + dt.timedelta(days=800))
    StageGateFactory(project=project, name="Old gate", planned_date=today - dt.timedelta(days=400))
    milestone(project, "In range", today + dt.timedelta(days=700))
    feed = calendar_feed_create(user=owner, program=program)
    summaries = [event["SUMMARY"] for event in parse(client.get(f"/calendar/{feed.token}.ics").content)]
    assert summaries == [f"◆ {project.code}: In range"]


def test_feed_shows_only_the_projects_its_user_can_see(member, program, project, client, today):
    hidden = ProjectFactory(program=program, code="MOD-HID")
    milestone(project, "Visible", today)
    milestone(hidden, "Hidden", today)
    feed = calendar_feed_create(user=member, program=program)
    summaries = [event["SUMMARY"] for event in parse(client.get(f"/calendar/{feed.token}.ics").content)]
    assert summaries == [f"◆ {project.code}: Visible"]


def test_feed_answers_404_once_its_user_loses_access(owner, program, client):
    feed = calendar_feed_create(user=owner, program=program)
    Membership.objects.filter(user=owner).delete()
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404


def test_feed_answers_404_for_a_deactivated_user(owner, program, client):
    feed = calendar_feed_create(user=owner, program=program)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404


def test_outsider_gets_404_on_the_calendar_page(outsider, program):
    client = login(outsider)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE).status_code == 404
    assert client.get(REVOKE).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_one_user_cannot_revoke_another_users_feed(owner, executive, program, client):
    feed = calendar_feed_create(user=owner, program=program)
    login(executive).post(REVOKE)
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_fold_keeps_lines_within_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "é" * 100
    folded = fold(line)
    physical = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in physical)
    assert all(part.startswith(" ") for part in physical[1:])
    assert folded.replace("\r\n ", "") == line


def test_escape_text_escapes_the_special_characters():
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_feed_query_count_does_not_grow_with_events(owner, program, project, client, today):
    feed = calendar_feed_create(user=owner, program=program)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/calendar/{feed.token}.ics").status_code == 200
        return len(queries)

    milestone(project, "M0", today)
    StageGateFactory(project=project, planned_date=today)
    small = count()
    for i in range(5):
        milestone(project, f"M{i + 1}", today + dt.timedelta(days=i))
        StageGateFactory(project=ProjectFactory(program=program, phase="initiation"), planned_date=today)
    assert count() == small
