"""Who may read and change each API resource: the one table the authorization matrix
(tests/api/test_authorization_matrix.py) checks the router against. Every resource in
config/api_router.py's router must have a row here.

A row says how to get from an object to its scope (attribute paths to its project, program or
portfolio: the first that is set wins; none for reference data every signed-in user reads; OWN
for a user's own objects), which membership roles read rows in or under their scope (`read`)
and rows over it (`read_above`: a team member's program), and which change rows in or under
their scope (`writers`). Roles are membership roles (portfolio/roles.py); the matrix's outsider
is a program manager of another portfolio. Rules from the README's "Roles and access"."""

from dataclasses import dataclass
from functools import reduce

from django.db.models import Q

from history.selectors import RATE_TYPES
from portfolio.roles import Role

PA, EX, PGM, PM, TM, FA = (
    Role.PORTFOLIO_ADMIN,
    Role.EXECUTIVE,
    Role.PROGRAM_MANAGER,
    Role.PROJECT_MANAGER,
    Role.TEAM_MEMBER,
    Role.FINANCE_ANALYST,
)
EVERYONE = frozenset({PA, EX, PGM, PM, TM, FA})
NOBODY = frozenset()
GLOBAL = object()  # the scope of reference data
OWN = "own"  # scope path: the row belongs to a user (`user`)
SELF = "self"  # scope path: the row is itself the portfolio / program / project
SHARED = "shared"  # scope path, last: when nothing before it is set, the row is reference data

# The matrix's world (tests/api/world.py) -> the membership role each login holds.
ROLE_OF = {
    "portfolio_admin": PA,
    "executive": EX,
    "program_manager": PGM,
    "project_manager": PM,
    "team_member": TM,
    "finance_analyst": FA,
    "outsider": PGM,
}


def portfolio_of_roles(user):
    """A user's place for user administration: the portfolio their first role lies in (None: no
    role, as the superuser, whose row the matrix skips)."""
    membership = user.memberships.select_related("program", "project__program").order_by("pk").first()
    if membership is None:
        return None
    if membership.project_id:
        return membership.project.program.portfolio
    return membership.program.portfolio if membership.program_id else membership.portfolio


@dataclass(frozen=True)
class Policy:
    scope: tuple[str, ...]  # attribute paths to the row's scope; () for reference data
    writers: frozenset  # roles that change rows in or under their scope
    read: frozenset = EVERYONE  # roles that read rows in or under their scope
    read_above: frozenset = EVERYONE  # roles that read rows over their scope
    model: str | None = None  # "app.Model" when the viewset does not name one
    exclude: tuple = ()  # Q objects: rows the matrix does not sample (another rule decides them)

    def readers(self, relation: str) -> frozenset:
        return self.read if relation == "below" else self.read_above


PROJECT = ("project",)
PROJECT_OR_PROGRAM = ("project", "program")
PROGRAM = ("program",)
PORTFOLIO = ("portfolio",)
MANAGERS = frozenset({PA, PGM, PM})
PROGRAM_MANAGERS = frozenset({PA, PGM})
MONEY = frozenset({PA, FA})
RESOURCE_MANAGERS = frozenset({PA, PGM})

