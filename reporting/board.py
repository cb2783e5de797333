"""Reads of the portfolio health board (reporting.views.board): one row per program the user
sees, from the programs' roll-ups, with 12-week trends from the MetricSnapshots; the portfolio's
headline tiles; strategic objective coverage; the value / risk / cost bubble chart; and the Excel
workbook of the same tables.

Every figure is a roll-up field (a figure shown twice is computed once); nothing is recomputed
from source rows. Program-wide money and exposure are handed over only for programs the user
oversees (Program.overseen_by); other rows keep their colours, without the reasons. Sorting by a
money column treats programs the user does not oversee as having no figure, so the order cannot
leak what the row hides.

Query counts do not grow with the programs: the page's rows (count + page), their roll-up states
(four), the oversight check (one), the snapshots of the page's programs (one), the portfolio's
roll-up (four + one), the objective coverage (two) and the bubble chart (one). The workbook of
the same tables is written by reporting.board_export.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.db.models import BooleanField, Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from core.forms import present_filter_form
from portfolio.filters import ProgramFilterSet
from portfolio.models import Portfolio, Program, ProgramObjective, StrategicObjective
from projects.models import Rag

from . import charts
from .models import MetricSnapshot, ProgramRollup
from .selectors import (
    COMPUTED_HEALTH_RANK,
    RollupState,
    overseen_portfolio_ids,
    portfolio_rollups,
    programs_with_rollups,
)

TREND_WEEKS = 12
# The filters the board offers (of the shared ProgramFilterSet); the portfolio is in the path.
BOARD_FILTERS = ("q", "computed_health", "reported", "disagrees", "status")
DEFAULT_SORT = "computed"
UNKNOWN_SORT = "Unknown sort “{sort}”: sort accepts {known} (a leading “-” reverses)."
NOT_OVERSEEN = "Colours only: you see this program through some of its projects, not as a whole."
NOT_OVERSEEN_WHY = (
    "Rows marked “colours only” show health without figures: a program's figures sum every project "
    "of it, and you see those programs through some of their projects, not as a whole."
)

_REPORTED_RANK = Case(
    When(rollup__reported_rag=Rag.RED, then=Value(0)),
    When(rollup__reported_rag=Rag.AMBER, then=Value(1)),
    When(rollup__reported_rag=Rag.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


@dataclass(frozen=True, slots=True)
class SortKey:
    label: str
    field: str = ""  # a roll-up field (money: only for overseen programs); else `expression`
    money: bool = False


# The columns the board sorts by: ascending is "worst first" for health, the natural order else.
SORTS = {
    "name": SortKey("Program"),
    "computed": SortKey("Computed health"),
    "reported": SortKey("Reported RAG"),
    "cpi": SortKey("CPI", "cpi", money=True),
    "spi": SortKey("SPI", "spi", money=True),
    "eac": SortKey("EAC", "eac", money=True),
    "vac": SortKey("VAC", "vac", money=True),
    "finish": SortKey("Forecast finish", "forecast_finish", money=True),
    "slip": SortKey("Slip", "slip_working_days", money=True),
    "late": SortKey("Milestones late", "milestones_late", money=True),
    "exposure": SortKey("Exposure", "emv", money=True),
    "uncovered": SortKey("Uncovered", "exposure_uncovered", money=True),
    "overallocated": SortKey("Over-allocated", "people_overallocated", money=True),
}


class BadSortError(ValueError):
    """`?sort=` names no board column; `message` names the parameter and what it accepts."""

    def __init__(self, sort: str):
        known = ", ".join(SORTS)
        self.message = UNKNOWN_SORT.format(sort=sort, known=known)
        super().__init__(self.message)


def _overseen_q(user) -> Q:
    return Q(pk__in=Program.objects.overseen_by(user).values("pk"))


def board_filterset(*, user, portfolio: Portfolio, data) -> ProgramFilterSet:
    """The shared ProgramFilterSet over the programs of `portfolio` the user sees, with the
    board's filters only (the others are dropped, so the page refuses them as unknown)."""
    filterset = ProgramFilterSet(data, queryset=Program.objects.visible_to(user).filter(portfolio=portfolio))
    for name in list(filterset.filters):
        if name not in BOARD_FILTERS:
            del filterset.filters[name]
    fields = filterset.form.fields
    fields["status"].widget = forms.CheckboxSelectMultiple(choices=fields["status"].choices)
    fields["disagrees"].widget = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])
    present_filter_form(filterset, order=list(BOARD_FILTERS))
    return filterset


