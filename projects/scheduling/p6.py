"""Primavera P6 on import: which dialect a file's origin implies, and what MSPDI cannot carry.

MPXJ turns a ``.xer`` or P6 XML file into MSPDI, which drops P6's scheduling options and its
activity types. :func:`convert_with_options` runs Keel's own small converter instead
(``java/KeelConvert.java``, launched as a single-file source program: no build step), which
writes the MSPDI *and* a JSON sidecar with those values, read into :class:`SourceOptions`:

* the data date -- an instant (P6's ``last_recalc_date``; MPXJ's "status date");
* how progressed activities are scheduled (retained logic, progress override, actual dates);
* the calendar relationship lags are measured in (predecessor, successor, 24-hour, project);
* how total float is computed (start, finish, smallest) and what is critical (total float at
  or below a threshold, or the longest path), with the threshold in minutes;
* the project's "must finish by" date;
* each activity's type (level of effort and WBS summary matter to the P6 dialect).

Nothing here needs Django: the service (``projects.services.schedule_io``) stores the values.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from projects.scheduling import mpxj
from projects.scheduling.mpxj import INSTALL_HINT, TIMEOUT_SECONDS, MpxjConversionError, MpxjUnavailableError

CONVERTER = Path(__file__).parent / "java" / "KeelConvert.java"

MSPROJECT = "msproject"
P6 = "p6"
P6_SUFFIXES = frozenset({".xer", ".pmxml"})
# MPXJ's ProjectProperties.getFileType() for Primavera's formats.
P6_FILE_TYPES = frozenset({"XER", "PMXML", "P3", "SDEF", "PRIMAVERA"})

# MPXJ's enum names -> the values of the Project fields (projects.models.project).
PROGRESS_MODES = {
    "RETAINED_LOGIC": "retained_logic",
    "PROGRESS_OVERRIDE": "progress_override",
    "ACTUAL_DATES": "actual_dates",
}
LAG_CALENDARS = {
    "PREDECESSOR": "predecessor",
    "SUCCESSOR": "successor",
    "TWENTY_FOUR_HOUR": "24h",
    "PROJECT_DEFAULT": "project",
}
FLOAT_MODES = {"START_SLACK": "start", "FINISH_SLACK": "finish", "SMALLEST_SLACK": "smallest"}
CRITICAL_MODES = {"TOTAL_FLOAT": "total_float", "LONGEST_PATH": "longest_path"}
ACTIVITY_TYPES = {
    "START_MILESTONE": "start_milestone",
    "FINISH_MILESTONE": "finish_milestone",
    "LEVEL_OF_EFFORT": "loe",
    "WBS_SUMMARY": "wbs_summary",
}


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """What the file says about how it is scheduled (None: the file does not say)."""

    file_type: str | None = None
    data_date: datetime | None = None  # naive, in the file's time
    must_finish_by: datetime | None = None
    progress_mode: str | None = None
    lag_calendar: str | None = None
    float_mode: str | None = None
    critical_mode: str | None = None
    critical_float_minutes: int | None = None
    # Task UID -> Task.activity_type for the activities that are not plain tasks.
    activity_types: dict[int, str] = field(default_factory=dict)

    @property
    def is_p6(self) -> bool:
        return (self.file_type or "").upper() in P6_FILE_TYPES


def dialect_for(filename: str, *, p6_xml: bool = False, options: SourceOptions | None = None) -> str:
    """The dialect a file's origin implies: Primavera's formats (.xer, P6 XML) schedule as P6,
    Microsoft Project's (MSPDI, .mpp) and the rest as Microsoft Project."""
    suffix = Path(filename or "").suffix.lower()
    if suffix in P6_SUFFIXES or p6_xml or (options is not None and options.is_p6):
        return P6
    return MSPROJECT


def _moment(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except (TypeError, ValueError):
        return None


def options_from_json(payload: dict) -> SourceOptions:
    """Read the converter's sidecar; values it does not know are left out (None)."""
    minutes = payload.get("critical_float_minutes")
    types = {}
    for uid, name in (payload.get("activity_types") or {}).items():
        if name in ACTIVITY_TYPES and str(uid).lstrip("-").isdigit():
            types[int(uid)] = ACTIVITY_TYPES[name]
    return SourceOptions(
        file_type=payload.get("file_type"),
        data_date=_moment(payload.get("data_date")),
        must_finish_by=_moment(payload.get("must_finish_by")),
        progress_mode=PROGRESS_MODES.get(payload.get("progressed_activities") or ""),
        lag_calendar=LAG_CALENDARS.get(payload.get("lag_calendar") or ""),
        float_mode=FLOAT_MODES.get(payload.get("total_float") or ""),
        critical_mode=CRITICAL_MODES.get(payload.get("critical_activity") or ""),
        critical_float_minutes=int(minutes) if isinstance(minutes, int | float) else None,
        activity_types=types,
    )


def convert_with_options(source: Path) -> tuple[bytes, SourceOptions]:
    """Convert `source` to MSPDI with Keel's converter; return the MSPDI bytes and the options
    MSPDI cannot carry. Raises MpxjUnavailableError or MpxjConversionError as
    :func:`projects.scheduling.mpxj.convert_with_mpxj` does."""
    # Through the module, so that a test's monkeypatch of mpxj.java_executable applies here too.
    classpath, java = mpxj._classpath(), mpxj.java_executable()
    if not classpath or java is None:
        raise MpxjUnavailableError(INSTALL_HINT.format(suffix=source.suffix or "these"))
    with tempfile.TemporaryDirectory(prefix="keel-p6-") as tmp:
        target, sidecar = Path(tmp) / "converted.xml", Path(tmp) / "options.json"
        try:
            completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [java, "-Xmx1g", "-cp", classpath, str(CONVERTER), str(source), str(target), str(sidecar)],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise MpxjConversionError(f"MPXJ did not finish reading the file within {TIMEOUT_SECONDS} s.") from None
        if completed.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            lines = [ln for ln in (completed.stderr + completed.stdout).splitlines() if ln.strip()]
            reason = next((ln for ln in lines if "Exception" in ln or "Error" in ln), lines[-1] if lines else "")
            raise MpxjConversionError(f"MPXJ could not read the file: {reason.strip() or 'unknown error'}")
        try:
            options = options_from_json(json.loads(sidecar.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            options = SourceOptions()  # the options are extras: the schedule itself converted
        return target.read_bytes(), options
