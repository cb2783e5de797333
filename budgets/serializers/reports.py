"""API representations of computed money: earned value, the EVM S-curve and budget vs actual vs
forecast by fiscal period. Read-only; every figure is a decimal string, unrounded, or null where
it is not defined (a division by zero). Money is in the portfolio's base currency; earned-schedule
figures (es, at, pd, sv_t, ieac_t) are in calendar days."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import bounds

from .values import exact_decimal


class AsOfSerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        validators=bounds.DATE_VALIDATORS,
        help_text="Figures as of the end of this day (default: the status date, else today).",
    )


class EvmWarningSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='A stable code, e.g. "ac_without_ev" or "ev_estimated".')
    message = serializers.CharField()


def _figure(name: str, *, nullable: bool = False, help_text: str = "") -> serializers.DecimalField:
    return exact_decimal(source=f"figures.{name}", allow_null=nullable, help_text=help_text)


class EvmReportSerializer(serializers.Serializer):
    """Every figure of budgets.evm.EarnedValue plus data-quality warnings."""

    currency = serializers.CharField(help_text="The portfolio's base currency.")
    as_of = serializers.DateField()
    status_date = serializers.DateField(source="figures.status_date")
    bac = _figure("bac", help_text="Budget at completion.")
    pv = _figure("pv", help_text="Planned value.")
    ev = _figure("ev", help_text="Earned value.")
    ac = _figure("ac", help_text="Actual cost.")
    sv = _figure("sv", help_text="Schedule variance, EV - PV.")
    cv = _figure("cv", help_text="Cost variance, EV - AC.")
    spi = _figure("spi", nullable=True, help_text="EV / PV.")
    cpi = _figure("cpi", nullable=True, help_text="EV / AC.")
    eac = _figure("eac", nullable=True, help_text="The estimate at completion `eac_method` names.")
    eac_method = serializers.CharField(source="figures.eac_method", allow_null=True, help_text="bottom_up or cpi.")
    eac_cpi = _figure("eac_cpi", nullable=True, help_text="BAC / CPI.")
    eac_at_budget_rate = _figure("eac_at_budget_rate", nullable=True, help_text="AC + (BAC - EV).")
    eac_cpi_spi = _figure("eac_cpi_spi", nullable=True, help_text="AC + (BAC - EV) / (CPI x SPI).")
    eac_bottom_up = _figure("eac_bottom_up", nullable=True, help_text="AC + the forecast ETC.")
    etc = _figure("etc", nullable=True, help_text="EAC - AC.")
    vac = _figure("vac", nullable=True, help_text="BAC - EAC.")
    tcpi = _figure("tcpi", nullable=True, help_text="(BAC - EV) / (BAC - AC).")
    tcpi_eac = _figure("tcpi_eac", nullable=True, help_text="(BAC - EV) / (EAC - AC).")
    percent_complete = _figure("percent_complete", nullable=True, help_text="EV / BAC x 100.")
    percent_spent = _figure("percent_spent", nullable=True, help_text="AC / BAC x 100.")
    start = serializers.DateField(source="figures.start", allow_null=True, help_text="Earned schedule's time origin.")
    es = _figure("es", nullable=True, help_text="Earned schedule, days.")
    at = _figure("at", nullable=True, help_text="Actual time, days.")
    pd = _figure("pd", nullable=True, help_text="Planned duration, days.")
    spi_t = _figure("spi_t", nullable=True, help_text="ES / AT.")
    sv_t = _figure("sv_t", nullable=True, help_text="ES - AT, days.")
    ieac_t = _figure("ieac_t", nullable=True, help_text="PD / SPI(t), days.")
    forecast_finish = serializers.DateField(source="figures.forecast_finish", allow_null=True)
    task_budget = exact_decimal(help_text="Σ task budgets EV is measured against.")
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
    pv = exact_decimal()
    ev = exact_decimal(allow_null=True, help_text="Null for periods after as_of.")
    ac = exact_decimal(allow_null=True, help_text="Null for periods after as_of.")


class DatedValueSerializer(serializers.Serializer):
    day = serializers.DateField()
    value = exact_decimal()


class SCurveSerializer(serializers.Serializer):
    """Cumulative PV, EV and AC by fiscal period, with the EAC projection (from (as_of, AC) to
    (forecast finish, EAC); empty when EAC is not defined)."""

    currency = serializers.CharField()
    as_of = serializers.DateField()
    bac = exact_decimal()
    eac = exact_decimal(allow_null=True)
    forecast_finish = serializers.DateField(allow_null=True)
    points = SCurvePointSerializer(many=True)
    eac_projection = serializers.SerializerMethodField()
    evm = EvmReportSerializer(source="report")

    @extend_schema_field(DatedValueSerializer(many=True))
    def get_eac_projection(self, curve) -> list[dict]:
        return DatedValueSerializer([{"day": d, "value": v} for d, v in curve.eac_projection], many=True).data


class PeriodMoneySerializer(serializers.Serializer):
    period = PeriodSerializer()
    original = exact_decimal(help_text="Original baseline budget.")
    budget = exact_decimal(help_text="Current approved budget.")
    actual = exact_decimal()
    forecast = exact_decimal(help_text="Forecast (ETC) placed in the period.")
    variance = exact_decimal(help_text="budget - actual (positive: under budget).")


class MoneyTotalsSerializer(serializers.Serializer):
    original = exact_decimal()
    budget = exact_decimal()
    actual = exact_decimal()
    forecast = exact_decimal()
    variance = exact_decimal()


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
