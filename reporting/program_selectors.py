"""Reads for the program costs, staffing and governance pages: their headline figures come from
the summary tables (ProgramRollup, ProjectRollup), never from a loop over projects.

Each function is a fixed number of queries whatever the number of projects:
- program_summary: the program's roll-up and its input version (two queries);
- project_summaries: the projects `user` may see in the program with their roll-ups (one query)
  and their input versions (one more).

A summary is *stale* when the version it reflects is not the source's current one (a recompute
is pending), and *missing* when no row has been computed yet; pages show the old figures with
"as of HH:MM — being recomputed", or "not computed yet" (docs: /work/notes/rollup-design.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.changes import current_versions
from portfolio.models import Program
from projects.models import Project

from .models import ProgramRollup, ProjectRollup


@dataclass(frozen=True)
class Summary:
    """A roll-up row (None when none is computed yet) and whether it is behind its source."""

    rollup: ProgramRollup | ProjectRollup | None
    stale: bool

    @property
    def missing(self) -> bool:
        return self.rollup is None or self.rollup.computed_at is None

    @property
    def computed_at(self):
        return None if self.rollup is None else self.rollup.computed_at


def _is_stale(rollup, version: int) -> bool:
    return rollup is None or rollup.computed_at is None or rollup.input_version != version


def program_summary(*, program: Program) -> Summary:
    """The program's roll-up with its freshness (two queries). Shown only to those who see the
    program whole (Program.objects.overseen_by): it sums every project, hidden ones included."""
    rollup = ProgramRollup.objects.filter(program=program.pk).first()
    version = current_versions("program", [program.pk])[program.pk]
    return Summary(rollup=rollup, stale=_is_stale(rollup, version))


@dataclass(frozen=True)
class ProjectSummary:
    project: Project
    summary: Summary


def project_summaries(*, program: Program, user) -> list[ProjectSummary]:
    """The projects of `program` that `user` may see, by code, each with its roll-up (two
    queries: the projects joined to their roll-ups, their input versions)."""
    projects = list(
        Project.objects.visible_to(user).filter(program=program.pk).select_related("rollup").order_by("code")
    )
    versions = current_versions("project", [p.pk for p in projects])
    rows = []
    for project in projects:
        rollup = getattr(project, "rollup", None)  # reverse one-to-one: absent when never computed
        rows.append(ProjectSummary(project, Summary(rollup=rollup, stale=_is_stale(rollup, versions[project.pk]))))
    return rows


def sees_program_whole(*, user, program: Program) -> bool:
    """Program totals sum every project: only people with a role on the program or its portfolio
    get them (one query)."""
    return Program.objects.overseen_by(user).filter(pk=program.pk).exists()
