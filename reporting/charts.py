"""Trend charts drawn from MetricSnapshots, as SVG with the chart kit (core.charts): CPI and SPI
over time, and computed health as a strip of one cell per week.

Each function takes plain (day, value) points, oldest first, and returns an SVG fragment safe to
embed (every text is escaped). An empty series draws the framed empty state instead.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from html import escape

from core.charts import (
    LABEL_FONT,
    STYLE,
    TICK_FONT,
    axis_margin,
    clamp_anchor,
    empty_chart,
    legend_layout,
    nice_scale,
    short_money,
    svg_open,
    text,
    text_width,
    thin_stride,
)

WIDTH = 720
COLOURS = {"cpi": "#1f5fbf", "spi": "#d9822b", "plan": "#5b6475"}
# Computed health: the page's RAG colours; the cell height says it too (red full, amber two
# thirds, green one third, no data a thin line), so colour is never the only cue.
HEALTH = {
    "red": ("#c62828", Decimal(1), "Red"),
    "amber": ("#e0a100", Decimal(2) / 3, "Amber"),
    "green": ("#2e7d32", Decimal(1) / 3, "Green"),
    "": ("#9aa7b8", Decimal(1) / 8, "No data"),
}
IndexPoint = tuple[dt.date, Decimal | None, Decimal | None]  # day, CPI, SPI


def _f(value) -> str:
    return f"{float(value):.1f}".removesuffix(".0")


def _x_axis(first: dt.date, last: dt.date, left: float, width: float):
    span = max((last - first).days, 1)
    return lambda day: left + (day - first).days * width / span


def _month_labels(first: dt.date, last: dt.date, x, left: float, right: float, y: float) -> list[str]:
    """Labels on the first day of each month, thinned so neighbours keep 8 px apart."""
    months, day = [], dt.date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    if not months:
        return []
    slot = (right - left) / max(len(months), 1)
    stride = thin_stride(len(months), slot, 8 * 0.6 * TICK_FONT)  # "Jan 2026"
    parts = []
    for month in months[::stride]:
        label = f"{month:%b %Y}"
        lx, anchor = clamp_anchor(x(month), label, 2, WIDTH - 2)
        parts.append(text(lx, y, label, size=TICK_FONT, anchor=anchor, cls="tick-label"))
    return parts


def _right_legend(labels: Sequence[str], left: float, right: float) -> list:
    """Legend places ending at `right` (a phone, scrolled to the newest weeks, still sees the
    legend), wrapping like legend_layout when the entries do not fit between left and right."""
    needed = sum(18 + text_width(label, LABEL_FONT) + 14 for label in labels) - 14
    start = max(left, right - needed)
    return legend_layout(labels, start, right - start)


def index_scale(values: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """An axis for indices: from a tenth below the lowest to a tenth above the highest (always
    showing 0.80 to 1.20 around "on plan"), ticks every 0.1, 0.2 or 0.5 so there are at most 8."""
    tenth = Decimal("0.1")
    low = min(min(values), Decimal("0.8"))
    high = max(max(values), Decimal("1.2"))
    bottom = (low / tenth).to_integral_value(rounding="ROUND_FLOOR") * tenth
    top = (high / tenth).to_integral_value(rounding="ROUND_CEILING") * tenth
    step, mantissas = Decimal("0.1"), [Decimal(2), Decimal("2.5"), Decimal(2)]  # 0.1, 0.2, 0.5, 1, 2, 5, …
    while (top - bottom) / step > 8:
        step *= mantissas[0]
        mantissas = mantissas[1:] + mantissas[:1]
    bottom = (bottom / step).to_integral_value(rounding="ROUND_FLOOR") * step
    top = (top / step).to_integral_value(rounding="ROUND_CEILING") * step
    return bottom, top, step


def index_trend_chart(points: Sequence[IndexPoint], *, title: str) -> str:
    """CPI and SPI over time with the 1.00 line ("on plan"). Days without a figure are gaps."""
    values = [v for _, cpi, spi in points for v in (cpi, spi) if v is not None]
    if not values:
        return empty_chart("index-trend", title, "No CPI or SPI recorded yet.", width=WIDTH, height=140)
    height = 260
    bottom, top, step = index_scale(values)
    # Tick labels on both sides: a phone opens the chart scrolled to its right end.
    left, right, plot_top, plot_bottom = 48, WIDTH - 48, 40, height - 34
    x = _x_axis(points[0][0], points[-1][0], left, right - left)

    def y(value: Decimal) -> float:
        return plot_bottom - float((value - bottom) / (top - bottom)) * (plot_bottom - plot_top)

    latest = {
        name: next((p[i] for p in reversed(points) if p[i] is not None), None) for i, name in ((1, "CPI"), (2, "SPI"))
    }
    description = (
        f"CPI and SPI from {points[0][0]:%d %b %Y} to {points[-1][0]:%d %b %Y}; latest CPI "
        f"{_index(latest['CPI'])}, SPI {_index(latest['SPI'])}."
    )
    parts = [svg_open("index-trend", WIDTH, height, title, description)]
    tick = bottom
    while tick <= top:
        ty = _f(y(tick))
        parts.append(f'<line class="grid" x1="{left}" y1="{ty}" x2="{right}" y2="{ty}"/>')
        label = f"{tick:.2f}" if step < 1 else f"{tick:,.0f}"
        parts.append(text(left - 6, y(tick) + 4, label, size=TICK_FONT, anchor="end", cls="tick-label"))
        parts.append(text(right + 6, y(tick) + 4, label, size=TICK_FONT, cls="tick-label"))
        tick += step
    if bottom <= 1 <= top:
        py = _f(y(Decimal(1)))
        parts.append(
            f'<g class="plan-line"><line x1="{left}" y1="{py}" x2="{right}" y2="{py}" stroke="{COLOURS["plan"]}" '
            f'stroke-width="1.5" stroke-dasharray="2 4"/></g>'
        )
    parts += _month_labels(points[0][0], points[-1][0], x, left, right, plot_bottom + 18)
    for index, key, label in ((1, "cpi", "CPI"), (2, "spi", "SPI")):
        runs, run = [], []
        for point in points:
            if point[index] is None:
                runs, run = runs + ([run] if run else []), []
            else:
                run.append((point[0], point[index]))
        runs += [run] if run else []
        dash = ' stroke-dasharray="7 3"' if key == "spi" else ""
        parts.append(f'<g class="series series-{key}" data-series="{key}">')
        for run in runs:
            coords = " ".join(f"{_f(x(day))},{_f(y(value))}" for day, value in run)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{COLOURS[key]}" stroke-width="2.5"{dash} '
                f'stroke-linejoin="round"/>'
            )
            for day, value in run:
                parts.append(
                    f'<circle cx="{_f(x(day))}" cy="{_f(y(value))}" r="2.5" fill="{COLOURS[key]}">'
                    f"<title>{label} {day:%d %b %Y}: {escape(_index(value))}</title></circle>"
                )
        parts.append("</g>")
    if bottom <= 1 <= top:  # over the lines, with a halo, so it stays readable
        parts.append(text(left + 4, y(Decimal(1)) - 5, "1.00 on plan", size=TICK_FONT, cls="axis-label halo"))
    labels = ["CPI (cost)", "SPI (schedule)"]
    for (lx, row), label, key in zip(_right_legend(labels, left, right), labels, ("cpi", "spi"), strict=True):
        ly = 16 + 18 * row
        dash = ' stroke-dasharray="7 3"' if key == "spi" else ""
        parts.append(
            f'<line x1="{_f(lx)}" y1="{ly - 4}" x2="{_f(lx + 14)}" y2="{ly - 4}" stroke="{COLOURS[key]}" '
            f'stroke-width="2.5"{dash}/>' + text(lx + 18, ly, label, size=LABEL_FONT)
        )
    parts.append(STYLE + "<style>.chart .halo{paint-order:stroke;stroke:#fff;stroke-width:3px}</style></svg>")
    return "".join(parts)


def _index(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def health_strip(points: Sequence[tuple[dt.date, str]], *, title: str) -> str:
    """One cell per point (a week), coloured and sized by computed health, oldest on the left."""
    if not points:
        return empty_chart("health-strip", title, "No health recorded yet.", width=WIDTH, height=100)
    height, left, right, cell_top, cell_height = 118, 8, WIDTH - 8, 34, 48
    slot = (right - left) / len(points)
    counts = Counter(HEALTH.get(h, HEALTH[""])[2] for _, h in points)
    summary = ", ".join(f"{label} {counts[label]}" for *_, label in HEALTH.values() if counts[label])
    description = (
        f"Computed health per week from {points[0][0]:%d %b %Y} to {points[-1][0]:%d %b %Y}: {summary} weeks; "
        f"latest {HEALTH.get(points[-1][1], HEALTH[''])[2].lower()}."
    )
    parts = [svg_open("health-strip", WIDTH, height, title, description)]
    for i, (day, health) in enumerate(points):
        colour, share, label = HEALTH.get(health, HEALTH[""])
        h = float(share) * cell_height
        parts.append(
            f'<rect class="health-cell health-{health or "none"}" x="{_f(left + i * slot + 0.5)}" '
            f'y="{_f(cell_top + cell_height - h)}" width="{_f(max(slot - 1, 1))}" height="{_f(h)}" fill="{colour}">'
            f"<title>Week of {day:%d %b %Y}: {label}</title></rect>"
        )
    x = _x_axis(points[0][0], points[-1][0], left + slot / 2, right - left - slot)
    parts += _month_labels(points[0][0], points[-1][0], x, left, right, cell_top + cell_height + 18)
    labels = [label for *_, label in HEALTH.values()]
    for (lx, row), (colour, share, label) in zip(_right_legend(labels, left, right), HEALTH.values(), strict=True):
        ly = 16 + 18 * row
        mark = float(share) * 12
        parts.append(
            f'<rect x="{_f(lx)}" y="{_f(ly - mark)}" width="12" height="{_f(max(mark, 1.5))}" fill="{colour}"/>'
            + text(lx + 18, ly, label, size=LABEL_FONT)
        )
    parts.append(STYLE + "</svg>")
    return "".join(parts)


# --- Program cockpit: S-curve thumbnail and the 12-week health strip -----------------------------

SCURVE = {
    "pv": ("#5b6475", "PV (planned)", ' stroke-dasharray="5 3"'),
    "ev": ("#1f5fbf", "EV (earned)", ""),
    "ac": ("#d9822b", "AC (actual)", ' stroke-dasharray="1.5 2.5"'),
}
THUMB_WIDTH = 320
Money = Decimal | None


def scurve_thumbnail(points: Sequence[tuple[dt.date, Money, Money, Money]], *, title: str, currency: str = "") -> str:
    """Cumulative PV, EV and AC over time (one point per snapshot, oldest first), small enough
    for a card. Days without a figure are gaps; money on a rounded axis from zero."""
    values = [v for _, *money in points for v in money if v is not None]
    if not values:
        return empty_chart("scurve", title, "No earned value recorded yet.", width=THUMB_WIDTH, height=120)
    labels = [SCURVE[k][1] for k in ("pv", "ev", "ac")]
    legend = legend_layout(labels, 8, THUMB_WIDTH - 16, gap=10)
    legend_rows = max(row for _, row in legend) + 1
    plot_top = 20 + 16 * legend_rows  # below the legend, with room for the top tick's label
    height = plot_top + 136
    bottom, top, step = nice_scale(min(values), max(values), ticks=4)
    left, right, plot_bottom = axis_margin(bottom, top, step, currency), THUMB_WIDTH - 10, height - 26
    x = _x_axis(points[0][0], points[-1][0], left, right - left)

    def y(value: Decimal) -> float:
        return plot_bottom - float((value - bottom) / (top - bottom)) * (plot_bottom - plot_top)

    latest = {
        key: next((p[i] for p in reversed(points) if p[i] is not None), None)
        for i, key in ((1, "pv"), (2, "ev"), (3, "ac"))
    }
    money = {
        key: "n/a" if v is None else f"{short_money(v)}{' ' + currency if currency else ''}"
        for key, v in latest.items()
    }
    description = (
        f"Cumulative planned value, earned value and actual cost from {points[0][0]:%d %b %Y} to "
        f"{points[-1][0]:%d %b %Y}; latest PV {money['pv']}, EV {money['ev']}, AC {money['ac']}."
    )
    parts = [svg_open("scurve", THUMB_WIDTH, height, title, description)]
    tick = bottom
    while tick <= top:
        ty = _f(y(tick))
        parts.append(f'<line class="grid" x1="{left}" y1="{ty}" x2="{right}" y2="{ty}"/>')
        parts.append(text(left - 4, y(tick) + 4, short_money(tick), size=TICK_FONT, anchor="end", cls="tick-label"))
        tick += step
    first, last = points[0][0], points[-1][0]
    for day, anchor, lx in ((first, "start", left), (last, "end", right)):
        parts.append(text(lx, plot_bottom + 16, f"{day:%b %Y}", size=TICK_FONT, anchor=anchor, cls="tick-label"))
    for index, key in ((1, "pv"), (2, "ev"), (3, "ac")):
        colour, label, dash = SCURVE[key]
        runs, run = [], []
        for point in points:
            if point[index] is None:
                runs, run = runs + ([run] if run else []), []
            else:
                run.append((point[0], point[index]))
        runs += [run] if run else []
        parts.append(f'<g class="series series-{key}" data-series="{key}">')
        for run in runs:
            coords = " ".join(f"{_f(x(day))},{_f(y(value))}" for day, value in run)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash} '
                f'stroke-linejoin="round">'
                f"<title>{escape(label)}: {escape(money[key])} latest</title></polyline>"
            )
        parts.append("</g>")
    for (lx, row), key in zip(legend, ("pv", "ev", "ac"), strict=True):
        colour, label, dash = SCURVE[key]
        ly = 14 + 16 * row
        parts.append(
            f'<line x1="{_f(lx)}" y1="{ly - 4}" x2="{_f(lx + 14)}" y2="{ly - 4}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>' + text(lx + 18, ly, label, size=TICK_FONT)
        )
    parts.append(STYLE + "</svg>")
    return "".join(parts)


def health_weeks_strip(points: Sequence[tuple[dt.date, str, str]], *, title: str) -> str:
    """Two rows of one cell per week, oldest on the left: computed health above, the reported
    RAG below, each coloured and sized as in health_strip (colour is never the only cue)."""
    if not points:
        return empty_chart("health-weeks", title, "No weekly snapshots yet.", width=THUMB_WIDTH, height=90)
    height, left, right, top, cell = 104, 74, THUMB_WIDTH - 6, 8, 26
    slot = (right - left) / max(len(points), 1)
    latest = points[-1]
    description = (
        f"Weekly from {points[0][0]:%d %b %Y} to {latest[0]:%d %b %Y}; latest computed "
        f"{HEALTH.get(latest[1], HEALTH[''])[2].lower()}, reported {HEALTH.get(latest[2], HEALTH[''])[2].lower()}. "
        + "; ".join(
            f"{day:%d %b}: {HEALTH.get(c, HEALTH[''])[2]} / {HEALTH.get(r, HEALTH[''])[2]}" for day, c, r in points
        )
    )
    parts = [svg_open("health-weeks", THUMB_WIDTH, height, title, description)]
    for row, (label, index) in enumerate((("Computed", 1), ("Reported", 2))):
        row_top = top + row * (cell + 10)
        parts.append(text(left - 6, row_top + cell - 8, label, size=TICK_FONT, anchor="end", cls="axis-label"))
        for i, point in enumerate(points):
            health = point[index]
            colour, share, name = HEALTH.get(health, HEALTH[""])
            h = float(share) * cell
            parts.append(
                f'<rect class="health-cell health-{health or "none"}" x="{_f(left + i * slot + 0.5)}" '
                f'y="{_f(row_top + cell - h)}" width="{_f(max(slot - 1.5, 1))}" height="{_f(h)}" fill="{colour}">'
                f"<title>{label}, week of {point[0]:%d %b %Y}: {name}</title></rect>"
            )
    axis_y = top + 2 * (cell + 10) + 12
    parts.append(text(left, axis_y, f"{points[0][0].day} {points[0][0]:%b}", size=TICK_FONT, cls="tick-label"))
    parts.append(text(right, axis_y, f"{latest[0].day} {latest[0]:%b}", size=TICK_FONT, anchor="end", cls="tick-label"))
    parts.append(STYLE + "</svg>")
    return "".join(parts)


# --- Portfolio health board: sparklines and the value / risk / cost bubble chart -------------

SPARK_WIDTH, SPARK_HEIGHT = 64, 20


def sparkline(values: Sequence[Decimal], *, title: str, description: str = "") -> str:
    """A tiny line of `values` (oldest first) scaled to its own range, the newest point marked:
    for a table cell beside the figure it trends. Fewer than two values draw nothing ("")."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    step = (SPARK_WIDTH - 4) / (len(values) - 1)

    def y(value: Decimal) -> float:
        return SPARK_HEIGHT - 3 - float((value - low) / span) * (SPARK_HEIGHT - 6)

    coords = " ".join(f"{_f(2 + i * step)},{_f(y(v))}" for i, v in enumerate(values))
    last_x, last_y = _f(2 + (len(values) - 1) * step), _f(y(values[-1]))
    return (
        svg_open("sparkline", SPARK_WIDTH, SPARK_HEIGHT, title, description, classes="chart sparkline")
        + f'<polyline points="{coords}" fill="none" stroke="{COLOURS["cpi"]}" stroke-width="1.5" '
        f'stroke-linejoin="round"/><circle cx="{last_x}" cy="{last_y}" r="2" fill="{COLOURS["cpi"]}"/></svg>'
    )


