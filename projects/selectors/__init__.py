"""Reads for project pages (project.py) and the schedule page (schedule.py)."""

from .project import (
    HEALTH_RANK,
    PROJECT_DEFAULT_SORT,
    PROJECT_SORTS,
    project_filter_choices,
    project_is_editable,
    project_list,
    project_list_sorted,
    project_page,
    project_status_history,
)
from .schedule import (
    DAY_MINUTES,
    LinkView,
    ProjectSchedule,
    ScheduleRow,
    format_days,
    predecessor_choices,
    project_schedule,
    schedule_calendars,
)

__all__ = [
    "DAY_MINUTES",
    "HEALTH_RANK",
    "PROJECT_DEFAULT_SORT",
    "PROJECT_SORTS",
    "LinkView",
    "ProjectSchedule",
    "ScheduleRow",
    "format_days",
    "predecessor_choices",
    "project_filter_choices",
    "project_is_editable",
    "project_list",
    "project_list_sorted",
    "project_page",
    "project_schedule",
    "project_status_history",
    "schedule_calendars",
]
