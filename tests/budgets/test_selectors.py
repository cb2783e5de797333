"""Money reads from the database: earned value for projects and programs, currency conversion,
the S-curve, budget vs actual vs forecast, contract burn, LCCE comparison, reserves — and that
their query counts do not grow with the rows."""

import datetime as dt
import functools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import evm
from budgets import selectors as money
from budgets.models import BudgetLine, CostEntry, FiscalPeriod, LifecycleCostLine
from budgets.selectors import (
    EV_ESTIMATED,
    EVM_QUERIES,
    LCCE_OTHER_PROGRAM,
    TASK_BUDGETS_DIFFER,
    MissingExchangeRate,
    contract_burn,
    convert,
    exchange_rate_on,
    fiscal_calendar_for,
    lcce_compare,
    reserve_status,
)
from budgets.services import budget_original_set, fiscal_periods_generate, reserve_drawdown
from projects.models import Baseline, BaselineTask
from staffing.selectors import labour_forecasts
from tests.factories.budgets import (
    BudgetLineFactory,
    ContractFactory,
    CostCategoryFactory,
    CostEntryFactory,
    CurrencyFactory,
    ExchangeRateFactory,
    FiscalCalendarFactory,
    ForecastFactory,
    LifecycleCostEstimateFactory,
    LifecycleCostLineFactory,
)
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.staffing import AllocationFactory, CostRateFactory, PersonFactory, RoleFactory

D = Decimal
UTC = dt.UTC

# The EVM selectors take the labour forecast as a parameter; these tests pass staffing's, as the cost pages do.
budget_by_period = functools.partial(money.budget_by_period, labour_forecasts=labour_forecasts)
evm_s_curve = functools.partial(money.evm_s_curve, labour_forecasts=labour_forecasts)
labour_forecast_by_period = functools.partial(money.labour_forecast_by_period, labour_forecasts=labour_forecasts)
program_evm = functools.partial(money.program_evm, labour_forecasts=labour_forecasts)
project_evm = functools.partial(money.project_evm, labour_forecasts=labour_forecasts)
project_evms = functools.partial(money.project_evms, labour_forecasts=labour_forecasts)


def at(y, m, d, hour=0):
    return dt.datetime(y, m, d, hour, tzinfo=UTC)


def allocate(project, *, start, end, hours, rate="100"):
    """A new person at `rate` an hour (EUR), booked `hours` a week on `project` from `start` to `end`."""
    portfolio = project.program.portfolio
    person = PersonFactory(portfolio=portfolio)
    CostRateFactory(person=person, effective_from=dt.date(2025, 1, 1), hourly_rate=D(rate))
    role = RoleFactory(portfolio=portfolio)
    return AllocationFactory(
        person=person, project=project, role=role, start=start, end=end, fte_percent=None, hours_per_week=D(hours)
    )


@pytest.fixture
def eur(db):
    return CurrencyFactory(code="EUR")


@pytest.fixture
def usd(db):
    return CurrencyFactory(code="USD")


@pytest.fixture
def usd_rate(usd, eur):
    """1 USD = 0.90 EUR from 1 Jan 2026."""
    return ExchangeRateFactory(from_currency=usd, to_currency=eur, rate=D("0.9"), valid_on=dt.date(2026, 1, 1))


@pytest.fixture
def calendar(db):
    calendar = FiscalCalendarFactory(name="Calendar year", is_default=True)
    fiscal_periods_generate(actor=None, calendar=calendar, first_year=2026)
    return calendar


@pytest.fixture
def periods(calendar):
    return {p.number: p for p in FiscalPeriod.objects.filter(calendar=calendar, fiscal_year=2026)}


@pytest.fixture
def category(db):
    return CostCategoryFactory(code="LAB")


