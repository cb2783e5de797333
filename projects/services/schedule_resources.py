"""A schedule's resources and assignments: import from a file, lay tasks out in resource
calendars, export back.

- `schedule_resources_import` upserts the file's resources (by UID) and assignments (one per
  task and resource), keeping units, work, actual and remaining work and cost as the file gives
  them, then asks staffing to match the resources to people or roles (resource_matching).
- `resource_calendar_plan` / `with_resource_calendars` give the scheduler what Microsoft Project
  uses: a task with work resources (units above 0) is laid out in their working time -- the
  union of their calendars, intersected with the task's own calendar when it has one -- unless
  the task ignores resource calendars; its slack is still measured in the task's calendar
  (projects.scheduling.engine). The same rule as projects.scheduling.interop, on database rows.
- `export_resources` writes them back as MSPDI resources and assignments.

Tolerance: an assignment's work fields are kept as given when they are in range; a negative
work or cost (P6 writes "PT0H0M-5S" for rounding residue) is kept as 0 and counted in
`ResourceImportResult.repaired`; a value beyond core.bounds refuses the file, naming it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from core import bounds
from projects.scheduling import TaskIn, WorkCalendar
from projects.scheduling.interop import CONTOURED
from projects.scheduling.mspdi_model import MspdiAssignment, MspdiDocument, MspdiResource, MspdiTimephased

from ..models import Calendar, Project, ScheduleAssignment, ScheduleResource, Task
from ..models.resources import UNITS_MAX
from .resource_matching import resource_matcher

TYPES = {0: ScheduleResource.Type.MATERIAL, 1: ScheduleResource.Type.WORK, 2: ScheduleResource.Type.COST}
TYPE_CODES = {value: code for code, value in TYPES.items()}
UNASSIGNED = -65535
OUT_OF_RANGE = "{owner}: {field} {value} is outside 0 to {limit}."


class ResourceFileError(ValueError):
    """A resource or assignment value the plan cannot store; the message names it."""


@dataclass(frozen=True, slots=True)
class ResourceImportResult:
    resources: int = 0
    assignments: int = 0
    repaired: int = 0  # assignments whose negative work or cost was kept as 0


def _minutes(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds() / 60)


def _email(value: str | None) -> str:
    if not value:
        return ""
    try:
        validate_email(value.strip())
    except ValidationError:
        return ""  # an address Keel cannot use matches nobody; it refuses nothing
    return value.strip()[:254]


def _units(value: Decimal | None, default: Decimal, owner: str, field: str) -> Decimal:
    if value is None:
        return default
    if not 0 <= value <= UNITS_MAX:
        raise ResourceFileError(OUT_OF_RANGE.format(owner=owner, field=field, value=value, limit=UNITS_MAX))
    return value.quantize(Decimal("0.0001"))


def _money(value: Decimal | None, owner: str, field: str) -> tuple[Decimal | None, bool]:
    if value is None:
        return None, False
    if value < 0:
        return Decimal(0), True
    if value > bounds.MONEY_MAX:
        raise ResourceFileError(OUT_OF_RANGE.format(owner=owner, field=field, value=value, limit=bounds.MONEY_MAX))
    return value.quantize(Decimal("0.01")), False


def _work(value: int | None, owner: str, field: str) -> tuple[int | None, bool]:
    if value is None:
        return None, False
    if value < 0:
        return 0, True
    if value > bounds.DURATION_MINUTES_MAX:
        raise ResourceFileError(
            OUT_OF_RANGE.format(owner=owner, field=field, value=timedelta(minutes=value), limit="3,650 working days")
        )
    return value, False


def kept_resources(document: MspdiDocument) -> list[MspdiResource]:
    """The file's real resources: Microsoft Project writes a blank resource UID 0 (no name)."""
    return [r for r in document.resources if r.name and r.name.strip() and r.uid != UNASSIGNED]


