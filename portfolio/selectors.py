"""Reads for portfolio pages: health roll-ups computed in the query, not in templates."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max, Min, Q

from projects.models import Dependency, Project, Rag, Task, open_projects_q

from .models import Membership, Portfolio, Program, ProgramObjective, StrategicObjective


def program_list_with_health(*, user, queryset=None):
    """Programs visible to `user`, each annotated with the latest RAG counts of its OPEN projects
    (red_count, amber_count, green_count: open_projects_q, so a closed project's final report
    never colours a program), open_count and closed_count, project_count (all of them) and the
    newest report date. Constant number of queries."""
    qs = queryset if queryset is not None else Program.objects.visible_to(user)
    rag = "projects__latest_status_report__overall_rag"
    running = open_projects_q("projects__")
    if not qs.query.order_by:  # an aggregate drops Meta.ordering (GROUP BY): keep pages stable
        qs = qs.order_by("name", "pk")
    return qs.select_related("portfolio", "manager").annotate(
        project_count=Count("projects", distinct=True),
        open_count=Count("projects", filter=running, distinct=True),
        closed_count=F("project_count") - F("open_count"),
        red_count=Count("projects", filter=running & Q(**{rag: Rag.RED}), distinct=True),
        amber_count=Count("projects", filter=running & Q(**{rag: Rag.AMBER}), distinct=True),
        green_count=Count("projects", filter=running & Q(**{rag: Rag.GREEN}), distinct=True),
        last_report_date=Max("projects__latest_status_report__period_end"),
    )


def program_health(program) -> str | None:
    """Worst reported RAG of the program's open projects (None when none of them has reported:
    closed projects are left out, see program_list_with_health).

    Expects the annotations of program_list_with_health."""
    if program.red_count:
        return Rag.RED
    if program.amber_count:
        return Rag.AMBER
    if program.green_count:
        return Rag.GREEN
    return None


def portfolio_list(*, user):
    # An aggregate drops Meta.ordering (GROUP BY), so order explicitly for stable pages.
    return Portfolio.objects.visible_to(user).annotate(program_count=Count("programs")).order_by("name", "pk")


def program_projects(*, user, program):
    """The program's projects that `user` may see, with their latest report and manager."""
    return (
        Project.objects.visible_to(user)
        .filter(program=program)
        .select_related("latest_status_report", "manager")
        .order_by("priority", "code")
    )


def program_projects_open_and_closed(*, user, program) -> tuple[list[Project], list[Project]]:
    """program_projects split in one query: the open ones (those the program's health counts)
    and the closed ones (Project.is_closed), each with their final report, listed apart."""
    running, closed = [], []
    for project in program_projects(user=user, program=program):
        (closed if project.is_closed else running).append(project)
    return running, closed


def with_health(programs):
    """Set `.health` (program_health) on programs annotated by program_list_with_health."""
    programs = list(programs)
    for program in programs:
        program.health = program_health(program)
    return programs


def portfolio_home(*, user) -> list[Portfolio]:
    """The user's portfolios, each with `.programs_with_health`: its programs the user may see,
    annotated as in program_list_with_health and with `.health` set, and `.administered`: whether
    the user is its portfolio admin (it links the portfolio's settings). Three queries."""
    portfolios = list(Portfolio.objects.visible_to(user).order_by("name"))
    by_id = {portfolio.pk: portfolio for portfolio in portfolios}
    administered = set(Portfolio.objects.editable_by(user).filter(pk__in=by_id).values_list("pk", flat=True))
    for portfolio in portfolios:
        portfolio.programs_with_health = []
        portfolio.administered = portfolio.pk in administered
    for program in with_health(program_list_with_health(user=user).order_by("name")):
        if program.portfolio_id in by_id:
            by_id[program.portfolio_id].programs_with_health.append(program)
    return portfolios


def program_list_filtered(*, user, filtered):
    """program_list_with_health over the programs of a filtered queryset.

    The health counts must run over all of a program's open projects, so they are computed on a
    fresh queryset selecting the filtered ids: a filter through `projects` (e.g. health=red)
    would otherwise restrict which projects the counts see."""
    return program_list_with_health(user=user, queryset=Program.objects.filter(pk__in=filtered.values("pk")))


def program_page(*, user):
    """Programs `user` may see, with health annotations and the people on the program page.
    Pick one with get_object_or_404(program_page(user=…), code=…)."""
    return program_list_with_health(user=user).select_related("sponsor")