@pytest.fixture
def budgeted(project, periods, category, eur, usd_rate):
    """The cast's project: budget 3,100 in January and 2,800 in February (100 a day), two tasks
    worth the same 5,900, progress recorded on 14 February, and actuals in EUR and USD."""
    project.status_date = dt.date(2026, 2, 14)
    project.save()
    BudgetLineFactory(project=project, category=category, period=periods[1], amount=D("3100"), currency=eur)
    BudgetLineFactory(project=project, category=category, period=periods[2], amount=D("2800"), currency=eur)
    TaskFactory(
        project=project,
        name="Design",
        cost=D("3000"),
        percent_complete=D("100"),
        actual_start=at(2026, 1, 5, 8),
        actual_finish=at(2026, 1, 20, 17),
    )
    TaskFactory(project=project, name="Build", cost=D("2900"), percent_complete=D("50"), actual_start=at(2026, 2, 1, 8))
    CostEntryFactory(project=project, category=category, date=dt.date(2026, 1, 10), amount=D("1000"), currency=eur)
    CostEntryFactory(
        project=project, category=category, date=dt.date(2026, 2, 5), amount=D("1000"), currency=usd_rate.from_currency
    )
    CostEntryFactory(project=project, category=category, date=dt.date(2026, 2, 10), amount=D("2500"), currency=eur)
    CostEntryFactory(project=project, category=category, date=dt.date(2026, 2, 20), amount=D("999"), currency=eur)
    return project


@pytest.mark.django_db
class TestProjectEvm:
    def test_pv_ev_ac_at_the_status_date(self, budgeted):
        report = project_evm(project=budgeted)
        figures = report.figures
        assert report.currency == "EUR"
        assert report.as_of == dt.date(2026, 2, 14)
        assert figures.bac == D(5900)
        assert figures.pv == D(4500)  # all of January, 14 days of February
        assert figures.ev == D(4450)  # 3,000 + 50 % of 2,900
        assert figures.ac == D(4400)  # 1,000 + 1,000 USD at 0.90 + 2,500; the 20 February entry is later
        assert figures.cpi == D(4450) / D(4400)
        assert TASK_BUDGETS_DIFFER not in report.warning_codes

    def test_pv_is_spread_linearly_within_a_period(self, budgeted):
        assert project_evm(project=budgeted, as_of=dt.date(2026, 1, 10)).figures.pv == D(1000)
        assert project_evm(project=budgeted, as_of=dt.date(2026, 1, 31)).figures.pv == D(3100)
        assert project_evm(project=budgeted, as_of=dt.date(2026, 6, 30)).figures.pv == D(5900)

    def test_earlier_ev_is_estimated_from_actual_dates(self, budgeted):
        report = project_evm(project=budgeted, as_of=dt.date(2026, 1, 31))
        assert report.figures.ev == D(3000)  # Design finished; Build had not started
        assert EV_ESTIMATED in report.warning_codes
        assert EV_ESTIMATED not in project_evm(project=budgeted).warning_codes

    def test_only_current_budget_counts(self, budgeted, periods, category, eur):
        BudgetLineFactory(
            project=budgeted,
            category=category,
            period=periods[3],
            amount=D("99999"),
            currency=eur,
            budget_version=BudgetLine.Version.ORIGINAL,
        )
        assert project_evm(project=budgeted).figures.bac == D(5900)

    def test_forecast_makes_a_bottom_up_eac(self, budgeted, periods, category, eur):
        ForecastFactory(project=budgeted, category=category, period=periods[2], amount=D("2800"), currency=eur)
        ForecastFactory(project=budgeted, category=category, period=periods[3], amount=D("1000"), currency=eur)
        figures = project_evm(project=budgeted).figures
        # The rest of February (14 of 28 days) and all of March are still to come.
        assert figures.eac_bottom_up == D(4400) + D(1400) + D(1000)
        assert figures.eac_method == evm.EacMethod.BOTTOM_UP

    def test_task_budgets_that_differ_from_bac_are_flagged(self, budgeted):
        TaskFactory(project=budgeted, cost=D("500"))
        assert TASK_BUDGETS_DIFFER in project_evm(project=budgeted).warning_codes

    def test_the_task_budget_warning_is_in_plain_words_with_formatted_money(self, budgeted):
        TaskFactory(project=budgeted, cost=D("914650"))  # with the plan's 5,900
        (warning,) = [w for w in project_evm(project=budgeted).warnings if w.code == TASK_BUDGETS_DIFFER]
        assert warning.message.startswith(
            "Task budgets add up to EUR\u00a0920,550.00, not the budget at completion EUR\u00a05,900.00,"
        )
        assert "task_budgets" not in warning.message

    def test_summary_tasks_are_not_counted_twice(self, budgeted):
        TaskFactory(project=budgeted, name="Phase", cost=D("5900"), percent_complete=D("75"), is_summary=True)
        assert project_evm(project=budgeted).figures.ev == D(4450)


