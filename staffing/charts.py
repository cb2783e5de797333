"""Staffing charts as SVG, rendered on the server; every text drawn is escaped.

- utilisation_chart: one person's weekly load (bars, coloured by band) against capacity (a
  step line), with absent weeks marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from core.charts import LABEL_FONT, TICK_FONT, svg_open, text, text_width, thin_stride

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
            svg_open("staffing", WIDTH, 60, title, "No weeks to show.", classes="chart staffing-chart")
            + f'<rect class="empty-state" x="1" y="1" width="{WIDTH - 2}" height="58" fill="none" stroke="#ccd"/>'
            + text(WIDTH // 2, 34, "No weeks to show.", size=LABEL_FONT, anchor="middle")
            + "</svg>"
        )
    top = max([w.load for w in weeks] + [w.capacity for w in weeks] + [Decimal(1)])
    top = Decimal(int(top / 10) + 1) * 10
    # Room left of the plot for the widest hour label.
    left = max(LEFT, int(text_width(f"{int(top)} h", TICK_FONT)) + 10)
    plot_w = Decimal(WIDTH - left - RIGHT)
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)
    slot = plot_w / len(weeks)

    def y(value: Decimal) -> Decimal:
        return TOP + plot_h - plot_h * value / top

    over = sum(1 for w in weeks if w.band == "over")
    description = (
        f"{len(weeks)} weeks from {weeks[0].week:%d %b %Y}: {_hours(sum((w.load for w in weeks), ZERO))} h booked "
        f"of {_hours(sum((w.capacity for w in weeks), ZERO))} h capacity; {over} week(s) over-allocated."
    )
    parts = [svg_open("staffing", WIDTH, HEIGHT, title, description, classes="chart staffing-chart")]
    for tick in range(0, int(top) + 1, max(int(top) // 4, 1)):
        ty = y(Decimal(tick))
        parts.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH - RIGHT}" y1="{_fmt(ty)}" y2="{_fmt(ty)}" stroke="#e3e6ec"/>'
            + text(left - 6, ty + 4, f"{tick} h", size=TICK_FONT, anchor="end", cls="axis")
        )
    # At most one date under every 6th week, and never closer than a label's width.
    stride = max(thin_stride(len(weeks), float(slot), text_width("06 Dec", TICK_FONT)), -(-len(weeks) // 12))
    parts.append('<g class="series-load">')
    for i, w in enumerate(weeks):
        x = left + slot * i + slot / 8
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
        if i % stride == 0:
            parts.append(
                text(
                    x + width / 2, HEIGHT - BOTTOM + 16, f"{w.week:%d %b}", size=TICK_FONT, anchor="middle", cls="axis"
                )
            )
    parts.append("</g>")
    path = []
    for i, w in enumerate(weeks):
        x0, x1 = left + slot * i, left + slot * (i + 1)
        cy = _fmt(y(w.capacity))
        path.append(f"{'M' if i == 0 else 'L'}{_fmt(x0)},{cy} L{_fmt(x1)},{cy}")
    parts.append(f'<path class="series-capacity" d="{" ".join(path)}" fill="none" stroke="#1d2430" stroke-width="2"/>')
    ly = HEIGHT - 6
    parts.append(
        f'<g class="legend"><rect class="band-mid" x="{left}" width="10" height="10" y="{ly - 9}"/>'
        + text(left + 14, ly, "Booked hours", size=TICK_FONT)
        + f'<line x1="{left + 110}" x2="{left + 130}" y1="{ly - 4}" y2="{ly - 4}" stroke="#1d2430" stroke-width="2"/>'
        + text(left + 134, ly, "Capacity", size=TICK_FONT)
        + f'<rect class="band-over" x="{left + 210}" width="10" height="10" y="{ly - 9}"/>'
        + text(left + 224, ly, "Over-allocated", size=TICK_FONT)
        + "</g>"
    )
    parts.append("</svg>")
    return "".join(parts)
