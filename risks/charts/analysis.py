"""Charts of a quantitative risk analysis (Monte Carlo) as SVG, drawn with the kit in
core/charts.py: the distribution of the finish or the cost (histogram and cumulative S-curve
with P50/P80/plan/baseline markers), the tornado of the drivers, and the P50/P80 trend of runs.

Values are either aware datetimes (finish dates, drawn by calendar day) or Decimal (money);
`Axis` turns them into positions and tick labels. Positions are floats (drawing only: money is
never computed here). Every text drawn is escaped by the kit, so the SVG is safe to embed.
Classes tests rely on: `hist-bar`, `cdf-line`, `marker-<key>`, `tornado-row`, `trend-p50`,
`trend-p80`, `empty-state`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from html import escape

from core.charts import (
    LABEL_FONT,
    STYLE,
    TICK_FONT,
    clamp_anchor,
    empty_chart,
    short_money,
    svg_open,
    text,
    text_width,
)

WIDTH = 520
COLOURS = {
    "bar": "#b7cbe8",
    "cdf": "#1f4e9a",
    "p50": "#2e7d32",
    "p80": "#c62828",
    "plan": "#5b6475",
    "reference": "#8a4fbf",
    "target": "#b26a00",
    "low": "#4f7cc4",
    "high": "#e07b39",
}
TORNADO_ROWS = 10


def _f(value: float) -> str:
    return f"{float(value):.1f}".removesuffix(".0")


class Axis:
    """Positions and labels along one axis of dates or money. `low`/`high` are the values at
    the two ends; `ticks()` are round values between them."""

    def __init__(self, values: Sequence, *, currency: str = ""):
        present = [v for v in values if v is not None]
        self.dates = bool(present) and isinstance(present[0], dt.datetime | dt.date)
        self.currency = currency
        numbers = [self.number(v) for v in present] or [0.0, 1.0]
        low, high = min(numbers), max(numbers)
        if high - low < 1e-9:
            low, high = low - 1, high + 1
        pad = (high - low) * 0.02
        self.low, self.high = low - pad, high + pad

    def number(self, value) -> float:
        if isinstance(value, dt.datetime):
            return value.toordinal() + (value.hour * 60 + value.minute) / 1440
        if isinstance(value, dt.date):
            return float(value.toordinal())
        return float(value)

    def fraction(self, value) -> float:
        return (self.number(value) - self.low) / (self.high - self.low)

    def label(self, value, *, short: bool = True) -> str:
        if self.dates:
            day = value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else value.date()
            return f"{day:%b %Y}" if short else f"{day:%-d %b %Y}"
        return short_money(Decimal(value)) if short else f"{Decimal(value):,.0f}"

    def ticks(self, most: int = 6) -> list:
        if self.dates:
            first = dt.date.fromordinal(math.ceil(self.low))
            last = dt.date.fromordinal(math.floor(self.high))
            months, day = [], dt.date(first.year, first.month, 1)
            while day <= last:
                if day >= first:
                    months.append(day)
                day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
            if not months:
                return [first, last] if first != last else [first]
            stride = max(1, -(-len(months) // most))
            return months[::stride]
        raw = (self.high - self.low) / most
        magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
        step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
        tick = math.ceil(self.low / step) * step
        found = []
        while tick <= self.high:
            found.append(Decimal(str(round(tick, 2))))
            tick += step
        return found


def _axis_ticks(axis: Axis, x, y: float, left: float, right: float) -> list[str]:
    """Tick marks and labels under the plot, skipping a label that would touch the one before."""
    parts, previous_end = [], -1e9
    for tick in axis.ticks():
        label = axis.label(tick)
        px = x(tick)
        tx, anchor = clamp_anchor(px, label, left, right)
        start = tx - text_width(label, TICK_FONT) * {"start": 0, "middle": 0.5, "end": 1}[anchor]
        parts.append(f'<line class="grid" x1="{_f(px)}" y1="{_f(y)}" x2="{_f(px)}" y2="{_f(y + 4)}"/>')
        if start > previous_end + 6:
            parts.append(text(tx, y + 16, label, size=TICK_FONT, anchor=anchor, cls="tick-label"))
            previous_end = start + text_width(label, TICK_FONT)
    return parts


def _rows_for(labels: list[tuple[float, float]]) -> list[int]:
    """A row per label span (x0, x1), the first row where it touches no earlier label."""
    rows: list[list[tuple[float, float]]] = []
    chosen = []
    for x0, x1 in labels:
        for index, row in enumerate(rows):
            if all(x1 + 6 < a or x0 > b + 6 for a, b in row):
                row.append((x0, x1))
                chosen.append(index)
                break
        else:
            rows.append([(x0, x1)])
            chosen.append(len(rows) - 1)
    return chosen


def distribution_chart(
    *,
    histogram: Sequence[tuple],
    cdf: Sequence[tuple],
    markers: Sequence[tuple[str, str, object]],
    title: str,
    axis_label: str,
    currency: str = "",
    width: int = WIDTH,
) -> str:
    """Bars of how many iterations ended in each interval (`histogram`: (low, high, count)) and
    the cumulative probability curve (`cdf`: (value, probability in [0, 1])) on one axis of
    dates or money, with vertical `markers` ((key, label, value); a None value is left out):
    P50, P80, the plan's deterministic figure, the baseline or budget, the target."""
    if not histogram and not cdf:
        return empty_chart("distribution", title, "No results to draw.", width=width, height=140)
    markers = [(key, label, value) for key, label, value in markers if value is not None]
    values = [v for low, high, _ in histogram for v in (low, high)] + [v for v, _ in cdf] + [v for *_, v in markers]
    axis = Axis(values, currency=currency)
    left, right = 44, 44
    plot_w = width - left - right

    def x(value) -> float:
        return left + axis.fraction(value) * plot_w

    # Marker labels sit above the plot, in as many rows as they need not to overlap.
    spans, texts = [], []
    for key, label, value in markers:
        words = f"{label} {axis.label(value, short=False)}"
        tx, anchor = clamp_anchor(x(value), words, 0, width, size=TICK_FONT)
        start = tx - text_width(words, TICK_FONT) * {"start": 0, "middle": 0.5, "end": 1}[anchor]
        spans.append((start, start + text_width(words, TICK_FONT)))
        texts.append((key, words, tx, anchor, value))
    rows = _rows_for(spans)
    top = 12 + 16 * (max(rows, default=-1) + 1) + 6
    plot_h = 180
    bottom_y = top + plot_h
    height = bottom_y + 44
    total = sum(count for *_, count in histogram) or 1
    most = max((count for *_, count in histogram), default=1) or 1

    def y_share(probability: float) -> float:
        return bottom_y - probability * plot_h

    description = (
        f"{total} iterations in {len(histogram)} intervals; "
        + "; ".join(f"{label} {axis.label(value, short=False)}" for _, label, value in markers)
        + "."
    )
    parts = [svg_open("distribution", width, height, title, description)]
    for share in (0, 0.25, 0.5, 0.75, 1):
        y = y_share(share)
        parts.append(f'<line class="grid" x1="{left}" y1="{_f(y)}" x2="{width - right}" y2="{_f(y)}"/>')
        parts.append(text(left - 4, y + 4, f"{int(share * 100)}%", size=TICK_FONT, anchor="end", cls="tick-label"))
    parts.append(text(width - right + 4, bottom_y + 4, "0", size=TICK_FONT, cls="tick-label"))
    parts.append(text(width - right + 4, top + 4, str(most), size=TICK_FONT, cls="tick-label"))
    for low, high, count in histogram:
        x0, x1 = x(low), x(high)
        h = count / most * plot_h
        parts.append(
            f'<rect class="hist-bar" x="{_f(x0)}" y="{_f(bottom_y - h)}" width="{_f(max(x1 - x0 - 1, 1))}" '
            f'height="{_f(h)}" fill="{COLOURS["bar"]}"><title>{escape(axis.label(low, short=False))} – '
            f"{escape(axis.label(high, short=False))}: {count} iterations ({count / total:.0%})</title></rect>"
        )
    if cdf:
        path = "M" + " L".join(f"{_f(x(value))},{_f(y_share(p))}" for value, p in cdf)
        parts.append(f'<path class="cdf-line" d="{path}" fill="none" stroke="{COLOURS["cdf"]}" stroke-width="2.5"/>')
    for (key, words, tx, anchor, value), row in zip(texts, rows, strict=True):
        px = x(value)
        colour = COLOURS.get(key, COLOURS["plan"])
        dash = ' stroke-dasharray="4 3"' if key in ("plan", "reference", "target") else ""
        label_y = 12 + 16 * row + 10
        parts.append(
            f'<g class="marker marker-{escape(key)}"><line x1="{_f(px)}" y1="{_f(label_y + 3)}" x2="{_f(px)}" '
            f'y2="{_f(bottom_y)}" stroke="{colour}" stroke-width="2"{dash}/>'
            + text(tx, label_y, words, size=TICK_FONT, anchor=anchor)
            + "</g>"
        )
    parts.append(f'<line class="axis" x1="{left}" y1="{_f(bottom_y)}" x2="{width - right}" y2="{_f(bottom_y)}"/>')
    parts.extend(_axis_ticks(axis, x, bottom_y, 0, width))
    parts.append(text(left + plot_w / 2, height - 6, axis_label, size=LABEL_FONT, anchor="middle", cls="axis-label"))
    parts.append(
        f'<text class="axis-label" font-size="{TICK_FONT}" transform="translate(12 {_f(top + plot_h / 2)}) '
        f'rotate(-90)" text-anchor="middle">Cumulative chance</text>'
    )
    parts.append(
        f'<text class="axis-label" font-size="{TICK_FONT}" transform="translate({width - 8} {_f(top + plot_h / 2)}) '
        f'rotate(90)" text-anchor="middle">Iterations</text>'
    )
    parts.append(STYLE + "</svg>")
    return "".join(parts)