@pytest.mark.django_db
class TestBaselineFallback:
    @pytest.fixture
    def baselined(self, program, eur):
        """A project with no budget lines: baseline 0 holds one task of 1,000 over ten days."""
        project = ProjectFactory(program=program, code="MOD-CRM", status_date=dt.date(2026, 3, 6))
        task = TaskFactory(project=project, cost=D("1200"), percent_complete=D("40"), actual_start=at(2026, 3, 2, 8))
        baseline = Baseline.objects.create(project=project, number=0)
        BaselineTask.objects.create(
            baseline=baseline, task=task, start=at(2026, 3, 2, 8), finish=at(2026, 3, 11, 17), cost=D("1000")
        )
        return project

    def test_pv_comes_from_baseline_costs_over_calendar_days(self, baselined):
        figures = project_evm(project=baselined).figures
        assert figures.bac == D(1000)
        assert figures.pv == D(500)  # 5 of 10 days
        assert figures.ev == D(400)  # 40 % of the baseline cost, not of Task.cost

    def test_program_sums_its_projects(self, budgeted, baselined):
        report = program_evm(program=budgeted.program, as_of=dt.date(2026, 3, 6))
        assert report.figures.bac == D(5900) + D(1000)
        assert report.figures.pv == D(5900) + D(500)
        assert report.figures.ev == D(4450) + D(400)
        assert report.figures.ac == D(4400) + D(999)


@pytest.mark.django_db
class TestCurrencyConversion:
    def test_rate_and_inverse(self, usd_rate):
        assert exchange_rate_on(currency="USD", to_currency="EUR", day=dt.date(2026, 5, 1)) == D("0.9")
        assert convert(amount=D("90"), currency="EUR", to_currency="USD", day=dt.date(2026, 5, 1)) == D(100)

    def test_newest_rate_on_or_before_the_day_is_used(self, usd_rate, usd, eur):
        ExchangeRateFactory(from_currency=usd, to_currency=eur, rate=D("0.8"), valid_on=dt.date(2026, 2, 1))
        assert exchange_rate_on(currency="USD", to_currency="EUR", day=dt.date(2026, 1, 31)) == D("0.9")
        assert exchange_rate_on(currency="USD", to_currency="EUR", day=dt.date(2026, 2, 1)) == D("0.8")

    def test_missing_rate_names_currency_and_date(self, usd_rate):
        with pytest.raises(MissingExchangeRate) as error:
            exchange_rate_on(currency="USD", to_currency="EUR", day=dt.date(2025, 12, 31))
        assert "USD" in str(error.value)
        assert "2025-12-31" in str(error.value)
        assert error.value.message_dict["currency"] == [str(error.value)]

    def test_actual_cost_without_a_rate_raises_never_zero(self, budgeted, category):
        gbp = CurrencyFactory(code="GBP")
        CostEntryFactory(project=budgeted, category=category, date=dt.date(2026, 2, 3), amount=D("10"), currency=gbp)
        with pytest.raises(MissingExchangeRate) as error:
            project_evm(project=budgeted)
        assert (error.value.currency, error.value.to_currency, error.value.date) == ("GBP", "EUR", dt.date(2026, 2, 3))
        assert "GBP" in str(error.value)
        assert "2026-02-03" in str(error.value)

    def test_budget_line_is_converted_at_its_period_start(self, budgeted, periods, category, usd, eur):
        BudgetLineFactory(project=budgeted, category=category, period=periods[3], amount=D("1000"), currency=usd)
        assert project_evm(project=budgeted).figures.bac == D(5900) + D(900)
        # A rate dated after the period started does not count for it.
        ExchangeRateFactory(from_currency=usd, to_currency=eur, rate=D("0.5"), valid_on=dt.date(2026, 3, 2))
        assert project_evm(project=budgeted).figures.bac == D(5900) + D(900)


