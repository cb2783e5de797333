"""The 5x5 heat map, top risks and the program register's risks."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from portfolio.models import Program

from .. import scoring
from .lists import risk_list

TOP_RISKS = 10


# -- heat map --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    probability: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @property
    def band(self) -> str:
        return scoring.band_for_score(self.score)


@dataclass(frozen=True)
class HeatMap:
    """Counts of active risks per probability x impact cell. `rows` runs from probability 5 (top)
    to 1, each row's cells from impact 1 to 5 — as the matrix is drawn. With `residual`, risks are
    placed by their residual levels and those without a residual assessment are counted in
    `unassessed` instead."""

    rows: tuple[tuple[HeatCell, ...], ...]
    residual: bool
    unassessed: int = 0
    total: int = 0
    by_band: dict = field(default_factory=dict)


def heat_map(risks, *, residual: bool = False) -> HeatMap:
    """The 5x5 matrix of `risks` (a Risk queryset; only open and mitigating ones count). One query."""
    p, i = ("residual_probability", "residual_impact") if residual else ("probability", "impact")
    counts = {(row[p], row[i]): row["n"] for row in risks.active().order_by().values(p, i).annotate(n=Count("pk"))}
    unassessed = counts.pop((None, None), 0)
    rows = tuple(
        tuple(HeatCell(probability, impact, counts.get((probability, impact), 0)) for impact in scoring.LEVELS)
        for probability in reversed(scoring.LEVELS)
    )
    by_band = dict.fromkeys(scoring.BANDS, 0)
    for row in rows:
        for cell in row:
            by_band[cell.band] += cell.count
    return HeatMap(rows, residual, unassessed, sum(counts.values()), by_band)


def top_risks(risks, limit: int = TOP_RISKS):
    """The open and mitigating risks with the largest EMV, then score (related rows loaded)."""
    return list(
        risks.active()
        .select_related("program", "project", "owner")
        .order_by("-emv", "-score", "program__code", "number")[:limit]
    )


def overseen_portfolio_risks(*, user, portfolio):
    """The risks of `portfolio`'s programs that `user` oversees (Program.overseen_by: a role on
    the program or the portfolio): what the portfolio page's heat map, drill-down list and top
    risks show, leaving out — like the exposure — programs seen only through one project."""
    overseen = Program.objects.overseen_by(user).filter(portfolio=portfolio).values("pk")
    return risk_list(user=user).filter(program__portfolio=portfolio, program__in=overseen)


def program_risks(*, user, program: Program, include_projects: bool = False):
    """The program register: its program risks and escalated project risks — or, with
    `include_projects`, every risk of the program `user` can see."""
    risks = risk_list(user=user).filter(program=program)
    return risks if include_projects else risks.on_program_register(program)
