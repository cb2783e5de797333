"""The projects app's models: projects and status (project.py), schedules (schedule.py),
pending schedule imports (schedule_import.py), schedule uncertainty (uncertainty.py), a
schedule's resources and assignments (resources.py)."""

from .project import (
    RAG_VALUES,
    CriticalMode,
    FloatMode,
    LagCalendar,
    ProgressMode,
    Project,
    Rag,
    ScheduleDialect,
    StatusReport,
    open_projects_q,
)
from .resources import ScheduleAssignment, ScheduleResource
from .schedule import (
    ActivityType,
    Baseline,
    BaselineTask,
    Calendar,
    CalendarException,
    ConstraintOrigin,
    Dependency,
    ScheduleUndo,
    Task,
)
from .schedule_import import ScheduleImport
from .uncertainty import CorrelationGroup, Distribution, DurationRange

__all__ = [
    "RAG_VALUES",
    "ActivityType",
    "Baseline",
    "BaselineTask",
    "Calendar",
    "CalendarException",
    "ConstraintOrigin",
    "CorrelationGroup",
    "CriticalMode",
    "Dependency",
    "Distribution",
    "DurationRange",
    "FloatMode",
    "LagCalendar",
    "ProgressMode",
    "Project",
    "Rag",
    "ScheduleAssignment",
    "ScheduleDialect",
    "ScheduleImport",
    "ScheduleResource",
    "ScheduleUndo",
    "StatusReport",
    "Task",
    "open_projects_q",
]