@pytest.mark.django_db
class TestQueryCounts:
    def build(self, program, n, periods, category, eur, usd):
        project = ProjectFactory(program=program, status_date=dt.date(2026, 6, 15))
        for number in range(1, 7):
            BudgetLineFactory(project=project, category=category, period=periods[number], currency=eur)
        BudgetLineFactory(project=project, category=CostCategoryFactory(), period=periods[1], currency=usd)
        tasks = TaskFactory.create_batch(
            n, project=project, cost=D("100"), percent_complete=D("50"), actual_start=at(2026, 2, 2, 8)
        )
        baseline = Baseline.objects.create(project=project, number=0)
        BaselineTask.objects.bulk_create(
            [
                BaselineTask(baseline=baseline, task=t, start=at(2026, 1, 5), finish=at(2026, 3, 5), cost=D("90"))
                for t in tasks
            ]
        )
        CostEntry.objects.bulk_create(
            [
                CostEntry(
                    project=project,
                    category=category,
                    date=dt.date(2026, 1 + i % 5, 1 + i % 27),
                    amount=D("10"),
                    currency=usd if i % 3 else eur,
                    source=CostEntry.Source.LEDGER,
                )
                for i in range(n * 10)
            ]
        )
        ForecastFactory(project=project, category=category, period=periods[7], currency=eur)
        return project

    def count(self, call):
        with CaptureQueriesContext(connection) as captured:
            call()
        return len(captured)

    def test_project_and_program_evm_do_not_grow_with_rows(self, portfolio, periods, category, eur, usd, usd_rate):
        small_program = ProgramFactory(portfolio=portfolio)
        large_program = ProgramFactory(portfolio=portfolio)
        small = self.build(small_program, 3, periods, category, eur, usd)
        large = self.build(large_program, 40, periods, category, eur, usd)
        self.build(large_program, 40, periods, category, eur, usd)

        counts = {
            "project": [self.count(lambda p=p: project_evm(project=p)) for p in (small, large)],
            "program": [
                self.count(lambda p=p: program_evm(program=p, as_of=dt.date(2026, 6, 15)))
                for p in (small_program, large_program)
            ],
            "s-curve": [self.count(lambda p=p: evm_s_curve(project=p)) for p in (small, large)],
            "by period": [self.count(lambda p=p: budget_by_period(program=p)) for p in (small_program, large_program)],
        }
        assert counts["project"] == [EVM_QUERIES["project"] + 1] * 2  # + the rates, for USD
        assert counts["program"] == [EVM_QUERIES["program"] + 1] * 2
        assert counts["s-curve"][0] == counts["s-curve"][1]
        assert counts["by period"][0] == counts["by period"][1]

    def test_contract_burn_does_not_grow_with_contracts_or_invoices(
        self, program, project, category, eur, usd, usd_rate
    ):
        def contracts(n):
            made = []
            for _ in range(n):
                contract = ContractFactory(program=program, currency=usd)
                contract.projects.add(project)
                for i in range(n):
                    CostEntryFactory(
                        project=project,
                        category=category,
                        contract=contract,
                        vendor=contract.vendor,
                        source=CostEntry.Source.INVOICE,
                        currency=eur if i % 2 else usd,
                        date=dt.date(2026, 3, 1 + i),
                    )
                made.append(contract.pk)
            return made

        from budgets.models import Contract

        few, many = contracts(2), contracts(8)
        assert self.count(lambda: contract_burn(contracts=Contract.objects.filter(pk__in=few))) == self.count(
            lambda: contract_burn(contracts=Contract.objects.filter(pk__in=many))
        )


