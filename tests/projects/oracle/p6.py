"""MPXJ as the outside truth for Keel's Primavera P6 dialect.

``P6Oracle.java`` (next to this module) runs in a Java subprocess with MPXJ's jars, started by
Java's single-file source launcher: no build step. This module runs it and turns what MPXJ read
from a ``.xer`` / P6 XML file into Keel engine input, so a test schedules exactly the network
MPXJ schedules and compares the two:

* :func:`oracle_reports` -- MPXJ's reading of each file and its ``PrimaveraScheduler`` results;
* :func:`engine_case` -- that reading as :class:`EngineCase` (tasks, links, calendars, options);
* :func:`build_files` / :func:`bench_spec` -- a JSON spec to ``.xer`` + P6 XML, or timed in the JVM.

Only what a planner enters is carried over (durations, remaining durations, actual dates, links
and lags, constraints, calendars, the project's P6 options); MPXJ's computed dates stay on the
oracle side.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from pathlib import Path

from projects.scheduling.calendar import WorkCalendar
from projects.scheduling.model import ConstraintType, LinkIn, LinkType, ScheduleOptions, TaskIn
from projects.scheduling.mpxj import _classpath, java_executable

ORACLE_SOURCE = Path(__file__).with_name("P6Oracle.java")
TIMEOUT_SECONDS = 600

LINK_TYPES = {kind.value: kind for kind in LinkType}  # MPXJ prints RelationType as FS, SS, FF, SF
CONSTRAINTS = {
    "START_NO_EARLIER_THAN": ConstraintType.SNET,
    "START_NO_LATER_THAN": ConstraintType.SNLT,
    "FINISH_NO_EARLIER_THAN": ConstraintType.FNET,
    "FINISH_NO_LATER_THAN": ConstraintType.FNLT,
    "MUST_START_ON": ConstraintType.MSO,
    "MUST_FINISH_ON": ConstraintType.MFO,
    "AS_LATE_AS_POSSIBLE": ConstraintType.ALAP,
    "START_ON": ConstraintType.SO,
    "FINISH_ON": ConstraintType.FO,
}
# MPXJ's enum names -> the values of projects.models (ProgressMode, LagCalendar, FloatMode,
# CriticalMode, ActivityType), which are also what the engine's P6 options take.
LAG_CALENDARS = {
    "PREDECESSOR": "predecessor",
    "SUCCESSOR": "successor",
    "TWENTY_FOUR_HOUR": "24h",
    "PROJECT_DEFAULT": "project",
}
FLOAT_MODES = {"START_SLACK": "start", "FINISH_SLACK": "finish", "SMALLEST_SLACK": "smallest"}
CRITICAL_MODES = {"TOTAL_FLOAT": "total_float", "LONGEST_PATH": "longest_path"}
PROGRESS_MODES = {
    "RETAINED_LOGIC": "retained_logic",
    "PROGRESS_OVERRIDE": "progress_override",
    "ACTUAL_DATES": "actual_dates",
}
ACTIVITY_TYPES = {
    "START_MILESTONE": "start_milestone",
    "FINISH_MILESTONE": "finish_milestone",
    "LEVEL_OF_EFFORT": "loe",
    "WBS_SUMMARY": "wbs_summary",
}
MILESTONES = frozenset({"START_MILESTONE", "FINISH_MILESTONE"})
DERIVED = frozenset({"loe", "wbs_summary"})  # P6 computes their durations and actual dates


class OracleError(RuntimeError):
    """The Java harness failed; the message carries its output."""


def oracle_problem() -> str | None:
    """Why the oracle cannot run here, or None. Java's single-file source launcher compiles
    P6Oracle.java, so it needs a JDK (``javac`` next to ``java``), not only a runtime."""
    classpath, java = _classpath(), java_executable()
    if not classpath or java is None:
        return "the P6 oracle needs Java and the mpxj package (requirements-mpxj.txt)"
    if not (Path(java).resolve().parent / "javac").exists() and shutil.which("javac") is None:
        return "the P6 oracle needs a JDK (javac) for Java's source launcher: apt-get install default-jdk-headless"
    return None


def java_command() -> list[str]:
    """``java -cp <mpxj jars> P6Oracle.java`` (raises OracleError when it cannot run here)."""
    problem = oracle_problem()
    if problem:
        raise OracleError(problem)
    return [java_executable(), "-Xss64m", "-Xmx2g", "-cp", _classpath(), str(ORACLE_SOURCE)]  # type: ignore[list-item]


def _run(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 -- fixed argv, no shell
        [*java_command(), *args], capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        raise OracleError(f"P6Oracle {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def oracle_reports(paths: list[Path]) -> dict[str, dict]:
    """MPXJ's reading and PrimaveraScheduler results for each file, keyed by file name (one JVM)."""
    return json.loads(_run("schedule", *map(str, paths)))


