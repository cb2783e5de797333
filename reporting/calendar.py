"""The iCalendar (RFC 5545) feed of a program: its projects' milestones and stage gates as
all-day events, read at the secret URL of a CalendarFeed (reporting.models).

- `live_feed(token)`: the feed a token names, or None when it is unknown, revoked, its user is
  inactive or can no longer see the program (the view answers 404 for all of these alike).
- `program_calendar_events(user=, program=, today=)`: the events, bounded to one year back and
  two years ahead (at most MAX_EVENTS), only from projects `user` can see. Three queries.
- `render_ics(...)`: the calendar text, CRLF line endings, lines folded at 75 octets.

UIDs are stable per object (`keel-milestone-<task pk>@<host>`, `keel-gate-<gate pk>@<host>`), so a
calendar app updates an event in place when its date moves.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse

from governance.models import StageGate
from portfolio.models import Program
from projects.models import Project, Task

from .models import CalendarFeed

DAYS_BACK = 365
DAYS_AHEAD = 2 * 365
MAX_EVENTS = 2000  # per kind: a bound on the response whatever the program's size
LINE_OCTETS = 75
CRLF = "\r\n"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One all-day event. `path` is the page it links to (made absolute by the view)."""

    kind: str  # "milestone" or "gate"
    pk: int
    day: dt.date
    summary: str
    description: str
    path: str


def live_feed(token: str) -> CalendarFeed | None:
    """The unrevoked feed with `token` whose user is active and still sees its program, else None."""
    feed = (
        CalendarFeed.objects.select_related("user", "program")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None or not Program.objects.visible_to(feed.user).filter(pk=feed.program_id).exists():
        return None
    return feed


def feed_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day the feed covers."""
    return today - dt.timedelta(days=DAYS_BACK), today + dt.timedelta(days=DAYS_AHEAD)


def program_calendar_events(*, user, program: Program, today: dt.date) -> list[CalendarEvent]:
    """Milestones (by finish, in the project's time zone) and gates (by planned date) of the
    projects of `program` that `user` can see, within feed_window(today), by day."""
    first, last = feed_window(today)
    projects = Project.objects.visible_to(user).filter(program=program).values("pk")
    # Widened by a day each side for the time zones; the exact day is checked below.
    start = dt.datetime.combine(first - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
    milestones = (
        Task.objects.filter(project__in=projects, is_milestone=True, finish__gte=start, finish__lt=end)
        .select_related("project")
        .order_by("finish", "pk")[:MAX_EVENTS]
    )
    gates = (
        StageGate.objects.filter(project__in=projects, planned_date__range=(first, last))
        .select_related("project")
        .order_by("planned_date", "pk")[:MAX_EVENTS]
    )
    events = []
    for task in milestones:
        day = task.finish.astimezone(zoneinfo.ZoneInfo(task.project.time_zone)).date()
        if first <= day <= last:
            events.append(
                CalendarEvent(
                    kind="milestone",
                    pk=task.pk,
                    day=day,
                    summary=f"◆ {task.project.code}: {task.name}",
                    description=f"Milestone of {task.project.code} {task.project.name}"
                    + (" (complete)" if task.percent_complete == 100 else ""),
                    path=reverse("projects:schedule", args=[task.project.code]),
                )
            )
    for gate in gates:
        events.append(
            CalendarEvent(
                kind="gate",
                pk=gate.pk,
                day=gate.planned_date,
                summary=f"Gate {gate.project.code}: {gate.name}",
                description=(
                    f"Stage gate of {gate.project.code} {gate.project.name}: "
                    f"{gate.get_from_phase_display()} → {gate.get_to_phase_display()} ({gate.get_decision_display()})"
                ),
                path=reverse("governance:gate-detail", args=[gate.project.code, gate.pk]),
            )
        )
    events.sort(key=lambda event: (event.day, event.kind, event.pk))
    return events


# -- RFC 5545 text -------------------------------------------------------------------------------


def escape_text(text: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """`line` folded (RFC 5545 3.1): at most 75 octets per physical line, continuation lines
    starting with one space, never splitting a UTF-8 character."""
    pieces: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_OCTETS:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return CRLF.join(pieces)


def _utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def render_ics(*, name: str, events: Iterable[CalendarEvent], host: str, base_url: str, now: dt.datetime) -> str:
    """The VCALENDAR text: one all-day VEVENT per event. `base_url` ("https://host") makes the
    events' links absolute; `host` names the UIDs."""
    stamp = _utc_stamp(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Keel//Program calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"NAME:{escape_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:keel-{event.kind}-{event.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(event.description)}",
            f"URL:{base_url}{event.path}",
            f"CATEGORIES:{'Milestone' if event.kind == 'milestone' else 'Stage gate'}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