def tornado_chart(
    drivers: Sequence, *, centre, title: str, axis_label: str, currency: str = "", width: int = WIDTH
) -> str:
    """One row per driver (anything with `label`, `correlation`, `low`, `high`), the widest swing
    first (at most TORNADO_ROWS): a bar from the finish or cost with the driver at its low end
    to that at its high end, split at `centre` (the P50). Each row's name stands above its bar,
    so the chart stays narrow enough for a phone."""
    rows = sorted(
        (d for d in drivers if d.low is not None and d.high is not None),
        key=lambda d: -abs(Axis([d.low, d.high]).number(d.high) - Axis([d.low, d.high]).number(d.low)),
    )[:TORNADO_ROWS]
    if not rows:
        return empty_chart("tornado", title, "No drivers to show.", width=width, height=120)
    axis = Axis([v for d in rows for v in (d.low, d.high)] + [centre], currency=currency)
    left, right = 16, 16
    plot_w = width - left - right

    def x(value) -> float:
        return left + axis.fraction(value) * plot_w

    group = 40
    top = 8
    axis_y = top + group * len(rows)
    height = axis_y + 40
    cx = x(centre)
    description = f"{len(rows)} drivers, widest swing first: " + "; ".join(
        f"{d.label} {axis.label(d.low, short=False)} to {axis.label(d.high, short=False)}" for d in rows[:5]
    )
    parts = [svg_open("tornado", width, height, title, description)]
    for index, driver in enumerate(rows):
        y0 = top + group * index
        swing = f"{axis.label(driver.low, short=False)} – {axis.label(driver.high, short=False)}"
        parts.append(f'<g class="tornado-row"><title>{escape(driver.label)}: {escape(swing)}</title>')
        note = f"r = {driver.correlation:.2f}"
        parts.append(text(left, y0 + 12, driver.label, size=LABEL_FONT, room=plot_w - text_width(note, TICK_FONT) - 12))
        parts.append(text(width - right, y0 + 12, note, size=TICK_FONT, anchor="end", cls="tick-label"))
        lo, hi = sorted((x(driver.low), x(driver.high)))
        for side, a, b in (("low", lo, min(hi, cx)), ("high", max(lo, cx), hi)):
            if b > a:
                parts.append(
                    f'<rect class="tornado-{side}" x="{_f(a)}" y="{y0 + 18}" width="{_f(b - a)}" height="14" '
                    f'fill="{COLOURS[side]}"/>'
                )
        parts.append("</g>")
    # The P50 line is drawn through the bars only, so it never crosses a driver's name.
    for index in range(len(rows)):
        y0 = top + group * index
        parts.append(
            f'<line class="axis tornado-centre" x1="{_f(cx)}" y1="{y0 + 15}" x2="{_f(cx)}" y2="{y0 + group}" '
            f'stroke="{COLOURS["p50"]}" stroke-width="1.5"/>'
        )
    parts.append(f'<line class="axis" x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}"/>')
    parts.extend(_axis_ticks(axis, x, axis_y, 0, width))
    parts.append(text(left + plot_w / 2, height - 4, axis_label, size=LABEL_FONT, anchor="middle", cls="axis-label"))
    parts.append(STYLE + "</svg>")
    return "".join(parts)