def build_files(specs: dict[Path, dict]) -> None:
    """For each ``out_prefix: spec`` write ``out_prefix.xer`` and ``out_prefix.xml`` (P6 XML),
    scheduled by MPXJ first (one JVM for all)."""
    with tempfile.TemporaryDirectory(prefix="keel-p6-") as tmp:
        args: list[str] = []
        for number, (out_prefix, spec) in enumerate(specs.items()):
            source = Path(tmp) / f"spec{number}.json"
            source.write_text(json.dumps(spec))
            args += [str(source), str(out_prefix)]
        _run("build", *args)


def bench_spec(spec: dict, repeat: int) -> dict:
    """Build ``spec`` in the JVM ``repeat`` times and time PrimaveraScheduler alone (best run)."""
    with tempfile.TemporaryDirectory(prefix="keel-p6-") as tmp:
        source = Path(tmp) / "spec.json"
        source.write_text(json.dumps(spec))
        return json.loads(_run("bench", str(source), str(repeat)))


# -- MPXJ's reading -> engine input -----------------------------------------------------------


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _interval(pair: list[str]) -> tuple[time, time]:
    return time.fromisoformat(pair[0]), time.fromisoformat(pair[1])


def work_calendar(node: dict) -> WorkCalendar:
    """An MPXJ calendar (weekday 1 = Monday .. 7, ranges "08:00"-"12:00", exceptions) as a WorkCalendar."""
    week = {int(day) - 1: [_interval(pair) for pair in ranges] for day, ranges in node["week"].items()}
    exceptions: dict[date, list[tuple[time, time]]] = {}
    for item in node["exceptions"]:
        day, last = date.fromisoformat(item["from"]), date.fromisoformat(item["to"])
        while day <= last:
            exceptions[day] = [_interval(pair) for pair in item["hours"]]
            day = date.fromordinal(day.toordinal() + 1)
    return WorkCalendar(node["name"] or str(node["id"]), week=week, exceptions=exceptions)


@dataclass(frozen=True)
class EngineCase:
    """One file as Keel's engine input (task ids are MPXJ unique ids) and its P6 options."""

    name: str
    tasks: tuple[TaskIn, ...]
    links: tuple[LinkIn, ...]
    calendars: dict[str, WorkCalendar]
    default_calendar_id: str
    project_start: datetime
    data_date: datetime | None
    must_finish_by: datetime | None
    lag_calendar: str
    float_mode: str
    critical_mode: str
    critical_float_minutes: int
    progress_mode: str
    activity_types: dict[int, str] = field(default_factory=dict)
    activity_ids: dict[int, str] = field(default_factory=dict)


def _calendar(node: dict) -> str | None:
    return str(node["calendar"]) if node["calendar"] is not None else None


def engine_case(name: str, report: dict) -> EngineCase:
    """Engine input for the network MPXJ read (its computed dates are not used)."""
    project = report["project"]
    calendars = {str(node["id"]): work_calendar(node) for node in report["calendars"]}
    default = str(project["default_calendar"])
    supported = {f.name for f in fields(TaskIn)}
    tasks: list[TaskIn] = []
    types: dict[int, str] = {}
    ids: dict[int, str] = {}
    for node in report["tasks"]:
        uid = node["uid"]
        kind = ACTIVITY_TYPES.get(node["type"], "task")
        extra: dict = {}
        if "activity_type" in supported:
            extra["activity_type"] = kind
        if node["summary"]:
            tasks.append(TaskIn(uid, node["name"] or "", parent_id=node["parent_uid"], is_summary=True))
            continue
        types[uid], ids[uid] = kind, node["activity_id"]
        if kind in DERIVED:
            # P6 derives a level-of-effort or WBS-summary activity's duration and actual dates
            # from other activities; what a file stores for them is computed, not entered.
            tasks.append(
                TaskIn(uid, node["name"] or "", parent_id=node["parent_uid"], calendar_id=_calendar(node), **extra)
            )
            continue
        constraint = CONSTRAINTS.get(node["constraint"], ConstraintType.ASAP)
        duration = node["duration_minutes"] or 0
        tasks.append(
            TaskIn(
                uid,
                node["name"] or "",
                parent_id=node["parent_uid"],
                duration_minutes=duration,
                is_milestone=node["type"] in MILESTONES,
                constraint_type=constraint,
                constraint_date=_moment(node["constraint_date"]) if constraint is not ConstraintType.ASAP else None,
                calendar_id=_calendar(node),
                percent_complete=100.0 if node["actual_finish"] else (node["percent_complete"] or 0.0),
                actual_start=_moment(node["actual_start"]),
                actual_finish=_moment(node["actual_finish"]),
                remaining_minutes=node["remaining_minutes"] if node["actual_start"] else None,
                **extra,
            )
        )
    links = tuple(
        LinkIn(link["pred"], link["succ"], LINK_TYPES[link["type"]], link["lag_minutes"] or 0)
        for link in report["relations"]
    )
    return EngineCase(
        name=name,
        tasks=tuple(tasks),
        links=links,
        calendars=calendars,
        default_calendar_id=default,
        project_start=_moment(project["planned_start"] or project["start"]),  # type: ignore[arg-type]
        data_date=_moment(project["data_date"]),
        must_finish_by=_moment(project["must_finish_by"]),
        lag_calendar=LAG_CALENDARS.get(project["lag_calendar"], "predecessor"),
        float_mode=FLOAT_MODES.get(project["float_mode"], "finish"),
        critical_mode=CRITICAL_MODES.get(project["critical_mode"], "total_float"),
        critical_float_minutes=project["critical_float_minutes"] or 0,
        progress_mode=PROGRESS_MODES.get(project["progress_mode"], "retained_logic"),
        activity_types=types,
        activity_ids=ids,
    )


