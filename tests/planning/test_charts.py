"""The planning charts on plain data: what each draws, its text alternative, and that over-capacity
and over-cap never rest on colour alone."""

import datetime as dt
import re
from decimal import Decimal

from planning import charts

D = Decimal
MONTHS = [dt.date(2027, m, 1) for m in (1, 2, 3)]


def test_heat_cell_bands_and_what_it_prints():
    assert charts.HeatCell(D(0), D(2)).shown == "–"
    assert charts.HeatCell(D(0), D(2)).band[0] == "heat-none"
    assert charts.HeatCell(D(1), D(2)).shown == "50"
    assert charts.HeatCell(D(1), D(2)).band[0] == "heat-ok"
    assert charts.HeatCell(D("1.9"), D(2)).band[0] == "heat-tight"
    over = charts.HeatCell(D(3), D(2))
    assert (over.shown, over.band[0], over.over) == ("150", "heat-over", True)
    nobody = charts.HeatCell(D(1), D(0))
    assert (nobody.shown, nobody.band[0], nobody.over, nobody.percent) == ("!", "heat-nosupply", True, None)


def test_heat_map_prints_every_percentage_and_hatches_over_capacity():
    demand = {"Developer": {MONTHS[0]: D(1), MONTHS[1]: D(3)}, "Tester": {MONTHS[2]: D(1)}}
    supply = {"Developer": dict.fromkeys(MONTHS, D(2))}
    roles = ["Developer", "Tester"]
    svg = charts.capacity_heat_map(roles, MONTHS, charts.heat_cells(roles, MONTHS, demand, supply), ident="t")
    assert 'role="img"' in svg
    assert "2 role-months over capacity" in svg
    cells = re.findall(r'<g class="heat-cell ([a-z-]+)">', svg)
    assert cells == ["heat-ok", "heat-over", "heat-none", "heat-none", "heat-none", "heat-nosupply"]
    # The two cells over capacity carry the hatch as well as the colour, and print their figure.
    assert svg.count('fill="url(#heat-over-hatch-t)"') == 2 + 2  # the cells and two legend swatches
    assert ">150</text>" in svg
    assert ">!</text>" in svg
    assert "Developer, Feb 2027: demand 3.0 FTE of 2.0 FTE supply (150 %)" in svg


def test_cost_chart_letters_bars_and_marks_over_cap():
    svg = charts.cost_cap_chart(
        ["FY2027", "FY2028"],
        [
            charts.CostSeries("Base", [D(100), D(50)], [D(120), None]),
            charts.CostSeries("Growth", [D(150), D(60)], [D(120), None]),
        ],
        currency="EUR",
    )
    assert "Over the cap: Growth FY2027." in svg
    assert svg.count('class="bar bar-over"') == 1
    assert svg.count('class="cap-line"') == 2
    assert ">A</text>" in svg
    assert ">B!</text>" in svg
    assert "Growth, FY2027: cost EUR 150, cap EUR 120 (over the cap)" in svg


def test_frontier_marks_the_selection_and_the_plan():
    svg = charts.frontier_chart(
        [(D(0), D(0)), (D(100), D(10)), (D(250), D(18))],
        marks=[charts.Mark(D(200), D(9), "This scenario"), charts.Mark(D(250), D(18), "Optimised plan", "plan")],
        currency="EUR",
    )
    assert 'class="mark mark-selection"' in svg
    assert 'class="mark mark-plan"' in svg
    assert "This scenario: cost EUR 200, value 9.0" in svg
    assert "3 frontier points from EUR 0 to EUR 250, best value 18.0" in svg


def test_charts_with_nothing_to_plot_say_so():
    assert "No project with a cost and a score" in charts.frontier_chart([])
    assert "No cost planned" in charts.cost_cap_chart([], [])
    assert "No staffing demand or supply" in charts.capacity_heat_map([], MONTHS, [])


def test_labels_are_escaped():
    svg = charts.cost_cap_chart(["FY2027"], [charts.CostSeries("<script>", [D(1)], [None])])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
