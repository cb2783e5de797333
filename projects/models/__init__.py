"""The projects app's models: projects and status (project.py), schedules (schedule.py),
pending schedule imports (schedule_import.py)."""

from .project import RAG_VALUES, Project, Rag, StatusReport, open_projects_q
from .schedule import Baseline, BaselineTask, Calendar, CalendarException, Dependency, Task
from .schedule_import import ScheduleImport

__all__ = [
    "RAG_VALUES",
    "Baseline",
    "BaselineTask",
    "Calendar",
    "CalendarException",
    "Dependency",
    "Project",
    "Rag",
    "ScheduleImport",
    "StatusReport",
    "Task",
    "open_projects_q",
]
