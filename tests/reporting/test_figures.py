"""A project's roll-up figures equal what the pages' own selectors say for the same project (tasks,
an approved baseline, costs, risks, allocations, a gate, a change request, a status report);
a program's are sums and ratios of its open projects' rows; the query count does not grow."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.selectors import project_evm
from budgets.services import fiscal_periods_generate
from governance.selectors import program_governance_summary
from projects.models import Project
from projects.selectors.schedule import project_schedule
from projects.services import status_report_submit
from projects.services.schedule import baseline_set, task_create
from reporting.models import ProgramRollup, ProjectRollup
from reporting.services import rollups
from reporting.services.figures import project_figures
from risks.selectors import project_exposure
from staffing.selectors import labour_forecasts, staffing_gaps
from tests.factories.budgets import CostCategoryFactory, CostEntryFactory, CurrencyFactory, FiscalCalendarFactory
from tests.factories.governance import ChangeRequestFactory, StageGateFactory
from tests.factories.projects import ProjectFactory
from tests.factories.risks import RiskFactory
from tests.factories.staffing import AllocationFactory, PersonFactory, StaffingRequestFactory
from tests.factories.users import UserFactory

D = Decimal
AS_OF = dt.date(2026, 3, 16)
STATUS = dt.date(2026, 3, 13)

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(db):
    calendar = FiscalCalendarFactory(name="Calendar year", is_default=True)
    fiscal_periods_generate(actor=None, calendar=calendar, first_year=2026)
    return {"eur": CurrencyFactory(code="EUR"), "category": CostCategoryFactory(code="LAB")}


def build(project, money, *, tasks: int = 2, costs: int = 2):
    """`tasks` worked tasks (plus three milestones), baseline 0 approved, then a longer task that slips
    the finish; `costs` cost entries; two risks (one critical); a person over-allocated this
    month on it; a request; an overdue gate; a submitted change request; a red report."""
    project.planned_start = dt.date(2026, 1, 5)
    project.status_date = STATUS
    project.save()
    for n in range(tasks):
        task_create(
            actor=None,
            project=project,
            name=f"Work {n}",
            duration_minutes=480 * 10,
            cost=D("5000"),
            percent_complete=D("100") if n == 0 else D("40"),
            actual_start=dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC),
        )
    for name, constraint, day in (
        ("Sign-off", "MSO", dt.date(2026, 2, 2)),  # late on AS_OF
        ("Pilot", "SNET", dt.date(2026, 4, 1)),  # due within 30 days
        ("Go-live", "SNET", dt.date(2026, 5, 20)),  # due within 90 days
    ):
        task_create(
            actor=None,
            project=project,
            name=name,
            duration_minutes=0,
            is_milestone=True,
            constraint_type=constraint,
            constraint_date=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
        )
    baseline_set(actor=None, project=project, number=0, approved=True)
    task_create(actor=None, project=project, name="Late extra", duration_minutes=480 * 80)
    for n in range(costs):
        CostEntryFactory(
            project=project,
            category=money["category"],
            currency=money["eur"],
            date=dt.date(2026, 2, 1) + dt.timedelta(days=n),
            amount=D("1500"),
        )
    RiskFactory(project=project, probability=5, impact=5, cost_impact=D("20000"))
    RiskFactory(project=project, probability=2, impact=2, cost_impact=D("1000"))
    person = PersonFactory(portfolio=project.program.portfolio)
    AllocationFactory(project=project, person=person, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 27))
    other = ProjectFactory(program=project.program)
    AllocationFactory(
        project=other, person=person, fte_percent=D(80), start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 27)
    )
    StaffingRequestFactory(project=project, start=dt.date(2026, 3, 2), end=dt.date(2026, 4, 24))
    StageGateFactory(project=project, from_phase="planning", to_phase="execution", planned_date=dt.date(2026, 3, 1))
    ChangeRequestFactory(project=project, currency=money["eur"], status="submitted")
    status_report_submit(
        actor=UserFactory(),
        project=project,
        period_end=dt.date(2026, 2, 28),
        overall_rag="red",
        schedule_rag="red",
        cost_rag="amber",
        scope_rag="green",
        risk_rag="amber",
        percent_complete=D(30),
        summary="Late.",
    )
    return project


def test_project_figures_equal_the_pages_selectors(project, money, owner):
    build(project, money)
    figures = project_figures(project, as_of=AS_OF)
    project = Project.objects.select_related("program__portfolio").get(pk=project.pk)

    evm = project_evm(project=project, as_of=STATUS, labour_forecasts=labour_forecasts).figures
    assert figures["bac"] == evm.bac == D("10000.00")
    cents = D("0.01")
    assert figures["pv"] == evm.pv.quantize(cents)
    assert figures["ev"] == evm.ev.quantize(cents)
    assert figures["ac"] == evm.ac == D("3000.00")
    assert figures["cpi"] == evm.cpi.quantize(D("0.0001"))
    assert figures["spi"] == evm.spi.quantize(D("0.0001"))
    assert figures["eac"] == evm.eac.quantize(cents)

    schedule = project_schedule(project=project)
    assert figures["forecast_finish"] == project.forecast_finish_day
    assert figures["slip_working_days"] == round(schedule.finish_variance_minutes / 480) > 0
    assert figures["baseline_finish"] == schedule.baseline_finish.date()
    assert figures["critical_path_working_days"] >= 80  # at least the longest task
    assert (figures["milestones_late"], figures["milestones_due_30"], figures["milestones_due_90"]) == (1, 1, 2)

    exposure = project_exposure(project=project).total
    assert figures["emv"] == exposure.emv > 0
    assert figures["exposure_uncovered"] == exposure.uncovered == exposure.emv  # no reserve set aside
    assert (figures["risks_critical"], figures["risks_high"]) == (1, 0)

    gaps = staffing_gaps(Project.objects.filter(pk=project.pk), current_from=AS_OF)
    assert figures["fte_requested"] == D("1.00")
    assert figures["fte_allocated"] == (D(1) - gaps.unfilled_fte).quantize(D("0.01"))
    assert figures["people_overallocated"] == 1

    card = program_governance_summary(program=project.program, user=owner, today=AS_OF)
    assert figures["gates_due"] == card.gates_due_count == 1
    assert figures["change_requests_waiting"] == card.awaiting_count == 1

    assert figures["last_status_report_on"] == dt.date(2026, 2, 28)
    assert figures["last_actuals_on"] == dt.date(2026, 2, 2)
    assert figures["reported_rag"] == "red"
    assert figures["health_schedule"] == "red"
    assert figures["health_reasons"]["schedule"].startswith("SPI") or "slip 15" in figures["health_reasons"]["schedule"]
    assert figures["health_governance"] == "amber"
    assert figures["health_overall"] == "red"
    assert figures["health_disagrees"] is False


def test_program_figures_are_sums_and_ratios_of_open_projects(program, money):
    build(ProjectFactory(program=program, code="P-ONE"), money)
    build(ProjectFactory(program=program, code="P-TWO"), money, tasks=3, costs=4)
    closed = ProjectFactory(program=program, code="P-DONE", status=Project.Status.COMPLETED)
    for p in Project.objects.filter(program=program):
        rollups.project_rollup_recompute(project_id=p.pk, as_of=AS_OF)
    rollups.program_rollup_recompute(program_id=program.pk, as_of=AS_OF)
    row = ProgramRollup.objects.get(program=program)
    rows = list(ProjectRollup.objects.filter(project__program=program).exclude(project=closed))
    ev = sum(r.ev for r in rows if r.ev is not None)
    ac = sum(r.ac for r in rows if r.ac is not None)
    pv = sum(r.pv for r in rows if r.pv is not None)
    assert ac > 0
    assert pv > 0
    assert row.ev == ev
    assert row.ac == ac
    assert row.bac == sum(r.bac for r in rows if r.bac is not None)
    assert row.cpi == (ev / ac).quantize(D("0.0001"))
    assert row.spi == (ev / pv).quantize(D("0.0001"))
    assert row.emv == sum(r.emv for r in rows)  # no program-level risks here
    assert row.risks_critical == 2
    assert row.projects_open == 4  # two built, each with a neighbour; the completed one left out
    assert row.projects_red == sum(1 for r in rows if r.health_overall == "red")
    assert row.reported_rag == "red"
    # Each built project shares its over-allocated person with its neighbour: counted once each.
    assert sum(r.people_overallocated for r in rows) == 4
    assert row.people_overallocated == 2
    assert ProjectRollup.objects.filter(project=closed).exists()


def test_project_figures_query_count_does_not_grow_with_rows(program, money, django_assert_max_num_queries):
    small = build(ProjectFactory(program=program, code="SMALL"), money, tasks=2, costs=2)
    large = build(ProjectFactory(program=program, code="LARGE"), money, tasks=10, costs=10)
    with CaptureQueriesContext(connection) as captured:
        project_figures(small, as_of=AS_OF)
    with django_assert_max_num_queries(len(captured)):
        project_figures(large, as_of=AS_OF)
