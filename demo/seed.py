"""Build the demo portfolio: portfolios, objectives, programs, projects, people, memberships,
a history of status reports, schedules (calendars, WBS, links, progress, baseline 0) and money
(currencies and rates, fiscal calendars, budgets, actual costs, forecasts, vendors, contracts
and invoices, reserves, lifecycle cost estimates), at three scales (the scale bars in docs/architecture.md).

Everything random comes from one `random.Random(seed)`, consumed in a fixed order, so the
same seed and scale give the same codes, names, people and RAG history. Dates are laid out
relative to `today` so the demo always looks current.

The stages live in builder.py (schedules in schedules.py, money in money.py), the logins in
logins.py. Portfolios, objectives and programs
go through the domain services (few rows, audited); users, projects, memberships and status
reports are bulk-inserted in batches (bulk rows are not audited: seeding is a bootstrap, not
a change someone made).
"""

import time
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from budgets.models import (
    BudgetLine,
    Contract,
    CostCategory,
    CostEntry,
    ExchangeRate,
    FiscalCalendar,
    FiscalPeriod,
    Forecast,
    LifecycleCostEstimate,
    LifecycleCostLine,
    ReserveTransaction,
    Vendor,
)
from core import changes
from portfolio.models import Membership, Portfolio, Program, StrategicObjective
from projects.models import Baseline, BaselineTask, Calendar, Dependency, Project, StatusReport, Task
from reporting.services import rollups, snapshots

from . import analysis, collab, governance, planning, risks, staffing
from .builder import DemoBuilder
from .logins import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD

DATA_EXISTS = "Demo data already exists ({what}). Use --reset to delete it and seed again."
UNKNOWN_SCALE = "Unknown scale {scale!r}; choose one of: {choices}."


class DemoDataExistsError(Exception):
    """Seeding was refused because the database is not empty (see DATA_EXISTS)."""


@dataclass(frozen=True)
class Scale:
    """How big a demo to build. `projects` is split evenly across `programs`."""

    portfolios: int
    programs: int
    projects: int
    report_months: int  # status history kept per project, at most
    team_size: tuple[int, int]  # team members per project, inclusive range


# Days between backfilled trend snapshots, per scale (a year of history either way).
BACKFILL_STEP_DAYS = {"small": 7, "medium": 28, "large": 91}
SCALES = {
    "small": Scale(portfolios=1, programs=2, projects=8, report_months=6, team_size=(2, 3)),
    "medium": Scale(portfolios=2, programs=10, projects=200, report_months=9, team_size=(2, 4)),
    "large": Scale(portfolios=4, programs=40, projects=2000, report_months=12, team_size=(2, 4)),
}


@dataclass
class SeedResult:
    scale: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def demo_data_present() -> str | None:
    """Describe the data that would make seeding unsafe, or None when the database is empty."""
    user_model = get_user_model()
    found = [
        f"{count} {label}"
        for label, count in (
            ("portfolios", Portfolio.objects.count()),
            ("programs", Program.objects.count()),
            ("projects", Project.objects.count()),
            ("demo users", user_model.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN).count()),
        )
        if count
    ]
    return ", ".join(found) or None


@transaction.atomic
def demo_reset() -> None:
    """Delete ALL portfolios, programs, projects (with their reports, memberships, schedules and
    money), every calendar, the finance reference data (rates, cost categories, vendors, fiscal
    calendars) and every demo user. Meant for demo databases only: real data in them goes too."""
    # Governance, risks and staffing first: they point at projects, programs, users and money.
    for stage in (planning, collab, analysis, governance, risks, staffing):
        stage.reset()
    Project.objects.update(latest_status_report=None)
    # Money and schedules first, leaves before what they point at (several links PROTECT).
    for model in (CostEntry, Forecast, BudgetLine, LifecycleCostLine, ReserveTransaction, Contract.projects.through):
        model.objects.all()._raw_delete(model.objects.db)
    LifecycleCostEstimate.objects.update(based_on=None)
    for model in (LifecycleCostEstimate, Contract, Vendor, FiscalPeriod, FiscalCalendar, ExchangeRate, CostCategory):
        model.objects.all().delete()
    for model in (BaselineTask, Baseline, Dependency):
        model.objects.all()._raw_delete(model.objects.db)
    Task.objects.update(parent=None)
    Task.objects.all()._raw_delete(Task.objects.db)
    Project.objects.update(calendar=None)
    Calendar.objects.filter(base_calendar__isnull=False).delete()
    Calendar.objects.all().delete()
    StatusReport.objects.all().delete()
    Membership.objects.all().delete()
    Project.objects.all().delete()
    Program.objects.all().delete()
    StrategicObjective.objects.all().delete()
    Portfolio.objects.all().delete()
    get_user_model().objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN).delete()


# The stages that can be added to a demo seeded before they existed (`seed_demo --stages`).
LATE_STAGES = ("staffing", "risks", "governance", "analysis", "collab", "planning")
UNKNOWN_STAGE = "Unknown stage {stage!r}; choose from: {choices}."
NO_DEMO = "There is no demo data to add to; run seed_demo first."


