"""Schedule import in three steps, as the actuals import: upload -> preview -> confirm.

- `schedule_import_upload` checks the file (a full dry run) and keeps it as a ScheduleImport;
  a file with a problem is refused (ScheduleFileError on `file`) and nothing is kept.
- `schedule_import_preview` says what the import would do, computed by running it inside a
  transaction that is always rolled back, so what the preview shows is exactly what the
  confirmed import does: tasks added, changed (with the fields that change) and removed, the
  dates that move, the links added and removed, the project start and finish before and after,
  and what goes with removed tasks (progress, baseline rows, linked costs and risks). It also
  gives a fingerprint of the plan it was computed on.
- `schedule_import_confirm` imports the same stored file, re-validated, all or nothing; it
  refuses when the plan's fingerprint differs from the preview's (someone changed the plan
  since), when a replace is not explicitly confirmed, and does nothing for an upload already
  imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone

from core.models import AuditEntry
from core.services import audit_record
from projects.scheduling.custom_fields import CustomField, EstimateMapping, custom_fields

from ..models import BaselineTask, Dependency, Project, ScheduleDialect, ScheduleImport, Task
from .resource_matching import MatchOption, resource_matcher
from .schedule import project_zone, to_aware, to_local
from .schedule_io import (
    MAX_UPLOAD_BYTES,
    TOO_LARGE,
    ImportResult,
    ScheduleFileError,
    read_schedule_source,
    schedule_import,
)
from .schedule_resources import ResourceLine, resource_lines
from .schedule_source import RepairLine, option_lines

PLAN_CHANGED = (
    "The schedule of {code} changed after this preview was made (a task was edited, or another import ran), "
    "so nothing was imported. The preview below is new: check it and confirm again."
)
ALREADY_IMPORTED = "{filename} was already imported into {code}; nothing was imported again."
CONFIRM_REPLACE = "Tick the box to confirm that the tasks listed under “Removed” are deleted."
FILE_GONE = "The uploaded file is no longer stored; upload it again."
DATABASE_REFUSED = "The file holds a value the plan cannot store ({error})."

# Task fields a preview compares, with the label it shows.
COMPARED = {
    "name": "Name",
    "outline_number": "Outline",
    "wbs": "WBS",
    "parent_id": "Summary task",
    "duration_minutes": "Duration",
    "is_milestone": "Milestone",
    "constraint_type": "Constraint",
    "constraint_date": "Constraint date",
    "percent_complete": "% complete",
    "actual_start": "Actual start",
    "actual_finish": "Actual finish",
    "deadline": "Deadline",
    "is_manual": "Manually scheduled",
    "cost": "Cost",
    "activity_type": "Activity type",
    "optimistic_minutes": "Optimistic",
    "pessimistic_minutes": "Pessimistic",
    "duration_distribution": "Distribution",
}
DATES = ("start", "finish")
FINGERPRINTED = (*COMPARED, *DATES, "external_ref", "version", "sort_order", "calendar_id", "notes")


class StalePreviewError(ValidationError):
    """The plan changed since the preview the user confirmed."""


# -- what a preview holds ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskLine:
    """A task as the preview lists it (aware datetimes, as on the schedule page)."""

    name: str
    outline: str
    ref: str
    start: dt.datetime | None
    finish: dt.datetime | None
    percent_complete: Decimal = Decimal(0)
    has_progress: bool = False
    file_start: dt.datetime | None = None
    file_finish: dt.datetime | None = None

    @property
    def off_file_dates(self) -> bool:
        """Whether the plan dates the task on another day than the file does."""
        if self.file_start is None or self.start is None:
            return False
        return self.start.date() != self.file_start.date()


@dataclass(frozen=True, slots=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class TaskChange:
    task: TaskLine
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class DateMove:
    task: TaskLine
    old_start: dt.datetime | None
    new_start: dt.datetime | None
    old_finish: dt.datetime | None
    new_finish: dt.datetime | None


@dataclass(frozen=True, slots=True)
class LinkLine:
    predecessor: str
    successor: str
    type: str


@dataclass(slots=True)
class SchedulePreview:
    """What confirming the import would do; `fingerprint` identifies the plan it was made on."""

    filename: str
    replace: bool
    fingerprint: str
    added: list[TaskLine] = field(default_factory=list)
    changed: list[TaskChange] = field(default_factory=list)
    removed: list[TaskLine] = field(default_factory=list)
    moved: list[DateMove] = field(default_factory=list)
    links_added: list[LinkLine] = field(default_factory=list)
    links_removed: list[LinkLine] = field(default_factory=list)
    start_before: dt.datetime | None = None
    start_after: dt.datetime | None = None
    finish_before: dt.datetime | None = None
    finish_after: dt.datetime | None = None
    planned_start_before: dt.date | None = None
    planned_start_after: dt.date | None = None
    lost: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unchanged_tasks: int = 0
    # Custom fields of the file that may hold three-point estimates (the mapping step), the
    # mapping this preview was made with and how many tasks it gives an estimate.
    custom_fields: list[CustomField] = field(default_factory=list)
    estimates: EstimateMapping = field(default_factory=EstimateMapping)
    estimated_tasks: int = 0
    # What the import drops or repairs, grouped and counted (projects.scheduling.repairs).
    repairs: list[RepairLine] = field(default_factory=list)
    # The scheduling dialect the file's origin implies, whether the project takes it (it does
    # when the file becomes the plan), and the file's P6 scheduling options as (label, value).
    dialect: str = ""
    dialect_label: str = ""
    dialect_before: str = ""
    dialect_after: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    # The file's resources and who each is matched to in the pool (the resource mapping step,
    # schedule_resources.resource_lines), the choices offered, and the user's choices sent.
    resources: list[ResourceLine] = field(default_factory=list)
    match_options: list[MatchOption] = field(default_factory=list)
    resource_matches: dict[str, str] | None = None

    @property
    def removed_with_progress(self) -> int:
        return sum(1 for t in self.removed if t.has_progress)

    @property
    def changes_nothing(self) -> bool:
        return not (
            self.added or self.changed or self.removed or self.moved or self.links_added or self.links_removed
        ) and (self.planned_start_before, self.dialect_before) == (self.planned_start_after, self.dialect_after)


# -- the plan as it stands -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    tasks: dict[int, dict]
    links: dict[tuple[int, int, str], tuple]  # (predecessor, successor, type): one link per type
    project: dict

    def fingerprint(self) -> str:
        payload = json.dumps(
            {
                "tasks": sorted((pk, [row[name] for name in FINGERPRINTED]) for pk, row in self.tasks.items()),
                "links": sorted((list(k), list(v)) for k, v in self.links.items()),
                "project": self.project,
            },
            default=str,
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def _plan(project: Project) -> _Plan:
    """The project's tasks, links and dates as plain values (a fixed number of queries)."""
    tasks = {row["pk"]: row for row in Task.objects.filter(project=project).values("pk", *FINGERPRINTED)}
    links = {
        (pred, succ, kind): (lag, str(percent), elapsed)
        for pred, succ, kind, lag, percent, elapsed in Dependency.objects.touching(project).values_list(
            "predecessor_id", "successor_id", "type", "lag_minutes", "lag_percent", "lag_elapsed"
        )
    }
    fields = (
        Project.objects.filter(pk=project.pk)
        .values("planned_start", "status_date", "calendar_id", "schedule_dialect", "data_date")
        .get()
    )
    return _Plan(tasks, links, fields)


