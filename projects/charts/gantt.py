"""A Gantt chart as SVG, rendered on the server.

`render_gantt(rows, links, zoom=…, today=…)` takes plain row objects (no ORM) and returns
SVG markup: bars, milestones (diamonds), summary brackets, percent-complete overlay,
baseline bars beneath, dependency arrows, the critical path in red and a today line.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import escape

from core.charts import LABEL_FONT, TICK_FONT, chart_role, fit_text, text_width

ROW_HEIGHT = 24
HEADER_HEIGHT = 40
LABEL_WIDTH = 280
BAR_HEIGHT = 12
BASELINE_HEIGHT = 4

# pixels per day, and how the time scale is labelled, per zoom level
ZOOMS = {"week": 18.0, "month": 4.0, "quarter": 1.4}
MAX_TICKS = 400


@dataclass(frozen=True, slots=True)
class GanttRow:
    """One line of the chart. Dates are aware or naive datetimes in one wall clock."""

    key: object
    label: str
    start: datetime | None
    finish: datetime | None
    level: int = 0
    is_summary: bool = False
    is_milestone: bool = False
    is_critical: bool = False
    percent_complete: float = 0.0
    baseline_start: datetime | None = None
    baseline_finish: datetime | None = None
    href: str = ""
    title: str = ""
    draggable: bool = False  # the bar can be dragged to a new start (static/js/gantt-edit.js)


@dataclass(frozen=True, slots=True)
class GanttLink:
    predecessor: object
    successor: object
    type: str = "FS"
    is_critical: bool = False


@dataclass(slots=True)
class _Scale:
    origin: date
    px_per_day: float
    days: int
    ticks: list[tuple[float, str]] = field(default_factory=list)

    def x(self, moment: datetime | date) -> float:
        if isinstance(moment, datetime):
            delta = moment.replace(tzinfo=None) - datetime.combine(self.origin, datetime.min.time())
            days = delta.total_seconds() / 86400
        else:
            days = (moment - self.origin).days
        return LABEL_WIDTH + days * self.px_per_day


def _scale(
    rows: list[GanttRow], zoom: str, today: date | None, include_today: bool = False, span: tuple | None = None
) -> _Scale:
    moments = [d for r in rows for d in (r.start, r.finish, r.baseline_start, r.baseline_finish) if d]
    moments += [d for d in span or () if d]
    days = [m.date() if isinstance(m, datetime) else m for m in moments]
    if include_today and today is not None:
        days.append(today)
    first = min(days) if days else (today or date.today())
    last = max(days) if days else first
    if zoom == "week":
        origin = first - timedelta(days=first.weekday() + 7)
    else:
        origin = first.replace(day=1) - timedelta(days=1)
        origin = origin.replace(day=1)
    end = last + timedelta(days=21 if zoom == "week" else 45)
    scale = _Scale(origin=origin, px_per_day=ZOOMS[zoom], days=(end - origin).days)
    cursor = origin
    while cursor <= end:
        if zoom == "week":
            scale.ticks.append((scale.x(cursor), cursor.strftime("%d %b")))
            cursor += timedelta(days=7)
        else:
            if zoom == "month" or cursor.month in (1, 4, 7, 10):
                label = cursor.strftime("%b %Y") if zoom == "month" else f"Q{(cursor.month - 1) // 3 + 1} {cursor.year}"
                scale.ticks.append((scale.x(cursor), label))
            cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
    # A plan reaching a date centuries away (dates run to 2999, core.bounds) keeps one tick in
    # every so many, so the chart stays a few kilobytes of grid whatever its span.
    scale.ticks = scale.ticks[:: -(-len(scale.ticks) // MAX_TICKS)] if scale.ticks else []
    return scale


def _fit_label(text: str, level: int) -> str:
    """`text` shortened with an ellipsis so that it stays inside the label column."""
    return fit_text(text, LABEL_WIDTH - 16 - level * 14, LABEL_FONT)


def _arrow_path(x1: float, y1: float, x2: float, y2: float, leaves_right: bool, enters_left: bool) -> str:
    """An orthogonal connector from (x1, y1) to (x2, y2) with 8px stubs."""
    out = x1 + (8 if leaves_right else -8)
    into = x2 - 8 if enters_left else x2 + 8
    mid_y = y2 - ROW_HEIGHT / 2 if y2 > y1 else y2 + ROW_HEIGHT / 2
    if (enters_left and out <= into) or (not enters_left and out >= into):
        return f"M{x1:.1f},{y1:.1f} H{out:.1f} V{y2:.1f} H{x2:.1f}"
    return f"M{x1:.1f},{y1:.1f} H{out:.1f} V{mid_y:.1f} H{into:.1f} V{y2:.1f} H{x2:.1f}"


def render_gantt(
    rows: list[GanttRow],
    links: list[GanttLink] = (),
    *,
    zoom: str = "week",
    today: date | None = None,
    heading: str = "Task",
    include_today: bool = False,
    title: str = "Gantt chart",
    span: tuple | None = None,
) -> str:
    """Return the chart as an SVG document fragment (safe to embed in HTML). `heading` titles
    the label column; with `include_today` the time scale always reaches today.

    The label column is one group drawn last, over an opaque background, so that a page can
    keep it in view while the chart scrolls sideways (static/js/gantt.js shifts it).

    `span` (first, last moment) widens the time scale to cover them: a page of a big schedule's
    rows keeps the scale of the whole plan. The root carries the scale (data-origin, the day at
    x = data-label-width, and data-px-per-day) for a script that turns a dragged bar into a date."""
    if zoom not in ZOOMS:
        raise ValueError(f"zoom must be one of {', '.join(ZOOMS)}")
    scale = _scale(rows, zoom, today, include_today, span)
    width = LABEL_WIDTH + scale.days * scale.px_per_day + 20
    height = HEADER_HEIGHT + len(rows) * ROW_HEIGHT + 10
    dated = [r for r in rows if r.start and r.finish]
    summary = f"{len(rows)} rows"
    if dated:
        summary += f" from {min(r.start for r in dated):%d %b %Y} to {max(r.finish for r in dated):%d %b %Y}"
    if today is not None:
        summary += f"; today is {today:%d %b %Y}"
    summary += ". Each row's dates are in its tooltip and in the table of tasks."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="{width:.0f}" height="{height}" '
        f'viewBox="0 0 {width:.0f} {height}" role="{chart_role(links=any(r.href for r in rows))}" '
        f'data-origin="{scale.origin.isoformat()}" data-px-per-day="{scale.px_per_day}" '
        f'data-label-width="{LABEL_WIDTH}" aria-label="{escape(title)}. {escape(summary)}">'
        f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>",
        "<defs>"
        '<marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#5b6470"/></marker>'
        '<marker id="arrow-crit" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#c62828"/></marker>'
        "</defs>",
        f'<rect class="gantt-header" x="0" y="0" width="{width:.0f}" height="{HEADER_HEIGHT}"/>',
    ]
    grid_at = len(parts)  # row stripes go here, beneath the grid lines
    for x, label in scale.ticks:
        parts.append(f'<line class="gantt-grid" x1="{x:.1f}" y1="{HEADER_HEIGHT - 14}" x2="{x:.1f}" y2="{height}"/>')
        if x + 3 + text_width(label, TICK_FONT) <= width:  # a label that would run off the end is left out
            parts.append(
                f'<text class="gantt-tick" x="{x + 3:.1f}" y="{HEADER_HEIGHT - 18}" font-size="{TICK_FONT}">'
                f"{escape(label)}</text>"
            )
    labels = [
        f'<g class="gantt-labels"><rect class="gantt-label-bg" x="0" y="0" width="{LABEL_WIDTH}" height="{height}"/>'
        f'<rect class="gantt-header" x="0" y="0" width="{LABEL_WIDTH}" height="{HEADER_HEIGHT}"/>'
        f'<text class="gantt-tick" x="8" y="{HEADER_HEIGHT - 18}" font-size="{TICK_FONT}">{escape(heading)}</text>'
    ]

    positions: dict[object, tuple[float, float, float]] = {}
    stripes: list[str] = []
    for index, row in enumerate(rows):
        top = HEADER_HEIGHT + index * ROW_HEIGHT
        mid = top + ROW_HEIGHT / 2
        stripe = "gantt-row-alt" if index % 2 else "gantt-row"
        # Stripes go beneath the grid and every mark, so marks overhanging a row still show.
        stripes.append(f'<rect class="{stripe}" x="0" y="{top}" width="{width:.0f}" height="{ROW_HEIGHT}"/>')
        label = escape(_fit_label(row.label, row.level))
        if row.href:
            label = f'<a href="{escape(row.href)}">{label}</a>'
        weight = ' font-weight="600"' if row.is_summary else ""
        labels.append(
            f'<rect class="{stripe}" x="0" y="{top}" width="{LABEL_WIDTH}" height="{ROW_HEIGHT}"/>'
            f'<text class="gantt-label" x="{8 + row.level * 14}" y="{mid + 4:.1f}" font-size="{LABEL_FONT}"{weight}>'
            f"<title>{escape(row.label)}</title>{label}</text>"
        )
        tooltip = f"<title>{escape(row.title or row.label)}</title>"
        key = f' data-key="{escape(str(row.key))}"'
        if row.baseline_start and row.baseline_finish:
            bx1, bx2 = scale.x(row.baseline_start), scale.x(row.baseline_finish)
            by = mid + BAR_HEIGHT / 2 + 1
            if row.is_milestone:
                # A baseline milestone: a small hollow diamond under the current one.
                parts.append(
                    f'<path class="gantt-baseline-milestone" d="M{bx1:.1f},{by:.1f} l4,4 l-4,4 l-4,-4 z"{key}/>'
                )
            else:
                parts.append(
                    f'<rect class="gantt-baseline" x="{bx1:.1f}" y="{by:.1f}" '
                    f'width="{max(bx2 - bx1, 1):.1f}" height="{BASELINE_HEIGHT}"{key}/>'
                )
        if not (row.start and row.finish):
            continue
        x1, x2 = scale.x(row.start), scale.x(row.finish)
        crit = " critical" if row.is_critical else ""
        if row.is_milestone:
            r = BAR_HEIGHT / 2 + 1
            parts.append(
                f'<path class="gantt-milestone{crit}" d="M{x1:.1f},{mid - r:.1f} L{x1 + r:.1f},{mid:.1f} '
                f'L{x1:.1f},{mid + r:.1f} L{x1 - r:.1f},{mid:.1f} z"{key}>{tooltip}</path>'
            )
            positions[row.key] = (x1, x1, mid)
            continue
        w = max(x2 - x1, 2)
        if row.is_summary:
            y = mid - 3
            parts.append(
                f'<path class="gantt-summary{crit}" d="M{x1:.1f},{y:.1f} h{w:.1f} v10 l-5,-4 H{x1 + 5:.1f} '
                f'l-5,4 z"{key}>{tooltip}</path>'
            )
        else:
            y = mid - BAR_HEIGHT / 2
            drag = ' data-drag="start"' if row.draggable else ""
            parts.append(
                f'<rect class="gantt-bar{crit}"{drag} x="{x1:.1f}" y="{y:.1f}" width="{w:.1f}" '
                f'height="{BAR_HEIGHT}" rx="2"{key}>{tooltip}</rect>'
            )
            if row.percent_complete > 0:
                done = w * min(row.percent_complete, 100) / 100
                parts.append(
                    f'<rect class="gantt-progress" x="{x1:.1f}" y="{mid - 2:.1f}" width="{done:.1f}" height="4"/>'
                )
        positions[row.key] = (x1, x1 + w, mid)

    parts[grid_at:grid_at] = stripes
    for link in links:
        if link.predecessor not in positions or link.successor not in positions:
            continue
        p_start, p_end, py = positions[link.predecessor]
        s_start, s_end, sy = positions[link.successor]
        from_finish = link.type in ("FS", "FF")
        to_start = link.type in ("FS", "SS")
        path = _arrow_path(
            p_end if from_finish else p_start, py, s_start if to_start else s_end, sy, from_finish, to_start
        )
        kind = "gantt-link critical" if link.is_critical else "gantt-link"
        marker = "arrow-crit" if link.is_critical else "arrow"
        parts.append(f'<path class="{kind}" d="{path}" marker-end="url(#{marker})"/>')

    if today is not None:
        tx = scale.x(today)
        if LABEL_WIDTH <= tx <= width:
            parts.append(
                f'<line class="gantt-today" x1="{tx:.1f}" y1="{HEADER_HEIGHT - 14}" x2="{tx:.1f}" '
                f'y2="{height}"><title>Today {today.isoformat()}</title></line>'
            )
    labels.append(
        f'<line class="gantt-label-edge" x1="{LABEL_WIDTH - 0.5}" y1="0" x2="{LABEL_WIDTH - 0.5}" y2="{height}"/></g>'
    )
    parts += labels
    parts.append(
        "<style>"
        ".gantt{font:12px system-ui,sans-serif;background:#fff}.gantt-header{fill:#f3f5f8}"
        ".gantt-row{fill:#fff}.gantt-row-alt{fill:#fafbfc}.gantt-grid{stroke:#e3e7ec}"
        ".gantt-tick{fill:#4a5562}.gantt-label{fill:#1f2933}.gantt-label a{fill:#1a5fb4}"
        ".gantt-label-bg{fill:#fff}.gantt-label-edge{stroke:#d5dae1}"
        ".gantt-bar{fill:#4f7cc4}.gantt-bar.critical{fill:#d64545}.gantt-bar[data-drag]{cursor:ew-resize}"
        ".gantt-bar.dragging{opacity:.6}.gantt-progress{fill:#1f2933;opacity:.55}"
        ".gantt-summary{fill:#2b3440}.gantt-summary.critical{fill:#9b1c1c}"
        ".gantt-milestone{fill:#2b3440}.gantt-milestone.critical{fill:#c62828}"
        ".gantt-baseline{fill:#a8b1bd}.gantt-baseline-milestone{fill:none;stroke:#7b8593;stroke-width:1.2}"
        ".gantt-link{fill:none;stroke:#5b6470;stroke-width:1}"
        ".gantt-link.critical{stroke:#c62828;stroke-width:1.4}"
        ".gantt-today{stroke:#e8a317;stroke-width:2;stroke-dasharray:4 3}"
        "</style></svg>"
    )
    return "".join(parts)
