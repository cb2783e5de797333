"""Comments: who may read and post (404 for outsiders), threads, the edit window, deletion
kept in history, safe Markdown, bounds, the discussion page and its query count."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from collab.markdown import ALLOWED_TAGS
from collab.models import Comment, CommentRevision
from collab.services import comments as svc
from collab.services.comments import comment_create, comment_delete, comment_edit
from tests.factories.collab import CommentFactory
from tests.factories.risks import RiskFactory

pytestmark = pytest.mark.django_db


def _url(gate):
    return reverse("collab:discussion", args=["gate", gate.pk])


# --- access ---------------------------------------------------------------------------------


def test_outsider_gets_404_reading_the_discussion(client_for, outsider, gate):
    CommentFactory(target=gate, body="secret plan")
    response = client_for(outsider).get(_url(gate))
    assert response.status_code == 404
    assert b"secret plan" not in response.content


def test_outsider_cannot_post(client_for, outsider, gate):
    response = client_for(outsider).post(_url(gate), {"body": "hello"})
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_outsider_gets_404_for_one_comment_and_its_edit_and_delete(client_for, outsider, owner, gate):
    comment = CommentFactory(target=gate, author=owner)
    client = client_for(outsider)
    for name in ("collab:comment", "collab:comment-edit", "collab:comment-delete"):
        url = reverse(name, args=["gate", gate.pk, comment.pk])
        assert client.get(url).status_code in (404, 405)
        assert client.post(url).status_code == 404


def test_comment_of_another_object_is_404_through_this_one(client_for, owner, gate, program):
    other = RiskFactory(program=program)
    comment = CommentFactory(target=other, author=owner)
    response = client_for(owner).get(reverse("collab:comment-edit", args=["gate", gate.pk, comment.pk]))
    assert response.status_code == 404


def test_unknown_slug_and_huge_pk_are_404(client_for, owner):
    client = client_for(owner)
    assert client.get("/collab/nonsense/1/discussion/").status_code == 404
    assert client.get(f"/collab/gate/{10**30}/discussion/").status_code == 404


def test_member_of_the_project_reads_and_posts(client_for, member, gate):
    client = client_for(member)
    response = client.post(_url(gate), {"body": "Looks **good**"})
    assert response.status_code == 302
    page = client.get(_url(gate))
    assert page.status_code == 200
    assert b"<strong>good</strong>" in page.content


def test_htmx_get_answers_the_fragment_and_post_rerenders_it(client_for, owner, gate):
    client = client_for(owner)
    fragment = client.get(_url(gate), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b"Post comment" in fragment.content
    posted = client.post(_url(gate), {"body": "From htmx"}, headers={"HX-Request": "true"})
    assert posted.status_code == 200
    assert b"From htmx" in posted.content


def test_refused_post_shows_the_error_and_keeps_the_text(client_for, owner, gate):
    response = client_for(owner).post(_url(gate), {"body": "x" * 10_001})
    assert response.status_code == 400
    assert b"at most 10000 characters" in response.content or b"at most 10,000" in response.content
    assert not Comment.objects.exists()


# --- threads ----------------------------------------------------------------------------------


def test_reply_to_a_reply_joins_the_thread_root(owner, member, gate):
    root = comment_create(user=owner, target=gate, body="Root")
    reply = comment_create(user=member, target=gate, body="Reply", parent=root)
    nested = comment_create(user=owner, target=gate, body="Reply to reply", parent=reply)
    assert reply.parent_id == root.pk
    assert nested.parent_id == root.pk
    assert nested.program_id == gate.project.program_id


def test_reply_to_a_comment_of_another_object_is_refused(owner, gate, program):
    elsewhere = comment_create(user=owner, target=RiskFactory(program=program), body="Elsewhere")
    with pytest.raises(ValidationError) as exc:
        comment_create(user=owner, target=gate, body="Reply", parent=elsewhere)
    assert svc.PARENT_ELSEWHERE in str(exc.value)


def test_reply_through_the_page_is_shown_under_its_thread(client_for, owner, member, gate):
    root = comment_create(user=owner, target=gate, body="Question?")
    client_for(member).post(_url(gate), {"body": "Answer.", "parent": root.pk})
    html = client_for(owner).get(_url(gate)).content.decode()
    assert html.index("Question?") < html.index("collab-replies") < html.index("Answer.")


# --- bounds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [("", svc.BODY_EMPTY), ("   \n ", svc.BODY_EMPTY), ("a\x00b", svc.BODY_NUL), ("x" * 10_001, "at most")],
)
def test_bad_bodies_are_refused(owner, gate, body, message):
    with pytest.raises(ValidationError) as exc:
        comment_create(user=owner, target=gate, body=body)
    assert message in str(exc.value)
    assert not Comment.objects.exists()


def test_nul_through_the_page_is_a_400_not_a_500(client_for, owner, gate):
    response = client_for(owner).post(_url(gate), {"body": "a\x00b"})
    assert response.status_code == 400


# --- edit and delete ----------------------------------------------------------------------------


def test_author_edits_within_the_window_and_the_old_body_is_kept(owner, gate):
    comment = comment_create(user=owner, target=gate, body="First")
    comment_edit(user=owner, comment=comment, body="Second")
    comment.refresh_from_db()
    assert comment.body == "Second"
    assert comment.edited_at is not None
    assert list(comment.revisions.values_list("body", "reason")) == [("First", "edited")]


def test_edit_after_the_window_is_refused(owner, gate):
    comment = comment_create(user=owner, target=gate, body="First")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - dt.timedelta(minutes=16))
    with pytest.raises(ValidationError) as exc:
        comment_edit(user=owner, comment=comment, body="Second")
    assert "15 minutes" in str(exc.value)
    comment.refresh_from_db()
    assert comment.body == "First"


@override_settings(KEEL_COMMENT_EDIT_MINUTES=60)
def test_edit_window_follows_the_setting(owner, gate):
    comment = comment_create(user=owner, target=gate, body="First")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
    comment_edit(user=owner, comment=Comment.objects.get(pk=comment.pk), body="Second")
    assert Comment.objects.get(pk=comment.pk).body == "Second"


def test_only_the_author_edits_or_deletes(owner, member, gate):
    comment = comment_create(user=owner, target=gate, body="Mine")
    for action in (
        lambda: comment_edit(user=member, comment=comment, body="Theirs"),
        lambda: comment_delete(user=member, comment=comment),
    ):
        with pytest.raises(ValidationError) as exc:
            action()
        assert svc.NOT_AUTHOR in str(exc.value)
    comment.refresh_from_db()
    assert comment.body == "Mine"
    assert comment.deleted_at is None


def test_delete_keeps_the_body_in_history_and_the_thread_shows_comment_deleted(client_for, owner, member, gate):
    comment = comment_create(user=owner, target=gate, body="Regrettable remark")
    comment_create(user=member, target=gate, body="A reply that stays", parent=comment)
    comment_delete(user=owner, comment=comment)
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert comment.body == ""
    assert CommentRevision.objects.get(comment=comment).body == "Regrettable remark"
    html = client_for(member).get(_url(gate)).content.decode()
    assert "comment deleted" in html
    assert "Regrettable remark" not in html
    assert "A reply that stays" in html


def test_deleted_comment_cannot_be_edited(owner, gate):
    comment = comment_create(user=owner, target=gate, body="Gone")
    comment_delete(user=owner, comment=comment)
    with pytest.raises(ValidationError):
        comment_edit(user=owner, comment=comment, body="Back")


def test_edit_and_delete_through_htmx(client_for, owner, gate):
    client = client_for(owner)
    comment = comment_create(user=owner, target=gate, body="Draft")
    edit_url = reverse("collab:comment-edit", args=["gate", gate.pk, comment.pk])
    form = client.get(edit_url, headers={"HX-Request": "true"})
    assert form.status_code == 200
    assert b"Draft" in form.content
    saved = client.post(edit_url, {"body": "Final"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert b"Final" in saved.content
    assert b"edited" in saved.content
    deleted = client.post(
        reverse("collab:comment-delete", args=["gate", gate.pk, comment.pk]), headers={"HX-Request": "true"}
    )
    assert deleted.status_code == 200
    assert b"comment deleted" in deleted.content


def test_delete_button_asks_for_confirmation(client_for, owner, gate):
    comment_create(user=owner, target=gate, body="Mine")
    html = client_for(owner).get(_url(gate)).content.decode()
    assert "hx-confirm=" in html


def test_others_see_no_edit_or_delete_controls(client_for, owner, member, gate):
    comment_create(user=owner, target=gate, body="Mine")
    html = client_for(member).get(_url(gate)).content.decode()
    assert "/edit/" not in html
    assert "/delete/" not in html


# --- Markdown is rendered safely ----------------------------------------------------------------

XSS = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pic](javascript:alert(1))",
    "![pic](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    '<div onmouseover="alert(1)">hover</div>',
    '[x](https://example.com "title" onclick=alert(1))',
    "<svg><animate onbegin=alert(1)></svg>",
    "<iframe src=https://evil.example></iframe>",
]


class _Tags(HTMLParser):
    """Every start tag with its attributes, as the browser would build them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def comment_tags(html: str) -> list[tuple[str, dict]]:
    """The tags inside the rendered comment bodies of a discussion page."""
    parser = _Tags()
    for chunk in html.split('<div class="collab-body">')[1:]:
        parser.feed(chunk.split("</div>", 1)[0])
    return parser.tags


