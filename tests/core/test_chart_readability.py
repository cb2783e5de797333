"""Every chart stays readable with awkward data (long names, many rows, huge and negative values,
nothing at all): read from the SVG it draws, its text is at least 11 px as rendered, no text runs
outside the drawing, no two texts overlap, and the chart has a text alternative.

Text widths are estimated as the chart kit does (0.6 em a character), which is wider than the
system fonts' average, so a pass here leaves room to spare in a browser (the browser test in
tests/browser/test_charts.py measures the real thing on the demo)."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

import pytest

from budgets import charts as money
from budgets.models import FiscalCalendar
from budgets.selectors import PeriodMoney, ReserveStatus, SCurve, SCurvePoint
from core.charts import CHAR_EM, MIN_FONT, fit_text
from governance.charts import benefit_chart
from projects.charts.gantt import GanttLink, GanttRow, render_gantt
from projects.charts.schedule import _near_today
from risks import charts as risk_charts
from risks.selectors.exposure import ExposureRow
from staffing.capacity import WeekLoad
from staffing.charts import utilisation_chart

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
HUGE = D("99999999999999999.99")
LONG = "Programme-wide integration of the legacy revenue ledgers with the new platform (phase two)"
CALENDAR = FiscalCalendar(name="Calendar year", start_month=1)
TODAY = dt.date(2026, 11, 26)


def _visible_text(element) -> str:
    """The text a <text> element shows: its own and its children's, without <title> tooltips."""
    shown = element.text or ""
    for child in element:
        if child.tag != f"{SVG}title":
            shown += _visible_text(child)
        shown += child.tail or ""
    return shown


def readability_problems(markup: str) -> list[str]:
    """What a reader would call broken in this chart, as sentences (empty: nothing)."""
    root = ET.fromstring(markup)
    problems = []
    parents = {child: parent for parent in root.iter() for child in parent}
    box = [float(v) for v in root.get("viewBox").split()]
    view_w, view_h = box[2], box[3]
    declared = root.get("width")
    scale = float(declared) / view_w if declared else None
    if scale is None:
        problems.append("the svg declares no width, so the page may scale its text down")
        scale = 1.0
    # An image hides its children from assistive technology: a chart with links is a group.
    role = "group" if root.find(f".//{SVG}a") is not None else "img"
    if root.get("role") != role or not (root.get("aria-label") or root.get("aria-labelledby")):
        problems.append(f'no role="{role}" with an aria-label')
    for tag in ("title", "desc"):
        found = root.find(f"{SVG}{tag}")
        if found is None or not (found.text or "").strip():
            problems.append(f"no <{tag}> naming the chart")

    boxes = []
    for element in root.iter(f"{SVG}text"):
        shown = _visible_text(element).strip()
        if not shown:
            continue
        size, node, transformed = None, element, False
        while node is not None:
            if size is None and node.get("font-size"):
                size = float(node.get("font-size"))
            transformed = transformed or bool(node.get("transform"))
            node = parents.get(node)
        if size is None:
            problems.append(f"{shown!r} has no font size")
            continue
        if size * scale < MIN_FONT:
            problems.append(f"{shown!r} renders at {size * scale:.1f} px")
        if transformed:
            problems.append(f"{shown!r} is transformed; its box cannot be checked")
            continue
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        width = len(shown) * CHAR_EM * size
        anchor = element.get("text-anchor", "start")
        left = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
        top, bottom = y - 0.8 * size, y + 0.2 * size
        if left < -0.5 or left + width > view_w + 0.5 or top < -0.5 or bottom > view_h + 0.5:
            problems.append(f"{shown!r} runs outside the drawing ({left:.0f}..{left + width:.0f} of {view_w:.0f})")
        boxes.append((shown, left, top, left + width, bottom))
    for index, (a, ax0, ay0, ax1, ay1) in enumerate(boxes):
        for b, bx0, by0, bx1, by1 in boxes[index + 1 :]:
            if min(ax1, bx1) - max(ax0, bx0) > 0.5 and min(ay1, by1) - max(ay0, by0) > 0.5:
                problems.append(f"{a!r} overlaps {b!r}")
    return problems


# -- awkward data for every chart ---------------------------------------------------------------


