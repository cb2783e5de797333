"""API representations of computed money: earned value, the EVM S-curve and budget vs actual vs
forecast by fiscal period. Read-only; every figure is a decimal string with fixed places (see
core.serializers: money at the money precision, indices at four places, percentages and days at
two), or null where it is not defined (a division by zero). Figures are computed at full precision
and rounded only here. Money is in the portfolio's base currency; earned-schedule figures (es, at,
pd, sv_t, ieac_t) are in calendar days."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import bounds
from core.serializers import DaysField, MoneyField, PercentField, RatioField


class AsOfSerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        validators=bounds.DATE_VALIDATORS,
        help_text="Figures as of the end of this day (default: the newest status date of the projects in scope, "
        "else today).",
    )


class EvmWarningSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='A stable code, e.g. "ac_without_ev" or "ev_estimated".')
    message = serializers.CharField()


def _figure(name: str, *, field=MoneyField, nullable: bool = False, help_text: str = "") -> serializers.DecimalField:
    return field(source=f"figures.{name}", read_only=True, allow_null=nullable, help_text=help_text)


class EvmReportSerializer(serializers.Serializer):
    """Every figure of budgets.evm.EarnedValue plus data-quality warnings."""

    currency = serializers.CharField(help_text="The portfolio's base currency.")
    as_of = serializers.DateField(
        help_text="The status date: every figure is as of the end of this day (the `as_of` asked for, else the "
        "default: the newest schedule status date of the projects in scope, else today)."
    )
    bac = _figure("bac", help_text="Budget at completion.")
    pv = _figure("pv", help_text="Planned value.")
    ev = _figure("ev", help_text="Earned value.")
    ac = _figure("ac", help_text="Actual cost.")
    sv = _figure("sv", help_text="Schedule variance, EV - PV.")
    cv = _figure("cv", help_text="Cost variance, EV - AC.")
    spi = _figure("spi", field=RatioField, nullable=True, help_text="EV / PV.")
    cpi = _figure("cpi", field=RatioField, nullable=True, help_text="EV / AC.")
    eac = _figure("eac", nullable=True, help_text="The estimate at completion `eac_method` names.")
    eac_method = serializers.CharField(source="figures.eac_method", allow_null=True, help_text="bottom_up or cpi.")
    eac_cpi = _figure("eac_cpi", nullable=True, help_text="BAC / CPI.")
    eac_at_budget_rate = _figure("eac_at_budget_rate", nullable=True, help_text="AC + (BAC - EV).")
    eac_cpi_spi = _figure("eac_cpi_spi", nullable=True, help_text="AC + (BAC - EV) / (CPI x SPI).")
    eac_bottom_up = _figure("eac_bottom_up", nullable=True, help_text="AC + the forecast ETC.")
    etc = _figure("etc", nullable=True, help_text="EAC - AC.")
    vac = _figure("vac", nullable=True, help_text="BAC - EAC.")
    tcpi = _figure("tcpi", field=RatioField, nullable=True, help_text="(BAC - EV) / (BAC - AC).")
    tcpi_eac = _figure("tcpi_eac", field=RatioField, nullable=True, help_text="(BAC - EV) / (EAC - AC).")
    percent_complete = _figure("percent_complete", field=PercentField, nullable=True, help_text="EV / BAC x 100.")
    percent_spent = _figure("percent_spent", field=PercentField, nullable=True, help_text="AC / BAC x 100.")
    start = serializers.DateField(source="figures.start", allow_null=True, help_text="Earned schedule's time origin.")
    es = _figure("es", field=DaysField, nullable=True, help_text="Earned schedule, days.")
    at = _figure("at", field=DaysField, nullable=True, help_text="Actual time, days.")
    pd = _figure("pd", field=DaysField, nullable=True, help_text="Planned duration, days.")
    spi_t = _figure("spi_t", field=RatioField, nullable=True, help_text="ES / AT.")
    sv_t = _figure("sv_t", field=DaysField, nullable=True, help_text="ES - AT, days.")
    ieac_t = _figure("ieac_t", field=DaysField, nullable=True, help_text="PD / SPI(t), days.")
    forecast_finish = serializers.DateField(
        source="figures.forecast_finish",
        allow_null=True,
        help_text="Earned schedule's forecast finish, start + IEAC(t): the pace so far projected over the plan. "
        "Not the schedule's CPM finish (a project's `forecast_finish`), which follows from task dates and links.",
    )
    task_budget = MoneyField(read_only=True, help_text="Σ task budgets EV is measured against.")
    warnings = EvmWarningSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    label = serializers.CharField(help_text='e.g. "FY2026 P03".')
    fiscal_year = serializers.IntegerField()
    number = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()


class SCurvePointSerializer(serializers.Serializer):
    period = PeriodSerializer()
    day = serializers.DateField(help_text="The period's end, or as_of within the current period.")
    pv = MoneyField(read_only=True)
    ev = MoneyField(read_only=True, allow_null=True, help_text="Null for periods after as_of.")
    ac = MoneyField(read_only=True, allow_null=True, help_text="Null for periods after as_of.")


class DatedValueSerializer(serializers.Serializer):
    day = serializers.DateField()
    value = MoneyField(read_only=True)


class SCurveSerializer(serializers.Serializer):
    """Cumulative PV, EV and AC by fiscal period, with the EAC projection (from (as_of, AC) to
    (forecast finish, EAC); empty when EAC is not defined)."""

    currency = serializers.CharField()
    as_of = serializers.DateField()
    bac = MoneyField(read_only=True)
    eac = MoneyField(read_only=True, allow_null=True)
    forecast_finish = serializers.DateField(allow_null=True)
    points = SCurvePointSerializer(many=True)
    eac_projection = serializers.SerializerMethodField()
    evm = EvmReportSerializer(source="report")

    @extend_schema_field(DatedValueSerializer(many=True))
    def get_eac_projection(self, curve) -> list[dict]:
        return DatedValueSerializer([{"day": d, "value": v} for d, v in curve.eac_projection], many=True).data


class PeriodMoneySerializer(serializers.Serializer):
    period = PeriodSerializer()
    original = MoneyField(read_only=True, help_text="Original baseline budget.")
    budget = MoneyField(read_only=True, help_text="Current approved budget.")
    actual = MoneyField(read_only=True)
    forecast = MoneyField(read_only=True, help_text="Forecast (ETC) placed in the period.")
    variance = MoneyField(read_only=True, help_text="budget - actual (positive: under budget).")


class MoneyTotalsSerializer(serializers.Serializer):
    original = MoneyField(read_only=True)
    budget = MoneyField(read_only=True)
    actual = MoneyField(read_only=True)
    forecast = MoneyField(read_only=True)
    variance = MoneyField(read_only=True)


class BudgetByPeriodSerializer(serializers.Serializer):
    """Budget (original and current), actual and forecast per fiscal period of the portfolio's
    calendar, over every period that has any of them."""

    currency = serializers.CharField()
    calendar = serializers.IntegerField(source="calendar.pk", allow_null=True, help_text="Null: calendar months.")
    calendar_name = serializers.CharField(source="calendar.name")
    rows = PeriodMoneySerializer(many=True)
    totals = serializers.SerializerMethodField()

    @extend_schema_field(MoneyTotalsSerializer)
    def get_totals(self, report) -> dict:
        names = ("original", "budget", "actual", "forecast")
        totals = {name: report.total(name) for name in names}
        totals["variance"] = totals["budget"] - totals["actual"]
        return MoneyTotalsSerializer(totals).data
