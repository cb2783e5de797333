"""Money charts as SVG, rendered on the server (the same markup serves the page and the PDF).

Each function takes plain values — the dataclasses budgets.selectors returns, or tuples — and
returns an SVG document fragment, safe to embed: every text it draws is escaped.

- budget_chart: budget vs actual vs forecast per fiscal period (bars), original baseline (line)
- s_curve_chart: cumulative PV, EV and AC, the EAC projection (dashed), BAC and the status date
- burn_chart: horizontal bars of a spent amount against an obligation and a ceiling (contracts,
  reserves)
- phase_chart: two versions of a lifecycle cost estimate side by side per phase

The generic kit (scales, money tick labels, the empty state, the style) is core.charts.
Money stays Decimal: pixel positions are computed in Decimal and only formatted to one decimal
place for the markup. Every chart draws an empty state (a framed message) instead of failing
when there is nothing to plot. Elements carry classes tests and stylesheets rely on:
`series-<name>` groups, `status-line`, `eac-projection`, `bac-line`, `empty-state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from core.charts import (
    LABEL_FONT,
    STYLE,
    TICK_FONT,
    axis_margin,
    clamp_anchor,
    empty_chart,
    fit_text,
    legend_layout,
    month_ticks,
    nice_scale,
    short_money,
    svg_open,
    text,
    text_width,
    thin_stride,
    time_axis,
)

ZERO = Decimal(0)
# Colours: distinguishable for common colour-vision deficiencies, and every series is also
# told apart by shape (bar vs line, solid vs dashed) and named in the legend.
COLOURS = {
    "budget": "#4f7cc4",
    "original": "#1d2430",
    "actual": "#d9822b",
    "forecast": "#9aa7b8",
    "pv": "#4f7cc4",
    "ev": "#2e7d32",
    "ac": "#c62828",
    "eac": "#c62828",
    "bac": "#5b6475",
    "status": "#e0a100",
    "ceiling": "#e6e9ef",
    "obligated": "#a9c1e8",
    "spent": "#1f5fbf",
    "over": "#c62828",
    "left": "#9aa7b8",
    "right": "#1f5fbf",
}


def _f(value: Decimal | int) -> str:
    """A coordinate for the markup: one decimal place, no float involved."""
    return f"{Decimal(value):.1f}"


def _svg_open(kind: str, width: int, height: int, title: str, description: str, *, links: bool = False) -> list[str]:
    return [svg_open(kind, width, height, title, description, links=links)]


@dataclass(frozen=True, slots=True)
class _Frame:
    """The plot area of a chart and its money axis."""

    left: int
    top: int
    width: int
    height: int
    bottom_value: Decimal
    top_value: Decimal
    step: Decimal

    def y(self, value: Decimal) -> Decimal:
        span = self.top_value - self.bottom_value
        return self.top + self.height - (Decimal(value) - self.bottom_value) * self.height / span

    @property
    def right(self) -> int:
        return self.left + self.width

    def money_axis(self, currency: str) -> list[str]:
        parts = []
        value = self.bottom_value
        while value <= self.top_value:
            y = _f(self.y(value))
            cls = "axis" if value == 0 else "grid"
            parts.append(f'<line class="{cls}" x1="{self.left}" y1="{y}" x2="{self.right}" y2="{y}"/>')
            parts.append(
                text(
                    self.left - 6, self.y(value) + 4, short_money(value), size=TICK_FONT, anchor="end", cls="tick-label"
                )
            )
            value += self.step
        parts.append(text(self.left - 6, self.top - 10, currency, size=TICK_FONT, anchor="end", cls="axis-label"))
        return parts


def legend_rows(items: Sequence[tuple[str, str, str]], width: int) -> int:
    """How many rows of 18 px `_legend` takes for `items` within `width`."""
    return 1 + max(row for _, row in legend_layout([label for _, label, _ in items], 0, width))


def _legend(items: Sequence[tuple[str, str, str]], x: int, y: int, width: int = 10_000) -> str:
    """A legend: (series key, label, mark) with mark "bar", "line" or "dash", wrapping onto rows
    of 18 px so that it stays within `width` from `x`."""
    parts = ['<g class="legend">']
    places = legend_layout([label for _, label, _ in items], x, width)
    base = y
    for (key, label, mark), (x, row) in zip(items, places, strict=True):
        y = base + 18 * row
        colour = COLOURS[key]
        if mark == "bar":
            parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="5 3"' if mark == "dash" else ""
            parts.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 14}" y2="{y - 4}" stroke="{colour}" stroke-width="2.5"{dash}/>'
            )
        parts.append(text(x + 18, y, label, size=LABEL_FONT))
    parts.append("</g>")
    return "".join(parts)


# -- budget vs actual vs forecast ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodBars:
    """One fiscal period's values for budget_chart (budgets.selectors.PeriodMoney fits)."""

    label: str
    original: Decimal
    budget: Decimal
    actual: Decimal
    forecast: Decimal