@pytest.mark.django_db
class TestCharts:
    def test_s_curve_by_period(self, budgeted):
        curve = evm_s_curve(project=budgeted)
        by_label = {p.period.label: p for p in curve.points}
        assert list(by_label) == ["FY2026 P01", "FY2026 P02"]
        january, february = by_label["FY2026 P01"], by_label["FY2026 P02"]
        assert (january.pv, january.ev, january.ac) == (D(3100), D(3000), D(1000))
        assert february.day == dt.date(2026, 2, 14)  # the status date, within its period
        assert (february.pv, february.ev, february.ac) == (D(4500), D(4450), D(4400))
        assert curve.eac == curve.report.figures.eac_cpi
        assert curve.eac_projection[0] == (dt.date(2026, 2, 14), D(4400))
        assert curve.eac_projection[1][1] == curve.eac

    def test_s_curve_leaves_the_future_empty(self, budgeted, periods, category, eur):
        BudgetLineFactory(project=budgeted, category=category, period=periods[4], amount=D("300"), currency=eur)
        curve = evm_s_curve(project=budgeted)
        future = [p for p in curve.points if p.period.start > curve.as_of]
        assert [p.period.number for p in future] == [3, 4]
        assert all(p.ev is None and p.ac is None for p in future)
        assert future[-1].pv == D(6200)

    def test_budget_vs_actual_vs_forecast(self, budgeted, periods, category, eur):
        budget_original_set(actor=None, project=budgeted)
        ForecastFactory(project=budgeted, category=category, period=periods[3], amount=D("700"), currency=eur)
        chart = budget_by_period(project=budgeted)
        rows = {row.period.number: row for row in chart.rows}
        assert chart.currency == "EUR"
        assert (rows[1].original, rows[1].budget, rows[1].actual, rows[1].forecast) == (D(3100), D(3100), D(1000), D(0))
        assert rows[2].actual == D(900) + D(2500) + D(999)
        assert rows[3].forecast == D(700)
        assert chart.total("budget") == D(5900)

    def test_budget_is_spread_into_another_calendars_periods(self, budgeted):
        federal = FiscalCalendarFactory(name="Federal", start_month=10)
        chart = budget_by_period(project=budgeted, calendar=federal)
        assert [(r.period.fiscal_year, r.period.number) for r in chart.rows] == [(2026, 4), (2026, 5)]
        assert chart.total("budget") == D(5900)

    def test_calendar_falls_back_to_the_calendar_year(self, portfolio):
        calendar = fiscal_calendar_for(portfolio=portfolio)
        assert calendar.pk is None
        assert calendar.start_month == 1

    def test_portfolio_calendar_wins_over_the_default(self, portfolio, calendar):
        own = FiscalCalendarFactory(name="Own", portfolio=portfolio, start_month=4)
        assert fiscal_calendar_for(portfolio=portfolio) == own

    def test_labour_seam_is_empty_without_allocations(self, project, calendar):
        assert labour_forecast_by_period(project, calendar) == {}

    def test_labour_seam_costs_remaining_allocation_hours_by_period(self, budgeted, calendar, eur):
        # Status date Saturday 14 February: the forecast runs from the 15th; February is clipped.
        allocate(budgeted, start=dt.date(2026, 2, 9), end=dt.date(2026, 3, 6), hours=40)
        seam = labour_forecast_by_period(budgeted, calendar)
        assert {(p.number, p.start): amount for p, amount in seam.items()} == {
            (2, dt.date(2026, 2, 15)): D(10 * 8 * 100),
            (3, dt.date(2026, 3, 1)): D(5 * 8 * 100),
        }

    def test_labour_seam_adds_to_project_etc_and_the_forecast_column(self, budgeted, periods, category, calendar, eur):
        ForecastFactory(project=budgeted, category=category, period=periods[4], amount=D("700"), currency=eur)
        assert project_evm(project=budgeted).figures.etc == D(700)  # bottom-up: the forecasts ahead
        allocate(budgeted, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 6), hours=40)
        assert project_evm(project=budgeted).figures.etc == D(4700)
        rows = {r.period.number: r.forecast for r in budget_by_period(project=budgeted).rows}
        assert (rows[3], rows[4]) == (D(4000), D(700))

    def test_manual_labour_forecast_wins_over_the_seam_in_its_period(self, budgeted, periods, calendar, eur):
        labour = CostCategoryFactory(code="STAFF", kind="labour")
        ForecastFactory(project=budgeted, category=labour, period=periods[3], amount=D("700"), currency=eur)
        allocate(budgeted, start=dt.date(2026, 3, 2), end=dt.date(2026, 4, 3), hours=40)
        rows = {r.period.number: r.forecast for r in budget_by_period(project=budgeted).rows}
        assert rows[3] == D(700)  # the manual labour forecast, not 700 + the allocation
        assert rows[4] == D(3 * 8 * 100)


STATUS = dt.date(2026, 2, 14)
BUDGETED_LABOUR = D(5 * 8 * 100)
SECOND_LABOUR = D(5 * 8 * 50)


@pytest.fixture
def staffed(budgeted, periods, category, eur):
    """Two projects of one program, each with allocations ahead: `budgeted` (status date Saturday
    14 February) books 40 h a week at 100 in 2-6 March; `second` (status date Friday 13 March)
    books 40 h a week at 50 in 2-20 March, of which 16-20 March is still ahead. `second` also
    has a manual (non-labour) forecast of 700 in April."""
    second = ProjectFactory(program=budgeted.program, code="MOD-HR", status_date=dt.date(2026, 3, 13))
    ForecastFactory(project=second, category=category, period=periods[4], amount=D("700"), currency=eur)
    allocate(budgeted, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 6), hours=40)
    allocate(second, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 20), hours=40, rate="50")
    return budgeted, second


