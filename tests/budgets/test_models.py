"""Money models: fiscal period arithmetic, field-named validation, database constraints, and the
access helpers (who sees and who edits money)."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

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
from budgets.models.contracts import CONTRACT_DATES_ORDERED
from portfolio.models import Membership
from tests.factories.budgets import (
    BudgetLineFactory,
    ContractFactory,
    CostCategoryFactory,
    CostEntryFactory,
    CurrencyFactory,
    ExchangeRateFactory,
    FiscalCalendarFactory,
    FiscalPeriodFactory,
    ForecastFactory,
    LifecycleCostEstimateFactory,
    LifecycleCostLineFactory,
    VendorFactory,
)
from tests.factories.portfolio import MembershipFactory, ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.users import UserFactory

Role = Membership.Role


class TestFiscalCalendarArithmetic:
    """Pure period arithmetic: no database."""

    def test_calendar_year(self):
        calendar = FiscalCalendar(start_month=1)
        assert calendar.fiscal_year_of(dt.date(2026, 12, 31)) == 2026
        assert calendar.period_of(dt.date(2026, 2, 14)) == (2026, 2, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
        assert calendar.quarter_of(dt.date(2026, 7, 1)) == 3

    def test_us_federal_year_is_named_by_its_end(self):
        federal = FiscalCalendar(start_month=10, year_label=FiscalCalendar.YearLabel.END)
        assert federal.fiscal_year_of(dt.date(2025, 10, 1)) == 2026
        assert federal.fiscal_year_of(dt.date(2026, 9, 30)) == 2026
        assert federal.period_number_of(dt.date(2025, 12, 5)) == 3
        assert federal.quarter_of(dt.date(2026, 1, 10)) == 2
        assert federal.year_bounds(2026) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))

    def test_japanese_year_is_named_by_its_start(self):
        japan = FiscalCalendar(start_month=4, year_label=FiscalCalendar.YearLabel.START)
        assert japan.fiscal_year_of(dt.date(2026, 3, 31)) == 2025
        assert japan.period_bounds(2025, 12) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))

    def test_periods_of_year_cover_it_without_gaps(self):
        spans = FiscalCalendar(start_month=7).periods_of_year(2026)
        assert [s.number for s in spans] == list(range(1, 13))
        assert spans[0].start == dt.date(2025, 7, 1)
        assert all(b.start == a.end + dt.timedelta(days=1) for a, b in itertools.pairwise(spans))
        assert spans[7].label == "FY2026 P08"
        assert spans[7].end == dt.date(2026, 2, 28)

    def test_periods_between_spans_a_range(self):
        spans = FiscalCalendar(start_month=1).periods_between(dt.date(2026, 1, 20), dt.date(2026, 3, 1))
        assert [(s.fiscal_year, s.number) for s in spans] == [(2026, 1), (2026, 2), (2026, 3)]

    def test_bad_period_number_is_refused(self):
        with pytest.raises(ValueError, match="1 to 12"):
            FiscalCalendar(start_month=1).period_bounds(2026, 13)


@pytest.mark.django_db
class TestValidationNamesTheField:
    def test_negative_contract_ceiling(self):
        contract = ContractFactory.build(
            program=ProgramFactory(), vendor=VendorFactory(), currency=CurrencyFactory(), ceiling=Decimal("-1")
        )
        with pytest.raises(ValidationError) as error:
            contract.full_clean()
        assert "ceiling" in error.value.message_dict

    def test_contract_ending_before_it_starts(self):
        contract = ContractFactory.build(
            program=ProgramFactory(),
            vendor=VendorFactory(),
            currency=CurrencyFactory(),
            period_start=dt.date(2026, 6, 1),
            period_end=dt.date(2026, 5, 31),
        )
        with pytest.raises(ValidationError) as error:
            contract.full_clean()
        assert error.value.message_dict["period_end"] == [CONTRACT_DATES_ORDERED]

    def test_obligated_above_ceiling(self):
        contract = ContractFactory.build(
            program=ProgramFactory(),
            vendor=VendorFactory(),
            currency=CurrencyFactory(),
            ceiling=Decimal("10"),
            obligated=Decimal("11"),
        )
        with pytest.raises(ValidationError) as error:
            contract.full_clean()
        assert "obligated" in error.value.message_dict

    def test_negative_budget_and_forecast_amounts(self):
        for factory in (BudgetLineFactory, ForecastFactory):
            row = factory.build(
                project=ProjectFactory(),
                category=CostCategoryFactory(),
                period=FiscalPeriodFactory(),
                currency=CurrencyFactory(),
                amount=Decimal("-5"),
            )
            with pytest.raises(ValidationError) as error:
                row.full_clean()
            assert "amount" in error.value.message_dict

    def test_rate_must_be_positive_and_between_two_currencies(self):
        eur = CurrencyFactory(code="EUR")
        with pytest.raises(ValidationError) as error:
            ExchangeRate(
                from_currency=eur, to_currency=eur, rate=Decimal("0"), valid_on=dt.date(2026, 1, 1)
            ).full_clean()
        assert {"rate", "to_currency"} <= set(error.value.message_dict)

    def test_currency_code_is_iso(self):
        with pytest.raises(ValidationError) as error:
            Currency(code="eu", name="Bad").full_clean()
        assert "code" in error.value.message_dict

    def test_cost_entry_task_from_another_project(self):
        from tests.factories.projects import TaskFactory

        entry = CostEntryFactory.build(
            project=ProjectFactory(),
            task=TaskFactory(),
            category=CostCategoryFactory(),
            currency=CurrencyFactory(),
        )
        with pytest.raises(ValidationError) as error:
            entry.full_clean()
        assert "task" in error.value.message_dict

    def test_invoice_without_contract(self):
        entry = CostEntryFactory.build(
            project=ProjectFactory(),
            category=CostCategoryFactory(),
            currency=CurrencyFactory(),
            source=CostEntry.Source.INVOICE,
        )
        with pytest.raises(ValidationError) as error:
            entry.full_clean()
        assert "contract" in error.value.message_dict

    def test_drawdown_scope_must_match(self):
        drawdown = ReserveTransaction(
            scope=ReserveTransaction.Scope.PROGRAM,
            project=ProjectFactory(),
            reserve=ReserveTransaction.Reserve.CONTINGENCY,
            amount=Decimal("1"),
            reason="x",
        )
        with pytest.raises(ValidationError) as error:
            drawdown.full_clean()
        assert "scope" in error.value.message_dict


@pytest.mark.django_db
class TestDatabaseConstraints:
    """The database refuses what validation would, for writes that skip full_clean."""

    def refused(self, make):
        with pytest.raises(IntegrityError), transaction.atomic():
            make()

    def test_contract_constraints(self):
        self.refused(lambda: ContractFactory(ceiling=Decimal("-1"), obligated=Decimal("0")))
        self.refused(lambda: ContractFactory(period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 1, 1)))
        self.refused(lambda: ContractFactory(ceiling=Decimal("5"), obligated=Decimal("6")))

    def test_one_rate_per_pair_and_day(self):
        ExchangeRateFactory()
        self.refused(lambda: ExchangeRateFactory())

    def test_external_ref_is_unique_per_source(self):
        CostEntryFactory(external_ref="GL-1", source=CostEntry.Source.LEDGER)
        CostEntryFactory(external_ref="GL-1", source=CostEntry.Source.TIMESHEET)
        self.refused(lambda: CostEntryFactory(external_ref="GL-1", source=CostEntry.Source.LEDGER))
        CostEntryFactory(external_ref="", source=CostEntry.Source.LEDGER)
        CostEntryFactory(external_ref="", source=CostEntry.Source.LEDGER)

    def test_one_budget_line_per_cell_and_version(self):
        line = BudgetLineFactory()
        BudgetLineFactory(
            project=line.project, category=line.category, period=line.period, budget_version=BudgetLine.Version.ORIGINAL
        )
        self.refused(lambda: BudgetLineFactory(project=line.project, category=line.category, period=line.period))

    def test_period_number_and_dates(self):
        self.refused(lambda: FiscalPeriodFactory(number=13, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31)))
        self.refused(lambda: FiscalPeriodFactory(number=2, start=dt.date(2026, 3, 1), end=dt.date(2026, 2, 1)))

    def test_one_default_calendar_and_it_is_shared(self):
        FiscalCalendarFactory(is_default=True)
        self.refused(lambda: FiscalCalendarFactory(is_default=True))
        from tests.factories.portfolio import PortfolioFactory

        self.refused(lambda: FiscalCalendar.objects.create(name="Own", portfolio=PortfolioFactory(), is_default=True))

    def test_approved_estimate_records_when(self):
        self.refused(lambda: LifecycleCostEstimateFactory(status=LifecycleCostEstimate.Status.APPROVED))

    def test_reserves_cannot_be_negative(self):
        project = ProjectFactory()
        from projects.models import Project

        self.refused(lambda: Project.objects.filter(pk=project.pk).update(management_reserve=Decimal("-1")))


# -- access helpers ------------------------------------------------------------------------------


@pytest.fixture
def finance_analyst(project):
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, role=Role.FINANCE_ANALYST, project=project)
    return user


@pytest.fixture
def money(project, program):
    """One row of every kind of money around the cast's project and program."""
    eur = CurrencyFactory(code="EUR")
    category = CostCategoryFactory(code="LAB")
    period = FiscalPeriodFactory()
    contract = ContractFactory(program=program, currency=eur)
    contract.projects.add(project)
    estimate = LifecycleCostEstimateFactory(program=program)
    return {
        BudgetLine: BudgetLineFactory(project=project, category=category, period=period, currency=eur),
        CostEntry: CostEntryFactory(project=project, category=category, currency=eur),
        Forecast: ForecastFactory(project=project, category=category, period=period, currency=eur),
        Contract: contract,
        ContractSecurityRequirement: ContractSecurityRequirement.objects.create(contract=contract, requirement="ISO"),
        LifecycleCostEstimate: estimate,
        LifecycleCostLine: LifecycleCostLineFactory(estimate=estimate, category=category, currency=eur),
        ReserveTransaction: ReserveTransaction.objects.create(
            scope="program", program=program, reserve="contingency", amount=Decimal("1"), reason="Risk R-1"
        ),
        Vendor: contract.vendor,
    }


