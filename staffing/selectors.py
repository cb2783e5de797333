"""Staffing reads: lists for the API and pages, weekly utilisation, over-allocation conflicts,
staffing gaps, the labour cost forecast and the program summary card.

Each runs a fixed number of queries whatever the number of rows: people in one query,
their allocations in one, their absences in one, and the arithmetic in staffing.capacity.

Load is computed from ALL of a person's allocations, including those on projects the reader
cannot see — otherwise utilisation would be wrong — but the names of hidden projects are not
shown: callers mask them with `visible_project_ids`.

Load and the labour cost forecast also count the work of schedule assignments (a project's
imported plan) of matched resources where no allocation of that person on that project covers
the day: the allocation wins, never both (staffing.assignment_load).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from budgets.models import FiscalCalendar, Forecast, PeriodSpan
from budgets.selectors.rates import RateTable
from core import bounds
from projects.models import Project

from . import assignment_load, capacity
from .capacity import Booking, RateStep, WeekLoad
from .models import Absence, Allocation, CostRate, Person, Role, StaffingRequest

ZERO = Decimal(0)
DEFAULT_WEEKS = 12
WEEK_CHOICES = (12, 26)
MAX_WEEKS = 104
# The weeks a window may start in: wide enough for any plan, narrow enough that a window and the
# previous / next links stay inside Python's dates (year 1 to 9999).
EARLIEST_START = bounds.DATE_MIN
LATEST_START = bounds.DATE_MAX
START_OUT_OF_RANGE = "Choose a start between 1900 and 2999."


# -- lists -----------------------------------------------------------------------------------------


def role_list(*, user):
    return Role.objects.visible_to(user).select_related("portfolio")


def person_list(*, user, today: dt.date | None = None):
    """People the user may see, with their roles and the cost rate in force `today`
    (`current_rate`, `current_rate_currency`; callers show them only to rate viewers)."""
    in_force = CostRate.objects.filter(
        person=OuterRef("pk"), effective_from__lte=today or timezone.localdate()
    ).order_by("-effective_from")
    return (
        Person.objects.visible_to(user)
        .select_related("portfolio", "primary_role", "user")
        .prefetch_related(Prefetch("roles", queryset=Role.objects.order_by("name")))
        .annotate(
            current_rate=Subquery(in_force.values("hourly_rate")[:1]),
            current_rate_currency=Subquery(in_force.values("currency_id")[:1]),
        )
    )


def cost_rate_list(*, user):
    return CostRate.objects.visible_to(user).select_related("person", "currency")


def absence_list(*, user):
    return Absence.objects.visible_to(user).select_related("person")


def allocation_list(*, user):
    return Allocation.objects.visible_to(user).select_related("person", "project", "role", "request")


def staffing_request_list(*, user):
    return (
        StaffingRequest.objects.visible_to(user)
        .select_related("project", "role", "requested_by")
        .annotate(allocation_count=Count("allocations"))
        .order_by("start", "pk")  # a GROUP BY drops Meta.ordering
    )


def may_see_rates(user, portfolio_id: int) -> bool:
    """Whether `user` may see the cost rates of `portfolio_id`'s people (one query)."""
    from .querysets import rate_pools

    return rate_pools(user).filter(pk=portfolio_id).exists()


def may_manage_pool(user, portfolio_id: int) -> bool:
    from .querysets import managed_pools

    return managed_pools(user).filter(pk=portfolio_id).exists()


def visible_project_ids(user, project_ids) -> set[int]:
    """Which of `project_ids` `user` may see (one query)."""
    return set(Project.objects.visible_to(user).filter(pk__in=list(project_ids)).values_list("pk", flat=True))


# -- utilisation -----------------------------------------------------------------------------------


