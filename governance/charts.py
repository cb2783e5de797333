"""Server-side SVG for governance: a benefit's actuals over time against its baseline and target.

Every text drawn is escaped, so the result may be marked safe by the caller."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape

from core.charts import TICK_FONT, text, text_width

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
    if not small:  # room for the wider of the baseline and target figures left of the plot
        left = max(left, int(max(text_width(_fmt(v), TICK_FONT) for v in (baseline, target))) + 10)
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
    latest = (
        f"latest {_fmt(points[-1][1])} {unit} on {points[-1][0]:%d %b %Y}".replace("  ", " ")
        if points
        else ("no actuals yet")
    )
    desc = escape(f"{len(points)} measurements; {latest}.")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="benefit-chart{" benefit-spark" if small else ""}" '
        f'viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{title}. {desc}"><title>{title}</title>'
        f"<desc>{desc}</desc>"
    ]
    # The higher line is labelled above itself and the lower one below, so the two never collide
    # however close the baseline and target are. Their names sit at the end of the plot away from
    # the due date's line, so its label never meets them.
    higher = "Target" if Decimal(target) >= Decimal(baseline) else "Baseline"
    due_on_left = realisation_date is not None and x(realisation_date) <= (left + width - right) / 2
    name_x, name_anchor = (width - right, "end") if due_on_left else (left + 4, "start")
    for label, value, css in (("Baseline", baseline, "gov-baseline"), ("Target", target, "gov-target")):
        parts.append(f'<line class="{css}" x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" />')
        if not small:
            ty = y(value) - 3 if label == higher else y(value) + 12
            parts.append(
                text(left - 4, ty, _fmt(value), size=TICK_FONT, anchor="end", cls="gov-axis")
                + text(name_x, ty, label, size=TICK_FONT, anchor=name_anchor, cls=f"gov-legend {css}-text")
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
            text(width / 2, (y(baseline) + y(target)) / 2 + 4, "No actuals recorded yet", size=12, anchor="middle")
        )
    if not small:
        parts.append(
            text(left, height - 8, f"{first:%b %Y}", size=TICK_FONT, cls="gov-axis")
            + text(width - right, height - 8, f"{last:%b %Y}", size=TICK_FONT, anchor="end", cls="gov-axis")
        )
        if realisation_date:
            rx = x(realisation_date)
            # "due" sits beside its line, towards the middle of the plot.
            due_x, anchor = (rx + 3, "start") if due_on_left else (rx - 3, "end")
            parts.append(
                f'<line class="gov-due" x1="{rx:.1f}" x2="{rx:.1f}" y1="{top}" y2="{height - bottom}" />'
                + text(due_x, top + 8, "due", size=TICK_FONT, anchor=anchor, cls="gov-axis")
            )
    parts.append("</svg>")
    return "".join(parts)