def run_trend_chart(
    points: Sequence[tuple[dt.date, object, object]],
    *,
    title: str,
    axis_label: str,
    currency: str = "",
    width: int = WIDTH,
) -> str:
    """The P50 (solid) and P80 (dashed) of successive runs: `points` are (day of the run, P50,
    P80), oldest first; the values are dates or money."""
    points = [(day, p50, p80) for day, p50, p80 in points if p50 is not None or p80 is not None]
    if len(points) < 2:
        return empty_chart("run-trend", title, "A trend appears after two finished runs.", width=width, height=100)
    values = Axis([v for _, a, b in points for v in (a, b)], currency=currency)
    days = Axis([day for day, *_ in points])
    left, right, top = max(60, int(max(text_width(values.label(t), TICK_FONT) for t in values.ticks(4))) + 14), 20, 28
    plot_w, plot_h = width - left - right, 150
    bottom_y = top + plot_h
    height = bottom_y + 44

    def x(day) -> float:
        return left + days.fraction(day) * plot_w

    def y(value) -> float:
        return bottom_y - values.fraction(value) * plot_h

    last = points[-1]
    description = (
        f"{len(points)} runs from {points[0][0]:%-d %b %Y} to {last[0]:%-d %b %Y}; latest P50 "
        f"{values.label(last[1], short=False)}, P80 {values.label(last[2], short=False)}."
    )
    parts = [svg_open("run-trend", width, height, title, description)]
    parts.append(
        '<g class="legend">'
        f'<line x1="{left}" y1="12" x2="{left + 14}" y2="12" stroke="{COLOURS["p50"]}" stroke-width="2.5"/>'
        + text(left + 18, 16, "P50", size=LABEL_FONT)
        + f'<line x1="{left + 60}" y1="12" x2="{left + 74}" y2="12" stroke="{COLOURS["p80"]}" stroke-width="2.5" '
        'stroke-dasharray="5 3"/>' + text(left + 78, 16, "P80", size=LABEL_FONT) + "</g>"
    )
    for tick in values.ticks(4):
        ty = y(tick)
        parts.append(f'<line class="grid" x1="{left}" y1="{_f(ty)}" x2="{width - right}" y2="{_f(ty)}"/>')
        parts.append(text(left - 4, ty + 4, values.label(tick), size=TICK_FONT, anchor="end", cls="tick-label"))
    for key, position, dash in (("p50", 1, ""), ("p80", 2, ' stroke-dasharray="5 3"')):
        series = [(point[0], point[position]) for point in points if point[position] is not None]
        if not series:
            continue
        path = "M" + " L".join(f"{_f(x(day))},{_f(y(value))}" for day, value in series)
        parts.append(
            f'<path class="trend-{key}" d="{path}" fill="none" stroke="{COLOURS[key]}" stroke-width="2.5"{dash}/>'
        )
        for day, value in series:
            parts.append(
                f'<circle cx="{_f(x(day))}" cy="{_f(y(value))}" r="3" fill="{COLOURS[key]}"><title>{day:%-d %b %Y}: '
                f"{key.upper()} {escape(values.label(value, short=False))}</title></circle>"
            )
    parts.append(f'<line class="axis" x1="{left}" y1="{_f(bottom_y)}" x2="{width - right}" y2="{_f(bottom_y)}"/>')
    parts.append(text(left, bottom_y + 16, f"{points[0][0]:%-d %b %Y}", size=TICK_FONT, cls="tick-label"))
    parts.append(
        text(width - right, bottom_y + 16, f"{last[0]:%-d %b %Y}", size=TICK_FONT, anchor="end", cls="tick-label")
    )
    parts.append(text(left + plot_w / 2, height - 6, axis_label, size=LABEL_FONT, anchor="middle", cls="axis-label"))
    parts.append(STYLE + "</svg>")
    return "".join(parts)