@dataclass
class PersonLoad:
    """A person's weeks in a window, and the allocations (by id) that loaded them."""

    person: Person
    weeks: list[WeekLoad]
    allocations: dict[int, Allocation] = field(default_factory=dict)

    @property
    def over_weeks(self) -> list[WeekLoad]:
        return [w for w in self.weeks if w.over_allocated]

    @property
    def total_capacity(self) -> Decimal:
        return sum((w.capacity for w in self.weeks), ZERO)

    @property
    def total_load(self) -> Decimal:
        return sum((w.load for w in self.weeks), ZERO)

    @property
    def assignment_hours(self) -> Decimal:
        """The part of the load that comes from schedule assignments (no allocation covers it)."""
        return sum((assignment_load.week_assignment_hours(w) for w in self.weeks), ZERO)


def window(start: dt.date | None, weeks: int | None) -> tuple[list[dt.date], dt.date, dt.date]:
    """The Mondays of a window (default: this week, DEFAULT_WEEKS) and its first and last day.
    `weeks` is clamped to 1-MAX_WEEKS and `start` to EARLIEST_START-LATEST_START (input
    validation refuses values outside them; this keeps any other caller safe)."""
    weeks = max(1, min(weeks or DEFAULT_WEEKS, MAX_WEEKS))
    start = min(max(start or timezone.localdate(), EARLIEST_START), LATEST_START)
    mondays = capacity.week_starts(start, weeks)
    return mondays, mondays[0], mondays[-1] + dt.timedelta(days=6)


def booking_of(a: Allocation) -> Booking:
    return Booking(
        key=a.pk,
        start=a.start,
        end=a.end,
        fte_percent=a.fte_percent,
        hours_per_week=a.hours_per_week,
        project_id=a.project_id,
    )


def utilisation(people, *, start: dt.date | None = None, weeks: int | None = None) -> list[PersonLoad]:
    """The weekly load of each of `people` (Person rows, already loaded) over the window: three
    queries (their allocations, their schedule assignments, their absences), whatever the
    number of people. Assignments load a person only where none of their allocations on that
    project covers the day (staffing.assignment_load)."""
    people = list(people)
    mondays, first, last = window(start, weeks)
    pks = [p.pk for p in people]
    allocations = defaultdict(list)
    for a in (
        Allocation.objects.filter(person_id__in=pks)
        .overlapping(first, last)
        .select_related("project", "role")
        .order_by("start", "pk")
    ):
        allocations[a.person_id].append(a)
    assigned = assignment_load.load_bookings(
        pks, first=first, last=last, allocations=[a for rows in allocations.values() for a in rows]
    )
    absences = defaultdict(list)
    for person_id, s, e in (
        Absence.objects.filter(person_id__in=pks, start__lte=last, end__gte=first)
        .values_list("person_id", "start", "end")
        .order_by()
    ):
        absences[person_id].append((s, e))
    result = []
    for person in people:
        mine = allocations.get(person.pk, [])
        result.append(
            PersonLoad(
                person=person,
                weeks=capacity.person_weeks(
                    weekly_capacity=person.weekly_capacity_hours,
                    bookings=[*(booking_of(a) for a in mine), *assigned.get(person.pk, [])],
                    absences=absences.get(person.pk, []),
                    weeks=mondays,
                ),
                allocations={a.pk: a for a in mine},
            )
        )
    return result


def people_for_capacity(
    *, user, portfolio=None, department: str = "", role=None, program=None, project=None, first=None, last=None
):
    """Active people the user may see, narrowed by pool, department, role, or by having work on
    a program's / project's inside [first, last] (a queryset): an allocation overlapping the
    window, or a schedule assignment that loads them in it (staffing.assignment_load, the same
    work the load figures count; one more query, only with a program or project)."""
    qs = Person.objects.visible_to(user).filter(is_active=True).select_related("portfolio", "primary_role")
    if portfolio is not None:
        qs = qs.filter(portfolio=portfolio)
    if department:
        qs = qs.filter(department=department)
    if role is not None:
        qs = qs.filter(roles=role)
    work = Allocation.objects.all()
    if first is not None and last is not None:
        work = work.overlapping(first, last)
    if project is not None or program is not None:
        work = work.filter(project=project) if project is not None else work.filter(project__program=program)
        if first is not None and last is not None:
            assigned = assignment_load.people_assigned(
                first=first,
                last=last,
                project_ids=[project.pk] if project is not None else None,
                program_id=program.pk if project is None else None,
            )
        else:
            assigned = set()
        qs = qs.filter(Q(pk__in=work.values("person_id")) | Q(pk__in=assigned))
    return qs.order_by("name", "pk")