@pytest.mark.django_db
class TestProgramLabourForecast:
    def test_program_etc_includes_every_projects_allocations(self, staffed):
        budgeted, _ = staffed
        figures = program_evm(program=budgeted.program, as_of=STATUS).figures
        assert figures.etc == BUDGETED_LABOUR + SECOND_LABOUR + D(700)
        assert figures.eac_bottom_up == figures.ac + figures.etc

    def test_program_s_curve_etc_includes_the_labour(self, staffed):
        budgeted, _ = staffed
        curve = evm_s_curve(program=budgeted.program, as_of=STATUS)
        assert curve.report.figures.etc == BUDGETED_LABOUR + SECOND_LABOUR + D(700)

    def test_program_forecast_column_includes_every_projects_allocations(self, staffed):
        budgeted, _ = staffed
        rows = {r.period.number: r.forecast for r in budget_by_period(program=budgeted.program).rows}
        assert (rows[2], rows[3], rows[4]) == (D(0), BUDGETED_LABOUR + SECOND_LABOUR, D(700))

    def test_project_rows_add_up_to_the_program(self, staffed):
        budgeted, second = staffed
        program = program_evm(program=budgeted.program, as_of=STATUS).figures
        rows = project_evms(program=budgeted.program, projects=[budgeted, second], as_of=STATUS)
        assert rows[budgeted.pk].figures.etc == BUDGETED_LABOUR
        assert rows[second.pk].figures.etc == SECOND_LABOUR + D(700)
        assert rows[budgeted.pk].figures.etc == project_evm(project=budgeted, as_of=STATUS).figures.etc
        assert sum(r.figures.etc for r in rows.values()) == program.etc
        assert sum(r.figures.eac_bottom_up for r in rows.values()) == program.eac_bottom_up

    def test_a_projects_manual_labour_forecast_still_wins_at_program_level(self, staffed, periods, eur):
        budgeted, second = staffed
        labour = CostCategoryFactory(code="STAFF", kind="labour")
        ForecastFactory(project=second, category=labour, period=periods[3], amount=D("300"), currency=eur)
        rows = {r.period.number: r.forecast for r in budget_by_period(program=budgeted.program).rows}
        # second's March allocation gives way to its manual figure; budgeted's still counts.
        assert rows[3] == BUDGETED_LABOUR + D(300)
        assert program_evm(program=budgeted.program, as_of=STATUS).figures.etc == BUDGETED_LABOUR + D(300) + D(700)
        by_project = project_evms(program=budgeted.program, projects=[budgeted, second], as_of=STATUS)
        assert by_project[second.pk].figures.etc == D(300) + D(700)

    def test_program_query_count_does_not_grow_with_projects_or_allocations(self, portfolio, calendar):
        def build(projects, allocations):
            program = ProgramFactory(portfolio=portfolio)
            made = [ProjectFactory(program=program, status_date=STATUS) for _ in range(projects)]
            for project in made:
                for week in range(allocations):
                    start = dt.date(2026, 3, 2) + dt.timedelta(weeks=week)
                    allocate(project, start=start, end=start + dt.timedelta(days=4), hours=20)
            return program, made

        def count(call):
            with CaptureQueriesContext(connection) as captured:
                call()
            return len(captured)

        small, large = build(1, 1), build(4, 6)
        counts = {"evm": [], "project rows": [], "by period": []}
        for program, projects in (small, large):
            counts["evm"].append(count(lambda p=program: program_evm(program=p, as_of=STATUS)))
            counts["project rows"].append(
                count(lambda p=program, ps=projects: project_evms(program=p, projects=ps, as_of=STATUS))
            )
            counts["by period"].append(count(lambda p=program: budget_by_period(program=p)))
        assert program_evm(program=large[0], as_of=STATUS).figures.etc == D(4 * 6 * 20 * 100)  # the labour is there
        # Allocations ahead add the seam's cost rates, absences and manual labour forecasts.
        assert counts["evm"] == [EVM_QUERIES["program"] + 3] * 2
        assert counts["project rows"] == [EVM_QUERIES["program"] + 3] * 2
        assert counts["by period"][0] == counts["by period"][1]


