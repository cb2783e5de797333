"""Triggering (issue 10 §3): every domain writer bumps the input version of what it changed, in
its own transaction, and hands the ids on after commit (core.changes); bursts coalesce."""

import datetime as dt
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

import budgets.services.contracts
import budgets.services.lifecycle
import budgets.services.money
import budgets.services.reference
import governance.services.changes
import governance.services.gates
import governance.services.program
import portfolio.services
import projects.services
import projects.services.schedule
import projects.services.schedule_edit
import projects.services.schedule_import
import projects.services.schedule_io
import risks.services.actions
import risks.services.risks
import staffing.services
from budgets import services as money
from budgets.imports.jobs import importer_for, open_table
from core.changes import current_versions
from governance import services as gov
from projects import services as project_services
from projects.models import Calendar, Dependency, Task
from projects.services import schedule, schedule_edit, schedule_import, schedule_io
from risks import services as risk_services
from staffing import services as staffing_services
from tests.budgets.money_setup import ledger_row, write_csv
from tests.factories.budgets import (
    BudgetLineFactory,
    ContractFactory,
    CostCategoryFactory,
    CostEntryFactory,
    CurrencyFactory,
    ExchangeRateFactory,
    FiscalPeriodFactory,
    ForecastFactory,
    LifecycleCostEstimateFactory,
    LifecycleCostLineFactory,
    VendorFactory,
)
from tests.factories.governance import (
    BenefitFactory,
    BenefitMeasurementFactory,
    ChangeRequestFactory,
    DecisionFactory,
    OperatingLevelAgreementFactory,
    StageGateFactory,
)
from tests.factories.projects import ProjectFactory, StatusReportFactory, TaskFactory
from tests.factories.risks import IssueFactory, MitigationActionFactory, RiskFactory
from tests.factories.staffing import (
    AbsenceFactory,
    AllocationFactory,
    CostRateFactory,
    PersonFactory,
    RoleFactory,
    StaffingRequestFactory,
)

D = Decimal
DAY = 480
SAMPLE = Path(__file__).resolve().parents[1] / "projects" / "data" / "mspdi" / "mspdirelations.xml"


@dataclass(frozen=True)
class Case:
    """One writer called through a representative case: `arrange(ctx)` builds what it needs and
    returns (the keyword arguments of the call, the kind bumped, a function giving the pk bumped)."""

    service: Callable
    arrange: Callable
    name: str = ""

    def __str__(self) -> str:
        return self.name or self.service.__name__


def last_month_end() -> dt.date:
    return dt.date.today().replace(day=1) - dt.timedelta(days=1)


def _period(ctx):
    return FiscalPeriodFactory(fiscal_year=2026, number=3)


def _category(ctx):
    return CostCategoryFactory()


def _staffed(ctx):
    """A person allocated to the cast's project."""
    allocation = AllocationFactory(project=ctx.project)
    return allocation.person, allocation


def _draft_cr(ctx):
    return ChangeRequestFactory(project=ctx.project)


def _submitted_cr(ctx):
    cr = _draft_cr(ctx)
    return gov.change_request_submit(actor=ctx.owner, change_request=cr)


def _cr_line(ctx):
    cr = _draft_cr(ctx)
    CurrencyFactory(code="EUR")
    return gov.change_request_line_create(
        actor=ctx.owner, change_request=cr, category=_category(ctx), period=_period(ctx), amount_delta=D("100")
    )


def _linked(ctx):
    """The cast's project's task precedes a task of a second project, linked without scheduling."""
    upstream = TaskFactory(project=ctx.project, duration_minutes=5 * DAY)
    downstream_project = ProjectFactory(program=ctx.program)
    downstream = TaskFactory(project=downstream_project, duration_minutes=DAY)
    Dependency.objects.create(predecessor=upstream, successor=downstream)
    return downstream_project


def _project_calendar(ctx):
    calendar = Calendar.objects.create(name="Site", project=ctx.project)
    ctx.project.calendar = calendar
    ctx.project.save()
    TaskFactory(project=ctx.project, duration_minutes=DAY)
    return calendar


def _initiating(ctx):
    ctx.project.phase = "initiation"
    ctx.project.save()
    return ctx.project


def _gate(ctx):
    return StageGateFactory(project=_initiating(ctx))