@dataclass
class Conflict:
    """An over-allocated person: the weeks where load exceeds capacity and the allocations loading
    those weeks."""

    person: Person
    weeks: list[WeekLoad]
    allocations: list[Allocation]

    @property
    def worst(self) -> WeekLoad:
        return max(self.weeks, key=lambda w: w.load - w.capacity)

    @property
    def excess_hours(self) -> Decimal:
        return sum((w.load - w.capacity for w in self.weeks), ZERO)

    @property
    def assignment_hours(self) -> Decimal:
        """Of the load in the over-allocated weeks, the hours from schedule assignments that no
        allocation covers (an assignment-only person's conflict has no allocation to list)."""
        return sum((assignment_load.week_assignment_hours(w) for w in self.weeks), ZERO)


def conflicts(people, *, start: dt.date | None = None, weeks: int | None = None) -> list[Conflict]:
    """Over-allocations of `people` in the window, worst first (the utilisation's queries)."""
    found = []
    for load in utilisation(people, start=start, weeks=weeks):
        over = load.over_weeks
        if not over:
            continue
        keys = {k for w in over for k in w.by_booking}
        found.append(
            Conflict(
                person=load.person,
                weeks=over,
                allocations=[a for k, a in load.allocations.items() if k in keys],
            )
        )
    found.sort(key=lambda c: (-c.excess_hours, c.person.name))
    return found


# -- gaps ------------------------------------------------------------------------------------------


def _month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def _months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    spans, day = [], first
    while day <= last:
        span = _month_of(day)
        spans.append(span)
        day = span[1] + dt.timedelta(days=1)
    return spans


@dataclass
class RequestGap:
    request: StaffingRequest
    requested_hours: Decimal
    filled_hours: Decimal

    @property
    def gap_hours(self) -> Decimal:
        return max(self.requested_hours - self.filled_hours, ZERO)

    @property
    def unfilled_fte(self) -> Decimal:
        """The request's FTE (of a 40-hour week) not yet covered, in proportion."""
        r = self.request
        fte = r.fte_percent if r.fte_percent is not None else r.hours_per_week / capacity.STANDARD_WEEK_HOURS * 100
        if not self.requested_hours:
            return ZERO
        return fte / 100 * self.gap_hours / self.requested_hours


@dataclass
class RoleGap:
    role: Role
    requested_hours: Decimal = ZERO
    filled_hours: Decimal = ZERO
    unfilled_fte: Decimal = ZERO
    allocated_hours: Decimal = ZERO  # every allocation in the role, requested or not

    @property
    def gap_hours(self) -> Decimal:
        return max(self.requested_hours - self.filled_hours, ZERO)

    @property
    def filled_percent(self) -> Decimal | None:
        return self.filled_hours / self.requested_hours * 100 if self.requested_hours else None


@dataclass
class Gaps:
    """Requested vs filled hours: per request, per project, per role, and per (role, month)."""

    requests: list[RequestGap]
    by_role: list[RoleGap]
    by_project: dict[int, dict]
    by_role_month: list[dict]

    @property
    def open_requests(self) -> list[RequestGap]:
        return [g for g in self.requests if g.gap_hours > 0]

    @property
    def unfilled_fte(self) -> Decimal:
        return sum((g.unfilled_fte for g in self.requests), ZERO)

    @property
    def requested_hours(self) -> Decimal:
        return sum((g.requested_hours for g in self.requests), ZERO)

    @property
    def filled_hours(self) -> Decimal:
        return sum((g.filled_hours for g in self.requests), ZERO)