def demo_seed_stages(*, stages: list[str], seed: int, today: date | None = None, progress: bool = False) -> SeedResult:
    """Add the late `stages` (staffing, risks, governance, analysis, collab, planning) to an
    existing demo, in one transaction: each stage's rows are deleted first, then built from the
    programs, projects and users in the database. The rows differ from a full seed with the same seed (the
    generator starts afresh here), but follow the same rules."""
    for stage in stages:
        if stage not in LATE_STAGES:
            raise ValueError(UNKNOWN_STAGE.format(stage=stage, choices=", ".join(LATE_STAGES)))
    if not Project.objects.exists():
        raise ValueError(NO_DEMO)
    started = time.perf_counter()
    with changes.deferred(), transaction.atomic():  # as in demo_seed
        builder = DemoBuilder(
            scale=SCALES["small"],
            seed=seed,
            today=today or timezone.localdate(),
            password=DEMO_PASSWORD,
            progress=progress,
            scale_name=_scale_of_existing(),
        )
        builder.load_demo_logins()
        modules = {
            "staffing": staffing,
            "risks": risks,
            "governance": governance,
            "analysis": analysis,
            "collab": collab,
            "planning": planning,
        }
        for stage in reversed(LATE_STAGES):  # dependants first
            if stage in stages:
                modules[stage].reset()
        for stage in LATE_STAGES:
            if stage in stages:
                getattr(builder, f"build_{stage}")()
    analyze_tables()
    result = SeedResult(scale=builder.scale_name, seed=seed, seconds=time.perf_counter() - started)
    for stage in stages:
        result.counts.update(modules[stage].counts())
    return result


def _scale_of_existing() -> str:
    """The scale whose project count is nearest to the database's."""
    count = Project.objects.count()
    return min(SCALES, key=lambda name: abs(SCALES[name].projects - count))


def demo_seed(
    *,
    scale: str,
    seed: int,
    reset: bool = False,
    today: date | None = None,
    password: str = DEMO_PASSWORD,
    progress: bool = False,
    history: bool = True,
) -> SeedResult:
    """Build the demo at `scale` ("small", "medium" or "large") from `seed`, in one transaction.

    Raises ValueError naming the problem when `scale` is unknown, or DATA_EXISTS when the
    database already holds portfolios, programs, projects or demo users and `reset` is False.
    With `reset`, `demo_reset` runs first (in the same transaction). `today` anchors every
    date (default: the local date). `progress` shows tqdm bars on stderr. Afterwards every roll-up
    is computed, and with `history` a year of trend snapshots is backfilled (the slow part:
    tests that only need the data pass False).
    """
    if scale not in SCALES:
        raise ValueError(UNKNOWN_SCALE.format(scale=scale, choices=", ".join(SCALES)))
    started = time.perf_counter()
    # deferred(): the services the seed calls bump input versions as they go; the roll-ups hear
    # of each project, program and portfolio once, after the seed commits.
    with changes.deferred(), transaction.atomic():
        if reset:
            demo_reset()
        elif what := demo_data_present():
            raise DemoDataExistsError(DATA_EXISTS.format(what=what))
        builder = DemoBuilder(
            scale=SCALES[scale],
            seed=seed,
            today=today or timezone.localdate(),
            password=password,
            progress=progress,
            scale_name=scale,
        )
        builder.build()
    # Fresh planner statistics: right after a bulk load PostgreSQL's are empty and it picks
    # plans that take seconds instead of milliseconds (bench/evm.py: program_evm 26 s → 0.14 s).
    analyze_tables()
    # The summaries, then a year of weekly snapshots, so dashboards and trend charts show on day one.
    rollups.recompute_all(as_of=builder.today)
    # Every project's figures are recomputed for each past day (~0.2 s each): weekly at small
    # scale, coarser above it so a large seed does not take hours.
    if history:
        snapshots.snapshots_backfill(today=builder.today, step=BACKFILL_STEP_DAYS[scale])
    result = SeedResult(scale=scale, seed=seed, seconds=time.perf_counter() - started)
    result.counts = {
        "portfolios": Portfolio.objects.count(),
        "strategic objectives": StrategicObjective.objects.count(),
        "programs": Program.objects.count(),
        "projects": Project.objects.count(),
        "status reports": StatusReport.objects.count(),
        "memberships": Membership.objects.count(),
        "calendars": Calendar.objects.count(),
        "tasks": Task.objects.count(),
        "dependencies": Dependency.objects.count(),
        "baseline tasks": BaselineTask.objects.count(),
        "budget lines": BudgetLine.objects.count(),
        "cost entries": CostEntry.objects.count(),
        "forecasts": Forecast.objects.count(),
        "vendors": Vendor.objects.count(),
        "contracts": Contract.objects.count(),
        "reserve drawdowns": ReserveTransaction.objects.count(),
        "LCCE lines": LifecycleCostLine.objects.count(),
        **staffing.counts(),
        **risks.counts(),
        **governance.counts(),
        **analysis.counts(),
        **collab.counts(),
        **planning.counts(),
        "users": get_user_model().objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN).count(),
    }
    return result


def analyze_tables() -> None:
    """Fresh planner statistics for Keel's own tables. A bare ANALYZE would also take locks on
    the shared system catalogs, so a seed would wait on any other database's open transaction."""
    tables = sorted(
        {model._meta.db_table for model in apps.get_models() if model._meta.managed and not model._meta.proxy}
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        else:
            cursor.execute("ANALYZE")
