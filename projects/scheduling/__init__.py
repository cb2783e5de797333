"""Keel's scheduling engine: working-time calendars, critical path, MS Project XML.

Pure Python, no Django. The service layer calls :func:`schedule` with :class:`TaskIn` and
:class:`LinkIn` rows and :class:`WorkCalendar` objects; ``ScheduleOptions(p6=P6Options(...))``
selects the Primavera P6 dialect (:mod:`projects.scheduling.dialects`), the default is Microsoft
Project's; MSPDI files go through
:func:`read_mspdi` / :func:`engine_input_from_mspdi` on import and
:func:`document_from_schedule` / :func:`write_mspdi` on export.
"""

from projects.scheduling.calendar import CalendarError, WorkCalendar, WorkWeek
from projects.scheduling.dialects import (
    ActivityType,
    CriticalMode,
    Dialect,
    FloatMode,
    LagCalendar,
    P6Options,
    ProgressMode,
)
from projects.scheduling.engine import schedule
from projects.scheduling.interop import EngineInput, engine_input_from_mspdi
from projects.scheduling.model import (
    ConstraintType,
    LinkIn,
    LinkType,
    ScheduleCycleError,
    ScheduleError,
    ScheduleInputError,
    ScheduleOptions,
    ScheduleResult,
    TaskId,
    TaskIn,
    TaskOut,
)
from projects.scheduling.mspdi import MspdiDocument, ScheduleImportError, read_mspdi, write_mspdi
from projects.scheduling.mspdi_export import document_from_schedule

__all__ = [
    "ActivityType",
    "CalendarError",
    "ConstraintType",
    "CriticalMode",
    "Dialect",
    "EngineInput",
    "FloatMode",
    "LagCalendar",
    "LinkIn",
    "LinkType",
    "MspdiDocument",
    "P6Options",
    "ProgressMode",
    "ScheduleCycleError",
    "ScheduleError",
    "ScheduleImportError",
    "ScheduleInputError",
    "ScheduleOptions",
    "ScheduleResult",
    "TaskId",
    "TaskIn",
    "TaskOut",
    "WorkCalendar",
    "WorkWeek",
    "document_from_schedule",
    "engine_input_from_mspdi",
    "read_mspdi",
    "schedule",
    "write_mspdi",
]
