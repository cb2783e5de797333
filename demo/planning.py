"""The portfolio planning stage of the demo: what a portfolio admin needs to build, optimise,
compare and commit a scenario on the demo portfolio (the demo program manager's).

- Five proposed projects in the demo program, starting one to four months from today, each with
  a small CPM schedule, a monthly budget and open staffing requests for developers, business
  analysts and testers — two of them alternative options of one warehouse project.
- Five scoring criteria (strategic alignment, financial value, benefits, risk exposure,
  urgency) with a full, nearly consistent set of pairwise judgements, and an entered financial
  value (NPV) for every open project of the portfolio.
- One draft scenario, "Next year's plan", over 24 months from next month: the proposed projects
  included, the security uplift mandatory, the portal requiring the data platform, the two
  warehouse options mutually exclusive, and a budget cap per fiscal year that affords the running
  projects and about 60 % of the proposals — so the optimiser has real choices to make.

Reads what it needs from the database (it also runs on an existing demo through
`seed_demo --stages planning`) and draws from its own generator seeded from the builder's.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Sum

from budgets.models import BudgetLine, CostCategory, FiscalPeriod
from budgets.selectors.earned_value import fiscal_calendar_for
from planning.models import CriterionValue, PairwiseJudgement, Scenario, ScoringCriterion
from planning.selectors.scenario import add_months, planning_projects, scenario_view
from planning.services import (
    budget_cap_set,
    criterion_create,
    pairwise_set,
    scenario_create,
    scenario_project_set,
)
from projects.models import Dependency, Project, Task
from projects.services import project_create
from projects.services.schedule import outline_renumber, schedule_recompute
from staffing.models import Role, StaffingRequest

from .builder import _bulk_create

CODE_PREFIX = "PLAN-"
# (code suffix, name, months from today to the start, months long, monthly budget, FTE per role)
PROPOSALS = [
    ("SEC", "Security uplift (regulatory)", 1, 8, "45000", {"DEV": 2, "QA": 1}),
    ("DATA", "Data platform consolidation", 2, 10, "60000", {"DEV": 3, "DATA": 2}),
    ("PORTAL", "Customer self-service portal", 3, 9, "55000", {"DEV": 3, "UX": 1, "QA": 1}),
    ("WH1", "Warehouse automation, phase 1", 2, 6, "40000", {"DEV": 2, "BA": 1}),
    ("WH2", "Warehouse automation, full", 4, 12, "70000", {"DEV": 4, "BA": 2, "QA": 1}),
]
# (name, kind, direct weight %)
CRITERIA = [
    ("Strategic alignment", ScoringCriterion.Kind.OBJECTIVE_ALIGNMENT, "30"),
    ("Financial value (NPV)", ScoringCriterion.Kind.FINANCIAL_VALUE, "25"),
    ("Benefits", ScoringCriterion.Kind.BENEFITS, "15"),
    ("Risk exposure", ScoringCriterion.Kind.RISK_EXPOSURE, "15"),
    ("Urgency", ScoringCriterion.Kind.URGENCY, "15"),
]
# Saaty judgements of the criteria above, row criterion against column criterion (i < j).
JUDGEMENTS = {(0, 1): "2", (0, 2): "3", (0, 3): "2", (0, 4): "3", (1, 2): "2", (1, 3): "1", (1, 4): "2"}
JUDGEMENTS |= {(2, 3): "1", (2, 4): "1", (3, 4): "1"}
SCENARIO_NAME = "Next year's plan"
CENT = Decimal("0.01")
CAP_SHARE = Decimal("0.6")  # of what the proposals would cost in a capped year, on top of the live projects


class PlanningStage:
    def __init__(self, builder):
        self.b = builder
        self.rng = random.Random(builder.rng.random())

    def build(self) -> None:
        program = self.b.demo_program()
        if program is None:
            return
        portfolio = program.portfolio
        actor = (getattr(self.b, "demo", None) or {}).get("portfolio_admin")
        projects = self._proposals(program, actor)
        self._criteria(portfolio, actor)
        self._scenario(portfolio, projects, actor)

    def _proposals(self, program, actor) -> dict[str, Project]:
        today = self.b.today
        first_of_month = today.replace(day=1)
        calendar = fiscal_calendar_for(portfolio=program.portfolio)
        periods = {p.start: p for p in FiscalPeriod.objects.filter(calendar=calendar)} if calendar.pk else {}
        category = (
            CostCategory.objects.filter(expense_type=CostCategory.ExpenseType.CAPEX).order_by("code").first()
            or CostCategory.objects.order_by("code").first()
        )
        roles = {r.code: r for r in Role.objects.filter(portfolio=program.portfolio)}
        made, lines, requests = {}, [], []
        for code, name, offset, months, monthly, fte in PROPOSALS:
            start = add_months(first_of_month, offset)
            start += dt.timedelta(days=(7 - start.weekday()) % 7)  # a Monday
            finish = add_months(start, months) - dt.timedelta(days=3)
            project = project_create(
                actor=actor,
                program=program,
                code=f"{CODE_PREFIX}{code}",
                name=name,
                status=Project.Status.PROPOSED,
                phase=Project.Phase.INITIATION,
                priority=self.rng.choice([1, 2, 2, 3, 3]),
                planned_start=start,
                planned_finish=finish,
                manager=program.manager,
            )
            # Two chained tasks, written in bulk and scheduled once (task_create would reschedule
            # after each row).
            working_days = max((finish - start).days * 5 // 7, 10)
            design, build = Task.objects.bulk_create(
                [
                    Task(
                        project=project,
                        name="Design and mobilise",
                        duration_minutes=480 * (working_days // 3),
                        sort_order=10,
                    ),
                    Task(
                        project=project,
                        name="Build, test and deploy",
                        duration_minutes=480 * (working_days - working_days // 3),
                        sort_order=20,
                    ),
                ]
            )
            Dependency.objects.create(predecessor=design, successor=build)
            outline_renumber(project=project)
            schedule_recompute(project=project)
            amount = Decimal(monthly) * Decimal(self.rng.choice(["0.9", "1.0", "1.1"]))
            for index in range(months):
                period = periods.get(add_months(first_of_month, offset + index))
                if period is not None and category is not None:
                    lines.append(
                        BudgetLine(project=project, category=category, period=period, amount=amount, currency_id="EUR")
                    )
            for role_code, count in fte.items():
                role = roles.get(role_code)
                if role is None:
                    continue
                for _ in range(count):
                    requests.append(
                        StaffingRequest(
                            project=project,
                            role=role,
                            start=start,
                            end=finish,
                            fte_percent=Decimal(100),
                            notes="Demand of the proposal",
                        )
                    )
            made[code] = project
        _bulk_create(BudgetLine, lines, label="proposal budgets", progress=self.b.progress)
        _bulk_create(StaffingRequest, requests, label="proposal staffing", progress=self.b.progress)
        return made

    def _criteria(self, portfolio, actor) -> None:
        criteria = [
            criterion_create(actor=actor, portfolio=portfolio, name=name, kind=kind, weight=Decimal(weight))
            for name, kind, weight in CRITERIA
        ]
        for (i, j), value in JUDGEMENTS.items():
            pairwise_set(actor=actor, criterion_a=criteria[i], criterion_b=criteria[j], value=Decimal(value))
        npv = criteria[1]
        budgets = _budget_totals(portfolio)
        values = [
            CriterionValue(
                criterion=npv,
                project=project,
                value=(budgets.get(project.pk, Decimal(100000)) * Decimal(self.rng.uniform(0.2, 1.6))).quantize(
                    Decimal(1)
                ),
            )
            for project in planning_projects(portfolio)
        ]
        _bulk_create(CriterionValue, values, label="criterion values", progress=self.b.progress)

    def _scenario(self, portfolio, projects: dict[str, Project], actor) -> None:
        start = add_months(self.b.today.replace(day=1), 1)
        scenario = scenario_create(
            actor=actor,
            portfolio=portfolio,
            name=SCENARIO_NAME,
            description="Which proposals to start next year, under the budget caps and the people we have.",
            horizon_start=start,
            horizon_months=24,
        )
        for code, project in projects.items():
            scenario_project_set(
                actor=actor,
                scenario=scenario,
                project=project,
                included=True,
                mandatory=code == "SEC",
                exclusive_group="Warehouse" if code in ("WH1", "WH2") else "",
                requires=[projects["DATA"]] if code == "PORTAL" else [],
            )
        # The next two fiscal years are capped; each affords what runs today and part of what is proposed.
        view = scenario_view(scenario)
        this_year = f"FY{fiscal_calendar_for(portfolio=portfolio).fiscal_year_of(self.b.today)}"
        for label in [fy for fy in view.fiscal_years if fy != this_year][:2]:
            live = sum((r.cost_by_fy.get(label, Decimal(0)) for r in view.rows if r.live_included), Decimal(0))
            proposed = view.cost_by_fy.get(label, Decimal(0)) - live
            if proposed > 0:
                budget_cap_set(
                    actor=actor,
                    scenario=scenario,
                    fiscal_year=int(label[2:]),
                    amount=(round((live + proposed * CAP_SHARE) / 1000) * Decimal(1000)).quantize(CENT),
                )


def _budget_totals(portfolio) -> dict[int, Decimal]:
    return dict(
        BudgetLine.objects.filter(project__program__portfolio=portfolio, budget_version=BudgetLine.Version.CURRENT)
        .order_by()
        .values("project_id")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "total")
    )


def reset() -> None:
    """Delete every scenario and scoring row, and the proposals this stage made (with their
    schedules, budgets and staffing)."""
    Scenario.objects.all().delete()
    PairwiseJudgement.objects.all().delete()
    CriterionValue.objects.all().delete()
    ScoringCriterion.objects.all().delete()
    proposals = Project.objects.filter(code__startswith=CODE_PREFIX)
    Dependency.objects.filter(successor__project__in=proposals).delete()
    Task.objects.filter(project__in=proposals).update(parent=None)
    Task.objects.filter(project__in=proposals).delete()
    StaffingRequest.objects.filter(project__in=proposals).delete()
    BudgetLine.objects.filter(project__in=proposals).delete()
    proposals.delete()


def counts() -> dict[str, int]:
    return {
        "scenarios": Scenario.objects.count(),
        "scoring criteria": ScoringCriterion.objects.count(),
        "pairwise judgements": PairwiseJudgement.objects.count(),
    }