def plan_fingerprint(*, project: Project) -> str:
    """A digest of the project's plan: it changes whenever a task, link or the start changes."""
    return _plan(project).fingerprint()


# -- preview ---------------------------------------------------------------------------------------


class _RollBackError(Exception):
    pass


def _text(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%d %b %Y %H:%M")
    if name in ("duration_minutes", "optimistic_minutes", "pessimistic_minutes"):
        days = Decimal(value) / 480
        return f"{days.normalize():f} d"
    if name == "percent_complete":
        return f"{Decimal(value).normalize():f} %"
    return str(value)


def schedule_import_preview(
    *,
    actor,
    project: Project,
    data: bytes,
    filename: str,
    replace: bool,
    estimates: EstimateMapping | None = None,
    resource_matches: dict[str, str] | None = None,
) -> SchedulePreview:
    """What importing `data` into `project` would do; writes nothing (ScheduleFileError when
    the file cannot be imported). `estimates`: custom fields mapped to the three-point
    estimates; `resource_matches`: the people or roles chosen for the file's resources
    (schedule_io.schedule_import)."""
    estimates = estimates or EstimateMapping()
    zone = project_zone(project)
    before = _plan(project)
    source = read_schedule_source(data, filename)
    document = source.document
    file_dates = {
        str(t.uid): (to_aware(t.computed.start, zone), to_aware(t.computed.finish, zone)) for t in document.tasks
    }
    try:
        with transaction.atomic():
            result = schedule_import(
                actor=actor,
                data=data,
                filename=filename,
                project_code=project.code,
                program=project.program,
                replace=replace,
                estimates=estimates,
                source=source,
                resource_matches=resource_matches,
            )
            after = _plan(project)
            resources = resource_lines(project)
            raise _RollBackError
    except _RollBackError:
        pass
    except (IntegrityError, DataError) as error:
        # A value the checks above let through but a database constraint refuses.
        raise ScheduleFileError(DATABASE_REFUSED.format(error=str(error).splitlines()[0])) from None

    def local(value):
        """For the texts of changed fields only: lists and spans keep aware datetimes."""
        return to_local(value, zone) if isinstance(value, dt.datetime) else value

    names = {pk: row["name"] for pk, row in {**before.tasks, **after.tasks}.items()}
    outlines = {**{pk: r["outline_number"] for pk, r in after.tasks.items()}}

    def line(row: dict) -> TaskLine:
        progress = bool(row["percent_complete"]) or row["actual_start"] is not None
        file_start, file_finish = (
            file_dates.get(row["external_ref"], (None, None)) if row["external_ref"] else (None, None)
        )
        return TaskLine(
            file_start=file_start,
            file_finish=file_finish,
            name=row["name"],
            outline=row["outline_number"],
            ref=row["external_ref"],
            start=row["start"],
            finish=row["finish"],
            percent_complete=row["percent_complete"],
            has_progress=progress,
        )

    preview = SchedulePreview(
        filename=filename,
        replace=replace,
        fingerprint=before.fingerprint(),
        custom_fields=[f for f in custom_fields(document) if f.holds_durations],
        estimates=estimates,
        estimated_tasks=sum(
            1 for row in after.tasks.values() if row["optimistic_minutes"] is not None and row["external_ref"]
        )
        if estimates
        else 0,
        repairs=list(result.repairs),
        dialect=source.dialect,
        dialect_label=source.dialect_label,
        dialect_before=ScheduleDialect(before.project["schedule_dialect"]).label,
        dialect_after=ScheduleDialect(after.project["schedule_dialect"]).label,
        options=option_lines(source),
        resources=resources,
        match_options=matcher.options(project) if (matcher := resource_matcher()) and resources else [],
        resource_matches=resource_matches,
    )
    for pk, row in sorted(after.tasks.items(), key=lambda item: _outline_key(item[1]["outline_number"])):
        old = before.tasks.get(pk)
        if old is None:
            preview.added.append(line(row))
            continue
        changes = []
        for name, label in COMPARED.items():
            if old[name] != row[name]:
                if name == "parent_id":
                    changes.append(
                        FieldChange(label, names.get(old[name], "—") if old[name] else "—", names.get(row[name], "—"))
                    )
                else:
                    changes.append(FieldChange(label, _text(name, local(old[name])), _text(name, local(row[name]))))
        if changes:
            preview.changed.append(TaskChange(line(row), tuple(changes)))
        if (old["start"], old["finish"]) != (row["start"], row["finish"]):
            preview.moved.append(
                DateMove(
                    line(row), local(old["start"]), local(row["start"]), local(old["finish"]), local(row["finish"])
                )
            )
        if not changes and (old["start"], old["finish"]) == (row["start"], row["finish"]):
            preview.unchanged_tasks += 1
    removed = [pk for pk in before.tasks if pk not in after.tasks]
    preview.removed = [
        line(before.tasks[pk])
        for pk in sorted(removed, key=lambda pk: _outline_key(before.tasks[pk]["outline_number"]))
    ]
    for pk in removed:
        outlines[pk] = before.tasks[pk]["outline_number"]

    def link_line(key, value) -> LinkLine:
        return LinkLine(
            names.get(key[0], "another project's task"), names.get(key[1], "another project's task"), key[2]
        )

    preview.links_added = [link_line(k, v) for k, v in after.links.items() if before.links.get(k) != v]
    preview.links_removed = [link_line(k, v) for k, v in before.links.items() if after.links.get(k) != v]
    preview.start_before, preview.finish_before = _span(before)
    preview.start_after, preview.finish_after = _span(after)
    preview.planned_start_before = before.project["planned_start"]
    preview.planned_start_after = after.project["planned_start"]
    preview.lost = _lost_with(removed)
    preview.notes = _date_notes(preview, after.project)
    if result.repaired_assignments:
        count = result.repaired_assignments
        preview.notes.append(
            f"{count} assignment{'s' if count != 1 else ''} had a negative work or cost in the file (rounding "
            "left by the tool that wrote it): kept as 0."
        )
    return preview


def _tasks(items) -> str:
    count = len(items)
    return f"{count} task{'s' if count != 1 else ''}"


def _date_notes(preview: SchedulePreview, project: dict) -> list[str]:
    """Why imported tasks are dated other than in the file, when they are: the plan's own
    rules (its start, and its status date: work not done is never scheduled before it)."""
    off = [t for t in (*preview.added, *(c.task for c in preview.changed)) if t.off_file_dates]
    if not off:
        return []
    status, start = project["status_date"], project["planned_start"]
    notes = []
    early = [t for t in off if status and not t.has_progress and t.file_start.date() <= status]
    if early:
        notes.append(
            f"{_tasks(early)} from the file start before the plan's status date ({status:%d %b %Y}) with no "
            "progress recorded: work not done is scheduled after the status date, so they move past it. Record "
            "their progress in the file, or change the project's status date, to keep the file's dates."
        )
    before_start = [t for t in off if start and t.file_start.date() < start and t not in early]
    if before_start:
        notes.append(f"{_tasks(before_start)} from the file start before the plan's start ({start:%d %b %Y}).")
    rest = len(off) - len(early) - len(before_start)
    if rest:
        notes.append(f"{_tasks(range(rest))} from the file get other dates from their links or the plan's calendars.")
    return notes


def _outline_key(outline: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in (outline or "0").split("."))


def _span(plan: _Plan) -> tuple:
    starts = [row["start"] for row in plan.tasks.values() if row["start"]]
    finishes = [row["finish"] for row in plan.tasks.values() if row["finish"]]
    return (min(starts) if starts else None, max(finishes) if finishes else None)


def _lost_with(removed: list[int]) -> list[str]:
    """Sentences naming what goes with the removed tasks: baseline rows, and the rows of other
    apps that point at them (found through the model's relations, so no upward import)."""
    if not removed:
        return []
    lost = []
    snapshots = BaselineTask.objects.filter(task__in=removed)
    numbers = sorted(set(snapshots.values_list("baseline__number", flat=True)))
    if numbers:
        listed = ", ".join(str(n) for n in numbers)
        lost.append(f"{snapshots.count()} baseline rows (baselines {listed}) are deleted with them.")
    for relation in Task._meta.related_objects:
        model = relation.related_model
        if model in (Task, Dependency, BaselineTask):
            continue
        label = model._meta.verbose_name_plural
        if relation.many_to_many:
            count = model._base_manager.filter(**{f"{relation.field.name}__in": removed}).distinct().count()
            if count:
                lost.append(f"{count} {label} lose their link to these tasks.")
            continue
        count = model._base_manager.filter(**{f"{relation.field.name}__in": removed}).count()
        if not count:
            continue
        if relation.on_delete is models.CASCADE:
            lost.append(f"{count} {label} are deleted with them.")
        else:
            lost.append(f"{count} {label} stay but are no longer linked to a task.")
    return lost


# -- the pending import ---------------------------------------------------------------------------


def schedule_import_upload(*, user, project: Project, upload: UploadedFile, replace: bool) -> ScheduleImport:
    """Check `upload` against `project` (a dry run) and keep it for the preview and confirm
    steps. ScheduleFileError (on `file`) when it cannot be imported; nothing is kept then."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ScheduleFileError(TOO_LARGE)
    filename = Path(upload.name or "schedule.xml").name[:255] or "schedule.xml"
    data = upload.read()
    schedule_import_preview(actor=user, project=project, data=data, filename=filename, replace=replace)
    job = ScheduleImport(project=project, user=user, filename=filename, replace=replace)
    upload.seek(0)
    job.file.save(filename, upload, save=False)
    job.save()
    return job


def _data(job: ScheduleImport) -> bytes:
    try:
        with job.file.open("rb") as stored:
            return stored.read()
    except (FileNotFoundError, ValueError):
        raise ScheduleFileError(FILE_GONE) from None


def schedule_import_job_preview(
    *,
    job: ScheduleImport,
    actor,
    estimates: EstimateMapping | None = None,
    resource_matches: dict[str, str] | None = None,
) -> SchedulePreview:
    return schedule_import_preview(
        actor=actor,
        project=job.project,
        data=_data(job),
        filename=job.filename,
        replace=job.replace,
        estimates=estimates,
        resource_matches=resource_matches,
    )


@transaction.atomic
def schedule_import_confirm(
    *,
    job: ScheduleImport,
    actor,
    fingerprint: str,
    replace_confirmed: bool = False,
    estimates: EstimateMapping | None = None,
    resource_matches: dict[str, str] | None = None,
) -> ImportResult | None:
    """Import the stored file of `job`, all or nothing. None when it was imported already.

    Raises StalePreviewError when the plan no longer matches `fingerprint` (the preview's),
    ValidationError on `confirm_replace` for a replace not explicitly confirmed, and
    ScheduleFileError when the file cannot be imported (it is re-validated here)."""
    job = ScheduleImport.objects.select_for_update().select_related("project__program").get(pk=job.pk)
    project = Project.objects.select_for_update().select_related("program").get(pk=job.project_id)
    if job.applied_at is not None:
        return None
    if job.replace and not replace_confirmed:
        raise ValidationError({"confirm_replace": CONFIRM_REPLACE})
    if plan_fingerprint(project=project) != fingerprint:
        raise StalePreviewError(PLAN_CHANGED.format(code=project.code))
    data = _data(job)
    try:
        result = schedule_import(
            actor=actor,
            data=data,
            filename=job.filename,
            project_code=project.code,
            program=project.program,
            replace=job.replace,
            estimates=estimates,
            resource_matches=resource_matches,
        )
    except (IntegrityError, DataError) as error:
        raise ScheduleFileError(DATABASE_REFUSED.format(error=str(error).splitlines()[0])) from None
    job.applied_at = timezone.now()
    job.result = {
        "tasks_created": result.tasks_created,
        "tasks_updated": result.tasks_updated,
        "tasks_removed": result.tasks_removed,
        "links": result.links,
        "calendars": result.calendars,
        "baselines": result.baselines,
        "resources": result.resources,
        "assignments": result.assignments,
    }
    job.save(update_fields=["applied_at", "result", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=project,
        changes={"schedule_import_mode": [None, "replace" if job.replace else "merge"], "file": [None, job.filename]},
        # The imported file itself, kept with the entry (the upload may be cleaned up later): what
        # the plan was replaced or merged with can be read back; it holds this project only.
        attachment=ContentFile(data, name=job.filename),
    )
    return result