def schedule_resources_import(
    *,
    document: MspdiDocument,
    project: Project,
    tasks_by_uid: Mapping[int, Task],
    calendars: Mapping[int, Calendar],
    replace: bool,
    matches: Mapping[str, str] | None = None,
) -> ResourceImportResult:
    """Upsert the file's resources and assignments into `project` (see the module docstring).

    `tasks_by_uid`: the imported task rows by file UID (saved); `calendars`: the imported
    calendars by file UID. A replace deletes the project's resources the file does not have;
    every import replaces the assignments of the tasks it imports. `matches` (external_ref ->
    choice) goes to staffing's matcher. Raises ResourceFileError naming a value out of range."""
    existing = {r.external_ref: r for r in ScheduleResource.objects.filter(project=project)}
    rows: dict[int, ScheduleResource] = {}
    for source in kept_resources(document):
        owner = f"Resource UID {source.uid} ({source.name.strip()[:60]})"
        row = existing.get(str(source.uid)) or ScheduleResource(project=project, external_ref=str(source.uid))
        row.name = source.name.strip()[:255]
        row.email = _email(source.email)
        row.type = TYPES.get(source.type, ScheduleResource.Type.WORK)
        row.calendar = calendars.get(source.calendar_uid) if source.calendar_uid is not None else None
        row.max_units = _units(source.max_units, Decimal(1), owner, "MaxUnits")
        row.standard_rate, _ = _money(source.standard_rate, owner, "StandardRate")
        rows[source.uid] = row
    ScheduleResource.objects.bulk_create([r for r in rows.values() if r.pk is None], batch_size=2000)
    ScheduleResource.objects.bulk_update(
        [r for r in rows.values() if r.pk is not None and r.external_ref in existing],
        ["name", "email", "type", "calendar", "max_units", "standard_rate"],
        batch_size=2000,
    )
    if replace:
        ScheduleResource.objects.filter(project=project).exclude(pk__in=[r.pk for r in rows.values()]).delete()

    task_pks = [t.pk for t in tasks_by_uid.values()]
    ScheduleAssignment.objects.filter(task__in=task_pks).delete()
    assignments: dict[tuple[int, int], ScheduleAssignment] = {}
    repaired = 0
    for source in document.assignments:
        task, resource = tasks_by_uid.get(source.task_uid), rows.get(source.resource_uid)
        if task is None or resource is None:
            continue  # an unassigned placeholder, or a task or resource the plan does not keep
        owner = f"Assignment UID {source.uid}"
        work, bad_work = _work(_minutes(source.work), owner, "Work")
        actual, bad_actual = _work(_minutes(source.actual_work), owner, "ActualWork")
        remaining, bad_remaining = _work(_minutes(source.remaining_work), owner, "RemainingWork")
        cost, bad_cost = _money(source.cost, owner, "Cost")
        actual_cost, bad_actual_cost = _money(source.actual_cost, owner, "ActualCost")
        work = work or 0
        actual = actual or 0
        if remaining is None:
            remaining = max(work - actual, 0)
        repaired += any((bad_work, bad_actual, bad_remaining, bad_cost, bad_actual_cost))
        assignments[(task.pk, resource.pk)] = ScheduleAssignment(
            task=task,
            resource=resource,
            external_ref=str(source.uid),
            units=_units(source.units, Decimal(1), owner, "Units"),
            work_minutes=work,
            actual_work_minutes=actual,
            remaining_work_minutes=remaining,
            cost=cost or Decimal(0),
            actual_cost=actual_cost or Decimal(0),
        )
    ScheduleAssignment.objects.bulk_create(list(assignments.values()), batch_size=2000)
    matcher = resource_matcher()
    if matcher is not None and rows:
        matcher.apply(project, list(rows.values()), matches)
    return ResourceImportResult(resources=len(rows), assignments=len(assignments), repaired=repaired)


# -- scheduling ------------------------------------------------------------------------------------