def staffing_gaps(projects, *, current_from: dt.date | None = None) -> Gaps:
    """Requested vs filled for the (not cancelled) requests of `projects` (a queryset or list of
    Project rows); with `current_from`, only requests ending on or after that day (a request
    that ran out unfilled in the past is history, not a gap to act on). Filled = hours the
    allocations linked to a request supply inside its dates; allocated_hours per role also
    counts allocations made without a request, over the requests' span. Periods are calendar
    months. Three queries."""
    wanted = StaffingRequest.objects.filter(project__in=projects)
    if current_from is not None:
        wanted = wanted.filter(end__gte=current_from)
    requests = list(
        wanted.exclude(status=StaffingRequest.Status.CANCELLED)
        .select_related("project", "role")
        .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.select_related("person")))
        .order_by("project__code", "start", "pk")
    )
    rows, roles, by_project, by_month = [], {}, {}, defaultdict(lambda: [ZERO, ZERO])
    for r in requests:
        demand = capacity.request_hours(
            start=r.start, end=r.end, fte_percent=r.fte_percent, hours_per_week=r.hours_per_week
        )
        filled = ZERO
        for a in r.allocations.all():
            filled += capacity.booked_hours(
                booking_of(a), weekly_capacity=a.person.weekly_capacity_hours, first=r.start, last=r.end, absent=set()
            )
        gap = RequestGap(request=r, requested_hours=demand, filled_hours=min(filled, demand) if demand else filled)
        rows.append(gap)
        role = roles.setdefault(r.role_id, RoleGap(role=r.role))
        role.requested_hours += gap.requested_hours
        role.filled_hours += gap.filled_hours
        role.unfilled_fte += gap.unfilled_fte
        project = by_project.setdefault(
            r.project_id, {"project": r.project, "requested_hours": ZERO, "filled_hours": ZERO, "unfilled_fte": ZERO}
        )
        project["requested_hours"] += gap.requested_hours
        project["filled_hours"] += gap.filled_hours
        project["unfilled_fte"] += gap.unfilled_fte
        weekly = demand / max(capacity.working_days_between(r.start, r.end), 1)
        ratio = gap.filled_hours / demand if demand else ZERO
        for first, last in _months(r.start, r.end):
            days = capacity.working_days_between(max(first, r.start), min(last, r.end))
            cell = by_month[(r.role_id, first)]
            cell[0] += weekly * days
            cell[1] += weekly * days * ratio
    if requests:
        first = min(r.start for r in requests)
        last = max(r.end for r in requests)
        for a in (
            Allocation.objects.filter(project__in=projects, role_id__in=list(roles))
            .overlapping(first, last)
            .select_related("person")
        ):
            roles[a.role_id].allocated_hours += capacity.booked_hours(
                booking_of(a), weekly_capacity=a.person.weekly_capacity_hours, first=first, last=last, absent=set()
            )
    for project in by_project.values():
        project["gap_hours"] = max(project["requested_hours"] - project["filled_hours"], ZERO)
    month_rows = [
        {"role": roles[role_id].role, "month": month, "requested_hours": req, "filled_hours": got}
        for (role_id, month), (req, got) in sorted(
            by_month.items(), key=lambda kv: (roles[kv[0][0]].role.name, kv[0][1])
        )
    ]
    return Gaps(
        requests=rows,
        by_role=sorted(roles.values(), key=lambda g: g.role.name),
        by_project=by_project,
        by_role_month=month_rows,
    )


# -- labour cost forecast --------------------------------------------------------------------------


@dataclass
class LabourForecast:
    """A project's allocation-derived labour cost still ahead, by fiscal period (the period holding
    the first forecast day is clipped to start on that day), in the portfolio's base currency.
    `replaced` lists the periods left out because a manual labour forecast covers them;
    `unrated_hours` are hours with neither a person rate nor a role rate (costed at zero).
    `rates_withheld`: some of the people are costed at their role's standard rate because the
    reader may not see their own rate (see labour_forecasts_for)."""

    currency: str
    from_day: dt.date
    rates_withheld: bool = False
    amounts: dict[PeriodSpan, Decimal] = field(default_factory=dict)
    hours: dict[PeriodSpan, Decimal] = field(default_factory=dict)
    replaced: list[PeriodSpan] = field(default_factory=list)
    unrated_hours: Decimal = ZERO
    # Of `hours`, those from schedule assignments no allocation covers (staffing.assignment_load).
    assignment_hours: dict[PeriodSpan, Decimal] = field(default_factory=dict)

    @property
    def total_assignment_hours(self) -> Decimal:
        return sum(self.assignment_hours.values(), ZERO)

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    @property
    def total_hours(self) -> Decimal:
        return sum(self.hours.values(), ZERO)

    def rows(self) -> list[tuple[PeriodSpan, Decimal, Decimal]]:
        return [(p, self.hours.get(p, ZERO), self.amounts[p]) for p in sorted(self.amounts, key=lambda p: p.start)]