def _import_job(ctx):
    job = schedule_import.schedule_import_upload(
        user=ctx.owner,
        project=ctx.project,
        upload=SimpleUploadedFile("relations.xml", SAMPLE.read_bytes()),
        replace=False,
    )
    return job


P = "project"
G = "program"


def proj(ctx):
    return ctx.project.pk


def prog(ctx):
    return ctx.program.pk


CASES = [
    # -- projects ---------------------------------------------------------------------------------
    Case(project_services.project_create, lambda c: ({"program": c.program, "code": "NEW", "name": "New"}, G, prog)),
    Case(project_services.project_update, lambda c: ({"project": c.project, "data": {"name": "Renamed"}}, P, proj)),
    Case(
        project_services.status_report_submit,
        lambda c: (
            {
                "project": c.project,
                "period_end": last_month_end(),
                "overall_rag": "green",
                "schedule_rag": "green",
                "cost_rag": "amber",
                "scope_rag": "green",
                "risk_rag": "green",
                "percent_complete": D("40"),
                "summary": "On track",
            },
            P,
            proj,
        ),
    ),
    Case(
        project_services.status_report_correct,
        lambda c: (
            {"report": StatusReportFactory(project=c.project, submitted_by=c.owner), "data": {"summary": "Corrected"}},
            P,
            proj,
        ),
    ),
    Case(schedule.task_create, lambda c: ({"project": c.project, "name": "Design", "duration_minutes": DAY}, P, proj)),
    Case(
        schedule.task_update,
        lambda c: ({"task": TaskFactory(project=c.project), "data": {"duration_minutes": 2 * DAY}}, P, proj),
    ),
    Case(schedule.task_delete, lambda c: ({"task": TaskFactory(project=c.project)}, P, proj)),
    Case(
        schedule.dependency_create,
        lambda c: (
            {"predecessor": TaskFactory(project=c.project), "successor": TaskFactory(project=c.project)},
            P,
            proj,
        ),
    ),
    Case(
        schedule.dependency_update,
        lambda c: (
            {
                "dependency": Dependency.objects.create(
                    predecessor=TaskFactory(project=c.project), successor=TaskFactory(project=c.project)
                ),
                "data": {"lag_minutes": 60},
            },
            P,
            proj,
        ),
    ),
    Case(
        schedule.dependency_delete,
        lambda c: (
            {
                "dependency": Dependency.objects.create(
                    predecessor=TaskFactory(project=c.project), successor=TaskFactory(project=c.project)
                )
            },
            P,
            proj,
        ),
    ),
    # The Gantt's edits (projects.services.schedule_edit)
    Case(
        schedule_edit.task_insert, lambda c: ({"anchor": TaskFactory(project=c.project), "position": "below"}, P, proj)
    ),
    Case(
        schedule_edit.task_move_by,
        lambda c: (
            {"task": [TaskFactory(project=c.project), TaskFactory(project=c.project)][1], "step": -1},
            P,
            proj,
        ),
    ),
    Case(
        schedule_edit.tasks_indent,
        lambda c: (
            {"project": c.project, "tasks": [TaskFactory(project=c.project), TaskFactory(project=c.project)][1:]},
            P,
            proj,
        ),
    ),
    Case(
        schedule_edit.dependency_edit,
        lambda c: (
            {
                "dependency": Dependency.objects.create(
                    predecessor=TaskFactory(project=c.project), successor=TaskFactory(project=c.project)
                ),
                "type": "SS",
                "lag": "50%",
            },
            P,
            proj,
        ),
    ),
    Case(
        schedule_edit.task_drag_start,
        lambda c: ({"task": TaskFactory(project=c.project), "start": dt.date(2026, 3, 12)}, P, proj),
    ),
    Case(schedule.calendar_update, lambda c: ({"calendar": _project_calendar(c), "data": {"name": "Plant"}}, P, proj)),
    Case(
        schedule.calendar_exceptions_set,
        lambda c: (
            {
                "calendar": _project_calendar(c),
                "exceptions": [
                    {"name": "Shutdown", "start_date": dt.date(2026, 3, 2), "end_date": dt.date(2026, 3, 6)}
                ],
            },
            P,
            proj,
        ),
    ),
    Case(schedule.calendar_delete, lambda c: ({"calendar": _project_calendar(c)}, P, proj)),
    Case(schedule.baseline_set, lambda c: ({"project": c.project, "number": 1}, P, proj)),
    Case(schedule.schedule_reschedule, lambda c: ({"project": c.project}, P, proj)),
    Case(
        schedule.schedule_propagate,
        lambda c: (lambda other: ({"project_id": c.project.pk}, P, lambda _c: other.pk))(_linked(c)),
        name="schedule_propagate moves the linked project",
    ),
    Case(
        schedule_io.schedule_import,
        lambda c: (
            {
                "data": SAMPLE.read_bytes(),
                "filename": "sample.xml",
                "project_code": c.project.code,
                "program": c.program,
            },
            P,
            proj,
        ),
    ),
    Case(
        schedule_import.schedule_import_confirm,
        lambda c: (
            {"job": _import_job(c), "fingerprint": schedule_import.plan_fingerprint(project=c.project)},
            P,
            proj,
        ),
    ),
    # -- budgets ----------------------------------------------------------------------------------
    Case(
        money.budget_line_create,
        lambda c: ({"project": c.project, "category": _category(c), "period": _period(c), "amount": D("10")}, P, proj),
    ),
    Case(
        money.budget_line_update,
        lambda c: ({"budget_line": BudgetLineFactory(project=c.project), "data": {"amount": D("5")}}, P, proj),
    ),
    Case(money.budget_line_delete, lambda c: ({"budget_line": BudgetLineFactory(project=c.project)}, P, proj)),
    Case(
        money.budget_original_set,
        lambda c: (BudgetLineFactory(project=c.project) and {"project": c.project}, P, proj),
    ),
    Case(
        money.cost_entry_create,
        lambda c: (
            {
                "project": c.project,
                "category": _category(c),
                "date": dt.date(2026, 2, 1),
                "amount": D("10"),
                "currency": "EUR",
            },
            P,
            proj,
        ),
    ),
    Case(
        money.cost_entry_update,
        lambda c: ({"cost_entry": CostEntryFactory(project=c.project), "data": {"amount": D("7")}}, P, proj),
    ),
    Case(money.cost_entry_delete, lambda c: ({"cost_entry": CostEntryFactory(project=c.project)}, P, proj)),
    Case(
        money.forecast_create,
        lambda c: ({"project": c.project, "category": _category(c), "period": _period(c), "amount": D("10")}, P, proj),
    ),
    Case(
        money.forecast_update,
        lambda c: ({"forecast": ForecastFactory(project=c.project), "data": {"amount": D("9")}}, P, proj),
    ),
    Case(money.forecast_delete, lambda c: ({"forecast": ForecastFactory(project=c.project)}, P, proj)),
    Case(
        money.reserve_drawdown,
        lambda c: ({"reserve": "contingency", "amount": D("10"), "reason": "Spent", "project": c.project}, P, proj),
    ),
    Case(
        money.reserve_drawdown,
        lambda c: ({"reserve": "management", "amount": D("10"), "reason": "Spent", "program": c.program}, G, prog),
        name="reserve_drawdown of a program",
    ),
    Case(
        money.contract_create,
        lambda c: (
            {
                "program": c.program,
                "vendor": VendorFactory(),
                "number": "C-1",
                "title": "Build",
                "type": "ffp",
                "ceiling": D("1000"),
                "period_start": dt.date(2026, 1, 1),
                "period_end": dt.date(2026, 12, 31),
            },
            G,
            prog,
        ),
    ),
    Case(
        money.contract_update,
        lambda c: ({"contract": ContractFactory(program=c.program), "data": {"obligated": D("60000")}}, G, prog),
    ),
    Case(
        money.contract_projects_set,
        lambda c: ({"contract": ContractFactory(program=c.program), "projects": [c.project]}, P, proj),
    ),
    Case(
        money.invoice_record,
        lambda c: (
            (
                lambda contract: (
                    contract.projects.set([c.project])
                    or {
                        "contract": contract,
                        "project": c.project,
                        "category": _category(c),
                        "date": dt.date(2026, 2, 1),
                        "amount": D("100"),
                        "external_ref": "INV-1",
                    }
                )
            )(ContractFactory(program=c.program)),
            P,
            proj,
        ),
    ),
    Case(money.lcce_create, lambda c: ({"program": c.program}, G, prog)),
    Case(
        money.lcce_line_set,
        lambda c: (
            {
                "estimate": LifecycleCostEstimateFactory(program=c.program),
                "phase": "acquisition",
                "fiscal_year": 2026,
                "category": _category(c),
                "amount": D("100"),
                "currency": "EUR",
            },
            G,
            prog,
        ),
    ),
    Case(
        money.lcce_line_delete,
        lambda c: ({"line": LifecycleCostLineFactory(estimate__program=c.program)}, G, prog),
    ),
    Case(
        money.lcce_new_version,
        lambda c: ({"estimate": LifecycleCostEstimateFactory(program=c.program)}, G, prog),
    ),
    Case(
        money.lcce_approve,
        lambda c: ({"estimate": LifecycleCostLineFactory(estimate__program=c.program).estimate}, G, prog),
    ),
    Case(
        money.exchange_rate_create,
        lambda c: (
            {
                "from_currency": CurrencyFactory(code="USD"),
                "to_currency": CurrencyFactory(code="EUR"),
                "rate": D("0.9"),
                "valid_on": dt.date(2026, 2, 1),
            },
            P,
            proj,
        ),
    ),
    Case(
        money.exchange_rate_update,
        lambda c: ({"exchange_rate": ExchangeRateFactory(), "data": {"rate": D("0.95")}}, P, proj),
    ),
    # -- risks ------------------------------------------------------------------------------------
    Case(
        risk_services.risk_create,
        lambda c: (
            {"project": c.project, "title": "Vendor late", "category": "technical", "probability": 3, "impact": 3},
            P,
            proj,
        ),
    ),
    Case(
        risk_services.risk_update,
        lambda c: ({"risk": RiskFactory(project=c.project), "data": {"impact": 5}}, P, proj),
    ),
    Case(risk_services.risk_delete, lambda c: ({"risk": RiskFactory(project=c.project)}, P, proj)),
    Case(risk_services.risk_escalate, lambda c: ({"risk": RiskFactory(project=c.project)}, G, prog)),
    Case(
        risk_services.risk_deescalate,
        lambda c: (
            {"risk": risk_services.risk_escalate(actor=c.owner, risk=RiskFactory(project=c.project))},
            G,
            prog,
        ),
    ),
    Case(risk_services.risk_realise, lambda c: ({"risk": RiskFactory(project=c.project)}, P, proj)),
    Case(
        risk_services.mitigation_action_create,
        lambda c: ({"risk": RiskFactory(project=c.project), "title": "Second supplier"}, P, proj),
    ),
    Case(
        risk_services.mitigation_action_update,
        lambda c: (
            {"action": MitigationActionFactory(risk=RiskFactory(project=c.project)), "data": {"cost": D("900")}},
            P,
            proj,
        ),
    ),
    Case(
        risk_services.mitigation_action_delete,
        lambda c: ({"action": MitigationActionFactory(risk=RiskFactory(project=c.project))}, P, proj),
    ),
    Case(risk_services.issue_create, lambda c: ({"project": c.project, "title": "Server down"}, P, proj)),
    Case(
        risk_services.issue_create, lambda c: ({"program": c.program, "title": "Budget cut"}, G, prog), "program issue"
    ),
    Case(
        risk_services.issue_update,
        lambda c: ({"issue": IssueFactory(project=c.project), "data": {"severity": "high"}}, P, proj),
    ),
    Case(risk_services.issue_delete, lambda c: ({"issue": IssueFactory(project=c.project)}, P, proj)),
    # -- staffing ---------------------------------------------------------------------------------
    Case(
        staffing_services.role_update,
        lambda c: ({"role": _staffed(c)[1].role, "data": {"standard_rate": D("95")}}, P, proj),
    ),
    Case(
        staffing_services.person_update,
        lambda c: ({"person": _staffed(c)[0], "data": {"weekly_capacity_hours": D("32")}}, P, proj),
    ),
    Case(
        staffing_services.cost_rate_set,
        lambda c: (
            {
                "person": _staffed(c)[0],
                "effective_from": dt.date(2026, 1, 1),
                "hourly_rate": D("90"),
                "currency": "EUR",
            },
            P,
            proj,
        ),
    ),
    Case(
        staffing_services.cost_rate_update,
        lambda c: ({"cost_rate": CostRateFactory(person=_staffed(c)[0]), "data": {"hourly_rate": D("95")}}, P, proj),
    ),
    Case(
        staffing_services.cost_rate_delete,
        lambda c: ({"cost_rate": CostRateFactory(person=_staffed(c)[0])}, P, proj),
    ),
    Case(
        staffing_services.absence_create,
        lambda c: ({"person": _staffed(c)[0], "start": dt.date(2026, 3, 9), "end": dt.date(2026, 3, 13)}, P, proj),
    ),
    Case(
        staffing_services.absence_update,
        lambda c: ({"absence": AbsenceFactory(person=_staffed(c)[0]), "data": {"end": dt.date(2026, 3, 10)}}, P, proj),
    ),
    Case(
        staffing_services.absence_delete,
        lambda c: ({"absence": AbsenceFactory(person=_staffed(c)[0])}, P, proj),
    ),
    Case(
        staffing_services.staffing_request_create,
        lambda c: (
            {
                "project": c.project,
                "role": RoleFactory(portfolio=c.portfolio),
                "start": dt.date(2026, 3, 2),
                "end": dt.date(2026, 3, 27),
                "fte_percent": D("50"),
            },
            P,
            proj,
        ),
    ),
    Case(
        staffing_services.staffing_request_update,
        lambda c: (
            {"staffing_request": StaffingRequestFactory(project=c.project), "data": {"fte_percent": D("80")}},
            P,
            proj,
        ),
    ),
    Case(
        staffing_services.staffing_request_cancel,
        lambda c: ({"staffing_request": StaffingRequestFactory(project=c.project)}, P, proj),
    ),
    Case(
        staffing_services.staffing_request_delete,
        lambda c: ({"staffing_request": StaffingRequestFactory(project=c.project)}, P, proj),
    ),
    Case(
        staffing_services.allocation_create,
        lambda c: (
            {
                "person": PersonFactory(portfolio=c.portfolio),
                "project": c.project,
                "role": RoleFactory(portfolio=c.portfolio),
                "start": dt.date(2026, 3, 2),
                "end": dt.date(2026, 3, 27),
                "fte_percent": D("50"),
            },
            P,
            proj,
        ),
    ),
    Case(
        staffing_services.allocation_update,
        lambda c: ({"allocation": AllocationFactory(project=c.project), "data": {"fte_percent": D("60")}}, P, proj),
    ),
    Case(
        staffing_services.allocation_delete,
        lambda c: ({"allocation": AllocationFactory(project=c.project)}, P, proj),
    ),
    # -- governance -------------------------------------------------------------------------------
    Case(gov.change_request_create, lambda c: ({"project": c.project, "title": "More scope"}, P, proj)),
    Case(
        gov.change_request_update,
        lambda c: ({"change_request": _draft_cr(c), "data": {"schedule_impact_days": 10}}, P, proj),
    ),
    Case(
        gov.change_request_line_create,
        lambda c: (
            {"change_request": _draft_cr(c), "category": _category(c), "period": _period(c), "amount_delta": D("100")},
            P,
            proj,
        ),
    ),
    Case(
        gov.change_request_line_update,
        lambda c: ({"line": _cr_line(c), "data": {"amount_delta": D("200")}}, P, proj),
    ),
    Case(gov.change_request_line_delete, lambda c: ({"line": _cr_line(c)}, P, proj)),
    Case(gov.change_request_submit, lambda c: ({"change_request": _draft_cr(c)}, P, proj)),
    Case(gov.change_request_withdraw, lambda c: ({"change_request": _draft_cr(c)}, P, proj)),
    Case(gov.change_request_approve, lambda c: ({"change_request": _submitted_cr(c)}, P, proj)),
    Case(
        gov.change_request_reject,
        lambda c: ({"change_request": _submitted_cr(c), "notes": "No budget"}, P, proj),
    ),
    Case(gov.stage_gate_create, lambda c: ({"project": _initiating(c), "to_phase": "planning"}, P, proj)),
    Case(gov.stage_gate_update, lambda c: ({"gate": _gate(c), "data": {"name": "Renamed"}}, P, proj)),
    Case(gov.stage_gate_delete, lambda c: ({"gate": _gate(c)}, P, proj)),
    Case(gov.stage_gate_decide, lambda c: ({"gate": _gate(c), "decision": "defer", "notes": "Later"}, P, proj)),
    Case(gov.decision_create, lambda c: ({"program": c.program, "title": "Go cloud"}, G, prog)),
    Case(
        gov.decision_update,
        lambda c: ({"decision": DecisionFactory(program=c.program), "data": {"title": "Go hybrid"}}, G, prog),
    ),
    Case(
        gov.benefit_create,
        lambda c: (
            {"program": c.program, "name": "Savings", "kpi": "EUR", "baseline_value": D(10), "target_value": D(6)},
            G,
            prog,
        ),
    ),
    Case(
        gov.benefit_update,
        lambda c: ({"benefit": BenefitFactory(program=c.program), "data": {"target_value": D(5)}}, G, prog),
    ),
    Case(
        gov.benefit_measurement_record,
        lambda c: (
            {"benefit": BenefitFactory(program=c.program), "measured_on": dt.date(2026, 1, 5), "value": D(9)},
            G,
            prog,
        ),
    ),
    Case(
        gov.benefit_measurement_update,
        lambda c: (
            {"measurement": BenefitMeasurementFactory(benefit__program=c.program), "data": {"value": D(8)}},
            G,
            prog,
        ),
    ),
    Case(
        gov.benefit_measurement_delete,
        lambda c: ({"measurement": BenefitMeasurementFactory(benefit__program=c.program)}, G, prog),
    ),
    Case(
        gov.ola_create,
        lambda c: (
            {
                "program": c.program,
                "service": "Desk",
                "start_date": dt.date(2026, 1, 1),
                "review_date": dt.date(2026, 7, 1),
            },
            G,
            prog,
        ),
    ),
    Case(
        gov.ola_update,
        lambda c: ({"ola": OperatingLevelAgreementFactory(program=c.program), "data": {"service": "Desk 2"}}, G, prog),
    ),
    # -- portfolio --------------------------------------------------------------------------------
    Case(
        portfolio.services.program_create,
        lambda c: (
            {"portfolio": c.portfolio, "code": "NEWP", "name": "New program"},
            "portfolio",
            lambda c: c.portfolio.pk,
        ),
    ),
    Case(portfolio.services.program_update, lambda c: ({"program": c.program, "data": {"name": "Renamed"}}, G, prog)),
]

