"""Staffing charts as SVG, rendered on the server; every text drawn is escaped.

- utilisation_chart: one person's weekly load (bars, coloured by band) against capacity (a
  step line), with absent weeks marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from .capacity import WeekLoad

ZERO = Decimal(0)
WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 40


def _fmt(value: Decimal) -> str:
    return f"{value:.1f}"


def _hours(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')):f}".rstrip("0").rstrip(".")


def utilisation_chart(weeks: Sequence[WeekLoad], *, title: str = "Weekly load against capacity") -> str:
    if not weeks:
        return (
            f'<svg class="chart staffing-chart" viewBox="0 0 {WIDTH} 60" role="img" aria-label="{escape(title)}">'
            f'<rect class="empty-state" x="1" y="1" width="{WIDTH - 2}" height="58" fill="none" stroke="#ccd"/>'
            f'<text x="{WIDTH // 2}" y="34" text-anchor="middle">No weeks to show.</text></svg>'
        )
    top = max([w.load for w in weeks] + [w.capacity for w in weeks] + [Decimal(1)])
    top = Decimal(int(top / 10) + 1) * 10
    plot_w = Decimal(WIDTH - LEFT - RIGHT)
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)
    slot = plot_w / len(weeks)

    def y(value: Decimal) -> Decimal:
        return TOP + plot_h - plot_h * value / top

    parts = [
        f'<svg class="chart staffing-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(0, int(top) + 1, max(int(top) // 4, 1)):
        ty = y(Decimal(tick))
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(ty)}" y2="{_fmt(ty)}" stroke="#e3e6ec"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{_fmt(ty + 4)}" text-anchor="end">{tick} h</text>'
        )
    parts.append('<g class="series-load">')
    for i, w in enumerate(weeks):
        x = LEFT + slot * i + slot / 8
        width = slot * 3 / 4
        label = f"Week of {w.week:%d %b %Y}: {_hours(w.load)} h booked of {_hours(w.capacity)} h capacity" + (
            f", {w.absent_days} day(s) absent" if w.absent_days else ""
        )
        if w.available_days == 0:
            parts.append(
                f'<rect class="band-absent" x="{_fmt(x)}" y="{TOP}" width="{_fmt(width)}" height="{_fmt(plot_h)}">'
                f"<title>{escape(label)}</title></rect>"
            )
        height = plot_h * w.load / top
        parts.append(
            f'<rect class="band-{w.band}" x="{_fmt(x)}" y="{_fmt(y(w.load))}" width="{_fmt(width)}" '
            f'height="{_fmt(height)}"><title>{escape(label)}</title></rect>'
        )
        if i % max(len(weeks) // 6, 1) == 0:
            parts.append(
                f'<text class="axis" x="{_fmt(x + width / 2)}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{w.week:%d %b}</text>'
            )
    parts.append("</g>")
    path = []
    for i, w in enumerate(weeks):
        x0, x1 = LEFT + slot * i, LEFT + slot * (i + 1)
        cy = _fmt(y(w.capacity))
        path.append(f"{'M' if i == 0 else 'L'}{_fmt(x0)},{cy} L{_fmt(x1)},{cy}")
    parts.append(f'<path class="series-capacity" d="{" ".join(path)}" fill="none" stroke="#1d2430" stroke-width="2"/>')
    parts.append(
        f'<g class="legend" transform="translate({LEFT},{HEIGHT - 8})">'
        '<rect class="band-mid" width="10" height="10" y="-9"/><text x="14">Booked hours</text>'
        '<line x1="110" x2="130" y1="-4" y2="-4" stroke="#1d2430" stroke-width="2"/>'
        '<text x="134">Capacity</text>'
        '<rect class="band-over" x="210" width="10" height="10" y="-9"/><text x="224">Over-allocated</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)
