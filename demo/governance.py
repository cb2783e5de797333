"""The governance stage of the demo: stage gates with checklists, change requests, the decision
log, benefits with measurements and operating level agreements. Runs after the money stage and
reads programs, projects, users and budgets from the database.

- Gates: every phase a project has entered has an approved gate (the demo sets phases directly),
  a few preceded by a deferred review; the next phase has a pending gate with a partly ticked
  checklist, some of them overdue.
- Change requests: projects whose CURRENT budget exceeds the ORIGINAL (the money stage's
  "approved change") get an approved CR whose lines are exactly those differences — inserted,
  not re-applied to the budget. Others get drafts, submitted, rejected and withdrawn requests.
- Decisions: one per decided gate and decided change request, plus a handful logged by hand.
- Benefits (3-6 per program) with monthly measurements; OLAs (2-4 per program) with targets.

Everything is bulk-inserted; the first program (the demo program manager's) gets the most.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.utils import timezone

from budgets.models import BudgetLine, Currency, FiscalPeriod
from budgets.selectors import fiscal_calendar_for
from governance.models import (
    PHASE_ORDER,
    Benefit,
    BenefitMeasurement,
    ChangeRequest,
    ChangeRequestLine,
    Decision,
    GateCriterion,
    OlaTarget,
    OperatingLevelAgreement,
    StageGate,
    previous_phase,
)
from governance.services import DEFAULT_CRITERIA
from portfolio.models import Portfolio, Program
from projects.models import Project

from .builder import _bulk_create

PHASE_LABEL = dict(Project.Phase.choices)

CHANGE_TITLES = [
    ("Add single sign-on for partner users", "Partners asked for SSO; scope adds an identity integration."),
    ("Extend data migration to archived records", "Audit requires seven years of history online."),
    ("Descope mobile offline mode", "Usage research shows little demand; frees budget."),
    ("Accelerate go-live for the finance module", "Year-end close needs the module two months earlier."),
    ("Replace reporting tool licence", "The vendor changed licensing; an alternative is cheaper."),
    ("Additional load testing environment", "Performance risk on peak volumes needs a dedicated environment."),
    ("Integrate with the new HR system", "HR replaced its system mid-project."),
    ("Security hardening after penetration test", "Findings from the external penetration test must be fixed."),
]
DECISION_TEXTS = [
    ("Adopt a cloud-first hosting policy", "New services are hosted on the approved cloud platform."),
    ("Consolidate vendors for integration services", "One framework supplier for integration work."),
    ("Hold monthly benefits reviews", "The board reviews benefit actuals every month."),
    ("Freeze scope of release 1", "No new scope into release 1 after the design authority sign-off."),
    ("Fund a shared test automation team", "Projects share one automation team, charged by usage."),
    ("Retire the legacy reporting platform", "Decommission once the last consumer has migrated."),
]
BENEFITS = [
    ("Lower cost per transaction", "Cost per processed transaction", "EUR", Decimal("4.20"), Decimal("2.90"), True),
    ("Faster order fulfilment", "Average order cycle time", "days", Decimal("9.5"), Decimal("5"), True),
    ("Higher customer satisfaction", "Net promoter score", "points", Decimal("12"), Decimal("35"), False),
    ("Fewer service desk tickets", "Tickets per month", "tickets", Decimal("4800"), Decimal("3000"), True),
    ("Reduced licence spend", "Annual licence spend", "kEUR", Decimal("1850"), Decimal("1200"), True),
    ("Improved data quality", "Records passing quality rules", "%", Decimal("82"), Decimal("97"), True),
    ("Shorter month-end close", "Days to close the books", "days", Decimal("8"), Decimal("4"), True),
    ("More self-service adoption", "Share of requests self-served", "%", Decimal("18"), Decimal("55"), True),
]
OLAS = [
    (
        "Hosting and infrastructure",
        [("Availability", "at_least", "99.9", "%"), ("P1 response", "at_most", "15", "min")],
    ),
    ("Service desk", [("First-call resolution", "at_least", "70", "%"), ("P2 resolution", "at_most", "8", "h")]),
    ("Identity and access management", [("Access request turnaround", "at_most", "2", "days")]),
    (
        "Database administration",
        [("Backup success", "at_least", "99.5", "%"), ("Restore test", "at_least", "4", "per year")],
    ),
    ("Network services", [("Availability", "at_least", "99.95", "%"), ("Change lead time", "at_most", "5", "days")]),
    (
        "Integration platform",
        [("Message delivery", "at_least", "99.99", "%"), ("Incident response", "at_most", "30", "min")],
    ),
]
IT_OWNERS = ["Head of Infrastructure", "Service Desk Manager", "IAM Lead", "DBA Team Lead", "Network Manager"]


class GovernanceStage:
    def __init__(self, builder):
        self.b = builder
        self.rng = builder.rng
        self.today = builder.today
        self.now = timezone.now()

    def _at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(min(day, self.today), dt.time(15), tzinfo=dt.UTC)

    def build(self) -> None:
        self.programs = list(Program.objects.order_by("pk"))
        if not self.programs:
            return
        self.projects = list(Project.objects.order_by("pk"))
        manager = self.b.demo.get("program_manager") if getattr(self.b, "demo", None) else None
        demo = next((p for p in self.programs if manager and p.manager_id == manager.pk), self.programs[0])
        self.demo_program_id = demo.pk
        self.program_manager = {p.pk: p.manager_id for p in self.programs}
        self.decisions: list[Decision] = []
        self.build_gates()
        self.build_change_requests()
        self.build_decisions()
        self.build_benefits()
        self.build_olas()
        _bulk_create(Decision, self.decisions, label="decisions", progress=self.b.progress)

    # -- gates -------------------------------------------------------------------------------------

    def build_gates(self) -> None:
        rng, today = self.rng, self.today
        gates: list[StageGate] = []
        checklists: list[tuple[StageGate, list[str], float]] = []
        for project in self.projects:
            index = PHASE_ORDER.index(project.phase)
            start = project.planned_start or today - dt.timedelta(days=365)
            approver = self.program_manager.get(project.program_id)
            for step, phase in enumerate(PHASE_ORDER[1 : index + 1], start=1):
                day = start + dt.timedelta(days=45 * step + rng.randint(-10, 10))
                if day >= today:  # a project that moved fast: spread its gates over the last weeks
                    day = today - dt.timedelta(days=rng.randint(3, 20) * (index - step + 1))
                common = {"project_id": project.pk, "from_phase": previous_phase(phase), "to_phase": phase}
                name = f"Gate into {PHASE_LABEL[phase].lower()}"
                if rng.random() < 0.12:  # an earlier review sent back for more work
                    early = day - dt.timedelta(days=rng.randint(14, 30))
                    deferred = StageGate(
                        **common,
                        name=name,
                        planned_date=early,
                        decision=StageGate.Decision.DEFERRED,
                        decided_by_id=approver,
                        decided_at=self._at(early),
                        decision_notes="Business case needs firmer cost estimates; re-present next month.",
                    )
                    gates.append(deferred)
                    checklists.append((deferred, DEFAULT_CRITERIA[phase], 0.6))
                gate = StageGate(
                    **common,
                    name=name,
                    planned_date=day,
                    decision=StageGate.Decision.APPROVED,
                    decided_by_id=approver,
                    decided_at=self._at(day),
                    decision_notes="All criteria met; approved by the program board.",
                )
                gates.append(gate)
                checklists.append((gate, DEFAULT_CRITERIA[phase], 1.0))
            if index + 1 < len(PHASE_ORDER) and project.status not in ("cancelled", "completed"):
                phase = PHASE_ORDER[index + 1]
                offset = rng.randint(-12, 75) if project.program_id != self.demo_program_id else rng.randint(-5, 25)
                gate = StageGate(
                    project_id=project.pk,
                    from_phase=project.phase,
                    to_phase=phase,
                    name=f"Gate into {PHASE_LABEL[phase].lower()}",
                    planned_date=today + dt.timedelta(days=offset),
                )
                gates.append(gate)
                checklists.append((gate, DEFAULT_CRITERIA[phase], rng.uniform(0.2, 0.9)))
        _bulk_create(StageGate, gates, label="stage gates", progress=self.b.progress)
        criteria = []
        for gate, texts, share in checklists:
            for order, text in enumerate(texts, start=1):
                met = share >= 1.0 or rng.random() < share
                criteria.append(
                    GateCriterion(
                        gate_id=gate.pk,
                        order=order,
                        text=text,
                        met=met,
                        evidence="See the project folder." if met else "",
                        checked_by_id=self._manager_of(gate.project_id) if met else None,
                        checked_at=(gate.decided_at or self.now) if met else None,
                    )
                )
            if gate.decision != StageGate.Decision.PENDING:
                project = gate.project_id
                self.decisions.append(
                    Decision(
                        program_id=self._program_of(project),
                        project_id=project,
                        title=f"{self._code_of(project)}: gate into {PHASE_LABEL[gate.to_phase].lower()} "
                        f"{gate.get_decision_display().lower()}",
                        context=f"Stage gate “{gate.name}”.",
                        decision=gate.decision_notes,
                        decided_by_id=gate.decided_by_id,
                        decided_on=gate.decided_at.date(),
                        status=Decision.Status.DECIDED,
                        stage_gate_id=gate.pk,
                    )
                )
        _bulk_create(GateCriterion, criteria, label="gate criteria", progress=self.b.progress)

    def _program_of(self, project_id: int) -> int:
        if not hasattr(self, "_programs_by_project"):
            self._programs_by_project = {p.pk: p.program_id for p in self.projects}
            self._codes = {p.pk: p.code for p in self.projects}
        return self._programs_by_project[project_id]

    def _manager_of(self, project_id: int) -> int | None:
        if not hasattr(self, "_managers"):
            self._managers = {p.pk: p.manager_id for p in self.projects}
        return self._managers[project_id]

    def _code_of(self, project_id: int) -> str:
        self._program_of(project_id)
        return self._codes[project_id]

    # -- change requests ---------------------------------------------------------------------------

    def _approved_changes(self) -> dict[int, list[tuple[int, int, Decimal]]]:
        """Per project whose current budget exceeds its original, the (category, period, delta)
        cells where they differ (two aggregate queries)."""
        signed = Case(
            When(budget_version="current", then=F("amount")),
            default=-F("amount"),
            output_field=DecimalField(max_digits=19, decimal_places=2),
        )
        changed = [
            row["project_id"]
            for row in BudgetLine.objects.values("project_id").annotate(delta=Sum(signed)).filter(delta__gt=0)
        ]
        cells: dict[int, list[tuple[int, int, Decimal]]] = defaultdict(list)
        rows = (
            BudgetLine.objects.filter(project_id__in=changed)
            .values("project_id", "category_id", "period_id")
            .annotate(delta=Sum(signed))
            .exclude(delta=Value(Decimal(0)))
            .order_by("project_id", "period_id", "category_id")
        )
        for row in rows:
            cells[row["project_id"]].append((row["category_id"], row["period_id"], row["delta"]))
        return cells

    def _future_periods(self) -> dict[int, list[int]]:
        """Per portfolio, the ids of the next twelve stored periods of its budget calendar."""
        out = {}
        for portfolio in Portfolio.objects.filter(pk__in={p.portfolio_id for p in self.programs}):
            calendar = fiscal_calendar_for(portfolio=portfolio)
            future = FiscalPeriod.objects.filter(calendar_id=calendar.pk, end__gte=self.today).order_by("start")
            out[portfolio.pk] = list(future.values_list("pk", flat=True)[:12]) if calendar.pk else []
        return out

    def build_change_requests(self) -> None:
        if not Currency.objects.filter(pk="EUR").exists():
            return
        rng, today = self.rng, self.today
        approved_cells = self._approved_changes()
        periods = self._future_periods()
        portfolio_of = {p.pk: p.portfolio_id for p in self.programs}
        categories = list(BudgetLine.objects.values_list("category_id", flat=True).distinct().order_by("category_id"))
        requests: list[ChangeRequest] = []
        lines: list[tuple[ChangeRequest, list[tuple[int, int, Decimal]]]] = []
        numbered: dict[int, list] = defaultdict(list)
        per_project: dict[int, int] = defaultdict(int)
        demo_awaiting = 0
        for project in self.projects:
            start = project.planned_start or today - dt.timedelta(days=200)

            def add(status, title, description, cells, project=project, **kwargs):
                # Numbers count per program (CR-001… across its projects), as the service numbers them.
                cr = self._change_request(
                    project, len(numbered[project.program_id]) + 1, status, title, description, cells, **kwargs
                )
                numbered[project.program_id].append(cr)
                per_project[project.pk] += 1
                requests.append(cr)
                lines.append((cr, cells))

            cells = approved_cells.get(project.pk)
            if cells:
                title, description = CHANGE_TITLES[project.pk % len(CHANGE_TITLES)]
                day = min(start + dt.timedelta(days=rng.randint(60, 150)), today - dt.timedelta(days=3))
                add(
                    ChangeRequest.Status.APPROVED,
                    title,
                    description,
                    cells,
                    decided=day,
                    submitted=day - dt.timedelta(days=7),
                    notes="Approved by the program board; the current budget was increased accordingly.",
                )
            elif project.phase in ("execution", "closing") and (
                rng.random() < 0.2 or (project.program_id == self.demo_program_id and not per_project[project.pk])
            ):
                # A schedule-only change: approved without money, so the budget is untouched.
                day = min(start + dt.timedelta(days=rng.randint(40, 120)), today - dt.timedelta(days=3))
                add(
                    ChangeRequest.Status.APPROVED,
                    "Move the pilot by two weeks",
                    "The pilot site asked for a later start; no cost impact.",
                    [],
                    decided=day,
                    submitted=day - dt.timedelta(days=5),
                    notes="Approved: schedule impact only.",
                )
            future = periods.get(portfolio_of[project.program_id], [])
            if not future or not categories or project.phase in ("closed",):
                continue
            rich = project.program_id == self.demo_program_id
            for _ in range(rng.choices([0, 1, 2], weights=[5, 4, 1])[0] + (1 if rich else 0)):
                kind = rng.choices(
                    ["draft", "submitted", "rejected", "withdrawn"], weights=[3, 4 if rich else 2, 2, 1]
                )[0]
                title, description = rng.choice(CHANGE_TITLES)
                if rich and demo_awaiting < 3:  # the demo program manager always has some to decide
                    kind, demo_awaiting = "submitted", demo_awaiting + 1
                    title, description = CHANGE_TITLES[(0, 1, 3)[demo_awaiting - 1]]  # none descopes
                sign = -1 if "Descope" in title else 1
                picked = rng.sample(future, k=min(len(future), rng.randint(1, 3)))
                cells = [
                    (rng.choice(categories), period, Decimal(sign * rng.randint(5, 80) * 1000))
                    for period in sorted(picked)
                ]
                if sign < 0 and kind == "submitted":
                    kind = "rejected"  # a descoping request is only demoed as decided: it may not fit the budget
                submitted = today - dt.timedelta(days=rng.randint(2, 30))
                if kind == "draft":
                    add(ChangeRequest.Status.DRAFT, title, description, cells)
                elif kind == "submitted":
                    add(
                        ChangeRequest.Status.SUBMITTED,
                        title,
                        description,
                        cells,
                        submitted=submitted,
                        rebaseline=rng.random() < 0.3,
                    )
                elif kind == "rejected":
                    add(
                        ChangeRequest.Status.REJECTED,
                        title,
                        description,
                        cells,
                        submitted=submitted,
                        decided=submitted + dt.timedelta(days=2),
                        notes="Not affordable this financial year.",
                    )
                else:
                    add(ChangeRequest.Status.WITHDRAWN, title, description, cells, submitted=submitted)
        _bulk_create(ChangeRequest, requests, label="change requests", progress=self.b.progress)
        rows = []
        for cr, cells in lines:
            seen = set()
            for category, period, delta in cells:
                if (category, period) in seen:
                    continue
                seen.add((category, period))
                rows.append(
                    ChangeRequestLine(
                        change_request_id=cr.pk,
                        category_id=category,
                        period_id=period,
                        amount_delta=delta,
                        currency_id="EUR",
                    )
                )
            if cr.decided_at:
                verb = cr.get_status_display().lower()
                self.decisions.append(
                    Decision(
                        program_id=self._program_of(cr.project_id),
                        project_id=cr.project_id,
                        title=f"{self._code_of(cr.project_id)} {cr.reference} {verb}: {cr.title}",
                        context=cr.reason,
                        decision=cr.decision_notes,
                        decided_by_id=cr.decided_by_id,
                        decided_on=cr.decided_at.date(),
                        status=Decision.Status.DECIDED,
                        change_request_id=cr.pk,
                    )
                )
        _bulk_create(ChangeRequestLine, rows, label="change request lines", progress=self.b.progress)

    def _change_request(
        self,
        project,
        number,
        status,
        title,
        description,
        cells,
        *,
        decided=None,
        submitted=None,
        rebaseline=False,
        notes="",
    ) -> ChangeRequest:
        decided_by = self.program_manager.get(project.program_id) if decided else None
        return ChangeRequest(
            project_id=project.pk,
            program_id=project.program_id,
            number=number,
            title=title,
            description=description,
            reason=description,
            scope_impact=title,
            schedule_impact_days=self.rng.choice([0, 0, 5, 10, 15, -5]),
            cost_impact=sum((d for _, _, d in cells), Decimal(0)),
            currency_id="EUR",
            rebaseline=rebaseline,
            status=status,
            requested_by_id=project.manager_id,
            submitted_at=self._at(submitted) if submitted else None,
            decided_by_id=decided_by,
            decided_at=self._at(decided) if decided else None,
            decision_notes=notes,
        )

    # -- decision log, benefits, OLAs --------------------------------------------------------------

    def build_decisions(self) -> None:
        rng, today = self.rng, self.today
        for program in self.programs:
            texts = rng.sample(DECISION_TEXTS, k=rng.randint(2, 4) + (2 if program.pk == self.demo_program_id else 0))
            for n, (title, text) in enumerate(texts):
                status = rng.choices(["decided", "proposed", "superseded"], weights=[6, 2, 1])[0]
                self.decisions.append(
                    Decision(
                        program_id=program.pk,
                        title=title,
                        context="Raised at the program board.",
                        decision=text if status != "proposed" else "",
                        decided_by_id=program.manager_id if status != "proposed" else None,
                        decided_on=None if status == "proposed" else today - dt.timedelta(days=20 + 35 * n),
                        status=status,
                    )
                )

    def build_benefits(self) -> None:
        rng, today = self.rng, self.today
        benefits, series = [], []
        for program in self.programs:
            rich = program.pk == self.demo_program_id
            picked = rng.sample(BENEFITS, k=6 if rich else rng.randint(3, 6))
            start = max(program.start_date or today - dt.timedelta(days=365), today - dt.timedelta(days=540))
            for name, kpi, unit, baseline, target, non_negative in picked:
                due = today + dt.timedelta(days=rng.randint(90, 540))
                pace = rng.uniform(0.3, 1.3)  # below 1: lagging, so at risk
                months = max(0, min(14, (today - start).days // 30))
                status = "planned" if months == 0 else "at_risk" if pace < 0.6 else "realising"
                benefit = Benefit(
                    program_id=program.pk,
                    name=name,
                    description=f"{kpi} moves from {baseline} to {target} {unit}.",
                    kpi=kpi,
                    unit=unit,
                    baseline_value=baseline,
                    target_value=target,
                    non_negative=non_negative,
                    owner_id=program.sponsor_id or program.manager_id,
                    realisation_date=due,
                    status=status,
                )
                benefits.append(benefit)
                total_days = max((due - start).days, 1)
                points = []
                for m in range(1, months + 1):
                    day = start + dt.timedelta(days=30 * m)
                    share = Decimal(str(round(min(1.1, pace * (day - start).days / total_days), 3)))
                    noise = Decimal(str(round(rng.uniform(-0.04, 0.04), 3)))
                    value = baseline + (target - baseline) * (share + noise)
                    if non_negative:
                        value = max(value, Decimal(0))
                    points.append((day, value.quantize(Decimal("0.01"))))
                if points and points[-1][1] and (points[-1][1] - baseline) / (target - baseline) >= 1:
                    benefit.status = "realised"
                series.append((benefit, points))
        _bulk_create(Benefit, benefits, label="benefits", progress=self.b.progress)
        measurements = [
            BenefitMeasurement(benefit_id=b.pk, measured_on=day, value=value, note="Monthly KPI report")
            for b, points in series
            for day, value in points
        ]
        _bulk_create(BenefitMeasurement, measurements, label="benefit measurements", progress=self.b.progress)

    def build_olas(self) -> None:
        rng, today = self.rng, self.today
        olas, target_rows = [], []
        for program in self.programs:
            rich = program.pk == self.demo_program_id
            picked = rng.sample(OLAS, k=4 if rich else rng.randint(2, 4))
            for n, (service, targets) in enumerate(picked):
                start = today - dt.timedelta(days=rng.randint(60, 700))
                overdue = (rich and n == 0) or rng.random() < 0.2
                review = (
                    today - dt.timedelta(days=rng.randint(3, 40))
                    if overdue
                    else today + dt.timedelta(days=rng.randint(10, 200))
                )
                review = max(review, start)
                status = rng.choices(["active", "active", "under_review", "draft", "expired"], weights=[5, 2, 2, 1, 1])[
                    0
                ]
                if overdue and status in ("draft", "expired"):
                    status = "active"
                ola = OperatingLevelAgreement(
                    program_id=program.pk,
                    service=service,
                    owner_name=rng.choice(IT_OWNERS),
                    start_date=start,
                    review_date=review,
                    status=status,
                    notes="Reviewed with the IT service owner.",
                )
                olas.append(ola)
                target_rows.append((ola, targets))
        _bulk_create(OperatingLevelAgreement, olas, label="OLAs", progress=self.b.progress)
        rows = [
            OlaTarget(ola_id=ola.pk, metric=metric, direction=direction, target=Decimal(target), unit=unit)
            for ola, targets in target_rows
            for metric, direction, target, unit in targets
        ]
        _bulk_create(OlaTarget, rows, label="OLA targets", progress=self.b.progress)


MODELS_LEAF_FIRST = [
    Decision,
    ChangeRequestLine,
    ChangeRequest,
    GateCriterion,
    StageGate,
    BenefitMeasurement,
    Benefit,
    OlaTarget,
    OperatingLevelAgreement,
]


def reset() -> None:
    """Delete every governance row the demo may have created (leaves first, without loading rows)."""
    for model in MODELS_LEAF_FIRST:
        model.objects.all()._raw_delete(model.objects.db)


def counts() -> dict[str, int]:
    return {
        "stage gates": StageGate.objects.count(),
        "change requests": ChangeRequest.objects.count(),
        "decisions": Decision.objects.count(),
        "benefits": Benefit.objects.count(),
        "benefit measurements": BenefitMeasurement.objects.count(),
        "operating level agreements": OperatingLevelAgreement.objects.count(),
    }
