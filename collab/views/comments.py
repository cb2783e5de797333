"""The discussion of one object: its threads, the post and reply forms, edit and delete.

`/collab/<slug>/<pk>/discussion/` answers the section's fragment to htmx (the collab_panel of
a detail page loads it) and a full page otherwise. An object the user cannot see is 404 for
every view here, whatever the comment id. Anyone who sees the object may post; only the
author edits (within the window) or deletes.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from core.views import refused_status

from ..forms import CommentForm
from ..links import object_url
from ..models import Comment
from ..selectors.comments import comment_for, decorate, discussion
from ..services.comments import comment_create, comment_delete, comment_edit
from ..targets import TARGETS, target_object


def _target(request, slug: str, pk: int):
    obj = target_object(slug=slug, pk=pk, user=request.user)
    if obj is None:
        raise Http404
    return TARGETS[slug], obj


def _context(request, slug, obj, *, form=None, reply_form=None, reply_to=None, record_visit=True) -> dict:
    target = TARGETS[slug]
    return {
        "slug": slug,
        "target": target,
        "obj": obj,
        "object_url": object_url(slug, obj),
        "discussion": discussion(obj=obj, user=request.user, page=request.GET.get("page"), record_visit=record_visit),
        "form": form or CommentForm(auto_id=f"id_comment_{slug}_{obj.pk}_%s"),
        "reply_form": reply_form,
        "reply_to": reply_to,
        "discussion_url": reverse("collab:discussion", args=[slug, obj.pk]),
    }


def _answer(request, context: dict, status: int = 200):
    template = "collab/_discussion.html" if request.htmx else "collab/discussion_page.html"
    return render(request, template, context, status=status)


@login_required
def discussion_view(request, slug: str, pk: int):
    _, obj = _target(request, slug, pk)
    if request.method == "GET":
        return _answer(request, _context(request, slug, obj))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = CommentForm(request.POST, auto_id=f"id_comment_{slug}_{obj.pk}_%s")
    parent = None
    if form.is_valid():
        parent_id = form.cleaned_data.get("parent")
        if parent_id:
            parent = comment_for(obj=obj, pk=parent_id)
            if parent is None:
                form.add_error("body", "The comment you reply to is not part of this discussion.")
        if form.is_valid():
            try:
                comment_create(user=request.user, target=obj, body=form.cleaned_data["body"], parent=parent)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if request.htmx:
                    return _answer(request, _context(request, slug, obj))
                return redirect(reverse("collab:discussion", args=[slug, obj.pk]))
    reply_to = parent.parent_id or parent.pk if parent else None
    context = (
        _context(request, slug, obj, reply_form=form, reply_to=reply_to, record_visit=False)
        if reply_to
        else _context(request, slug, obj, form=form, record_visit=False)
    )
    return _answer(request, context, status=refused_status(request))


def _own_comment(request, slug: str, pk: int, comment_pk: int) -> tuple:
    _, obj = _target(request, slug, pk)
    comment = comment_for(obj=obj, pk=comment_pk)
    if comment is None:
        raise Http404
    return obj, comment


def _comment_fragment(request, slug, obj, comment: Comment, *, status=200):
    decorate(comment, user=request.user, last_visit=None, now=timezone.now())
    if comment.parent_id is None:
        comment.thread_replies = []  # the fragment replaces the comment's own article only
    return render(
        request,
        "collab/_comment.html",
        {"comment": comment, "slug": slug, "obj": obj, "standalone": True},
        status=status,
    )


@login_required
def comment_view(request, slug: str, pk: int, comment_pk: int):
    """One comment (the edit form's "Cancel" puts it back)."""
    obj, comment = _own_comment(request, slug, pk, comment_pk)
    if not request.htmx:
        return redirect(reverse("collab:discussion", args=[slug, obj.pk]) + f"#comment-{comment.pk}")
    return _comment_fragment(request, slug, obj, comment)


@login_required
def comment_edit_view(request, slug: str, pk: int, comment_pk: int):
    obj, comment = _own_comment(request, slug, pk, comment_pk)
    form = CommentForm(request.POST or None, initial={"body": comment.body}, auto_id=f"id_edit_{comment.pk}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            comment = comment_edit(user=request.user, comment=comment, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if request.htmx:
                return _comment_fragment(request, slug, obj, comment_for(obj=obj, pk=comment.pk))
            return redirect(reverse("collab:discussion", args=[slug, obj.pk]) + f"#comment-{comment.pk}")
    context = {
        "form": form,
        "comment": comment,
        "slug": slug,
        "obj": obj,
        "target": TARGETS[slug],
        "object_url": object_url(slug, obj),
        "discussion_url": reverse("collab:discussion", args=[slug, obj.pk]),
    }
    status = refused_status(request) if form.is_bound else 200
    template = "collab/_comment_edit.html" if request.htmx else "collab/comment_edit_page.html"
    return render(request, template, context, status=status)


@login_required
def comment_delete_view(request, slug: str, pk: int, comment_pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj, comment = _own_comment(request, slug, pk, comment_pk)
    try:
        comment = comment_delete(user=request.user, comment=comment)
    except ValidationError as error:
        if request.htmx:
            comment.error = "; ".join(error.messages)
            return _comment_fragment(request, slug, obj, comment, status=refused_status(request))
        raise PermissionDenied("; ".join(error.messages)) from error
    if request.htmx:
        return _comment_fragment(request, slug, obj, comment_for(obj=obj, pk=comment.pk))
    return redirect(reverse("collab:discussion", args=[slug, obj.pk]) + f"#comment-{comment.pk}")


urlpatterns = [
    path("<slug:slug>/<int:pk>/discussion/", discussion_view, name="discussion"),
    path("<slug:slug>/<int:pk>/comments/<int:comment_pk>/", comment_view, name="comment"),
    path("<slug:slug>/<int:pk>/comments/<int:comment_pk>/edit/", comment_edit_view, name="comment-edit"),
    path("<slug:slug>/<int:pk>/comments/<int:comment_pk>/delete/", comment_delete_view, name="comment-delete"),
]