FINISHED = (Project.Status.COMPLETED, Project.Status.CANCELLED)


def forecast_start(project: Project, today: dt.date | None = None) -> dt.date:
    """The first day the labour forecast covers: the day after the status date (progress and
    actual costs are recorded through it), else today."""
    if project.status_date is not None:
        return project.status_date + dt.timedelta(days=1)
    return today or timezone.localdate()


def labour_forecasts(
    projects, calendar: FiscalCalendar, *, rate_portfolios: set[int] | None = None
) -> dict[int, LabourForecast]:
    """The labour cost forecast of each of `projects` (Project rows loaded with
    program__portfolio), by fiscal period of `calendar`.

    `rate_portfolios` None: every person's own cost rate is used (the figure as finance sees it;
    callers show it only to rate viewers). A set of portfolio ids: only the people of those
    pools are costed at their own rate, everybody else at their role's standard rate, and the
    forecasts touched say so (`rates_withheld`). See labour_forecasts_for for why.

    Σ over allocations of the hours they load on each remaining working day (from
    `forecast_start`; absence days excluded, see staffing.capacity) x the person's hourly cost
    rate in force that day (newest effective_from ≤ day), else the allocation role's standard
    rate (base currency). Each period's sum per currency is converted to the portfolio's base
    currency at the rate of the (clipped) period's first day, as manual forecasts are.

    Schedule assignments of matched resources add their remaining work where none of the
    person's allocations on the project covers the day (the allocation wins: never both), at
    the person's rate as above, else their primary role's standard rate; a role-matched
    resource at that role's standard rate (staffing.assignment_load). Their hours are also
    counted apart in `assignment_hours`.

    The double-count rule: where the project has a manual Forecast in a labour-kind cost
    category whose fiscal period overlaps a period, the manual figure stands and the
    allocation-derived amount of that period is left out (listed in `replaced`).

    A finished project (status completed or cancelled) has no labour still to come: its forecast
    is empty whatever allocations it still carries (they are history or were abandoned), and it
    is left out of the queries — none at all when every project is finished.

    Two queries when no open project has allocations or assignments ahead; otherwise five
    (allocations, assignments, rates, absences, manual labour forecasts), a sixth for exchange
    rates when a foreign currency is involved. FTE allocations use the person's current weekly
    capacity (no history)."""
    projects = {p.pk: p for p in projects}
    result = {
        pk: LabourForecast(currency=p.program.portfolio.base_currency, from_day=forecast_start(p))
        for pk, p in projects.items()
    }
    projects = {pk: p for pk, p in projects.items() if p.status not in FINISHED}
    if not projects:
        return result
    earliest = min(result[pk].from_day for pk in projects)
    allocations = list(
        Allocation.objects.filter(project_id__in=list(projects), end__gte=earliest)
        .select_related("person", "role")
        .order_by("pk")
    )
    allocations = [a for a in allocations if a.end >= result[a.project_id].from_day]
    assigned = [
        w
        for w in assignment_load.assignment_work(project_ids=list(projects), first=earliest)
        if w.finish >= result[w.project_id].from_day and w.remaining_hours > 0
    ]
    if not allocations and not assigned:
        return result
    if rate_portfolios is not None:
        for a in allocations:
            if a.person.portfolio_id not in rate_portfolios:
                result[a.project_id].rates_withheld = True
        for w in assigned:
            if w.person_id is not None and w.portfolio_id not in rate_portfolios:
                result[w.project_id].rates_withheld = True
    person_ids = {a.person_id for a in allocations} | {w.person_id for w in assigned if w.person_id}
    rated_ids = (
        person_ids
        if rate_portfolios is None
        else {a.person_id for a in allocations if a.person.portfolio_id in rate_portfolios}
        | {w.person_id for w in assigned if w.person_id and w.portfolio_id in rate_portfolios}
    )
    rates = defaultdict(list)
    for person_id, day, rate, currency in (
        CostRate.objects.filter(person_id__in=rated_ids)
        .values_list("person_id", "effective_from", "hourly_rate", "currency_id")
        .order_by("person_id", "effective_from")
    ):
        rates[person_id].append(RateStep(day, rate, currency))
    last = max([*(a.end for a in allocations), *(w.finish for w in assigned)])
    absences = defaultdict(list)
    for person_id, s, e in (
        Absence.objects.filter(person_id__in=person_ids, start__lte=last, end__gte=earliest)
        .values_list("person_id", "start", "end")
        .order_by()
    ):
        absences[person_id].append((s, e))
    manual = defaultdict(list)
    for project_id, s, e in (
        Forecast.objects.filter(project_id__in=list(projects), category__kind="labour", period__end__gte=earliest)
        .values_list("project_id", "period__start", "period__end")
        .order_by()
    ):
        manual[project_id].append((s, e))

    absent_days = {pid: capacity.absence_days(ranges, earliest, last) for pid, ranges in absences.items()}
    pieces = defaultdict(lambda: [ZERO, ZERO, ZERO])  # (project, period, currency) -> [hours, cost, assigned h]
    for a in allocations:
        forecast = result[a.project_id]
        from_day = forecast.from_day

        def period_of(day, from_day=from_day):
            span = calendar.period_of(day)
            return span._replace(start=from_day) if span.start < from_day <= span.end else span

        fallback = (
            RateStep(dt.date.min, a.role.standard_rate, forecast.currency) if a.role.standard_rate is not None else None
        )
        for period, currency, hours, cost in capacity.cost_pieces(
            booking_of(a),
            weekly_capacity=a.person.weekly_capacity_hours,
            first=from_day,
            absent=absent_days.get(a.person_id, set()),
            rates=rates.get(a.person_id, []),
            fallback=fallback,
            period_of=period_of,
        ):
            if not currency:
                forecast.unrated_hours += hours
                currency = forecast.currency
            cell = pieces[(a.project_id, period, currency)]
            cell[0] += hours
            cell[1] += cost
    allocated = assignment_load.allocated_ranges(allocations)
    for w in assigned:
        forecast = result[w.project_id]
        from_day = forecast.from_day

        def period_of(day, from_day=from_day):
            span = calendar.period_of(day)
            return span._replace(start=from_day) if span.start < from_day <= span.end else span

        fallback = RateStep(dt.date.min, w.standard_rate, forecast.currency) if w.standard_rate is not None else None
        start = max(w.start, from_day)
        for booking in assignment_load.bookings(
            w, hours=w.remaining_hours, start=start, allocated=allocated.get((w.person_id, w.project_id), [])
        ):
            for period, currency, hours, cost in capacity.cost_pieces(
                booking,
                weekly_capacity=ZERO,
                first=from_day,
                absent=absent_days.get(w.person_id, set()) if w.person_id else set(),
                rates=rates.get(w.person_id, []) if w.person_id else [],
                fallback=fallback,
                period_of=period_of,
            ):
                if not currency:
                    forecast.unrated_hours += hours
                    currency = forecast.currency
                cell = pieces[(w.project_id, period, currency)]
                cell[0] += hours
                cell[1] += cost
                cell[2] += hours

    foreign = [(c, p.start) for (pid, p, c) in pieces if c != result[pid].currency]
    bases = {f.currency for f in result.values()}
    table = (
        RateTable.load({*bases, *(c for c, _ in foreign)}, until=max(d for _, d in foreign)) if foreign else RateTable()
    )
    for (project_id, period, currency), (hours, cost, assignment_hours) in pieces.items():
        forecast = result[project_id]
        if any(s <= period.end and e >= period.start for s, e in manual.get(project_id, [])):
            if period not in forecast.replaced:
                forecast.replaced.append(period)
            continue
        amount = table.convert(cost, currency, forecast.currency, period.start)
        forecast.amounts[period] = forecast.amounts.get(period, ZERO) + amount
        forecast.hours[period] = forecast.hours.get(period, ZERO) + hours
        if assignment_hours:
            forecast.assignment_hours[period] = forecast.assignment_hours.get(period, ZERO) + assignment_hours
    for forecast in result.values():
        forecast.replaced.sort(key=lambda p: p.start)
    return result


