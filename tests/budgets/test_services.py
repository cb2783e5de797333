"""Money writes: validated, atomic, audited, with error texts tests can assert."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgets import services
from budgets.models import BudgetLine, CostEntry, FiscalPeriod, LifecycleCostEstimate, ReserveTransaction
from core.models import AuditEntry
from core.services import StaleVersionError
from tests.factories.budgets import (
    ContractFactory,
    CostCategoryFactory,
    CurrencyFactory,
    FiscalCalendarFactory,
    VendorFactory,
)
from tests.factories.portfolio import PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory, TaskFactory

D = Decimal


@pytest.fixture
def eur(db):
    return CurrencyFactory(code="EUR")


@pytest.fixture
def usd(db):
    return CurrencyFactory(code="USD")


@pytest.fixture
def category(db):
    return CostCategoryFactory(code="LAB")


@pytest.fixture
def calendar(db):
    return services.fiscal_calendar_create(actor=None, name="Calendar year", is_default=True)


@pytest.fixture
def january(calendar):
    return services.fiscal_periods_generate(actor=None, calendar=calendar, first_year=2026)[0]


def audited(obj, action=AuditEntry.Action.CREATE) -> bool:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action).exists()


def field_error(error: pytest.ExceptionInfo, field: str) -> list[str]:
    return error.value.message_dict[field]


@pytest.mark.django_db
class TestFiscalCalendars:
    def test_periods_are_generated_once(self, calendar, owner):
        first = services.fiscal_periods_generate(actor=owner, calendar=calendar, first_year=2026, last_year=2027)
        again = services.fiscal_periods_generate(actor=owner, calendar=calendar, first_year=2026, last_year=2027)
        assert len(first) == 24
        assert [p.pk for p in again] == [p.pk for p in first]
        assert FiscalPeriod.objects.filter(calendar=calendar).count() == 24
        assert first[0].start == dt.date(2026, 1, 1)
        assert first[-1].end == dt.date(2027, 12, 31)

    def test_federal_periods(self, db):
        federal = services.fiscal_calendar_create(actor=None, name="US federal", start_month=10)
        periods = services.fiscal_periods_generate(actor=None, calendar=federal, first_year=2026)
        assert (periods[0].start, periods[-1].end) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))
        assert periods[3].quarter == 2

    def test_only_one_shared_default(self, calendar):
        with pytest.raises(ValidationError, match="already the default"):
            services.fiscal_calendar_create(actor=None, name="Another", is_default=True)

    def test_years_must_be_ordered(self, calendar):
        with pytest.raises(ValidationError) as error:
            services.fiscal_periods_generate(actor=None, calendar=calendar, first_year=2027, last_year=2026)
        assert field_error(error, "last_year") == [services.YEARS_ORDERED]

    def test_start_month_is_frozen_once_periods_exist(self, calendar, january):
        with pytest.raises(ValidationError) as error:
            services.fiscal_calendar_update(actor=None, calendar=calendar, data={"start_month": 4})
        assert field_error(error, "start_month") == [services.CALENDAR_HAS_PERIODS]
        renamed = services.fiscal_calendar_update(actor=None, calendar=calendar, data={"name": "CY"})
        assert renamed.name == "CY"


@pytest.mark.django_db
class TestBudgetLines:
    def test_create_defaults_to_current_in_base_currency_and_is_audited(self, project, category, january, eur, owner):
        line = services.budget_line_create(
            actor=owner, project=project, category=category, period=january, amount=D("10")
        )
        assert (line.budget_version, line.currency_id) == (BudgetLine.Version.CURRENT, "EUR")
        assert audited(line)

    def test_unknown_currency_is_refused(self, project, category, january):
        with pytest.raises(ValidationError) as error:
            services.budget_line_create(actor=None, project=project, category=category, period=january, amount=D("1"))
        assert field_error(error, "currency") == [services.UNKNOWN_CURRENCY.format(code="EUR")]

    def test_period_of_another_portfolios_calendar_is_refused(self, project, category, eur):
        theirs = FiscalCalendarFactory(name="Theirs", portfolio=PortfolioFactory())
        period = services.fiscal_periods_generate(actor=None, calendar=theirs, first_year=2026)[0]
        with pytest.raises(ValidationError) as error:
            services.budget_line_create(actor=None, project=project, category=category, period=period, amount=D("1"))
        assert field_error(error, "period") == [services.PERIOD_OTHER_PORTFOLIO]

    def test_negative_amount_names_the_field(self, project, category, january, eur):
        with pytest.raises(ValidationError) as error:
            services.budget_line_create(actor=None, project=project, category=category, period=january, amount=D("-1"))
        assert "amount" in error.value.message_dict

    def test_one_line_per_cell(self, project, category, january, eur):
        services.budget_line_create(actor=None, project=project, category=category, period=january, amount=D("1"))
        with pytest.raises(ValidationError):
            services.budget_line_create(actor=None, project=project, category=category, period=january, amount=D("2"))

    def test_update_is_optimistic(self, project, category, january, eur, owner):
        line = services.budget_line_create(
            actor=owner, project=project, category=category, period=january, amount=D("1")
        )
        services.budget_line_update(actor=owner, budget_line=line, data={"amount": D("5")}, expected_version=1)
        with pytest.raises(StaleVersionError):
            services.budget_line_update(actor=owner, budget_line=line, data={"amount": D("6")}, expected_version=1)
        line.refresh_from_db()
        assert line.amount == D("5")
        assert audited(line, AuditEntry.Action.UPDATE)

    def test_original_baseline_is_kept_beside_the_current_budget(self, project, category, january, eur, owner):
        line = services.budget_line_create(
            actor=owner, project=project, category=category, period=january, amount=D("100")
        )
        [original] = services.budget_original_set(actor=owner, project=project)
        services.budget_line_update(actor=owner, budget_line=line, data={"amount": D("150")})
        assert (original.budget_version, original.amount) == (BudgetLine.Version.ORIGINAL, D("100"))
        assert BudgetLine.objects.current().get().amount == D("150")
        with pytest.raises(ValidationError) as error:
            services.budget_original_set(actor=owner, project=project)
        assert field_error(error, "budget_version") == [services.ORIGINAL_EXISTS]
        [rebaselined] = services.budget_original_set(actor=owner, project=project, replace=True)
        assert rebaselined.amount == D("150")
        assert BudgetLine.objects.original().count() == 1

    def test_original_needs_a_current_budget(self, project):
        with pytest.raises(ValidationError) as error:
            services.budget_original_set(actor=None, project=project)
        assert field_error(error, "budget_version") == [services.NO_CURRENT_BUDGET]


@pytest.mark.django_db
class TestCostEntries:
    def entry(self, project, category, **kwargs):
        values = {
            "actor": None,
            "project": project,
            "category": category,
            "date": dt.date(2026, 2, 1),
            "amount": D("10"),
        }
        return services.cost_entry_create(**(values | kwargs))

    def test_credit_is_a_negative_amount(self, project, category, eur):
        credit = self.entry(project, category, amount=D("-4"), source=CostEntry.Source.LEDGER, external_ref="GL-9")
        assert credit.amount == D("-4")
        assert audited(credit)

    def test_external_ref_is_unique_within_its_source(self, project, category, eur):
        self.entry(project, category, source=CostEntry.Source.LEDGER, external_ref="GL-1")
        self.entry(project, category, source=CostEntry.Source.TIMESHEET, external_ref="GL-1")
        with pytest.raises(ValidationError, match=services.DUPLICATE_EXTERNAL_REF):
            self.entry(project, category, source=CostEntry.Source.LEDGER, external_ref="GL-1")

    def test_task_of_another_project_is_refused(self, project, category, eur):
        with pytest.raises(ValidationError) as error:
            self.entry(project, category, task=TaskFactory(project=ProjectFactory()))
        assert field_error(error, "task") == [services.TASK_OTHER_PROJECT]

    def test_contract_sets_the_vendor(self, project, category, eur):
        contract = ContractFactory(program=project.program, currency=eur)
        entry = self.entry(project, category, contract=contract)
        assert entry.vendor == contract.vendor

    def test_contract_of_another_program_is_refused(self, project, category, eur):
        with pytest.raises(ValidationError) as error:
            self.entry(project, category, contract=ContractFactory(currency=eur))
        assert field_error(error, "contract") == [services.CONTRACT_OTHER_PROGRAM]

    def test_update_and_delete(self, project, category, eur, owner):
        entry = self.entry(project, category)
        services.cost_entry_update(actor=owner, cost_entry=entry, data={"amount": D("12")})
        services.cost_entry_delete(actor=owner, cost_entry=entry)
        assert not CostEntry.objects.exists()
        assert audited(entry, AuditEntry.Action.DELETE)


@pytest.mark.django_db
class TestForecastsAndRates:
    def test_forecast_create_and_update(self, project, category, january, eur, owner):
        forecast = services.forecast_create(
            actor=owner, project=project, category=category, period=january, amount=D("5")
        )
        forecast = services.forecast_update(actor=owner, forecast=forecast, data={"amount": D("7")})
        assert forecast.amount == D("7")
        assert forecast.version == 2

    def test_one_rate_per_pair_and_day(self, eur, usd):
        day = dt.date(2026, 1, 1)
        services.exchange_rate_create(actor=None, from_currency=usd, to_currency=eur, rate=D("0.9"), valid_on=day)
        with pytest.raises(ValidationError):
            services.exchange_rate_create(actor=None, from_currency=usd, to_currency=eur, rate=D("0.8"), valid_on=day)

    def test_rate_between_a_currency_and_itself_is_refused(self, eur):
        with pytest.raises(ValidationError) as error:
            services.exchange_rate_create(
                actor=None, from_currency=eur, to_currency=eur, rate=D("1"), valid_on=dt.date(2026, 1, 1)
            )
        assert field_error(error, "to_currency") == [services.SAME_CURRENCY]

    def test_currency_code_cannot_change(self, eur):
        with pytest.raises(ValidationError):
            services.currency_update(actor=None, currency=eur, data={"code": "EUX"})
        assert services.currency_update(actor=None, currency=eur, data={"name": "Euro (€)"}).name == "Euro (€)"


@pytest.mark.django_db
class TestContracts:
    def create(self, program, **kwargs):
        values = {
            "actor": None,
            "program": program,
            "vendor": VendorFactory(),
            "number": "C-1",
            "title": "Hosting",
            "type": "ffp",
            "ceiling": D("1000"),
            "obligated": D("500"),
            "period_start": dt.date(2026, 1, 1),
            "period_end": dt.date(2026, 12, 31),
        }
        return services.contract_create(**(values | kwargs))

    def test_negative_ceiling_names_the_field(self, program, eur):
        with pytest.raises(ValidationError) as error:
            self.create(program, ceiling=D("-1"), obligated=D("0"))
        assert "ceiling" in error.value.message_dict

    def test_period_ending_before_it_starts_names_the_field(self, program, eur):
        with pytest.raises(ValidationError) as error:
            self.create(program, period_end=dt.date(2025, 12, 31))
        assert field_error(error, "period_end") == [services.CONTRACT_DATES_ORDERED]

    def test_projects_of_another_program_are_refused(self, program, project, eur):
        with pytest.raises(ValidationError) as error:
            self.create(program, projects=[project, ProjectFactory(program=ProgramFactory())])
        assert field_error(error, "projects") == [services.CONTRACT_PROJECT_OTHER_PROGRAM]

    def test_invoice_becomes_a_cost_entry_of_the_contract(self, program, project, category, eur, usd):
        contract = self.create(program, currency=usd, projects=[project])
        invoice = services.invoice_record(
            actor=None,
            contract=contract,
            project=project,
            category=category,
            date=dt.date(2026, 3, 1),
            amount=D("120"),
            external_ref="INV-1",
        )
        assert (invoice.source, invoice.contract, invoice.vendor, invoice.currency_id) == (
            CostEntry.Source.INVOICE,
            contract,
            contract.vendor,
            "USD",
        )
        with pytest.raises(ValidationError):
            services.invoice_record(
                actor=None,
                contract=contract,
                project=project,
                category=category,
                date=dt.date(2026, 3, 2),
                amount=D("1"),
                external_ref="INV-1",
            )

    def test_invoice_for_an_unlinked_project_is_refused(self, program, project, category, eur):
        contract = self.create(program)
        with pytest.raises(ValidationError) as error:
            services.invoice_record(
                actor=None,
                contract=contract,
                project=project,
                category=category,
                date=dt.date(2026, 3, 1),
                amount=D("1"),
                external_ref="INV-2",
            )
        assert field_error(error, "project") == [services.INVOICE_PROJECT_NOT_LINKED]

    def test_security_checklist_is_upserted(self, program, eur):
        contract = self.create(program)
        first = services.contract_security_requirement_set(
            actor=None, contract=contract, requirement="ISO 27001 certificate", status="in_progress"
        )
        again = services.contract_security_requirement_set(
            actor=None, contract=contract, requirement="ISO 27001 certificate", status="met"
        )
        assert first.pk == again.pk
        assert contract.security_requirements.get().status == "met"

    def test_linked_projects_change_with_an_audit(self, program, project, eur, owner):
        contract = self.create(program)
        services.contract_projects_set(actor=owner, contract=contract, projects=[project])
        assert list(contract.projects.all()) == [project]
        assert audited(contract, AuditEntry.Action.UPDATE)


@pytest.mark.django_db
class TestLifecycleCostEstimates:
    def test_draft_then_approve_then_new_version(self, program, category, eur, owner):
        v1 = services.lcce_create(actor=owner, program=program)
        services.lcce_line_set(
            actor=owner, estimate=v1, phase="rnd", fiscal_year=2026, category=category, amount=D("10")
        )
        services.lcce_line_set(
            actor=owner, estimate=v1, phase="rnd", fiscal_year=2026, category=category, amount=D("12")
        )
        assert v1.lines.get().amount == D("12")
        v1 = services.lcce_approve(actor=owner, estimate=v1)
        assert (v1.status, v1.approved_by, v1.approved_at is not None) == ("approved", owner, True)

        with pytest.raises(ValidationError) as error:
            services.lcce_line_set(
                actor=owner, estimate=v1, phase="om", fiscal_year=2027, category=category, amount=D("1")
            )
        assert field_error(error, "status") == [services.LCCE_APPROVED_READ_ONLY]
        with pytest.raises(ValidationError) as error:
            services.lcce_approve(actor=owner, estimate=v1)
        assert field_error(error, "status") == [services.LCCE_ALREADY_APPROVED]

        v2 = services.lcce_new_version(actor=owner, estimate=v1)
        assert (v2.number, v2.status, v2.based_on) == (2, LifecycleCostEstimate.Status.DRAFT, v1)
        assert [(line.phase, line.amount) for line in v2.lines.all()] == [("rnd", D("12"))]

    def test_empty_estimate_cannot_be_approved(self, program):
        estimate = services.lcce_create(actor=None, program=program)
        with pytest.raises(ValidationError) as error:
            services.lcce_approve(actor=None, estimate=estimate)
        assert field_error(error, "status") == [services.LCCE_EMPTY]


@pytest.mark.django_db
class TestReserveDrawdown:
    def test_drawdown_is_logged_with_who_and_why(self, program, owner):
        program.management_reserve = D("1000")
        program.save()
        drawdown = services.reserve_drawdown(
            actor=owner, program=program, reserve="management", amount=D("400"), reason="Scope change CR-12"
        )
        assert (drawdown.scope, drawdown.actor, drawdown.reason) == (
            ReserveTransaction.Scope.PROGRAM,
            owner,
            "Scope change CR-12",
        )
        assert audited(drawdown)

    def test_overdraw_is_refused(self, project, owner):
        project.contingency_reserve = D("100")
        project.save()
        services.reserve_drawdown(actor=owner, project=project, reserve="contingency", amount=D("60"), reason="R-1")
        with pytest.raises(ValidationError) as error:
            services.reserve_drawdown(actor=owner, project=project, reserve="contingency", amount=D("50"), reason="R-2")
        assert field_error(error, "amount") == [services.RESERVE_EXCEEDED.format(remaining=D("40.00"), amount=D("50"))]
        assert ReserveTransaction.objects.count() == 1

    def test_exactly_one_scope(self, project, program):
        with pytest.raises(ValidationError) as error:
            services.reserve_drawdown(
                actor=None, project=project, program=program, reserve="contingency", amount=D("1"), reason="x"
            )
        assert field_error(error, "scope") == [services.RESERVE_SCOPE]

    def test_reason_is_required(self, project):
        project.contingency_reserve = D("100")
        project.save()
        with pytest.raises(ValidationError) as error:
            services.reserve_drawdown(actor=None, project=project, reserve="contingency", amount=D("1"), reason="")
        assert "reason" in error.value.message_dict
