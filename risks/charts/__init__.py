"""Risk charts as SVG, rendered on the server (drawn with the kit in core/charts.py,
whose scale helpers they use): the exposure-vs-reserve bars and the score trend of one risk.

Each function takes plain values and returns an SVG fragment safe to embed: every text it draws
is escaped. Money stays Decimal; coordinates are formatted to one decimal place. An empty input
draws a framed message instead. Classes tests and stylesheets rely on: `series-emv`,
`series-contingency`, `series-management`, `series-residual`, `uncovered`, `trend-score`,
`trend-residual`, `empty-state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from html import escape

from core.charts import (
    LABEL_FONT,
    STYLE,
    TICK_FONT,
    clamp_anchor,
    empty_chart,
    legend_layout,
    nice_scale,
    short_money,
    svg_open,
    text,
    text_width,
)

ZERO = Decimal(0)
COLOURS = {
    "emv": "#c62828",
    "residual": "#f0a3a3",
    "contingency": "#2e7d32",
    "management": "#4f7cc4",
    "score": "#c62828",
    "residual_score": "#5b6475",
}
SERIES = (
    ("emv", "EMV (open risks)"),
    ("residual", "Residual EMV"),
    ("contingency", "Contingency remaining"),
    ("management", "Management reserve remaining"),
)


def _f(value) -> str:
    return f"{Decimal(value):.1f}"


def _open(kind: str, width: int, height: int, title: str, description: str, *, links: bool = False) -> list[str]:
    return [svg_open(kind, width, height, title, description, links=links)]


def _legend_rows(items, width: int) -> int:
    return 1 + max(row for _, row in legend_layout([label for _, label in items], 0, width))


def _legend(items, x: int, y: int, *, dashed: Sequence[str] = (), width: int = 10_000) -> str:
    """Legend entries wrapping onto rows of 18 px within `width` from `x`."""
    parts = ['<g class="legend">']
    places = legend_layout([label for _, label in items], x, width)
    base = y
    for (key, label), (x, row) in zip(items, places, strict=True):
        y = base + 18 * row
        if key in dashed or key.endswith("score"):
            dash = ' stroke-dasharray="5 3"' if key in dashed else ""
            parts.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 14}" y2="{y - 4}" stroke="{COLOURS[key]}" '
                f'stroke-width="2.5"{dash}/>'
            )
        else:
            parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{COLOURS[key]}"/>')
        parts.append(text(x + 18, y, label, size=LABEL_FONT))
    parts.append("</g>")
    return "".join(parts)


def exposure_chart(rows: Sequence, currency: str, *, title: str = "Exposure against reserves") -> str:
    """Per row (risks.selectors.ExposureRow: a project, the program-level register or a
    program), four horizontal bars on one money axis: EMV of the open risks, residual EMV,
    contingency remaining and management reserve remaining. A row whose EMV exceeds its
    contingency remaining is marked `uncovered` and says so."""
    if not rows:
        return empty_chart("exposure", title, "No projects or programs to show.", height=120)
    notes = []
    for row in rows:
        note = f"EMV {short_money(row.emv)} vs contingency {short_money(row.contingency_remaining)}"
        uncovered = row.emv > row.contingency_remaining
        notes.append((uncovered, note + (" — not covered" if uncovered else "")))
    # Each row stacks its name, its four bars and its note, so the chart stays narrow enough for
    # a phone; it is as wide as its longest note (never cut), names are cut to fit.
    names = [f"{r.key} {r.label}" if r.key not in ("program", "total") else r.label for r in rows]
    widest_name = max(text_width(name, LABEL_FONT) for name in names)
    width = max(320, int(max(text_width(note, TICK_FONT) for _, note in notes)) + 8, min(int(widest_name), 420))
    margin = 24  # room for a tick label centred on either end of the axis
    plot = width - 2 * margin
    bar, group = 9, 16 + 4 * 9 + 18 + 10
    first = 12 + 18 * _legend_rows(SERIES, width)
    axis_y = first + group * len(rows)
    height = axis_y + 22
    high = max(max(r.emv, r.residual_emv, r.contingency_remaining, r.management_remaining) for r in rows)
    low = min(min(r.contingency_remaining, r.management_remaining, ZERO) for r in rows)
    bottom, top, step = nice_scale(low, high)
    span = top - bottom

    def x(value: Decimal) -> Decimal:
        return margin + (Decimal(value) - bottom) * plot / span

    parts = _open(
        "exposure",
        width,
        height,
        title,
        f"{len(rows)} rows in {currency}: EMV and residual EMV of open risks against the contingency and management "
        "reserve remaining.",
        links=any(getattr(row, "href", "") for row in rows),
    )
    parts.append(_legend(SERIES, 0, 16, width=width))
    tick, previous_end = bottom, -1.0
    while tick <= top:
        label = short_money(tick)
        tx, anchor = clamp_anchor(float(x(tick)), label, 0, width)
        parts.append(f'<line class="grid" x1="{_f(x(tick))}" y1="{first - 4}" x2="{_f(x(tick))}" y2="{axis_y}"/>')
        # A tick label is skipped when it would touch the one before (long labels, small plots).
        start = tx - text_width(label, TICK_FONT) * {"start": 0, "middle": 0.5, "end": 1}[anchor]
        if start > previous_end + 6:
            parts.append(text(tx, axis_y + 14, label, size=TICK_FONT, anchor=anchor, cls="tick-label"))
            previous_end = start + text_width(label, TICK_FONT)
        tick += step
    zero = x(ZERO)
    for index, (row, name, (uncovered, note)) in enumerate(zip(rows, names, notes, strict=True)):
        y0 = first + group * index
        parts.append(f'<g class="exposure-row{" uncovered" if uncovered else ""}"><title>{escape(row.label)}</title>')
        parts.append(text(0, y0 + 12, name, size=LABEL_FONT, room=width, href=getattr(row, "href", "")))
        for offset, (key, value) in enumerate(
            (
                ("emv", row.emv),
                ("residual", row.residual_emv),
                ("contingency", row.contingency_remaining),
                ("management", row.management_remaining),
            )
        ):
            left, right = sorted((zero, x(value)))
            parts.append(
                f'<rect class="series-{key}" x="{_f(left)}" y="{y0 + 18 + offset * bar}" width="{_f(right - left)}" '
                f'height="{bar - 1}" fill="{COLOURS[key]}"><title>{escape(key)}: {currency} {value:,.2f}</title></rect>'
            )
        parts.append(text(0, y0 + 18 + 4 * bar + 14, note, size=TICK_FONT, cls="tick-label exposure-note"))
        parts.append("</g>")
    parts.append(f'<line class="axis" x1="{_f(zero)}" y1="{first - 4}" x2="{_f(zero)}" y2="{axis_y}"/>')
    parts.append(STYLE + "</svg>")
    return "".join(parts)


def trend_chart(points: Sequence, *, today: dt.date | None = None, title: str = "Score over time") -> str:
    """The inherent score (solid) and residual score (dashed) of a risk as step lines over time,
    from its history rows (anything with `at`, `score`, `residual_score`), on a 0-25 axis with the
    band thresholds drawn. The last value is carried to `today`."""
    if not points:
        return empty_chart("risk-trend", title, "No history yet.", height=120)
    width, height, left, right, top, bottom = 640, 220, 36, 16, 28, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    first = points[0].at.date()
    last = max(today or points[-1].at.date(), points[-1].at.date())
    days = max((last - first).days, 1)

    def x(day: dt.date) -> Decimal:
        return Decimal(left) + Decimal((day - first).days) * plot_w / days

    def y(score: int) -> Decimal:
        return Decimal(top) + Decimal(25 - score) * plot_h / 25

    parts = _open(
        "risk-trend",
        width,
        height,
        title,
        f"{len(points)} assessments from {first:%d %b %Y}; latest score {points[-1].score}.",
    )
    parts.append(
        _legend((("score", "Score"), ("residual_score", "Residual score")), left, 16, dashed=["residual_score"])
    )
    for threshold, band in ((5, "medium"), (10, "high"), (20, "critical")):
        parts.append(
            f'<line class="grid band-{band}" x1="{left}" y1="{_f(y(threshold))}" x2="{width - right}" '
            f'y2="{_f(y(threshold))}"/>'
            + text(left - 4, y(threshold) + 4, str(threshold), size=TICK_FONT, anchor="end", cls="tick-label")
        )
    for name, key, dash in (
        ("trend-score", "score", ""),
        ("trend-residual", "residual_score", ' stroke-dasharray="5 3"'),
    ):
        path, previous = [], None
        for point in points:
            value = getattr(point, key)
            px = x(point.at.date())
            if value is None:
                previous = None
                continue
            if previous is None:
                path.append(f"M{_f(px)},{_f(y(value))}")
            else:
                path.append(f"H{_f(px)}V{_f(y(value))}")
            previous = value
        if previous is not None:
            path.append(f"H{_f(x(last))}")
        if path:
            parts.append(
                f'<path class="{name}" d="{"".join(path)}" fill="none" stroke="{COLOURS[key]}" '
                f'stroke-width="2.5"{dash}/>'
            )
    for point in points:
        parts.append(
            f'<circle class="trend-point" cx="{_f(x(point.at.date()))}" cy="{_f(y(point.score))}" r="3" '
            f'fill="{COLOURS["score"]}"><title>{point.at:%d %b %Y}: score {point.score}</title></circle>'
        )
    axis_y = top + plot_h
    parts.append(f'<line class="axis" x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}"/>')
    parts.append(text(left, axis_y + 16, f"{first:%d %b %Y}", size=TICK_FONT, cls="tick-label"))
    parts.append(text(width - right, axis_y + 16, f"{last:%d %b %Y}", size=TICK_FONT, anchor="end", cls="tick-label"))
    parts.append(STYLE + "</svg>")
    return "".join(parts)
