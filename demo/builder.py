"""The stages that build the demo, one method each; `seed.demo_seed` runs them in order.

Every random choice comes from the builder's one `random.Random(seed)`, in a fixed order:
adding a stage at the end keeps the data of the earlier stages unchanged for a given seed.
"""

import calendar
import math
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import OuterRef, Subquery
from tqdm import tqdm

from portfolio.models import Membership, Program
from portfolio.roles import Role
from portfolio.services import objective_create, portfolio_create, program_create
from projects.models import Project, Rag, StatusReport

from . import names
from .logins import DEMO_EMAIL_DOMAIN, DEMO_LOGINS

BATCH_SIZE = 1000


def _bulk_create(model, rows: Sequence, *, label: str, progress: bool) -> None:
    with tqdm(total=len(rows), desc=label, unit=" rows", disable=not progress, leave=False) as bar:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            bar.update(len(batch))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _friday(day: date) -> date:
    return day + timedelta(days=(4 - day.weekday()) % 7)


class DemoBuilder:
    """Holds the generator and what has been built so far; one method per stage."""

    def __init__(self, *, scale, seed: int, today: date, password: str, progress: bool, scale_name: str = "small"):
        self.scale = scale
        self.scale_name = scale_name
        self.rng = random.Random(seed)
        self.today = today
        self.password = password
        self.progress = progress
        self.user_model = get_user_model()

    def build(self) -> None:
        """Run every stage in order. New stages (tasks, costs, risks, people…) go at the end
        so the rows of the earlier stages stay the same for a given seed."""
        self.build_users()
        self.build_portfolios()
        self.build_projects()
        self.build_memberships()
        self.build_status_reports()
        self.build_schedules()
        self.build_money()
        self.build_staffing()
        self.build_risks()
        self.build_governance()
        self.build_analysis()
        self.build_collab()
        self.build_planning()

    # --- schedules and money (schedules.py, money.py) ---------------------------------------

    def build_schedules(self) -> None:
        from .schedules import ScheduleStage

        self.schedules = ScheduleStage(self)
        self.schedules.build()

    def build_money(self) -> None:
        from .money import MoneyStage

        MoneyStage(self, self.schedules).build()

    # --- staffing, risks and governance (staffing.py, risks.py, governance.py) --------------
    # Each stage reads what it needs (programs, projects, users) from the database.

    def build_staffing(self) -> None:
        from .staffing import StaffingStage

        StaffingStage(self).build()

    def build_risks(self) -> None:
        from .risks import RiskStage

        RiskStage(self).build()

    def build_governance(self) -> None:
        from .governance import GovernanceStage

        GovernanceStage(self).build()

    def build_analysis(self) -> None:
        from .analysis import AnalysisStage

        AnalysisStage(self).build()

    def build_collab(self) -> None:
        from .collab import CollabStage

        CollabStage(self).build()

    def build_planning(self) -> None:
        from .planning import PlanningStage

        PlanningStage(self).build()

    def demo_program(self) -> Program | None:
        """The demo program manager's program (the first program when the demo logins are not
        loaded): where the analysis and planning stages put their data. None without programs."""
        demo_pm = self.demo.get("program_manager") if getattr(self, "demo", None) else None
        programs = list(Program.objects.order_by("pk"))
        if not programs:
            return None
        return next((p for p in programs if demo_pm and p.manager_id == demo_pm.pk), programs[0])

    def load_demo_logins(self) -> None:
        """Set `demo` (username → user) from the database, for stages run on an existing demo."""
        by_username = self.user_model.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN).in_bulk(
            field_name="username"
        )
        self.demo = {
            login.username: by_username[login.username] for login in DEMO_LOGINS if login.username in by_username
        }

    # --- people ---------------------------------------------------------------------------

    def build_users(self) -> None:
        s = self.scale
        pool_sizes = {
            "program_managers": s.programs - 1,  # the first program is the demo login's
            "sponsors": 2 * s.portfolios,
            "finance": s.portfolios,
            "project_managers": max(2, math.ceil((s.projects - 2) / 3)),
            "team": max(6, s.projects // 2),
        }
        pairs = self.rng.sample(
            [(first, last) for first in names.FIRST_NAMES for last in names.LAST_NAMES], sum(pool_sizes.values())
        )
        hashed = make_password(self.password)  # one hash for all: hashing is slow by design
        users, taken = [], set()
        for login in DEMO_LOGINS:
            users.append(self._user(login.username, login.first_name, login.last_name, hashed))
            taken.add(login.username)
        for first, last in pairs:
            base = f"{first}.{last}".lower().replace("'", "")
            username, n = base, 1
            while username in taken:
                n += 1
                username = f"{base}{n}"
            taken.add(username)
            users.append(self._user(username, first, last, hashed))
        users[0].is_staff = users[0].is_superuser = True
        _bulk_create(self.user_model, users, label="users", progress=self.progress)

        by_username = self.user_model.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN).in_bulk(
            field_name="username"
        )
        self.demo = {login.username: by_username[login.username] for login in DEMO_LOGINS}
        pool = [by_username[u.username] for u in users[len(DEMO_LOGINS) :]]
        self.pools = {}
        for name, size in pool_sizes.items():
            self.pools[name], pool = pool[:size], pool[size:]

    def _user(self, username: str, first: str, last: str, hashed: str):
        return self.user_model(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            password=hashed,
            is_active=True,
        )

    # --- portfolios, objectives, programs (through the services) ---------------------------

    def build_portfolios(self) -> None:
        s = self.scale
        actor = self.demo["admin"]
        per_portfolio = len(names.OBJECTIVES) // len(names.PORTFOLIOS)
        objective_titles = self.rng.sample(names.OBJECTIVES, per_portfolio * s.portfolios)
        self.portfolios, self.objectives = [], {}
        for index, (code, name, description) in enumerate(names.PORTFOLIOS[: s.portfolios]):
            portfolio = portfolio_create(
                actor=actor, code=code, name=name, description=description, base_currency="EUR"
            )
            titles = objective_titles[index * per_portfolio : (index + 1) * per_portfolio]
            self.objectives[portfolio.pk] = [
                objective_create(actor=actor, portfolio=portfolio, code=f"SO{n}", title=title)
                for n, title in enumerate(titles, start=1)
            ]
            self.portfolios.append(portfolio)

        self.programs, self.themes = [], {}
        for index, (code, name, theme) in enumerate(self.rng.sample(names.PROGRAMS, s.programs)):
            portfolio = self.portfolios[index % len(self.portfolios)]
            manager = self.demo["program_manager"] if index == 0 else self.pools["program_managers"][index - 1]
            sponsors = self.pools["sponsors"][2 * (index % len(self.portfolios)) :][:2]
            start = _monday(_add_months(self.today, -self.rng.randint(6, 36)).replace(day=1))
            finish = _friday(_add_months(start, self.rng.randint(30, 72)))
            linked = self.rng.sample(self.objectives[portfolio.pk], self.rng.randint(1, 3))
            weights = {1: [100], 2: [60, 40], 3: [50, 30, 20]}[len(linked)]
            program = program_create(
                actor=actor,
                portfolio=portfolio,
                code=code,
                name=name,
                description=f"The {name} program of the {portfolio.name} portfolio.",
                manager=manager,
                sponsor=self.rng.choice(sponsors),
                start_date=start,
                finish_date=finish,
                status=Program.Status.ACTIVE,
                contingency_reserve=Decimal(self.rng.randrange(4, 80) * 125_000).quantize(Decimal("0.01")),
                objectives=[(objective, Decimal(w)) for objective, w in zip(linked, weights, strict=True)],
            )
            self.programs.append(program)
            self.themes[program.pk] = theme

    # --- projects -------------------------------------------------------------------------

    def build_projects(self) -> None:
        s = self.scale
        per_program = s.projects // s.programs
        candidates = names.WORK_PACKAGES + [
            f"{package} – {qualifier}"
            for package in ("Pilot Rollout", "National Rollout", "Infrastructure Build", "Data Migration", "Training")
            for qualifier in names.QUALIFIERS
        ]
        pms = self.pools["project_managers"]
        projects, pm_slot = [], 0
        for program_index, program in enumerate(self.programs):
            span = (program.finish_date - program.start_date).days
            plans = []
            for package in self.rng.sample(candidates, per_program):
                start = _monday(program.start_date + timedelta(days=self.rng.randint(0, max(1, span * 2 // 3))))
                plans.append((start, _friday(_add_months(start, self.rng.randint(4, 30))), package))
            # Numbered in start order, as a PMO would register them.
            rows = [
                (n, start, finish, package, *self._phase_and_status(start, finish))
                for n, (start, finish, package) in enumerate(sorted(plans), start=1)
            ]
            # The demo project manager gets two running projects of the first program, so the
            # login has live work to report on.
            demo_managed = set()
            if program_index == 0:
                running = [row[0] for row in rows if row[4] == Project.Phase.EXECUTION]
                demo_managed = set([*running, *(row[0] for row in rows if row[0] not in running)][:2])
            for n, start, finish, package, phase, status in rows:
                if n in demo_managed:
                    manager = self.demo["project_manager"]
                else:
                    manager, pm_slot = pms[(pm_slot // 3) % len(pms)], pm_slot + 1
                projects.append(
                    Project(
                        program=program,
                        code=f"{program.code}-{n:03d}",
                        name=f"{self.themes[program.pk]} {package}",
                        description=f"{package} for the {program.name} program.",
                        manager=manager,
                        phase=phase,
                        status=status,
                        priority=self.rng.choices([1, 2, 3, 4], weights=[10, 30, 45, 15])[0],
                        planned_start=start,
                        planned_finish=finish,
                    )
                )
        _bulk_create(Project, projects, label="projects", progress=self.progress)
        by_code = Project.objects.filter(program__in=self.programs).in_bulk(field_name="code")
        self.projects = [by_code[p.code] for p in projects]

    def _phase_and_status(self, start: date, finish: date) -> tuple[str, str]:
        Phase, Status = Project.Phase, Project.Status  # noqa: N806 - local aliases of choices
        roll = self.rng.random()
        if start > self.today:
            return (Phase.INITIATION, Status.PROPOSED) if roll < 0.5 else (Phase.PLANNING, Status.ACTIVE)
        if finish < self.today - timedelta(days=60):
            return (Phase.CLOSED, Status.CANCELLED) if roll < 0.08 else (Phase.CLOSED, Status.COMPLETED)
        if finish < self.today:
            return Phase.CLOSING, Status.ACTIVE
        if start > self.today - timedelta(days=60):
            return Phase.PLANNING, Status.ACTIVE
        return Phase.EXECUTION, Status.ON_HOLD if roll < 0.05 else Status.ACTIVE

    # --- memberships ----------------------------------------------------------------------

    def build_memberships(self) -> None:
        rows = []

        def grant(user_id: int, role: str, **scope):
            rows.append(Membership(user_id=user_id, role=role, **scope))

        for portfolio_index, portfolio in enumerate(self.portfolios):
            for username in ("portfolio_admin", "executive", "finance_analyst"):
                grant(self.demo[username].pk, Role(username), portfolio=portfolio)
            for sponsor in self.pools["sponsors"][2 * portfolio_index : 2 * portfolio_index + 2]:
                grant(sponsor.pk, Role.EXECUTIVE, portfolio=portfolio)
            grant(self.pools["finance"][portfolio_index].pk, Role.FINANCE_ANALYST, portfolio=portfolio)
        for program in self.programs:
            grant(program.manager_id, Role.PROGRAM_MANAGER, program=program)

        first_program = [p for p in self.projects if p.program_id == self.programs[0].pk]
        team = self.pools["team"]
        slices = {program.pk: team[i :: len(self.programs)] for i, program in enumerate(self.programs)}
        low, high = self.scale.team_size
        for project in self.projects:
            grant(project.manager_id, Role.PROJECT_MANAGER, project=project)
            candidates = slices[project.program_id]
            size = self.rng.randint(low, high)
            for member in self.rng.sample(candidates if len(candidates) >= size else team, size):
                grant(member.pk, Role.TEAM_MEMBER, project=project)
        # The demo team member works on one of the demo project manager's projects and on one
        # other running project of the first program.
        pm_id = self.demo["project_manager"].pk
        others = [p for p in first_program if p.manager_id != pm_id]
        # Stable sort: running projects first, closed ones last.
        others.sort(key=lambda p: (p.phase == Project.Phase.CLOSED, p.phase != Project.Phase.EXECUTION))
        for project in (next(p for p in first_program if p.manager_id == pm_id), others[0]):
            grant(self.demo["team_member"].pk, Role.TEAM_MEMBER, project=project)
        _bulk_create(Membership, rows, label="memberships", progress=self.progress)

    # --- status reports -------------------------------------------------------------------

    # Long-run share of green/amber/red per kind of project, and how sticky a RAG is.
    PROFILES = {
        "healthy": (0.80, 0.17, 0.03),
        "wobbly": (0.35, 0.50, 0.15),
        "troubled": (0.10, 0.40, 0.50),
    }
    PERSISTENCE = 0.7
    ORDER = [Rag.GREEN, Rag.AMBER, Rag.RED]

    def build_status_reports(self) -> None:
        # A report is due a week after its month ends; only periods whose report is due exist.
        last = self.today - timedelta(days=7)
        last_period = _month_end(last.year, last.month)
        if last_period > last:
            last_period = _add_months(last_period.replace(day=1), -1)
            last_period = _month_end(last_period.year, last_period.month)
        rows = []
        for project in self.projects:
            if project.status == Project.Status.PROPOSED or project.planned_start > last_period:
                continue
            profile = self.rng.choices(list(self.PROFILES), weights=[55, 30, 15])[0]
            periods = self._periods(project, last_period)
            rows.extend(self._history(project, profile, periods))
        _bulk_create(StatusReport, rows, label="status reports", progress=self.progress)
        # One UPDATE sets every project's latest report (same ordering as status_report_submit).
        newest = StatusReport.objects.filter(project=OuterRef("pk")).order_by("-period_end", "-submitted_at", "-pk")
        Project.objects.filter(program__in=self.programs).update(latest_status_report=Subquery(newest.values("pk")[:1]))

    def _periods(self, project: Project, last_period: date) -> list[date]:
        end = min(last_period, _month_end(project.planned_finish.year, project.planned_finish.month))
        first = max(project.planned_start, _add_months(end.replace(day=1), -(self.scale.report_months - 1)))
        periods, cursor = [], _month_end(first.year, first.month)
        while cursor <= end:
            periods.append(cursor)
            nxt = _add_months(cursor.replace(day=1), 1)
            cursor = _month_end(nxt.year, nxt.month)
        return periods

    def _next_rag(self, current: str | None, profile: str) -> str:
        if current is not None and self.rng.random() < self.PERSISTENCE:
            return current
        return self.rng.choices(self.ORDER, weights=self.PROFILES[profile])[0]

    def _history(self, project: Project, profile: str, periods: list[date]) -> list[StatusReport]:
        duration = max(1, (project.planned_finish - project.planned_start).days)
        overall, percent, reports = None, Decimal(0), []
        for period_end in periods:
            overall = self._next_rag(overall, profile)
            level = self.ORDER.index(overall)
            # Each dimension is at most as bad as the overall RAG; one of schedule/cost equals it.
            dims = [self.ORDER[max(0, level - (self.rng.random() < 0.4))] for _ in range(4)]
            dims[self.rng.randrange(2)] = overall
            elapsed = min(1.0, max(0.0, (period_end - project.planned_start).days / duration))
            slip = (0.0, 0.08, 0.2)[level] * self.rng.random()
            percent = max(percent, Decimal(str(round(min(100.0, 100 * elapsed * (1 - slip)), 2))))
            if project.status == Project.Status.COMPLETED and period_end == periods[-1]:
                percent = Decimal(100)  # a completed project's final report closes it out
            submitted = datetime.combine(
                period_end + timedelta(days=self.rng.randint(1, 6)), datetime.min.time(), tzinfo=UTC
            ) + timedelta(hours=self.rng.randint(8, 17), minutes=self.rng.randrange(60))
            reports.append(
                StatusReport(
                    project=project,
                    period_end=period_end,
                    overall_rag=overall,
                    schedule_rag=dims[0],
                    cost_rag=dims[1],
                    scope_rag=dims[2],
                    risk_rag=dims[3],
                    percent_complete=percent,
                    summary=self.rng.choice(names.SUMMARIES[overall]),
                    accomplishments=self.rng.choice(names.ACCOMPLISHMENTS),
                    next_steps=self.rng.choice(names.NEXT_STEPS),
                    submitted_by_id=project.manager_id,
                    submitted_at=submitted,
                )
            )
        return reports
