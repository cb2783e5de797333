"""Planning charts as SVG, drawn on the server with the core chart kit (core.charts), so that the
page and the PDF show the same markup: "a figure shown twice is computed once".

- frontier_chart: the efficient frontier (best total value for each total cost) with the
  scenario's own selection, and an optimised plan, marked on it
- cost_cap_chart: cost by fiscal year against the budget cap, for one to four scenarios side
  by side (each bar lettered A to D under it, so a scenario is never told by colour alone)
- capacity_heat_map: staffing demand against supply per role and month; each cell prints its
  percentage of supply, and over-capacity cells are also hatched (never colour alone)

Each function takes plain values (strings, Decimals, dates) and returns an SVG fragment whose
every text is escaped. Charts render at 1:1 like every Keel chart (core.charts): on a narrow
screen the page's `.chart-wrap` scrolls them sideways instead of shrinking their text.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
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
    nice_scale,
    short_money,
    svg_open,
    text,
    text_width,
    thin_stride,
)

ZERO = Decimal(0)
WIDTH = 720
LETTERS = "ABCD"
# One colour per compared scenario (distinguishable with the common colour-vision deficiencies);
# the letter under each bar names the scenario too.
SCENARIO_COLOURS = ("#4f7cc4", "#d9822b", "#2e7d32", "#8e5bb5")
CAP_COLOUR = "#1d2430"
FRONTIER_COLOUR = "#4f7cc4"
SELECTION_COLOUR = "#d9822b"
PLAN_COLOUR = "#2e7d32"


def _f(value) -> str:
    return f"{float(value):.1f}".removesuffix(".0")


def _money(value: Decimal, currency: str) -> str:
    return f"{currency} {Decimal(value):,.0f}".strip()


def _number(value: Decimal, places: int = 1) -> str:
    return f"{Decimal(value):,.{places}f}"


# -- efficient frontier ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mark:
    """A point marked on the frontier chart: a total cost and value, a label ("This scenario",
    "Optimised plan") and a kind ("selection" or "plan") that sets its shape and colour."""

    cost: Decimal
    value: Decimal
    label: str
    kind: str = "selection"


def frontier_chart(
    points: Sequence[tuple[Decimal, Decimal]],
    *,
    marks: Sequence[Mark] = (),
    currency: str = "",
    value_label: str = "Total score",
    title: str = "Efficient frontier: value against cost",
) -> str:
    """The efficient frontier as a stepped line through `points` ((total cost, best total value),
    in any order) with each of `marks` drawn over it: the scenario's selection as a diamond, an
    optimised plan as a square, each labelled in the chart and named in the legend. A selection
    below the line could reach more value for the same money."""
    if not points and not marks:
        return empty_chart("frontier", title, "No project with a cost and a score to plot yet.", width=WIDTH)
    points = sorted((Decimal(c), Decimal(v)) for c, v in points)
    costs = [c for c, _ in points] + [m.cost for m in marks]
    values = [v for _, v in points] + [m.value for m in marks]
    height = 360
    x_bottom, x_top, x_step = nice_scale(ZERO, max(costs) * Decimal("1.05") if max(costs) > 0 else Decimal(1))
    y_bottom, y_top, y_step = nice_scale(ZERO, max(values) * Decimal("1.1") if max(values) > 0 else Decimal(1))
    left = max(axis_margin(y_bottom, y_top, y_step), int(text_width(_number(y_top), TICK_FONT)) + 14) + 8
    right = WIDTH - 24
    legend = [("frontier", "Efficient frontier (best value for the cost)")]
    legend += [(m.kind, m.label) for m in marks]
    places = legend_layout([label for _, label in legend], left, right - left, mark=18)
    top = 24 + 18 * (max(row for _, row in places) + 1) + 8
    bottom = height - 48

    def x(value: Decimal) -> float:
        return left + float((value - x_bottom) / (x_top - x_bottom)) * (right - left)

    def y(value: Decimal) -> float:
        return bottom - float((value - y_bottom) / (y_top - y_bottom)) * (bottom - top)

    described = [f"{len(points)} frontier points from {_money(points[0][0], currency)}" if points else "No frontier"]
    if points:
        described[0] += f" to {_money(points[-1][0], currency)}, best value {_number(points[-1][1])}"
    described += [f"{m.label}: cost {_money(m.cost, currency)}, value {_number(m.value)}" for m in marks]
    parts = [svg_open("frontier", WIDTH, height, title, ". ".join(described) + ".")]
    tick = y_bottom
    while tick <= y_top:
        parts.append(f'<line class="grid" x1="{left}" y1="{_f(y(tick))}" x2="{right}" y2="{_f(y(tick))}"/>')
        parts.append(text(left - 6, y(tick) + 4, _tick_number(tick), size=TICK_FONT, anchor="end", cls="tick-label"))
        tick += y_step
    tick = x_bottom
    while tick <= x_top:
        label = short_money(tick)
        lx, anchor = clamp_anchor(x(tick), label, 2, WIDTH - 2)
        parts.append(f'<line class="grid" x1="{_f(x(tick))}" y1="{top}" x2="{_f(x(tick))}" y2="{bottom}"/>')
        parts.append(text(lx, bottom + 16, label, size=TICK_FONT, anchor=anchor, cls="tick-label"))
        tick += x_step
    parts.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>')
    parts.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>')
    x_title = f"Total cost ({currency})" if currency else "Total cost"
    parts.append(text((left + right) / 2, height - 10, x_title, anchor="middle", cls="axis-label"))
    parts.append(text(8, top - 10, value_label, cls="axis-label", room=left + 120))
    if points:
        # A step line: the best value stays level until the next cost buys more.
        path = [f"M{_f(x(points[0][0]))},{_f(y(points[0][1]))}"]
        for (_c0, v0), (c1, v1) in itertools.pairwise(points):
            path.append(f"L{_f(x(c1))},{_f(y(v0))}L{_f(x(c1))},{_f(y(v1))}")
        parts.append(
            f'<g class="series series-frontier"><path d="{"".join(path)}" fill="none" stroke="{FRONTIER_COLOUR}" '
            f'stroke-width="2"/>'
        )
        for cost, value in points:
            parts.append(
                f'<circle cx="{_f(x(cost))}" cy="{_f(y(value))}" r="3" fill="{FRONTIER_COLOUR}">'
                f"<title>Cost {escape(_money(cost, currency))}: best value {_number(value)}</title></circle>"
            )
        parts.append("</g>")
    for mark in marks:
        cx, cy = x(mark.cost), y(mark.value)
        tip = f"{mark.label}: cost {_money(mark.cost, currency)}, value {_number(mark.value)}"
        parts.append(f'<g class="mark mark-{escape(mark.kind)}"><title>{escape(tip)}</title>')
        parts.append(_shape(mark.kind, cx, cy))
        if cx + 10 + text_width(mark.label, TICK_FONT) <= WIDTH - 4:
            parts.append(text(cx + 10, cy - 8, mark.label, size=TICK_FONT))
        else:  # no room on the right: the label goes left of the mark
            parts.append(text(cx - 10, cy - 8, mark.label, size=TICK_FONT, anchor="end", room=cx - 14))
        parts.append("</g>")
    for (key, label), (lx, row) in zip(legend, places, strict=True):
        ly = 18 + 18 * row
        if key == "frontier":
            parts.append(
                f'<line x1="{_f(lx)}" y1="{ly - 4}" x2="{_f(lx + 14)}" y2="{ly - 4}" stroke="{FRONTIER_COLOUR}" '
                f'stroke-width="2"/>'
            )
        else:
            parts.append(_shape(key, lx + 7, ly - 4, size=5))
        parts.append(text(lx + 18, ly, label))
    parts.append(STYLE + "</svg>")
    return "".join(parts)


def _tick_number(value: Decimal) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}"


def _shape(kind: str, cx: float, cy: float, *, size: float = 7) -> str:
    """A diamond for a selection, a square for a plan: shape and colour both tell them apart."""
    if kind == "plan":
        return (
            f'<rect x="{_f(cx - size)}" y="{_f(cy - size)}" width="{_f(2 * size)}" height="{_f(2 * size)}" '
            f'fill="{PLAN_COLOUR}" stroke="#fff" stroke-width="1.5"/>'
        )
    r = size + 2
    d = f"M{_f(cx)},{_f(cy - r)}L{_f(cx + r)},{_f(cy)}L{_f(cx)},{_f(cy + r)}L{_f(cx - r)},{_f(cy)}Z"
    return f'<path d="{d}" fill="{SELECTION_COLOUR}" stroke="#fff" stroke-width="1.5"/>'


# -- cost by fiscal year against the cap ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CostSeries:
    """One scenario's bars: its name and, per fiscal year (in the chart's order), its cost and
    its cap (None where it has no cap)."""

    name: str
    costs: Sequence[Decimal]
    caps: Sequence[Decimal | None]


def cost_cap_chart(
    fiscal_years: Sequence[str],
    series: Sequence[CostSeries],
    *,
    currency: str = "",
    title: str = "Cost by fiscal year against the budget cap",
    ident: str = "",
) -> str:
    """Grouped bars: for each fiscal year one bar per scenario (lettered A to D under it), with
    the scenario's cap for that year as a dark line across its bar; a bar over its cap is
    hatched and its letter marked "!" (so over-cap never rests on colour alone)."""
    if not fiscal_years or not series or not any(c for s in series for c in s.costs):
        return empty_chart("cost-cap", title, "No cost planned in any fiscal year.", width=WIDTH)
    lettered = len(series) > 1
    values = [v for s in series for v in list(s.costs) + [c for c in s.caps if c is not None]]
    bottom_value, top_value, step = nice_scale(ZERO, max(values))
    left = axis_margin(bottom_value, top_value, step, currency)
    bar = 22 if len(series) <= 2 else 16
    group = bar * len(series) + 24
    plot_width = max(group * len(fiscal_years), WIDTH - left - 16)
    width = left + plot_width + 16
    legend_labels = [f"{LETTERS[i]}: {s.name}" if lettered else s.name for i, s in enumerate(series)]
    legend_labels += ["Budget cap", "Over the cap (hatched)"]
    places = legend_layout(legend_labels, left, plot_width)
    top = 26 + 18 * (max(row for _, row in places) + 1) + 14
    plot_height = 220
    height = top + plot_height + (52 if lettered else 36)
    bottom = top + plot_height

    def y(value: Decimal) -> float:
        return bottom - float((Decimal(value) - bottom_value) / (top_value - bottom_value)) * plot_height

    over = [
        f"{s.name} {fy}"
        for s in series
        for fy, cost, cap in zip(fiscal_years, s.costs, s.caps, strict=True)
        if cap is not None and cost > cap
    ]
    description = (
        f"{len(series)} scenario{'s' if len(series) != 1 else ''}, {len(fiscal_years)} fiscal years from "
        f"{fiscal_years[0]} to {fiscal_years[-1]}, in {currency or 'money'}. "
        + (f"Over the cap: {', '.join(over)}." if over else "Every year within its cap.")
    )
    parts = [svg_open("cost-cap", width, height, title, description)]
    hatch = f"cost-over-hatch{'-' + ident if ident else ''}"
    parts.append(_hatch_pattern(hatch, "#1d2430"))
    tick = bottom_value
    while tick <= top_value:
        cls = "axis" if tick == 0 else "grid"
        ty = _f(y(tick))
        parts.append(f'<line class="{cls}" x1="{left}" y1="{ty}" x2="{left + plot_width}" y2="{ty}"/>')
        parts.append(text(left - 6, y(tick) + 4, short_money(tick), size=TICK_FONT, anchor="end", cls="tick-label"))
        tick += step
    if currency:
        parts.append(text(left - 6, top - 16, currency, size=TICK_FONT, anchor="end", cls="axis-label"))
    spacing = plot_width / len(fiscal_years)
    for fy_index, fy in enumerate(fiscal_years):
        centre = left + spacing * fy_index + spacing / 2
        first = centre - bar * len(series) / 2
        for index, s in enumerate(series):
            cost, cap = Decimal(s.costs[fy_index]), s.caps[fy_index]
            bx = first + index * bar
            colour = SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)]
            is_over = cap is not None and cost > cap
            tip = f"{s.name}, {fy}: cost {_money(cost, currency)}"
            if cap is None:
                tip += ", no cap"
            else:
                tip += f", cap {_money(cap, currency)}" + (" (over the cap)" if is_over else "")
            top_y = min(y(cost), y(ZERO))
            height_px = abs(y(ZERO) - y(cost))
            parts.append(
                f'<g class="bar{" bar-over" if is_over else ""}" data-series="{index}"><title>{escape(tip)}</title>'
                f'<rect x="{_f(bx + 1)}" y="{_f(top_y)}" width="{bar - 2}" height="{_f(height_px)}" fill="{colour}"/>'
            )
            if is_over:
                parts.append(
                    f'<rect x="{_f(bx + 1)}" y="{_f(top_y)}" width="{bar - 2}" height="{_f(height_px)}" '
                    f'fill="url(#{hatch})"/>'
                )
            if cap is not None:
                parts.append(
                    f'<line class="cap-line" x1="{_f(bx - 1)}" y1="{_f(y(cap))}" x2="{_f(bx + bar + 1)}" '
                    f'y2="{_f(y(cap))}" stroke="{CAP_COLOUR}" stroke-width="2.5"/>'
                )
            if lettered:
                letter = LETTERS[index] + ("!" if is_over else "")
                parts.append(text(bx + bar / 2, bottom + 14, letter, size=TICK_FONT, anchor="middle", cls="tick-label"))
            parts.append("</g>")
    label_y = bottom + (32 if lettered else 16)
    widest = max(text_width(fy, TICK_FONT) for fy in fiscal_years)
    stride = thin_stride(len(fiscal_years), spacing, min(widest, 96))
    for fy_index, fy in enumerate(fiscal_years):
        if fy_index % stride:
            continue
        centre = left + spacing * fy_index + spacing / 2
        shown = fit_text(fy, spacing * stride - 8, TICK_FONT)
        lx, anchor = clamp_anchor(centre, shown, 2, width - 2)
        parts.append(text(lx, label_y, fy, size=TICK_FONT, anchor=anchor, room=spacing * stride - 8))
    for index, ((lx, row), label) in enumerate(zip(places, legend_labels, strict=True)):
        ly = 18 + 18 * row
        if index < len(series):
            colour = SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)]
            parts.append(f'<rect x="{_f(lx)}" y="{ly - 10}" width="12" height="11" fill="{colour}"/>')
        elif label == "Budget cap":
            parts.append(
                f'<line x1="{_f(lx)}" y1="{ly - 4}" x2="{_f(lx + 14)}" y2="{ly - 4}" stroke="{CAP_COLOUR}" '
                f'stroke-width="2.5"/>'
            )
        else:
            parts.append(
                f'<rect x="{_f(lx)}" y="{ly - 10}" width="12" height="11" fill="#9aa7b8"/>'
                f'<rect x="{_f(lx)}" y="{ly - 10}" width="12" height="11" fill="url(#{hatch})"/>'
            )
        parts.append(text(lx + 18, ly, label))
    parts.append(STYLE + "</svg>")
    return "".join(parts)


def _hatch_pattern(pattern_id: str, colour: str) -> str:
    return (
        f'<defs><pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" stroke-width="2" '
        f'stroke-opacity="0.55"/></pattern></defs>'
    )


# -- capacity heat map ----------------------------------------------------------------------------

# Load bands by the share of supply demanded: (upper bound in percent or None, class, fill, label).
HEAT_BANDS = (
    (Decimal(85), "heat-ok", "#e3f1e5", "up to 85 % of supply"),
    (Decimal(100), "heat-tight", "#ffe8a3", "85–100 %"),
    (None, "heat-over", "#f4a3a3", "over 100 % (hatched)"),
)
HEAT_NONE = ("heat-none", "#ffffff", "no demand")
HEAT_NO_SUPPLY = ("heat-nosupply", "#f4a3a3", "demand with no supply (hatched)")
CELL_W = 44
CELL_H = 26


@dataclass(frozen=True, slots=True)
class HeatCell:
    demand: Decimal
    supply: Decimal

    @property
    def percent(self) -> Decimal | None:
        """Demand as a percentage of supply; None where there is no supply."""
        if self.supply <= 0:
            return None
        return self.demand * 100 / self.supply

    @property
    def band(self) -> tuple[str, str, str]:
        """(class, fill, label) of the cell's load band."""
        if self.demand <= 0:
            return HEAT_NONE
        percent = self.percent
        if percent is None:
            return HEAT_NO_SUPPLY
        for bound, cls, fill, label in HEAT_BANDS:
            if bound is None or percent <= bound:
                return cls, fill, label
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def over(self) -> bool:
        return self.band[0] in {"heat-over", "heat-nosupply"}

    @property
    def shown(self) -> str:
        """What the cell prints: its percentage of supply, a dash with no demand, "!" with demand
        and no supply."""
        if self.demand <= 0:
            return "–"
        percent = self.percent
        return "!" if percent is None else f"{percent:.0f}"