def analysis_charts(summary, *, currency: str, scope_name: str, width: int = WIDTH) -> dict[str, str]:
    """The four charts of one run's results (risks.selectors.analysis_page.Summary) as SVG, the
    same on the risk-analysis page and in the PDF report: `finish_chart`, `cost_chart`,
    `finish_tornado`, `cost_tornado`."""
    finish, cost = summary.finish, summary.cost
    return {
        "finish_chart": distribution_chart(
            histogram=finish.histogram,
            cdf=finish.cdf,
            markers=[
                ("p50", "P50", finish.p50),
                ("p80", "P80", finish.p80),
                ("plan", "Plan", finish.deterministic),
                ("reference", "Baseline", finish.reference),
                ("target", "Target", finish.target),
            ],
            title=f"Simulated finish of {scope_name}",
            axis_label="Finish date",
            width=width,
        ),
        "cost_chart": distribution_chart(
            histogram=cost.histogram,
            cdf=cost.cdf,
            markers=[
                ("p50", "P50", cost.p50),
                ("p80", "P80", cost.p80),
                ("plan", "Plan", cost.deterministic),
                ("reference", "Budget", cost.reference),
            ],
            title=f"Simulated cost of {scope_name}",
            axis_label=f"Cost ({currency})",
            currency=currency,
            width=width,
        ),
        "finish_tornado": tornado_chart(
            summary.finish_drivers,
            centre=finish.p50,
            title=f"What drives the finish of {scope_name}",
            axis_label="Finish date with the driver at its low and high end",
            width=width,
        ),
        "cost_tornado": tornado_chart(
            summary.cost_drivers,
            centre=cost.p50,
            title=f"What drives the cost of {scope_name}",
            axis_label=f"Cost ({currency}) with the driver at its low and high end",
            currency=currency,
            width=width,
        ),
    }