def _periods(count: int):
    """`count` consecutive fiscal periods from January 2026."""
    return [CALENDAR.periods_of_year(2026 + i // 12)[i % 12] for i in range(count)]


def _budget(values, count=12, label=None):
    rows = [PeriodMoney(p, *(D(v) for v in values)) for p in _periods(count)]
    if label:
        rows = [SimpleNamespace(label=f"{label} {i}", original=r.original, budget=r.budget, actual=r.actual,
                                forecast=r.forecast) for i, r in enumerate(rows)]  # fmt: skip
    return rows


def _curve(*, bac=5900, as_of=dt.date(2026, 2, 14), months=3, ac=None):
    bac = D(bac)
    spans = _periods(months)
    points = tuple(
        SCurvePoint(span, span.end, bac * (i + 1) / months,
                    bac * i / months, ac if ac is not None else bac * i / months)
        for i, span in enumerate(spans)
    )  # fmt: skip
    projection = ((as_of, bac / 2), (as_of + dt.timedelta(days=400), bac * 2))
    return SCurve("EUR", as_of, points, bac, bac * 2, as_of + dt.timedelta(days=400), projection, report=None)


def _burn(count, label="C-1 Licences", limit=10000, spent=3000, committed=6000):
    limit, spent = D(limit), D(spent)
    committed = None if committed is None else D(committed)
    return [money.BurnBar(f"{label} {i}", "EUR", limit, spent, committed=committed, href="/c/") for i in range(count)]


def _exposure(count, label="DTP-001 Tax platform", emv=21000, contingency=15000):
    emv, contingency = D(emv), D(contingency)
    return [
        ExposureRow(
            f"P-{i}",
            f"{label} {i}",
            3,
            emv,
            emv / 2,
            ReserveStatus(contingency, D(0), contingency / 3, D(0)),
            href="/p/",
        )
        for i in range(count)
    ]


def _history(scores):
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    return [
        SimpleNamespace(at=start + dt.timedelta(days=9 * i), score=s, residual_score=max(s - 5, 1))
        for i, s in enumerate(scores)
    ]


def _weeks(count, load=30, capacity=40):
    load, capacity = D(load), D(capacity)
    monday = dt.date(2026, 1, 5)
    return [
        WeekLoad(monday + dt.timedelta(weeks=i), capacity, load, 5 if i % 7 else 0, 0 if i % 7 else 5, D(0))
        for i in range(count)
    ]


def _gantt_rows(count, label="Task", start=dt.datetime(2024, 1, 8, 8)):
    rows = []
    for i in range(count):
        begin = start + dt.timedelta(days=5 * i)
        rows.append(
            GanttRow(
                key=i, label=f"{label} {i}", start=begin, finish=begin + dt.timedelta(days=12), level=i % 3,
                is_summary=i % 10 == 0, is_milestone=i % 7 == 3, is_critical=i % 2 == 0, percent_complete=40,
            )
        )  # fmt: skip
    return rows


def _benefit(**overrides):
    kwargs = {
        "name": "Faster returns",
        "unit": "days",
        "baseline": D("9.5"),
        "target": D(5),
        "points": [(dt.date(2025, 7, 1) + dt.timedelta(days=30 * i), D(9) - D(i) / 4) for i in range(14)],
        "realisation_date": dt.date(2027, 3, 31),
    }
    kwargs.update(overrides)
    return benefit_chart(**kwargs)


CHARTS = {
    # budget vs actual vs forecast
    "budget-typical": lambda: money.budget_chart(_budget((100, 120, 90, 30)), "EUR"),
    "budget-many-periods": lambda: money.budget_chart(_budget((100, 120, 90, 30), count=60), "EUR"),
    "budget-long-period-names": lambda: money.budget_chart(_budget((1, 2, 3, 4), count=14, label=LONG), "EUR"),
    "budget-huge": lambda: money.budget_chart(_budget((HUGE, HUGE, HUGE, HUGE)), "EUR"),
    "budget-negative": lambda: money.budget_chart(_budget((-HUGE, 5, -300, 0)), "EUR"),
    "budget-empty": lambda: money.budget_chart([], "EUR"),
    # the S-curve
    "s-curve-typical": lambda: money.s_curve_chart(_curve()),
    "s-curve-huge": lambda: money.s_curve_chart(_curve(bac=HUGE, months=36)),
    "s-curve-status-at-start": lambda: money.s_curve_chart(_curve(as_of=dt.date(2026, 1, 1))),
    "s-curve-negative": lambda: money.s_curve_chart(_curve(ac=D(-5000))),
    # reserves and contracts
    "burn-typical": lambda: money.burn_chart(_burn(4), kind="contracts"),
    "burn-long-names": lambda: money.burn_chart(_burn(3, label=LONG), kind="contracts"),
    "burn-medium-names": lambda: money.burn_chart(_burn(2, label=LONG[:46]), kind="contracts"),
    "burn-many-huge-over": lambda: money.burn_chart(_burn(40, limit=HUGE, spent=HUGE, committed=D(1))),
    "burn-negative": lambda: money.burn_chart(_burn(2, spent=D(-500), committed=None), kind="reserves"),
    "burn-empty": lambda: money.burn_chart([], kind="reserves", empty="No reserves."),
    # lifecycle cost estimate phases
    "phases-typical": lambda: money.phase_chart(
        [("Concept", D(100), D(120)), ("Build", D(900), D(700))], "EUR", left_label="v1", right_label="v2"
    ),
    "phases-long-many": lambda: money.phase_chart(
        [(f"{LONG} {i}", HUGE, -HUGE) for i in range(12)],
        "EUR",
        left_label="Version 1 (approved 2026)",
        right_label=LONG,
    ),
    "phases-empty": lambda: money.phase_chart([], "EUR", left_label="v1", right_label="v2"),
    # risk exposure and trend
    "exposure-typical": lambda: risk_charts.exposure_chart(_exposure(4), "EUR"),
    "exposure-long-names": lambda: risk_charts.exposure_chart(_exposure(3, label=LONG), "EUR"),
    "exposure-medium-names": lambda: risk_charts.exposure_chart(_exposure(2, label=LONG[:46]), "EUR"),
    "exposure-many-huge": lambda: risk_charts.exposure_chart(_exposure(30, emv=HUGE, contingency=D(1)), "EUR"),
    "exposure-negative-reserve": lambda: risk_charts.exposure_chart(_exposure(2, contingency=-HUGE), "EUR"),
    "exposure-empty": lambda: risk_charts.exposure_chart([], "EUR"),
    "trend-typical": lambda: risk_charts.trend_chart(_history([12, 16, 9, 4]), today=TODAY.replace(year=2025)),
    "trend-one-point": lambda: risk_charts.trend_chart(_history([25])),
    "trend-many": lambda: risk_charts.trend_chart(_history([(i * 7) % 25 + 1 for i in range(200)]), today=TODAY),
    "trend-empty": lambda: risk_charts.trend_chart([]),
    # benefits
    "benefit-typical": lambda: _benefit(),
    "benefit-baseline-equals-target": lambda: _benefit(baseline=D(7), target=D(7)),
    "benefit-huge": lambda: _benefit(baseline=-HUGE, target=HUGE, unit=LONG, name=LONG),
    "benefit-no-actuals": lambda: _benefit(points=[], realisation_date=None),
    "benefit-due-at-start": lambda: _benefit(realisation_date=dt.date(2025, 7, 2)),
    # staffing utilisation
    "utilisation-typical": lambda: utilisation_chart(_weeks(26)),
    "utilisation-two-years": lambda: utilisation_chart(_weeks(104)),
    "utilisation-one-week-huge": lambda: utilisation_chart(_weeks(1, load=D(9999), capacity=D(0))),
    "utilisation-empty": lambda: utilisation_chart([]),
    # schedules and the program timeline
    "gantt-typical": lambda: render_gantt(_gantt_rows(12), [GanttLink(0, 1)], zoom="week", today=TODAY),
    "gantt-long-many-month": lambda: render_gantt(_gantt_rows(150, label=LONG), zoom="month", today=TODAY),
    "gantt-quarter-today-far": lambda: render_gantt(_gantt_rows(20), zoom="quarter", today=TODAY, include_today=True),
    "gantt-empty": lambda: render_gantt([], zoom="week", today=TODAY),
}


@pytest.mark.parametrize("name", CHARTS)
def test_chart_is_readable_with_awkward_data(name):
    assert readability_problems(CHARTS[name]()) == []


def test_the_check_catches_small_clipped_and_overlapping_text():
    """The check itself can fail: a chart scaled down, text off the edge, two labels on top of
    each other and no text alternative are all reported."""
    markup = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" viewBox="0 0 600 100">'
        '<text x="590" y="50" font-size="12">Contingency — not covered</text>'
        '<text x="10" y="50" font-size="12">Programme one</text>'
        '<text x="20" y="52" font-size="12">Programme two</text></svg>'
    )
    problems = readability_problems(markup)
    assert any("renders at 6.0 px" in p for p in problems)
    assert any("runs outside" in p for p in problems)
    assert any("overlaps" in p for p in problems)
    assert any("role" in p for p in problems)


def test_a_label_cut_to_fit_keeps_its_full_text_in_a_tooltip():
    markup = risk_charts.exposure_chart(_exposure(1, label=LONG), "EUR")
    root = ET.fromstring(markup)
    names = [t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None]
    assert names, "the long name was not cut"
    assert names[0].find(f"{SVG}title").text == f"P-0 {LONG} 0"
    assert _visible_text(names[0]).endswith("…")
    assert "not covered" in markup  # figures are never cut


def test_fit_text_cuts_with_an_ellipsis_only_when_needed():
    assert fit_text("Build", 100, 12) == "Build"
    cut = fit_text(LONG, 120, 12)
    assert cut.endswith("…")
    assert len(cut) * CHAR_EM * 12 <= 120


def test_the_timeline_reaches_today_even_when_every_project_is_over():
    rows = _gantt_rows(3, start=dt.datetime(2022, 1, 3, 8))
    without = render_gantt(rows, zoom="month", today=TODAY)
    within = render_gantt(rows, zoom="month", today=TODAY, include_today=True)
    assert 'class="gantt-today"' not in without
    line = re.search(r'class="gantt-today" x1="([\d.]+)"', within)
    assert line is not None
    assert float(line.group(1)) < float(ET.fromstring(within).get("width"))


@pytest.mark.parametrize(
    ("last_task_ends", "reaches_today"),
    [(TODAY - dt.timedelta(days=100), True), (TODAY + dt.timedelta(days=100), True), (dt.date(2019, 1, 1), False)],
)
def test_a_schedule_near_today_reaches_today_and_an_old_one_keeps_to_its_dates(last_task_ends, reaches_today):
    finish = dt.datetime.combine(last_task_ends, dt.time(17))
    assert _near_today([finish - dt.timedelta(days=30), finish], TODAY) is reaches_today