# Writers that change nothing a roll-up reads, each with why. The coverage test fails for a
# writer that is neither exercised above nor listed here.
ALLOWED_SILENT = {
    # building blocks: the services that call them bump (schedule_reschedule, schedule_propagate)
    "projects.services.schedule.schedule_recompute": "called by services that bump",
    "projects.services.schedule.outline_renumber": "outline numbers are not roll-up inputs",
    "projects.services.schedule.propagation_enqueue": "sends a message; the propagation bumps",
    "staffing.services.staffing_request_recompute": "request status, called by services that bump",
    # a new calendar is used by nothing yet (using it is a project or task update, which bumps)
    "projects.services.schedule.calendar_create": "unused until a project or task update",
    # a pending schedule import only stores the file (the confirm imports, and bumps)
    "projects.services.schedule_import.schedule_import_upload": "stores a file",
    # reference data: no figure moves until a row that uses it changes (and bumps); the sweep
    # brings every roll-up to the new day at least daily
    "budgets.services.reference.currency_create": "a new currency has no rates or rows",
    "budgets.services.reference.currency_update": "name and display places only",
    "budgets.services.reference.cost_category_create": "no rows use it yet",
    "budgets.services.reference.cost_category_update": "category names; figures are per project",
    "budgets.services.reference.fiscal_calendar_create": "no periods yet",
    "budgets.services.reference.fiscal_calendar_update": "name and scope; frozen once periods exist",
    "budgets.services.reference.fiscal_periods_generate": "empty periods carry no money",
    "budgets.services.contracts.vendor_create": "vendors carry no money",
    "budgets.services.contracts.vendor_update": "vendor risk rating is not a roll-up input",
    "budgets.services.contracts.contract_security_requirement_set": "security checklist only",
    # the gate checklist: roll-ups count gates and their dates, not criteria
    "governance.services.gates.gate_criterion_create": "checklist only",
    "governance.services.gates.gate_criterion_update": "checklist only",
    "governance.services.gates.gate_criterion_tick": "checklist only",
    "governance.services.gates.gate_criterion_delete": "checklist only",
    # structure and access without figures: an empty portfolio's first roll-up comes from the
    # sweep; objectives and memberships are not roll-up inputs
    "portfolio.services.portfolio_create": "empty; the sweep computes its first roll-up",
    "portfolio.services.objective_create": "strategic objectives are not roll-up inputs",
    "portfolio.services.membership_create": "access only",
    "portfolio.services.membership_delete": "access only",
    # a new role or person is used by nothing yet (an allocation or request bumps)
    "staffing.services.role_create": "unused until allocated",
    "staffing.services.person_create": "unallocated until an allocation",
}

