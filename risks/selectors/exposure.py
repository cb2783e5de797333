"""Exposure (EMV of open risks) against the reserves remaining, per project, program and
portfolio, and the program page's risk card. Sums over a program's projects are only for
those who oversee the program: callers pass such a program; portfolio_exposure filters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from budgets.models import ReserveTransaction
from budgets.selectors import NO_RESERVES, ReserveStatus, reserve_status
from portfolio.models import Portfolio, Program
from projects.models import Project

from .. import scoring
from ..models import Issue, Risk
from .lists import MONEY, ZERO, _sum

# -- exposure --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExposureRow:
    """Exposure of one project, program or program-level register against its reserves
    (base currency): EMV and residual EMV of the open and mitigating risks, and the reserves
    (budgets.selectors.ReserveStatus: set aside, drawn down and so what remains — the same
    arithmetic as the cost pages' reserve tables)."""

    key: str
    label: str
    risks: int
    emv: Decimal
    residual_emv: Decimal
    reserves: ReserveStatus
    href: str = ""

    @property
    def contingency_remaining(self) -> Decimal:
        return self.reserves.contingency_remaining

    @property
    def management_remaining(self) -> Decimal:
        return self.reserves.management_remaining

    @property
    def uncovered(self) -> Decimal:
        """EMV not covered by the contingency remaining (zero when covered)."""
        return max(self.emv - self.contingency_remaining, ZERO)

    @property
    def covered(self) -> bool:
        return self.emv <= self.contingency_remaining


@dataclass(frozen=True)
class Exposure:
    currency: str
    rows: tuple[ExposureRow, ...]
    total: ExposureRow


def _total(rows, label: str) -> ExposureRow:
    return ExposureRow(
        "total",
        label,
        sum(r.risks for r in rows),
        sum((r.emv for r in rows), ZERO),
        sum((r.residual_emv for r in rows), ZERO),
        sum((r.reserves for r in rows), NO_RESERVES),
    )


def _risk_sums(risks, group: str) -> dict:
    return {
        row[group]: row
        for row in risks.active()
        .order_by()
        .values(group)
        .annotate(n=Count("pk"), emv_sum=_sum("emv"), residual_sum=_sum("residual_emv"))
    }


def _drawn_subquery(owner: str, reserve: str):
    return Coalesce(
        Subquery(
            ReserveTransaction.objects.filter(**{owner: OuterRef("pk")}, reserve=reserve)
            .order_by()
            .values(owner)
            .annotate(total=Sum("amount"))
            .values("total")[:1]
        ),
        Value(ZERO),
        output_field=MONEY,
    )


def _reserves(row: dict) -> ReserveStatus:
    """The ReserveStatus of a project or program row annotated by _drawn_subquery."""
    return ReserveStatus(
        row["contingency_reserve"], row["contingency_drawn"], row["management_reserve"], row["management_drawn"]
    )


def project_exposure(*, project: Project) -> Exposure:
    """One project's exposure against its own reserves. Two queries."""
    sums = _risk_sums(Risk.objects.filter(project=project), "project_id").get(project.pk, {})
    row = ExposureRow(
        project.code,
        project.name,
        sums.get("n", 0),
        sums.get("emv_sum", ZERO),
        sums.get("residual_sum", ZERO),
        reserve_status(project=project),
    )
    return Exposure(project.program.portfolio.base_currency, (row,), row)


def program_exposure(*, program: Program) -> Exposure:
    """Per project of `program` (every project: the caller checked the user oversees the
    program), plus a row for the program-level risks against the program's own reserves, and the
    total. Three queries."""
    sums = _risk_sums(Risk.objects.filter(program=program), "project_id")
    projects = (
        Project.objects.filter(program=program)
        .order_by("code")
        .annotate(
            contingency_drawn=_drawn_subquery("project", ReserveTransaction.Reserve.CONTINGENCY),
            management_drawn=_drawn_subquery("project", ReserveTransaction.Reserve.MANAGEMENT),
        )
        .values(
            "pk", "code", "name", "contingency_reserve", "management_reserve", "contingency_drawn", "management_drawn"
        )
    )
    rows = []
    for p in projects:
        s = sums.get(p["pk"], {})
        rows.append(
            ExposureRow(
                p["code"],
                p["name"],
                s.get("n", 0),
                s.get("emv_sum", ZERO),
                s.get("residual_sum", ZERO),
                _reserves(p),
            )
        )
    s = sums.get(None, {})
    rows.append(
        ExposureRow(
            "program",
            "Program-level risks (program reserves)",
            s.get("n", 0),
            s.get("emv_sum", ZERO),
            s.get("residual_sum", ZERO),
            reserve_status(program=program),
        )
    )
    return Exposure(program.portfolio.base_currency, tuple(rows), _total(rows, f"{program.code} total"))


def portfolio_exposure(*, portfolio: Portfolio, user) -> Exposure:
    """Per program of `portfolio` that `user` oversees: all its risks against all its reserves
    (its projects' and its own), and the total. Four queries."""
    programs = list(
        Program.objects.overseen_by(user)
        .filter(portfolio=portfolio)
        .order_by("code")
        .annotate(
            contingency_drawn=_drawn_subquery("program", ReserveTransaction.Reserve.CONTINGENCY),
            management_drawn=_drawn_subquery("program", ReserveTransaction.Reserve.MANAGEMENT),
        )
        .values(
            "pk", "code", "name", "contingency_reserve", "management_reserve", "contingency_drawn", "management_drawn"
        )
    )
    ids = [p["pk"] for p in programs]
    sums = _risk_sums(Risk.objects.filter(program__in=ids), "program_id")
    project_reserves = {
        row["program_id"]: row
        for row in Project.objects.filter(program__in=ids)
        .order_by()
        .values("program_id")
        .annotate(c=_sum("contingency_reserve"), m=_sum("management_reserve"))
    }
    drawn = defaultdict(Decimal)
    for row in (
        ReserveTransaction.objects.filter(project__program__in=ids)
        .order_by()
        .values("project__program_id", "reserve")
        .annotate(total=Sum("amount"))
    ):
        drawn[(row["project__program_id"], row["reserve"])] += row["total"]
    rows = []
    for p in programs:
        s, r = sums.get(p["pk"], {}), project_reserves.get(p["pk"], {})
        rows.append(
            ExposureRow(
                p["code"],
                p["name"],
                s.get("n", 0),
                s.get("emv_sum", ZERO),
                s.get("residual_sum", ZERO),
                _reserves(p)  # the program's own, plus its projects'
                + ReserveStatus(
                    r.get("c", ZERO), drawn[(p["pk"], "contingency")], r.get("m", ZERO), drawn[(p["pk"], "management")]
                ),
            )
        )
    return Exposure(portfolio.base_currency, tuple(rows), _total(rows, f"{portfolio.code} total"))


def oversees(user, program: Program) -> bool:
    """May `user` see figures summed over all of `program`'s projects?"""
    return Program.objects.overseen_by(user).filter(pk=program.pk).exists()


# -- the program page's card -----------------------------------------------------------------


@dataclass(frozen=True)
class ProgramRiskSummary:
    program: Program
    by_band: dict
    active: int
    escalated: int
    open_issues: int
    exposure: Exposure | None  # None unless the user oversees the program


def program_risk_summary(*, program: Program, user) -> ProgramRiskSummary:
    """The card on the program page: open and mitigating risks of the program `user` can see,
    by band; escalated ones; open issues; and, for those who oversee the program, the exposure
    against the reserves. At most six queries."""
    counts = (
        Risk.objects.visible_to(user)
        .filter(program=program)
        .active()
        .order_by()
        .values("band")
        .annotate(n=Count("pk"), escalated=Count("pk", filter=Q(escalated_at__isnull=False)))
    )
    by_band = dict.fromkeys(scoring.BANDS, 0)
    escalated = 0
    for row in counts:
        by_band[row["band"]] = row["n"]
        escalated += row["escalated"]
    open_issues = Issue.objects.visible_to(user).filter(program=program, status__in=Issue.OPEN_STATUSES).count()
    exposure = program_exposure(program=program) if oversees(user, program) else None
    return ProgramRiskSummary(program, by_band, sum(by_band.values()), escalated, open_issues, exposure)
