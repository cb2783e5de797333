"""A discussion: the threads of one object, newest activity first, paginated, each comment
with its sanitised HTML and what the reader may do with it. Queries do not grow with the
number of comments (threads, their replies and authors in three)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Max, Prefetch
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..markdown import render
from ..models import Comment, LastVisit
from ..services.comments import can_edit
from .visits import visit_record

THREADS_PER_PAGE = 20


@dataclass
class Discussion:
    page: Page  # of top-level comments, each with `.thread_replies`
    last_visit: dt.datetime | None  # the reader's previous visit; None the first time
    new_count: int  # comments by others since then (0 on a first visit)
    total: int  # comments, replies and deleted ones included


def comments_on(obj):
    content_type = ContentType.objects.get_for_model(type(obj))
    return Comment.objects.filter(content_type=content_type, object_id=obj.pk)


def decorate(comment: Comment, *, user, last_visit: dt.datetime | None, now: dt.datetime) -> Comment:
    """Attach what the templates show: `html`, `is_new`, `may_edit`, `may_delete`."""
    comment.html = "" if comment.deleted_at else render(comment.body)
    comment.is_new = bool(last_visit and comment.created_at > last_visit and comment.author_id != user.pk)
    comment.may_edit = can_edit(comment, user, now=now)
    comment.may_delete = comment.author_id == user.pk and comment.deleted_at is None
    return comment


def comment_for(*, obj, pk) -> Comment | None:
    """One comment of `obj` (the caller has checked `obj` is visible), or None."""
    try:
        return comments_on(obj).select_related("author").filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def discussion(*, obj, user, page=None, record_visit: bool = True) -> Discussion:
    """Page `page` of `obj`'s threads for `user` (who sees `obj`), and, when `record_visit`,
    the visit recorded for the "since my last visit" marker."""
    replies = Prefetch(
        "replies",
        queryset=Comment.objects.select_related("author").order_by("created_at", "id"),
        to_attr="thread_replies",
    )
    threads = (
        comments_on(obj)
        .filter(parent__isnull=True)
        .select_related("author")
        .prefetch_related(replies)
        .annotate(last_activity=Coalesce(Max("replies__created_at"), "created_at"))
        .order_by("-last_activity", "-id")
    )
    paginator = Paginator(threads, THREADS_PER_PAGE)
    page_obj = paginator.get_page(page)
    if record_visit:
        last_visit = visit_record(user=user, obj=obj, scope=LastVisit.Scope.DISCUSSION)
    else:
        last_visit = (
            LastVisit.objects.filter(
                user=user,
                content_type=ContentType.objects.get_for_model(type(obj)),
                object_id=obj.pk,
                scope=LastVisit.Scope.DISCUSSION,
            )
            .values_list("at", flat=True)
            .first()
        )
    now = timezone.now()
    for thread in page_obj:
        decorate(thread, user=user, last_visit=last_visit, now=now)
        for reply in thread.thread_replies:
            decorate(reply, user=user, last_visit=last_visit, now=now)
    all_comments = comments_on(obj)
    new_count = all_comments.filter(created_at__gt=last_visit).exclude(author=user).count() if last_visit else 0
    total = all_comments.count() if paginator.count else 0
    return Discussion(page=page_obj, last_visit=last_visit, new_count=new_count, total=total)
