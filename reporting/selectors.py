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
from dataclasses import dataclass, field, replace

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from core import changes
from portfolio.models import Portfolio, Program
from portfolio.querysets import memberships_of, scope_ids
from portfolio.selectors import portfolio_home, program_projects_open_and_closed
from projects.models import Project, open_projects_q
from projects.selectors import project_list_sorted as projects_sorted

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

    def without_reasons(self) -> "RollupState":
        """The colours without the rules that fired: a program's or portfolio's rules quote
        figures summed over every project below it ("CPI 0.82 < 0.90", "exposure 120% of
        reserve"), so someone who does not see it whole gets the colours only."""
        return replace(
            self,
            reason="",
            dimensions=tuple(replace(d, reason="") for d in self.dimensions),
        )


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


# --- Page reads ------------------------------------------------------------------------------
# The home page, program page and list pages read the summary tables here, so their cost does
# not grow with cost entries, risks or allocations. Program (and portfolio) figures summed over
# every project are handed over only for programs the user oversees (Program.overseen_by), as
# the cost pages do; a per-project row is shown to whoever sees that project.


def overseen_program_ids(*, user, programs) -> set[int]:
    """The ids among `programs` (rows or ids) whose whole-program figures `user` may read. One query."""
    ids = _ids(programs)
    if not ids:
        return set()
    return set(Program.objects.overseen_by(user).filter(pk__in=ids).values_list("pk", flat=True))


def overseen_portfolio_ids(*, user, portfolios) -> set[int]:
    """The ids among `portfolios` whose whole-portfolio figures `user` may read. One query."""
    ids = _ids(portfolios)
    if not ids:
        return set()
    return set(Portfolio.objects.overseen_by(user).filter(pk__in=ids).values_list("pk", flat=True))


def programs_with_rollups(*, user, programs) -> list[Program]:
    """`programs` as a list, each with `.rollup_state` and `.overseen` (may read its figures).
    Three queries whatever the number of programs."""
    programs = list(programs)
    overseen = overseen_program_ids(user=user, programs=programs)
    with_rollup_states(programs, program_rollups(programs))
    for program in programs:
        program.overseen = program.pk in overseen
        if not program.overseen:
            program.rollup_state = program.rollup_state.without_reasons()
    return programs


def projects_with_rollups(projects) -> list[Project]:
    """`projects` as a list, each with `.rollup_state`. Two queries whatever their number."""
    projects = list(projects)
    return with_rollup_states(projects, project_rollups(projects))


@dataclass(slots=True)
class ProgramDashboard:
    """What the program page shows from the summaries. `figures` is the program's roll-up state;
    `overseen` says whether its program-wide figures may be shown (else the page explains why not).
    `projects` and `closed_projects` are those the user sees, each with `.rollup_state`."""

    state: RollupState
    overseen: bool
    projects: list[Project]
    closed_projects: list[Project]
    currency: str


def program_dashboard(*, user, program: Program) -> ProgramDashboard:
    """The program page's summaries: the program's roll-up and each visible project's. A fixed
    number of queries (the projects, their roll-ups and versions, the program's, the oversight check)."""
    running, closed = program_projects_open_and_closed(user=user, program=program)
    states = project_rollups([*running, *closed])
    overseen = bool(overseen_program_ids(user=user, programs=[program]))
    state = program_rollup_for(program)
    return ProgramDashboard(
        state=state if overseen else state.without_reasons(),
        overseen=overseen,
        projects=with_rollup_states(running, states),
        closed_projects=with_rollup_states(closed, states),
        currency=program.portfolio.base_currency,
    )


def home_dashboard(*, user) -> dict:
    """The home page: the user's portfolios (each with `.rollup_state`, `.overseen` and
    `.programs_with_health`, its visible programs with reported health counts and `.rollup_state`),
    and `my_projects`: the open projects the user manages or is a member of, with their roll-ups.
    A fixed number of queries."""
    portfolios = portfolio_home(user=user)
    programs = [program for portfolio in portfolios for program in portfolio.programs_with_health]
    programs_with_rollups(user=user, programs=programs)
    overseen = overseen_portfolio_ids(user=user, portfolios=portfolios)
    with_rollup_states(portfolios, portfolio_rollups(portfolios))
    for portfolio in portfolios:
        portfolio.overseen = portfolio.pk in overseen
        if not portfolio.overseen:
            portfolio.rollup_state = portfolio.rollup_state.without_reasons()
    mine = (
        Project.objects.visible_to(user)
        .filter(Q(pk__in=scope_ids(memberships_of(user), "project_id")) | Q(manager=user))
        .filter(open_projects_q())
        .select_related("program", "latest_status_report")
        .order_by("program__code", "priority", "code")[:MY_PROJECTS_SHOWN]
    )
    return {"portfolios": portfolios, "my_projects": projects_with_rollups(mine)}


MY_PROJECTS_SHOWN = 25


# Worst first, not computed last, as projects.selectors.HEALTH_RANK does for the reported RAG.
COMPUTED_HEALTH_RANK = Case(
    When(rollup__health_overall=Health.RED, then=Value(0)),
    When(rollup__health_overall=Health.AMBER, then=Value(1)),
    When(rollup__health_overall=Health.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
COMPUTED_SORT = "computed"


def project_list_sorted(*, queryset, sort: str):
    """projects.selectors.project_list_sorted, plus `computed` (`?sort=computed` or `-computed`):
    computed health from the roll-up, worst first; code breaks ties. Returns (queryset, sort)."""
    if sort.removeprefix("-") != COMPUTED_SORT:
        return projects_sorted(queryset=queryset, sort=sort)
    rank = "-computed_rank" if sort.startswith("-") else "computed_rank"
    return queryset.annotate(computed_rank=COMPUTED_HEALTH_RANK).order_by(rank, "code"), sort


PROGRAM_SORTS = {"name": ["name", "code"], COMPUTED_SORT: ["computed_rank", "name", "code"]}
PROGRAM_DEFAULT_SORT = "name"


def program_list_sorted(*, queryset, sort: str):
    """Programs by name (default) or by computed health (`computed`, worst first, from the
    roll-up); a leading '-' reverses. Returns (queryset, sort actually applied)."""
    key = sort.removeprefix("-")
    if key not in PROGRAM_SORTS:
        sort, key = PROGRAM_DEFAULT_SORT, PROGRAM_DEFAULT_SORT
    if key == COMPUTED_SORT:
        queryset = queryset.annotate(computed_rank=COMPUTED_HEALTH_RANK)
    first, *rest = PROGRAM_SORTS[key]
    return queryset.order_by(f"-{first}" if sort.startswith("-") else first, *rest), sort
