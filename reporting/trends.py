"""Trend reads for the program and project pages: a year of MetricSnapshots, one point per week
(the week's newest snapshot), turned into the trend charts (reporting.charts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from portfolio.models import Program
from projects.models import Project

from . import charts
from .models import MetricSnapshot

WINDOW_DAYS = 365


@dataclass(frozen=True)
class Trends:
    """What the trend include shows. `index_chart` is None when the reader may not see the
    figures (a program's money for someone who does not see all its projects)."""

    health_chart: str
    index_chart: str | None
    weeks: int
    first_day: dt.date | None
    last_day: dt.date | None


def _weekly(snapshots: list[MetricSnapshot]) -> list[MetricSnapshot]:
    """The newest snapshot of each ISO week, oldest week first (`snapshots` ordered by day)."""
    by_week: dict[tuple[int, int], MetricSnapshot] = {}
    for snapshot in snapshots:
        by_week[snapshot.day.isocalendar()[:2]] = snapshot
    return list(by_week.values())


def _snapshots(*, today: dt.date | None = None, **scope) -> list[MetricSnapshot]:
    since = (today or timezone.localdate()) - dt.timedelta(days=WINDOW_DAYS)
    rows = (
        MetricSnapshot.objects.filter(day__gte=since, **scope)
        .only("day", "cpi", "spi", "health_overall")
        .order_by("day")
    )
    return _weekly(list(rows))


def _trends(points: list[MetricSnapshot], *, name: str, with_index: bool) -> Trends:
    health = charts.health_strip([(p.day, p.health_overall) for p in points], title=f"Computed health of {name}")
    index = (
        charts.index_trend_chart([(p.day, p.cpi, p.spi) for p in points], title=f"CPI and SPI of {name}")
        if with_index
        else None
    )
    return Trends(
        health_chart=health,
        index_chart=index,
        weeks=len(points),
        first_day=points[0].day if points else None,
        last_day=points[-1].day if points else None,
    )


def program_trends(*, program: Program, with_index: bool, today: dt.date | None = None) -> Trends:
    """A program's trends: one query."""
    return _trends(_snapshots(program=program, today=today), name=program.name, with_index=with_index)


def project_trends(*, project: Project, today: dt.date | None = None) -> Trends:
    """A project's trends: one query."""
    return _trends(_snapshots(project=project, today=today), name=project.name, with_index=True)


def programs_trends(*, programs, overseen_ids: set[int], today: dt.date | None = None) -> dict[int, Trends]:
    """Each program's trends (as program_trends) by program id, from one query for all of them,
    so a report of many programs reads the snapshots once. CPI/SPI only for `overseen_ids`."""
    programs = list(programs)
    since = (today or timezone.localdate()) - dt.timedelta(days=WINDOW_DAYS)
    by_program: dict[int, list[MetricSnapshot]] = {program.pk: [] for program in programs}
    rows = (
        MetricSnapshot.objects.filter(day__gte=since, program__in=list(by_program))
        .only("program_id", "day", "cpi", "spi", "health_overall")
        .order_by("program_id", "day")
    )
    for snapshot in rows if by_program else ():
        by_program[snapshot.program_id].append(snapshot)
    return {
        program.pk: _trends(_weekly(by_program[program.pk]), name=program.name, with_index=program.pk in overseen_ids)
        for program in programs
    }