def board_sorted(*, queryset, user, sort: str):
    """`queryset` (programs) in the board's `sort` order; raises BadSortError for an unknown key.
    Programs without the figure (or whose figures the user may not read) come last either way."""
    key = sort.removeprefix("-")
    if key not in SORTS:
        raise BadSortError(sort)
    descending = sort.startswith("-")
    spec = SORTS[key]
    if key == "name":
        return queryset.order_by("-name" if descending else "name", "code")
    if key == "computed":
        expression = COMPUTED_HEALTH_RANK
    elif key == "reported":
        expression = _REPORTED_RANK
    else:
        model_field = ProgramRollup._meta.get_field(spec.field)
        expression = Case(
            When(_overseen_q(user), then=F(f"rollup__{spec.field}")), default=None, output_field=model_field.clone()
        )
    queryset = queryset.annotate(board_key=expression)
    order = F("board_key").desc(nulls_last=True) if descending else F("board_key").asc(nulls_last=True)
    return queryset.order_by(order, "name", "code")


def sort_columns(*, query, sort: str) -> dict[str, dict]:
    """Per sort key: the link that sorts by it (reversing when it is the current sort), and its
    aria-sort direction. `query` is the request's QueryDict (filters kept, page dropped)."""
    columns = {}
    for key, spec in SORTS.items():
        params = query.copy()
        params.pop("page", None)
        if sort == key:
            params["sort"], direction = f"-{key}", "ascending"
        elif sort == f"-{key}":
            params["sort"], direction = key, "descending"
        else:
            params["sort"], direction = key, ""
        columns[key] = {
            "label": spec.label,
            "short": spec.label.split()[0].lower(),
            "href": f"?{params.urlencode()}",
            "direction": direction,
        }
    return columns


# --- Trends ------------------------------------------------------------------------------------

# Which way is better for each trended figure: +1 higher is better, -1 lower is better.
TRENDED = {
    "cpi": ("CPI", 1),
    "spi": ("SPI", 1),
    "eac": ("EAC", -1),
    "vac": ("VAC", 1),
    "slip_working_days": ("Slip", -1),
    "emv": ("Exposure", -1),
    "exposure_uncovered": ("Uncovered exposure", -1),
    "people_overallocated": ("People over-allocated", -1),
}


@dataclass(frozen=True, slots=True)
class Trend:
    """A figure's move over the trend window: `arrow` ("↑", "↓", "→" or "" with fewer than two
    points), `tone` ("good", "bad", "flat"), `text` ("CPI up from 0.91 on 9 Sep"), and for CPI and
    SPI a sparkline (SVG)."""

    arrow: str = ""
    tone: str = ""
    text: str = ""
    sparkline: str = ""


@dataclass(slots=True)
class ProgramTrends:
    health_strip: str = ""
    figures: dict[str, Trend] = field(default_factory=dict)


def _weekly(rows: list[dict]) -> list[dict]:
    by_week: dict = {}
    for row in rows:
        by_week[row["day"].isocalendar()[:2]] = row
    return list(by_week.values())


def _trend(points: list[dict], key: str, *, with_sparkline: bool) -> Trend:
    label, better = TRENDED[key]
    values = [(p["day"], p[key]) for p in points if p[key] is not None]
    if len(values) < 2:
        return Trend()
    (first_day, first), (_, last) = values[0], values[-1]
    shown = f"{first:.2f}" if key in ("cpi", "spi") else f"{first:,}"
    if last == first:
        arrow, tone, word = "→", "flat", "unchanged since"
    else:
        up = last > first
        arrow, word = ("↑", "up from") if up else ("↓", "down from")
        tone = "good" if up == (better > 0) else "bad"
        word = f"{word} {shown} on"
    text = f"{label} {word} {first_day:%-d %b}"
    spark = (
        charts.sparkline([v for _, v in values], title=f"{label}, last {len(values)} weeks", description=text)
        if with_sparkline
        else ""
    )
    return Trend(arrow=arrow, tone=tone, text=text, sparkline=spark)