def program_is_editable(*, user, program: Program) -> bool:
    return Program.objects.editable_by(user).filter(pk=program.pk).exists()


def program_objective_links(*, program: Program) -> list[ProgramObjective]:
    """The program's objectives with their weights (percent), heaviest first."""
    return list(program.objective_links.select_related("objective").order_by("-weight", "objective__code"))


def program_people(*, program: Program, include=()):
    """People who may be named manager or sponsor in the program or its projects: anyone with a
    role on the program, its portfolio or one of its projects, whoever holds the program's
    posts now, and the user ids in `include` (e.g. a project's current manager)."""
    scoped = Membership.objects.filter(
        Q(portfolio_id=program.portfolio_id) | Q(program_id=program.pk) | Q(project__program_id=program.pk)
    )
    current = [pk for pk in (program.manager_id, program.sponsor_id, *include) if pk]
    return (
        get_user_model()
        .objects.filter(Q(pk__in=scoped.values("user_id")) | Q(pk__in=current))
        .order_by("first_name", "last_name", "username")
    )


def program_filter_choices(*, user) -> dict:
    """Querysets for the choice fields of ProgramFilterSet, limited to what `user` may see."""
    programs = Program.objects.visible_to(user)
    portfolios = Portfolio.objects.visible_to(user)
    users = get_user_model().objects.order_by("first_name", "last_name", "username")
    return {
        "portfolio": portfolios.order_by("name"),
        "manager": users.filter(pk__in=programs.values("manager_id")),
        "sponsor": users.filter(pk__in=programs.values("sponsor_id")),
        "objectives": StrategicObjective.objects.filter(portfolio__in=portfolios.values("pk")).order_by("code"),
    }


def membership_list(*, user) -> list[Membership]:
    """The user's own roles with their scope (portfolio, program or project) loaded."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("portfolio", "program", "project")
        .order_by("role", "portfolio__name", "program__code", "project__code")
    )


@dataclass(slots=True)
class ProgramTimeline:
    """A program's projects (annotated `task_start`/`task_finish`: their tasks' span, None
    without scheduled tasks), the tasks to draw under each (milestones and the ends of
    cross-project links, by project pk, in date order), and the cross-project links."""

    projects: list[Project]
    tasks_of: dict[int, list[Task]]
    links: list[Dependency]


def program_timeline(*, user, program: Program) -> ProgramTimeline:
    """The program's timeline as `user` may see it: only projects they may see, and only links
    between two of those. Three queries, whatever the number of projects, tasks and links."""
    visible = Project.objects.visible_to(user).filter(program=program)
    projects = list(
        visible.annotate(task_start=Min("tasks__start"), task_finish=Max("tasks__finish")).order_by(
            F("task_start").asc(nulls_last=True), F("planned_start").asc(nulls_last=True), "code"
        )
    )
    ids = visible.values("pk")
    cross = (
        Dependency.objects.filter(predecessor__project__in=ids, successor__project__in=ids)
        .exclude(predecessor__project_id=F("successor__project_id"))
        .order_by("pk")
    )
    links = list(cross)
    tasks = Task.objects.filter(project__in=ids).filter(
        Q(is_milestone=True) | Q(pk__in=cross.values("predecessor_id")) | Q(pk__in=cross.values("successor_id"))
    )
    tasks_of: dict[int, list[Task]] = {}
    for task in tasks.order_by("project_id", "start", "sort_order", "pk"):
        tasks_of.setdefault(task.project_id, []).append(task)
    return ProgramTimeline(projects=projects, tasks_of=tasks_of, links=links)


def membership_candidates(user):
    """Active people `user` may name in a new membership: those already holding a role in a
    portfolio where `user` manages memberships (as its admin, or as a program manager in it).
    Anyone else joins through an invitation (access.services), so the API cannot be used to
    learn which accounts exist."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from .models import Membership, Portfolio, Program
    from .querysets import sees_everything

    people = get_user_model().objects.filter(is_active=True)
    if sees_everything(user):
        return people
    portfolios = Portfolio.objects.filter(
        Q(pk__in=Portfolio.objects.editable_by(user).values("pk"))
        | Q(pk__in=Program.objects.editable_by(user).values("portfolio_id"))
    ).values("pk")
    in_reach = Membership.objects.filter(
        Q(portfolio__in=portfolios)
        | Q(program__portfolio__in=portfolios)
        | Q(project__program__portfolio__in=portfolios)
    )
    return people.filter(pk__in=in_reach.values("user_id"))
