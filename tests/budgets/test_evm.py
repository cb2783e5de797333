"""budgets.evm: earned value figures, earned schedule, undefined figures and data anomalies."""

import datetime as dt
from decimal import Decimal

import pytest

from budgets import evm
from budgets.evm import EacMethod, earned_value, rounded

D = Decimal
DAY1 = dt.date(2026, 3, 2)


def day(n: int) -> dt.date:
    """The n-th day of the fence job (day 1 = DAY1)."""
    return DAY1 + dt.timedelta(days=n - 1)


# The fence exercise: four sides, one a day, 1,000 each. Status at the end of day 3.
FENCE_PV = {day(1): D(1000), day(2): D(2000), day(3): D(3000), day(4): D(4000)}


@pytest.fixture
def fence():
    return earned_value(bac=D(4000), pv_curve=FENCE_PV, ev=D(2500), ac=D(2800), status_date=day(3))


class TestFenceExercise:
    def test_measures_at_the_status_date(self, fence):
        assert (fence.pv, fence.ev, fence.ac, fence.bac) == (D(3000), D(2500), D(2800), D(4000))
        assert fence.sv == D(-500)
        assert fence.cv == D(-300)

    def test_indices_round_for_display_only(self, fence):
        assert rounded(fence.cpi, 3) == D("0.893")
        assert rounded(fence.spi, 3) == D("0.833")
        assert fence.cpi == D(2500) / D(2800)  # full precision is kept

    def test_eac_by_cpi_is_exactly_4480(self, fence):
        assert fence.eac_cpi == D("4480")
        assert rounded(fence.eac_cpi) == D("4480.00")
        assert fence.eac == fence.eac_cpi
        assert fence.eac_method == EacMethod.CPI

    def test_etc_vac_and_tcpi(self, fence):
        assert fence.etc == D(1680)
        assert fence.vac == D(-480)
        assert fence.tcpi == D("1.25")

    def test_other_eac_variants(self, fence):
        assert fence.eac_at_budget_rate == D(2800) + (D(4000) - D(2500))  # 4,300
        # AC + (BAC - EV) / (CPI x SPI) = 2,800 + 1,500 / (0.893 x 0.833) = 4,816
        assert rounded(fence.eac_cpi_spi) == D("4816.00")

    def test_earned_schedule(self, fence):
        assert fence.start == day(1)
        assert fence.at == D(3)
        assert fence.es == D("2.5")  # PV was 2,500 half way through day 3
        assert fence.pd == D(4)
        assert rounded(fence.spi_t, 3) == D("0.833")
        assert fence.sv_t == D("-0.5")
        assert rounded(fence.ieac_t, 2) == D("4.80")  # PD / SPI(t) = 4 / (2.5 / 3)
        assert fence.forecast_finish == day(5)

    def test_pv_is_interpolated_between_points(self):
        halfway = earned_value(
            bac=D(4000), pv_curve={day(0): D(0), day(4): D(4000)}, ev=D(0), ac=D(0), status_date=day(2)
        )
        assert halfway.pv == D(2000)

    def test_bottom_up_forecast_drives_eac_when_given(self):
        figures = earned_value(bac=D(4000), pv_curve=FENCE_PV, ev=D(2500), ac=D(2800), status_date=day(3), etc=D(1500))
        assert figures.eac_bottom_up == D(4300)
        assert figures.eac == D(4300)
        assert figures.eac_method == EacMethod.BOTTOM_UP
        assert figures.etc == D(1500)
        assert figures.vac == D(-300)
        assert figures.eac_cpi == D(4480)  # still reported beside it


class TestLateProject:
    """Planned over four days, finished at the end of day 6: SPI recovers to 1.00 because all
    the value is eventually earned, while SPI(t) shows it was late all along."""

    def test_spi_returns_to_one_but_spi_t_stays_below_one(self):
        done = earned_value(bac=D(4000), pv_curve=FENCE_PV, ev=D(4000), ac=D(4400), status_date=day(6))
        assert done.spi == D(1)
        assert done.es == D(4)
        assert done.at == D(6)
        assert rounded(done.spi_t, 3) == D("0.667")
        assert done.sv_t == D(-2)
        assert done.ieac_t == D(6)

    def test_spi_t_stays_below_one_throughout_the_overrun(self):
        earned = {4: D(3200), 5: D(3600), 6: D(4000)}
        for status, ev in earned.items():
            figures = earned_value(bac=D(4000), pv_curve=FENCE_PV, ev=ev, ac=ev, status_date=day(status))
            assert figures.spi_t < 1, status
        assert figures.spi == D(1)


