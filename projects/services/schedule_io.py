"""Schedule files in and out: MS Project XML natively, every other MPXJ format through MPXJ.

`schedule_import` is all-or-nothing (one transaction; any problem raises ScheduleFileError and
writes nothing) and idempotent by external reference: a task's MSPDI UID is its
`external_ref`, a calendar's UID likewise, so importing the same file twice changes nothing and
importing a revised file updates the tasks it names. `replace=True` clears the project's
schedule first (tasks the file no longer has disappear).

Tolerant and honest (projects.scheduling.repairs): a value Keel does not use never refuses a
file; what is dropped or repaired (an unreadable computed date, a negative remaining work, the
same link twice, links to tasks not in the file) is returned in `ImportResult.repairs` for the
preview. Several links between one pair are kept, one per type (P6's SS + FF). A file read
through MPXJ also gives its dialect and P6's scheduling options (projects.scheduling.p6), stored
on the project when the file becomes the plan (services/schedule_source.py).

Resources and assignments are kept per project (schedule_resources): a task that Microsoft
Project laid out in its resources' working time is laid out in it here too, and an export writes
them back. Splits (idle time inside a task, from hand-contoured assignments) are kept as the task's
`split_minutes` and exported as such a contour. What is not kept: cross-project links inside
the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tempfile
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from core import bounds
from core.changes import inputs_changed
from core.models import AuditEntry
from core.services import audit_record
from portfolio.models import Portfolio, Program
from projects.scheduling import (
    ScheduleImportError,
    WorkCalendar,
    document_from_schedule,
    engine_input_from_mspdi,
    read_mspdi,
    schedule,
    write_mspdi,
)
from projects.scheduling.calendar import DayPattern
from projects.scheduling.custom_fields import EstimateMapping, task_estimates
from projects.scheduling.interop import build_calendars
from projects.scheduling.mpxj import MPXJ_SUFFIXES, MpxjConversionError, MpxjUnavailableError
from projects.scheduling.mspdi_export import _calendar as mspdi_calendar
from projects.scheduling.mspdi_model import MspdiBaseline, MspdiDocument
from projects.scheduling.p6 import convert_with_options, dialect_for
from projects.scheduling.repairs import RepairLine, collecting

from ..models import ActivityType, Baseline, BaselineTask, Calendar, CalendarException, Dependency, Project, Task
from .schedule import (
    STANDARD_CALENDAR_ID,
    ScheduleCycleValidationError,
    link_in,
    outline_renumber,
    project_zone,
    schedule_options,
    schedule_reschedule,
    task_in,
    to_aware,
    to_local,
    work_calendars,
)
from .schedule_resources import (
    ResourceFileError,
    export_resources,
    resource_calendar_plan,
    schedule_resources_import,
    with_resource_calendars,
)
from .schedule_source import ScheduleSource, apply_source_options, distinct_links, note_dropped_links
from .uncertainty import three_point_errors

MSPDI_NAMESPACE = b"http://schemas.microsoft.com/project"
TASK_GUID_NAMESPACE = uuid.UUID("5f0c6a52-9d1e-4b7a-a3c2-6b1d0e8f4a10")
IMPORTED_PROGRAM_CODE = "IMPORTED"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
EMPTY_FILE = "The file is empty."
TOO_LARGE = "The file is larger than 50 MB."
NO_TASKS = "The file holds no tasks."
NOT_MSPDI = "The file is not valid MS Project XML: {reason}."
UNKNOWN_FORMAT = (
    "Files ending in {suffix} cannot be imported: choose an MS Project XML file (.xml) or a file MPXJ reads "
    "(.mpp, .xer, .mpx, .pmxml …)."
)
# Root elements of the XML formats read through MPXJ, not natively: Primavera P6 XML, and
# Planner and GanttProject (lower-case <project>; MS Project's own is <Project>).
MPXJ_XML_ROOTS = frozenset({b"APIBusinessObjects", b"project"})
_FIRST_ELEMENT = re.compile(rb"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
LAG_OUT_OF_RANGE = (
    "Task UID {successor}: the lag after predecessor UID {predecessor} is longer than "
    f"{bounds.DAYS_MAX:,} working days."
)
BASELINE_OUT_OF_RANGE = (
    f"Task UID {{uid}}: baseline {{number}} has a duration over {bounds.DAYS_MAX:,} working days "
    f"or a cost outside 0 to {bounds.MONEY_MAX:,}."
)


class ScheduleFileError(ValidationError):
    """A schedule file that cannot be imported, as a validation error on the `file` field."""

    def __init__(self, message: str):
        super().__init__({"file": message})
        self.reason = message


@dataclass(frozen=True, slots=True)
class ImportResult:
    project: Project
    created_project: bool
    tasks_created: int
    tasks_updated: int
    tasks_removed: int
    links: int
    calendars: int
    baselines: int
    # What the import dropped or repaired (projects.scheduling.repairs), and the dialect the
    # file's origin implies (stored on the project when the file becomes the plan).
    repairs: tuple[RepairLine, ...] = ()
    dialect: str = ""
    resources: int = 0
    assignments: int = 0
    repaired_assignments: int = 0


# -- reading ----------------------------------------------------------------------------------------


def read_schedule_file(data: bytes, filename: str) -> MspdiDocument:
    """Parse any supported schedule file into an MSPDI document (ScheduleFileError if not)."""
    return read_schedule_source(data, filename).document


def read_schedule_source(data: bytes, filename: str) -> ScheduleSource:
    """Parse any supported schedule file (ScheduleFileError if not): its MSPDI document, what
    the reader repaired or dropped (values Keel does not use never refuse a file), and the
    dialect and scheduling options of its origin (projects.scheduling.p6).

    An .xml file is read here, natively: a malformed one is reported as such (never as a
    missing Java). Only Primavera P6 XML and the binary formats MPXJ reads go through MPXJ,
    and only those can answer that Java is missing."""
    if not data:
        raise ScheduleFileError(EMPTY_FILE)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ScheduleFileError(TOO_LARGE)
    suffix = Path(filename or "schedule.xml").suffix.lower() or ".xml"
    if suffix == ".xml" and not _is_mpxj_xml(data):
        try:
            with collecting() as repairs:
                document = read_mspdi(data)
        except ScheduleImportError as error:
            raise ScheduleFileError(NOT_MSPDI.format(reason=error)) from None
        return ScheduleSource(document, repairs, dialect_for(filename))
    if suffix not in (".xml", *MPXJ_SUFFIXES):
        raise ScheduleFileError(UNKNOWN_FORMAT.format(suffix=suffix))
    try:
        with tempfile.TemporaryDirectory(prefix="keel-import-") as tmp:
            source = Path(tmp) / f"upload{suffix}"
            source.write_bytes(data)
            converted, options = convert_with_options(source)
        with collecting() as repairs:
            document = read_mspdi(converted)
    except (ScheduleImportError, MpxjConversionError, MpxjUnavailableError) as error:
        raise ScheduleFileError(str(error)) from None
    dialect = dialect_for(filename, p6_xml=suffix == ".xml" and _is_p6_xml(data), options=options)
    return ScheduleSource(document, repairs, dialect, options)


def _is_mpxj_xml(data: bytes) -> bool:
    """True for the XML formats only MPXJ reads, told by the document's root element."""
    return _root_element(data) in MPXJ_XML_ROOTS


