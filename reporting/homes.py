"""Reads of the role home pages and the global search.

`/` decides a home by the user's roles (portfolio.roles.Role, held on a portfolio, program or
project): the most senior view wins and the others are offered as switches (`?view=`).

- board      executive: the portfolio health board (reporting:portfolio-board) of each portfolio
- programs   program manager: the cockpit of their program(s)
- projects   project manager: my projects, reports owed, tasks starting and late, risks I own,
             gates to prepare
- finance    finance analyst: cost imports, actuals freshness, cost variances
- overview   everyone (team members, administrators): the portfolio table

Every list here is bounded (HOME_LIST_SIZE rows plus the total it was cut from) and issues a
fixed number of queries whatever the number of rows. Figures come from the roll-ups (reporting
selectors), never recomputed from source rows.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from budgets.models import ImportJob
from governance.models import StageGate
from portfolio.models import Portfolio, Program
from portfolio.querysets import memberships_of, scope_ids
from portfolio.roles import Role
from projects.models import Project, StatusReport, Task, open_projects_q
from risks.models import Risk
from staffing.models import Person

from .selectors import portfolio_rollups, programs_with_rollups, projects_with_rollups, with_rollup_states
from .services.alerts import period_end_of

HOME_LIST_SIZE = 10
TASKS_AHEAD_DAYS = 14
GATES_AHEAD_DAYS = 30

BOARD, PROGRAMS, PROJECTS, FINANCE, OVERVIEW = "board", "programs", "projects", "finance", "overview"
# Most senior first: the first view a user's roles give is their home.
VIEW_ORDER = (BOARD, PROGRAMS, PROJECTS, FINANCE, OVERVIEW)
VIEW_LABELS = {
    BOARD: "Portfolio board",
    PROGRAMS: "My programs",
    PROJECTS: "My projects",
    FINANCE: "Finance",
    OVERVIEW: "Overview",
}
ROLE_VIEWS = {
    Role.EXECUTIVE: BOARD,
    Role.PROGRAM_MANAGER: PROGRAMS,
    Role.PROJECT_MANAGER: PROJECTS,
    Role.FINANCE_ANALYST: FINANCE,
}
UNKNOWN_VIEW = "view: “{value}” is not a home view; choose one of {choices}."
NOT_YOUR_VIEW = "view: “{value}” is not one of your home views; yours are {choices}."


def home_views(*, user) -> list[str]:
    """The home views `user`'s roles give, most senior first; `overview` always last. One query."""
    roles = set(memberships_of(user).values_list("role", flat=True).distinct())
    given = {ROLE_VIEWS[role] for role in roles if role in ROLE_VIEWS}
    return [view for view in VIEW_ORDER if view in given or view == OVERVIEW]


def check_view(*, requested: str | None, views: list[str]) -> tuple[str | None, str]:
    """(view, "") for a valid `?view=` (or the default, the first of `views`), else (None, error)."""
    if requested is None:
        return views[0], ""
    if requested not in VIEW_ORDER:
        return None, UNKNOWN_VIEW.format(value=requested[:40], choices=", ".join(VIEW_ORDER))
    if requested not in views:
        return None, NOT_YOUR_VIEW.format(value=requested, choices=", ".join(views))
    return requested, ""


@dataclass(slots=True)
class Bounded:
    """The first rows of a list (`items`) and how many rows it has in all (`total`)."""

    items: list
    total: int
    more_url: str = ""

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


def bounded(queryset, size: int = HOME_LIST_SIZE) -> Bounded:
    """Two queries: the count and the first `size` rows."""
    return Bounded(items=list(queryset[:size]), total=queryset.count())


# --- Executive: the boards ---------------------------------------------------------------------


def board_portfolios(*, user) -> list[Portfolio]:
    """The portfolios the user sees, each with `.rollup_state` (reasons only where overseen).
    A fixed number of queries."""
    portfolios = list(Portfolio.objects.visible_to(user).order_by("name", "code"))
    overseen = set(
        Portfolio.objects.overseen_by(user).filter(pk__in=[p.pk for p in portfolios]).values_list("pk", flat=True)
    )
    with_rollup_states(portfolios, portfolio_rollups(portfolios))
    for portfolio in portfolios:
        portfolio.overseen = portfolio.pk in overseen
        if not portfolio.overseen:
            portfolio.rollup_state = portfolio.rollup_state.without_reasons()
    return portfolios


# --- Program manager ---------------------------------------------------------------------------