@pytest.mark.parametrize("body", XSS)
def test_comment_html_is_inert(client_for, owner, gate, body):
    comment_create(user=owner, target=gate, body=body)
    html = client_for(owner).get(_url(gate), headers={"HX-Request": "true"}).content.decode()
    tags = comment_tags(html)
    assert html.count('<div class="collab-body">') == 1
    for tag, attrs in tags:
        assert tag in ALLOWED_TAGS, tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)


def test_the_inertness_check_can_fail():
    tags = comment_tags('<div class="collab-body"><a href="javascript:x" onclick="y">z</a></div>')
    assert tags == [("a", {"href": "javascript:x", "onclick": "y"})]


def test_links_are_kept_with_nofollow(client_for, owner, gate):
    comment_create(user=owner, target=gate, body="See [the plan](https://example.com/plan)")
    html = client_for(owner).get(_url(gate)).content.decode()
    assert '<a href="https://example.com/plan" rel="nofollow noopener noreferrer">the plan</a>' in html


# --- since my last visit, pagination, queries ---------------------------------------------------


def test_comments_since_my_last_visit_are_marked_new(client_for, owner, member, gate):
    client = client_for(owner)
    client.get(_url(gate))  # first visit: nothing is "new"
    comment_create(user=member, target=gate, body="While you were away")
    html = client.get(_url(gate)).content.decode()
    assert "1 new</span> since your last visit" in html
    assert "is-new" in html
    assert "since your last visit" not in client.get(_url(gate)).content.decode()  # the visit was recorded