def heat_cells(
    roles: Sequence[str],
    months: Sequence[dt.date],
    demand: Mapping[str, Mapping[dt.date, Decimal]],
    supply: Mapping[str, Mapping[dt.date, Decimal]],
) -> list[list[HeatCell]]:
    """The grid a heat map draws: one row per role, one HeatCell per month (missing figures are 0)."""
    return [
        [
            HeatCell(
                Decimal(demand.get(role, {}).get(month) or 0),
                Decimal(supply.get(role, {}).get(month) or 0),
            )
            for month in months
        ]
        for role in roles
    ]


def capacity_heat_map(
    roles: Sequence[str],
    months: Sequence[dt.date],
    cells: Sequence[Sequence[HeatCell]],
    *,
    title: str = "Staffing demand against supply by role and month",
    ident: str = "",
) -> str:
    """Roles down, months across. Each cell prints demand as a percentage of supply (FTE/FTE),
    coloured by band; cells over 100 % (or with demand and no supply, printed "!") are also
    hatched and bold, so the map never relies on colour alone. Each cell's tooltip gives both
    figures in FTE. `ident` keeps the hatch pattern's id unique when a page draws several maps."""
    if not roles or not months:
        return empty_chart("capacity-heat", title, "No staffing demand or supply in this scenario.", width=WIDTH)
    label_w = min(max(int(max(text_width(role, LABEL_FONT) for role in roles)) + 16, 90), 170)
    left = label_w
    width = max(left + CELL_W * len(months) + 8, WIDTH)
    legend_labels = [label for *_, label in HEAT_BANDS] + [HEAT_NO_SUPPLY[2], HEAT_NONE[2]]
    places = legend_layout(legend_labels, 8, width - 16)
    top = 24 + 18 * (max(row for _, row in places) + 1) + 30
    height = top + CELL_H * len(roles) + 12
    over = sum(1 for row in cells for cell in row if cell.over)
    roles_text = f"{len(roles)} role{'s' if len(roles) != 1 else ''}"
    description = (
        f"{roles_text} over {len(months)} months from {months[0]:%b %Y} to {months[-1]:%b %Y}. "
        f"Each cell is demand as a percentage of supply. {over} role-month{'s' if over != 1 else ''} over capacity."
    )
    parts = [svg_open("capacity-heat", width, height, title, description)]
    hatch = f"heat-over-hatch{'-' + ident if ident else ''}"
    parts.append(_hatch_pattern(hatch, "#7a1d1d"))
    # Month labels: the month's short name, and the year under January and the first month.
    stride = thin_stride(len(months), CELL_W, text_width("Mmm", TICK_FONT))
    for index, month in enumerate(months):
        cx = left + CELL_W * index + CELL_W / 2
        if index % stride == 0:
            parts.append(text(cx, top - 8, f"{month:%b}", size=TICK_FONT, anchor="middle", cls="tick-label"))
        if index == 0 or month.month == 1:
            parts.append(text(cx - CELL_W / 2 + 2, top - 22, f"{month:%Y}", size=TICK_FONT, cls="axis-label"))
    for row_index, (role, row) in enumerate(zip(roles, cells, strict=True)):
        ry = top + CELL_H * row_index
        parts.append(text(8, ry + CELL_H / 2 + 4, role, size=LABEL_FONT, room=label_w - 14))
        for index, (month, cell) in enumerate(zip(months, row, strict=True)):
            cx = left + CELL_W * index
            cls, fill, band = cell.band
            percent = cell.percent
            tip = (
                f"{role}, {month:%b %Y}: demand {_number(cell.demand)} FTE of {_number(cell.supply)} FTE supply"
                + (f" ({percent:.0f} %)" if percent is not None else "")
                + f" — {band}"
            )
            parts.append(
                f'<g class="heat-cell {cls}"><title>{escape(tip)}</title>'
                f'<rect x="{_f(cx + 1)}" y="{_f(ry + 1)}" width="{CELL_W - 2}" height="{CELL_H - 2}" rx="3" '
                f'fill="{fill}" stroke="#d9dde4"/>'
            )
            if cell.over:
                parts.append(
                    f'<rect x="{_f(cx + 1)}" y="{_f(ry + 1)}" width="{CELL_W - 2}" height="{CELL_H - 2}" rx="3" '
                    f'fill="url(#{hatch})"/>'
                )
                # The number sits on a white chip over the hatching, so it reads in print too
                # (WeasyPrint draws no paint-order halo).
                chip = text_width(cell.shown, TICK_FONT) + 8
                parts.append(
                    f'<rect x="{_f(cx + (CELL_W - chip) / 2)}" y="{_f(ry + CELL_H / 2 - 7)}" width="{_f(chip)}" '
                    f'height="14" rx="3" fill="#fff" fill-opacity="0.9"/>'
                    f'<text x="{_f(cx + CELL_W / 2)}" y="{_f(ry + CELL_H / 2 + 4)}" font-size="{TICK_FONT}" '
                    f'text-anchor="middle" font-weight="bold">{escape(cell.shown)}</text>'
                )
            else:
                parts.append(text(cx + CELL_W / 2, ry + CELL_H / 2 + 4, cell.shown, size=TICK_FONT, anchor="middle"))
            parts.append("</g>")
    swatches = [(cls, fill, over) for (_b, cls, fill, _l), over in zip(HEAT_BANDS, (False, False, True), strict=True)]
    swatches += [(HEAT_NO_SUPPLY[0], HEAT_NO_SUPPLY[1], True), (HEAT_NONE[0], HEAT_NONE[1], False)]
    for (lx, row), label, (_cls, fill, hatched) in zip(places, legend_labels, swatches, strict=True):
        ly = 18 + 18 * row
        parts.append(f'<rect x="{_f(lx)}" y="{ly - 10}" width="14" height="12" fill="{fill}" stroke="#9aa7b8"/>')
        if hatched:
            parts.append(f'<rect x="{_f(lx)}" y="{ly - 10}" width="14" height="12" fill="url(#{hatch})"/>')
        parts.append(text(lx + 18, ly, label))
    parts.append(STYLE + "</svg>")
    return "".join(parts)


# -- the compare page's and PDF's charts ----------------------------------------------------------


def comparison_charts(comparison) -> dict:
    """Every chart of a planning.selectors.compare.Comparison, drawn once: the compare page
    embeds the markup, the PDF the same markup as images. {"cost": svg, "heat_maps":
    [(HeatMap, svg), …]}."""
    series = [
        CostSeries(
            name=figures.name,
            costs=[line.cells[index].cost for line in comparison.cost_lines],
            caps=[line.cells[index].cap for line in comparison.cost_lines],
        )
        for index, figures in enumerate(comparison.scenarios)
    ]
    return {
        "cost": cost_cap_chart(comparison.fiscal_years, series, currency=comparison.currency, ident="compare"),
        "heat_maps": [
            (
                heat,
                capacity_heat_map(
                    heat.roles,
                    heat.months,
                    heat.cells,
                    title=f"{heat.letter}: {heat.name} — staffing demand against supply",
                    ident=f"compare-{heat.letter.lower()}",
                ),
            )
            for heat in comparison.heat_maps
        ],
    }