def program_trends(*, program_ids, overseen: set[int], today: dt.date | None = None) -> dict[int, ProgramTrends]:
    """Per program id: the computed-health strip of the last TREND_WEEKS weeks, and (for programs
    the user oversees) each trended figure's arrow, with sparklines for CPI and SPI. One query
    for every program given."""
    ids = list(program_ids)
    if not ids:
        return {}
    since = (today or timezone.localdate()) - dt.timedelta(weeks=TREND_WEEKS)
    rows = (
        MetricSnapshot.objects.filter(program_id__in=ids, day__gt=since)
        .order_by("day")
        .values("program_id", "day", "health_overall", "bac", *(key for key in TRENDED if key != "vac"))
    )
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        # Snapshots keep BAC and EAC; VAC is their difference, as the roll-up defines it.
        row["vac"] = row["bac"] - row["eac"] if row["bac"] is not None and row["eac"] is not None else None
        grouped[row["program_id"]].append(row)
    result = {}
    for pk in ids:
        points = _weekly(grouped.get(pk, []))
        trends = ProgramTrends()
        if points:
            trends.health_strip = charts.health_sparkline(
                [(p["day"], p["health_overall"]) for p in points], title="Computed health, weekly"
            )
        if pk in overseen:
            trends.figures = {
                key: _trend(points, key, with_sparkline=key in ("cpi", "spi")) for key in TRENDED if points
            }
        result[pk] = trends
    return result


# --- Rows --------------------------------------------------------------------------------------


@dataclass(slots=True)
class BoardRow:
    """One program. `rollup` is its summary row when the user oversees it and it has been
    computed, else None (`note` then says why figures are missing)."""

    program: Program
    state: RollupState
    overseen: bool
    rollup: ProgramRollup | None
    trends: ProgramTrends
    note: str = ""

    @property
    def fte_gap(self) -> Decimal | None:
        r = self.rollup
        if r is None or r.fte_requested is None:
            return None
        return r.fte_requested - (r.fte_allocated or Decimal(0))

    @property
    def emv_percent_of_reserve(self) -> Decimal | None:
        r = self.rollup
        if r is None or r.emv is None or not r.reserve_remaining:
            return None
        return (r.emv * 100 / r.reserve_remaining).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    def trend(self, key: str) -> Trend:
        return self.trends.figures.get(key, Trend())


def board_rows(*, user, programs, with_trends: bool = True, today: dt.date | None = None) -> list[BoardRow]:
    """`programs` (a page of them) as board rows. A fixed number of queries: five for the
    roll-ups and oversight, one for the trends."""
    programs = programs_with_rollups(user=user, programs=programs)
    overseen = {p.pk for p in programs if p.overseen}
    trends = program_trends(program_ids=[p.pk for p in programs], overseen=overseen, today=today) if with_trends else {}
    rows = []
    for program in programs:
        state = program.rollup_state
        rollup = state.rollup if program.overseen and state.exists else None
        note = "" if program.overseen else NOT_OVERSEEN
        rows.append(
            BoardRow(
                program=program,
                state=state,
                overseen=program.overseen,
                rollup=rollup,
                trends=trends.get(program.pk, ProgramTrends()),
                note=note,
            )
        )
    return rows


# --- Portfolio headline ------------------------------------------------------------------------


@dataclass(slots=True)
class Headline:
    """The portfolio's tiles (its roll-up), for readers who oversee the portfolio; `state` is
    None for others (the page says why)."""

    state: RollupState | None
    overseen: bool

    @property
    def rollup(self):
        return self.state.rollup if self.state else None

    @property
    def emv_percent_of_reserve(self) -> Decimal | None:
        r = self.rollup
        if r is None or r.emv is None or not r.reserve_remaining:
            return None
        return (r.emv * 100 / r.reserve_remaining).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def portfolio_headline(*, user, portfolio: Portfolio) -> Headline:
    """Five queries (the oversight check, the roll-up and its versions)."""
    if not overseen_portfolio_ids(user=user, portfolios=[portfolio]):
        return Headline(state=None, overseen=False)
    return Headline(state=portfolio_rollups([portfolio])[portfolio.pk], overseen=True)


# --- Strategic objective coverage --------------------------------------------------------------


