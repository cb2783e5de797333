"""Schedule assignments as staffing load and labour cost, where no allocation covers them.

A project's schedule file assigns its resources to tasks (projects.ScheduleAssignment); the
import matches each resource to a person or a role (staffing.ResourceMatch). Those assignments
are demand the plan already knows, so they count:

- in a **person's load** (utilisation, conflicts): the assignment's work spread evenly over the
  working days (Monday to Friday) of its task, from the task's start day to its finish day;
- in the **labour cost forecast**: the *remaining* work spread over the task's working days from
  the forecast's first day on, costed as an allocation is (the person's rate in force, else
  their primary role's standard rate; a role-matched resource at its role's standard rate).

**The allocation wins.** An allocation is the resource manager's booking of record; an
assignment is the planner's estimate of the same work. So on any day where the person has an
allocation on the same project (any role), that project's assignments of the person count for
nothing that day: never both. Role-matched assignments have no person to allocate, so they
always count in the forecast (and never in anyone's load). Unmatched resources count nowhere.
Completed and cancelled projects count nothing, as for allocations.

Each function runs one query (plus the allocations it is given).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from projects.models import Project, ScheduleAssignment, ScheduleResource

from . import capacity
from .capacity import Booking

ZERO = Decimal(0)
SIXTY = Decimal(60)
FINISHED = (Project.Status.COMPLETED, Project.Status.CANCELLED)
# Keys of assignment bookings are strings ("a<pk>.<segment>"), so they never collide with the
# allocation pks that key the allocation bookings.
KEY_PREFIX = "a"


@dataclass(frozen=True)
class AssignmentWork:
    """One assignment, as staffing needs it: who (person or role), where, when, how much."""

    pk: int
    project_id: int
    person_id: int | None
    role_id: int | None
    start: dt.date
    finish: dt.date
    work_hours: Decimal
    remaining_hours: Decimal
    portfolio_id: int | None = None  # the matched person's pool
    standard_rate: Decimal | None = None  # the matched role's, else the person's primary role's


def _day(value: dt.datetime, zone: str) -> dt.date:
    return timezone.localtime(value, zoneinfo.ZoneInfo(zone or "UTC")).date()


def assignment_work(
    *,
    first: dt.date,
    last: dt.date | None = None,
    person_ids: Iterable[int] | None = None,
    project_ids: Iterable[int] | None = None,
    person_matched: bool = False,
) -> list[AssignmentWork]:
    """Assignments of matched work resources on open projects whose task ends on or after
    `first` (and starts on or before `last`), narrowed to `person_ids` (person-matched only),
    to person-matched ones (`person_matched`) or to `project_ids` (ids or a queryset of them).
    One query."""
    qs = ScheduleAssignment.objects.filter(
        resource__type=ScheduleResource.Type.WORK,
        work_minutes__gt=0,
        task__start__isnull=False,
        task__finish__isnull=False,
        task__is_summary=False,
        task__finish__date__gte=first - dt.timedelta(days=1),  # a day of slack for time zones
    ).exclude(task__project__status__in=FINISHED)
    if last is not None:
        qs = qs.filter(task__start__date__lte=last + dt.timedelta(days=1))
    if person_ids is not None:
        qs = qs.filter(resource__staffing_match__person_id__in=list(person_ids))
    elif person_matched:
        qs = qs.filter(resource__staffing_match__person__isnull=False)
    else:
        qs = qs.filter(resource__staffing_match__isnull=False).exclude(
            resource__staffing_match__person__isnull=True, resource__staffing_match__role__isnull=True
        )
    if project_ids is not None:
        qs = qs.filter(task__project_id__in=project_ids if isinstance(project_ids, QuerySet) else list(project_ids))
    found = []
    for row in qs.values_list(
        "pk",
        "task__project_id",
        "task__project__time_zone",
        "task__start",
        "task__finish",
        "resource__staffing_match__person_id",
        "resource__staffing_match__role_id",
        "work_minutes",
        "remaining_work_minutes",
        "resource__staffing_match__person__portfolio_id",
        "resource__staffing_match__role__standard_rate",
        "resource__staffing_match__person__primary_role__standard_rate",
    ).order_by("pk"):
        pk, project_id, zone, start, finish, person_id, role_id, work, remaining, pool, role_rate, primary_rate = row
        found.append(
            AssignmentWork(
                pk=pk,
                project_id=project_id,
                person_id=person_id,
                role_id=role_id,
                start=_day(start, zone),
                finish=max(_day(finish, zone), _day(start, zone)),
                work_hours=Decimal(work) / SIXTY,
                remaining_hours=Decimal(remaining) / SIXTY,
                portfolio_id=pool,
                standard_rate=role_rate if role_id else primary_rate,
            )
        )
    return found


Span = tuple[dt.date, dt.date]


def uncovered(start: dt.date, end: dt.date, covered: Iterable[Span]) -> list[Span]:
    """The parts of [start, end] outside every (first, last) range of `covered`."""
    spans = [(start, end)]
    for first, last in sorted(covered):
        kept = []
        for s, e in spans:
            if last < s or first > e:
                kept.append((s, e))
                continue
            if s < first:
                kept.append((s, first - dt.timedelta(days=1)))
            if e > last:
                kept.append((last + dt.timedelta(days=1), e))
        spans = kept
    return spans


def bookings(
    work: AssignmentWork,
    *,
    hours: Decimal,
    start: dt.date,
    allocated: Iterable[tuple[dt.date, dt.date]] = (),
) -> list[Booking]:
    """`hours` spread evenly over the working days of [start, work.finish], as bookings, minus
    the days inside `allocated` (the person's allocations on the project: they win)."""
    days = capacity.working_days_between(start, work.finish) if start <= work.finish else 0
    if not days or hours <= 0:
        return []
    per_week = hours / days * capacity.DAYS_PER_WEEK
    return [
        Booking(
            key=f"{KEY_PREFIX}{work.pk}.{n}",  # type: ignore[arg-type]
            start=s,
            end=e,
            hours_per_week=per_week,
            project_id=work.project_id,
        )
        for n, (s, e) in enumerate(uncovered(start, work.finish, allocated))
    ]


def allocated_ranges(allocations) -> dict[tuple[int, int], list[tuple[dt.date, dt.date]]]:
    """(person, project) -> the date ranges that person's allocations on that project cover."""
    ranges: dict[tuple[int, int], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for a in allocations:
        ranges[(a.person_id, a.project_id)].append((a.start, a.end))
    return ranges


def load_bookings(person_ids: Iterable[int], *, first: dt.date, last: dt.date, allocations) -> dict[int, list[Booking]]:
    """Per person, the bookings their assignments add to their load in [first, last]: all their
    work over the task's span, less the days their allocations on that project cover. One
    query; `allocations` are the people's allocations (already loaded, any window covering)."""
    ranges = allocated_ranges(allocations)
    found: dict[int, list[Booking]] = defaultdict(list)
    for work in assignment_work(person_ids=person_ids, first=first, last=last):
        found[work.person_id].extend(  # type: ignore[index]
            bookings(work, hours=work.work_hours, start=work.start, allocated=ranges[(work.person_id, work.project_id)])
        )
    return found


def is_assignment_key(key) -> bool:
    return isinstance(key, str) and key.startswith(KEY_PREFIX)


def week_assignment_hours(week) -> Decimal:
    """The hours of a WeekLoad that come from schedule assignments (no allocation covers them):
    the one sum the heat map's cell, a person's total and a conflict's line all show."""
    return sum((h for k, h in week.by_booking.items() if is_assignment_key(k)), ZERO)


def people_assigned(*, first: dt.date, last: dt.date, project_ids=None, program_id: int | None = None) -> set[int]:
    """The people whose schedule assignments on the projects `project_ids` (or of the program
    `program_id`) load them on some working day inside [first, last]: the assignments that feed
    their load (same rules as load_bookings), so a capacity filter by project or program finds
    the people whose figures it would show. Days an allocation of theirs on the project covers
    load through the allocation instead, which the caller's allocation filter already finds.
    One query."""
    if program_id is not None:
        project_ids = Project.objects.filter(program_id=program_id).values("pk")
    found = set()
    for work in assignment_work(first=first, last=last, project_ids=project_ids, person_matched=True):
        start, end = max(work.start, first), min(work.finish, last)
        if work.work_hours > 0 and capacity.working_days_between(start, end):
            found.add(work.person_id)
    return found
