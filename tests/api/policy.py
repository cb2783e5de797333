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


def audited_scope(entry):
    """An audit entry's scope: core.AuditEntry keeps plain project, program and portfolio ids
    (not foreign keys, so an entry outlives its object); the first set one names the scope
    (None: the scope is gone, and the matrix skips the entry)."""
    from portfolio.models import Portfolio, Program
    from projects.models import Project

    for model, pk in ((Project, entry.project_id), (Program, entry.program_id), (Portfolio, entry.portfolio_id)):
        if pk is not None:
            return model.objects.filter(pk=pk).first()
    return None


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
    read_above_portfolio: frozenset | None = None  # ... when that is a portfolio (None: read_above)
    model: str | None = None  # "app.Model" when the viewset does not name one
    exclude: tuple = ()  # Q objects: rows the matrix does not sample (another rule decides them)
    deleters: frozenset | None = None  # roles that delete rows in or under their scope (None: writers)
    write_above: frozenset = NOBODY  # roles that change rows over their scope (a portfolio's pool)
    # Reference data (no scope, or SHARED): who reads it (a role anywhere) and who changes it.
    shared_read: frozenset = EVERYONE
    shared_writers: frozenset = NOBODY

    def readers(self, relation: str) -> frozenset:
        if relation == "above-portfolio":
            return self.read_above if self.read_above_portfolio is None else self.read_above_portfolio
        return {"below": self.read, "above": self.read_above, "shared": self.shared_read}.get(relation, NOBODY)

    def changers(self, relation: str, method: str) -> frozenset:
        """Roles whose `method` ("patch" or "delete") on a row `relation` to them is carried out."""
        if relation == "shared":
            return self.shared_writers
        if relation in ("above", "above-portfolio"):
            return self.write_above
        if relation == "below":
            return self.deleters if method == "delete" and self.deleters is not None else self.writers
        return NOBODY


PROJECT = ("project",)
PROJECT_OR_PROGRAM = ("project", "program")
PROGRAM = ("program",)
PORTFOLIO = ("portfolio",)
MANAGERS = frozenset({PA, PGM, PM})
PROGRAM_MANAGERS = frozenset({PA, PGM})
MONEY = frozenset({PA, FA})
RESOURCE_MANAGERS = frozenset({PA, PGM})
# portfolio/roles.py: a project's money (FINANCE_EDITORS), a program's money and the vendor
# register (PROGRAM_FINANCE_EDITORS), shared finance reference data (REFERENCE_DATA_EDITORS).
PROJECT_MONEY = frozenset({PA, PGM, PM, FA})
PROGRAM_MONEY = frozenset({PA, PGM, FA})
REFERENCE_DATA = frozenset({PA, FA})
# staffing/querysets.py: rates are seen and set by the resource managers and finance analysts
# holding a role on the portfolio or on a program in it.
RATE_VIEWERS = frozenset({PA, PGM, FA})