def managed_programs(*, user) -> list[Program]:
    """Open programs the user manages (program manager on the program or its portfolio), each
    with `.rollup_state` and `.overseen`. A fixed number of queries."""
    roles = memberships_of(user, [Role.PROGRAM_MANAGER])
    programs = (
        Program.objects.visible_to(user)
        .filter(Q(pk__in=scope_ids(roles, "program_id")) | Q(portfolio_id__in=scope_ids(roles, "portfolio_id")))
        .exclude(status__in=[Program.Status.COMPLETED, Program.Status.CANCELLED])
        .select_related("portfolio", "manager")
        .order_by("portfolio__name", "name", "code")
    )
    return programs_with_rollups(user=user, programs=programs)


# --- Project manager ---------------------------------------------------------------------------


def my_projects_queryset(user):
    """Open projects the user manages: named manager, or project manager on the project."""
    roles = memberships_of(user, [Role.PROJECT_MANAGER])
    return (
        Project.objects.visible_to(user)
        .filter(open_projects_q())
        .filter(Q(manager=user) | Q(pk__in=scope_ids(roles, "project_id")))
    )


@dataclass(slots=True)
class ProjectManagerHome:
    """`projects`: my open projects with `.rollup_state` (computed health beside the reported
    RAG). `reports_due`: projects whose report for `period` (this month) is missing; `reports_overdue`:
    those whose report for `previous_period` (last month) is missing, as the reminders decide
    (reporting.services.alerts.status_reminders_evaluate). `tasks_starting`: leaf tasks of my
    projects starting within TASKS_AHEAD_DAYS and not started; `tasks_late`: leaf tasks not
    complete past their finish. `risks`: active risks the user owns (anywhere they see).
    `gates`: pending gates of my projects planned within GATES_AHEAD_DAYS or already past."""

    today: dt.date
    period: dt.date
    previous_period: dt.date
    projects: Bounded
    reports_due: Bounded
    reports_overdue: Bounded
    tasks_starting: Bounded
    tasks_late: Bounded
    risks: Bounded
    gates: Bounded
    more: dict = field(default_factory=dict)


def project_manager_home(*, user, today: dt.date | None = None) -> ProjectManagerHome:
    """The project manager's home. A fixed number of queries (two per list, two for roll-ups)."""
    today = today or timezone.localdate()
    now = timezone.now()
    period = period_end_of(today)
    previous = today.replace(day=1) - dt.timedelta(days=1)
    mine = my_projects_queryset(user)
    projects = bounded(mine.select_related("program", "latest_status_report").order_by("planned_finish", "code"))
    projects_with_rollups(projects.items)
    projects.more_url = f"{reverse('projects:project-list')}?manager={user.pk}"

    active = mine.filter(status=Project.Status.ACTIVE).select_related("program", "latest_status_report")

    def missing(day):
        report = StatusReport.objects.filter(project=OuterRef("pk"), period_end=day)
        return active.filter(~Exists(report)).filter(Q(planned_start__isnull=True) | Q(planned_start__lte=day))

    mine_ids = mine.values("pk")
    leaf_tasks = Task.objects.visible_to(user).filter(project__in=mine_ids, is_summary=False).select_related("project")
    tasks_starting = leaf_tasks.filter(
        start__gte=now, start__lt=now + dt.timedelta(days=TASKS_AHEAD_DAYS), actual_start__isnull=True
    ).order_by("start", "project__code", "sort_order")
    tasks_late = leaf_tasks.filter(finish__lt=now, percent_complete__lt=100).order_by("finish", "project__code")
    risks = (
        Risk.objects.visible_to(user)
        .filter(owner=user, status__in=Risk.ACTIVE)
        .select_related("program", "project")
        .order_by("-score", "proximity_date", "program__code", "number")
    )
    gates = (
        StageGate.objects.visible_to(user)
        .filter(project__in=mine_ids, decision=StageGate.Decision.PENDING)
        .filter(planned_date__lte=today + dt.timedelta(days=GATES_AHEAD_DAYS))
        .select_related("project")
        .annotate(criteria_open=_open_criteria())
        .order_by("planned_date", "project__code")
    )
    return ProjectManagerHome(
        today=today,
        period=period,
        previous_period=previous,
        projects=projects,
        reports_due=bounded(missing(period).order_by("code")),
        reports_overdue=bounded(missing(previous).order_by("code")),
        tasks_starting=bounded(tasks_starting),
        tasks_late=bounded(tasks_late),
        risks=bounded(risks),
        gates=bounded(gates),
    )


def _open_criteria():
    return Count("criteria", filter=Q(criteria__met=False))


