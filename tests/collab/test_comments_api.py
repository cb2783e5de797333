"""The comments API nested under its object, and the activity endpoint: same rules as the
pages (404 for outsiders, author-only edit within the window and delete, mentions refused
alike), JSON errors naming the field, a query count that does not grow with the rows."""

import datetime as dt

import pytest
import yaml
from django.utils import timezone

from collab.models import Comment, CommentRevision
from collab.services.comments import comment_create
from core.models import Notification
from tests.factories.collab import CommentFactory

pytestmark = pytest.mark.django_db


def _list(gate):
    return f"/api/v1/collab/gate/{gate.pk}/comments/"


def _detail(gate, comment):
    return f"/api/v1/collab/gate/{gate.pk}/comments/{comment.pk}/"


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_outsider_can_neither_list_read_post_edit_delete_nor_see_activity(client_for, outsider, owner, gate):
    comment = CommentFactory(target=gate, author=owner, body="private")
    client = client_for(outsider)
    assert client.get(_list(gate)).status_code == 404
    assert client.get(_detail(gate, comment)).status_code == 404
    assert _post(client, _list(gate), {"body": "hi"}).status_code == 404
    assert client.patch(_detail(gate, comment), {"body": "x"}, content_type="application/json").status_code == 404
    assert client.delete(_detail(gate, comment)).status_code == 404
    assert client.get(f"/api/v1/collab/gate/{gate.pk}/activity/").status_code == 404
    assert Comment.objects.get().body == "private"
    assert client.get(_list(gate)).json()["detail"] == "Not found."


def test_anonymous_is_refused(client, gate):
    assert client.get(_list(gate)).status_code in (401, 403)


def test_unknown_target_kind_is_404(client_for, owner):
    assert client_for(owner).get("/api/v1/collab/spaceship/1/comments/").status_code == 404


def test_list_is_paginated_oldest_first_with_replies(client_for, owner, member, gate):
    root = comment_create(user=owner, target=gate, body="Root **bold**")
    comment_create(user=member, target=gate, body="Reply", parent=root)
    data = client_for(member).get(_list(gate)).json()
    assert data["count"] == 2
    first, second = data["results"]
    assert first["body"] == "Root **bold**"
    assert first["body_html"] == "<p>Root <strong>bold</strong></p>\n"
    assert second["parent"] == root.pk


def test_create_and_reply(client_for, owner, member, gate):
    client = client_for(member)
    created = _post(client, _list(gate), {"body": "Question"})
    assert created.status_code == 201
    reply = _post(client, _list(gate), {"body": "Answer", "parent": created.json()["id"]})
    assert reply.status_code == 201
    assert reply.json()["parent"] == created.json()["id"]


def test_create_with_a_parent_of_another_object_is_400(client_for, owner, gate, program):
    from tests.factories.risks import RiskFactory

    other = CommentFactory(target=RiskFactory(program=program), author=owner)
    response = _post(client_for(owner), _list(gate), {"body": "x", "parent": other.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parent"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "body"), ({"body": ""}, "body"), ({"body": "x" * 10_001}, "body"), ({"body": "a\x00b"}, "body"),
     ({"body": "ok", "parent": "abc"}, "parent"), ({"body": "ok", "parent": 10**30}, "parent")],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field(client_for, owner, gate, payload, field):
    response = _post(client_for(owner), _list(gate), payload)
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Comment.objects.exists()


def test_mention_refusal_is_a_400_and_posts_nothing(client_for, owner, outsider, gate):
    response = _post(client_for(owner), _list(gate), {"body": "@outsider look"})
    assert response.status_code == 400
    assert "@outsider cannot be notified" in response.json()["detail"]
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()


def test_mention_through_the_api_notifies(client_for, owner, project_manager, gate):
    assert _post(client_for(owner), _list(gate), {"body": "@pm please review"}).status_code == 201
    assert Notification.objects.filter(user=project_manager, kind="mentioned").count() == 1


def test_author_edits_and_deletes_others_get_403(client_for, owner, member, gate):
    comment = comment_create(user=owner, target=gate, body="Mine")
    other = client_for(member)
    assert other.patch(_detail(gate, comment), {"body": "Theirs"}, content_type="application/json").status_code == 403
    assert other.delete(_detail(gate, comment)).status_code == 403
    mine = client_for(owner)
    edited = mine.patch(_detail(gate, comment), {"body": "Mine, edited"}, content_type="application/json")
    assert edited.status_code == 200
    assert edited.json()["edited_at"] is not None
    assert mine.delete(_detail(gate, comment)).status_code == 204
    shown = mine.get(_detail(gate, comment)).json()
    assert shown["is_deleted"] is True
    assert shown["body"] == ""
    assert list(CommentRevision.objects.values_list("body", "reason")) == [
        ("Mine", "edited"),
        ("Mine, edited", "deleted"),
    ]


def test_edit_after_the_window_is_a_400(client_for, owner, gate):
    comment = comment_create(user=owner, target=gate, body="Old")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    response = client_for(owner).put(_detail(gate, comment), {"body": "New"}, content_type="application/json")
    assert response.status_code == 400
    assert "can no longer" in response.json()["detail"] or "no longer can" in response.json()["detail"]


def test_activity_endpoint_pages_by_cursor(client_for, owner, gate):
    for n in range(5):
        CommentFactory(target=gate, author=owner, body=f"n{n}", created_at=timezone.now() - dt.timedelta(minutes=n))
    client = client_for(owner)
    url = f"/api/v1/collab/gate/{gate.pk}/activity/"
    first = client.get(url, {"page_size": 3}).json()
    assert [i["summary"] for i in first["results"]] == ["n0", "n1", "n2"]
    assert first["results"][0]["target"] == "gate"
    second = client.get(url, {"page_size": 3, "cursor": first["next_cursor"]}).json()
    assert [i["summary"] for i in second["results"]] == ["n3", "n4"]
    assert second["next_cursor"] is None
    assert client.get(url, {"cursor": "bogus"}).status_code == 400
    assert client.get(url, {"page_size": "0"}).status_code == 400
    assert client.get(url, {"page_size": "many"}).status_code == 400


def test_program_activity_through_the_api_is_the_program_feed(client_for, owner, program, gate):
    CommentFactory(target=gate, author=owner, body="On the gate")
    data = client_for(owner).get(f"/api/v1/collab/program/{program.pk}/activity/").json()
    assert [(i["target"], i["summary"]) for i in data["results"]] == [("gate", "On the gate")]


def test_list_query_count_does_not_grow_with_comments(client_for, owner, member, gate, django_assert_max_num_queries):
    client = client_for(owner)
    for _ in range(3):
        CommentFactory(target=gate, author=member)
    with django_assert_max_num_queries(15) as small:
        client.get(_list(gate))
    for n in range(30):
        CommentFactory(target=gate, author=[owner, member][n % 2])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(_list(gate)).json()["count"] == 33


def test_schema_documents_the_nested_routes(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    assert set(paths["/api/v1/collab/{target}/{target_id}/comments/"]) == {"get", "post"}
    assert set(paths["/api/v1/collab/{target}/{target_id}/comments/{id}/"]) == {"get", "put", "patch", "delete"}
    assert "get" in paths["/api/v1/collab/{target}/{target_id}/activity/"]
