"""Writes of comments: post (with @mentions), edit within the window, delete. Both edit and
delete keep the earlier body as a CommentRevision. Errors are ValidationErrors keyed by
"body" (or "parent"), with the texts below; the callers have already checked that the user
sees the target (collab.targets.target_object), so the target itself is never in question.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.notifications import Alert, Kind, notifications_raise
from core.tasks import notifications_send

from ..markdown import mentioned_usernames
from ..models import COMMENT_MAX_CHARS, Comment, CommentRevision
from ..targets import program_id_of, target_for_model

BODY_EMPTY = "Write something before posting."
BODY_TOO_LONG = "A comment is at most {max} characters; this one has {count}."
BODY_NUL = "A comment cannot contain a NUL character."
NOT_AUTHOR = "Only the author of a comment can edit or delete it."
EDIT_WINDOW_CLOSED = "A comment can be edited for {minutes} minutes after it is posted; this one no longer can."
ALREADY_DELETED = "This comment has been deleted."
PARENT_ELSEWHERE = "The comment you reply to is not part of this discussion."
# One text whether the name is unknown or the person cannot see the object: a refusal must not
# tell the author who exists or who has access.
MENTION_REFUSED = (
    "@{username} cannot be notified: nobody of that name can see this {label}. Remove the mention to post."
)
TOO_MANY_MENTIONS = "A comment can mention at most {max} people."
MAX_MENTIONS = 20
MENTION_TITLE = "{author} mentioned you on {label} {obj}"
MENTION_BODY_CHARS = 500


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if "\x00" in body:
        raise ValidationError({"body": BODY_NUL})
    if not body:
        raise ValidationError({"body": BODY_EMPTY})
    if len(body) > COMMENT_MAX_CHARS:
        raise ValidationError({"body": BODY_TOO_LONG.format(max=f"{COMMENT_MAX_CHARS:,}", count=f"{len(body):,}")})
    return body


def _mention_recipients(*, author, target, body: str, already: set[str] = frozenset()) -> list:
    """The users `body` mentions (beyond `already`, and not the author), each able to see
    `target`. Raises MENTION_REFUSED for the first name that is unknown or cannot see it.
    Two queries whatever the number of names."""
    names = [n for n in mentioned_usernames(body) if n not in already and n != author.get_username()]
    if not names:
        return []
    if len(names) > MAX_MENTIONS:
        raise ValidationError({"body": TOO_MANY_MENTIONS.format(max=MAX_MENTIONS)})
    model = type(target)
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=names, is_active=True)}
    seeing = set()
    for user in users.values():
        # visible_to is per user; a comment names a handful of people at most.
        if model.objects.visible_to(user).filter(pk=target.pk).exists():
            seeing.add(user.get_username())
    label = target_for_model(model).label
    for name in names:
        if name not in seeing:
            raise ValidationError({"body": MENTION_REFUSED.format(username=name, label=label)})
    return [users[n] for n in names]


def comment_url(comment: Comment, *, slug: str) -> str:
    return reverse("collab:discussion", args=[slug, comment.object_id]) + f"#comment-{comment.pk}"


def _notify(*, comment: Comment, target, recipients: list) -> None:
    if not recipients:
        return
    t = target_for_model(type(target))
    title = MENTION_TITLE.format(
        author=comment.author.get_full_name() or comment.author.get_username(), label=t.label, obj=target
    )
    body = comment.body if len(comment.body) <= MENTION_BODY_CHARS else comment.body[:MENTION_BODY_CHARS] + "…"
    url = comment_url(comment, slug=t.slug)
    notifications_raise(
        alerts=[Alert(user_id=u.pk, kind=Kind.MENTIONED, title=title, body=body, url=url) for u in recipients]
    )
    # The e-mails (for those whose preference wants one at once) go after commit, as the
    # other notifications do; a failed send is retried by the periodic delivery run.
    transaction.on_commit(lambda: notifications_send.delay(), robust=True)


@transaction.atomic
def comment_create(*, user, target, body: str, parent: Comment | None = None) -> Comment:
    """Post `body` on `target` as `user`, a reply when `parent` is given (a reply to a reply
    joins the thread of its top-level comment). Notifies everyone mentioned."""
    body = _clean_body(body)
    content_type = ContentType.objects.get_for_model(type(target))
    if parent is not None:
        if parent.content_type_id != content_type.pk or parent.object_id != target.pk:
            raise ValidationError({"parent": PARENT_ELSEWHERE})
        if parent.parent_id is not None:
            parent = Comment.objects.get(pk=parent.parent_id)
    recipients = _mention_recipients(author=user, target=target, body=body)
    comment = Comment.objects.create(
        content_type=content_type,
        object_id=target.pk,
        program_id=program_id_of(target),
        parent=parent,
        author=user,
        body=body,
    )
    _notify(comment=comment, target=target, recipients=recipients)
    return comment


def edit_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.KEEL_COMMENT_EDIT_MINUTES)


def can_edit(comment: Comment, user, *, now: dt.datetime | None = None) -> bool:
    """Whether `user` may still edit `comment` (its author, inside the window, not deleted)."""
    now = now or timezone.now()
    return comment.author_id == user.pk and comment.deleted_at is None and now - comment.created_at <= edit_window()


def _locked(comment: Comment, user) -> Comment:
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != user.pk:
        raise ValidationError({"body": NOT_AUTHOR})
    if comment.deleted_at is not None:
        raise ValidationError({"body": ALREADY_DELETED})
    return comment


@transaction.atomic
def comment_edit(*, user, comment: Comment, body: str) -> Comment:
    """Replace the body of `user`'s own comment within the edit window, keeping the earlier
    body as a revision. People newly mentioned are notified (the refused ones refuse it)."""
    comment = _locked(comment, user)
    if timezone.now() - comment.created_at > edit_window():
        raise ValidationError({"body": EDIT_WINDOW_CLOSED.format(minutes=settings.KEEL_COMMENT_EDIT_MINUTES)})
    body = _clean_body(body)
    if body == comment.body:
        return comment
    target = comment.target
    recipients = _mention_recipients(
        author=user, target=target, body=body, already=set(mentioned_usernames(comment.body))
    )
    CommentRevision.objects.create(comment=comment, body=comment.body, reason=CommentRevision.Reason.EDITED)
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at", "updated_at"])
    _notify(comment=comment, target=target, recipients=recipients)
    return comment


@transaction.atomic
def comment_delete(*, user, comment: Comment) -> Comment:
    """Delete `user`'s own comment: its body moves to a revision, the row stays (its replies
    keep their thread) and shows as "comment deleted"."""
    comment = _locked(comment, user)
    CommentRevision.objects.create(comment=comment, body=comment.body, reason=CommentRevision.Reason.DELETED)
    comment.body = ""
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["body", "deleted_at", "updated_at"])
    return comment
