"""The projects app's models: projects and status (project.py), schedules (schedule.py),
pending schedule imports (schedule_import.py), schedule uncertainty (uncertainty.py)."""

from .project import RAG_VALUES, Project, Rag, StatusReport, open_projects_q
from .schedule import Baseline, BaselineTask, Calendar, CalendarException, Dependency, Task
from .schedule_import import ScheduleImport
from .uncertainty import CorrelationGroup, Distribution, DurationRange

__all__ = [
    "RAG_VALUES",
    "Baseline",
    "BaselineTask",
    "Calendar",
    "CalendarException",
    "CorrelationGroup",
    "Dependency",
    "Distribution",
    "DurationRange",
    "Project",
    "Rag",
    "ScheduleImport",
    "StatusReport",
    "Task",
    "open_projects_q",
]