def _is_p6_xml(data: bytes) -> bool:
    return _root_element(data) == b"APIBusinessObjects"


def _root_element(data: bytes) -> bytes | None:
    head = re.sub(rb"<!--.*?-->", b"", data[:8192], flags=re.DOTALL)
    match = _FIRST_ELEMENT.search(head)
    return match.group(1) if match is not None else None


# -- calendars -------------------------------------------------------------------------------------


def _clock(minute: int) -> str:
    return "24:00" if minute == 1440 else f"{minute // 60:02d}:{minute % 60:02d}"


def _json_day(pattern: DayPattern) -> list[list[str]]:
    return [[_clock(a), _clock(b)] for a, b in pattern]


def _exception_runs(exceptions: dict[dt.date, DayPattern]) -> list[tuple[dt.date, dt.date, DayPattern]]:
    """Consecutive dates with the same pattern as (first, last, pattern) runs."""
    runs: list[tuple[dt.date, dt.date, DayPattern]] = []
    for day, pattern in sorted(exceptions.items()):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day and runs[-1][2] == pattern:
            runs[-1] = (runs[-1][0], day, pattern)
        else:
            runs.append((day, day, pattern))
    return runs


def _import_calendars(document: MspdiDocument, project: Project) -> dict[int, Calendar]:
    """Upsert the file's calendars as project calendars keyed by UID; replace their exceptions."""
    built = build_calendars(document)
    names = {c.uid: c.name for c in document.calendars}
    existing = {c.external_ref: c for c in Calendar.objects.filter(project=project)}
    rows: dict[int, Calendar] = {}
    for uid, work in built.items():
        row = existing.get(str(uid)) or Calendar(project=project, external_ref=str(uid))
        row.name = (names.get(uid) or f"Calendar {uid}")[:200]
        row.work_week = {str(day): _json_day(pattern) for day, pattern in work.own_week().items()}
        row.work_weeks = [
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "week": {str(d): _json_day(p) for d, p in week.items()},
            }
            for start, end, week in work.own_work_weeks()
        ]
        row.base_calendar = None
        row.save()
        rows[uid] = row
    by_work = {id(work): uid for uid, work in built.items()}
    for uid, work in built.items():
        if work.base is not None and id(work.base) in by_work:
            Calendar.objects.filter(pk=rows[uid].pk).update(base_calendar=rows[by_work[id(work.base)]])
    CalendarException.objects.filter(calendar__in=list(rows.values())).delete()
    CalendarException.objects.bulk_create(
        [
            CalendarException(calendar=rows[uid], start_date=a, end_date=b, work_intervals=_json_day(p))
            for uid, work in built.items()
            for a, b, p in _exception_runs(work.own_exceptions())
        ],
        batch_size=2000,
    )
    return rows


