"""The columns of a project's task list download (core.exports, `?export=csv|xlsx` on the
schedule page): every task in schedule order, times in the project's time zone."""

import zoneinfo
from decimal import Decimal

from core.exports import Column, attr

from .models import Task


def _local(field: str):
    """The task's datetime `field` as a wall-clock time in its project's zone (Excel has no zones)."""

    def read(task):
        value = getattr(task, field)
        if value is None:
            return None
        return value.astimezone(zoneinfo.ZoneInfo(task.project.time_zone)).replace(tzinfo=None)

    return read


def _days(field: str):
    """Minutes as working days of 8 hours, as the task table shows them."""

    def read(task):
        minutes = getattr(task, field)
        return None if minutes is None else (Decimal(minutes) / 480).quantize(Decimal("0.01"))

    return read


TASK_COLUMNS = [
    Column("Project", attr("project.code")),
    Column("WBS", attr("wbs")),
    Column("Outline", attr("outline_number")),
    Column("Name", attr("name")),
    Column("Milestone", attr("is_milestone"), "bool"),
    Column("Summary", attr("is_summary"), "bool"),
    Column("Start", _local("start"), "datetime"),
    Column("Finish", _local("finish"), "datetime"),
    Column("Duration (working days)", _days("duration_minutes"), "number"),
    Column("Complete %", attr("percent_complete"), "percent"),
    Column("Actual start", _local("actual_start"), "datetime"),
    Column("Actual finish", _local("actual_finish"), "datetime"),
    Column("Deadline", _local("deadline"), "datetime"),
    Column("Critical", attr("is_critical"), "bool"),
    Column("Total float (working days)", _days("total_float_minutes"), "number"),
    Column("Cost", attr("cost"), "money"),
    Column("Notes", attr("notes")),
]


def project_task_rows(project):
    """`project`'s tasks in schedule order (as the task table), with the project joined."""
    return Task.objects.filter(project=project).select_related("project").order_by("sort_order", "pk")
