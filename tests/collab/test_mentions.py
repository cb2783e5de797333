"""@mentions: a mentioned user who sees the object is notified (in the app, and by e-mail as
their preference for the kind says); an unknown name and a user who cannot see the object are
refused with the same words, and nothing is posted."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from collab.markdown import mentioned_usernames
from collab.models import Comment
from collab.services.comments import MENTION_REFUSED, comment_create, comment_edit
from core.models import Notification, NotificationPreference
from core.notifications import notifications_send_immediate

pytestmark = pytest.mark.django_db


def test_mention_notifies_a_user_who_sees_the_object(owner, project_manager, gate):
    comment = comment_create(user=owner, target=gate, body="@pm please attach the business case.")
    note = Notification.objects.get(user=project_manager)
    assert note.kind == Notification.Kind.MENTIONED
    assert "mentioned you on stage gate" in note.title
    assert note.url == reverse("collab:discussion", args=["gate", gate.pk]) + f"#comment-{comment.pk}"
    assert "business case" in note.body
    assert note.in_app


def test_mention_is_e_mailed_as_the_preference_says(owner, project_manager, gate):
    comment_create(user=owner, target=gate, body="@pm have a look")
    assert Notification.objects.get(user=project_manager).email_mode == Notification.EmailMode.IMMEDIATE
    notifications_send_immediate()
    assert [m.to for m in mail.outbox] == [[project_manager.email]]
    assert "mentioned you" in mail.outbox[0].subject


def test_mention_respects_an_opt_out(owner, project_manager, gate):
    NotificationPreference.objects.create(user=project_manager, kind="mentioned", in_app=True, email=False)
    comment_create(user=owner, target=gate, body="@pm quiet please")
    assert Notification.objects.get(user=project_manager).email_mode == Notification.EmailMode.NONE


def test_each_mentioned_user_is_notified_once_and_not_the_author(owner, project_manager, member, gate):
    comment_create(user=owner, target=gate, body="@pm and @member, also @pm again; cc @owner")
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["member", "pm"]


def _refused(owner, gate, body):
    with pytest.raises(ValidationError) as exc:
        comment_create(user=owner, target=gate, body=body)
    return exc.value.message_dict["body"][0]


def test_unknown_and_invisible_users_are_refused_with_the_same_words(owner, outsider, gate):
    unknown = _refused(owner, gate, "@ghost look")
    invisible = _refused(owner, gate, "@outsider look")
    assert unknown == MENTION_REFUSED.format(username="ghost", label="stage gate")
    assert invisible == MENTION_REFUSED.format(username="outsider", label="stage gate")
    assert unknown.replace("ghost", "X") == invisible.replace("outsider", "X")
    assert "cannot be notified" in unknown
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()


def test_one_refused_name_refuses_the_whole_comment(owner, project_manager, gate):
    _refused(owner, gate, "@pm and @outsider_nobody")
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()


def test_inactive_user_counts_as_unknown(owner, project_manager, gate):
    project_manager.is_active = False
    project_manager.save()
    assert _refused(owner, gate, "@pm hi") == MENTION_REFUSED.format(username="pm", label="stage gate")


def _errors(response) -> str:
    """The error list of the refused form (the rest of the page differs by its CSRF token)."""
    html = response.content.decode()
    start = html.index('<ul class="errorlist')
    return html[start : html.index("</ul>", start)]


def test_refusal_through_the_page_and_api_looks_the_same(client_for, owner, outsider, gate):
    client = client_for(owner)
    url = reverse("collab:discussion", args=["gate", gate.pk])
    page_unknown = client.post(url, {"body": "@ghost hi"})
    page_hidden = client.post(url, {"body": "@outsider hi"})
    assert page_unknown.status_code == page_hidden.status_code == 400
    assert "@ghost cannot be notified" in _errors(page_unknown)
    assert _errors(page_unknown).replace("ghost", "X") == _errors(page_hidden).replace("outsider", "X")
    api = f"/api/v1/collab/gate/{gate.pk}/comments/"
    a = client.post(api, {"body": "@ghost hi"}, content_type="application/json")
    b = client.post(api, {"body": "@outsider hi"}, content_type="application/json")
    assert a.status_code == b.status_code == 400
    assert a.json()["detail"].replace("ghost", "X") == b.json()["detail"].replace("outsider", "X")


def test_edit_notifies_only_the_newly_mentioned(owner, project_manager, member, gate):
    comment = comment_create(user=owner, target=gate, body="@pm first")
    comment_edit(user=owner, comment=comment, body="@pm first, and @member too")
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["member", "pm"]


def test_edit_adding_an_invisible_mention_is_refused(owner, outsider, gate):
    comment = comment_create(user=owner, target=gate, body="plain")
    with pytest.raises(ValidationError):
        comment_edit(user=owner, comment=comment, body="plain @outsider")
    comment.refresh_from_db()
    assert comment.body == "plain"


def test_member_of_one_project_cannot_be_mentioned_on_another_projects_risk(owner, member, program, project):
    from tests.factories.projects import ProjectFactory
    from tests.factories.risks import RiskFactory

    other_project = ProjectFactory(program=program, code="MOD-CRM")
    risk = RiskFactory(program=program, project=other_project)
    with pytest.raises(ValidationError) as exc:
        comment_create(user=owner, target=risk, body="@member can you check?")
    assert exc.value.message_dict["body"] == [MENTION_REFUSED.format(username="member", label="risk")]


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("hi @pm.", ["pm"]),
        ("mail ann@example.com", []),
        ("@a @b @a", ["a", "b"]),
        ("(@pm)", ["pm"]),
        ("`@pm` in code still names pm", ["pm"]),
    ],
)
def test_mention_parsing(body, names):
    assert mentioned_usernames(body) == names


def test_mentions_are_highlighted_but_not_in_code():
    from collab.markdown import render

    html = str(render("@pm see `@owner` and mail ann@example.com"))
    assert '<span class="mention">@pm</span>' in html
    assert "<code>@owner</code>" in html
    assert "ann@example.com" in html
    assert html.count("mention") == 1


def test_too_many_mentions_are_refused_before_any_lookup(owner, gate, django_assert_max_num_queries):
    from collab.services.comments import TOO_MANY_MENTIONS

    body = " ".join(f"@user{n}" for n in range(21))
    with django_assert_max_num_queries(3), pytest.raises(ValidationError) as exc:
        comment_create(user=owner, target=gate, body=body)
    assert exc.value.message_dict["body"] == [TOO_MANY_MENTIONS.format(max=20)]