# -- tasks -----------------------------------------------------------------------------------------


def _resolve_project(*, project_code: str, program: Program | None, name: str) -> tuple[Project, bool]:
    project = Project.objects.filter(code=project_code).first()
    if project is not None:
        return project, False
    if program is None:
        program = Program.objects.filter(code=IMPORTED_PROGRAM_CODE).first()
    if program is None:
        portfolio = Portfolio.objects.order_by("pk").first() or Portfolio.objects.create(
            code="IMPORTED", name="Imported schedules"
        )
        program = Program.objects.create(portfolio=portfolio, code=IMPORTED_PROGRAM_CODE, name="Imported")
    project = Project(program=program, code=project_code, name=(name or project_code)[:200])
    project.full_clean()
    project.save()
    return project, True


@transaction.atomic
def schedule_import(
    *,
    actor,
    data: bytes,
    filename: str,
    project_code: str,
    program: Program | None = None,
    replace: bool = False,
    estimates: EstimateMapping | None = None,
    source: ScheduleSource | None = None,
    resource_matches: dict[str, str] | None = None,
) -> ImportResult:
    """Load a schedule file into project `project_code` (created in `program`, else in the
    "Imported" program, when it does not exist) and reschedule it. All or nothing.

    Tasks are matched by their file UID (`external_ref`), so a matched task keeps its row (and
    whatever is linked to it) and importing the same file twice changes nothing.

    - Merge (`replace=False`): adds the file's new tasks after the plan's and updates the
      matched ones; matched tasks keep their place, outline number and WBS code; no task is
      removed; the project's start, status date and calendar stay (taken from the file only
      where the project has none). A new or updated task keeps the file's start: one the file
      schedules as soon as possible, with no predecessor, gets "start no earlier than" its file
      start (what Microsoft Project does when a start date is typed in).
    - Replace (`replace=True`): the file becomes the plan: its outline, WBS codes, project start
      and status date; every task the file does not have is deleted.

    `estimates` maps custom fields of the file to the tasks' three-point estimates
    (projects.scheduling.custom_fields; none unless the user chose them): a task with both
    ends in the file gets them (and the distribution when mapped); the others keep theirs.

    `source`: the file as read_schedule_source read `data` already (the preview reads it once).

    `resource_matches` maps a file resource's UID (str) to the person or role the user chose
    for it (projects.services.resource_matching); the others are matched by e-mail or name."""
    source_file = source if source is not None else read_schedule_source(data, filename)
    document, repairs = source_file.document, source_file.repairs.copy()  # the import adds its own
    try:
        estimate_values = task_estimates(document, estimates) if estimates else {}
    except ScheduleImportError as error:
        raise ScheduleFileError(str(error)) from None
    engine_input = engine_input_from_mspdi(document)
    if not engine_input.tasks:
        raise ScheduleFileError(NO_TASKS)
    meta = {t.uid: t for t in document.tasks}
    project, created = _resolve_project(
        project_code=project_code, program=program, name=document.project.title or document.project.name or ""
    )
    merge = not replace and not created
    # The file sets the dialect and scheduling options when it becomes the plan.
    from_file = not merge or not Task.objects.filter(project=project).exists()
    zone = project_zone(project)
    calendars = _import_calendars(document, project)
    if document.project.calendar_uid in calendars and not (merge and project.calendar_id):
        project.calendar = calendars[document.project.calendar_uid]
    if document.project.start_date and not (merge and project.planned_start):
        project.planned_start = document.project.start_date.date()
        project.planned_start_time = document.project.start_date.time()
    if document.project.status_date and not (merge and project.status_date):
        project.status_date = document.project.status_date.date()
    options_set = apply_source_options(project, source_file, from_file=from_file)
    project.save(
        update_fields=["calendar", "planned_start", "planned_start_time", "status_date", *options_set, "updated_at"]
    )
    activity_types = source_file.options.activity_types if source_file.options is not None else None

    rows = list(Task.objects.filter(project=project))
    existing = {t.external_ref: t for t in rows if t.external_ref}
    # Tasks of an exported file come back with the GUID the export gave them (task_guid).
    by_guid = {_guid_key(task_guid(t.pk)): t for t in rows}
    matched_by_guid: list[Task] = []
    used: set[int] = set()
    file_uids = {str(spec.id) for spec in engine_input.tasks}
    next_order = (Task.objects.filter(project=project).aggregate(m=Max("sort_order"))["m"] or 0) + 10
    with_predecessor = {link.successor_id for link in engine_input.links}
    parents = {t.id: t.parent_id for t in engine_input.tasks}
    new_rows, updated_rows, rows_by_uid = [], [], {}
    fields = [
        "name", "wbs", "sort_order", "duration_minutes", "is_milestone", "constraint_type", "constraint_date",
        "calendar", "percent_complete", "actual_start", "actual_finish", "remaining_minutes", "deadline",
        "is_manual", "manual_start", "manual_finish", "cost", "notes", "ignore_resource_calendar", "split_minutes",
        "optimistic_minutes", "pessimistic_minutes", "duration_distribution", "activity_type",
    ]  # fmt: skip
    for index, spec in enumerate(engine_input.tasks):
        if spec.id == 0:  # the project summary task
            continue
        source = meta[spec.id]
        row = existing.get(str(spec.id))
        if row is None:
            row = by_guid.get(_guid_key(source.guid))
            if row is not None and (row.pk in used or row.external_ref in file_uids):
                row = None  # that row is the file's task of another UID
        if row is None:
            row = Task(project=project, external_ref=str(spec.id))
        elif row.external_ref != str(spec.id):
            row.external_ref = str(spec.id)  # found by the GUID of an export: from now on by its UID
            matched_by_guid.append(row)
        if row.pk:
            used.add(row.pk)
        own_calendar = source.calendar_uid if source.calendar_uid in calendars else None
        row.name = (spec.name or f"Task {spec.id}")[:255]
        if not merge:
            row.wbs = (source.wbs or "")[:64]
            row.sort_order = (index + 1) * 10
        elif row.pk is None:
            # A new task in a merge: after the plan's tasks, numbered by the plan's outline
            # unless the file gives it a code of its own.
            row.wbs = "" if source.wbs in (None, "", source.outline_number) else source.wbs[:64]
            row.sort_order = next_order
            next_order += 10
        row.duration_minutes = max(spec.duration_minutes, 0)
        row.is_milestone = spec.is_milestone
        row.constraint_type = spec.constraint_type.value
        row.constraint_date = to_aware(spec.constraint_date, zone)
        if merge and _keeps_file_start(
            spec, source, parents=parents, with_predecessor=with_predecessor, project_start=project.planned_start
        ):
            row.constraint_type = Task.Constraint.SNET
            row.constraint_date = to_aware(source.computed.start, zone)
        row.calendar = calendars[own_calendar] if own_calendar is not None else None
        if not (merge and row.pk and spec.id in parents.values()):
            # A summary's % complete is rolled up from its tasks (an export writes the roll-up):
            # a merge keeps the plan's.
            row.percent_complete = Decimal(str(spec.percent_complete))
        row.actual_start = to_aware(spec.actual_start, zone)
        row.actual_finish = to_aware(spec.actual_finish, zone)
        row.remaining_minutes = spec.remaining_minutes
        row.deadline = to_aware(spec.deadline, zone)
        row.is_manual = spec.is_manual
        row.manual_start = to_aware(spec.manual_start, zone)
        row.manual_finish = to_aware(spec.manual_finish, zone)
        row.cost = source.cost if source.cost is not None else Decimal("0")
        row.notes = source.notes or ""
        if activity_types is not None:  # read through MPXJ: P6's activity type (MSPDI has none)
            row.activity_type = activity_types.get(spec.id, ActivityType.TASK)
        row.ignore_resource_calendar = source.ignore_resource_calendar
        row.split_minutes = spec.split_minutes
        _apply_estimate(row, estimate_values.get(spec.id), is_summary=spec.id in parents.values(), uid=spec.id)
        try:
            row.full_clean(exclude=["project", "parent", "calendar"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise ScheduleFileError(f"Task UID {spec.id} ({row.name}): {details}") from None
        (updated_rows if row.pk else new_rows).append(row)
        rows_by_uid[spec.id] = row
    if matched_by_guid:  # blank their old refs first, so that no two rows hold one ref mid-update
        Task.objects.filter(pk__in=[t.pk for t in matched_by_guid]).update(external_ref="")
    Task.objects.bulk_create(new_rows, batch_size=2000)
    Task.objects.bulk_update(updated_rows, [*fields, "external_ref"], batch_size=2000)
    for spec in engine_input.tasks:
        if spec.id in rows_by_uid:
            row = rows_by_uid[spec.id]
            if merge and row in updated_rows:
                continue  # a matched task keeps its place in the plan's outline
            row.parent = rows_by_uid.get(spec.parent_id) if spec.parent_id not in (None, 0) else None
    Task.objects.bulk_update(list(rows_by_uid.values()), ["parent"], batch_size=2000)
    removed = 0
    if replace:  # after the re-parenting: a kept task may have been under a task that goes
        doomed = Task.objects.filter(project=project).exclude(pk__in=[row.pk for row in rows_by_uid.values()])
        removed = doomed.count()
        doomed.delete()

    for link in engine_input.links:
        if link.predecessor_id == link.successor_id:
            raise ScheduleFileError(f"Task UID {link.successor_id} is linked to itself.")
        if not -bounds.DURATION_MINUTES_MAX <= link.lag_minutes <= bounds.DURATION_MINUTES_MAX:
            raise ScheduleFileError(
                LAG_OUT_OF_RANGE.format(successor=link.successor_id, predecessor=link.predecessor_id)
            )
    # Several links between one pair are kept, one of each type (P6's SS + FF); a repeat is noted.
    note_dropped_links(document, repairs)
    file_links = distinct_links(engine_input.links, repairs)
    pks = [row.pk for row in rows_by_uid.values()]
    Dependency.objects.filter(successor__in=pks, predecessor__in=pks).delete()
    links = [
        Dependency(
            predecessor=rows_by_uid[link.predecessor_id],
            successor=rows_by_uid[link.successor_id],
            type=link.type.value,
            lag_minutes=link.lag_minutes,
            lag_percent=Decimal(str(link.lag_percent)) if link.lag_percent is not None else None,
            lag_elapsed=link.lag_elapsed,
        )
        for link in file_links
        if link.predecessor_id in rows_by_uid and link.successor_id in rows_by_uid
    ]
    Dependency.objects.bulk_create(links, batch_size=2000, ignore_conflicts=False)

    baseline_numbers = sorted({b.number for uid in rows_by_uid for b in meta[uid].baselines})
    for uid in rows_by_uid:
        for b in meta[uid].baselines:
            minutes = int(b.duration.total_seconds() // 60) if b.duration else 0
            if not 0 <= minutes <= bounds.DURATION_MINUTES_MAX or not 0 <= (b.cost or 0) <= bounds.MONEY_MAX:
                raise ScheduleFileError(BASELINE_OUT_OF_RANGE.format(uid=uid, number=b.number))
    # A merge never overwrites one of the plan's baselines, and no import ever overwrites an
    # approved one: replacing the approved plan needs a program manager's confirmed overwrite
    # (baseline_overwrite) or a change request, never a file.
    kept = Baseline.objects.filter(project=project)
    if not merge:
        kept = kept.filter(approved=True)
    taken = set(kept.values_list("number", flat=True))
    baseline_numbers = [n for n in baseline_numbers if n not in taken]
    for number in baseline_numbers:
        Baseline.objects.filter(project=project, number=number).delete()
        baseline = Baseline.objects.create(project=project, number=number, name=f"Baseline {number} (imported)")
        BaselineTask.objects.bulk_create(
            [
                BaselineTask(
                    baseline=baseline,
                    task=rows_by_uid[uid],
                    start=to_aware(b.start, zone),
                    finish=to_aware(b.finish, zone),
                    duration_minutes=int(b.duration.total_seconds() // 60) if b.duration else 0,
                    cost=b.cost or Decimal("0"),
                )
                for uid in rows_by_uid
                for b in meta[uid].baselines
                if b.number == number
            ],
            batch_size=2000,
        )
    try:
        resources = schedule_resources_import(
            document=document,
            project=project,
            tasks_by_uid=rows_by_uid,
            calendars=calendars,
            replace=replace,
            matches=resource_matches,
        )
    except ResourceFileError as error:
        raise ScheduleFileError(str(error)) from None
    except ValidationError as error:  # a mapping choice outside the pool
        raise ScheduleFileError(" ".join(error.messages)) from None
    outline_renumber(project=project)
    try:
        # An import may relink anything: the whole linked network, checked for cycles, now.
        schedule_reschedule(project=project, whole_network=True)
    except ScheduleCycleValidationError as cycle:
        raise ScheduleFileError(" ".join(cycle.messages)) from None
    except ValidationError as error:
        raise ScheduleFileError(" ".join(error.messages)) from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=project,
        changes={"schedule_import": [None, f"{filename}: {len(rows_by_uid)} tasks, {len(links)} links"]},
    )
    if created:
        inputs_changed(programs=[project.program_id])  # a new project in the program's roll-up
    return ImportResult(
        project=project,
        created_project=created,
        tasks_created=len(new_rows),
        tasks_updated=len(updated_rows),
        tasks_removed=removed,
        links=len(links),
        calendars=len(calendars),
        baselines=len(baseline_numbers),
        repairs=tuple(repairs.lines()),
        dialect=source_file.dialect,
        resources=resources.resources,
        assignments=resources.assignments,
        repaired_assignments=resources.repaired,
    )


def _apply_estimate(row: Task, values: dict | None, *, is_summary: bool, uid: int) -> None:
    """Give `row` the three-point estimate the file's mapped custom fields hold (a summary's
    duration rolls up from its tasks: it takes none)."""
    if not values or is_summary:
        return
    low, high = values.get("optimistic_minutes"), values.get("pessimistic_minutes")
    if low is not None and high is not None:
        row.optimistic_minutes, row.pessimistic_minutes = low, high
    if "duration_distribution" in values:
        row.duration_distribution = values["duration_distribution"]
    errors = three_point_errors(row)
    if errors:
        details = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise ScheduleFileError(f"Task UID {uid} ({row.name}): {details}")


def _guid_key(guid: str | None) -> str:
    return (guid or "").strip("{}").lower()


def _keeps_file_start(spec, source, *, parents: dict, with_predecessor: set, project_start: dt.date | None) -> bool:
    """Whether a merged task needs "start no earlier than" to keep the start the file gives it:
    an automatically scheduled work task (not a summary), as soon as possible, not started,
    with no predecessor (nor one on a summary above it), which the file starts on a later day
    than the plan's start. Without it the task would move back to the plan's start. (A file
    whose start is the plan's, re-imported, so gets no constraint: importing it stays idempotent.)"""
    if spec.is_manual or spec.constraint_type.value != Task.Constraint.ASAP or spec.actual_start is not None:
        return False
    start = source.computed.start
    if start is None or project_start is None or start.date() <= project_start or spec.id in parents.values():
        return False
    node = spec.id
    while node not in (None, 0):
        if node in with_predecessor:
            return False
        node = parents.get(node)
    return True


# -- writing -----------------------------------------------------------------------------------------


def schedule_export_mspdi(*, project: Project) -> bytes:
    """The project's schedule as MS Project XML (MSPDI), with dates, slack and critical flags.

    The project is scheduled on its own for the file, as Microsoft Project will when it opens it:
    links to other projects are not part of the file."""
    zone = project_zone(project)
    tasks = list(Task.objects.filter(project=project).order_by("sort_order", "pk"))
    pks = {t.pk for t in tasks}
    deps = [d for d in Dependency.objects.filter(successor__project=project) if d.predecessor_id in pks]
    calendar_rows = {c.pk: c for c in Calendar.objects.filter(project=project)}
    resource_plan = resource_calendar_plan([project.pk])
    used = {project.calendar_id, *(t.calendar_id for t in tasks), *(pk for ids in resource_plan.values() for pk in ids)}
    for pk in used - {None} - set(calendar_rows):
        calendar_rows[pk] = Calendar.objects.get(pk=pk)
    while missing := {c.base_calendar_id for c in calendar_rows.values()} - {None} - set(calendar_rows):
        calendar_rows.update({c.pk: c for c in Calendar.objects.filter(pk__in=missing)})
    calendars = work_calendars(calendar_rows.values())
    calendars.setdefault(STANDARD_CALENDAR_ID, WorkCalendar.standard())
    default_id = str(project.calendar_id) if project.calendar_id else STANDARD_CALENDAR_ID
    specs = [task_in(t, zone) for t in tasks]
    # Scheduled as the plan is (in resource calendars), written as Project reads it back: each
    # task in its own calendar, its resources and their calendars beside it.
    in_resource_time = dict(calendars)  # the document's calendars stay those of the plan
    scheduled = with_resource_calendars(
        specs, plan=resource_plan, own_calendar={t.pk: t.calendar_id for t in tasks}, calendars=in_resource_time
    )
    links = [link_in(d) for d in deps]
    start_time = project.planned_start_time if project.planned_start else None
    start = calendars[default_id].next_work_start(
        dt.datetime.combine(project.planned_start or dt.date.today(), start_time or dt.time())
    )
    status = dt.datetime.combine(project.status_date, dt.time(17)) if project.status_date else None
    result = schedule(
        scheduled,
        links,
        calendars=in_resource_time,
        default_calendar_id=default_id,
        project_start=start,
        status_date=status,
        options=schedule_options(project, zone),
    )
    uids = _export_uids(tasks)
    baselines: dict[int, list[MspdiBaseline]] = {}
    for snap in BaselineTask.objects.filter(task__project=project).select_related("baseline"):
        baselines.setdefault(snap.task_id, []).append(
            MspdiBaseline(
                number=snap.baseline.number,
                start=to_local(snap.start, zone),
                finish=to_local(snap.finish, zone),
                duration=dt.timedelta(minutes=snap.duration_minutes),
                cost=snap.cost,
            )
        )
    document = document_from_schedule(
        name=project.name,
        tasks=[dataclasses.replace(s, split_minutes=0) if s.split_minutes else s for s in specs],
        links=links,
        calendars=calendars,
        default_calendar_id=default_id,
        result=result,
        status_date=status,
        wbs={t.pk: t.wbs for t in tasks if t.wbs},
        notes={t.pk: t.notes for t in tasks if t.notes},
        costs={t.pk: t.cost for t in tasks if t.cost},
        baselines=baselines,
        uids=uids,
        guids={t.pk: task_guid(t.pk) for t in tasks},
    )
    ignoring = {uids[t.pk] for t in tasks if t.ignore_resource_calendar}
    if ignoring:
        document = dataclasses.replace(
            document,
            tasks=tuple(
                dataclasses.replace(t, ignore_resource_calendar=True) if t.uid in ignoring else t
                for t in document.tasks
            ),
        )
    document = _with_all_calendars(document, calendars, calendar_rows)
    resources, assignments = export_resources(
        project=project,
        uid_of_task=uids,
        split_spans={t.pk: (result.tasks[t.pk].start, result.tasks[t.pk].finish) for t in tasks if t.split_minutes},
        calendar_uid_of_name={c.name: c.uid for c in document.calendars if c.name},
    )
    return write_mspdi(dataclasses.replace(document, resources=resources, assignments=assignments))


def task_guid(pk: int) -> str:
    """The GUID an export gives the task row `pk`: stable, so a file exported, edited in
    Microsoft Project and imported back finds its tasks again."""
    return "{" + str(uuid.uuid5(TASK_GUID_NAMESPACE, f"keel-task-{pk}")).upper() + "}"


def _export_uids(tasks: list[Task]) -> dict[int, int]:
    """A task imported from a file keeps that file's UID (its external_ref); every other task
    gets a UID above them, so an exported file imported back matches the same tasks."""
    kept: dict[int, int] = {}
    for task in tasks:
        ref = task.external_ref
        if ref.isdigit() and 0 < int(ref) < 2**31 and int(ref) not in kept.values():
            kept[task.pk] = int(ref)
    next_uid = max(kept.values(), default=0) + 1
    for task in tasks:
        if task.pk not in kept:
            kept[task.pk] = next_uid
            next_uid += 1
    return kept


def _with_all_calendars(
    document: MspdiDocument, calendars: dict[str, WorkCalendar], rows: dict[int, Calendar]
) -> MspdiDocument:
    """Add the project's calendars that no task uses (the export writes only used ones), so that
    an export carries every calendar of the project."""
    written = {c.name for c in document.calendars}
    extra, next_uid = [], max((c.uid for c in document.calendars), default=0) + 1
    uid_of_name = {c.name: c.uid for c in document.calendars}
    for pk, row in sorted(rows.items()):
        if row.name in written:
            continue
        work = calendars[str(pk)]
        base_uid = uid_of_name.get(work.base.name) if work.base is not None else None
        extra.append(mspdi_calendar(work, next_uid, base_uid))
        uid_of_name[row.name] = next_uid
        written.add(row.name)
        next_uid += 1
    return dataclasses.replace(document, calendars=(*document.calendars, *extra))
