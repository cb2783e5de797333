"""Activity feeds: one object's (`/collab/<slug>/<pk>/activity/`) and one program's
(`/collab/programs/<code>/activity/`, linked from the program's pages). "Older activity" loads
the next page by cursor (appended in place by htmx, a plain link otherwise)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse

from portfolio.models import Program

from ..links import object_url
from ..selectors.feed import BadCursorError, object_feed, program_feed
from ..targets import TARGETS, target_object

BAD_CURSOR_STATUS = 400


def _answer(request, context: dict):
    more = bool(request.GET.get("cursor")) and request.htmx
    template = "collab/_feed_items.html" if more else "collab/activity_page.html"
    return render(request, template, context)


def _refused(request, error):
    return render(request, "collab/activity_refused.html", {"error": error}, status=BAD_CURSOR_STATUS)


@login_required
def object_activity(request, slug: str, pk: int):
    obj = target_object(slug=slug, pk=pk, user=request.user)
    if obj is None:
        raise Http404
    try:
        feed = object_feed(obj=obj, user=request.user, cursor=request.GET.get("cursor"), record_visit=True)
    except BadCursorError as error:
        return _refused(request, error)
    context = {
        "feed": feed,
        "obj": obj,
        "target": TARGETS[slug],
        "object_url": object_url(slug, obj),
        "here": reverse("collab:activity", args=[slug, obj.pk]),
        "show_objects": slug == "program",
    }
    return _answer(request, context)


@login_required
def program_activity(request, code: str):
    program = Program.objects.visible_to(request.user).filter(code=code).first()
    if program is None:
        raise Http404
    try:
        feed = program_feed(program=program, user=request.user, cursor=request.GET.get("cursor"), record_visit=True)
    except BadCursorError as error:
        return _refused(request, error)
    context = {
        "feed": feed,
        "obj": program,
        "program": program,
        "target": TARGETS["program"],
        "object_url": object_url("program", program),
        "here": reverse("collab:program-activity", args=[program.code]),
        "show_objects": True,
    }
    return _answer(request, context)


urlpatterns = [
    path("<slug:slug>/<int:pk>/activity/", object_activity, name="activity"),
    path("programs/<str:code>/activity/", program_activity, name="program-activity"),
]