def resource_calendar_plan(project_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """For each task (pk) of these projects with work resources on a calendar: their calendars'
    pks, sorted (one query). Tasks that ignore resource calendars, and assignments at 0 units,
    are left out."""
    found: dict[int, set[int]] = {}
    for task_id, calendar_id in (
        ScheduleAssignment.objects.filter(
            task__project_id__in=list(project_ids),
            task__ignore_resource_calendar=False,
            resource__type=ScheduleResource.Type.WORK,
            resource__calendar__isnull=False,
            units__gt=0,
        )
        .values_list("task_id", "resource__calendar_id")
        .order_by()
    ):
        found.setdefault(task_id, set()).add(calendar_id)
    return {task_id: tuple(sorted(ids)) for task_id, ids in found.items()}


def with_resource_calendars(
    rows: list[TaskIn],
    *,
    plan: Mapping[int, tuple[int, ...]],
    own_calendar: Mapping[int, int | None],
    calendars: dict[str, WorkCalendar],
) -> list[TaskIn]:
    """`rows` with `resource_calendar_id` set where `plan` gives a task resource calendars; the
    combined calendars are added to `calendars` (keys "res:<pk>+<pk>" and "<own>&res:…").
    `own_calendar`: each task's own calendar pk (None: none of its own, the project's)."""
    if not plan:
        return rows
    result = []
    for row in rows:
        ids = plan.get(row.id)  # type: ignore[call-overload]
        if not ids or any(str(pk) not in calendars for pk in ids):
            result.append(row)
            continue
        key = "res:" + "+".join(map(str, ids))
        if key not in calendars:
            parts = [calendars[str(pk)] for pk in ids]
            calendars[key] = parts[0] if len(parts) == 1 else WorkCalendar.union(parts, key)
        own = own_calendar.get(row.id)  # type: ignore[call-overload]
        if own is not None and str(own) in calendars:
            combined = f"{own}&{key}"
            if combined not in calendars:
                calendars[combined] = WorkCalendar.intersection([calendars[str(own)], calendars[key]], combined)
            key = combined
        result.append(dataclasses.replace(row, resource_calendar_id=key))
    return result


# -- export ----------------------------------------------------------------------------------------


def export_resources(
    *,
    project: Project,
    uid_of_task: Mapping[int, int],
    calendar_uid_of_name: Mapping[str, int],
    split_spans: Mapping[int, tuple[datetime, datetime]] | None = None,
) -> tuple[tuple[MspdiResource, ...], tuple[MspdiAssignment, ...]]:
    """The project's resources and the assignments of the exported tasks, as MSPDI (two
    queries). A resource keeps its file UID when it has a numeric one; others get UIDs above.

    `split_spans`: (start, finish) of each split task (by pk, naive local). MSPDI has no split
    field: Project reads a split from a hand-edited ("contoured") work pattern, so the first
    assignment of a split task is written contoured, its work in one period over the task's
    whole span, which interop reads back as the same split."""
    split_spans = split_spans or {}
    resources = list(ScheduleResource.objects.filter(project=project).select_related("calendar").order_by("pk"))
    uid_of: dict[int, int] = {}
    for r in resources:
        ref = r.external_ref
        if ref.isdigit() and 0 < int(ref) < 2**31 and int(ref) not in uid_of.values():
            uid_of[r.pk] = int(ref)
    next_uid = max(uid_of.values(), default=0) + 1
    for r in resources:
        if r.pk not in uid_of:
            uid_of[r.pk], next_uid = next_uid, next_uid + 1
    out_resources = tuple(
        MspdiResource(
            uid=uid_of[r.pk],
            name=r.name,
            type=TYPE_CODES.get(r.type, 1),
            calendar_uid=calendar_uid_of_name.get(r.calendar.name) if r.calendar is not None else None,
            email=r.email or None,
            max_units=r.max_units,
            standard_rate=r.standard_rate,
        )
        for r in resources
    )
    rows = (
        ScheduleAssignment.objects.filter(resource__project=project, task__in=list(uid_of_task))
        .select_related("resource")
        .order_by("pk")
    )
    taken = {int(a.external_ref) for a in rows if a.external_ref.isdigit()}
    spare = iter(range(max(taken, default=0) + 1, 2**31))
    assignments = []
    used: set[int] = set()
    contoured: set[int] = set()
    for a in rows:
        uid = int(a.external_ref) if a.external_ref.isdigit() and int(a.external_ref) not in used else next(spare)
        used.add(uid)
        pattern: tuple[MspdiTimephased, ...] = ()
        if a.task_id in split_spans and a.task_id not in contoured and a.resource.type == ScheduleResource.Type.WORK:
            contoured.add(a.task_id)
            start, finish = split_spans[a.task_id]
            pattern = (MspdiTimephased(type=1, start=start, finish=finish, unit=2, value=timedelta(minutes=1)),)
        assignments.append(
            MspdiAssignment(
                uid=uid,
                task_uid=uid_of_task[a.task_id],
                resource_uid=uid_of[a.resource_id],
                units=a.units,
                work=timedelta(minutes=a.work_minutes),
                actual_work=timedelta(minutes=a.actual_work_minutes),
                remaining_work=timedelta(minutes=a.remaining_work_minutes),
                cost=a.cost,
                actual_cost=a.actual_cost,
                work_contour=CONTOURED if pattern else None,
                timephased=pattern,
            )
        )
    return out_resources, tuple(assignments)


# -- the import preview's mapping step -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResourceLine:
    """A resource as the mapping step lists it: what the file says, and who it is matched to
    (`choice` as in resource_matching, `basis` staffing's ResourceMatch.basis)."""

    ref: str
    name: str
    email: str
    type: str
    assignments: int
    work_hours: Decimal
    cost: Decimal
    choice: str
    basis: str

    @property
    def field_name(self) -> str:
        return f"resource-{self.ref}"


def resource_lines(project: Project) -> list[ResourceLine]:
    """The project's resources with their assignment totals and current match (two queries)."""
    rows = list(
        ScheduleResource.objects.filter(project=project)
        .annotate(
            n=Count("assignments"),
            work=Coalesce(Sum("assignments__work_minutes"), 0),
            total_cost=Coalesce(Sum("assignments__cost"), Decimal(0)),
        )
        .order_by("name", "pk")
    )
    matcher = resource_matcher()
    current = matcher.current(project, rows) if matcher is not None and rows else {}
    return [
        ResourceLine(
            ref=r.external_ref,
            name=r.name,
            email=r.email,
            type=r.get_type_display(),
            assignments=r.n,
            work_hours=(Decimal(r.work) / 60).quantize(Decimal("0.1")),
            cost=r.total_cost,
            choice=current.get(r.pk, ("", ""))[0],
            basis=current.get(r.pk, ("", ""))[1],
        )
        for r in rows
    ]