SERVICE_MODULES = [
    projects.services,
    projects.services.schedule,
    projects.services.schedule_edit,
    projects.services.schedule_import,
    projects.services.schedule_io,
    budgets.services.money,
    budgets.services.contracts,
    budgets.services.lifecycle,
    budgets.services.reference,
    risks.services.risks,
    risks.services.actions,
    staffing.services,
    governance.services.changes,
    governance.services.gates,
    governance.services.program,
    portfolio.services,
]
WRITER = re.compile(
    r"_(create|update|delete|set|submit|correct|cancel|approve|reject|withdraw|decide|record|realise|escalate"
    r"|deescalate|drawdown|tick|import|confirm|upload|generate|new_version|recompute|renumber"
    r"|reschedule|propagate|enqueue)$"
)


def writers() -> set[str]:
    found = set()
    for module in SERVICE_MODULES:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_") and WRITER.search(name):
                found.add(f"{module.__name__}.{name}")
    return found


@pytest.fixture
def ctx(owner, project, program, portfolio, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    CurrencyFactory(code="EUR")
    project.contingency_reserve = D("1000")
    project.save()
    program.management_reserve = D("1000")
    program.save()
    return SimpleNamespace(owner=owner, project=project, program=program, portfolio=portfolio)


def _version(kind: str, pk: int) -> int:
    return current_versions(kind, [pk])[pk]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_writer_bumps_the_input_version_in_its_transaction_and_notifies_after_commit(
    case, ctx, django_capture_on_commit_callbacks
):
    kwargs, kind, pk_of = case.arrange(ctx)
    pk = pk_of(ctx)
    before = _version(kind, pk)
    if "actor" in inspect.signature(case.service).parameters:
        kwargs = {"actor": ctx.owner, **kwargs}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case.service(**kwargs)
        # Still inside the writer's (the test's) transaction: nothing has committed yet.
        assert transaction.get_connection().in_atomic_block
        after = _version(kind, pk)
    assert after >= before + 1
    assert callbacks, "no after-commit notification was registered"


@pytest.mark.django_db
def test_a_writer_refused_by_validation_leaves_the_version_unchanged(ctx, django_capture_on_commit_callbacks):
    # The first line is written (and bumps the project) before the second is refused: the
    # whole call rolls back, the bump with it, and nothing is sent.
    before = _version("project", ctx.project.pk)
    good = {"category": CostCategoryFactory(), "period": FiscalPeriodFactory(number=4), "amount_delta": D("10")}
    bad = {"category": CostCategoryFactory(), "period": FiscalPeriodFactory(number=5), "amount_delta": D("0")}
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(ValidationError):
        gov.change_request_create(actor=ctx.owner, project=ctx.project, title="Scope", lines=[good, bad])
    assert _version("project", ctx.project.pk) == before
    assert not callbacks


@pytest.mark.django_db
def test_a_refused_schedule_edit_leaves_the_version_unchanged(ctx):
    before = _version("project", ctx.project.pk)
    with pytest.raises(ValidationError):
        schedule.task_create(actor=ctx.owner, project=ctx.project, name="M", is_milestone=True, duration_minutes=DAY)
    assert _version("project", ctx.project.pk) == before


def test_every_writer_is_exercised_or_allowed_to_stay_silent():
    exercised = {f"{case.service.__module__}.{case.service.__name__}" for case in CASES}
    found = writers()
    missing = found - exercised - set(ALLOWED_SILENT)
    assert not missing, f"writers that neither bump nor are allowed to stay silent: {sorted(missing)}"
    assert not (set(ALLOWED_SILENT) - found), "the allow-list names writers that no longer exist"
    assert not (set(ALLOWED_SILENT) & exercised), "an allowed-silent writer is exercised: drop it from the list"


# -- bulk writers -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_actuals_import_bumps_each_project_once_and_enqueues_it_once(
    ctx, tmp_path, django_capture_on_commit_callbacks
):
    from tests.budgets.money_setup import reference_data

    reference_data()
    path = write_csv(tmp_path / "gl.csv", [ledger_row(n) for n in range(1, 21)])
    before = _version("project", ctx.project.pk)
    importer = importer_for("actuals", open_table(path), LEDGER_MAPPING, actor=ctx.owner)
    with (
        mock.patch("reporting.tasks.project_recompute.apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = importer.run(label="gl.csv")
    assert report.created == 20
    assert _version("project", ctx.project.pk) == before + 1
    assert [c.args[0] for c in send.call_args_list] == [(ctx.project.pk,)]


LEDGER_MAPPING = {
    "date": "Posting Date",
    "amount": "Amount",
    "currency": "Currency",
    "category": "Cost Category",
    "project": "Project Code",
    "task": "Task",
    "source": "Source",
    "external_ref": "Document No",
    "vendor": "Supplier",
    "contract": "PO Number",
    "description": "Description",
}


# -- coalescing -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_burst_of_edits_to_one_project_sends_a_handful_of_recomputes(
    ctx, monkeypatch, django_capture_on_commit_callbacks
):
    """100 edits, each committed on its own (its callbacks run as a commit would run them), with
    a real broker configured (not eager) and the send recorded: the first claims the project's
    roll-up, the other 99 find it claimed and send nothing."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    line = BudgetLineFactory(project=ctx.project)
    with mock.patch("reporting.tasks.project_recompute.apply_async") as send:
        for n in range(100):
            with django_capture_on_commit_callbacks(execute=True):
                line = money.budget_line_update(actor=ctx.owner, budget_line=line, data={"amount": D(100 + n)})
    project_sends = [c for c in send.call_args_list if c.args[0] == (ctx.project.pk,)]
    assert 1 <= len(project_sends) <= 3
    assert _version("project", ctx.project.pk) >= 101


@pytest.mark.django_db
def test_schedule_edit_of_a_linked_project_propagates_after_commit(ctx, django_capture_on_commit_callbacks):
    other = _linked(ctx)
    task = Task.objects.filter(project=ctx.project).get()
    with (
        mock.patch("projects.tasks.schedule_propagate.apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        schedule.task_update(actor=ctx.owner, task=task, data={"duration_minutes": 6 * DAY})
    assert [c.args[0] for c in send.call_args_list] == [(ctx.project.pk,)]
    # Not propagated yet (the worker does it): the downstream project has not moved.
    assert Task.objects.get(project=other).start is None


@pytest.mark.django_db
def test_schedule_edit_of_an_unlinked_project_sends_no_propagation(ctx, django_capture_on_commit_callbacks):
    task = TaskFactory(project=ctx.project)
    with (
        mock.patch("projects.tasks.schedule_propagate.apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        schedule.task_update(actor=ctx.owner, task=task, data={"duration_minutes": 2 * DAY})
    assert not send.called


@pytest.mark.django_db
def test_request_schedules_the_edited_project_against_its_predecessors_current_dates(ctx):
    """The edited (downstream) project is rescheduled in the request with its cross-project
    predecessor where it stands: the Gantt moves at once."""
    other = _linked(ctx)
    schedule.schedule_propagate(project_id=ctx.project.pk)  # schedule both as they are
    downstream = Task.objects.get(project=other)
    assert downstream.start is not None
    schedule.task_update(actor=ctx.owner, task=downstream, data={"duration_minutes": 3 * DAY})
    downstream.refresh_from_db()
    upstream = Task.objects.get(project=ctx.project)
    assert downstream.start > upstream.finish
    assert downstream.finish > downstream.start
    # The worker's whole-network pass agrees with the request on the edited project's dates.
    assert schedule.schedule_propagate(project_id=ctx.project.pk) == ()
    assert Task.objects.values_list("start", "finish").get(pk=downstream.pk) == (downstream.start, downstream.finish)
