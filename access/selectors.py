"""Who administers what, who may be administered, and who has access to a scope.

A portfolio admin administers their portfolio and everything in it: its programs, their
projects, the people holding a role there and the invitations to it. People with nothing in the
admin's portfolios are invisible to them (404) — they come in only through an invitation.
Superusers administer everything.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q

from portfolio.models import Membership, Portfolio, Program
from portfolio.querysets import sees_everything
from projects.models import Project

from .models import Invitation


def administered_portfolios(user):
    """Portfolios `user` administers (the portfolio admin role on it, or superuser)."""
    return Portfolio.objects.editable_by(user)


def administers_anything(user) -> bool:
    return user.is_authenticated and administered_portfolios(user).exists()


def _in_portfolios_q(portfolios, prefix: str = "") -> Q:
    ids = portfolios.values("pk")
    return (
        Q(**{f"{prefix}portfolio__in": ids})
        | Q(**{f"{prefix}program__portfolio__in": ids})
        | Q(**{f"{prefix}project__program__portfolio__in": ids})
    )


def administered_memberships(user):
    """Every membership on a scope inside the portfolios `user` administers."""
    if sees_everything(user):
        return Membership.objects.all()
    return Membership.objects.filter(_in_portfolios_q(administered_portfolios(user)))


def administrable_users(user):
    """People `user` may see and administer: those holding a role in their portfolios."""
    users = get_user_model().objects.all()
    if sees_everything(user):
        return users
    return users.filter(pk__in=administered_memberships(user).values("user_id"))


def administered_programs(user):
    return Program.objects.filter(portfolio__in=administered_portfolios(user).values("pk"))


def administered_projects(user):
    return Project.objects.filter(program__portfolio__in=administered_portfolios(user).values("pk"))


def administered_invitations(user):
    if sees_everything(user):
        return Invitation.objects.all()
    return Invitation.objects.filter(_in_portfolios_q(administered_portfolios(user)))


def people_list(*, viewer, query: str = ""):
    """The people `viewer` administers with their memberships in `viewer`'s portfolios
    (prefetched: one query for the people, one for the memberships)."""
    from django.db.models import Prefetch

    people = administrable_users(viewer).order_by("username")
    if query:
        people = people.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    visible = administered_memberships(viewer).select_related("portfolio", "program", "project").order_by("role")
    return people.prefetch_related(Prefetch("memberships", queryset=visible, to_attr="administered"))


@dataclass
class ScopeRow:
    """One person's roles on a scope: held there directly and inherited from above."""

    user: object
    direct: list = field(default_factory=list)  # Membership rows on the scope itself
    inherited: list = field(default_factory=list)  # Membership rows on the program or portfolio above


def scope_chain(scope) -> list:
    """The scope and everything above it, nearest first."""
    if isinstance(scope, Project):
        return [scope, scope.program, scope.program.portfolio]
    if isinstance(scope, Program):
        return [scope, scope.portfolio]
    return [scope]


def _scope_q(scope) -> Q:
    kind = type(scope).__name__.lower()
    return Q(**{kind: scope})


def scope_members(scope) -> list[ScopeRow]:
    """Everyone with access to `scope`: a role on it or inherited from the program or portfolio
    above it, sorted by username. Two queries whatever the number of people."""
    chain = scope_chain(scope)
    q = Q()
    for level in chain:
        q |= _scope_q(level)
    rows: dict[int, ScopeRow] = {}
    memberships = (
        Membership.objects.filter(q)
        .select_related("user", "portfolio", "program", "project", "sso")
        .order_by("user__username", "role")
    )
    for membership in memberships:
        row = rows.setdefault(membership.user_id, ScopeRow(user=membership.user))
        (row.direct if membership.scope == scope else row.inherited).append(membership)
    return list(rows.values())


def person_memberships(*, person, viewer):
    """`person`'s memberships that `viewer` may see (those in `viewer`'s portfolios)."""
    return (
        administered_memberships(viewer)
        .filter(user=person)
        .select_related("portfolio", "program__portfolio", "project__program__portfolio", "sso")
        .order_by("portfolio__code", "program__code", "project__code", "role")
    )


@dataclass
class Reach:
    """A program or project `person` can open and the roles that give it."""

    kind: str
    obj: object
    roles: list[str]


def person_effective_access(*, person, viewer) -> list[Reach]:
    """What `person` can open inside `viewer`'s portfolios: each program and project, with the
    roles (own or inherited) that open it. Three queries."""
    memberships = list(person_memberships(person=person, viewer=viewer))
    by_portfolio: dict[int, list] = {}
    by_program: dict[int, list] = {}
    by_project: dict[int, list] = {}
    for m in memberships:
        label = m.get_role_display()
        if m.portfolio_id:
            by_portfolio.setdefault(m.portfolio_id, []).append(f"{label} (portfolio {m.portfolio.code})")
        elif m.program_id:
            by_program.setdefault(m.program_id, []).append(label)
        else:
            by_project.setdefault(m.project_id, []).append(label)
    portfolios = administered_portfolios(viewer).values("pk")
    programs = Program.objects.filter(portfolio__in=portfolios).filter(
        Q(portfolio_id__in=by_portfolio) | Q(pk__in=by_program) | Q(projects__pk__in=by_project)
    )
    reach = []
    for program in programs.distinct().order_by("code"):
        roles = by_portfolio.get(program.portfolio_id, []) + by_program.get(program.pk, [])
        reach.append(Reach("program", program, roles or ["Sees it through a project role"]))
    projects = (
        Project.objects.filter(program__portfolio__in=portfolios)
        .filter(Q(program__portfolio_id__in=by_portfolio) | Q(program_id__in=by_program) | Q(pk__in=by_project))
        .select_related("program")
        .order_by("code")
    )
    for project in projects:
        roles = (
            by_portfolio.get(project.program.portfolio_id, [])
            + [f"{r} (program {project.program.code})" for r in by_program.get(project.program_id, [])]
            + by_project.get(project.pk, [])
        )
        reach.append(Reach("project", project, roles))
    return reach
