"""The SVG chart kit every server-side chart draws with: readable text, fitted labels, a text
alternative.

The rules a chart keeps by drawing through this kit:

- Charts render at 1:1: the `svg` element's `width` equals its viewBox width, and the page lets
  a wide chart scroll sideways instead of shrinking it, so a font size is the size a reader sees.
- Text is never smaller than MIN_FONT pixels: `text()` writes the size on every element.
- A label that does not fit its room is cut with an ellipsis and keeps its full text in a
  `<title>` (a tooltip); margins are computed from the longest label (`text_width`).
- Tick labels are thinned (`thin_stride`) so neighbours never overlap.
- Every chart is `role="img"` with an `aria-label`, a `<title>` and a `<desc>` naming its figures;
  a chart whose labels are links is `role="group"` instead (an image's children are hidden from
  assistive technology, so links inside one could not be reached: axe's nested-interactive).
- A chart with nothing to plot draws a framed message (`empty_chart`) instead of failing.

Money axes use `nice_scale` (a rounded range that includes zero), `short_money` (tick labels)
and `axis_margin` (the room their labels take); `STYLE` closes every chart with its colours.

Widths are estimated, not measured (the server has no font): CHAR_EM of the font size per
character, which is wider than the average character of the system UI fonts, so an estimate
errs on the side of room to spare.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from html import escape

MIN_FONT = 11  # px: the smallest text any chart draws (tick labels, notes)
TICK_FONT = 11
LABEL_FONT = 12
CHAR_EM = 0.6  # estimated width of one character, in ems
ELLIPSIS = "…"
FONT = "12px system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"

STYLE = (
    "<style>"
    f".chart{{font:{FONT};background:#fff}}"
    ".chart text{fill:#1d2430}.chart .axis-label,.chart .tick-label{fill:#5b6475}"
    ".chart .grid{stroke:#e3e7ec}.chart .axis{stroke:#8a93a3}"
    ".chart .empty-state text{fill:#5b6475}"
    "</style>"
)


def text_width(text: str, size: float = LABEL_FONT) -> float:
    """Estimated width in pixels of `text` drawn at `size` px."""
    return len(text) * CHAR_EM * size


def fit_text(text: str, width: float, size: float = LABEL_FONT) -> str:
    """`text`, cut with an ellipsis when it is wider than `width` pixels at `size` px."""
    if text_width(text, size) <= width:
        return text
    room = max(int(width / (CHAR_EM * size)) - 1, 1)
    return text[:room].rstrip() + ELLIPSIS


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = LABEL_FONT,
    anchor: str = "start",
    cls: str = "",
    room: float | None = None,
    href: str = "",
) -> str:
    """A `<text>` element at (x, y) showing `content` (escaped), at `size` px (never below
    MIN_FONT). With `room`, the text is cut to that many pixels and the full text goes in a
    `<title>`; with `href`, the text is a link."""
    size = max(size, MIN_FONT)
    shown = fit_text(content, room, size) if room is not None else content
    body = escape(shown)
    if href:
        body = f'<a href="{escape(href)}">{body}</a>'
    if shown != content:
        body = f"<title>{escape(content)}</title>{body}"
    anchor_attr = f' text-anchor="{anchor}"' if anchor != "start" else ""
    cls_attr = f' class="{cls}"' if cls else ""
    return f'<text{cls_attr} x="{_n(x)}" y="{_n(y)}" font-size="{size}"{anchor_attr}>{body}</text>'


def clamp_anchor(x: float, content: str, left: float, right: float, size: int = TICK_FONT) -> tuple[float, str]:
    """An (x, text-anchor) pair that centres `content` on `x` but keeps it inside [left, right]."""
    half = text_width(content, size) / 2
    if x - half < left:
        return left, "start"
    if x + half > right:
        return right, "end"
    return x, "middle"


def thin_stride(count: int, slot: float, label: float) -> int:
    """Show every n-th of `count` tick labels, `slot` pixels apart and `label` pixels wide at
    most, so that shown labels are at least 8 px apart."""
    if count <= 1 or slot <= 0:
        return 1
    return max(1, -(-int(label + 8) // max(int(slot), 1)))


def chart_role(*, links: bool = False) -> str:
    """The ARIA role of a chart's `svg`: "img", or "group" when it holds links (`text(href=)`),
    so that they stay reachable by keyboard and screen reader."""
    return "group" if links else "img"


def svg_open(
    kind: str, width: float, height: float, title: str, description: str, *, classes: str = "chart", links: bool = False
) -> str:
    """The opening of a chart drawn at 1:1, with its text alternative: role="img" (or "group"
    with `links`, see chart_role), an aria-label with the title and the figures, and
    <title>/<desc> for tooltips and readers."""
    slug = kind.replace(" ", "-")
    label = f"{title}. {description}" if description else title
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{classes} chart-{slug}" width="{_n(width)}" '
        f'height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" role="{chart_role(links=links)}" '
        f'aria-label="{escape(label)}">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
    )


def legend_layout(labels: Sequence[str], x: float, width: float, *, mark: float = 18, gap: float = 14) -> list:
    """Positions for legend entries (a mark then a label each), wrapping to a new row of 18 px
    when the next entry would pass x + width: a list of (x, row) per label."""
    places, cursor, row = [], x, 0
    for label in labels:
        entry = mark + text_width(label, LABEL_FONT)
        if cursor > x and cursor + entry > x + width:
            cursor, row = x, row + 1
        places.append((cursor, row))
        cursor += entry + gap
    return places


def empty_chart(kind: str, title: str, message: str, *, width: int = 720, height: int = 180) -> str:
    """A framed message in place of a chart with nothing to plot."""
    return (
        svg_open(kind, width, height, title, message)
        + f'<g class="empty-state"><rect x="1" y="1" width="{width - 2}" height="{height - 2}" rx="6" fill="#fafbfc" '
        f'stroke="#d9dde4" stroke-dasharray="6 4"/>'
        + text(width // 2, height // 2 + 5, message, size=14, anchor="middle", room=width - 16)
        + "</g>"
        + STYLE
        + "</svg>"
    )


def short_money(value: Decimal) -> str:
    """An axis label: 1,250,000 → "1.25M", 35,000 → "35k", 120 → "120", and up to the largest
    amount Keel keeps (core.bounds.MONEY_MAX) → "1T"; sums beyond that stay in trillions."""
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    steps = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k"))
    for threshold, suffix in steps:
        scaled = (value / threshold).quantize(Decimal("0.01"))
        if scaled >= 1:  # after rounding, so 999,999.99 reads "1M", not "1000k"
            return f"{sign}{scaled.normalize():f}{suffix}"
    return f"{sign}{value.quantize(Decimal(1)):f}"


def nice_scale(low: Decimal, high: Decimal, ticks: int = 5) -> tuple[Decimal, Decimal, Decimal]:
    """A rounded axis range covering [low, high] (always including zero) and its tick step,
    the step being 1, 2 or 5 times a power of ten."""
    low, high = min(Decimal(low), Decimal(0)), max(Decimal(high), Decimal(0))
    if low == high:
        high = low + 1
    raw = (high - low) / ticks
    exponent = raw.adjusted()
    magnitude = Decimal(10) ** exponent
    step = next(m * magnitude for m in (Decimal(1), Decimal(2), Decimal(5), Decimal(10)) if m * magnitude >= raw)
    bottom = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    top = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    return bottom, top, step


def axis_margin(bottom: Decimal, top: Decimal, step: Decimal, currency: str = "") -> int:
    """The room left of a money axis: its widest tick label (or the currency code) plus a gap."""
    labels = [currency]
    value = bottom
    while value <= top:
        labels.append(short_money(value))
        value += step
    return max(48, int(max(text_width(label, TICK_FONT) for label in labels)) + 14)


def time_axis(first: dt.date, last: dt.date, left: int, width: int):
    """x(day): the position of `day` on an axis from `first` at `left` to `last` at `left + width`."""
    span = max((last - first).days, 1)

    def x(day: dt.date) -> Decimal:
        return left + Decimal((day - first).days) * width / span

    return x


def month_ticks(first: dt.date, last: dt.date, most: int = 12) -> list[dt.date]:
    """First days of months between `first` and `last`, thinned to at most `most`."""
    months = []
    day = dt.date(first.year, first.month, 1)
    if day < first:
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    while day <= last:
        months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    stride = max(1, -(-len(months) // most))
    return months[::stride]


def _n(value: float) -> str:
    """A coordinate for the markup: at most one decimal place."""
    return f"{float(value):.1f}".removesuffix(".0")