POLICY = {
    "portfolios": Policy((SELF,), frozenset({PA})),
    "objectives": Policy(PORTFOLIO, frozenset({PA})),
    "programs": Policy((SELF,), PROGRAM_MANAGERS),
    # Deleting a project deletes its status-report history: program managers only.
    "projects": Policy((SELF,), MANAGERS, deleters=PROGRAM_MANAGERS),
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
    # Risk-analysis inputs, prepared by the project's managers like duration ranges.
    "cost-ranges": Policy(PROJECT, MANAGERS),
    # Shared finance reference data: maintained by REFERENCE_DATA_EDITORS holding a role on any
    # portfolio; a portfolio's own fiscal calendar by those roles on it.
    "currencies": Policy((), NOBODY, shared_writers=REFERENCE_DATA),
    "exchange-rates": Policy((), NOBODY, shared_writers=REFERENCE_DATA),
    "cost-categories": Policy((), NOBODY, shared_writers=REFERENCE_DATA),
    "fiscal-calendars": Policy(("portfolio", SHARED), MONEY, shared_writers=REFERENCE_DATA),
    "fiscal-periods": Policy(("calendar.portfolio", SHARED), NOBODY),
    "budget-lines": Policy(PROJECT, PROJECT_MONEY),
    "cost-entries": Policy(PROJECT, PROJECT_MONEY),
    "forecasts": Policy(PROJECT, PROJECT_MONEY),
    "reserve-transactions": Policy(PROJECT_OR_PROGRAM, NOBODY),
    "lifecycle-cost-estimates": Policy(PROGRAM, NOBODY),
    # Lines of an approved estimate are frozen (400 for everybody): the matrix samples the others.
    "lifecycle-cost-lines": Policy(("estimate.program",), PROGRAM_MONEY, exclude=(Q(estimate__status="approved"),)),
    # The vendor register is shared by the people who manage contracts (a PROGRAM_FINANCE_EDITORS
    # role on a program or portfolio: they see and edit all of it); others see only the vendors of
    # contracts they can see, which in this world the sampled vendor is not (the demo's executive
    # sees it through the portfolio's contracts).
    "vendors": Policy((), NOBODY, shared_read=PROGRAM_MONEY | {EX}, shared_writers=PROGRAM_MONEY),
    "contracts": Policy(PROGRAM, PROGRAM_MONEY),
    "imports": Policy((OWN,), NOBODY),
    "risks": Policy(PROJECT_OR_PROGRAM, MANAGERS),
    "mitigation-actions": Policy(("risk.project", "risk.program"), MANAGERS),
    "issues": Policy(PROJECT_OR_PROGRAM, MANAGERS),
    "risk-history": Policy(("risk.project", "risk.program"), NOBODY),
    # A program's analysis sums every project's exposure: seen whole only (no read from a project).
    "analysis-runs": Policy(PROJECT_OR_PROGRAM, NOBODY, read_above=NOBODY, model="risks.AnalysisRun"),
    # The resource pool is maintained by its portfolio admins and the program managers of its
    # programs (README, "Roles and access"): the program managers write it from below.
    "people": Policy(PORTFOLIO, RESOURCE_MANAGERS, write_above=frozenset({PGM})),
    "staffing-roles": Policy(PORTFOLIO, RESOURCE_MANAGERS, write_above=frozenset({PGM})),
    "cost-rates": Policy(
        ("person.portfolio",),
        RATE_VIEWERS,
        read=RATE_VIEWERS,
        read_above=frozenset({PGM, FA}),
        write_above=frozenset({PGM, FA}),
    ),
    "absences": Policy(("person.portfolio",), RESOURCE_MANAGERS, write_above=frozenset({PGM})),
    "allocations": Policy(PROJECT, MANAGERS),
    "staffing-requests": Policy(PROJECT, MANAGERS),
    # A decided gate or change request is final (400 for everybody): the matrix samples pending ones.
    "stage-gates": Policy(PROJECT, MANAGERS, exclude=(~Q(decision="pending"),)),
    "gate-criteria": Policy(("gate.project",), MANAGERS, exclude=(~Q(gate__decision="pending"),)),
    "change-requests": Policy(PROJECT_OR_PROGRAM, MANAGERS, exclude=(~Q(status="draft"),)),
    "change-request-lines": Policy(
        ("change_request.project", "change_request.program"), MANAGERS, exclude=(~Q(change_request__status="draft"),)
    ),
    # Program-level decisions are seen whole only (a role on the program or its portfolio).
    "decisions": Policy(PROJECT_OR_PROGRAM, PROGRAM_MANAGERS, read_above=NOBODY),
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
    # shown to someone who sees it through one project; a portfolio's, of its resource pool and
    # objectives, to everyone who sees the portfolio, as those objects are); cost-rate entries
    # follow the rate rule (history.selectors.entries_visible_to).
    "audit-entries": Policy(
        (audited_scope,),
        NOBODY,
        read_above=NOBODY,
        read_above_portfolio=EVERYONE,
        exclude=(Q(object_type__in=RATE_TYPES), Q(project_id=None, program_id=None, portfolio_id=None)),
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