# --- Finance analyst ---------------------------------------------------------------------------


@dataclass(slots=True)
class FinanceHome:
    """`imports`: the user's recent cost imports (budgets ImportJob), newest first. `freshness`:
    open projects the user sees by their newest actual cost (ProjectRollup.last_actuals_on),
    oldest first and never-costed first, each with `.rollup_state` (its freshness dimension
    colours the row). `variances`: open projects by cost variance at completion (VAC, most
    negative first), with CPI and EAC from the roll-up."""

    today: dt.date
    imports: Bounded
    freshness: Bounded
    variances: Bounded


def finance_projects_queryset(user):
    """Open projects the user sees, with what a finance row prints."""
    return (
        Project.objects.visible_to(user)
        .filter(open_projects_q())
        .select_related("program", "program__portfolio", "rollup")
    )


def finance_home(*, user, today: dt.date | None = None) -> FinanceHome:
    """The finance analyst's home. A fixed number of queries (two per list, two for roll-ups)."""
    today = today or timezone.localdate()
    projects = finance_projects_queryset(user)
    freshness = bounded(projects.order_by(F("rollup__last_actuals_on").asc(nulls_first=True), "code"))
    variances = bounded(projects.filter(rollup__vac__lt=0).order_by("rollup__vac", "code"))
    projects_with_rollups([*freshness.items, *variances.items])
    for project in [*freshness.items, *variances.items]:
        rollup = project.rollup_state.rollup
        project.last_actuals_on = rollup.last_actuals_on if rollup else None
        project.actuals_age_days = (today - project.last_actuals_on).days if project.last_actuals_on else None
        project.freshness = rollup.health_freshness if rollup else ""
    imports = bounded(ImportJob.objects.visible_to(user).select_related("user").order_by("-created_at", "-pk"))
    return FinanceHome(today=today, imports=imports, freshness=freshness, variances=variances)


# --- Global search -----------------------------------------------------------------------------

SEARCH_MIN, SEARCH_MAX = 2, 100
SEARCH_GROUP_SIZE = 10
SEARCH_TOO_SHORT = f"q: type at least {SEARCH_MIN} characters to search."
SEARCH_TOO_LONG = f"q: a search is at most {SEARCH_MAX} characters."
RISK_REFERENCE = re.compile(r"^(?P<program>[\w-]+)-R(?P<number>\d{1,6})$", re.IGNORECASE)


def check_search(value: str | None) -> tuple[str | None, str]:
    """(the query, "") when `?q=` is usable, else (None, error naming `q`)."""
    value = (value or "").strip()
    if len(value) < SEARCH_MIN:
        return None, SEARCH_TOO_SHORT
    if len(value) > SEARCH_MAX:
        return None, SEARCH_TOO_LONG
    return value, ""


@dataclass(slots=True)
class SearchGroup:
    key: str
    label: str
    found: Bounded


def search(*, user, q: str) -> list[SearchGroup]:
    """Projects, programs, risks, tasks and people matching `q` by code or name, each group
    scoped by its model's visible_to(user) and bounded to SEARCH_GROUP_SIZE rows. Ten queries."""
    text = Q(code__icontains=q) | Q(name__icontains=q)
    risk_match = Q(title__icontains=q)
    if reference := RISK_REFERENCE.match(q):
        risk_match |= Q(program__code__iexact=reference["program"], number=int(reference["number"]))
    task_match = Q(name__icontains=q) | Q(wbs__iexact=q) | Q(project__code__iexact=q)
    groups = [
        (
            "projects",
            "Projects",
            Project.objects.visible_to(user).filter(text).select_related("program").order_by("code"),
        ),
        ("programs", "Programs", Program.objects.visible_to(user).filter(text).order_by("code")),
        (
            "risks",
            "Risks",
            Risk.objects.visible_to(user)
            .filter(risk_match)
            .select_related("program", "project")
            .order_by("program__code", "number"),
        ),
        (
            "tasks",
            "Tasks",
            Task.objects.visible_to(user)
            .filter(task_match, is_summary=False)
            .select_related("project")
            .order_by("project__code", "sort_order", "pk"),
        ),
        (
            "people",
            "People",
            Person.objects.visible_to(user)
            .filter(Q(name__icontains=q) | Q(email__iexact=q))
            .select_related("portfolio")
            .order_by("name", "pk"),
        ),
    ]
    return [SearchGroup(key=key, label=label, found=bounded(qs, SEARCH_GROUP_SIZE)) for key, label, qs in groups]