@dataclass(slots=True)
class ObjectiveCoverage:
    """One strategic objective: the programs the user sees that serve it, their weights summed
    (100 % of one program counts 1), and the budget (BAC) and actual cost (AC) of those programs
    weighted by contribution — over the programs the user oversees only (`programs_with_money`)."""

    objective: StrategicObjective
    programs: list[tuple[Program, Decimal]] = field(default_factory=list)
    weighted_programs: Decimal = Decimal(0)
    bac: Decimal = Decimal(0)
    ac: Decimal = Decimal(0)
    programs_with_money: int = 0

    @property
    def spent_percent(self) -> Decimal | None:
        if not self.bac:
            return None
        return (self.ac * 100 / self.bac).quantize(Decimal("0.1"))


def objective_coverage(*, user, portfolio: Portfolio, programs) -> list[ObjectiveCoverage]:
    """Every objective of `portfolio`, with the contributions of `programs` (a queryset of the
    programs shown). Two queries."""
    coverage = {o.pk: ObjectiveCoverage(objective=o) for o in StrategicObjective.objects.filter(portfolio=portfolio)}
    links = (
        ProgramObjective.objects.filter(objective__portfolio=portfolio, program__in=programs.values("pk"))
        .annotate(
            overseen=Case(When(_program_overseen_q(user), then=Value(True)), default=False, output_field=BooleanField())
        )
        .select_related("program")
        .only("weight", "objective_id", "program__code", "program__name")
        .annotate(bac=F("program__rollup__bac"), ac=F("program__rollup__ac"))
        .order_by("objective_id", "-weight", "program__name")
    )
    for link in links:
        row = coverage.get(link.objective_id)
        if row is None:
            continue
        share = link.weight / 100
        row.programs.append((link.program, link.weight))
        row.weighted_programs += share
        if link.overseen:
            row.programs_with_money += 1
            row.bac += (link.bac or 0) * share
            row.ac += (link.ac or 0) * share
    for row in coverage.values():
        row.bac, row.ac = row.bac.quantize(Decimal("0.01")), row.ac.quantize(Decimal("0.01"))
    return list(coverage.values())


def _program_overseen_q(user) -> Q:
    return Q(program_id__in=Program.objects.overseen_by(user).values("pk"))


# --- Value / risk / cost -----------------------------------------------------------------------

BUBBLE_X = "Earned value to date"
BUBBLE_Y = "Risk exposure (EMV) as % of budget"
BUBBLE_SIZE = "Estimate at completion (EAC)"


@dataclass(frozen=True, slots=True)
class Bubble:
    program: Program
    value: Decimal  # EV
    risk_percent: Decimal  # EMV / BAC * 100
    cost: Decimal  # EAC (BAC when no EAC)
    health: str


def bubbles(*, user, programs) -> tuple[list[Bubble], int]:
    """The bubble chart's points: each program of `programs` (a queryset) the user oversees with
    a budget; and how many programs were left out (not overseen or no figures). One query."""
    rows = programs.annotate(
        is_overseen=Case(When(_overseen_q(user), then=Value(True)), default=False, output_field=BooleanField())
    ).select_related("rollup")
    points, left_out = [], 0
    for program in rows.order_by("code"):
        rollup = getattr(program, "rollup", None)
        if not program.is_overseen or rollup is None or not rollup.bac:
            left_out += 1
            continue
        emv = rollup.emv or Decimal(0)
        points.append(
            Bubble(
                program=program,
                value=rollup.ev or Decimal(0),
                risk_percent=(emv * 100 / rollup.bac).quantize(Decimal("0.1")),
                cost=rollup.eac if rollup.eac is not None else rollup.bac,
                health=rollup.health_overall or "",
            )
        )
    return points, left_out


def bubble_chart(points: list[Bubble], *, portfolio: Portfolio, href) -> str:
    return charts.value_risk_bubble_chart(
        [(b.program.code, b.program.name, b.value, b.risk_percent, b.cost, b.health, href(b.program)) for b in points],
        title=f"Value, risk and cost of the programs of {portfolio.name}",
        x_label=f"{BUBBLE_X} ({portfolio.base_currency})",
        y_label=BUBBLE_Y,
        size_label=BUBBLE_SIZE,
    )
