"""A program's iCalendar feed: the page that shows the user's secret feed URL and creates or
revokes it, and the feed itself (no login: calendar apps cannot log in, the token is the
credential; reporting.calendar)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from portfolio.models import Program

from ..calendar import live_feed, program_calendar_events, render_ics
from ..models import CalendarFeed
from ..services.calendar import calendar_feed_create, calendar_feed_revoke

FEED_CREATED = "Calendar feed URL created. Subscribe to it in your calendar app."
FEED_REVOKED = "Calendar feed URL revoked. Calendars subscribed to it no longer receive updates."


def _visible_program(request, code: str) -> Program:
    return get_object_or_404(Program.objects.visible_to(request.user).select_related("portfolio"), code=code)


def _live_feed_of(user, program) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, program=program, revoked_at__isnull=True).first()


@login_required
@require_http_methods(["GET", "POST"])
def program_calendar(request, code: str):
    """GET: the user's feed URL of the program (or the button creating one); POST: create it."""
    program = _visible_program(request, code)
    if request.method == "POST":
        calendar_feed_create(user=request.user, program=program)
        messages.success(request, FEED_CREATED)
        return redirect("reporting:program-calendar", program.code)
    feed = _live_feed_of(request.user, program)
    feed_url = request.build_absolute_uri(reverse("reporting:calendar-feed", args=[feed.token])) if feed else None
    return render(request, "reporting/program_calendar.html", {"program": program, "feed": feed, "feed_url": feed_url})


@login_required
@require_http_methods(["GET", "POST"])
def program_calendar_revoke(request, code: str):
    """GET: what revoking does, and a button to confirm; POST: revoke the user's live feed."""
    program = _visible_program(request, code)
    feed = _live_feed_of(request.user, program)
    if request.method == "POST":
        if feed is not None:
            calendar_feed_revoke(feed=feed)
            messages.success(request, FEED_REVOKED)
        return redirect("reporting:program-calendar", program.code)
    return render(request, "reporting/program_calendar_revoke.html", {"program": program, "feed": feed})


@require_GET
def calendar_feed(request, token: str):
    """The .ics text of a live feed; 404 alike for an unknown or revoked token and for a user who
    can no longer see the program."""
    feed = live_feed(token)
    if feed is None:
        raise Http404("No such calendar feed.")
    program = feed.program
    events = program_calendar_events(user=feed.user, program=program, today=timezone.localdate())
    body = render_ics(
        name=f"{program.code} {program.name}: milestones and gates",
        events=events,
        host=request.get_host().split(":")[0],
        base_url=f"{request.scheme}://{request.get_host()}",
        now=timezone.now(),
    )
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{program.code}-calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