def health_sparkline(points: Sequence[tuple[dt.date, str]], *, title: str) -> str:
    """Computed health as a strip of one small bar per week (oldest left), coloured and sized as
    health_strip's cells, so colour is not the only cue."""
    if not points:
        return ""
    cell = 5
    width = cell * len(points) + 2
    counts = Counter(HEALTH.get(h, HEALTH[""])[2] for _, h in points)
    summary = ", ".join(f"{label} {counts[label]}" for *_, label in HEALTH.values() if counts[label])
    description = (
        f"{len(points)} weeks from {points[0][0]:%d %b %Y}: {summary}; "
        f"latest {HEALTH.get(points[-1][1], HEALTH[''])[2].lower()}."
    )
    parts = [svg_open("health-sparkline", width, SPARK_HEIGHT, title, description, classes="chart sparkline")]
    for i, (day, health) in enumerate(points):
        colour, share, label = HEALTH.get(health, HEALTH[""])
        h = max(float(share) * (SPARK_HEIGHT - 2), 2)
        parts.append(
            f'<rect x="{_f(1 + i * cell)}" y="{_f(SPARK_HEIGHT - 1 - h)}" width="{cell - 1}" height="{_f(h)}" '
            f'fill="{colour}"><title>Week of {day:%d %b %Y}: {label}</title></rect>'
        )
    parts.append("</svg>")
    return "".join(parts)


