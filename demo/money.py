"""The money stage of the demo: currencies and rates, fiscal calendars, cost categories, budgets,
actual costs, forecasts, vendors and contracts with their invoices, reserves and lifecycle cost
estimates. Runs after the schedules stage and reads its plans (task costs and baseline dates).

Budgets follow the plan: each leaf task's baseline cost is spread over the fiscal periods of its
baseline dates, so the CURRENT budget equals the task budgets earned value is measured against
(no "task budgets differ" warning), except for projects with an approved change, whose current
budget is higher than the original. Actual costs are ledger lines up to the status date whose
total tracks earned value with a project-specific cost performance; they are generated and
inserted in batches (`COST_BATCH`) so a million rows never sit in memory at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from tqdm import tqdm

from budgets.models import (
    BudgetLine,
    Contract,
    ContractSecurityRequirement,
    CostCategory,
    CostEntry,
    Currency,
    ExchangeRate,
    FiscalCalendar,
    FiscalPeriod,
    Forecast,
    LifecycleCostEstimate,
    LifecycleCostLine,
    ReserveTransaction,
    Vendor,
)
from portfolio.models import Program
from projects.models import Project

from .builder import _bulk_create

COST_BATCH = 10_000
CENT = Decimal("0.01")
# Ledger lines in total, per scale (invoices come on top).
LEDGER_ENTRIES = {"small": 600, "medium": 60_000, "large": 1_000_000}

CURRENCIES = [("EUR", "Euro"), ("USD", "US dollar"), ("GBP", "Pound sterling")]
START_RATES = {"USD": Decimal("0.92"), "GBP": Decimal("1.16")}  # in EUR
KINDS = ["labour", "materials", "contracts", "travel", "other"]
# Which categories a WBS phase spends on, weighted (expense type, kind).
PHASE_SPEND = {
    "Initiation": [("opex", "labour", 80), ("opex", "travel", 10), ("opex", "other", 10)],
    "Design": [("capex", "labour", 70), ("capex", "contracts", 20), ("opex", "travel", 10)],
    "Build": [("capex", "labour", 45), ("capex", "materials", 25), ("capex", "contracts", 25), ("capex", "other", 5)],
    "Test": [("capex", "labour", 75), ("capex", "contracts", 25)],
    "Deploy": [("capex", "contracts", 40), ("opex", "labour", 40), ("opex", "travel", 20)],
    "Closure": [("opex", "labour", 90), ("opex", "other", 10)],
}
VENDORS = [
    "Northwind Systems",
    "Contoso Engineering",
    "Fabrikam Consulting",
    "Tailspin Logistics",
    "Adatum Security",
    "Litware Data",
    "Proseware Networks",
    "Wingtip Industrial",
    "Woodgrove Advisory",
    "Alpine Ski Works",
    "Blue Yonder Analytics",
    "Coho Facilities",
    "Fourth Coffee Services",
    "Graphic Design Institute",
    "Humongous Insurance IT",
    "Lucerne Publishing",
    "Margie's Travel",
    "Trey Research",
    "VanArsdel Cloud",
    "Wide World Importers",
    "Relecloud",
    "Southridge Video",
    "Consolidated Messenger",
    "Datum Corporation",
]
CONTRACT_TITLES = [
    "Systems integration services",
    "Cloud hosting",
    "Hardware supply",
    "Managed network services",
    "Independent verification and validation",
    "Training delivery",
    "Site works",
    "Software licences",
    "Data migration services",
    "Security operations",
]

SECURITY_REQUIREMENTS = [
    "ISO 27001 certificate on file",
    "Data processing agreement signed",
    "Staff security vetting",
    "Penetration test of delivered system",
    "Software bill of materials provided",
]


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyStage:
    def __init__(self, builder, schedules):
        self.b = builder
        self.rng = builder.rng
        self.plans = schedules.plans
        self.status = schedules.status

    def build(self) -> None:
        self.build_reference()
        self.build_fiscal_calendars()
        self.build_budgets()
        self.build_vendors_and_contracts()
        self.build_actuals()
        self.build_forecasts()
        self.build_reserves()
        self.build_lcce()

    # -- reference data -----------------------------------------------------------------------

    def build_reference(self) -> None:
        rng = self.rng
        for code, name in CURRENCIES:
            Currency.objects.get_or_create(code=code, defaults={"name": name})
        first = min(p.planned_start for p in self.b.projects).replace(day=1) - dt.timedelta(days=62)
        first = first.replace(day=1)
        last = max(p.planned_finish for p in self.b.projects)
        rates, day = [], first
        level = dict(START_RATES)
        while day <= last:
            for code, rate in level.items():
                rates.append(
                    ExchangeRate(
                        from_currency_id=code, to_currency_id="EUR", rate=rate, valid_on=day, source="ECB (demo)"
                    )
                )
                level[code] = (rate * Decimal(str(1 + rng.gauss(0, 0.012)))).quantize(Decimal("0.00000001"))
            day = (day + dt.timedelta(days=32)).replace(day=1)
        _bulk_create(ExchangeRate, rates, label="exchange rates", progress=self.b.progress)
        categories = [
            CostCategory(
                code=f"{expense.upper()}-{kind.upper()}",
                name=f"{'Capital' if expense == 'capex' else 'Operating'} – {kind.capitalize()}",
                expense_type=expense,
                kind=kind,
            )
            for expense in ("capex", "opex")
            for kind in KINDS
        ]
        CostCategory.objects.bulk_create(categories, ignore_conflicts=True)
        self.category = {
            (c.expense_type, c.kind): c.pk for c in CostCategory.objects.filter(code__in=[c.code for c in categories])
        }

    def build_fiscal_calendars(self) -> None:
        """One calendar per portfolio: January, April, July or October year starts."""
        first = min(p.planned_start for p in self.b.projects).year - 1
        last = max(p.planned_finish for p in self.b.projects).year + 12  # LCCE years ahead
        calendars = FiscalCalendar.objects.bulk_create(
            FiscalCalendar(
                portfolio=portfolio,
                name=f"{portfolio.name} fiscal year",
                start_month=(1, 4, 7, 10)[index % 4],
                year_label=FiscalCalendar.YearLabel.END,
            )
            for index, portfolio in enumerate(self.b.portfolios)
        )
        periods = []
        for calendar in calendars:
            for year in range(first, last + 2):
                periods += [
                    FiscalPeriod(
                        calendar=calendar, fiscal_year=s.fiscal_year, number=s.number, start=s.start, end=s.end
                    )
                    for s in calendar.periods_of_year(year)
                ]
        _bulk_create(FiscalPeriod, periods, label="fiscal periods", progress=self.b.progress)
        self.calendar_of = {c.portfolio_id: c for c in calendars}
        self.period_id = {(p.calendar_id, p.start): p.pk for p in FiscalPeriod.objects.filter(calendar__in=calendars)}
        self.portfolio_of = {p.pk: p.portfolio_id for p in self.b.programs}

    def _period(self, project: Project, day: dt.date) -> int:
        calendar = self.calendar_of[self.portfolio_of[project.program_id]]
        return self.period_id[(calendar.pk, calendar.period_of(day).start)]

    # -- budgets ------------------------------------------------------------------------------

    def _spread(self, amount: Decimal, start: dt.date, finish: dt.date) -> list[tuple[dt.date, Decimal]]:
        """`amount` over the months of [start, finish] by calendar days (cents kept exact)."""
        days = (finish - start).days + 1
        parts, day = [], start
        while day <= finish:
            month_end = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            end = min(month_end, finish)
            parts.append((day, (end - day).days + 1))
            day = end + dt.timedelta(days=1)
        out, left = [], amount
        for index, (day, n) in enumerate(parts):
            share = left if index == len(parts) - 1 else _money(amount * n / days)
            left -= share
            out.append((day, share))
        return out

    def build_budgets(self) -> None:
        rng = self.rng
        lines = []
        self.phase_of_project = {}
        self.budget_by_project = {}
        for plan in self.plans:
            project = plan.project
            phase_name = {}
            for task in plan.tasks:
                if task.is_summary:
                    phase_name[task.sort_order] = task.name
            by_cell: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
            summary_of_order = sorted(phase_name)
            for task in plan.tasks:
                if task.is_summary or not task.baseline_cost:
                    continue
                phase = phase_name[max(o for o in summary_of_order if o < task.sort_order)]
                spend = PHASE_SPEND[phase]
                expense, kind, _ = rng.choices(spend, weights=[w for *_, w in spend])[0]
                category = self.category[(expense, kind)]
                for day, amount in self._spread(
                    task.baseline_cost, task.baseline_start.date(), task.baseline_finish.date()
                ):
                    by_cell[(category, self._period(project, day))] += amount
            change = Decimal(1)
            if plan.slipped and rng.random() < 0.5:
                change = Decimal(str(round(rng.uniform(1.04, 1.15), 3)))  # an approved change request
            total = Decimal(0)
            for (category, period), amount in sorted(by_cell.items()):
                common = {"project_id": project.pk, "category_id": category, "period_id": period, "currency_id": "EUR"}
                lines.append(BudgetLine(budget_version="original", amount=amount, **common))
                current = _money(amount * change)
                lines.append(BudgetLine(budget_version="current", amount=current, **common))
                total += current
            self.budget_by_project[project.pk] = (total, by_cell, change)
            if len(lines) >= COST_BATCH:  # flush: the large demo has about half a million lines
                BudgetLine.objects.bulk_create(lines, batch_size=2000)
                lines = []
        BudgetLine.objects.bulk_create(lines, batch_size=2000)

    # -- vendors, contracts -------------------------------------------------------------------

    def build_vendors_and_contracts(self) -> None:
        rng = self.rng
        count = min(len(VENDORS), max(6, len(self.b.programs) // 2))
        ratings = ["low", "low", "low", "medium", "medium", "high", "critical"]
        vendors = Vendor.objects.bulk_create(
            Vendor(name=name, risk_rating=rng.choice(ratings), notes="Supply-chain review on file.")
            for name in VENDORS[:count]
        )
        self.vendor_currency = {v.pk: rng.choice(["EUR", "EUR", "USD", "GBP"]) for v in vendors}
        contracts, serves = [], []
        projects_of = defaultdict(list)
        for plan in self.plans:
            projects_of[plan.project.program_id].append(plan.project)
        for program in self.b.programs:
            members = projects_of[program.pk]
            for n in range(1, rng.randint(2, 4) + 1):
                vendor = rng.choice(vendors)
                served = rng.sample(members, min(len(members), rng.randint(1, 4)))
                ceiling = Decimal(rng.randrange(4, 120) * 50_000)
                contracts.append(
                    Contract(
                        program=program,
                        vendor=vendor,
                        number=f"{program.code}-C{n:02d}",
                        title=rng.choice(CONTRACT_TITLES),
                        type=rng.choice(["ffp", "tm", "cost_plus", "idiq"]),
                        ceiling=ceiling,
                        obligated=_money(ceiling * Decimal(str(rng.uniform(0.4, 0.9)))),
                        currency_id=self.vendor_currency[vendor.pk],
                        period_start=min(p.planned_start for p in served),
                        period_end=max(p.planned_finish for p in served),
                    )
                )
                serves.append(served)
        _bulk_create(Contract, contracts, label="contracts", progress=self.b.progress)
        through = Contract.projects.through
        through.objects.bulk_create(
            through(contract_id=c.pk, project_id=p.pk)
            for c, served in zip(contracts, serves, strict=True)
            for p in served
        )
        self.contracts = list(zip(contracts, serves, strict=True))
        # The information-security checklist of each contract (statuses rotate; no draws).
        statuses = ["met", "met", "in_progress", "not_started", "waived"]
        ContractSecurityRequirement.objects.bulk_create(
            ContractSecurityRequirement(
                contract=contract, requirement=requirement, status=statuses[(index + n) % len(statuses)]
            )
            for index, contract in enumerate(contracts)
            for n, requirement in enumerate(SECURITY_REQUIREMENTS[: 2 + index % 3])
        )

    # -- actual costs -------------------------------------------------------------------------

    def _entries(self):
        """Every cost entry, generated lazily: ledger lines per started project, then invoices."""
        rng = self.rng
        started = [plan for plan in self.plans if plan.project.planned_start <= self.status]
        target = LEDGER_ENTRIES[self.b.scale_name]
        per, extra = divmod(target, max(1, len(started)))
        self.cpi, self.spent = {}, {}
        self.contracts_of = defaultdict(list)
        for contract, served in self.contracts:
            for project in served:
                self.contracts_of[project.pk].append(contract)
        n = 0
        for index, plan in enumerate(started):
            project = plan.project
            count = per + (index < extra)
            # Earned to date, on the baseline cost basis; spent = earned / CPI.
            earned = sum(
                (t.baseline_cost * t.percent_complete / 100 for t in plan.tasks if not t.is_summary), Decimal(0)
            )
            cpi = rng.uniform(0.82, 1.08) if not plan.slipped else rng.uniform(0.7, 0.95)
            self.cpi[project.pk] = cpi
            spent = Decimal(str(float(earned) / cpi)) if earned else Decimal(rng.randrange(1000, 20000))
            if self.contracts_of[project.pk]:
                self.spent[project.pk] = spent
                spent *= Decimal("0.8")
            done = [t for t in plan.tasks if not t.is_summary and t.actual_start and t.cost]
            first = project.planned_start
            last = min(self.status, project.planned_finish + dt.timedelta(days=45))
            span = max(1, (last - first).days)
            weights = [rng.random() + 0.2 for _ in range(count)]
            scale = spent / Decimal(str(sum(weights)))
            left = _money(spent)
            for i, weight in enumerate(weights):
                amount = left if i == count - 1 else _money(scale * Decimal(str(weight)))
                left -= amount
                task = rng.choice(done) if done and rng.random() < 0.6 else None
                kind = rng.choices(KINDS, weights=[60, 15, 15, 5, 5])[0]
                n += 1
                yield CostEntry(
                    project_id=project.pk,
                    task_id=task.pk if task else None,
                    category_id=self.category[("capex" if rng.random() < 0.7 else "opex", kind)],
                    date=first + dt.timedelta(days=rng.randrange(span + 1)),
                    amount=amount,
                    currency_id="EUR",
                    source="ledger",
                    external_ref=f"GL-{n:08d}",
                    description=f"GL journal {rng.randrange(100000, 999999)}",
                )
        # Invoices: about a fifth of a project's spend on top of its ledger lines, split evenly
        # over the months its contracts invoiced, in the contract's currency.
        invoice = 0
        for contract, served in self.contracts:
            rate = START_RATES.get(contract.currency_id, Decimal(1))
            for project in served:
                if project.pk not in self.spent:
                    continue
                days, day = [], project.planned_start + dt.timedelta(days=30)
                while day <= min(self.status, contract.period_end):
                    days.append(day)
                    day += dt.timedelta(days=rng.choice([30, 31, 61, 92]))
                pool = self.spent[project.pk] * Decimal("0.2") / len(self.contracts_of[project.pk])
                for day in days:
                    invoice += 1
                    yield CostEntry(
                        project_id=project.pk,
                        category_id=self.category[("capex", "contracts")],
                        date=day,
                        amount=_money(pool / len(days) / rate * Decimal(str(rng.uniform(0.8, 1.2)))),
                        currency_id=contract.currency_id,
                        source="invoice",
                        external_ref=f"INV-{contract.number}-{invoice:06d}",
                        vendor_id=contract.vendor_id,
                        contract_id=contract.pk,
                        description=f"Invoice {invoice} against {contract.number}",
                    )

    def build_actuals(self) -> None:
        batch = []
        with tqdm(desc="cost entries", unit=" rows", disable=not self.b.progress, leave=False) as bar:
            for entry in self._entries():
                batch.append(entry)
                if len(batch) >= COST_BATCH:
                    CostEntry.objects.bulk_create(batch, batch_size=COST_BATCH)
                    bar.update(len(batch))
                    batch = []
            if batch:
                CostEntry.objects.bulk_create(batch, batch_size=COST_BATCH)
                bar.update(len(batch))

    # -- forecasts ----------------------------------------------------------------------------

    def build_forecasts(self) -> None:
        """For each running project, the estimate to complete: its remaining current budget by
        category and future period, scaled by the project's cost performance."""
        rows = []
        period_start = {pk: start for (_, start), pk in self.period_id.items()}
        for plan in self.plans:
            project = plan.project
            if project.phase in (Project.Phase.CLOSED, Project.Phase.CLOSING) or project.pk not in self.cpi:
                continue
            _, by_cell, change = self.budget_by_project[project.pk]
            factor = Decimal(str(1 / self.cpi[project.pk])) * change
            calendar = self.calendar_of[self.portfolio_of[project.program_id]]
            current_start = calendar.period_of(self.status).start
            for (category, period), amount in sorted(by_cell.items()):
                if period_start[period] > current_start:
                    rows.append(
                        Forecast(
                            project_id=project.pk,
                            category_id=category,
                            period_id=period,
                            amount=_money(amount * factor),
                            currency_id="EUR",
                        )
                    )
        _bulk_create(Forecast, rows, label="forecasts", progress=self.b.progress)

    # -- reserves -----------------------------------------------------------------------------

    def build_reserves(self) -> None:
        rng = self.rng
        drawdowns = []
        for plan in self.plans:
            project = plan.project
            total = self.budget_by_project[project.pk][0]
            project.contingency_reserve = _money(total * Decimal(str(rng.uniform(0.05, 0.12))))
            project.management_reserve = _money(total * Decimal(str(rng.uniform(0.02, 0.05))))
            if plan.slipped and project.contingency_reserve > 0:
                drawdowns.append(
                    ReserveTransaction(
                        scope="project",
                        project=project,
                        reserve="contingency",
                        amount=_money(project.contingency_reserve * Decimal(str(rng.uniform(0.2, 0.6)))),
                        reason="Re-estimate of the remaining build and test work (risk realised).",
                        actor_id=project.manager_id,
                        at=dt.datetime.combine(self.status, dt.time(10), tzinfo=dt.UTC),
                    )
                )
        Project.objects.bulk_update(self.b.projects, ["contingency_reserve", "management_reserve"], batch_size=1000)
        for program in self.b.programs:
            program.management_reserve = _money(program.contingency_reserve * Decimal(str(rng.uniform(0.3, 0.6))))
            if rng.random() < 0.5:
                drawdowns.append(
                    ReserveTransaction(
                        scope="program",
                        program=program,
                        reserve=rng.choice(["contingency", "management"]),
                        amount=_money(min(program.contingency_reserve, program.management_reserve) * Decimal("0.25")),
                        reason="Approved by the program board to fund an unplanned interface change.",
                        actor_id=program.manager_id,
                        at=dt.datetime.combine(self.status, dt.time(11), tzinfo=dt.UTC),
                    )
                )
        Program.objects.bulk_update(self.b.programs, ["management_reserve"])
        _bulk_create(ReserveTransaction, drawdowns, label="reserve drawdowns", progress=self.b.progress)

    # -- lifecycle cost estimates -------------------------------------------------------------

    def build_lcce(self) -> None:
        """Per program: v1 approved at the program's start, v2 a draft re-estimate based on it."""
        rng = self.rng
        budget_of_program = defaultdict(Decimal)
        for plan in self.plans:
            budget_of_program[plan.project.program_id] += self.budget_by_project[plan.project.pk][0]
        lines = []
        for program in self.b.programs:
            calendar = self.calendar_of[program.portfolio_id]
            first, last = calendar.fiscal_year_of(program.start_date), calendar.fiscal_year_of(program.finish_date)
            approved_at = dt.datetime.combine(program.start_date, dt.time(12), tzinfo=dt.UTC)
            v1 = LifecycleCostEstimate.objects.create(
                program=program,
                number=1,
                status="approved",
                approved_by_id=program.manager_id,
                approved_at=approved_at,
                notes="Approved at the investment decision.",
            )
            v2 = LifecycleCostEstimate.objects.create(
                program=program, number=2, based_on=v1, notes="Re-estimate after the latest programme review."
            )
            acquisition = budget_of_program[program.pk] or Decimal(1_000_000)
            years = list(range(first, last + 1))
            yearly = acquisition / len(years)
            plan_rows = []
            for year in years[:2]:
                plan_rows.append(("rnd", year, ("capex", "labour"), yearly * Decimal("0.15")))
            for year in years:
                plan_rows.append(("acquisition", year, ("capex", "labour"), yearly * Decimal("0.55")))
                plan_rows.append(("acquisition", year, ("capex", "contracts"), yearly * Decimal("0.30")))
            for year in range(last + 1, last + 11):
                plan_rows.append(("om", year, ("opex", "labour"), acquisition * Decimal("0.06")))
                plan_rows.append(("om", year, ("opex", "contracts"), acquisition * Decimal("0.04")))
            plan_rows.append(("disposal", last + 11, ("opex", "other"), acquisition * Decimal("0.03")))
            growth = Decimal(str(round(rng.uniform(1.02, 1.18), 3)))
            for phase, year, category, amount in plan_rows:
                common = {
                    "phase": phase,
                    "fiscal_year": year,
                    "category_id": self.category[category],
                    "currency_id": "EUR",
                }
                lines.append(LifecycleCostLine(estimate=v1, amount=_money(amount), **common))
                lines.append(LifecycleCostLine(estimate=v2, amount=_money(amount * growth), **common))
        _bulk_create(LifecycleCostLine, lines, label="LCCE lines", progress=self.b.progress)