PROJECT_MONEY = [BudgetLine, CostEntry, Forecast]
PROGRAM_MONEY = [Contract, ContractSecurityRequirement, LifecycleCostEstimate, LifecycleCostLine, ReserveTransaction]
SCOPED = [*PROJECT_MONEY, *PROGRAM_MONEY, Vendor]


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("model", PROJECT_MONEY + PROGRAM_MONEY, ids=lambda m: m.__name__)
    def test_outsider_sees_nothing(self, model, money, outsider):
        assert money[model] not in model.objects.visible_to(outsider)
        assert money[model] not in model.objects.editable_by(outsider)

    def test_user_without_memberships_sees_no_money(self, money):
        nobody = UserFactory(username="nobody")
        for model in SCOPED:
            assert not model.objects.visible_to(nobody).exists(), model

    @pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
    def test_member_reads_but_edits_nothing(self, model, money, member):
        assert money[model] in model.objects.visible_to(member)
        assert not model.objects.editable_by(member).exists()

    @pytest.mark.parametrize("model", PROJECT_MONEY, ids=lambda m: m.__name__)
    def test_finance_analyst_edits_project_money(self, model, money, finance_analyst):
        assert money[model] in model.objects.editable_by(finance_analyst)

    @pytest.mark.parametrize("model", PROGRAM_MONEY, ids=lambda m: m.__name__)
    def test_project_level_analyst_reads_but_does_not_edit_program_money(self, model, money, finance_analyst):
        assert money[model] in model.objects.visible_to(finance_analyst)
        assert money[model] not in model.objects.editable_by(finance_analyst)

    @pytest.mark.parametrize("model", PROGRAM_MONEY, ids=lambda m: m.__name__)
    def test_program_finance_analyst_edits_program_money(self, model, money, program):
        analyst = UserFactory(username="program-analyst")
        MembershipFactory(user=analyst, role=Role.FINANCE_ANALYST, program=program)
        assert money[model] in model.objects.editable_by(analyst)

    @pytest.mark.parametrize("model", PROJECT_MONEY, ids=lambda m: m.__name__)
    def test_project_manager_edits_project_money(self, model, money, project_manager):
        assert money[model] in model.objects.editable_by(project_manager)

    def test_executive_reads_all_money_and_edits_none(self, money, executive):
        for model in SCOPED:
            assert money[model] in model.objects.visible_to(executive), model
            assert not model.objects.editable_by(executive).exists(), model

    def test_anonymous_sees_nothing(self, money):
        from django.contrib.auth.models import AnonymousUser

        for model in [*SCOPED, Currency, ExchangeRate, CostCategory, FiscalCalendar, FiscalPeriod]:
            assert not model.objects.visible_to(AnonymousUser()).exists(), model

    def test_vendor_register_is_shared_by_contract_managers(self, money, outsider):
        # The outsider manages another program: the register is shared, contracts are not.
        assert money[Vendor] in Vendor.objects.visible_to(outsider)
        assert money[Vendor] in Vendor.objects.editable_by(outsider)
        assert money[Contract] not in Contract.objects.visible_to(outsider)

    def test_contract_is_seen_from_a_linked_project_of_another_program(self, money, program):
        # A contract links only its own program's projects, but the helper looks at the link.
        user = UserFactory(username="linked")
        elsewhere = ProjectFactory()
        MembershipFactory(user=user, role=Role.TEAM_MEMBER, project=elsewhere)
        money[Contract].projects.add(elsewhere)
        assert money[Contract] in Contract.objects.visible_to(user)


