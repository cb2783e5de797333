"""Risk charts as SVG, rendered on the server (as budgets/charts.py, whose scale helpers they
use): the exposure-vs-reserve bars and the score trend of one risk.

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

from budgets.charts import STYLE, empty_chart, nice_scale, short_money

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


def _open(kind: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-{kind}-title chart-{kind}-desc">',
        f'<title id="chart-{kind}-title">{escape(title)}</title>',
        f'<desc id="chart-{kind}-desc">{escape(description)}</desc>',
    ]


def _legend(items, x: int, y: int, *, dashed: Sequence[str] = ()) -> str:
    parts = ['<g class="legend">']
    for key, label in items:
        if key in dashed or key.endswith("score"):
            dash = ' stroke-dasharray="5 3"' if key in dashed else ""
            parts.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 14}" y2="{y - 4}" stroke="{COLOURS[key]}" '
                f'stroke-width="2.5"{dash}/>'
            )
        else:
            parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{COLOURS[key]}"/>')
        parts.append(f'<text x="{x + 18}" y="{y}">{escape(label)}</text>')
        x += 26 + 7 * len(label)
    parts.append("</g>")
    return "".join(parts)


def exposure_chart(rows: Sequence, currency: str, *, title: str = "Exposure against reserves") -> str:
    """Per row (risks.selectors.ExposureRow: a project, the program-level register or a
    program), four horizontal bars on one money axis: EMV of the open risks, residual EMV,
    contingency remaining and management reserve remaining. A row whose EMV exceeds its
    contingency remaining is marked `uncovered` and says so."""
    if not rows:
        return empty_chart("exposure", title, "No projects or programs to show.", height=120)
    label_width, plot, bar, gap = 210, 440, 9, 14
    group = bar * 4 + gap
    height = 56 + group * len(rows) + 24
    width = label_width + plot + 260
    high = max(max(r.emv, r.residual_emv, r.contingency_remaining, r.management_remaining) for r in rows)
    low = min(min(r.contingency_remaining, r.management_remaining, ZERO) for r in rows)
    bottom, top, step = nice_scale(low, high)
    span = top - bottom

    def x(value: Decimal) -> Decimal:
        return label_width + (Decimal(value) - bottom) * plot / span

    parts = _open(
        "exposure",
        width,
        height,
        title,
        f"{len(rows)} rows in {currency}: EMV and residual EMV of open risks against the contingency and management "
        "reserve remaining.",
    )
    parts.append(_legend(SERIES, 0, 16))
    axis_y = 36 + group * len(rows)
    tick = bottom
    while tick <= top:
        parts.append(
            f'<line class="grid" x1="{_f(x(tick))}" y1="28" x2="{_f(x(tick))}" y2="{axis_y}"/>'
            f'<text class="tick-label" x="{_f(x(tick))}" y="{axis_y + 14}" text-anchor="middle">'
            f"{escape(short_money(tick))}</text>"
        )
        tick += step
    zero = x(ZERO)
    for index, row in enumerate(rows):
        y0 = 32 + group * index
        uncovered = row.emv > row.contingency_remaining
        parts.append(f'<g class="exposure-row{" uncovered" if uncovered else ""}"><title>{escape(row.label)}</title>')
        label = row.label if len(row.label) <= 30 else row.label[:29] + "…"
        text = escape(f"{row.key} {label}" if row.key not in ("program", "total") else label)
        if getattr(row, "href", ""):
            text = f'<a href="{escape(row.href)}">{text}</a>'
        parts.append(f'<text x="0" y="{y0 + 2 * bar + 4}">{text}</text>')
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
                f'<rect class="series-{key}" x="{_f(left)}" y="{y0 + offset * bar}" width="{_f(right - left)}" '
                f'height="{bar - 1}" fill="{COLOURS[key]}"><title>{escape(key)}: {currency} {value:,.2f}</title></rect>'
            )
        note = f"EMV {short_money(row.emv)} vs contingency {short_money(row.contingency_remaining)}"
        if uncovered:
            note += " — not covered"
        parts.append(
            f'<text class="tick-label" x="{label_width + plot + 8}" y="{y0 + 2 * bar + 4}">{escape(note)}</text>'
        )
        parts.append("</g>")
    parts.append(f'<line class="axis" x1="{_f(zero)}" y1="28" x2="{_f(zero)}" y2="{axis_y}"/>')
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
            f'y2="{_f(y(threshold))}"/><text class="tick-label" x="{left - 4}" y="{_f(y(threshold) + 4)}" '
            f'text-anchor="end">{threshold}</text>'
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
    parts.append(f'<text class="tick-label" x="{left}" y="{axis_y + 16}">{first:%d %b %Y}</text>')
    parts.append(
        f'<text class="tick-label" x="{width - right}" y="{axis_y + 16}" text-anchor="end">{last:%d %b %Y}</text>'
    )
    parts.append(STYLE + "</svg>")
    return "".join(parts)
