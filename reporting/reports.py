"""The board pack: the reads behind the PDF portfolio and program reports (reporting/views/reports.py
renders them with WeasyPrint from templates/reporting/pdf/).

Everything comes from the summary tables (the roll-ups and their snapshots), read in bulk: a
pack issues a fixed number of queries whatever the number of programs and projects, so the
`large` portfolio costs pages, not queries. Lists are bounded (REPORT_* below): the appendix
names the worst risks and the nearest milestones, never every one.

Access is the pages': a program is in the pack when the reader sees it (Program.visible_to);
money summed over a program (EVM, exposure, reserves) only when they see it whole
(Program.overseen_by), and the portfolio headline only for Portfolio.overseen_by. A project's own
roll-up is shown to whoever sees that project, as on the program page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.utils import timezone

from portfolio.models import Portfolio, Program
from projects.models import Project, Task, open_projects_q
from risks.models import AnalysisRun, Risk
from risks.selectors.analysis import latest_analysis
from risks.selectors.analysis_page import Summary, summarise

from . import narrative as narratives
from .selectors import (
    RollupState,
    overseen_portfolio_ids,
    portfolio_rollups,
    programs_with_rollups,
    projects_with_rollups,
)
from .trends import Trends, programs_trends

# Bounds: a report is read by people, so it shows the worst and the nearest, not everything.
REPORT_TOP_RISKS = 25
REPORT_MILESTONES = 25  # late ones, and as many upcoming ones
REPORT_MILESTONE_HORIZON_DAYS = 90
REPORT_PROJECTS = 40  # project sections in a program report
REPORT_NARRATIVE_SENTENCES = 6  # so a program's page stays one page


@dataclass(slots=True)
class ProgramSection:
    """One program's page: `state` (its roll-up, reasons stripped unless `overseen`), the
    trend charts (SVG; `trends.index_chart` None unless overseen) and the narrative (bounded)."""

    program: Program
    state: RollupState
    overseen: bool
    trends: Trends
    narrative: narratives.Narrative

    @property
    def rollup(self):
        return self.state.rollup


@dataclass(frozen=True, slots=True)
class ProgramAnalysis:
    """The program's newest finished risk analysis (Monte Carlo), for the program report."""

    run: AnalysisRun
    summary: Summary


@dataclass(slots=True)
class BoardPack:
    """What a PDF report prints. `portfolio_state` is set only for a portfolio report read by
    someone who oversees the portfolio (else None: no headline money). `as_of` is the oldest and
    newest `computed_at` of the roll-ups printed (aware), so the cover says how fresh they are.
    `projects` (program report only) are the program's open projects the reader sees, each with
    `.rollup_state`; `projects_more` counts those left out by REPORT_PROJECTS."""

    title: str
    portfolio: Portfolio
    generated_at: dt.datetime
    today: dt.date
    currency: str
    sections: list[ProgramSection]
    portfolio_state: RollupState | None = None
    projects: list[Project] = field(default_factory=list)
    projects_more: int = 0
    top_risks: list[Risk] = field(default_factory=list)
    late_milestones: list[Task] = field(default_factory=list)
    upcoming_milestones: list[Task] = field(default_factory=list)
    overseen_program_ids: set[int] = field(default_factory=set)
    as_of_first: dt.datetime | None = None
    as_of_last: dt.datetime | None = None
    stale: bool = False
    analysis: ProgramAnalysis | None = None  # program report, readers who see the program whole


def _bounded(narrative: narratives.Narrative) -> narratives.Narrative:
    return replace(narrative, sentences=narrative.sentences[:REPORT_NARRATIVE_SENTENCES])


def _sections(*, user, programs: list[Program], today: dt.date) -> list[ProgramSection]:
    """Each program's section. Programs' roll-ups and snapshots are read in bulk."""
    programs = programs_with_rollups(user=user, programs=programs)
    overseen = {program.pk for program in programs if program.overseen}
    trends = programs_trends(programs=programs, overseen_ids=overseen, today=today)
    narrative = narratives.program_narratives(user=user, programs=programs, today=today)
    return [
        ProgramSection(
            program=program,
            state=program.rollup_state,
            overseen=program.overseen,
            trends=trends[program.pk],
            narrative=_bounded(narrative[program.pk]),
        )
        for program in programs
    ]