@pytest.mark.django_db
class TestReferenceDataAccess:
    @pytest.fixture
    def reference(self, portfolio):
        eur, usd = CurrencyFactory(code="EUR"), CurrencyFactory(code="USD")
        shared = FiscalCalendarFactory(name="Shared")
        own = FiscalCalendarFactory(name="Own", portfolio=portfolio)
        return {
            Currency: eur,
            ExchangeRate: ExchangeRateFactory(from_currency=usd, to_currency=eur),
            CostCategory: CostCategoryFactory(),
            FiscalCalendar: shared,
            FiscalPeriod: FiscalPeriodFactory(calendar=shared),
            "own": own,
        }

    def test_everyone_signed_in_reads_shared_reference_data(self, reference, outsider, member):
        for model in (Currency, ExchangeRate, CostCategory, FiscalCalendar, FiscalPeriod):
            assert reference[model] in model.objects.visible_to(outsider)
            assert reference[model] in model.objects.visible_to(member)

    def test_portfolio_calendar_is_private_to_the_portfolio(self, reference, outsider, member):
        assert reference["own"] not in FiscalCalendar.objects.visible_to(outsider)
        assert reference["own"] in FiscalCalendar.objects.visible_to(member)

    def test_portfolio_finance_analyst_maintains_rates_and_calendars(self, reference, portfolio):
        analyst = UserFactory(username="fa")
        MembershipFactory(user=analyst, role=Role.FINANCE_ANALYST, portfolio=portfolio)
        for model in (Currency, ExchangeRate, CostCategory, FiscalCalendar, FiscalPeriod):
            assert reference[model] in model.objects.editable_by(analyst)
        assert reference["own"] in FiscalCalendar.objects.editable_by(analyst)

    def test_others_do_not_maintain_reference_data(self, reference, owner, outsider, member):
        for user in (owner, outsider, member):
            for model in (Currency, ExchangeRate, CostCategory, FiscalCalendar):
                assert not model.objects.editable_by(user).exists(), (user, model)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [*SCOPED, Currency, ExchangeRate, CostCategory, FiscalCalendar, FiscalPeriod],
    ids=lambda m: m.__name__,
)
def test_admin_lists_and_opens_every_money_model(model, money, client_for, settings):
    # The manifest storage needs `collectstatic`; pages render here without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = client_for(admin)
    opts = model._meta
    assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/").status_code == 200
    row = money.get(model) or model.objects.first()
    if row is not None:
        assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/{row.pk}/change/").status_code == 200
