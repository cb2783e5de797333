"""Activity feeds: comments, uploads, status changes and audit entries in one timeline, newest
first; cursor pages that neither skip nor repeat; the "since my last visit" marker; the program
feed shows only what the reader can see; queries do not grow with the rows."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from collab.models import Attachment, AttachmentVersion
from collab.selectors.feed import BadCursorError, object_feed, program_feed
from collab.targets import program_id_of
from core.models import AuditEntry
from core.services import audit_record
from tests.factories.collab import CommentFactory
from tests.factories.projects import ProjectFactory
from tests.factories.risks import RiskFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now() - dt.timedelta(days=1)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def upload(target, user, name: str, when: dt.datetime, number: int = 1) -> AttachmentVersion:
    attachment = Attachment.objects.filter(name=name, object_id=target.pk).first() or Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(type(target)),
        object_id=target.pk,
        program_id=program_id_of(target),
        name=name,
        uploaded_by=user,
    )
    return AttachmentVersion.objects.create(
        attachment=attachment,
        number=number,
        file=f"attachments/test/{name}-{number}",
        size=10,
        content_type="application/pdf",
        sha256="0" * 64,
        uploaded_by=user,
        uploaded_at=when,
    )


def audit(obj, user, when, action="update", changes=None) -> AuditEntry:
    entry = audit_record(actor=user, action=action, obj=obj, changes=changes or {})
    AuditEntry.objects.filter(pk=entry.pk).update(at=when)
    return entry


def test_object_feed_merges_every_source_newest_first(owner, gate):
    CommentFactory(target=gate, author=owner, body="First thoughts", created_at=at(1))
    upload(gate, owner, "business-case.pdf", at(2))
    audit(gate, owner, at(3), changes={"status": ["pending", "approved"]})
    audit(gate, owner, at(4), changes={"name": ["Old", "New"]})
    upload(gate, owner, "business-case.pdf", at(5), number=2)
    feed = object_feed(obj=gate, user=owner)
    assert [i.kind for i in feed.items] == ["attachment", "audit", "status", "attachment", "comment"]
    assert feed.items[0].summary == "business-case.pdf (version 2)"
    assert feed.items[2].summary == "pending → approved"
    assert feed.items[2].verb == "changed the status of"
    assert feed.items[4].summary == "First thoughts"
    assert feed.next_cursor is None


def test_object_feed_leaves_out_other_objects(owner, gate, program):
    risk = RiskFactory(program=program)
    CommentFactory(target=risk, author=owner, body="About the risk")
    audit(risk, owner, at(1))
    assert object_feed(obj=gate, user=owner).items == []


def test_cursor_pages_neither_skip_nor_repeat_even_on_equal_times(owner, gate):
    same = at(10)
    for _ in range(4):
        CommentFactory(target=gate, author=owner, created_at=same)
        upload(gate, owner, f"f{_}.pdf", same)
        audit(gate, owner, same)
    for n in range(5):
        CommentFactory(target=gate, author=owner, created_at=at(n))
    seen, cursor = [], None
    while True:
        feed = object_feed(obj=gate, user=owner, cursor=cursor, page_size=4)
        seen += [(i.rank, i.row_id) for i in feed.items]
        keys = [(i.at, i.rank, i.row_id) for i in feed.items]
        assert keys == sorted(keys, reverse=True)
        cursor = feed.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 17


@pytest.mark.parametrize("cursor", ["nonsense", "2026-01-01T00:00:00~9~1", "2026-01-01T00:00:00~1~1", "x~1~1"])
def test_bad_cursor_is_refused(owner, gate, cursor):
    with pytest.raises(BadCursorError):
        object_feed(obj=gate, user=owner, cursor=cursor)


def test_bad_cursor_on_the_page_is_a_400(client_for, owner, gate):
    response = client_for(owner).get(reverse("collab:activity", args=["gate", gate.pk]) + "?cursor=zzz")
    assert response.status_code == 400


def test_since_my_last_visit_marks_what_others_did(client_for, owner, member, gate):
    client = client_for(owner)
    url = reverse("collab:activity", args=["gate", gate.pk])
    CommentFactory(target=gate, author=member, body="Before your visit", created_at=at(0))
    client.get(url)
    CommentFactory(target=gate, author=member, body="After your visit")
    CommentFactory(target=gate, author=owner, body="My own")
    feed = object_feed(obj=gate, user=owner)
    assert [i.is_new for i in feed.items] == [False, True, False]
    assert feed.new_count == 1
    html = client.get(url).content.decode()
    assert "1 new</span>" in html
    assert html.index("After your visit") < html.index("Your last visit") < html.index("Before your visit")


def test_program_feed_shows_only_what_the_reader_sees(client_for, owner, member, program, project):
    hidden_project = ProjectFactory(program=program, code="MOD-HIDE")
    hidden_risk = RiskFactory(project=hidden_project)
    seen_risk = RiskFactory(project=project)
    CommentFactory(target=hidden_risk, author=owner, body="Hidden comment")
    CommentFactory(target=hidden_project, author=owner, body="Hidden project comment")
    upload(hidden_risk, owner, "hidden.pdf", at(1))
    audit(hidden_risk, owner, at(2), changes={"status": ["open", "closed"]})
    CommentFactory(target=seen_risk, author=owner, body="Visible comment")
    upload(seen_risk, owner, "visible.pdf", at(3))
    audit(seen_risk, owner, at(4), changes={"title": ["a", "b"]})

    member_items = program_feed(program=program, user=member).items
    assert {i.summary for i in member_items} == {"Visible comment", "visible.pdf", "changed title"}
    assert len(program_feed(program=program, user=owner).items) == 7

    html = client_for(member).get(reverse("collab:program-activity", args=[program.code])).content.decode()
    assert "Visible comment" in html
    assert "Hidden" not in html
    assert "hidden.pdf" not in html


def test_outsider_gets_404_for_both_feeds(client_for, outsider, program, gate):
    client = client_for(outsider)
    assert client.get(reverse("collab:program-activity", args=[program.code])).status_code == 404
    assert client.get(reverse("collab:activity", args=["gate", gate.pk])).status_code == 404


def test_program_feed_links_each_item_to_its_object(client_for, owner, program, gate):
    CommentFactory(target=gate, author=owner, body="Gate comment")
    html = client_for(owner).get(reverse("collab:program-activity", args=[program.code])).content.decode()
    assert reverse("governance:gate-detail", args=[gate.project.code, gate.pk]) in html


def test_program_page_links_to_its_activity(client_for, owner, program):
    html = client_for(owner).get(reverse("portfolio:program-detail", args=[program.code])).content.decode()
    assert reverse("collab:program-activity", args=[program.code]) in html


def test_older_activity_loads_the_next_page(client_for, owner, gate):
    for n in range(35):
        CommentFactory(target=gate, author=owner, body=f"Note {n:02d}", created_at=at(n))
    client = client_for(owner)
    url = reverse("collab:activity", args=["gate", gate.pk])
    first = client.get(url).content.decode()
    assert "Note 34" in first
    assert "Note 04" not in first
    feed = object_feed(obj=gate, user=owner)
    more = client.get(url, {"cursor": feed.next_cursor}, headers={"HX-Request": "true"})
    assert "<html" not in more.content.decode()
    assert "Note 04" in more.content.decode()
    assert "Note 34" not in more.content.decode()


def _fill(program, projects, owner, n):
    for k in range(n):
        project = projects[k % len(projects)]
        risk = RiskFactory(project=project)
        CommentFactory(target=risk, author=owner)
        CommentFactory(target=project, author=owner)
        upload(risk, owner, f"r{k}.pdf", at(k))
        audit(risk, owner, at(k), changes={"status": ["open", "closed"]})


def test_program_feed_query_count_does_not_grow_with_rows(
    client_for, owner, program, project, django_assert_max_num_queries
):
    projects = [project, ProjectFactory(program=program, code="MOD-2")]
    client = client_for(owner)
    url = reverse("collab:program-activity", args=[program.code])
    _fill(program, projects, owner, 3)
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    _fill(program, projects, owner, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)