POLICY = {
    "portfolios": Policy((SELF,), frozenset({PA})),
    "objectives": Policy(PORTFOLIO, frozenset({PA})),
    "programs": Policy((SELF,), PROGRAM_MANAGERS),
    "projects": Policy((SELF,), MANAGERS),
    "status-reports": Policy(PROJECT, MANAGERS),
    "tasks": Policy(PROJECT, MANAGERS),
    "dependencies": Policy(("successor.project",), MANAGERS),
    "calendars": Policy(("project", SHARED), MANAGERS),
    "baselines": Policy(PROJECT, NOBODY),
    "baseline-tasks": Policy(("baseline.project",), NOBODY),
    "memberships": Policy(("project", "program", "portfolio"), PROGRAM_MANAGERS),
    "tokens": Policy((OWN,), EVERYONE),
    "duration-ranges": Policy(PROJECT, MANAGERS),
    "correlation-groups": Policy(PROJECT, MANAGERS),
    "cost-ranges": Policy(PROJECT, MONEY),
    "currencies": Policy((), NOBODY),
    "exchange-rates": Policy((), NOBODY),
    "cost-categories": Policy((), NOBODY),
    "fiscal-calendars": Policy(("portfolio", SHARED), MONEY),
    "fiscal-periods": Policy(("calendar.portfolio", SHARED), NOBODY),
    "budget-lines": Policy(PROJECT, MONEY),
    "cost-entries": Policy(PROJECT, MONEY),
    "forecasts": Policy(PROJECT, MONEY),
    "reserve-transactions": Policy(PROJECT_OR_PROGRAM, NOBODY),
    "lifecycle-cost-estimates": Policy(PROGRAM, NOBODY),
    "lifecycle-cost-lines": Policy(("estimate.program",), MONEY),
    "vendors": Policy((), NOBODY),
    "contracts": Policy(PROGRAM, MONEY),
    "imports": Policy((OWN,), NOBODY),
    "risks": Policy(PROJECT_OR_PROGRAM, MANAGERS),
    "mitigation-actions": Policy(("risk.project", "risk.program"), MANAGERS),
    "issues": Policy(PROJECT_OR_PROGRAM, MANAGERS),
    "risk-history": Policy(("risk.project", "risk.program"), NOBODY),
    "analysis-runs": Policy(PROJECT_OR_PROGRAM, NOBODY, model="risks.AnalysisRun"),
    "people": Policy(PORTFOLIO, RESOURCE_MANAGERS),
    "staffing-roles": Policy(PORTFOLIO, RESOURCE_MANAGERS),
    "cost-rates": Policy(("person.portfolio",), MONEY, read=frozenset({PA, FA}), read_above=frozenset({FA})),
    "absences": Policy(("person.portfolio",), RESOURCE_MANAGERS),
    "allocations": Policy(PROJECT, MANAGERS),
    "staffing-requests": Policy(PROJECT, MANAGERS),
    "stage-gates": Policy(PROJECT, MANAGERS),
    "gate-criteria": Policy(("gate.project",), MANAGERS),
    "change-requests": Policy(PROJECT_OR_PROGRAM, MANAGERS),
    "change-request-lines": Policy(("change_request.project", "change_request.program"), MANAGERS),
    "decisions": Policy(PROJECT_OR_PROGRAM, PROGRAM_MANAGERS),
    "benefits": Policy(PROGRAM, PROGRAM_MANAGERS),
    "benefit-measurements": Policy(("benefit.program",), PROGRAM_MANAGERS),
    "operating-level-agreements": Policy(PROGRAM, PROGRAM_MANAGERS),
    "health-policies": Policy((SELF,), frozenset({PA}), model="portfolio.Portfolio"),
    # User administration (access): portfolio admins see the people with a role in their portfolio
    # and the invitations to it; nobody else sees either.
    "users": Policy((portfolio_of_roles,), NOBODY, read=frozenset({PA}), read_above=NOBODY, model="auth.User"),
    "invitations": Policy(
        ("project", "program", "portfolio"), frozenset({PA}), read=frozenset({PA}), read_above=NOBODY
    ),
    # Integrations: managing is seeing (no read-only access to a webhook's URL or deliveries).
    "webhooks": Policy(("portfolio", "program"), PROGRAM_MANAGERS, read=PROGRAM_MANAGERS, read_above=NOBODY),
    "webhook-deliveries": Policy(
        ("subscription.portfolio", "subscription.program"), NOBODY, read=PROGRAM_MANAGERS, read_above=NOBODY
    ),
    # Portfolio planning: read by portfolio admins and executives holding their role on the
    # portfolio (not through a program or project: scenarios carry every project's money), changed
    # by portfolio admins.
    **{
        prefix: Policy(scope, frozenset({PA}), read=frozenset({PA, EX}), read_above=NOBODY)
        for prefix, scope in (
            ("scenarios", PORTFOLIO),
            ("scenario-projects", ("scenario.portfolio",)),
            ("scenario-budgets", ("scenario.portfolio",)),
            ("scenario-demands", ("scenario.portfolio",)),
            ("budget-caps", ("scenario.portfolio",)),
            ("optimisation-runs", ("scenario.portfolio",)),
            ("scoring-criteria", PORTFOLIO),
            ("pairwise-judgements", ("criterion_a.portfolio",)),
            ("criterion-values", ("criterion.portfolio",)),
        )
    },
    # The audit log follows the audited object's scope, seen whole (a program's entries are not
    # shown to someone who sees it through one project); cost-rate entries follow the rate rule.
    "audit-entries": Policy(
        ("project", "program", "portfolio"),
        NOBODY,
        read_above=NOBODY,
        exclude=(Q(object_type__in=RATE_TYPES), Q(project=None, program=None, portfolio=None)),
    ),
}


def scope_of(row, policy: Policy):
    """The row's project, program or portfolio (GLOBAL for reference data, the user for OWN)."""
    if not policy.scope:
        return GLOBAL
    for path in policy.scope:
        if callable(path):
            return path(row)
        if path == SELF:
            return row
        if path == OWN:
            return row.user
        if path == SHARED:
            return GLOBAL
        value = reduce(lambda obj, name: getattr(obj, name, None) if obj is not None else None, path.split("."), row)
        if value is not None:
            return value
    raise LookupError(f"{row!r} has none of {policy.scope}")