BUDGET_SERIES = (("budget", "Current budget"), ("actual", "Actual"), ("forecast", "Forecast (ETC)"))


def budget_chart(rows: Sequence, currency: str, *, title: str = "Budget, actual and forecast by period") -> str:
    """Bars per fiscal period for the current budget, the actual cost and the forecast, and the
    original baseline as a line. `rows` need `.period.label` (or `.label`), `.original`,
    `.budget`, `.actual` and `.forecast`."""
    if not rows:
        return empty_chart("budget", title, "No budget, actual cost or forecast yet.")
    labels = [getattr(getattr(row, "period", None), "label", None) or row.label for row in rows]
    values = [v for row in rows for v in (row.original, row.budget, row.actual, row.forecast)]
    group = 44
    bar = 11
    bottom, top, step = nice_scale(min(values), max(values))
    frame_left = axis_margin(bottom, top, step, currency)
    plot_width = max(group * len(rows), 560)
    width = frame_left + plot_width + 16
    legend = [(key, label, "bar") for key, label in BUDGET_SERIES]
    if any(row.original for row in rows):
        legend.append(("original", "Original baseline", "line"))
    frame_top = 22 + 18 * legend_rows(legend, plot_width)
    height = frame_top + 230
    frame = _Frame(frame_left, frame_top, plot_width, height - frame_top - 50, bottom, top, step)
    description = f"{len(rows)} fiscal periods from {labels[0]} to {labels[-1]}, in {currency}."
    parts = _svg_open("budget", width, height, title, description)
    parts += frame.money_axis(currency)
    spacing = Decimal(plot_width) / len(rows)
    centres = [frame.left + spacing * index + spacing / 2 for index in range(len(rows))]
    zero_y = frame.y(ZERO)
    for offset, (key, label) in zip((-bar * 3 // 2, -bar // 2, bar // 2), BUDGET_SERIES, strict=True):
        parts.append(f'<g class="series series-{key}" data-series="{key}" fill="{COLOURS[key]}">')
        for centre, row, period in zip(centres, rows, labels, strict=True):
            value = getattr(row, key)
            y = frame.y(value)
            y_top, bar_height = min(y, zero_y), abs(zero_y - y)
            parts.append(
                f'<rect x="{_f(centre + offset)}" y="{_f(y_top)}" width="{bar}" height="{_f(bar_height)}">'
                f"<title>{escape(period)} {escape(label)}: {escape(currency)} {value:,.2f}</title></rect>"
            )
        parts.append("</g>")
    if any(row.original for row in rows):
        points = " ".join(f"{_f(c)},{_f(frame.y(row.original))}" for c, row in zip(centres, rows, strict=True))
        parts.append(
            f'<g class="series series-original" data-series="original">'
            f'<polyline points="{points}" fill="none" stroke="{COLOURS["original"]}" stroke-width="2"/>'
        )
        for centre, row, period in zip(centres, rows, labels, strict=True):
            parts.append(
                f'<circle cx="{_f(centre)}" cy="{_f(frame.y(row.original))}" r="3" fill="{COLOURS["original"]}">'
                f"<title>{escape(period)} Original budget: {escape(currency)} {row.original:,.2f}</title></circle>"
            )
        parts.append("</g>")
    # Period labels, every n-th when there are too many to sit side by side; each is cut to the
    # room it has (its full name in a tooltip, every period's figures in the bars' tooltips).
    label_y = frame.top + frame.height + 16
    widest = max(text_width(period, TICK_FONT) for period in labels)
    stride = thin_stride(len(rows), float(spacing), min(widest, 96))
    room = float(spacing) * stride - 8
    for index, (centre, period) in enumerate(zip(centres, labels, strict=True)):
        if index % stride:
            continue
        shown = fit_text(period, room, TICK_FONT)
        x, anchor = clamp_anchor(float(centre), shown, 2, width - 2)
        parts.append(text(x, label_y, period, size=TICK_FONT, anchor=anchor, cls="tick-label", room=room))
    parts.append(_legend(legend, frame.left, 18, plot_width))
    parts.append(STYLE + "</svg>")
    return "".join(parts)


# -- the EVM S-curve -----------------------------------------------------------------------------


def s_curve_chart(curve, *, title: str = "Earned value S-curve") -> str:
    """Cumulative PV, EV and AC over time (budgets.selectors.SCurve), with the EAC projection
    dashed from today's AC to the forecast finish, BAC as a dashed reference line and the
    status date as a vertical line."""
    points = list(curve.points)
    has_money = curve.bac or any(p.pv or p.ev or p.ac for p in points)
    if not points or not has_money:
        return empty_chart("s-curve", title, "No time-phased budget, actual cost or progress yet.")
    currency = curve.currency
    # Every curve starts from zero the day before the first period.
    origin = points[0].period.start - dt.timedelta(days=1)
    projection = list(curve.eac_projection)
    last_day = max([points[-1].day, curve.as_of, *(d for d, _ in projection)])
    values = [curve.bac, *(v for p in points for v in (p.pv, p.ev, p.ac) if v is not None)]
    values += [v for _, v in projection]
    width, height = 980, 360
    bottom, top, step = nice_scale(min(values), max(values))
    frame_left = axis_margin(bottom, top, step, currency)
    legend = [
        ("pv", "Planned value (PV)", "line"),
        ("ev", "Earned value (EV)", "line"),
        ("ac", "Actual cost (AC)", "line"),
    ]
    if projection:
        legend.append(("eac", "EAC projection", "dash"))
    # The legend's rows, then a row for the status date's label above the plot.
    frame_top = 40 + 18 * legend_rows(legend, width - frame_left - 24)
    frame = _Frame(frame_left, frame_top, width - frame_left - 24, height - frame_top - 50, bottom, top, step)
    x = time_axis(origin, last_day, frame.left, frame.width)
    description = (
        f"Cumulative planned value, earned value and actual cost in {currency} from {points[0].period.label} "
        f"to {points[-1].period.label}; status date {curve.as_of.isoformat()}."
    )
    parts = _svg_open("s-curve", width, height, title, description)
    parts += frame.money_axis(currency)
    label_y = frame.top + frame.height + 16
    # At most one month label per 80 px: "Sep 2026" is about 53 px wide at 11 px.
    for day in month_ticks(origin, last_day, most=max(2, frame.width // 80)):
        tx = _f(x(day))
        parts.append(f'<line class="grid" x1="{tx}" y1="{frame.top}" x2="{tx}" y2="{frame.top + frame.height}"/>')
        label_x, anchor = clamp_anchor(float(x(day)), f"{day:%b %Y}", 2, width - 2)
        parts.append(text(label_x, label_y, f"{day:%b %Y}", size=TICK_FONT, anchor=anchor, cls="tick-label"))

    if curve.bac:
        by = _f(frame.y(curve.bac))
        parts.append(
            f'<g class="series bac-line" data-series="bac"><line x1="{frame.left}" y1="{by}" x2="{frame.right}" '
            f'y2="{by}" stroke="{COLOURS["bac"]}" stroke-width="1.5" stroke-dasharray="2 4"/>'
            # Under the line, inside the plot: above it could meet the status date's label.
            + text(
                frame.left + 6,
                frame.y(curve.bac) + 14,
                f"BAC {currency} {curve.bac:,.2f}",
                size=TICK_FONT,
                cls="axis-label",
                room=frame.width - 12,
            )
            + "</g>"
        )
    for key, label in (("pv", "PV"), ("ev", "EV"), ("ac", "AC")):
        series = [(origin, ZERO)] + [(p.day, getattr(p, key)) for p in points if getattr(p, key) is not None]
        if len(series) < 2:
            continue
        coords = " ".join(f"{_f(x(day))},{_f(frame.y(value))}" for day, value in series)
        parts.append(
            f'<g class="series series-{key}" data-series="{key}">'
            # PV is drawn wide and pale beneath EV and AC, so it still shows where they coincide.
            f'<polyline points="{coords}" fill="none" stroke="{COLOURS[key]}" '
            f'stroke-width="{"5" if key == "pv" else "2.5"}" stroke-opacity="{".45" if key == "pv" else "1"}" '
            f'stroke-linejoin="round"/>'
        )
        for day, value in series[1:]:
            parts.append(
                f'<circle cx="{_f(x(day))}" cy="{_f(frame.y(value))}" r="2.5" fill="{COLOURS[key]}">'
                f"<title>{label} {day.isoformat()}: {escape(currency)} {value:,.2f}</title></circle>"
            )
        parts.append("</g>")
    if projection:
        (d0, v0), (d1, v1) = projection[0], projection[-1]
        parts.append(
            f'<g class="series eac-projection" data-series="eac">'
            f'<line x1="{_f(x(d0))}" y1="{_f(frame.y(v0))}" x2="{_f(x(d1))}" y2="{_f(frame.y(v1))}" '
            f'stroke="{COLOURS["eac"]}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<circle cx="{_f(x(d1))}" cy="{_f(frame.y(v1))}" r="4" fill="#fff" stroke="{COLOURS["eac"]}" '
            f'stroke-width="2"><title>EAC {escape(currency)} {v1:,.2f} by {d1.isoformat()}</title></circle></g>'
        )
    sx = _f(x(curve.as_of))
    status = f"Status {curve.as_of:%d %b %Y}"
    status_x, anchor = clamp_anchor(float(x(curve.as_of)), status, frame.left, width - 2)
    parts.append(
        f'<g class="status-line" data-date="{curve.as_of.isoformat()}">'
        f'<line x1="{sx}" y1="{frame.top - 6}" x2="{sx}" y2="{frame.top + frame.height}" '
        f'stroke="{COLOURS["status"]}" stroke-width="2" stroke-dasharray="4 3"/>'
        + text(status_x, frame.top - 10, status, size=TICK_FONT, anchor=anchor, cls="axis-label")
        + "</g>"
    )
    parts.append(_legend(legend, frame.left, 18, frame.width))
    parts.append(STYLE + "</svg>")
    return "".join(parts)


# -- burn bars (contracts, reserves) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BurnBar:
    """One horizontal bar: `spent` of `committed` of `limit` (all in `currency`). For a contract:
    invoiced of obligated of ceiling; for a reserve: drawn down of the reserve (no committed)."""

    label: str
    currency: str
    limit: Decimal
    spent: Decimal
    committed: Decimal | None = None
    href: str = ""


def _percent(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return "n/a"
    return f"{(part * 100 / whole).quantize(Decimal('0.1'))}%"


def burn_chart(
    bars: Sequence[BurnBar],
    *,
    kind: str = "burn",
    title: str = "Burn against ceiling",
    spent_label: str = "Invoiced",
    committed_label: str = "Obligated",
    limit_label: str = "Ceiling",
    empty: str = "Nothing to show.",
) -> str:
    """Each bar scaled to its own limit (so amounts in different currencies sit side by side):
    the limit as the track, the committed part over it and the spent part over that. Spending
    beyond the commitment or the limit is drawn in red and flagged in the label."""
    if not bars:
        return empty_chart(kind, title, empty, height=120)
    summaries = []
    for bar in bars:
        base = bar.committed if bar.committed is not None else bar.limit
        over = bar.spent > base
        summary = f"{bar.currency} {bar.spent:,.2f} of {base:,.2f} ({_percent(bar.spent, base)})"
        summaries.append((over, summary + (" — over" if over else "")))
    # Each row stacks its name, its bar and its figures, so the chart stays narrow enough for a
    # phone; it is as wide as its longest figures (never cut), names are cut to fit.
    widest_name = max(text_width(bar.label, LABEL_FONT) for bar in bars)
    width = max(
        320, int(max(text_width(summary, TICK_FONT) for _, summary in summaries)) + 8, int(min(widest_name, 420))
    )
    track = width - 4
    legend = [("ceiling", limit_label, "bar"), ("spent", spent_label, "bar")]
    if any(b.committed is not None for b in bars):
        legend.insert(1, ("obligated", committed_label, "bar"))
    first = 16 + 18 * legend_rows(legend, width)
    row = 58
    height = first + row * len(bars)
    description = f"{len(bars)} bars; each is scaled to its own {limit_label}."
    parts = _svg_open(kind, width, height, title, description, links=any(bar.href for bar in bars))
    parts.append(_legend(legend, 0, 16, width))
    for index, (bar, (over, summary)) in enumerate(zip(bars, summaries, strict=True)):
        top = first + row * index
        scale = max(bar.limit, bar.spent, bar.committed or ZERO)
        if scale <= 0:
            scale = Decimal(1)

        def w(value: Decimal, scale=scale) -> str:
            return _f(max(value, ZERO) * track / scale)

        classes = "burn-row over" if over else "burn-row"
        parts.append(f'<g class="{classes}"><title>{escape(bar.label)}</title>')
        parts.append(text(0, top + 12, bar.label, size=LABEL_FONT, room=width, href=bar.href))
        parts.append(
            f'<rect class="burn-limit" x="1" y="{top + 18}" width="{w(bar.limit)}" height="16" '
            f'fill="{COLOURS["ceiling"]}" stroke="#c3c9d3"/>'
        )
        if bar.committed is not None:
            parts.append(
                f'<rect class="burn-committed" x="1" y="{top + 18}" width="{w(bar.committed)}" '
                f'height="16" fill="{COLOURS["obligated"]}"/>'
            )
        colour = COLOURS["over"] if over else COLOURS["spent"]
        parts.append(
            f'<rect class="burn-spent" x="1" y="{top + 22}" width="{w(bar.spent)}" height="8" fill="{colour}"/>'
        )
        parts.append(text(0, top + 48, summary, size=TICK_FONT, cls="tick-label"))
        parts.append("</g>")
    parts.append(STYLE + "</svg>")
    return "".join(parts)


# -- lifecycle cost estimate versions by phase -------------------------------------------------


def phase_chart(
    phases: Sequence[tuple[str, Decimal, Decimal]], currency: str, *, left_label: str, right_label: str
) -> str:
    """Grouped bars per phase: (phase label, left total, right total)."""
    title = f"{left_label} and {right_label} by phase"
    if not phases:
        return empty_chart("lcce", title, "Neither version has any lines.", height=120)
    values = [v for _, a, b in phases for v in (a, b)]
    bottom, top, step = nice_scale(min(values), max(values))
    frame_left = axis_margin(bottom, top, step, currency)
    # A column per phase wide enough for its name (up to 200 px; a longer one is cut).
    column = max(64, min(200, int(max(text_width(name, TICK_FONT) for name, _, _ in phases)) + 12))
    plot_width = max(560, column * len(phases))
    width = frame_left + plot_width + 16
    legend = [("left", left_label, "bar"), ("right", right_label, "bar")]
    frame_top = 22 + 18 * legend_rows(legend, plot_width)
    height = frame_top + 220
    frame = _Frame(frame_left, frame_top, plot_width, height - frame_top - 40, bottom, top, step)
    parts = _svg_open("lcce", width, height, title, f"{len(phases)} phases in {currency}.")
    parts += frame.money_axis(currency)
    spacing = Decimal(frame.width) / len(phases)
    zero_y = frame.y(ZERO)
    for key, offset, label, index in (("left", -22, left_label, 1), ("right", 2, right_label, 2)):
        parts.append(f'<g class="series series-{key}" data-series="{key}" fill="{COLOURS[key]}">')
        for position, phase in enumerate(phases):
            value = phase[index]
            centre = frame.left + spacing * position + spacing / 2
            y = frame.y(value)
            parts.append(
                f'<rect x="{_f(centre + offset)}" y="{_f(min(y, zero_y))}" width="20" height="{_f(abs(zero_y - y))}">'
                f"<title>{escape(phase[0])} {escape(label)}: {escape(currency)} {value:,.2f}</title></rect>"
            )
        parts.append("</g>")
    # Every phase is labelled (there are few), each cut to its column with the name in a tooltip.
    for position, phase in enumerate(phases):
        centre = frame.left + spacing * position + spacing / 2
        parts.append(
            text(
                centre,
                frame.top + frame.height + 16,
                phase[0],
                size=TICK_FONT,
                anchor="middle",
                cls="tick-label",
                room=float(spacing) - 8,
            )
        )
    parts.append(_legend(legend, frame.left, 18, plot_width))
    parts.append(STYLE + "</svg>")
    return "".join(parts)
