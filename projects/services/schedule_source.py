"""A schedule file as read for import: the MSPDI document, what the reader repaired, and the
scheduling dialect and options the file's origin gives the project.

`schedule_io.read_schedule_source` builds a :class:`ScheduleSource`; `schedule_io.schedule_import`
applies it with the helpers here:

* :func:`distinct_links` keeps one link per (predecessor, successor, type) -- P6 allows an SS
  and an FF link between one pair, and Keel stores both; the same type twice is merged into
  the first and noted;
* :func:`note_dropped_links` notes the links the translation leaves out (to tasks not in the
  file, or to other projects);
* :func:`apply_source_options` stores the dialect and P6's options on the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projects.scheduling.model import LinkIn
from projects.scheduling.mspdi_model import MspdiDocument
from projects.scheduling.p6 import MSPROJECT, P6, SourceOptions
from projects.scheduling.repairs import RepairLine, RepairLog

from ..models import Project, ScheduleDialect
from .schedule import project_zone, to_aware

MERGED_LINK = "the same predecessor, successor and type twice, merged into the first"
TO_MISSING_TASK = "to a task that is not in the file (or is blank or inactive), left out"
CROSS_PROJECT = "to another project's task, left out"

# The Project fields an import sets from the file's options.
OPTION_FIELDS = (
    "schedule_dialect",
    "data_date",
    "progress_mode",
    "lag_calendar",
    "float_mode",
    "critical_mode",
    "critical_float_minutes",
    "must_finish_by",
)


@dataclass(slots=True)
class ScheduleSource:
    document: MspdiDocument
    repairs: RepairLog = field(default_factory=RepairLog)
    dialect: str = MSPROJECT
    options: SourceOptions | None = None  # None: the file was read natively (MSPDI)

    @property
    def dialect_label(self) -> str:
        return ScheduleDialect(self.dialect).label


def distinct_links(links: tuple[LinkIn, ...] | list[LinkIn], repairs: RepairLog) -> list[LinkIn]:
    """`links` with one link per (predecessor, successor, type): a repeat is noted, not kept."""
    kept: dict[tuple, LinkIn] = {}
    for link in links:
        key = (link.predecessor_id, link.successor_id, link.type)
        if key in kept:
            repairs.add(
                "link", MERGED_LINK, f"Task UID {link.successor_id} ← UID {link.predecessor_id} ({link.type.value})"
            )
            continue
        kept[key] = link
    return list(kept.values())


def note_dropped_links(document: MspdiDocument, repairs: RepairLog) -> None:
    """Note the links that the translation to engine input leaves out (interop does it silently)."""
    kept = {t.uid for t in document.tasks if not t.is_null and t.is_active}
    for task in document.tasks:
        if task.uid not in kept:
            continue
        for link in task.predecessors:
            where = f"Task UID {task.uid} ← UID {link.predecessor_uid}"
            if link.cross_project:
                repairs.add("link", CROSS_PROJECT, where)
            elif link.predecessor_uid not in kept:
                repairs.add("link", TO_MISSING_TASK, where)


def apply_source_options(project: Project, source: ScheduleSource, *, from_file: bool) -> list[str]:
    """Give `project` the dialect and the scheduling options of `source`; return the fields set.

    `from_file`: the file becomes the plan (a new project, a replace, or a first import into an
    empty project): the dialect and every option the file states are taken. Otherwise (a merge
    into a plan) the project keeps its own, and takes only a data date it does not have yet."""
    zone = project_zone(project)
    options = source.options or SourceOptions()
    changed: list[str] = []

    def put(name: str, value) -> None:
        if value is not None and getattr(project, name) != value:
            setattr(project, name, value)
            changed.append(name)

    if not from_file:
        if source.dialect == P6 and project.data_date is None:
            put("data_date", to_aware(options.data_date, zone))
        return changed
    put("schedule_dialect", source.dialect)
    if source.dialect == P6:
        put("data_date", to_aware(options.data_date, zone))
        put("progress_mode", options.progress_mode)
        put("lag_calendar", options.lag_calendar)
        put("float_mode", options.float_mode)
        put("critical_mode", options.critical_mode)
        put("critical_float_minutes", options.critical_float_minutes)
        if project.must_finish_by != to_aware(options.must_finish_by, zone):
            project.must_finish_by = to_aware(options.must_finish_by, zone)  # the file's, or none
            changed.append("must_finish_by")
    else:
        mspdi = source.document.project
        if mspdi.critical_slack_limit is not None:
            put("critical_float_minutes", mspdi.critical_slack_limit * (mspdi.minutes_per_day or 480))
    return changed


def option_lines(source: ScheduleSource) -> list[tuple[str, str]]:
    """The file's scheduling options as (label, value) pairs, for the preview."""
    options = source.options
    if source.dialect != P6 or options is None:
        return []
    fields = Project._meta
    lines = []

    def choice(name: str, value) -> str:
        return dict(fields.get_field(name).choices).get(value, "—") if value else "not stated (Keel's default)"

    lines.append(("Data date", options.data_date.strftime("%d %b %Y %H:%M") if options.data_date else "none"))
    lines.append(("Progressed activities", choice("progress_mode", options.progress_mode)))
    lines.append(("Lag calendar", choice("lag_calendar", options.lag_calendar)))
    lines.append(("Total float", choice("float_mode", options.float_mode)))
    critical = choice("critical_mode", options.critical_mode)
    if options.critical_mode != "longest_path" and options.critical_float_minutes is not None:
        hours = options.critical_float_minutes / 60
        critical += f" ({hours:g} h)"
    lines.append(("Critical", critical))
    lines.append(
        ("Must finish by", options.must_finish_by.strftime("%d %b %Y %H:%M") if options.must_finish_by else "none")
    )
    activity_counts: dict[str, int] = {}
    for kind in options.activity_types.values():
        activity_counts[kind] = activity_counts.get(kind, 0) + 1
    labels = dict(fields.apps.get_model("projects", "Task")._meta.get_field("activity_type").choices)
    for kind, count in sorted(activity_counts.items()):
        lines.append((labels.get(kind, kind), f"{count} activit{'y' if count == 1 else 'ies'}"))
    return lines


__all__ = [
    "OPTION_FIELDS",
    "RepairLine",
    "ScheduleSource",
    "apply_source_options",
    "distinct_links",
    "note_dropped_links",
    "option_lines",
]