def _appendix(*, user, program_ids: list[int], today: dt.date) -> dict:
    """The worst active risks and the late and upcoming open milestones of `program_ids` that
    the reader sees. Three queries, each bounded."""
    if not program_ids:
        return {"top_risks": [], "late_milestones": [], "upcoming_milestones": []}
    risks = list(
        Risk.objects.visible_to(user)
        .active()
        .filter(program_id__in=program_ids)
        .select_related("program", "project", "owner")
        .order_by("-score", "-emv", "program__code", "number")[:REPORT_TOP_RISKS]
    )
    milestones = (
        Task.objects.visible_to(user)
        .filter(
            project__program_id__in=program_ids,
            is_milestone=True,
            actual_finish__isnull=True,
            percent_complete__lt=100,
            finish__isnull=False,
        )
        .filter(open_projects_q("project__"))
        .select_related("project", "project__program")
    )
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    horizon = start_of_today + dt.timedelta(days=REPORT_MILESTONE_HORIZON_DAYS + 1)
    late = list(milestones.filter(finish__lt=start_of_today).order_by("finish", "pk")[:REPORT_MILESTONES])
    upcoming = list(
        milestones.filter(finish__gte=start_of_today, finish__lt=horizon).order_by("finish", "pk")[:REPORT_MILESTONES]
    )
    return {"top_risks": risks, "late_milestones": late, "upcoming_milestones": upcoming}


def _freshness(states: list[RollupState]) -> dict:
    computed = [s.computed_at for s in states if s.computed_at is not None]
    return {
        "as_of_first": min(computed, default=None),
        "as_of_last": max(computed, default=None),
        "stale": any(s.stale for s in states),
    }


def portfolio_pack(*, user, portfolio: Portfolio, today: dt.date | None = None) -> BoardPack:
    """The portfolio report: the portfolio's headline (overseers only), a section per program the
    reader sees (by name), the appendix. A fixed number of queries whatever the programs."""
    today = today or timezone.localdate()
    programs = list(
        Program.objects.visible_to(user)
        .filter(portfolio=portfolio)
        .select_related("portfolio", "manager")
        .order_by("name", "code")
    )
    sections = _sections(user=user, programs=programs, today=today)
    portfolio_state = None
    if overseen_portfolio_ids(user=user, portfolios=[portfolio]):
        portfolio_state = portfolio_rollups([portfolio.pk])[portfolio.pk]
    states = [s.state for s in sections] + ([portfolio_state] if portfolio_state else [])
    return BoardPack(
        title=f"{portfolio.name}: portfolio report",
        portfolio=portfolio,
        generated_at=timezone.now(),
        today=today,
        currency=portfolio.base_currency,
        sections=sections,
        portfolio_state=portfolio_state,
        overseen_program_ids={s.program.pk for s in sections if s.overseen},
        **_appendix(user=user, program_ids=[p.pk for p in programs], today=today),
        **_freshness(states),
    )


def program_pack(*, user, program: Program, today: dt.date | None = None) -> BoardPack:
    """The program report: its section, one per open project the reader sees (bounded, worst
    priority first as on the program page), the appendix. A fixed number of queries."""
    today = today or timezone.localdate()
    sections = _sections(user=user, programs=[program], today=today)
    visible = (
        Project.objects.visible_to(user)
        .filter(open_projects_q(), program=program)
        .select_related("manager", "latest_status_report")
        .order_by("priority", "code")
    )
    projects = list(visible[: REPORT_PROJECTS + 1])
    more = 0
    if len(projects) > REPORT_PROJECTS:
        more = visible.count() - REPORT_PROJECTS
        projects = projects[:REPORT_PROJECTS]
    projects = projects_with_rollups(projects)
    analysis = None
    if sections and sections[0].overseen:  # its cost sums every project: as program money
        run = latest_analysis(program=program)
        summary = summarise(run) if run is not None else None
        analysis = ProgramAnalysis(run=run, summary=summary) if summary is not None else None
    return BoardPack(
        title=f"{program.name}: program report",
        portfolio=program.portfolio,
        generated_at=timezone.now(),
        today=today,
        currency=program.portfolio.base_currency,
        sections=sections,
        projects=projects,
        projects_more=more,
        analysis=analysis,
        overseen_program_ids={s.program.pk for s in sections if s.overseen},
        **_appendix(user=user, program_ids=[program.pk], today=today),
        **_freshness([s.state for s in sections] + [p.rollup_state for p in projects]),
    )
