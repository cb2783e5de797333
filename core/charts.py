"""The SVG chart kit every server-side chart draws with: readable text, fitted labels, a text
alternative.

The rules a chart keeps by drawing through this kit:

- Charts render at 1:1: the `svg` element's `width` equals its viewBox width, and the page lets
  a wide chart scroll sideways instead of shrinking it, so a font size is the size a reader sees.
- Text is never smaller than MIN_FONT pixels: `text()` writes the size on every element.
- A label that does not fit its room is cut with an ellipsis and keeps its full text in a
  `<title>` (a tooltip); margins are computed from the longest label (`text_width`).
- Tick labels are thinned (`thin_stride`) so neighbours never overlap.
- Every chart is `role="img"` with an `aria-label`, a `<title>` and a `<desc>` naming its figures.

Widths are estimated, not measured (the server has no font): CHAR_EM of the font size per
character, which is wider than the average character of the system UI fonts, so an estimate
errs on the side of room to spare.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

MIN_FONT = 11  # px: the smallest text any chart draws (tick labels, notes)
TICK_FONT = 11
LABEL_FONT = 12
CHAR_EM = 0.6  # estimated width of one character, in ems
ELLIPSIS = "…"


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


def svg_open(kind: str, width: float, height: float, title: str, description: str, *, classes: str = "chart") -> str:
    """The opening of a chart drawn at 1:1, with its text alternative: role="img", an
    aria-label with the title and the figures, and <title>/<desc> for tooltips and readers."""
    slug = kind.replace(" ", "-")
    label = f"{title}. {description}" if description else title
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{classes} chart-{slug}" width="{_n(width)}" '
        f'height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-label="{escape(label)}">'
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


def _n(value: float) -> str:
    """A coordinate for the markup: at most one decimal place."""
    return f"{float(value):.1f}".removesuffix(".0")