def p6_options(case: EngineCase) -> ScheduleOptions:
    """The engine's options for the P6 dialect with this file's settings."""
    from projects.scheduling import dialects  # the P6 dialect (the engine's rules for P6)

    p6 = dialects.P6Options(
        data_date=case.data_date,
        progress_mode=dialects.ProgressMode(case.progress_mode),
        lag_calendar=dialects.LagCalendar(case.lag_calendar),
        float_mode=dialects.FloatMode(case.float_mode),
        critical_mode=dialects.CriticalMode(case.critical_mode),
        must_finish_by=case.must_finish_by,
    )
    return ScheduleOptions(critical_slack_minutes=case.critical_float_minutes, p6=p6)


# -- a spec without the JVM ---------------------------------------------------------------------

_SPEC_TYPES = {
    "task": "TASK_DEPENDENT",
    "start_milestone": "START_MILESTONE",
    "finish_milestone": "FINISH_MILESTONE",
    "loe": "LEVEL_OF_EFFORT",
    "wbs_summary": "WBS_SUMMARY",
}
_SPEC_CONSTRAINTS = {short.value: long for long, short in CONSTRAINTS.items()}


def report_from_spec(spec: dict) -> dict:
    """What P6Oracle's ``schedule`` would report MPXJ read from a file built from ``spec``
    (project options, calendars, activities, relationships; no dates): the same unique ids (WBS
    entries first, then activities, in spec order), so :func:`engine_case` works without Java."""

    def option(table: dict[str, str], value: str) -> str:
        return next(k for k, v in table.items() if v == value)

    wbs_uid = {node["id"]: number for number, node in enumerate(spec["wbs"], start=1)}
    tasks: list[dict] = [
        {
            "uid": wbs_uid[node["id"]],
            "activity_id": None,
            "name": node["name"],
            "summary": True,
            "parent_uid": wbs_uid.get(node.get("parent")),
            "type": "TASK_DEPENDENT",
        }
        for node in spec["wbs"]
    ]
    uid_of: dict[str, int] = {}
    for number, node in enumerate(spec["activities"], start=len(tasks) + 1):
        uid_of[node["id"]] = number
        hours = node.get("duration_h", 0)
        remaining = node.get("remaining_h", hours)
        percent = (100.0 if node.get("actual_finish") else 0.0) if not hours else 100.0 * (hours - remaining) / hours
        tasks.append(
            {
                "uid": number,
                "activity_id": node["id"],
                "name": node.get("name", node["id"]),
                "summary": False,
                "parent_uid": wbs_uid[node["wbs"]],
                "type": _SPEC_TYPES[node.get("type", "task")],
                "calendar": node.get("calendar") or spec["default_calendar"],
                "duration_minutes": round(hours * 60),
                "remaining_minutes": round(remaining * 60),
                "actual_start": node.get("actual_start"),
                "actual_finish": node.get("actual_finish"),
                "percent_complete": node.get("percent", percent),
                "constraint": _SPEC_CONSTRAINTS.get(node.get("constraint"), "AS_SOON_AS_POSSIBLE"),
                "constraint_date": node.get("constraint_date"),
            }
        )
    calendars = [
        {
            "id": node["id"],
            "name": node["name"],
            "week": {str(day): node["week"].get(str(day), []) for day in range(1, 8)},
            "exceptions": [{"from": day, "to": day, "hours": []} for day in node.get("holidays", [])],
        }
        for node in spec["calendars"]
    ]
    return {
        "project": {
            "name": spec["name"],
            "planned_start": spec["start"],
            "start": spec["start"],
            "data_date": spec.get("data_date"),
            "must_finish_by": spec.get("must_finish_by"),
            "lag_calendar": option(LAG_CALENDARS, spec.get("lag_calendar", "predecessor")),
            "float_mode": option(FLOAT_MODES, spec.get("float_mode", "finish")),
            "critical_mode": option(CRITICAL_MODES, spec.get("critical_mode", "total_float")),
            "critical_float_minutes": round(spec.get("critical_float_hours", 0) * 60),
            "progress_mode": option(PROGRESS_MODES, spec.get("progress_mode", "retained_logic")),
            "default_calendar": spec["default_calendar"],
        },
        "calendars": calendars,
        "tasks": tasks,
        "relations": [
            {
                "pred": uid_of[link["pred"]],
                "succ": uid_of[link["succ"]],
                "type": link.get("type", "FS"),
                "lag_minutes": round(link.get("lag_h", 0) * 60),
            }
            for link in spec["links"]
        ],
    }
