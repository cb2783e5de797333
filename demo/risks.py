"""The risks stage of the demo: risk registers for every project and program, with score
history, mitigation actions, escalations, and realised risks turned into issues with reserve
drawdowns.

Reads programs, projects, memberships, tasks, contracts and drawdowns from the database (so it
also runs on an existing demo through `seed_demo --stages risks`) and bulk-inserts everything.
Per project 3-12 risks (8-12 at `large`, over 20,000 in all with the program risks); the first
program (the demo program manager's) gets fuller registers, escalations and realisations so
its heat maps and exposure chart have something to show. Drawdowns never exceed what remains
of a reserve after the money stage's drawdowns.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from budgets.models import Contract, ReserveTransaction
from core.money import quantize_money
from portfolio.models import Membership, Program
from projects.models import Project, Task
from risks import scoring
from risks.models import Issue, MitigationAction, Risk, RiskScoreHistory

from .builder import _bulk_create

# category: [(title, cause, event, effect)]
CATALOGUE = {
    "technical": [
        (
            "Legacy data fails migration checks",
            "Decades of unvalidated records in the legacy system",
            "the migration rejects a large share of records at cutover",
            "cutover slips while data is cleansed",
        ),
        (
            "Interface performance below target",
            "The integration layer was sized for today's volumes",
            "peak-load tests miss the response-time target",
            "rework of the integration design",
        ),
        (
            "Vendor platform upgrade breaks customisations",
            "The platform vendor releases twice a year",
            "a forced upgrade invalidates our extensions",
            "regression fixes and delayed features",
        ),
        (
            "Test environments unavailable",
            "Shared environments are booked by several programmes",
            "integration test windows are lost",
            "test phase extends",
        ),
    ],
    "schedule": [
        (
            "Design authority approval delayed",
            "The design authority meets monthly",
            "approval of the target architecture slips a cycle",
            "build start moves by a month",
        ),
        (
            "Dependency on another project's release",
            "Our interfaces need the other project's API",
            "their release slips",
            "our integration milestone moves with it",
        ),
        (
            "Procurement lead time longer than planned",
            "Public procurement rules apply",
            "the tender takes longer than the plan allows",
            "hardware arrives late",
        ),
    ],
    "cost": [
        (
            "Licence costs rise at renewal",
            "The enterprise agreement is renegotiated next year",
            "unit prices rise above the budgeted index",
            "run costs exceed the business case",
        ),
        (
            "Contractor day rates increase",
            "The market for specialist skills is tight",
            "rates rise at contract extension",
            "labour cost over budget",
        ),
        (
            "Exchange rate moves against us",
            "Hardware is priced in US dollars",
            "the euro weakens before purchase",
            "capital cost increases",
        ),
    ],
    "supply_chain": [
        (
            "Key supplier financial distress",
            "The supplier's last two results were losses",
            "the supplier cannot continue the contract",
            "re-procurement and delay",
        ),
        (
            "Single-source component shortage",
            "Only one manufacturer makes the controller",
            "allocation limits our order",
            "rollout waves are delayed",
        ),
        (
            "Subcontractor underperforms",
            "The prime delegates testing to a subcontractor",
            "defect leakage exceeds the contractual threshold",
            "extra test cycles at our cost",
        ),
    ],
    "security": [
        (
            "Penetration test finds critical findings",
            "New internet-facing services",
            "the pre-go-live test reports critical vulnerabilities",
            "go-live held until fixed",
        ),
        (
            "Privileged access not revoked after migration",
            "Temporary admin accounts are needed for cutover",
            "accounts stay active after go-live",
            "audit finding and exposure to misuse",
        ),
        (
            "Supplier fails security accreditation",
            "The hosting supplier is new to our standards",
            "accreditation is refused",
            "hosting decision must be revisited",
        ),
    ],
    "compliance": [
        (
            "New regulation changes reporting rules",
            "The regulator consults on new reporting rules",
            "the rules take effect before our go-live",
            "scope grows to meet them",
        ),
        (
            "Data protection impact assessment rejected",
            "Personal data moves to a new processor",
            "the DPO requires changes",
            "design changes and delay",
        ),
        (
            "Accessibility audit fails",
            "Public-facing screens must meet WCAG 2.2 AA",
            "the audit finds blocking issues",
            "rework before launch",
        ),
    ],
    "resource": [
        (
            "Key architect leaves",
            "One architect holds most of the design knowledge",
            "the architect resigns or is reassigned",
            "decisions stall and knowledge is lost",
        ),
        (
            "Business users unavailable for testing",
            "Testing overlaps with the year-end close",
            "users cannot attend acceptance testing",
            "acceptance slips",
        ),
        (
            "Scarce specialist skills",
            "Few people know the legacy platform",
            "the specialists are booked by another project",
            "migration design is delayed",
        ),
    ],
    "external": [
        (
            "Industrial action at logistics provider",
            "Pay negotiations at the carrier are stalled",
            "strikes halt deliveries",
            "site rollouts are rescheduled",
        ),
        (
            "Severe weather disrupts site works",
            "Works are planned for the winter months",
            "storms close sites",
            "installation delays",
        ),
        (
            "Change of government policy",
            "An election falls inside the programme",
            "priorities change after the election",
            "scope or funding is cut",
        ),
    ],
}
ACTIONS = [
    "Run a rehearsal of the cutover",
    "Agree a fallback plan with the business",
    "Add a second supplier to the framework",
    "Escalate to the steering group for a decision",
    "Buy additional test environment capacity",
    "Document the design and pair a second architect",
    "Fix the price in the contract extension",
    "Hedge the currency exposure with treasury",
    "Commission an early penetration test",
    "Book business users for acceptance testing now",
    "Weekly supplier performance review",
    "Engage the regulator early on the interpretation",
]
STANDALONE_ISSUES = [
    ("Build server outage stops deployments", "high"),
    ("Acceptance criteria disputed by the business", "medium"),
    ("Supplier invoice withheld pending defect fixes", "medium"),
    ("Test data contains live personal data", "critical"),
    ("Late delivery of network equipment", "high"),
    ("Project board quorum not met", "low"),
]
# Probability and impact levels, skewed to the middle as real registers are.
LEVEL_WEIGHTS = (12, 26, 30, 20, 12)
STATUS_WEIGHTS = (("open", 62), ("mitigating", 22), ("closed", 10), ("realised", 6))
RESPONSES = (("mitigate", 55), ("accept", 15), ("transfer", 10), ("avoid", 10), ("escalate", 5), ("exploit", 5))
ZERO = Decimal(0)


class RiskStage:
    def __init__(self, builder):
        self.b = builder
        self.rng = builder.rng
        self.today = builder.today
        self.now = dt.datetime.combine(builder.today, dt.time(12), tzinfo=dt.UTC)

    # -- helpers ----------------------------------------------------------------------------

    def _pick(self, weighted):
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def _level(self) -> int:
        return self.rng.choices(scoring.LEVELS, weights=LEVEL_WEIGHTS)[0]

    def _percent(self, level: int) -> Decimal:
        low, high, default = scoring.PROBABILITY_RANGES[level]
        if self.rng.random() < 0.5:
            return default
        return Decimal(self.rng.randint(int(low) + 1, int(high)))

    # -- build ------------------------------------------------------------------------------

    def build(self) -> None:
        rng = self.rng
        programs = list(Program.objects.select_related("portfolio").order_by("pk"))
        if not programs:
            return
        demo_pm = self.b.demo.get("program_manager") if getattr(self.b, "demo", None) else None
        first = next((p for p in programs if demo_pm and p.manager_id == demo_pm.pk), programs[0])
        projects = list(
            Project.objects.order_by("pk").values(
                "pk", "program_id", "code", "manager_id", "phase", "contingency_reserve"
            )
        )
        team = defaultdict(list)
        for project_id, user_id in (
            Membership.objects.filter(project__isnull=False).order_by("pk").values_list("project_id", "user_id")
        ):
            team[project_id].append(user_id)
        tasks = defaultdict(list)
        for project_id, task_id in (
            Task.objects.filter(is_summary=False).order_by("project_id", "pk").values_list("project_id", "pk")
        ):
            tasks[project_id].append(task_id)
        contracts = defaultdict(list)
        for pk, program_id, vendor_id in Contract.objects.order_by("pk").values_list("pk", "program_id", "vendor_id"):
            contracts[program_id].append((pk, vendor_id))
        remaining = self._remaining_reserves()
        large = self.b.scale_name == "large"

        risks: list[Risk] = []
        meta: list[dict] = []  # per risk: owner pool, tasks, scope key, rich
        numbers = defaultdict(int)

        def add(program, project, rich: bool):
            category = rng.choice(list(CATALOGUE))
            title, cause, event, effect = rng.choice(CATALOGUE[category])
            probability, impact = self._level(), self._level()
            if rich and rng.random() < 0.3:
                probability, impact = rng.randint(3, 5), rng.randint(4, 5)
            status = self._pick(STATUS_WEIGHTS)
            pool = team[project["pk"]] + [project["manager_id"]] if project else [program.manager_id]
            # Cost impacts sized to the reserve of the scope, so that some registers are covered
            # by their contingency and others are not.
            if project is not None:
                base, share = project["contingency_reserve"] or Decimal(50000), rng.uniform(0.05, 0.5)
            else:
                base, share = program.contingency_reserve or Decimal(250000), rng.uniform(0.02, 0.2)
            cost = max(Decimal(1000), (base * Decimal(str(share)) / 500).quantize(Decimal(1)) * 500)
            residual = None
            if status in ("mitigating", "closed") or (status == "open" and rng.random() < 0.4):
                residual = (rng.randint(1, probability), rng.randint(max(1, impact - 2), impact))
            proximity = self.today + dt.timedelta(days=rng.randint(10, 320))
            numbers[program.pk] += 1
            created = self.now - dt.timedelta(days=rng.randint(20, 240), hours=rng.randint(0, 8))
            escalated = (
                project is not None
                and status in ("open", "mitigating")
                and probability * impact >= 12
                and rng.random() < (0.5 if rich else 0.15)
            )
            contract = None
            if category == "supply_chain" and contracts[program.pk] and rng.random() < 0.7:
                contract = rng.choice(contracts[program.pk])
            risk = Risk(
                program_id=program.pk,
                project_id=project["pk"] if project else None,
                number=numbers[program.pk],
                title=title,
                description=f"{cause}; {event}.",
                category=category,
                cause=cause,
                event=event,
                effect=effect,
                probability=probability,
                probability_percent=self._percent(probability),
                impact=impact,
                cost_impact=cost,
                schedule_impact_days=rng.choice((0, 5, 10, 20, 30, 60)),
                owner_id=rng.choice(pool),
                response=self._pick(RESPONSES),
                trigger=f"Early sign: {event}" if rng.random() < 0.6 else "",
                trigger_date=proximity - dt.timedelta(days=rng.randint(7, 45)) if rng.random() < 0.6 else None,
                proximity_date=proximity,
                status=status,
                residual_probability=residual[0] if residual else None,
                residual_impact=residual[1] if residual else None,
                contract_id=contract[0] if contract else None,
                vendor_id=contract[1] if contract else None,
                escalated_at=created + dt.timedelta(days=rng.randint(1, 15)) if escalated else None,
                escalated_by_id=project["manager_id"] if escalated else None,
                escalation_note="Exposure exceeds the project's tolerance; needs a program decision."
                if escalated
                else "",
                created_at=created,
            )
            risks.append(risk)
            meta.append({"project": project, "program": program, "pool": pool, "rich": rich})

        for program in programs:
            rich = program.pk == first.pk
            for project in (p for p in projects if p["program_id"] == program.pk):
                low, high = (8, 12) if large else ((6, 12) if rich else (3, 12))
                for _ in range(rng.randint(low, high)):
                    add(program, project, rich)
            low, high = (15, 30) if large else (4, 8)
            for _ in range(rng.randint(low, high)):
                add(program, None, rich)
        self._rich_extras(risks, meta)
        _bulk_create(Risk, risks, label="risks", progress=self.b.progress)

        links = []
        for risk, m in zip(risks, meta, strict=True):
            project = m["project"]
            if project and tasks[project["pk"]] and rng.random() < 0.4:
                for task_id in rng.sample(tasks[project["pk"]], min(len(tasks[project["pk"]]), rng.randint(1, 2))):
                    links.append(Risk.tasks.through(risk_id=risk.pk, task_id=task_id))
        _bulk_create(Risk.tasks.through, links, label="risk task links", progress=self.b.progress)
        _bulk_create(RiskScoreHistory, self._history(risks, meta), label="risk history", progress=self.b.progress)
        _bulk_create(MitigationAction, self._actions(risks, meta), label="mitigation actions", progress=self.b.progress)
        self._issues(risks, meta, projects, remaining)

    def _rich_extras(self, risks, meta) -> None:
        """Make sure the demo program has escalated and realised project risks to show."""
        rich = [(r, m) for r, m in zip(risks, meta, strict=True) if m["rich"] and m["project"]]
        for risk, m in rich[:3]:
            risk.status, risk.probability, risk.impact = "open", 4, 5
            risk.probability_percent = Decimal(60)
            risk.residual_probability, risk.residual_impact = 2, 4
            risk.escalated_at = risk.created_at + dt.timedelta(days=3)
            risk.escalated_by_id = m["project"]["manager_id"]
            risk.escalation_note = "Exposure exceeds the project's tolerance; needs a program decision."
        for risk, _m in rich[3:6]:
            risk.status = "realised"
            risk.escalated_at, risk.escalated_by_id, risk.escalation_note = None, None, ""

    def _history(self, risks, meta) -> list[RiskScoreHistory]:
        """2-4 assessments per risk from its creation to now, ending at its current values."""
        rng, rows = self.rng, []
        for risk, m in zip(risks, meta, strict=True):
            count = rng.randint(2, 4)
            span = max((self.now - risk.created_at).days, count)
            moments = sorted(rng.sample(range(1, span), count - 1)) if span > count else list(range(1, count))
            steps = [risk.created_at] + [risk.created_at + dt.timedelta(days=d) for d in moments]
            for index, at in enumerate(steps):
                last = index == len(steps) - 1
                if last:
                    p, i, percent, status = risk.probability, risk.impact, risk.probability_percent, risk.status
                    rp, ri = risk.residual_probability, risk.residual_impact
                else:
                    # Earlier assessments drift towards today's: often higher before mitigation.
                    p = max(1, min(5, risk.probability + rng.choice((0, 0, 1, 1, -1))))
                    i = max(1, min(5, risk.impact + rng.choice((0, 0, 1, -1))))
                    percent, status, rp, ri = scoring.default_percent(p), "open", None, None
                    if risk.residual_probability and index > 0:
                        rp, ri = min(risk.residual_probability, p), min(risk.residual_impact, i)
                rows.append(
                    RiskScoreHistory(
                        risk_id=risk.pk,
                        at=at,
                        actor_id=rng.choice(m["pool"]),
                        probability=p,
                        probability_percent=percent,
                        impact=i,
                        score=p * i,
                        residual_probability=rp,
                        residual_impact=ri,
                        residual_score=rp * ri if rp else None,
                        status=status,
                        cost_impact=risk.cost_impact,
                        emv=scoring.emv(percent, risk.cost_impact),
                    )
                )
        return rows

    def _actions(self, risks, meta) -> list[MitigationAction]:
        rng, rows = self.rng, []
        for risk, m in zip(risks, meta, strict=True):
            if risk.response not in ("mitigate", "avoid", "transfer", "escalate") and not m["rich"]:
                continue
            for _ in range(rng.randint(1, 3)):
                due = self.today + dt.timedelta(days=rng.randint(-60, 120))
                status = rng.choices(("planned", "in_progress", "done", "cancelled"), weights=(35, 35, 25, 5))[0]
                if risk.status in ("closed", "realised") and status in ("planned", "in_progress"):
                    status = "done"
                completed = min(due, self.today) if status == "done" else None
                rows.append(
                    MitigationAction(
                        risk_id=risk.pk,
                        title=rng.choice(ACTIONS),
                        owner_id=rng.choice(m["pool"]),
                        due_date=due,
                        status=status,
                        cost=Decimal(rng.choice((0, 500, 1500, 4000, 10000, 25000))),
                        completed_on=completed,
                        created_at=risk.created_at,
                    )
                )
        return rows

    def _remaining_reserves(self) -> dict:
        """(scope, id, reserve) → what remains after the drawdowns already logged."""
        remaining = {}
        for pk, contingency, management in Project.objects.values_list(
            "pk", "contingency_reserve", "management_reserve"
        ):
            remaining[("project", pk, "contingency")] = contingency
            remaining[("project", pk, "management")] = management
        for pk, contingency, management in Program.objects.values_list(
            "pk", "contingency_reserve", "management_reserve"
        ):
            remaining[("program", pk, "contingency")] = contingency
            remaining[("program", pk, "management")] = management
        drawn = (
            ReserveTransaction.objects.order_by()
            .values("scope", "project_id", "program_id", "reserve")
            .annotate(total=Sum("amount"))
        )
        for row in drawn:
            key = (row["scope"], row["project_id"] or row["program_id"], row["reserve"])
            remaining[key] = remaining.get(key, ZERO) - row["total"]
        return remaining

    def _issues(self, risks, meta, projects, remaining) -> None:
        """An issue per realised risk (most with a drawdown within the reserve left), plus a few
        problems nobody foresaw."""
        rng, issues, drawdowns, drawn_for = self.rng, [], [], []
        numbers = defaultdict(int)
        for risk, m in zip(risks, meta, strict=True):
            if risk.status != "realised":
                continue
            scope = "project" if risk.project_id else "program"
            owner_id = risk.project_id or risk.program_id
            reserve = "contingency" if rng.random() < 0.8 else "management"
            left = remaining.get((scope, owner_id, reserve), ZERO)
            drawdown = None
            if left > 0 and (m["rich"] or rng.random() < 0.6):
                amount = quantize_money(min(left, risk.cost_impact * Decimal(str(rng.uniform(0.2, 0.9)))))
                if amount > 0:
                    remaining[(scope, owner_id, reserve)] = left - amount
                    program = m["program"]
                    drawdown = ReserveTransaction(
                        scope=scope,
                        project_id=risk.project_id,
                        program_id=None if risk.project_id else risk.program_id,
                        reserve=reserve,
                        amount=amount,
                        reason=f"Risk {program.code}-R{risk.number:03d} realised: {risk.title}",
                        actor_id=m["pool"][-1],
                        at=self.now - dt.timedelta(days=rng.randint(1, 20)),
                    )
                    drawdowns.append(drawdown)
            numbers[risk.program_id] += 1
            issues.append(
                Issue(
                    program_id=risk.program_id,
                    project_id=risk.project_id,
                    number=numbers[risk.program_id],
                    title=f"Realised: {risk.title}"[:200],
                    description=f"{risk.event}\n\n{risk.effect}",
                    severity=scoring.band_for_score(risk.probability * risk.impact),
                    owner_id=risk.owner_id,
                    due_date=self.today + dt.timedelta(days=rng.randint(5, 45)),
                    status=rng.choice(("open", "in_progress")),
                    risk_id=risk.pk,
                    created_at=self.now - dt.timedelta(days=rng.randint(1, 20)),
                )
            )
            drawn_for.append((issues[-1], drawdown))
        _bulk_create(ReserveTransaction, drawdowns, label="risk drawdowns", progress=self.b.progress)
        for issue, drawdown in drawn_for:
            if drawdown is not None:
                issue.reserve_transaction_id = drawdown.pk
        for project in projects:
            if rng.random() < 0.35:
                title, severity = rng.choice(STANDALONE_ISSUES)
                numbers[project["program_id"]] += 1
                resolved = rng.random() < 0.3
                issues.append(
                    Issue(
                        program_id=project["program_id"],
                        project_id=project["pk"],
                        number=numbers[project["program_id"]],
                        title=title,
                        severity=severity,
                        owner_id=project["manager_id"],
                        due_date=self.today + dt.timedelta(days=rng.randint(-10, 30)),
                        status="resolved" if resolved else "open",
                        resolution="Worked around; root cause fixed." if resolved else "",
                        resolved_on=self.today - dt.timedelta(days=rng.randint(0, 10)) if resolved else None,
                    )
                )
        _bulk_create(Issue, issues, label="issues", progress=self.b.progress)


def reset() -> None:
    """Delete every risks row the demo may have created, and the reserve drawdowns logged when
    its risks were realised (so a re-run does not draw the reserves down twice)."""
    ReserveTransaction.objects.filter(risk_issue__isnull=False).delete()
    Issue.objects.all().delete()
    MitigationAction.objects.all()._raw_delete(MitigationAction.objects.db)
    RiskScoreHistory.objects.all()._raw_delete(RiskScoreHistory.objects.db)
    Risk.tasks.through.objects.all()._raw_delete(Risk.objects.db)
    Risk.objects.all().delete()


def counts() -> dict[str, int]:
    return {
        "risks": Risk.objects.count(),
        "escalated risks": Risk.objects.filter(escalated_at__isnull=False).count(),
        "risk history rows": RiskScoreHistory.objects.count(),
        "mitigation actions": MitigationAction.objects.count(),
        "issues": Issue.objects.count(),
    }
