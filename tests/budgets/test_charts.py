"""The money charts as SVG: parsed with xml.etree, asserting on the elements that carry meaning
(series, the status line, the EAC projection, the empty state), without a database."""

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from budgets import charts
from budgets.models import FiscalCalendar, PeriodSpan
from budgets.selectors import PeriodMoney, SCurve, SCurvePoint

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
CALENDAR = FiscalCalendar(name="Calendar year", start_month=1)


def parse(markup: str) -> ET.Element:
    root = ET.fromstring(markup)
    assert root.tag == f"{SVG}svg"
    return root


def series(root, name: str) -> ET.Element:
    found = root.find(f".//{SVG}g[@data-series='{name}']")
    assert found is not None, f"no {name} series"
    return found


def period(n: int) -> PeriodSpan:
    return CALENDAR.periods_of_year(2026)[n - 1]


def money_rows(*values):
    return [PeriodMoney(period(i + 1), D(o), D(b), D(a), D(f)) for i, (o, b, a, f) in enumerate(values)]


EAC = D(5400)


def curve(*, as_of=dt.date(2026, 2, 14), eac=EAC, finish=dt.date(2026, 3, 31), points=None):
    points = points or (
        SCurvePoint(period(1), dt.date(2026, 1, 31), D(3100), D(3000), D(1900)),
        SCurvePoint(period(2), as_of, D(4500), D(4450), D(4400)),
        SCurvePoint(period(3), dt.date(2026, 3, 31), D(5900), None, None),
    )
    projection = ((as_of, D(4400)), (finish, eac)) if eac is not None else ()
    return SCurve("EUR", as_of, tuple(points), D(5900), eac, finish, projection, report=None)


class TestBudgetChart:
    def test_a_bar_per_period_for_budget_actual_and_forecast(self):
        root = parse(charts.budget_chart(money_rows((0, 3100, 1900, 0), (0, 2800, 2500, 0), (0, 0, 0, 1000)), "EUR"))
        for name in ("budget", "actual", "forecast"):
            assert len(series(root, name).findall(f"{SVG}rect")) == 3
        assert root.find(f".//{SVG}g[@data-series='original']") is None
        titles = [t.text for t in root.iter(f"{SVG}title")]
        assert "FY2026 P01 Current budget: EUR 3,100.00" in titles

    def test_taller_bar_for_a_larger_amount(self):
        root = parse(charts.budget_chart(money_rows((0, 3100, 0, 0), (0, 1550, 0, 0)), "EUR"))
        heights = [D(r.get("height")) for r in series(root, "budget").findall(f"{SVG}rect")]
        assert heights[0] == pytest.approx(heights[1] * 2, abs=D("0.2"))

    def test_original_baseline_is_a_line(self):
        root = parse(charts.budget_chart(money_rows((3000, 3100, 0, 0), (3000, 2800, 0, 0)), "EUR"))
        line = series(root, "original").find(f"{SVG}polyline")
        assert len(line.get("points").split()) == 2

    def test_a_credit_draws_below_the_zero_line(self):
        root = parse(charts.budget_chart(money_rows((0, 100, -50, 0)), "EUR"))
        [bar] = series(root, "actual").findall(f"{SVG}rect")
        [budget] = series(root, "budget").findall(f"{SVG}rect")
        assert D(bar.get("height")) > 0
        assert D(bar.get("y")) == pytest.approx(D(budget.get("y")) + D(budget.get("height")), abs=D("0.2"))

    def test_many_periods_widen_the_chart_and_thin_the_labels(self):
        rows = [PeriodMoney(p, D(0), D(100), D(90), D(0)) for p in CALENDAR.periods_of_year(2026) * 3]
        root = parse(charts.budget_chart(rows, "EUR"))
        assert int(root.get("width")) > 1400
        period_labels = [
            t for t in root.iter(f"{SVG}text") if "tick-label" in t.get("class", "") and "20" in "".join(t.itertext())
        ]
        assert 0 < len(period_labels) < len(rows)  # every other period named, none turned
        assert not any(t.get("transform") for t in root.iter(f"{SVG}text"))

    def test_empty(self):
        root = parse(charts.budget_chart([], "EUR"))
        assert root.find(f".//{SVG}g[@class='empty-state']") is not None
        assert root.find(f".//{SVG}g[@data-series='budget']") is None


