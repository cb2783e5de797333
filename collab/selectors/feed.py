"""Activity feeds: what happened to one object, or to everything a user can see in one program,
in one timeline, newest first: comments, attachment uploads, and the audit log's entries
(an entry that changes `status` is shown as a status change).

Paginated by a cursor (the sort key of the last item shown), so a page is stable while new
items arrive. A page costs a fixed number of queries: one per source (three), plus one per
kind of object the page links to (at most one per collab target), whatever the number of rows.

Access: the caller has checked that the user sees the object (object feed) or the program
(program feed). A program feed restricts every source to objects the user sees
(each target model's own `visible_to`), so nothing of a hidden project leaks through it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.urls import reverse

from core.models import AuditEntry

from ..links import LINK_RELATED, object_url
from ..models import AttachmentVersion, Comment, LastVisit
from ..targets import TARGETS, Target, target_for_model
from .visits import visit_record

PAGE_SIZE = 30
MAX_PAGE_SIZE = 100
EXCERPT_CHARS = 200
BAD_CURSOR = "Not a cursor this feed issued; start again from the first page."

# Sort rank of each source, the tie-break after the time (the cursor carries it).
COMMENT, ATTACHMENT, AUDIT = 3, 2, 1
KIND_NAMES = {COMMENT: "comment", ATTACHMENT: "attachment", AUDIT: "audit"}
_BY_LABEL = {t.model_label.lower(): t for t in TARGETS.values()}


class BadCursorError(ValueError):
    pass


@dataclass
class FeedItem:
    kind: str  # "comment", "attachment", "status" or "audit"
    at: dt.datetime
    actor: object  # a user, or None (a system change)
    verb: str  # "commented on", "uploaded to", "changed the status of", …
    summary: str  # plain text
    target: Target | None
    object_id: int
    rank: int
    row_id: int
    object_repr: str = ""
    obj: object = None
    url: str = ""  # where the item itself is (a comment's anchor), else the object's page
    object_url: str = ""
    is_new: bool = False

    @property
    def cursor(self) -> str:
        return cursor_of(self.at, self.rank, self.row_id)


@dataclass
class Feed:
    items: list[FeedItem]
    next_cursor: str | None  # None: this is the last page
    last_visit: dt.datetime | None
    new_count: int = 0  # items on this page newer than the last visit
    marker_after: int | None = field(default=None)  # index of the last new item on this page


def cursor_of(at: dt.datetime, rank: int, row_id: int) -> str:
    return f"{at.isoformat()}~{rank}~{row_id}"


def parse_cursor(value: str | None) -> tuple[dt.datetime, int, int] | None:
    """The sort key a cursor names; None for no cursor; BadCursorError for anything else."""
    if not value:
        return None
    try:
        at_text, rank, row_id = value.replace(" ", "+").split("~")
        at = dt.datetime.fromisoformat(at_text)
        rank, row_id = int(rank), int(row_id)
    except ValueError:
        raise BadCursorError(BAD_CURSOR) from None
    if at.tzinfo is None or rank not in KIND_NAMES or not 0 < row_id < 2**63:
        raise BadCursorError(BAD_CURSOR)
    return at, rank, row_id


def _after(cursor, rank: int, at_field: str) -> Q:
    """Rows that sort after `cursor` in (time, rank, id) descending order, for one source."""
    if cursor is None:
        return Q()
    at, c_rank, c_id = cursor
    if rank < c_rank:
        return Q(**{f"{at_field}__lte": at})
    if rank > c_rank:
        return Q(**{f"{at_field}__lt": at})
    return Q(**{f"{at_field}__lt": at}) | Q(**{at_field: at, "pk__lt": c_id})


# --- which rows: one object, or the visible objects of one program ------------------------------


def _visible_ids(target: Target, *, user, program_id: int):
    return target.model.objects.visible_to(user).filter(**{target.program_field: program_id}).values("pk")


def _scope(*, user, obj=None, program=None) -> dict[str, Q]:
    """Filters per source: for `obj`, its rows; for `program`, the rows of every object of the
    program that `user` sees."""
    if obj is not None:
        content_type = ContentType.objects.get_for_model(type(obj))
        return {
            "comment": Q(content_type=content_type, object_id=obj.pk),
            "attachment": Q(attachment__content_type=content_type, attachment__object_id=obj.pk),
            "audit": Q(object_type=type(obj)._meta.label_lower, object_id=str(obj.pk)),
        }
    comment_q, attachment_q, audit_q = Q(), Q(), Q()
    types = ContentType.objects.get_for_models(*(t.model for t in TARGETS.values()))
    for target in TARGETS.values():
        content_type = types[target.model]
        ids = _visible_ids(target, user=user, program_id=program.pk)
        comment_q |= Q(content_type=content_type, object_id__in=ids)
        attachment_q |= Q(attachment__content_type=content_type, attachment__object_id__in=ids)
        # The audit log names objects by label and a text id.
        audit_q |= Q(
            object_type=target.model_label.lower(),
            object_id__in=ids.annotate(text_id=Cast("pk", CharField())).values("text_id"),
        )
    return {
        "comment": Q(program_id=program.pk) & comment_q,
        "attachment": Q(attachment__program_id=program.pk) & attachment_q,
        "audit": audit_q,
    }


# --- the rows, as feed items ---------------------------------------------------------------------


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _comment_items(q: Q, cursor, limit: int) -> list[FeedItem]:
    rows = (
        Comment.objects.filter(q, _after(cursor, COMMENT, "created_at"))
        .select_related("author", "content_type")
        .order_by("-created_at", "-id")[:limit]
    )
    items = []
    for c in rows:
        target = target_for_model(c.content_type.model_class())
        items.append(
            FeedItem(
                kind="comment",
                at=c.created_at,
                actor=c.author,
                verb="replied on" if c.parent_id else "commented on",
                summary="comment deleted" if c.deleted_at else _excerpt(c.body),
                target=target,
                object_id=c.object_id,
                rank=COMMENT,
                row_id=c.pk,
                url=reverse("collab:discussion", args=[target.slug, c.object_id]) + f"#comment-{c.pk}",
            )
        )
    return items


def _attachment_items(q: Q, cursor, limit: int) -> list[FeedItem]:
    rows = (
        AttachmentVersion.objects.filter(q, _after(cursor, ATTACHMENT, "uploaded_at"))
        .select_related("attachment__content_type", "uploaded_by")
        .order_by("-uploaded_at", "-id")[:limit]
    )
    items = []
    for v in rows:
        a = v.attachment
        version = f" (version {v.number})" if v.number > 1 else ""
        items.append(
            FeedItem(
                kind="attachment",
                at=v.uploaded_at,
                actor=v.uploaded_by,
                verb="uploaded a file to",
                summary=f"{a.name}{version}",
                target=target_for_model(a.content_type.model_class()),
                object_id=a.object_id,
                rank=ATTACHMENT,
                row_id=v.pk,
            )
        )
    return items


def _audit_summary(entry: AuditEntry) -> tuple[str, str, str]:
    """(kind, verb, summary) of an audit entry."""
    changes = entry.changes or {}
    status = changes.get("status")
    if entry.action == AuditEntry.Action.UPDATE and isinstance(status, list) and len(status) == 2:
        old, new = status
        return "status", "changed the status of", f"{old or '—'} → {new or '—'}"
    verb = {"create": "created", "update": "updated", "delete": "deleted"}.get(entry.action, entry.action)
    fields = ", ".join(name.replace("_", " ") for name in sorted(changes)[:6])
    more = "…" if len(changes) > 6 else ""
    return "audit", verb, (f"changed {fields}{more}" if entry.action == "update" and fields else "")


def _audit_items(q: Q, cursor, limit: int) -> list[FeedItem]:
    rows = (
        AuditEntry.objects.filter(q, _after(cursor, AUDIT, "at")).select_related("actor").order_by("-at", "-id")[:limit]
    )
    items = []
    for e in rows:
        kind, verb, summary = _audit_summary(e)
        try:
            object_id = int(e.object_id)
        except ValueError:
            continue
        items.append(
            FeedItem(
                kind=kind,
                at=e.at,
                actor=e.actor,
                verb=verb,
                summary=summary,
                target=_BY_LABEL.get(e.object_type),
                object_id=object_id,
                rank=AUDIT,
                row_id=e.pk,
                object_repr=e.object_repr,
            )
        )
    return items


def _attach_objects(items: list[FeedItem], *, obj=None) -> None:
    """Give each item its object and links: one query per kind of object on the page."""
    wanted: dict[str, set[int]] = {}
    for item in items:
        if item.target is not None:
            wanted.setdefault(item.target.slug, set()).add(item.object_id)
    found: dict[tuple[str, int], object] = {}
    if obj is not None:
        slug = target_for_model(type(obj)).slug
        found[(slug, obj.pk)] = obj
    else:
        for slug, ids in wanted.items():
            target = TARGETS[slug]
            rows = target.model.objects.filter(pk__in=ids)
            if LINK_RELATED.get(slug):
                rows = rows.select_related(*LINK_RELATED[slug])
            found.update({(slug, row.pk): row for row in rows})
    for item in items:
        if item.target is None:
            continue
        item.obj = found.get((item.target.slug, item.object_id))
        if item.obj is not None:
            item.object_repr = str(item.obj)
            item.object_url = object_url(item.target.slug, item.obj)
        item.url = item.url or item.object_url


def _feed(*, user, scope: dict[str, Q], cursor, page_size: int, last_visit, obj=None) -> Feed:
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    limit = page_size + 1
    merged = [
        *_comment_items(scope["comment"], cursor, limit),
        *_attachment_items(scope["attachment"], cursor, limit),
        *_audit_items(scope["audit"], cursor, limit),
    ]
    merged.sort(key=lambda i: (i.at, i.rank, i.row_id), reverse=True)
    items, more = merged[:page_size], len(merged) > page_size
    _attach_objects(items, obj=obj)
    feed = Feed(items=items, next_cursor=items[-1].cursor if more and items else None, last_visit=last_visit)
    if last_visit is not None:
        for index, item in enumerate(items):
            mine = item.actor is not None and getattr(item.actor, "pk", None) == user.pk
            if item.at > last_visit and not mine:
                item.is_new = True
                feed.new_count += 1
            if item.at > last_visit:
                feed.marker_after = index
    return feed


def _last_visit(*, user, obj, record: bool):
    if record:
        return visit_record(user=user, obj=obj, scope=LastVisit.Scope.FEED)
    content_type = ContentType.objects.get_for_model(type(obj))
    return (
        LastVisit.objects.filter(user=user, content_type=content_type, object_id=obj.pk, scope=LastVisit.Scope.FEED)
        .values_list("at", flat=True)
        .first()
    )


def object_feed(*, obj, user, cursor: str | None = None, page_size: int = PAGE_SIZE, record_visit=False) -> Feed:
    """The timeline of `obj` (which `user` sees); a program's is its program feed.
    BadCursorError for a cursor it did not issue. The visit is recorded (for the "since my last
    visit" marker) only when `record_visit` and on the first page."""
    if target_for_model(type(obj)).slug == "program":
        return program_feed(program=obj, user=user, cursor=cursor, page_size=page_size, record_visit=record_visit)
    key = parse_cursor(cursor)
    last_visit = _last_visit(user=user, obj=obj, record=record_visit and key is None)
    return _feed(
        user=user, scope=_scope(user=user, obj=obj), cursor=key, page_size=page_size, last_visit=last_visit, obj=obj
    )


def program_feed(*, program, user, cursor: str | None = None, page_size: int = PAGE_SIZE, record_visit=False) -> Feed:
    """The timeline of everything `user` sees in `program` (which they see)."""
    key = parse_cursor(cursor)
    last_visit = _last_visit(user=user, obj=program, record=record_visit and key is None)
    return _feed(
        user=user, scope=_scope(user=user, program=program), cursor=key, page_size=page_size, last_visit=last_visit
    )
