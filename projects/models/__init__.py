"""The projects app's models: projects and status (project.py), schedules (schedule.py)."""

from .project import RAG_VALUES, Project, Rag, StatusReport, open_projects_q
from .schedule import Baseline, BaselineTask, Calendar, CalendarException, Dependency, Task

__all__ = [
    "RAG_VALUES",
    "Baseline",
    "BaselineTask",
    "Calendar",
    "CalendarException",
    "Dependency",
    "Project",
    "Rag",
    "StatusReport",
    "Task",
    "open_projects_q",
]