BubblePoint = tuple[str, str, Decimal, Decimal, Decimal, str, str]  # code, name, x, y, size, health, href


def value_risk_bubble_chart(
    points: Sequence[BubblePoint], *, title: str, x_label: str, y_label: str, size_label: str
) -> str:
    """One bubble per program: x = value (money), y = risk (a percentage), area = cost, colour
    (and a letter R/A/G inside) = computed health. Each bubble has a tooltip with its figures;
    the page gives the same figures as a table that links each program (`href` is kept on the
    bubble as data-href: a link inside role="img" would be an interactive element hidden from
    assistive technology)."""
    from core.charts import axis_margin, nice_scale, short_money

    if not points:
        return empty_chart("value-risk", title, "No program with a budget to plot.", width=WIDTH, height=160)
    height = 380
    xs = [p[2] for p in points]
    ys = [p[3] for p in points]
    # A tenth of headroom past the largest values, so the biggest bubbles stay inside the plot.
    x_bottom, x_top, x_step = nice_scale(min(xs), max(xs) * Decimal("1.1"))
    y_bottom, y_top, y_step = nice_scale(min(ys), max(ys) * Decimal("1.1"))
    left = axis_margin(y_bottom, y_top, y_step) + 16
    right, bottom = WIDTH - 24, height - 52
    # The legend takes the right half of the top rows; the y-axis label the left half.
    labels = [f"Computed {lab.lower()}" if key else "No data" for key, (*_, lab) in HEALTH.items()]
    labels.append(f"Size: {size_label}")
    places = _right_legend(labels, WIDTH / 2, right)
    top = 30 + 16 * (max(row for _, row in places) + 1)
    biggest = max((p[4] for p in points), default=Decimal(1)) or Decimal(1)
    max_r = 26

    def x(value: Decimal) -> float:
        return left + float((value - x_bottom) / (x_top - x_bottom)) * (right - left)

    def y(value: Decimal) -> float:
        return bottom - float((value - y_bottom) / (y_top - y_bottom)) * (bottom - top)

    described = "; ".join(
        f"{code}: {short_money(vx)} value, {vy}% risk, {short_money(size)} cost, "
        f"{HEALTH.get(health, HEALTH[''])[2].lower()}"
        for code, _name, vx, vy, size, health, _href in points[:20]
    )
    description = f"{len(points)} programs. {described}{'…' if len(points) > 20 else '.'}"
    parts = [svg_open("value-risk", WIDTH, height, title, description)]
    tick = y_bottom
    while tick <= y_top:
        ty = _f(y(tick))
        parts.append(f'<line class="grid" x1="{left}" y1="{ty}" x2="{right}" y2="{ty}"/>')
        label = f"{tick.normalize():f}%"
        parts.append(text(left - 6, y(tick) + 4, label, size=TICK_FONT, anchor="end", cls="tick-label"))
        tick += y_step
    tick = x_bottom
    while tick <= x_top:
        lx, anchor = clamp_anchor(x(tick), short_money(tick), left - 20, WIDTH - 2)
        parts.append(
            f'<line class="grid" x1="{_f(x(tick))}" y1="{top}" x2="{_f(x(tick))}" y2="{bottom}"/>'
            + text(lx, bottom + 16, short_money(tick), size=TICK_FONT, anchor=anchor, cls="tick-label")
        )
        tick += x_step
    parts.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>')
    parts.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>')
    parts.append(text((left + right) / 2, height - 12, x_label, size=LABEL_FONT, anchor="middle", cls="axis-label"))
    parts.append(text(8, top - 12, y_label, size=LABEL_FONT, cls="axis-label", room=WIDTH / 2 - 16))
    # Largest first, so small bubbles stay on top and clickable.
    for code, name, vx, vy, size, health, href in sorted(points, key=lambda p: -p[4]):
        colour, _share, label = HEALTH.get(health, HEALTH[""])
        r = max(float((size / biggest).sqrt()) * max_r, 5) if size > 0 else 5
        cx, cy = _f(x(vx)), _f(y(vy))
        tip = f"{code} {name}: value {short_money(vx)}, risk {vy}%, cost {short_money(size)}, health {label.lower()}"
        letter = label[0] if health else "?"
        parts.append(
            f'<g class="bubble bubble-{health or "none"}" data-href="{escape(href)}"><title>{escape(tip)}</title>'
            f'<circle cx="{cx}" cy="{cy}" r="{_f(r)}" fill="{colour}" fill-opacity="0.55" stroke="{colour}" '
            f'stroke-width="1.5"/>'
            + (text(float(cx), float(cy) + 4, letter, size=TICK_FONT, anchor="middle") if r >= 8 else "")
            + _bubble_label(code, float(cx), float(cy), r)
            + "</g>"
        )
    for (lx, row), label, key in zip(places, labels, [*HEALTH.keys(), "size"], strict=True):
        ly = 14 + 16 * row
        if key == "size":
            parts.append(
                f'<circle cx="{_f(lx + 6)}" cy="{ly - 4}" r="5" fill="none" stroke="#5b6475"/>'
                + text(lx + 16, ly, label, size=LABEL_FONT)
            )
        else:
            parts.append(
                f'<circle cx="{_f(lx + 6)}" cy="{ly - 4}" r="5" fill="{HEALTH[key][0]}" fill-opacity="0.55" '
                f'stroke="{HEALTH[key][0]}"/>' + text(lx + 16, ly, label, size=LABEL_FONT)
            )
    parts.append(STYLE + "</svg>")
    return "".join(parts)


def _bubble_label(code: str, cx: float, cy: float, r: float) -> str:
    """A bubble's code beside it: on its right, or on its left where the right edge is too near."""
    if cx + r + 3 + text_width(code, TICK_FONT) <= WIDTH - 2:
        return text(cx + r + 3, cy - r / 2, code, size=TICK_FONT, cls="bubble-label")
    return text(cx - r - 3, cy - r / 2, code, size=TICK_FONT, anchor="end", cls="bubble-label")