@pytest.mark.django_db
class TestContractBurn:
    def test_invoiced_against_obligated_and_ceiling(self, program, project, category, usd, eur, usd_rate):
        contract = ContractFactory(program=program, currency=usd, ceiling=D("10000"), obligated=D("4000"))
        contract.projects.add(project)
        invoice = {"project": project, "category": category, "contract": contract, "source": CostEntry.Source.INVOICE}
        CostEntryFactory(**invoice, amount=D("1000"), currency=usd, date=dt.date(2026, 3, 1))
        CostEntryFactory(**invoice, amount=D("900"), currency=eur, date=dt.date(2026, 3, 2))  # = 1,000 USD
        CostEntryFactory(
            project=project, category=category, contract=contract, amount=D("5"), currency=usd
        )  # not an invoice
        [burn] = contract_burn(contracts=[contract])
        assert burn.currency == "USD"
        assert burn.invoiced == D(2000)
        assert burn.remaining_obligation == D(2000)
        assert burn.unobligated_ceiling == D(6000)
        assert burn.percent_of_obligated == D(50)
        assert burn.percent_of_ceiling == D(20)
        assert not burn.over_obligated

    def test_zero_obligation_leaves_percentage_undefined(self, program):
        [burn] = contract_burn(contracts=[ContractFactory(program=program, obligated=D("0"))])
        assert burn.percent_of_obligated is None


@pytest.mark.django_db
class TestLcceCompare:
    def test_two_versions_side_by_side(self, program, category, eur, usd, usd_rate):
        v1 = LifecycleCostEstimateFactory(program=program, number=1)
        v2 = LifecycleCostEstimateFactory(program=program, number=2)
        phase = LifecycleCostLine.Phase
        LifecycleCostLineFactory(
            estimate=v1, phase=phase.RND, fiscal_year=2026, category=category, amount=D("100"), currency=eur
        )
        LifecycleCostLineFactory(
            estimate=v1, phase=phase.OPERATIONS, fiscal_year=2027, category=category, amount=D("50"), currency=eur
        )
        LifecycleCostLineFactory(
            estimate=v2, phase=phase.RND, fiscal_year=2026, category=category, amount=D("150"), currency=eur
        )
        LifecycleCostLineFactory(
            estimate=v2, phase=phase.DISPOSAL, fiscal_year=2030, category=category, amount=D("100"), currency=usd
        )
        comparison = lcce_compare(left=v1, right=v2)
        assert [(r.phase, r.fiscal_year, r.left, r.right) for r in comparison.rows] == [
            ("rnd", 2026, D(100), D(150)),
            ("om", 2027, D(50), D(0)),
            ("disposal", 2030, D(0), D(90)),
        ]
        assert comparison.delta == D(240) - D(150)
        assert comparison.phase_totals()["rnd"] == (D(100), D(150))

    def test_delta_is_newer_minus_older_whichever_is_passed_first(self, program, category, eur):
        v1 = LifecycleCostEstimateFactory(program=program, number=1)
        v2 = LifecycleCostEstimateFactory(program=program, number=2)
        LifecycleCostLineFactory(estimate=v1, fiscal_year=2026, category=category, amount=D("100"), currency=eur)
        LifecycleCostLineFactory(estimate=v2, fiscal_year=2026, category=category, amount=D("130"), currency=eur)
        comparison = lcce_compare(left=v2, right=v1)
        assert (comparison.left, comparison.right) == (v1, v2)
        assert (comparison.delta, comparison.rows[0].delta, comparison.delta_label) == (D(30), D(30), "v2 − v1")

    def test_versions_of_different_programs_are_refused(self, program):
        with pytest.raises(ValueError, match=LCCE_OTHER_PROGRAM):
            lcce_compare(left=LifecycleCostEstimateFactory(program=program), right=LifecycleCostEstimateFactory())


@pytest.mark.django_db
def test_reserve_status_subtracts_drawdowns(project, owner):
    project.contingency_reserve, project.management_reserve = D("1000"), D("500")
    project.save()
    reserve_drawdown(actor=owner, project=project, reserve="contingency", amount=D("300"), reason="Risk R-7 occurred")
    status = reserve_status(project=project)
    assert (status.contingency_remaining, status.management_remaining) == (D(700), D(500))
