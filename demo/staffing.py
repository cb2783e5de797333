"""The staffing stage of the demo: each portfolio's resource pool (eight job roles with standard
rates, people with capacities, cost rates and absences) and, for every project, allocations and
staffing requests — bulk-inserted, so `large` (5,000 people, 20,000 allocations) stays fast.

What makes the heat maps worth looking at (all in the first program, the demo program manager's):
some people are deliberately over-allocated across two of its projects, one fully booked person
is on holiday for a week, a zero-capacity contractor is booked by the hour, and some requests
are left unfilled or partly filled. The demo project manager and team member have a Person in
their portfolio's pool, allocated to their projects; so do the other project managers and team
members (people pool users first, generated names after).

Request statuses are computed with staffing.capacity, the same arithmetic the services use.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from budgets.models import Currency
from portfolio.models import Membership, Portfolio, Program
from portfolio.roles import Role as MembershipRole
from projects.models import Project
from staffing import capacity
from staffing.models import Absence, Allocation, CostRate, Person, Role, StaffingRequest

from . import names
from .builder import _bulk_create

# Job roles: code, name, standard hourly rate (EUR), department, share of the pool.
ROLES = [
    ("PM", "Project manager", 95, "Delivery", 10),
    ("BA", "Business analyst", 80, "Business Change", 15),
    ("ARC", "Solution architect", 115, "Architecture", 6),
    ("DEV", "Developer", 85, "Engineering", 30),
    ("QA", "Test analyst", 70, "Quality", 14),
    ("DATA", "Data engineer", 90, "Data & Analytics", 10),
    ("UX", "UX designer", 75, "Design", 6),
    ("OPS", "DevOps engineer", 95, "Operations", 9),
]
PEOPLE = {"small": 40, "medium": 600, "large": 5000}
ALLOCATIONS = {"small": 110, "medium": 2400, "large": 20000}
CAPACITIES = [(Decimal(40), 80), (Decimal(32), 12), (Decimal(24), 6), (Decimal(20), 2)]
POOL_FTE_STEPS = [20, 25, 30, 40, 50, 60, 80]
TODAY_WINDOW_BEFORE = 150  # days of allocation history kept before today
TODAY_WINDOW_AFTER = 300  # and planned ahead


class StaffingStage:
    def __init__(self, builder):
        self.b = builder
        self.rng = builder.rng
        self.today = builder.today
        self.monday = builder.today - dt.timedelta(days=builder.today.weekday())

    # -- helpers ---------------------------------------------------------------------------------

    def _weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def _names(self, count: int, taken: set[str]) -> list[str]:
        """`count` new full names; a clash gets a middle initial, then a number."""
        out = []
        while len(out) < count:
            first, last = self.rng.choice(names.FIRST_NAMES), self.rng.choice(names.LAST_NAMES)
            name = f"{first} {last}"
            for initial in "ABCDEFGHJKLMNPRSTW":
                if name not in taken:
                    break
                name = f"{first} {initial}. {last}"
            n = 2
            while name in taken:
                name, n = f"{first} {last} {n}", n + 1
            taken.add(name)
            out.append(name)
        return out

    # -- the stage -------------------------------------------------------------------------------

    def build(self) -> None:
        portfolios = list(Portfolio.objects.order_by("pk"))
        if not portfolios:
            return
        scale = self.b.scale_name if self.b.scale_name in PEOPLE else "small"
        eur = Currency.objects.filter(pk="EUR").first() or Currency.objects.create(code="EUR", name="Euro")
        has_usd = Currency.objects.filter(pk="USD").exists()
        demo = getattr(self.b, "demo", {}) or {}

        roles = self._roles(portfolios)
        people, person_role = self._people(portfolios, roles, PEOPLE[scale], demo)
        self._rates(people, person_role, eur, has_usd)
        self._absences(people)
        self._allocations(portfolios, roles, people, person_role, ALLOCATIONS[scale], demo)

    def _roles(self, portfolios) -> dict[int, dict[str, Role]]:
        rows = [
            Role(portfolio=p, code=code, name=name, standard_rate=Decimal(rate))
            for p in portfolios
            for code, name, rate, _, _ in ROLES
        ]
        _bulk_create(Role, rows, label="staffing roles", progress=self.b.progress)
        by_portfolio = defaultdict(dict)
        for role in Role.objects.filter(portfolio__in=portfolios):
            by_portfolio[role.portfolio_id][role.code] = role
        return by_portfolio

    def _people(self, portfolios, roles, total: int, demo):
        """People per pool (evenly split), pool users first: project managers and team members
        become people of the portfolio of their first project."""
        per_pool = max(total // len(portfolios), 10)
        portfolio_of_project = dict(Project.objects.values_list("pk", "program__portfolio_id"))
        users_by_pool: dict[int, list] = defaultdict(list)
        seen = set()
        memberships = (
            Membership.objects.filter(
                project__isnull=False, role__in=[MembershipRole.PROJECT_MANAGER, MembershipRole.TEAM_MEMBER]
            )
            .select_related("user")
            .order_by("user_id", "project_id")
        )
        managers = Project.objects.filter(manager__isnull=False).select_related("manager").order_by("manager_id", "pk")
        for user, project_id, code in [
            *((m.user, m.project_id, "DEV") for m in memberships),
            *((p.manager, p.pk, "PM") for p in managers),
        ]:
            if user.pk in seen:
                continue
            seen.add(user.pk)
            users_by_pool[portfolio_of_project[project_id]].append((user, code))
        # The demo logins first in their pool, with the natural role.
        for username, code in (("project_manager", "PM"), ("team_member", "DEV")):
            user = demo.get(username)
            if user is None:
                continue
            for pool in users_by_pool.values():
                for i, (u, _) in enumerate(pool):
                    if u.pk == user.pk:
                        pool.insert(0, pool.pop(i))
                        pool[0] = (u, code)

        role_weights = [(code, share) for code, _, _, _, share in ROLES]
        department = {code: dept for code, _, _, dept, _ in ROLES}
        taken: set[str] = set()
        rows, role_codes, extra_roles = [], [], []
        for portfolio in portfolios:
            pool_users = users_by_pool.get(portfolio.pk, [])[: per_pool - 2]
            generated = self._names(per_pool - len(pool_users), taken)
            for index in range(per_pool):
                if index < len(pool_users):
                    user, code = pool_users[index]
                    name = user.get_full_name() or user.username
                    email = user.email
                else:
                    user, code = None, self._weighted(role_weights)
                    name = generated[index - len(pool_users)]
                    email = f"{name.lower().replace(' ', '.').replace(chr(39), '')}@people.keel.example"
                taken.add(name)
                weekly = self._weighted(CAPACITIES)
                contractor = index == per_pool - 1  # the zero-capacity contractor of each pool
                if contractor:
                    code, weekly, user, email = "DEV", Decimal(0), None, ""
                    name = f"{generated[-1]} (contractor)" if generated else "On-call contractor"
                rows.append(
                    Person(
                        portfolio=portfolio,
                        user=user,
                        name=name,
                        email=email,
                        department=department[code] if not contractor else "External",
                        primary_role=roles[portfolio.pk][code],
                        weekly_capacity_hours=weekly,
                        is_active=index % 97 != 50,  # a few have left
                    )
                )
                role_codes.append(code)
                second = self.rng.choice([c for c, *_ in ROLES]) if self.rng.random() < 0.25 else None
                extra_roles.append(second if second != code else None)
        _bulk_create(Person, rows, label="people", progress=self.b.progress)
        through = Person.roles.through
        links = []
        for person, code, second in zip(rows, role_codes, extra_roles, strict=True):
            links.append(through(person_id=person.pk, role_id=roles[person.portfolio_id][code].pk))
            if second:
                links.append(through(person_id=person.pk, role_id=roles[person.portfolio_id][second].pk))
        _bulk_create(through, links, label="people's roles", progress=self.b.progress)
        return rows, dict(zip((p.pk for p in rows), role_codes, strict=True))

    def _rates(self, people, person_role, eur, has_usd) -> None:
        """Most people have a personal rate from a year ago; a third of those a raise from the
        first of a month ahead (the forecast crosses a rate change); contractors are in USD."""
        standard = {code: rate for code, _, rate, _, _ in ROLES}
        rows = []
        raise_day = (self.today.replace(day=1) + dt.timedelta(days=95)).replace(day=1)
        for person in people:
            if self.rng.random() < 0.25:
                continue  # the role's standard rate applies
            base = Decimal(standard[person_role[person.pk]]) * Decimal(self.rng.choice([85, 95, 100, 105, 120])) / 100
            currency = "USD" if (not person.weekly_capacity_hours and has_usd) else eur.pk
            rows.append(
                CostRate(
                    person=person,
                    effective_from=self.today - dt.timedelta(days=365),
                    hourly_rate=base.quantize(Decimal("0.01")),
                    currency_id=currency,
                )
            )
            if self.rng.random() < 0.33:
                rows.append(
                    CostRate(
                        person=person,
                        effective_from=raise_day,
                        hourly_rate=(base * Decimal("1.05")).quantize(Decimal("0.01")),
                        currency_id=currency,
                    )
                )
        _bulk_create(CostRate, rows, label="cost rates", progress=self.b.progress)

    def _absences(self, people) -> None:
        rows = []
        for person in people:
            roll = self.rng.random()
            if roll < 0.3:  # a holiday of one or two weeks in the next quarter
                start = self.monday + dt.timedelta(weeks=self.rng.randint(1, 12))
                length = self.rng.choice([1, 1, 2])
                rows.append(
                    Absence(person=person, start=start, end=start + dt.timedelta(days=7 * length - 3), kind="holiday")
                )
            elif roll < 0.4:
                day = self.monday + dt.timedelta(days=self.rng.randint(0, 60))
                kind = self.rng.choice(["leave", "training"])
                rows.append(
                    Absence(person=person, start=day, end=day, kind=kind, note="" if kind == "leave" else "Course")
                )
        _bulk_create(Absence, rows, label="absences", progress=self.b.progress)

    def _window(self, project) -> tuple[dt.date, dt.date]:
        start = project.planned_start or (self.today - dt.timedelta(days=90))
        finish = project.planned_finish or (self.today + dt.timedelta(days=180))
        first = max(start, self.today - dt.timedelta(days=TODAY_WINDOW_BEFORE))
        last = min(finish, self.today + dt.timedelta(days=TODAY_WINDOW_AFTER))
        if last < first:  # finished long ago or starting far ahead: a short block at its edge
            first, last = (
                (start, start + dt.timedelta(days=60))
                if start > self.today
                else (finish - dt.timedelta(days=60), finish)
            )
        return first, last

    def _allocations(self, portfolios, roles, people, person_role, total: int, demo) -> None:
        projects = list(Project.objects.select_related("program").order_by("pk"))
        if not projects:
            return
        first_program = (
            Program.objects.filter(manager=demo["program_manager"]).order_by("pk").first()
            if demo.get("program_manager")
            else None
        ) or projects[0].program
        pool = defaultdict(list)
        for person in people:
            if person.is_active and person.weekly_capacity_hours:
                pool[person.portfolio_id].append(person)
        contractors = {p.portfolio_id: p for p in people if not p.weekly_capacity_hours}
        by_user = {p.user_id: p for p in people if p.user_id}
        team = defaultdict(list)
        for project_id, user_id in (
            Membership.objects.filter(project__isnull=False).order_by("pk").values_list("project_id", "user_id")
        ):
            if user_id in by_user:
                team[project_id].append(by_user[user_id])
        for project in projects:
            if project.manager_id in by_user and by_user[project.manager_id] not in team[project.pk]:
                team[project.pk].insert(0, by_user[project.manager_id])

        per_project = max(total // len(projects), 2)
        projects_of = defaultdict(int)  # how many projects a team member works on
        for members in team.values():
            for person in members:
                projects_of[person.pk] += 1
        booked = defaultdict(int)  # FTE percent booked so far, to spread the pool's work
        requests: list[StaffingRequest] = []
        allocations: list[tuple[Allocation, int | None]] = []  # (row, index of the request it fills)
        role_codes = [code for code, *_ in ROLES]

        def allocate(person, project, code, first, last, *, fte=None, hours=None, request=None, notes=""):
            booked[person.pk] += fte if fte is not None else int(hours * 100 / 40)
            allocations.append(
                (
                    Allocation(
                        person=person,
                        project=project,
                        role=roles[project.program.portfolio_id][code],
                        start=first,
                        end=last,
                        fte_percent=Decimal(fte) if fte is not None else None,
                        hours_per_week=Decimal(hours) if hours is not None else None,
                        notes=notes,
                    ),
                    request,
                )
            )

        for project in projects:
            portfolio_id = project.program.portfolio_id
            first, last = self._window(project)
            rich = project.program_id == first_program.pk
            members = team[project.pk]
            count = per_project + (3 if rich else 0)
            # Requests: one to three, each filled fully, in part, or not at all.
            for _ in range(self.rng.randint(1, 3) if not rich else 3):
                code = self.rng.choice(role_codes)
                r_first = max(first, self.monday) if last >= self.monday else first
                r_first = min(r_first + dt.timedelta(weeks=self.rng.randint(0, 6)), last)
                r_last = min(r_first + dt.timedelta(weeks=self.rng.randint(6, 20)), last)
                fte = self.rng.choice([50, 100, 100])
                requests.append(
                    StaffingRequest(
                        project=project,
                        role=roles[portfolio_id][code],
                        start=r_first,
                        end=r_last,
                        fte_percent=Decimal(fte),
                        requested_by_id=project.manager_id,
                        notes="",
                    )
                )
                fill = self.rng.choices(["full", "part", "none"], weights=[45, 30, 25] if not rich else [30, 35, 35])[0]
                if r_last < self.today:
                    fill = "full"  # past requests were staffed: history, not gaps
                candidates = [p for p in pool[portfolio_id] if person_role[p.pk] == code] or pool[portfolio_id]
                if fill != "none" and candidates:
                    person = min(self.rng.sample(candidates, min(3, len(candidates))), key=lambda p: booked[p.pk])
                    share = fte if fill == "full" else fte // 2
                    # FTE of a 40 h request filled by the person's own capacity: book hours to match.
                    allocate(
                        person,
                        project,
                        code,
                        r_first,
                        r_last,
                        hours=Decimal(40) * share / 100,
                        request=len(requests) - 1,
                    )
                    count -= 1
            # Team members and the manager first, then people of the pool.
            for person in members[: max(count, 1)]:
                # A member's time is shared between their projects (all running at once at worst).
                share = max(10, 100 // projects_of[person.pk] // 5 * 5)
                allocate(
                    person,
                    project,
                    person_role[person.pk],
                    first,
                    last,
                    fte=self.rng.choice([share, share, min(share + 10, 100)]),
                )
                count -= 1
            for _ in range(max(count, 0)):
                candidates = pool[portfolio_id]
                if not candidates:
                    break
                person = min(self.rng.sample(candidates, min(4, len(candidates))), key=lambda p: booked[p.pk])
                a_first = min(first + dt.timedelta(weeks=self.rng.randint(0, 8)), last)
                a_last = max(a_first, min(a_first + dt.timedelta(weeks=self.rng.randint(4, 30)), last))
                if self.rng.random() < 0.15:
                    allocate(
                        person, project, person_role[person.pk], a_first, a_last, hours=self.rng.choice([4, 8, 16])
                    )
                else:
                    allocate(
                        person, project, person_role[person.pk], a_first, a_last, fte=self.rng.choice(POOL_FTE_STEPS)
                    )

        self._showcase(first_program, projects, pool, contractors, person_role, allocate, booked)

        # Request statuses from the allocations filling them (the services' arithmetic).
        supplied = defaultdict(lambda: capacity.ZERO)
        for allocation, index in allocations:
            if index is None:
                continue
            r = requests[index]
            supplied[index] += capacity.booked_hours(
                capacity.Booking(
                    key=0,
                    start=allocation.start,
                    end=allocation.end,
                    fte_percent=allocation.fte_percent,
                    hours_per_week=allocation.hours_per_week,
                ),
                weekly_capacity=allocation.person.weekly_capacity_hours,
                first=r.start,
                last=r.end,
                absent=set(),
            )
        for index, r in enumerate(requests):
            demand = capacity.request_hours(start=r.start, end=r.end, fte_percent=r.fte_percent, hours_per_week=None)
            got = supplied.get(index, capacity.ZERO)
            r.status = "filled" if demand and got >= demand else ("partially_filled" if got > 0 else "open")
        if requests:
            requests[-1].status = StaffingRequest.Status.CANCELLED  # one withdrawn request on record
        _bulk_create(StaffingRequest, requests, label="staffing requests", progress=self.b.progress)
        rows = []
        for allocation, index in allocations:
            if index is not None:
                allocation.request_id = requests[index].pk
            rows.append(allocation)
        _bulk_create(Allocation, rows, label="allocations", progress=self.b.progress)

    def _showcase(self, program, projects, pool, contractors, person_role, allocate, booked) -> None:
        """The demo program's deliberate problems: three people over-allocated across two of its
        projects (one of them also on holiday for a week), and the zero-capacity contractor
        booked by the hour."""
        # Two of the program's projects running now (else its first two).
        mine = [p for p in projects if p.program_id == program.pk]
        running = [p for p in mine if (p.planned_start or self.today) <= self.today <= (p.planned_finish or self.today)]
        mine = running + [p for p in mine if p not in running]
        # The least booked people of the pool, so the over-allocation is the showcase's doing.
        people = sorted(pool[program.portfolio_id], key=lambda p: (booked[p.pk], p.pk))
        if len(mine) < 2 or len(people) < 3:
            return
        first, second = mine[0], mine[1]
        start = self.monday - dt.timedelta(weeks=2)
        end = self.monday + dt.timedelta(weeks=14)
        for i, person in enumerate(people[:3]):
            code = person_role[person.pk]
            allocate(person, first, code, start, end, fte=70, notes="Core team")
            allocate(
                person,
                second,
                code,
                start + dt.timedelta(weeks=i),
                end,
                fte=50 + 10 * i,
                notes="Shared with the sister project",
            )
        holiday = people[0]
        Absence.objects.create(
            person=holiday,
            start=self.monday + dt.timedelta(weeks=3),
            end=self.monday + dt.timedelta(weeks=3, days=4),
            kind=Absence.Kind.HOLIDAY,
            note="Booked before the allocation",
        )
        contractor = contractors.get(program.portfolio_id)
        if contractor is not None:
            allocate(contractor, first, person_role[contractor.pk], self.monday, end, hours=8, notes="On call")


def reset() -> None:
    """Delete every staffing row the demo may have created (leaves first; raw deletes, as the
    money rows are, since nothing else points at them)."""
    for model in (Allocation, StaffingRequest, Absence, CostRate, Person.roles.through):
        model.objects.all()._raw_delete(model.objects.db)
    Person.objects.all()._raw_delete(Person.objects.db)
    Role.objects.all()._raw_delete(Role.objects.db)


def counts() -> dict[str, int]:
    return {
        "staffing roles": Role.objects.count(),
        "people": Person.objects.count(),
        "cost rates": CostRate.objects.count(),
        "absences": Absence.objects.count(),
        "allocations": Allocation.objects.count(),
        "staffing requests": StaffingRequest.objects.count(),
    }