class TestUndefinedFigures:
    """Every division by zero is None: never an exception, never infinity."""

    def test_nothing_planned_earned_or_spent(self):
        empty = earned_value(bac=D(0), pv_curve={}, ev=D(0), ac=D(0), status_date=day(1))
        for name in ("spi", "cpi", "eac", "eac_cpi", "eac_cpi_spi", "etc", "vac", "tcpi", "tcpi_eac"):
            assert getattr(empty, name) is None, name
        for name in ("percent_complete", "percent_spent", "es", "at", "pd", "spi_t", "ieac_t", "forecast_finish"):
            assert getattr(empty, name) is None, name
        assert empty.eac_at_budget_rate == D(0)
        assert empty.warnings == ()

    def test_zero_pv_leaves_spi_and_composite_eac_undefined(self):
        figures = earned_value(bac=D(4000), pv_curve=FENCE_PV, ev=D(100), ac=D(100), status_date=day(0))
        assert figures.pv == D(0)
        assert figures.spi is None
        assert figures.eac_cpi_spi is None

    def test_zero_ac_leaves_cpi_and_cpi_eacs_undefined(self):
        figures = earned_value(bac=D(4000), pv_curve=FENCE_PV, ev=D(1000), ac=D(0), status_date=day(1))
        assert figures.cpi is None
        assert figures.eac_cpi is None
        assert figures.eac is None
        assert figures.etc is None
        assert figures.vac is None
        assert figures.tcpi == D("0.75")

    def test_zero_ev_leaves_cpi_zero_and_eac_undefined(self):
        figures = earned_value(bac=D(4000), pv_curve=FENCE_PV, ev=D(0), ac=D(500), status_date=day(1))
        assert figures.cpi == D(0)
        assert figures.eac_cpi is None  # BAC / 0
        assert figures.es == D(0)
        assert figures.spi_t == D(0)
        assert figures.ieac_t is None  # PD / 0

    def test_ac_equal_to_bac_leaves_tcpi_undefined(self):
        figures = earned_value(bac=D(4000), pv_curve=FENCE_PV, ev=D(3000), ac=D(4000), status_date=day(3))
        assert figures.tcpi is None

    def test_eac_equal_to_ac_leaves_tcpi_to_eac_undefined(self):
        figures = earned_value(bac=D(4000), pv_curve=FENCE_PV, ev=D(3000), ac=D(3000), status_date=day(3), etc=D(0))
        assert figures.tcpi_eac is None

    def test_status_on_the_day_before_start_has_no_spi_t(self):
        figures = earned_value(bac=D(4000), pv_curve=FENCE_PV, ev=D(0), ac=D(0), status_date=day(0))
        assert figures.at == D(0)
        assert figures.spi_t is None
        assert figures.ieac_t is None

    def test_zero_bac_leaves_percentages_undefined(self):
        figures = earned_value(bac=D(0), pv_curve={}, ev=D(10), ac=D(10), status_date=day(1))
        assert figures.percent_complete is None
        assert figures.percent_spent is None


