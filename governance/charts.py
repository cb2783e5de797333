"""Server-side SVG for governance: a benefit's actuals over time against its baseline and target.

Every text drawn is escaped, so the result may be marked safe by the caller."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape

WIDTH, HEIGHT = 560, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 14, 28
SMALL_WIDTH, SMALL_HEIGHT = 220, 64


def _fmt(value: Decimal) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if abs(value) < 10000 else f"{value:,.0f}"


def benefit_chart(
    *,
    name: str,
    unit: str,
    baseline: Decimal,
    target: Decimal,
    points: list[tuple[dt.date, Decimal]],
    realisation_date: dt.date | None = None,
    small: bool = False,
) -> str:
    """Actuals (a line with dots) between the baseline (grey dashes) and target (green dashes).
    The x axis runs from the first measurement (or today) to the later of the last measurement and
    the realisation date. `small` draws a sparkline without axis labels."""
    width, height = (SMALL_WIDTH, SMALL_HEIGHT) if small else (WIDTH, HEIGHT)
    left, right, top, bottom = (4, 4, 4, 4) if small else (PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM)
    values = [Decimal(baseline), Decimal(target), *[Decimal(v) for _, v in points]]
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    low, high = low - span / 10, high + span / 10
    days = [d for d, _ in points] or [timezone.localdate()]
    first = min(days)
    last = max([*days, realisation_date] if realisation_date else days)
    if last <= first:
        last = first + dt.timedelta(days=30)
    total = (last - first).days

    def x(day: dt.date) -> float:
        return left + (width - left - right) * (day - first).days / total

    def y(value) -> float:
        return top + float((high - Decimal(value)) / (high - low)) * (height - top - bottom)

    title = escape(f"{name}: actuals against baseline {_fmt(baseline)} and target {_fmt(target)} {unit}".strip())
    parts = [
        f'<svg class="benefit-chart{" benefit-spark" if small else ""}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{title}"><title>{title}</title>'
    ]
    for label, value, css in (("Baseline", baseline, "gov-baseline"), ("Target", target, "gov-target")):
        parts.append(f'<line class="{css}" x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" />')
        if not small:
            parts.append(
                f'<text class="gov-axis" x="{left - 4}" y="{y(value) + 4:.1f}" text-anchor="end">'
                f"{escape(_fmt(value))}</text>"
                f'<text class="gov-legend {css}-text" x="{width - right}" y="{y(value) - 4:.1f}" '
                f'text-anchor="end">{label}</text>'
            )
    if points:
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        parts.append(f'<polyline class="gov-actual" points="{coords}" />')
        for d, v in points:
            parts.append(
                f'<circle class="gov-point" cx="{x(d):.1f}" cy="{y(v):.1f}" r="{2 if small else 3}">'
                f"<title>{escape(f'{d:%d %b %Y}: {_fmt(v)} {unit}'.strip())}</title></circle>"
            )
    elif not small:
        parts.append(
            f'<text class="gov-axis" x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">'
            "No actuals recorded yet</text>"
        )
    if not small:
        parts.append(
            f'<text class="gov-axis" x="{left}" y="{height - 8}">{first:%b %Y}</text>'
            f'<text class="gov-axis" x="{width - right}" y="{height - 8}" text-anchor="end">{last:%b %Y}</text>'
        )
        if realisation_date:
            rx = x(realisation_date)
            parts.append(
                f'<line class="gov-due" x1="{rx:.1f}" x2="{rx:.1f}" y1="{top}" y2="{height - bottom}" />'
                f'<text class="gov-axis" x="{rx:.1f}" y="{top + 8}" text-anchor="end">due</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
