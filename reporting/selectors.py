"""Reads of the summary tables for pages and the API: a roll-up row with what the health and
"as of" partials need (templates/includes/_health.html, _rollup_asof.html), computed here so
templates only print.

A roll-up is stale when its `input_version` is behind the source's (core.changes) or it was never
computed; pages then show its (older) figures with a notice. No row at all is "not computed yet".
Each function issues a fixed number of queries whatever the number of rows: one for the roll-ups,
one for the input versions.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from core import changes
from portfolio.models import Portfolio, Program
from projects.models import Project

from .models import Health, PortfolioRollup, ProgramRollup, ProjectRollup

# The dimensions of computed health, in the order pages list them, with their labels.
DIMENSIONS = (
    ("schedule", "Schedule"),
    ("cost", "Cost"),
    ("risk", "Risk"),
    ("staffing", "Staffing"),
    ("governance", "Governance"),
    ("freshness", "Data freshness"),
)
HEALTH_LABELS = {Health.GREEN: "Green", Health.AMBER: "Amber", Health.RED: "Red"}
# Worst first: the overall health is the worst dimension, and its reason is that dimension's.
_SEVERITY = {Health.RED: 0, Health.AMBER: 1, Health.GREEN: 2}

NOT_COMPUTED = "Not computed yet"
NO_DATA = "No data"


@dataclass(frozen=True, slots=True)
class DimensionHealth:
    """One dimension's computed health ("red", "amber", "green" or "" for no data) and the rule
    that decided it ("CPI 0.82 < 0.90"; "" when the computation gave none)."""

    key: str
    label: str
    health: str
    reason: str


@dataclass(frozen=True, slots=True)
class RollupState:
    """A roll-up row as pages show it.

    `rollup` is None when the object has never been summarised (`exists` False): every figure is
    then unknown and pages say NOT_COMPUTED. `stale` is True when the row is behind its source's
    input version or was never computed; its figures are still shown, with a notice.
    `computed_at` is aware (UTC); templates print it in the current time zone.
    """

    rollup: ProjectRollup | ProgramRollup | PortfolioRollup | None
    current_version: int
    stale: bool
    computed_at: dt.datetime | None
    computed_today: bool
    health: str
    health_label: str
    reason: str
    reported_rag: str
    disagrees: bool
    dimensions: tuple[DimensionHealth, ...] = field(default_factory=tuple)

    @property
    def exists(self) -> bool:
        return self.rollup is not None


def rollup_state(rollup, current_version: int) -> RollupState:
    """What the partials need from one roll-up row (or None) and its source's input version."""
    if rollup is None:
        return RollupState(
            rollup=None,
            current_version=current_version,
            stale=True,
            computed_at=None,
            computed_today=False,
            health="",
            health_label=NOT_COMPUTED,
            reason="",
            reported_rag="",
            disagrees=False,
        )
    reasons = rollup.health_reasons if isinstance(rollup.health_reasons, dict) else {}
    dimensions = tuple(
        DimensionHealth(
            key=key,
            label=label,
            health=getattr(rollup, f"health_{key}") or "",
            reason=str(reasons.get(key) or ""),
        )
        for key, label in DIMENSIONS
    )
    overall = rollup.health_overall or ""
    computed_at = rollup.computed_at
    return RollupState(
        rollup=rollup,
        current_version=current_version,
        stale=computed_at is None or rollup.input_version != current_version,
        computed_at=computed_at,
        computed_today=computed_at is not None and timezone.localtime(computed_at).date() == timezone.localdate(),
        health=overall,
        health_label=HEALTH_LABELS.get(overall, NO_DATA if computed_at else NOT_COMPUTED),
        reason=_overall_reason(overall, reasons, dimensions),
        reported_rag=rollup.reported_rag or "",
        disagrees=bool(rollup.health_disagrees),
        dimensions=dimensions,
    )


def _overall_reason(overall: str, reasons: dict, dimensions: tuple[DimensionHealth, ...]) -> str:
    """The rule behind the overall health: the computation's own "overall" reason if it gave
    one, else the reasons of the dimensions that share the overall colour (the worst ones)."""
    if reasons.get("overall"):
        return str(reasons["overall"])
    if not overall:
        return ""
    return "; ".join(d.reason for d in dimensions if d.health == overall and d.reason)


def _states(model, source_field: str, kind: str, ids: Iterable[int]) -> dict[int, RollupState]:
    ids = {int(pk) for pk in ids}
    if not ids:
        return {}
    rows = {getattr(r, source_field): r for r in model.objects.filter(**{f"{source_field}__in": ids})}
    versions = changes.current_versions(kind, ids)
    return {pk: rollup_state(rows.get(pk), versions[pk]) for pk in ids}


def _ids(objects) -> list[int]:
    return [getattr(o, "pk", o) for o in objects]


def project_rollups(projects: Iterable[Project | int]) -> dict[int, RollupState]:
    """The roll-up state of each project (rows or ids), by project id. Two queries."""
    return _states(ProjectRollup, "project_id", "project", _ids(projects))


def program_rollups(programs: Iterable[Program | int]) -> dict[int, RollupState]:
    """The roll-up state of each program (rows or ids), by program id. Two queries."""
    return _states(ProgramRollup, "program_id", "program", _ids(programs))


def portfolio_rollups(portfolios: Iterable[Portfolio | int]) -> dict[int, RollupState]:
    """The roll-up state of each portfolio (rows or ids), by portfolio id. Two queries."""
    return _states(PortfolioRollup, "portfolio_id", "portfolio", _ids(portfolios))


def program_rollup_for(program: Program) -> RollupState:
    return program_rollups([program.pk])[program.pk]


def project_rollup_for(project: Project) -> RollupState:
    return project_rollups([project.pk])[project.pk]


def with_rollup_states(objects, states: dict[int, RollupState]) -> list:
    """Set `.rollup_state` on each object from `states` (by pk); returns the objects as a list."""
    objects = list(objects)
    for obj in objects:
        obj.rollup_state = states[obj.pk]
    return objects


def health_rank(health: str) -> int:
    """Sort key: red first, then amber, green, and no data last."""
    return _SEVERITY.get(health, len(_SEVERITY))