class TestAnomalies:
    def codes(self, **kwargs):
        arguments = {"bac": D(4000), "pv_curve": FENCE_PV, "ev": D(2500), "ac": D(2800), "status_date": day(3)}
        arguments.update(kwargs)
        return earned_value(**arguments).warning_codes

    def test_clean_data_has_no_anomaly_but_the_tcpi_gap(self):
        assert self.codes() == [evm.TCPI_ABOVE_CPI]
        assert self.codes(ev=D(3000), ac=D(3000)) == []

    def test_negative_values(self):
        assert evm.NEGATIVE_VALUE in self.codes(ac=D(-5))
        assert evm.NEGATIVE_VALUE in self.codes(ev=D(-1))
        assert evm.NEGATIVE_VALUE in self.codes(pv_curve={day(1): D(-10), day(2): D(100)}, bac=D(100))

    def test_ev_without_pv(self):
        assert evm.EV_WITHOUT_PV in self.codes(status_date=day(0), ev=D(10), ac=D(10))

    def test_ac_without_ev(self):
        assert evm.AC_WITHOUT_EV in self.codes(ev=D(0))

    def test_ev_without_ac(self):
        assert evm.EV_WITHOUT_AC in self.codes(ac=D(0))

    def test_ev_above_bac(self):
        assert evm.EV_ABOVE_BAC in self.codes(ev=D(4100), ac=D(4100))

    def test_pv_above_bac(self):
        assert evm.PV_ABOVE_BAC in self.codes(bac=D(3500))

    def test_ac_above_bac_before_completion(self):
        assert evm.AC_ABOVE_BAC in self.codes(ac=D(4500))

    def test_no_budget_with_activity(self):
        assert evm.NO_BUDGET in self.codes(bac=D(0), pv_curve={})

    def test_percent_complete_above_100(self):
        assert evm.PERCENT_ABOVE_100 in self.codes(percent_complete=[D(50), D("100.5")])
        assert evm.NEGATIVE_VALUE in self.codes(percent_complete=[D(-1)])

    def test_cumulative_values_that_decrease(self):
        falling_pv = {day(1): D(1000), day(2): D(900), day(3): D(3000), day(4): D(4000)}
        assert evm.CUMULATIVE_DECREASES in self.codes(pv_curve=falling_pv)
        assert evm.CUMULATIVE_DECREASES in self.codes(ac_curve={day(1): D(900), day(2): D(800)})
        assert evm.CUMULATIVE_DECREASES in self.codes(ev_curve=[(day(1), D(900)), (day(2), D(700))])

    def test_status_before_start(self):
        assert evm.STATUS_BEFORE_START in self.codes(status_date=day(-3), ev=D(0), ac=D(0))

    def test_messages_are_plain_words_with_money_dates_and_ratios_formatted(self):
        arguments = {"pv_curve": FENCE_PV, "status_date": day(3), "currency": "EUR"}
        messages = {
            w.code: w.message for w in earned_value(bac=D(4000), ev=D("4100.5"), ac=D(2800), **arguments).warnings
        }
        assert (
            messages[evm.EV_ABOVE_BAC]
            == "Earned value EUR\u00a04,100.50 is more than the budget at completion EUR\u00a04,000.00."
        )
        messages = {w.code: w.message for w in earned_value(bac=D(4000), ev=D(2500), ac=D(2800), **arguments).warnings}
        assert messages[evm.TCPI_ABOVE_CPI].startswith("The remaining work needs a cost efficiency (TCPI) of 1.25,")
        early = earned_value(bac=D(4000), ev=D(0), ac=D(0), **(arguments | {"status_date": day(-3)}))
        assert f"before the work starts ({day(1).day} {day(1):%b %Y})" in early.warnings[0].message
        falling = earned_value(
            bac=D(4000), ev=D(0), ac=D(0), **(arguments | {"pv_curve": {day(1): D(1000), day(2): D(900)}})
        )
        decrease = next(w.message for w in falling.warnings if w.code == evm.CUMULATIVE_DECREASES)
        assert "Cumulative planned value goes down" in decrease
        assert "from EUR\u00a01,000.00 to EUR\u00a0900.00" in decrease

    def test_anomalies_are_returned_never_raised(self):
        figures = earned_value(
            bac=D(-1), pv_curve={day(2): D(5), day(1): D(10)}, ev=D(-3), ac=D(-4), status_date=day(9), etc=D(-2)
        )
        assert len(figures.warnings) >= 3
        assert all(w.message for w in figures.warnings)


def test_rounded_passes_none_through_and_rounds_half_up():
    assert rounded(None) is None
    assert rounded(D("2.345")) == D("2.35")
    assert rounded(D("0.8925"), 3) == D("0.893")