def labour_forecast(
    project: Project, calendar: FiscalCalendar, *, rate_portfolios: set[int] | None = None
) -> LabourForecast:
    """labour_forecasts for one project (loaded with program__portfolio)."""
    return labour_forecasts([project], calendar, rate_portfolios=rate_portfolios)[project.pk]


def rate_portfolios_of(user) -> set[int]:
    """The portfolios whose people's cost rates `user` may see (one query)."""
    from .querysets import rate_pools

    return set(rate_pools(user).values_list("pk", flat=True))


def labour_forecasts_for(user):
    """The labour_forecasts seam (budgets.selectors.LabourForecasts) as `user` may see it: people
    whose rates `user` may not see are costed at their role's standard rate.

    Why not hide only figures about one person, or show aggregates over N people: anybody who
    may edit allocations (a project manager) can difference any money figure that moves with
    hours — read the total, add a one-week allocation of one person, read it again, divide by the
    hours — however many people the total covers. So no money figure shown to someone who cannot
    see rates may depend on a hidden rate at all: for them every allocation is costed at its
    role's standard rate, which everybody who sees the pool may read (the job roles list). The
    pool's rates are read once, on first use, for every page or export that uses the seam."""
    pools: set[int] | None = None

    def forecasts(projects, calendar: FiscalCalendar) -> dict[int, LabourForecast]:
        nonlocal pools
        if pools is None:
            pools = rate_portfolios_of(user)
        return labour_forecasts(projects, calendar, rate_portfolios=pools)

    return forecasts