def test_threads_are_paginated_newest_activity_first(client_for, owner, gate):
    for n in range(25):
        CommentFactory(
            target=gate, author=owner, body=f"Thread {n:02d}", created_at=timezone.now() - dt.timedelta(minutes=100 - n)
        )
    client = client_for(owner)
    first = client.get(_url(gate)).content.decode()
    assert "Thread 24" in first
    assert "Thread 04" not in first
    second = client.get(_url(gate) + "?page=2").content.decode()
    assert "Thread 04" in second
    assert "Thread 24" not in second


def test_discussion_query_count_does_not_grow_with_comments(
    client_for, owner, member, gate, django_assert_max_num_queries
):
    client = client_for(owner)
    for _ in range(3):
        root = CommentFactory(target=gate, author=owner)
        CommentFactory(target=gate, author=member, parent=root)
    client.get(_url(gate))
    with django_assert_max_num_queries(20) as small:
        client.get(_url(gate))
    for n in range(15):
        root = CommentFactory(target=gate, author=[owner, member][n % 2])
        CommentFactory(target=gate, author=member, parent=root)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(_url(gate))


# --- the panel on detail pages -------------------------------------------------------------------


def test_gate_page_carries_the_discussion_panel(client_for, owner, gate):
    html = client_for(owner).get(reverse("governance:gate-detail", args=[gate.project.code, gate.pk])).content.decode()
    assert reverse("collab:discussion", args=["gate", gate.pk]) in html
    assert reverse("collab:attachments", args=["gate", gate.pk]) in html


def test_deleting_someone_elses_comment_through_the_page_is_403(client_for, owner, member, gate):
    comment = comment_create(user=owner, target=gate, body="Mine")
    url = reverse("collab:comment-delete", args=["gate", gate.pk, comment.pk])
    assert client_for(member).post(url).status_code == 403
    refused = client_for(member).post(url, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert svc.NOT_AUTHOR in refused.content.decode()
    assert Comment.objects.get(pk=comment.pk).deleted_at is None


def test_demo_reset_removes_demo_users_comments_too(owner, gate):
    # Comments PROTECT their author; the demo's reset deletes programs (and so their comments)
    # before it deletes the demo users.
    from demo.logins import DEMO_EMAIL_DOMAIN
    from demo.seed import demo_reset
    from tests.factories.users import UserFactory

    author = UserFactory(username="demo_author", email=f"demo_author@{DEMO_EMAIL_DOMAIN}")
    root = comment_create(user=author, target=gate, body="Demo chat")
    comment_edit(user=author, comment=root, body="Demo chat, edited")
    demo_reset()
    assert not Comment.objects.exists()
    assert not CommentRevision.objects.exists()