class TestSCurve:
    def test_pv_ev_ac_lines_from_zero(self):
        root = parse(charts.s_curve_chart(curve()))
        pv = series(root, "pv").find(f"{SVG}polyline").get("points").split()
        ev = series(root, "ev").find(f"{SVG}polyline").get("points").split()
        ac = series(root, "ac").find(f"{SVG}polyline").get("points").split()
        assert (len(pv), len(ev), len(ac)) == (4, 3, 3)  # a zero point, then one per (started) period
        assert pv[0].split(",")[1] == ev[0].split(",")[1]  # every curve starts at zero

    def test_status_line_at_the_as_of_date_between_the_periods(self):
        root = parse(charts.s_curve_chart(curve()))
        status = root.find(f".//{SVG}g[@class='status-line']")
        assert status.get("data-date") == "2026-02-14"
        x = D(status.find(f"{SVG}line").get("x1"))
        feb_end = series(root, "pv").find(f"{SVG}polyline").get("points").split()[2]
        jan_end = series(root, "pv").find(f"{SVG}polyline").get("points").split()[1]
        assert D(jan_end.split(",")[0]) < x
        assert x == D(feb_end.split(",")[0])  # the February point is at the status date

    def test_eac_projection_is_dashed_from_ac_to_the_forecast_finish(self):
        root = parse(charts.s_curve_chart(curve()))
        line = root.find(f".//{SVG}g[@data-series='eac']/{SVG}line")
        assert line.get("stroke-dasharray")
        ac_end = series(root, "ac").find(f"{SVG}polyline").get("points").split()[-1]
        assert f"{line.get('x1')},{line.get('y1')}" == ac_end
        assert D(line.get("x2")) > D(line.get("x1"))
        assert D(line.get("y2")) < D(line.get("y1"))  # EAC 5,400 above AC 4,400

    def test_bac_reference_line(self):
        root = parse(charts.s_curve_chart(curve()))
        assert "BAC EUR 5,900.00" in ET.tostring(series(root, "bac"), encoding="unicode")

    def test_no_projection_when_eac_is_not_defined(self):
        root = parse(charts.s_curve_chart(curve(eac=None)))
        assert root.find(f".//{SVG}g[@data-series='eac']") is None
        assert root.find(f".//{SVG}g[@class='status-line']") is not None

    def test_empty_when_there_is_no_money(self):
        empty = SCurve("EUR", dt.date(2026, 2, 14), (), D(0), None, None, (), report=None)
        root = parse(charts.s_curve_chart(empty))
        assert root.find(f".//{SVG}g[@class='empty-state']") is not None
        flat = curve(points=(SCurvePoint(period(2), dt.date(2026, 2, 14), D(0), D(0), D(0)),), eac=None)
        flat = SCurve("EUR", flat.as_of, flat.points, D(0), None, None, (), report=None)
        assert parse(charts.s_curve_chart(flat)).find(f".//{SVG}g[@class='empty-state']") is not None


class TestBurnChart:
    def test_bars_scaled_to_their_own_ceiling(self):
        bars = [
            charts.BurnBar("C-1 Licences", "EUR", D(10000), D(3000), committed=D(6000), href="/c/1/"),
            charts.BurnBar("C-2 <Hosting>", "USD", D(100), D(80), committed=D(50)),
        ]
        root = parse(charts.burn_chart(bars))
        rows = root.findall(f".//{SVG}g")
        burn_rows = [g for g in rows if "burn-row" in g.get("class", "")]
        assert [g.get("class") for g in burn_rows] == ["burn-row", "burn-row over"]
        limit, committed, spent = (
            burn_rows[0].find(f"{SVG}rect[@class='{c}']") for c in ("burn-limit", "burn-committed", "burn-spent")
        )
        assert D(spent.get("width")) * 2 == D(committed.get("width"))  # 3,000 of 6,000 obligated
        assert D(limit.get("width")) == D(root.get("width")) - 4  # the full track
        assert burn_rows[0].find(f".//{SVG}a").get("href") == "/c/1/"
        text = ET.tostring(root, encoding="unicode")
        assert "&lt;Hosting&gt;" in text
        assert "USD 80.00 of 50.00 (160.0%) — over" in text

    def test_reserve_without_commitment(self):
        root = parse(charts.burn_chart([charts.BurnBar("Contingency", "EUR", D(0), D(0))], kind="reserves"))
        assert "EUR 0.00 of 0.00 (n/a)" in ET.tostring(root, encoding="unicode")

    def test_empty(self):
        root = parse(charts.burn_chart([], kind="contracts", empty="No contracts."))
        assert root.find(f".//{SVG}g[@class='empty-state']/{SVG}text").text == "No contracts."


def test_phase_chart_two_bars_per_phase():
    root = parse(
        charts.phase_chart(
            [("Acquisition", D(100), D(150)), ("O&M", D(0), D(40))], "EUR", left_label="v1", right_label="v2"
        )
    )
    assert len(series(root, "left").findall(f"{SVG}rect")) == 2
    assert len(series(root, "right").findall(f"{SVG}rect")) == 2
    assert "O&amp;M" in ET.tostring(root, encoding="unicode")