def rate_blind_labour_forecasts(projects, calendar: FiscalCalendar) -> dict[int, LabourForecast]:
    """labour_forecasts with every allocation at its role's standard rate, for figures stored
    once and shown to everybody who sees the project (the reporting summaries): the same
    differencing argument as labour_forecasts_for, for a reader who sees no rate at all."""
    return labour_forecasts(projects, calendar, rate_portfolios=set())


# -- the program card ------------------------------------------------------------------------------


def people_working_on(projects, *, first: dt.date, last: dt.date) -> list[Person]:
    """The people with work on `projects` (a queryset) inside [first, last], by name: an
    allocation overlapping the window or a schedule assignment that loads them in it — the same
    set the capacity page's project and program filters find (people_for_capacity)."""
    assigned = assignment_load.people_assigned(first=first, last=last, project_ids=projects.values("pk"))
    allocated = Allocation.objects.filter(project__in=projects).overlapping(first, last).values("person_id")
    return list(Person.objects.filter(Q(pk__in=allocated) | Q(pk__in=assigned)).order_by("name", "pk"))


def program_staffing_summary(*, program, user) -> dict:
    """The small card of a program page: open requests (not yet ended) and their unfilled FTE over
    the projects of `program` the user can see, the people over-allocated this month among those with work on
    them (allocated or assigned), and the link to the program staffing page. Eight queries."""
    projects = Project.objects.visible_to(user).filter(program=program)
    today = timezone.localdate()
    first, last = _month_of(today)
    weeks = (capacity.week_start(last) - capacity.week_start(first)).days // 7 + 1
    people = people_working_on(projects, first=first, last=last)
    over = conflicts(people, start=first, weeks=weeks)
    gaps = staffing_gaps(projects, current_from=today)
    return {
        "program": program,
        "open_requests": len(gaps.open_requests),
        "unfilled_fte": gaps.unfilled_fte,
        "over_allocated": len(over),
        "over_allocated_people": [c.person for c in over[:5]],
        "month": first,
        "url": reverse("staffing:program-staffing", args=[program.code]),
    }
