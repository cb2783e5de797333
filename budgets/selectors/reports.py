"""Money reports: budget vs actual vs forecast by period, contract burn, lifecycle cost estimate
comparison and reserve status. Each runs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DateField, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from portfolio.models import Program
from projects.models import Project

from .. import evm
from ..models import (
    BudgetLine,
    Contract,
    CostEntry,
    FiscalCalendar,
    Forecast,
    LifecycleCostEstimate,
    LifecycleCostLine,
    PeriodSpan,
    ReserveTransaction,
)
from .earned_value import (
    LabourForecasts,
    fiscal_calendar_for,
    labour_forecast_by_period,
    labour_forecast_by_project,
    money_scope,
)
from .rates import RateTable
from .timephase import amounts_by_period, span, without_long_quiet_runs

ZERO = Decimal(0)
LCCE_OTHER_PROGRAM = "Only two versions of the same program's lifecycle cost estimate can be compared."


# -- budget vs actual vs forecast ------------------------------------------------------------


@dataclass(frozen=True)
class PeriodMoney:
    """One fiscal period's money in the base currency: the original and current approved budget,
    the actual cost booked in it, and the forecast (ETC) placed in it."""

    period: PeriodSpan
    original: Decimal
    budget: Decimal
    actual: Decimal
    forecast: Decimal

    @property
    def variance(self) -> Decimal:
        """Current budget - actual (positive: under budget)."""
        return self.budget - self.actual


@dataclass(frozen=True)
class BudgetByPeriod:
    currency: str
    calendar: FiscalCalendar
    rows: tuple[PeriodMoney, ...]

    def total(self, name: str) -> Decimal:
        return sum((getattr(row, name) for row in self.rows), ZERO)


def budget_by_period(
    *,
    project: Project | None = None,
    program: Program | None = None,
    calendar: FiscalCalendar | None = None,
    labour_forecasts: LabourForecasts | None = None,
) -> BudgetByPeriod:
    """Budget (original and current), actual and forecast per fiscal period of `calendar` (default:
    the portfolio's), in the portfolio's base currency, over every period that has any of them.
    Budget lines and forecasts are spread over the days of their own periods, so they land
    correctly whatever calendar the chart uses. The forecast includes the labour forecast
    (labour_forecast_by_period) of the project, or of every project of the program, when
    `labour_forecasts` is given (see earned_value.LabourForecasts).

    Six queries for a project, seven for a program (one fewer without projects), whatever the
    number of rows and projects; one fewer when `calendar` is given, three more when allocations
    lie ahead, plus one for rates when a foreign currency is involved (another when an
    allocation's cost rate is foreign)."""
    scope = money_scope(project=project, program=program)
    base = scope.currency
    calendar = calendar or fiscal_calendar_for(portfolio=scope.program.portfolio)
    budget = list(
        BudgetLine.objects.filter(scope.q())
        .values_list("budget_version", "period__start", "period__end", "currency_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    actual = list(
        CostEntry.objects.filter(scope.q()).values_list("currency_id", "date").annotate(total=Sum("amount")).order_by()
    )
    forecasts = list(
        Forecast.objects.filter(scope.q())
        .values_list("period__start", "period__end", "currency_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    dated = [(c, d) for _, d, _, c, _ in budget] + [(c, d) for c, d, _ in actual] + [(c, d) for d, _, c, _ in forecasts]
    foreign = [(c, d) for c, d in dated if c != base]
    rates = (
        RateTable.load({base, *(c for c, _ in foreign)}, until=max(d for _, d in foreign)) if foreign else RateTable()
    )

    by_version = defaultdict(list)
    for version, start, end, currency, total in budget:
        by_version[version].append((start, end, rates.convert(total, currency, base, start)))
    actual_segments = [(d, d, rates.convert(total, c, base, d)) for c, d, total in actual]
    forecast_segments = [(s, e, rates.convert(total, c, base, s)) for s, e, c, total in forecasts]
    if scope.project is not None:
        labours = [labour_forecast_by_period(scope.project, calendar, labour_forecasts)]
    else:
        labours = labour_forecast_by_project(scope.program, calendar, labour_forecasts).values()
    forecast_segments += [(p.start, p.end, amount) for labour in labours for p, amount in labour.items()]

    every = [*by_version["original"], *by_version["current"], *actual_segments, *forecast_segments]
    if not every:
        return BudgetByPeriod(currency=base, calendar=calendar, rows=())
    first, last = span(every)
    periods = calendar.periods_between(first, last)
    bounds = [(p.start, p.end) for p in periods]
    columns = [
        amounts_by_period(segments, bounds)
        for segments in (by_version["original"], by_version["current"], actual_segments, forecast_segments)
    ]
    rows = [
        PeriodMoney(period=p, original=o, budget=b, actual=a, forecast=f)
        for p, o, b, a, f in zip(periods, *columns, strict=True)
    ]
    rows = without_long_quiet_runs(rows, lambda _, row: not (row.original or row.budget or row.actual or row.forecast))
    return BudgetByPeriod(currency=base, calendar=calendar, rows=tuple(rows))


# -- contract burn -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractBurn:
    """How much of a contract is spent, in the contract's currency: invoiced (Σ invoices, each
    converted at its own date's rate) against obligated and ceiling. Percentages are None when
    the base is zero."""

    contract: Contract
    currency: str
    ceiling: Decimal
    obligated: Decimal
    invoiced: Decimal

    @property
    def remaining_obligation(self) -> Decimal:
        return self.obligated - self.invoiced

    @property
    def unobligated_ceiling(self) -> Decimal:
        return self.ceiling - self.obligated

    @property
    def percent_of_obligated(self) -> Decimal | None:
        return evm.divide(self.invoiced * 100, self.obligated)

    @property
    def percent_of_ceiling(self) -> Decimal | None:
        return evm.divide(self.invoiced * 100, self.ceiling)

    @property
    def over_obligated(self) -> bool:
        """Invoiced beyond what was obligated: an anomaly to explain."""
        return self.invoiced > self.obligated


def contract_burn(*, contracts, as_of: dt.date | None = None) -> list[ContractBurn]:
    """Burn of each contract in `contracts` (a queryset or iterable), counting invoices dated on
    or before `as_of` (default: all). Two queries, three with a foreign currency."""
    contracts = list(
        contracts.select_related("vendor", "program") if hasattr(contracts, "select_related") else contracts
    )
    if not contracts:
        return []
    invoices = CostEntry.objects.filter(contract__in=[c.pk for c in contracts], source=CostEntry.Source.INVOICE)
    if as_of is not None:
        invoices = invoices.filter(date__lte=as_of)
    day_when_converted = Case(
        When(currency_id=F("contract__currency_id"), then=Value(None)), default=F("date"), output_field=DateField()
    )
    rows = list(
        invoices.annotate(day=day_when_converted)
        .values_list("contract_id", "currency_id", "day")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    currency_of = {c.pk: c.currency_id for c in contracts}
    foreign = [(cur, day) for pk, cur, day, _ in rows if day is not None]
    rates = RateTable()
    if foreign:
        codes = {cur for cur, _ in foreign} | {currency_of[pk] for pk, _, day, _ in rows if day is not None}
        rates = RateTable.load(codes, until=max(day for _, day in foreign))
    invoiced: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pk, currency, day, total in rows:
        invoiced[pk] += total if day is None else rates.convert(total, currency, currency_of[pk], day)
    return [
        ContractBurn(
            contract=c, currency=c.currency_id, ceiling=c.ceiling, obligated=c.obligated, invoiced=invoiced[c.pk]
        )
        for c in contracts
    ]


# -- lifecycle cost estimate comparison ------------------------------------------------------------


@dataclass(frozen=True)
class LcceRow:
    phase: str
    phase_label: str
    fiscal_year: int
    category_code: str
    category_name: str
    left: Decimal
    right: Decimal

    @property
    def delta(self) -> Decimal:
        """Newer minus older: positive when the newer version costs more."""
        return self.right - self.left


@dataclass(frozen=True)
class LcceComparison:
    """Two versions of a program's lifecycle cost estimate side by side, in the portfolio's base
    currency: one row per (phase, fiscal year, category) present in either, zero where absent.
    `left` is always the older version (lower number) and `right` the newer, whichever order they
    were asked in; every delta is newer - older, so a rise in cost is positive."""

    currency: str
    left: LifecycleCostEstimate
    right: LifecycleCostEstimate
    rows: tuple[LcceRow, ...]

    def phase_totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        totals: dict[str, tuple[Decimal, Decimal]] = {}
        for row in self.rows:
            left, right = totals.get(row.phase, (ZERO, ZERO))
            totals[row.phase] = (left + row.left, right + row.right)
        return totals

    @property
    def left_total(self) -> Decimal:
        return sum((r.left for r in self.rows), ZERO)

    @property
    def right_total(self) -> Decimal:
        return sum((r.right for r in self.rows), ZERO)

    @property
    def delta(self) -> Decimal:
        """Newer total minus older total."""
        return self.right_total - self.left_total

    @property
    def delta_label(self) -> str:
        """What the delta is, for people: "v3 \u2212 v1" (a minus sign, newer first)."""
        return f"v{self.right.number} \u2212 v{self.left.number}"


def _estimate_day(estimate: LifecycleCostEstimate) -> dt.date:
    """The day an estimate's foreign amounts are converted at: its approval, else its creation
    (an estimate is priced once, in the money of that day, not re-priced as rates move)."""
    return timezone.localdate(estimate.approved_at or estimate.created_at)


def lcce_compare(*, left: LifecycleCostEstimate, right: LifecycleCostEstimate) -> LcceComparison:
    """Compare two versions of one program's estimate (two queries, three with a foreign currency).
    The two are put in version order (older left, newer right) so deltas are newer - older.
    Raises ValueError when they belong to different programs."""
    estimates = {
        e.pk: e
        for e in LifecycleCostEstimate.objects.select_related("program__portfolio").filter(pk__in=[left.pk, right.pk])
    }
    left, right = sorted((estimates[left.pk], estimates[right.pk]), key=lambda e: e.number)
    if left.program_id != right.program_id:
        raise ValueError(LCCE_OTHER_PROGRAM)
    base = left.program.portfolio.base_currency
    lines = list(
        LifecycleCostLine.objects.filter(estimate__in=[left.pk, right.pk])
        .values_list("estimate_id", "phase", "fiscal_year", "category__code", "category__name", "currency_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    days = {pk: _estimate_day(e) for pk, e in estimates.items()}
    foreign = {row[5] for row in lines} - {base}
    rates = RateTable.load({base, *foreign}, until=max(days.values())) if foreign else RateTable()
    cells: dict[tuple, list[Decimal]] = {}
    for estimate_id, phase, year, code, name, currency, total in lines:
        cell = cells.setdefault((phase, year, code, name), [ZERO, ZERO])
        cell[0 if estimate_id == left.pk else 1] += rates.convert(total, currency, base, days[estimate_id])
        if left.pk == right.pk:
            cell[1] = cell[0]
    order = {value: index for index, value in enumerate(LifecycleCostLine.Phase.values)}
    labels = dict(LifecycleCostLine.Phase.choices)
    rows = tuple(
        LcceRow(phase, labels[phase], year, code, name, values[0], values[1])
        for (phase, year, code, name), values in sorted(cells.items(), key=lambda kv: (order[kv[0][0]], *kv[0][1:]))
    )
    return LcceComparison(currency=base, left=left, right=right, rows=rows)


# -- reserves ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReserveStatus:
    """Reserves of a project or program (base currency): set aside, drawn down, remaining. The
    one place "remaining" is worked out; roll-ups add statuses up (`a + b`, sum(..., NO_RESERVES))."""

    contingency: Decimal
    contingency_drawn: Decimal
    management: Decimal
    management_drawn: Decimal

    def __add__(self, other: ReserveStatus) -> ReserveStatus:
        return ReserveStatus(
            self.contingency + other.contingency,
            self.contingency_drawn + other.contingency_drawn,
            self.management + other.management,
            self.management_drawn + other.management_drawn,
        )

    @property
    def contingency_remaining(self) -> Decimal:
        return self.contingency - self.contingency_drawn

    @property
    def management_remaining(self) -> Decimal:
        return self.management - self.management_drawn


NO_RESERVES = ReserveStatus(ZERO, ZERO, ZERO, ZERO)


def _drawn(reserve: str):
    return Coalesce(
        Sum("reserve_transactions__amount", filter=Q(reserve_transactions__reserve=reserve)),
        Value(ZERO),
        output_field=DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES),
    )


def reserve_status(*, project: Project | None = None, program: Program | None = None) -> ReserveStatus:
    """Reserves and drawdowns of exactly one project or program, read fresh (one query)."""
    if (project is None) == (program is None):
        raise TypeError("Pass either a project or a program.")
    model, obj = (Project, project) if project is not None else (Program, program)
    row = (
        model.objects.filter(pk=obj.pk)
        .annotate(
            contingency_drawn=_drawn(ReserveTransaction.Reserve.CONTINGENCY),
            management_drawn=_drawn(ReserveTransaction.Reserve.MANAGEMENT),
        )
        .values("contingency_reserve", "management_reserve", "contingency_drawn", "management_drawn")
        .get()
    )
    return ReserveStatus(
        contingency=row["contingency_reserve"],
        contingency_drawn=row["contingency_drawn"],
        management=row["management_reserve"],
        management_drawn=row["management_drawn"],
    )
